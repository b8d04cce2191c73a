#!/usr/bin/env bash
# Measures the single-node broker on this machine: start-up time to the "MQTT broker ready" line (median of
# --runs starts), resident memory (VmRSS of /proc/PID/status) idle 10 s after start, with --connections idle MQTT
# connections, and 10 s and --after-close seconds after they closed, plus the connect rate. Once with the binary's
# own settings (its runtimeconfig: workstation GC, ...) and once with the memory settings of
# deploy/systemd/mqtt-cluster.service (read from the unit, so the figures follow it).
#
#   deploy/pi/measure-footprint.sh [--app DIR] [--bench DLL] [--connections N] [--runs N] [--after-close S]
#                                  [--also "VAR=VALUE ..."]
#
# --app DIR: a published broker, e.g. /opt/mqtt-cluster on a Pi (run through its mqtt-cluster-silo apphost, as the
# unit runs it); by default the script publishes src/Silo in Release into a temporary directory.
# --bench DLL: the load generator (mqtt-cluster-bench.dll, any CPU: dotnet publish bench/LoadGenerator -c Release);
# by default the script builds it from this repository. It opens the connections from one epoll loop, 100
# handshakes in flight (MQTT 3.1.1, clean session), and reads the broker's RSS itself. Needs dotnet and jq.
# --also: measure a third time with the unit's settings plus these (to try other settings on a device).
# Everything runs on 127.0.0.1 with free ports and a temporary data directory; the broker is stopped by its PID.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
app=""
bench=""
connections=1000
runs=3
after_close=60
also=""
while [ $# -gt 0 ]; do
    case "$1" in
        --app) app="$2"; shift 2 ;;
        --bench) bench="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --after-close) after_close="$2"; shift 2 ;;
        --also) also="$2"; shift 2 ;;
        -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
command -v jq >/dev/null || { echo "jq is needed to read the generator's report: apt-get install jq" >&2; exit 1; }

work="$(mktemp -d)"
broker_pid=""
cleanup() {
    if [ -n "$broker_pid" ]; then kill -TERM "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

if [ -z "$app" ]; then
    echo "Publishing src/Silo (Release) ..." >&2
    dotnet publish "$repo/src/Silo" -c Release -o "$work/app" -nologo -v quiet >"$work/publish.log" 2>&1 ||
        { cat "$work/publish.log" >&2; exit 1; }
    app="$work/app"
fi
if [ -z "$bench" ]; then
    echo "Building bench/LoadGenerator (Release) ..." >&2
    dotnet build "$repo/bench/LoadGenerator" -c Release -nologo -v quiet >"$work/bench.log" 2>&1 ||
        { cat "$work/bench.log" >&2; exit 1; }
    bench="$repo/bench/LoadGenerator/bin/Release/net10.0/mqtt-cluster-bench.dll"
fi
[ -f "$app/mqtt-cluster-silo.dll" ] || { echo "no mqtt-cluster-silo.dll in $app" >&2; exit 1; }
# The apphost, as systemd starts it; without one (a portable publish), through the dotnet host.
broker=("$app/mqtt-cluster-silo")
[ -x "${broker[0]}" ] || broker=(dotnet "$app/mqtt-cluster-silo.dll")
# Broker and generator each hold a descriptor per connection.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

free_port() {
    local port
    while true; do
        port=$(( 20000 + RANDOM % 12000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
    done
}

rss_mib() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The DOTNET_* lines of the single-node unit, as NAME=VALUE words for env(1).
unit_memory_settings() {
    sed -n 's/^Environment=\(DOTNET_[A-Za-z0-9_]*=[^ ]*\)$/\1/p' "$repo/deploy/systemd/mqtt-cluster.service" | tr '\n' ' '
}

# measure PROFILE-NAME ENV-WORDS...: appends "name|startup ms|idle MiB|generator JSON" to results
measure() {
    local name="$1"; shift
    local data="$work/data-$name" log="$work/broker-$name.log"
    local run start_ms ready_ms port idle report=""
    local startups=() idles=()
    for run in $(seq 1 "$runs"); do
        port="$(free_port)"
        : >"$log"
        start_ms=$(( ${EPOCHREALTIME/./} / 1000 ))
        env "$@" "${broker[@]}" --port "$port" --ws-port "$(free_port)" --silo-port "$(free_port)" \
            --data-dir "$data" >"$log" 2>&1 &
        broker_pid=$!
        until grep -q "MQTT broker ready" "$log"; do
            kill -0 "$broker_pid" 2>/dev/null || { echo "the broker exited:" >&2; cat "$log" >&2; exit 1; }
            if [ $(( ${EPOCHREALTIME/./} / 1000 - start_ms )) -gt 60000 ]; then echo "no ready line after 60 s" >&2; exit 1; fi
            sleep 0.02
        done
        ready_ms=$(( ${EPOCHREALTIME/./} / 1000 - start_ms ))
        startups+=("$ready_ms")
        sleep 10
        idle="$(rss_mib "$broker_pid")"
        idles+=("$idle")
        echo "  $name run $run: ready after ${ready_ms} ms, idle RSS ${idle} MiB" >&2
        if [ "$run" -eq "$runs" ]; then
            report="$(dotnet "$bench" --json --port "$port" --shape idle --subscribers "$connections" --connect-concurrency 100 \
                --hold 10 --after-close "$after_close" --broker-pid "$broker_pid" 2>"$work/bench.err")" ||
                { cat "$work/bench.err" >&2; exit 1; }
            echo "  $name: $(jq -r '"\(.connections) connections, \(.memory.bytes_per_connection) B each, \(.connects_per_second | floor) connects/s, \(.memory.rss_after_close_kb / 1024 | round) MiB after close"' <<<"$report")" >&2
        fi
        kill -TERM "$broker_pid"; wait "$broker_pid" 2>/dev/null || true; broker_pid=""
    done
    results+=("$name|$(printf '%s\n' "${startups[@]}" | median)|$(printf '%s\n' "${idles[@]}" | median)|$report")
}

# shellcheck disable=SC2207 # the unit's settings are single words
unit_settings=($(unit_memory_settings))
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), .NET $(dotnet --list-runtimes | awk '/NETCore.App/ { v = $2 } END { print v }'); unit settings: ${unit_settings[*]}" >&2
results=()
measure binary
measure unit "${unit_settings[@]}"
if [ -n "$also" ]; then
    # shellcheck disable=SC2206 # VAR=VALUE words
    also_settings=(${unit_settings[@]} $also)
    measure also "${also_settings[@]}"
fi

echo
echo "| settings | start-up to ready (median of $runs) | RSS idle (median of $runs) | with $connections connections | per connection | 10 s after close | $after_close s after close | connects/s |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for line in "${results[@]}"; do
    IFS='|' read -r name startup idle report <<<"$line"
    case "$name" in
        binary) label="the binary's own (runtimeconfig)" ;;
        unit) label="mqtt-cluster.service (${unit_settings[*]})" ;;
        *) label="mqtt-cluster.service + $also" ;;
    esac
    jq -r --arg name "$label" --arg startup "$startup" --arg idle "$idle" \
        '"| \($name) | \($startup) ms | \($idle) MiB | \(.memory.rss_kb / 1024 | round) MiB | \(.memory.bytes_per_connection) B | \(.memory.rss_after_close10s_kb / 1024 | round) MiB | \(.memory.rss_after_close_kb / 1024 | round) MiB | \(.connects_per_second | floor) |"' <<<"$report"
done
