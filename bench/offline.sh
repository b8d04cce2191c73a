#!/usr/bin/env bash
# Offline persistent sessions (issue 15): our single node's RSS with N offline MQTT 3.1.1 sessions (clean session 0,
# one subscription each) holding M queued QoS 1 messages each, and whether every one resumes with its queue after a
# restart. Steps: a fresh node; idle RSS 10 s after start; `mqtt-cluster-bench offline-sessions --phase fill`
# (subscribe and leave, then publish; RSS right after and after --settle); the node stopped (SIGTERM, or SIGKILL with
# --kill) and started again on the same data directory; idle RSS 10 s after; `--phase resume` (every client comes
# back, must find its session and its M messages in order).
#
#   bench/offline.sh [--sessions N] [--messages M] [--settle S] [--kill] [--app DIR] [--out DIR] [--no-build]
#                    [-- NODE SETTINGS...]
#
#   --app DIR   the mqtt-cluster-silo.dll published in DIR instead of this checkout's build (an A/B of a variant)
#
# Everything started is stopped by PID on exit.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
sessions=100000
messages=10
settle=30
signal=TERM
out=""
build=1
settings=()
ours_dll=""
while [ $# -gt 0 ]; do
    case "$1" in
        --sessions) sessions="$2"; shift 2 ;;
        --messages) messages="$2"; shift 2 ;;
        --settle) settle="$2"; shift 2 ;;
        --kill) signal=KILL; shift ;;
        --app) ours_dll="$2/mqtt-cluster-silo.dll"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        --) shift; settings=("$@"); break ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

work="$(mktemp -d /tmp/mqtt-offline.XXXXXX)"
if [ -n "$out" ]; then mkdir -p "$out"; out="$(cd "$out" && pwd)"; else out="$work"; fi
started=()
cleanup() {
    local pid
    for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${started[@]}"; do
        local deadline=$(( SECONDS + 15 ))
        while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$work/data"
    if [ "$out" != "$work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$build" -eq 1 ]; then
    echo "building (Release)..." >&2
    dotnet build "$repo/src/Silo" -c Release -nologo -v quiet >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
    dotnet build "$repo/bench/LoadGenerator" -c Release -nologo -v quiet >>"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
fi
silo_dll="$repo/src/Silo/bin/Release/net10.0/mqtt-cluster-silo.dll"
bench_dll="$repo/bench/LoadGenerator/bin/Release/net10.0/mqtt-cluster-bench.dll"
# shellcheck source=bench/brokers.sh
. "$repo/bench/brokers.sh"
ours_data="$work/data"
mkdir -p "$ours_data"

run_phase() { # phase
    dotnet "$bench_dll" offline-sessions --phase "$1" --port "$ours_port" --sessions "$sessions" --messages "$messages" \
        --settle "$settle" --broker-pid "$ours_pid" 2>>"$out/generator-errors.log" | tee -a "$out/results.jsonl"
}

start_ours "${settings[@]}"
sleep 10
idle="$(rss_kb "$ours_pid")"
echo "node $ours_pid: idle $(( idle / 1024 )) MB; filling $sessions sessions x $messages messages..." >&2
fill="$(run_phase fill)"
echo "  stored: $(du -sm "$ours_data" | cut -f1) MB on disk; stopping with SIG$signal" >&2
kill "-$signal" "$ours_pid"
stop_pid "$ours_pid"

start_ours "${settings[@]}"
sleep 10
restarted="$(rss_kb "$ours_pid")"
echo "node $ours_pid restarted: $(( restarted / 1024 )) MB 10 s after start; resuming..." >&2
resume="$(run_phase resume)"
stop_pid "$ours_pid"

jq -rn --argjson idle "$idle" --argjson restarted "$restarted" --argjson fill "$fill" --argjson resume "$resume" '
  "idle RSS:                         \($idle / 1024 | floor) MB",
  "subscribe + leave:                \($fill.subscribe_seconds) s; publish \($fill.published) QoS 1 in \($fill.publish_seconds) s (\($fill.publish_rate)/s)",
  "RSS with the sessions offline:    \($fill.rss_after_kb / 1024 | floor) MB right after, \($fill.rss_settled_kb / 1024 | floor) MB after \($fill.settle_seconds) s (idle + \(($fill.rss_settled_kb - $idle) / 1024 | floor) MB)",
  "after the restart:                \($restarted / 1024 | floor) MB 10 s after start",
  "resume:                           \($resume.sessions_present) of \($resume.sessions) sessions present, \($resume.sessions_complete) complete, \($resume.messages_received) messages, \($resume.sessions_out_of_order) out of order, \($resume.resume_seconds) s",
  "RSS after the resume:             \($resume.rss_after_kb / 1024 | floor) MB right after, \($resume.rss_settled_kb / 1024 | floor) MB after \($resume.settle_seconds) s"'
