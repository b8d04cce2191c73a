#!/usr/bin/env bash
# Memory and connect rate with idle clean-session connections: our single node and Debian's Mosquitto, each
# fresh for every run, in alternation. The generator (mqtt-cluster-bench --shape idle) opens the connections from one
# epoll loop with --concurrency handshakes in flight and reads the broker's RSS (/proc/PID/status) itself: 10 s after
# the broker started (idle), at the end of --hold with the connections open, then every second for --after-close
# seconds after it closed them all (reported at 10 s and at the end, and the second RSS came back within 20 % of idle).
#
#   bench/idle.sh [--counts "1000 18000"] [--rounds N] [--hold S] [--after-close S] [--concurrency N]
#                 [--variant "NAME VAR=VALUE ... [app=DIR]"]... [--no-mosquitto] [--out DIR] [--no-build]
#
#   --variant      also our node under another name with these environment settings (and, with app=DIR, the
#                  mqtt-cluster-silo.dll published in DIR, e.g. ReadyToRun): A/B in the same alternation
#   --no-mosquitto only our node (and its variants)
#   --out DIR      keep results.jsonl, tables.md and logs there (default: a temporary directory, removed at the end)
# Everything started is stopped by PID on exit.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
counts="1000 18000"
rounds=1
hold=10
after_close=60
concurrency=100
variants=()
mosquitto=1
out=""
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --counts) counts="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --hold) hold="$2"; shift 2 ;;
        --after-close) after_close="$2"; shift 2 ;;
        --concurrency) concurrency="$2"; shift 2 ;;
        --variant) variants+=("$2"); shift 2 ;;
        --no-mosquitto) mosquitto=0; shift ;;
        --out) out="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

work="$(mktemp -d /tmp/mqtt-idle.XXXXXX)"
if [ -n "$out" ]; then mkdir -p "$out"; out="$(cd "$out" && pwd)"; else out="$work"; fi
results="$out/results.jsonl"
tables="$out/tables.md"
: >"$results"
: >"$tables"
started=()
cleanup() {
    local pid
    for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${started[@]}"; do
        local deadline=$(( SECONDS + 15 ))
        while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [ "$out" != "$work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Brokers and generator each hold every connection's descriptor.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
max_count="$(tr ' ' '\n' <<<"$counts" | sort -n | tail -1)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $(( max_count + 1000 )) ]; then
    echo "warning: ulimit -n is $(ulimit -n); $max_count connections may fail" >&2
fi

if [ "$build" -eq 1 ]; then
    echo "building (Release)..." >&2
    dotnet build "$repo/src/Silo" -c Release -nologo -v quiet >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
    dotnet build "$repo/bench/LoadGenerator" -c Release -nologo -v quiet >>"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
fi
silo_dll="$repo/src/Silo/bin/Release/net10.0/mqtt-cluster-silo.dll"
bench_dll="$repo/bench/LoadGenerator/bin/Release/net10.0/mqtt-cluster-bench.dll"
# shellcheck source=bench/brokers.sh
. "$repo/bench/brokers.sh"

brokers=(ours)
for v in "${variants[@]}"; do brokers+=("${v%% *}"); done
[ "$mosquitto" -eq 1 ] && brokers+=(mosquitto)

# start NAME: a fresh broker of that name; sets pid and port.
start() {
    local v settings=() word
    if [ "$1" = mosquitto ]; then start_mosquitto; pid="$mosquitto_pid"; port="$mosquitto_port"; return; fi
    ours_dll=""
    for v in "${variants[@]}"; do
        if [ "${v%% *}" = "$1" ]; then
            for word in ${v#* }; do
                case "$word" in app=*) ours_dll="${word#app=}/mqtt-cluster-silo.dll" ;; *) settings+=("$word") ;; esac
            done
        fi
    done
    start_ours "${settings[@]}"
    pid="$ours_pid"; port="$ours_port"
}

for n in $counts; do
    for round in $(seq 1 "$rounds"); do
        for broker in "${brokers[@]}"; do
            start "$broker"
            sleep 10
            line="$(dotnet "$bench_dll" --json --label "$broker" --port "$port" --shape idle --subscribers "$n" \
                --connect-concurrency "$concurrency" --hold "$hold" --after-close "$after_close" --broker-pid "$pid" \
                2>>"$out/generator-errors.log")" || true
            if [ -z "$line" ] || [ "${line:0:1}" != "{" ]; then
                echo "  $broker $n: generator failed (see $out/generator-errors.log)" >&2
                line='{"failed":true,"label":"'"$broker"'"}'
            fi
            jq -c --argjson n "$n" --argjson r "$round" '. + {scenario: "idle", count: $n, round: $r}' <<<"$line" >>"$results"
            jq -r '"  \(.label) \(.count) r\(.round): idle \((.memory.idle_rss_kb // 0) / 1024 | floor) MB, \(.memory.bytes_per_connection // "?") B/connection, \(.connects_per_second // 0 | floor) connects/s (generator \(.generator_connect_cpu_cores // 0 | . * 100 | round / 100) cores), after close \((.memory.rss_after_close10s_kb // 0) / 1024 | floor) / \((.memory.rss_after_close_kb // 0) / 1024 | floor) MB"' \
                <<<"$(tail -1 "$results")" >&2
            stop_pid "$pid"
        done
    done
done

mb() { jq -rn --argjson v "$1" 'if $v == null then "-" else ($v / 1024 | round | tostring) + " MB" end'; }
{
    echo "### Memory and connect rate, idle clean-session connections"
    echo ""
    echo "$(date -u '+%Y-%m-%d %H:%M UTC') · commit $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src bench 2>/dev/null || echo ' (with uncommitted changes)') · $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ { print $2 }') GiB · load average before: $(cut -d' ' -f1-3 /proc/loadavg) · \`bench/idle.sh --counts \"$counts\" --rounds $rounds --after-close $after_close --concurrency $concurrency\`"
    echo ""
    echo "RSS from /proc/PID/status: idle 10 s after start; with connections at the end of a ${hold} s hold; per connection = growth / connections; after close: ${after_close} s watched. Connects: $concurrency handshakes (TCP, CONNECT, CONNACK; MQTT 3.1.1, clean session) in flight from one generator thread; gen = the generator's CPU while connecting, in cores. Each row one fresh broker; rows of one count alternate between brokers."
    echo ""
    echo "| broker | connections | idle | with connections | per connection | 10 s after close | ${after_close} s after close | within 20 % of idle after | connects/s | p99 connect µs | gen cores |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    jq -r 'select(.failed != true) | [.label, .count, .memory.idle_rss_kb, .memory.rss_kb, .memory.bytes_per_connection, .memory.rss_after_close10s_kb, .memory.rss_after_close_kb, (.memory.seconds_back_within20_percent // "-"), (.connects_per_second | floor), .connect_p99_us, (.generator_connect_cpu_cores * 100 | round / 100)] | @tsv' "$results" |
        while IFS=$'\t' read -r label count idle with per a10 end back rate p99 gen; do
            echo "| $label | $count | $(mb "$idle") | $(mb "$with") | $per B | $(mb "$a10") | $(mb "$end") | $([ "$back" = "-" ] && echo "not within ${after_close} s" || echo "$back s") | $rate | $p99 | $gen |"
        done
} >"$tables"
cat "$tables"
