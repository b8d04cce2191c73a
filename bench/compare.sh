#!/usr/bin/env bash
# Compares this broker's single node with Debian's Mosquitto on this machine, the way a user measures: open-loop
# publishers (each keeps its own window of 100 QoS 1 messages in flight, nothing else holds it back), both brokers
# at their default limits (Mosquitto with set_tcp_nodelay true), one generator (bench/LoadGenerator: raw sockets,
# one event loop) whose own CPU per message is printed and must stay below the broker's. Every scenario runs
# against both brokers in alternation (ours, mosquitto, ours, mosquitto, ...) so that noise falls on both.
# Headline: broker CPU µs per delivered message at fixed rates; then loss, latency, and the as-fast-as-possible
# rates. With --cluster also a local cluster (deploy/local/cluster.sh) against the single node.
#
#   bench/compare.sh [--quick] [--cluster] [--closed-loop] [--idle] [--rounds N] [--duration S] [--out DIR] [--no-build]
#
#   --quick        one round of 3 s per scenario
#   --cluster      also 3 silos + 2 gateways: publish on one gateway, subscribe on the other; broker CPU of all
#                  processes per delivered message against the single node's, same load
#   --closed-loop  also the old closed-loop matrix (publishers wait while 10 000 deliveries are on their way),
#                  labelled as such: it hides queueing and drops, so it is not the headline
#   --idle         also memory and connect rate with idle connections: bench/idle.sh (1 000 and 18 000
#                  connections, RSS up to 60 s after they closed; --quick: 1 000, 20 s)
#   --out DIR      keep results.jsonl (one JSON line per run), tables.md and broker logs there
#                  (default: a temporary directory, removed at the end)
# Everything started is stopped by PID on exit.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
quick=0
cluster=0
closed_loop=0
idle=0
rounds=""
duration=""
out=""
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1; shift ;;
        --cluster) cluster=1; shift ;;
        --closed-loop) closed_loop=1; shift ;;
        --idle) idle=1; shift ;;
        --rounds) rounds="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ "$quick" -eq 1 ]; then
    rounds="${rounds:-1}"; duration="${duration:-3}"; warmup=1
else
    rounds="${rounds:-3}"; duration="${duration:-8}"; warmup=2
fi

work="$(mktemp -d /tmp/mqtt-bench.XXXXXX)"
# The cluster's PostgreSQL runs as the postgres user and keeps its data below this directory.
chmod 755 "$work"
if [ -n "$out" ]; then mkdir -p "$out"; out="$(cd "$out" && pwd)"; else out="$work"; fi
results="$out/results.jsonl"
tables="$out/tables.md"
: >"$results"
: >"$tables"

started=()
cluster_dir=""
cleanup() {
    local pid
    for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${started[@]}"; do
        local deadline=$(( SECONDS + 15 ))
        while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [ -n "$cluster_dir" ]; then "$repo/deploy/local/cluster.sh" stop --dir "$cluster_dir" >/dev/null 2>&1 || true; fi
    if [ "$out" != "$work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
[ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v jq >/dev/null || need+=(jq)
if [ "$cluster" -eq 1 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need+=(postgresql); fi
if [ ${#need[@]} -gt 0 ]; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian starts a mosquitto service on 1883 when installed; it would only compete for the CPU.
if command -v systemctl >/dev/null && systemctl is-active --quiet mosquitto 2>/dev/null; then as_root systemctl stop mosquitto || true; fi

# 10 000 idle connections need as many descriptors in the brokers and in the generator.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ]; then
    ulimit -Hn 65536 2>/dev/null && ulimit -n 65536 || echo "warning: ulimit -n is $(ulimit -n); 10 000 connections may fail" >&2
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

# run SCENARIO ROUND LABEL PORT PIDS GENERATOR-ARGS...: one generator run, appended to results.jsonl.
run() {
    local scenario="$1" round="$2" label="$3" port="$4" pids="$5" line pid
    shift 5
    local pid_args=()
    for pid in $pids; do pid_args+=(--broker-pid "$pid"); done
    line="$(dotnet "$bench_dll" --json --label "$label" --port "$port" "${pid_args[@]}" \
        --duration "$duration" --warmup "$warmup" --drain 60 "$@" 2>>"$out/generator-errors.log")" || true
    if [ -z "$line" ] || [ "${line:0:1}" != "{" ]; then
        echo "  $scenario $label: generator failed (see $out/generator-errors.log)" >&2
        line='{"failed":true,"label":"'"$label"'"}'
    fi
    jq -c --arg s "$scenario" --argjson r "$round" '. + {scenario: $s, round: $r}' <<<"$line" >>"$results"
    jq -r '"  \(.scenario) r\(.round) \(.label): broker \(.broker_cpu_us_per_message // 0 | . * 10 | round / 10) us/msg (generator \(.generator_cpu_us_per_message // 0 | . * 10 | round / 10)), \(.delivered_per_second // 0 | floor) msg/s, lost \(.lost // "?"), p99 \(.latency_p99_us // 0) us\(if (.warnings // []) | length > 0 then " [" + (.warnings | join("; ")) + "]" else "" end)"' \
        <<<"$(tail -1 "$results")" >&2
}

# alternate SCENARIO TRANSPORT GENERATOR-ARGS...: ours, mosquitto, ours, mosquitto, ... ($rounds each).
alternate() {
    local scenario="$1" transport="$2" round broker
    shift 2
    for round in $(seq 1 "$rounds"); do
        for broker in ours mosquitto; do
            run "$scenario" "$round" "$broker" "$(port_of "$broker" "$transport")" "$(pid_of "$broker")" --transport "$transport" "$@"
        done
    done
}

# median SCENARIO LABEL FIELD: the median over the rounds (null when none).
median() {
    jq -s --arg s "$1" --arg l "$2" --arg f "$3" '
        [.[] | select(.scenario == $s and .label == $l and (.failed != true)) | .[$f]] | sort
        | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end' "$results"
}
total() {
    jq -s --arg s "$1" --arg l "$2" --arg f "$3" '[.[] | select(.scenario == $s and .label == $l) | (.[$f] // 0)] | add // 0' "$results"
}
fmt() { jq -rn --argjson v "$1" 'if $v == null then "-" elif $v >= 100 then ($v | round | tostring) else ($v * 100 | round / 100 | tostring) end'; }
ratio() { jq -rn --argjson a "$1" --argjson b "$2" 'if $a == null or $b == null or $b == 0 then "-" else ($a / $b * 100 | round / 100 | tostring) + "x" end'; }

emit() { echo "$*" | tee -a "$tables"; }
# invalid SCENARIO LABEL: runs where the generator spent more CPU per message than the broker.
invalid() {
    jq -s --arg s "$1" --arg l "$2" '[.[] | select(.scenario == $s and .label == $l and .generator_cheaper_than_broker == false)] | length' "$results"
}
maximum() {
    jq -s --arg s "$1" --arg f "$2" '[.[] | select(.scenario == $s and (.failed != true)) | .[$f]] | max' "$results"
}
# scenario NAME TRANSPORT ARGS...: declared in the order they run; NAME|TRANSPORT|ARGS.
fixed=(
    "1→1 QoS 1 @ 5 000/s|tcp|--shape pairwise --publishers 1 --qos 1 --rate 5000"
    "10 pairs QoS 1 @ 5 000/s|tcp|--shape pairwise --publishers 10 --qos 1 --rate 5000"
    "fan-in 20→1 QoS 0 @ 5 000/s|tcp|--shape fan-in --publishers 20 --qos 0 --rate 5000"
    "fan-in 20→1 QoS 1 @ 5 000/s|tcp|--shape fan-in --publishers 20 --qos 1 --rate 5000"
    "fan-out 1→50 QoS 1 @ 5 000 deliveries/s|tcp|--shape fan-out --subscribers 50 --qos 1 --rate 100"
    "fan-in 20→1 QoS 1 @ 20 000/s|tcp|--shape fan-in --publishers 20 --qos 1 --rate 20000"
)
unthrottled=(
    "1→1 QoS 0|tcp|--shape pairwise --publishers 1 --qos 0"
    "1→1 QoS 1|tcp|--shape pairwise --publishers 1 --qos 1"
    "1→1 QoS 1, 64 KB payload|tcp|--shape pairwise --publishers 1 --qos 1 --payload 65536"
    "1→1 QoS 1 over WebSocket|ws|--shape pairwise --publishers 1 --qos 1"
)
run_all() { # entries...
    local entry name transport
    for entry in "$@"; do
        IFS='|' read -r name transport load <<<"$entry"
        read -r -a load_args <<<"$load"
        alternate "$name" "$transport" "${load_args[@]}"
    done
}

echo "results: $results" >&2
start_ours
start_mosquitto
echo "ours pid $ours_pid (tcp $ours_port, ws $ours_ws); mosquitto pid $mosquitto_pid (tcp $mosquitto_port, ws $mosquitto_ws)" >&2
# Warm-up, not recorded: our broker compiles its hot paths in tiers (JIT, then re-JIT with profile data) for
# about 20 s of traffic, and users measure a broker that has been running; the same load goes to Mosquitto.
warmups=(
    "--shape pairwise --publishers 1 --qos 1 --rate 5000 --duration 15"
    "--shape fan-in --publishers 20 --qos 0 --rate 5000 --duration 5"
    "--shape pairwise --publishers 1 --qos 1 --duration 5"
)
# warm_up PORT [PUBLISH-PORT]: the warm-up loads against one broker.
warm_up() {
    local load publish=()
    [ -n "${2:-}" ] && publish=(--publish-port "$2")
    for load in "${warmups[@]}"; do
        read -r -a warmup_args <<<"$load"
        dotnet "$bench_dll" --port "$1" "${publish[@]}" --warmup 0 "${warmup_args[@]}" >/dev/null 2>&1 || true
    done
}
for broker in ours mosquitto; do warm_up "$(port_of "$broker")"; done
echo "fixed rates (rounds: $rounds, $duration s each)" >&2
run_all "${fixed[@]}"
echo "as fast as possible, open loop" >&2
run_all "${unthrottled[@]}"
if [ "$closed_loop" -eq 1 ]; then
    echo "closed loop (publishers wait while 10 000 deliveries are on their way)" >&2
    closed=(
        "CLOSED LOOP pairwise 10 QoS 0|tcp|--shape pairwise --publishers 10 --qos 0 --max-backlog 10000"
        "CLOSED LOOP pairwise 10 QoS 1|tcp|--shape pairwise --publishers 10 --qos 1 --max-backlog 10000"
        "CLOSED LOOP fan-in 50 QoS 1|tcp|--shape fan-in --publishers 50 --qos 1 --max-backlog 10000"
        "CLOSED LOOP fan-out 100 QoS 1|tcp|--shape fan-out --subscribers 100 --qos 1 --max-backlog 10000"
    )
    run_all "${closed[@]}"
fi
stop_pid "$ours_pid"; stop_pid "$mosquitto_pid"

emit "## mqtt-cluster single node vs Mosquitto $(/usr/sbin/mosquitto -h 2>/dev/null | sed -n 's/^mosquitto version //p' | head -1)"
emit ""
emit "$(date -u '+%Y-%m-%d %H:%M UTC') · commit $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src bench 2>/dev/null || echo ' (with uncommitted changes)') · $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ { print $2 }') GiB · $rounds round(s) of $duration s (+$warmup s warm-up) per broker and scenario, alternating, medians · \`bench/compare.sh$([ "$quick" -eq 1 ] && echo " --quick")$([ "$cluster" -eq 1 ] && echo " --cluster")$([ "$closed_loop" -eq 1 ] && echo " --closed-loop")$([ "$idle" -eq 1 ] && echo " --idle")\`"
emit ""
emit "Conditions: both brokers at their default limits (ours: 20 in flight per subscriber, 1 000 queued; Mosquitto 2.0: 20 in flight, 1 000 queued), Mosquitto with \`set_tcp_nodelay true\`; MQTT 3.1.1, 64 B payloads unless said; publishers open loop with their own window of 100 QoS 1 messages in flight; one generator for both (raw sockets, one event loop). \"lost\" counts messages acknowledged to the publisher (QoS 1) or written by it (QoS 0) that no subscriber received, summed over the rounds. \"gen\" is the generator's own CPU per delivered message (the highest of the rounds); a run where it exceeded the broker's is counted as invalid."
emit ""
emit "### Broker CPU per delivered message at fixed rates (the headline)"
emit ""
emit "| scenario | ours µs/msg | mosquitto µs/msg | ratio | gen µs/msg | context switches/msg ours / mosquitto | lost ours / mosquitto | p50 µs ours / mosquitto | p99 µs ours / mosquitto | p99 ratio | delivered msg/s ours / mosquitto | invalid runs |"
emit "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for entry in "${fixed[@]}"; do
    s="${entry%%|*}"
    oc="$(median "$s" ours broker_cpu_us_per_message)"; mc="$(median "$s" mosquitto broker_cpu_us_per_message)"
    op="$(median "$s" ours latency_p99_us)"; mp="$(median "$s" mosquitto latency_p99_us)"
    emit "| $s | $(fmt "$oc") | $(fmt "$mc") | $(ratio "$oc" "$mc") | $(fmt "$(maximum "$s" generator_cpu_us_per_message)") | $(fmt "$(median "$s" ours broker_context_switches_per_message)") / $(fmt "$(median "$s" mosquitto broker_context_switches_per_message)") | $(total "$s" ours lost) / $(total "$s" mosquitto lost) | $(fmt "$(median "$s" ours latency_p50_us)") / $(fmt "$(median "$s" mosquitto latency_p50_us)") | $(fmt "$op") / $(fmt "$mp") | $(ratio "$op" "$mp") | $(fmt "$(median "$s" ours delivered_per_second)") / $(fmt "$(median "$s" mosquitto delivered_per_second)") | $(invalid "$s" ours) / $(invalid "$s" mosquitto) |"
done
as_fast_table() { # title entries...
    emit ""
    emit "### $1"
    emit ""
    emit "| scenario | ours msg/s | mosquitto msg/s | ratio | lost ours / mosquitto | broker µs/msg ours / mosquitto | gen µs/msg | p99 µs ours / mosquitto | invalid runs |"
    emit "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    shift
    local entry s om mm
    for entry in "$@"; do
        s="${entry%%|*}"
        om="$(median "$s" ours delivered_per_second)"; mm="$(median "$s" mosquitto delivered_per_second)"
        emit "| $s | $(fmt "$om") | $(fmt "$mm") | $(ratio "$om" "$mm") | $(total "$s" ours lost) / $(total "$s" mosquitto lost) | $(fmt "$(median "$s" ours broker_cpu_us_per_message)") / $(fmt "$(median "$s" mosquitto broker_cpu_us_per_message)") | $(fmt "$(maximum "$s" generator_cpu_us_per_message)") | $(fmt "$(median "$s" ours latency_p99_us)") / $(fmt "$(median "$s" mosquitto latency_p99_us)") | $(invalid "$s" ours) / $(invalid "$s" mosquitto) |"
    done
}
as_fast_table "As fast as possible (open loop)" "${unthrottled[@]}"
if [ "$closed_loop" -eq 1 ]; then
    as_fast_table "CLOSED LOOP (publishers held back while 10 000 deliveries are on their way: hides queueing and drops)" "${closed[@]}"
fi

if [ "$idle" -eq 1 ]; then
    echo "memory and connect rate (fresh brokers, idle clean-session connections): bench/idle.sh" >&2
    idle_args=(--no-build --out "$out/idle")
    [ "$quick" -eq 1 ] && idle_args+=(--counts 1000 --after-close 20)
    "$repo/bench/idle.sh" "${idle_args[@]}" >/dev/null
    cat "$out/idle/results.jsonl" >>"$results"
    emit ""
    emit "$(cat "$out/idle/tables.md")"
fi

if [ "$cluster" -eq 1 ]; then
    echo "cluster: 3 silos + 2 gateways against the single node, same load" >&2
    cluster_dir="$work/cluster"
    "$repo/deploy/local/cluster.sh" start --silos 3 --gateways 2 --dir "$cluster_dir" --no-build >"$work/cluster.out"
    read -r publish_port <<<"$(sed -n 's/^gateway 1 mqtt=\([0-9]*\) .*$/\1/p' "$work/cluster.out")"
    read -r subscribe_port <<<"$(sed -n 's/^gateway 2 mqtt=\([0-9]*\) .*$/\1/p' "$work/cluster.out")"
    cluster_pids="$(awk '$1 == "silo" || $1 == "gateway" { print $2 }' "$cluster_dir/pids" | tr '\n' ' ')"
    start_ours
    warm_up "$(port_of ours)"
    warm_up "$subscribe_port" "$publish_port"
    cluster_scenarios=(
        "cluster 1→1 QoS 1 @ 5 000/s|--shape pairwise --publishers 1 --qos 1 --rate 5000"
        "cluster 10 pairs QoS 1 @ 5 000/s|--shape pairwise --publishers 10 --qos 1 --rate 5000"
        "cluster fan-in 20→1 QoS 1 @ 5 000/s|--shape fan-in --publishers 20 --qos 1 --rate 5000"
    )
    for round in $(seq 1 "$rounds"); do
        for entry in "${cluster_scenarios[@]}"; do
            name="${entry%%|*}"
            read -r -a load <<<"${entry#*|}"
            run "$name" "$round" single "$(port_of ours)" "$ours_pid" "${load[@]}"
            run "$name" "$round" cluster "$subscribe_port" "$cluster_pids" --publish-port "$publish_port" "${load[@]}"
        done
    done
    stop_pid "$ours_pid"
    emit ""
    emit "### Cluster (3 silos + 2 standalone gateways on this machine, publish on gateway 1, subscribe on gateway 2) vs single node"
    emit ""
    emit "CPU = utime + stime of every broker process (silos and gateways; not PostgreSQL) per delivered message."
    emit ""
    emit "| scenario | single µs/msg | cluster µs/msg | cluster/single | lost single / cluster | p99 µs single / cluster | delivered msg/s single / cluster |"
    emit "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    for entry in "${cluster_scenarios[@]}"; do
        name="${entry%%|*}"
        sc="$(median "$name" single broker_cpu_us_per_message)"; cc="$(median "$name" cluster broker_cpu_us_per_message)"
        emit "| $name | $(fmt "$sc") | $(fmt "$cc") | $(ratio "$cc" "$sc") | $(total "$name" single lost) / $(total "$name" cluster lost) | $(fmt "$(median "$name" single latency_p99_us)") / $(fmt "$(median "$name" cluster latency_p99_us)") | $(fmt "$(median "$name" single delivered_per_second)") / $(fmt "$(median "$name" cluster delivered_per_second)") |"
    done
fi
echo "" >&2
echo "tables: $tables; every run: $results" >&2
