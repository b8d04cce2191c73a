#!/usr/bin/env bash
# Compares this broker's single node with Debian's Mosquitto on this machine, with bench/LoadGenerator
# (mqtt-cluster-bench), each scenario run against both in alternation (ours, mosquitto, ours, mosquitto, ...)
# so that noise from other work on the machine falls on both. Prints markdown tables with the ratios
# ours/mosquitto; with --cluster also a local cluster (deploy/local/cluster.sh) against the single node.
#
#   bench/compare.sh [--quick] [--cluster] [--rounds N] [--duration S] [--transport tcp|ws] [--out DIR] [--no-build]
#
#   --quick       one round of 3 s per scenario, fewer scaling points, 1 000 idle connections only
#   --cluster     also 3 silos + 2 gateways: publish on one gateway, subscribe on the other, and compare the CPU
#                 seconds of all broker processes per million deliveries with the single node's (same load)
#   --out DIR     keep results.jsonl (one JSON line per run), tables.md and broker logs there
#                 (default: a temporary directory, removed at the end)
# Everything started is stopped by PID on exit.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
quick=0
cluster=0
rounds=""
duration=""
transport=tcp
out=""
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1; shift ;;
        --cluster) cluster=1; shift ;;
        --rounds) rounds="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --transport) transport="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ "$quick" -eq 1 ]; then
    rounds="${rounds:-1}"; duration="${duration:-3}"; warmup=1
    fanouts=(1 100); payloads=(16 4096); background=(0 100000); idle_counts=(1000)
else
    rounds="${rounds:-3}"; duration="${duration:-8}"; warmup=2
    fanouts=(1 10 100 1000); payloads=(16 256 4096 65536); background=(0 1000 10000 100000); idle_counts=(1000 10000)
fi
# Mosquitto runs with its defaults otherwise (set_tcp_nodelay false: with it on, one TCP segment per message
# cost it about 20 % of its throughput here at equal latency).
# Both brokers keep this many messages per subscriber before dropping (Mosquitto's max_queued_messages, our
# Sessions:MaxQueuedMessages) and 20 unacknowledged QoS 1/2 messages in flight to each (both defaults).
queue=1000000
inflight=20

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

# Below Linux's ephemeral range, so the generator's own connections do not take them meanwhile.
free_port() {
    local port
    while true; do
        port=$(( 10000 + RANDOM % 20000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
    done
}

wait_for() { # file pattern pid what
    local deadline=$(( SECONDS + 60 ))
    until grep -q "$2" "$1" 2>/dev/null; do
        if ! kill -0 "$3" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
            echo "$4 did not start; its log:" >&2; tail -20 "$1" >&2; exit 1
        fi
        sleep 0.2
    done
}

# Ended processes leave the list, so the exit trap never signals a PID the system has handed out again.
forget() {
    local kept=() p
    for p in "${started[@]}"; do [ "$p" = "$1" ] || kept+=("$p"); done
    started=("${kept[@]}")
}

stop_pid() {
    local pid="$1" deadline=$(( SECONDS + 15 ))
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    forget "$pid"
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# Sets mosquitto_pid, mosquitto_port (TCP) and mosquitto_ws.
start_mosquitto() {
    mosquitto_port="$(free_port)"; mosquitto_ws="$(free_port)"
    local conf="$work/mosquitto.conf" log="$out/mosquitto-$mosquitto_port.log"
    cat >"$conf" <<EOF
listener $mosquitto_port 127.0.0.1
listener $mosquitto_ws 127.0.0.1
protocol websockets
allow_anonymous true
max_queued_messages $queue
max_inflight_messages $inflight
EOF
    /usr/sbin/mosquitto -c "$conf" >"$log" 2>&1 &
    mosquitto_pid=$!
    started+=("$mosquitto_pid")
    wait_for "$log" "mosquitto version .* running" "$mosquitto_pid" mosquitto
}

# Sets ours_pid, ours_port (TCP) and ours_ws: a fresh single node with an empty data directory.
# Arguments are environment assignments for it (e.g. DOTNET_gcServer=0).
start_ours() {
    ours_port="$(free_port)"; ours_ws="$(free_port)"
    local data log="$out/ours-$ours_port.log"
    data="$(mktemp -d "$work/data.XXXXXX")"
    env "$@" dotnet "$silo_dll" "--Mqtt:TcpPort=$ours_port" "--Mqtt:WebSocketPort=$ours_ws" "--Silo:DataDirectory=$data" \
        "--Silo:SiloPort=$(free_port)" "--Silo:GatewayPort=$(free_port)" --Management:Port=-1 \
        "--Sessions:MaxQueuedMessages=$queue" "--Mqtt:MaxInflightMessages=$inflight" >"$log" 2>&1 &
    ours_pid=$!
    started+=("$ours_pid")
    wait_for "$log" "MQTT broker ready" "$ours_pid" "our broker"
}

# port_of ours|mosquitto: the port for the chosen transport.
port_of() {
    if [ "$1" = ours ]; then
        if [ "$transport" = ws ]; then echo "$ours_ws"; else echo "$ours_port"; fi
    else
        if [ "$transport" = ws ]; then echo "$mosquitto_ws"; else echo "$mosquitto_port"; fi
    fi
}
pid_of() { if [ "$1" = ours ]; then echo "$ours_pid"; else echo "$mosquitto_pid"; fi; }

# run SCENARIO ROUND LABEL PORT PIDS GENERATOR-ARGS...: one generator run, appended to results.jsonl.
run() {
    local scenario="$1" round="$2" label="$3" port="$4" pids="$5" line pid
    shift 5
    local pid_args=()
    for pid in $pids; do pid_args+=(--broker-pid "$pid"); done
    line="$(dotnet "$bench_dll" --json --label "$label" --port "$port" --transport "$transport" "${pid_args[@]}" \
        --duration "$duration" --warmup "$warmup" --drain 60 "$@" 2>>"$out/generator-errors.log")" || true
    if [ -z "$line" ] || [ "${line:0:1}" != "{" ]; then
        echo "  $scenario $label: generator failed (see $out/generator-errors.log)" >&2
        line='{"failed":true,"label":"'"$label"'"}'
    fi
    jq -c --arg s "$scenario" --argjson r "$round" '. + {scenario: $s, round: $r}' <<<"$line" >>"$results"
    jq -r '"  \(.scenario) r\(.round) \(.label): \(.delivered_per_second // 0 | floor) msg/s, p99 \(.latency_p99_us // 0) us, lost \(.lost // "?"), broker \(.broker_cpu_cores // 0 | . * 100 | round / 100) cores, generator \(.generator_cpu_cores // 0 | . * 100 | round / 100) cores\(if (.warnings // []) | length > 0 then " [" + (.warnings | join("; ")) + "]" else "" end)"' \
        <<<"$(tail -1 "$results")" >&2
}

# alternate SCENARIO GENERATOR-ARGS...: ours, mosquitto, ours, mosquitto, ... ($rounds each).
alternate() {
    local scenario="$1" round broker
    shift
    for round in $(seq 1 "$rounds"); do
        for broker in ours mosquitto; do
            run "$scenario" "$round" "$broker" "$(port_of "$broker")" "$(pid_of "$broker")" "$@"
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

# A table of ours vs mosquitto for the given scenarios.
comparison_table() { # title scenario...
    emit ""
    emit "### $1"
    emit ""
    emit "| scenario | ours msg/s | mosquitto msg/s | ratio | ours p99 µs | mosquitto p99 µs | ratio | lost ours / mosquitto | broker CPU s per M deliveries ours / mosquitto |"
    emit "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    shift
    local s om mm op mp oc mc
    for s in "$@"; do
        om="$(median "$s" ours delivered_per_second)"; mm="$(median "$s" mosquitto delivered_per_second)"
        op="$(median "$s" ours latency_p99_us)"; mp="$(median "$s" mosquitto latency_p99_us)"
        oc="$(median "$s" ours broker_cpu_seconds_per_million)"; mc="$(median "$s" mosquitto broker_cpu_seconds_per_million)"
        emit "| $s | $(fmt "$om") | $(fmt "$mm") | $(ratio "$om" "$mm") | $(fmt "$op") | $(fmt "$mp") | $(ratio "$op" "$mp") | $(total "$s" ours lost) / $(total "$s" mosquitto lost) | $(fmt "$oc") / $(fmt "$mc") |"
    done
}

echo "results: $results" >&2
start_ours
start_mosquitto
echo "ours pid $ours_pid (tcp $ours_port, ws $ours_ws); mosquitto pid $mosquitto_pid (tcp $mosquitto_port, ws $mosquitto_ws)" >&2

# Warm-up (JIT, thread pool, grain activations), not recorded.
for broker in ours mosquitto; do
    dotnet "$bench_dll" --port "$(port_of "$broker")" --transport "$transport" --duration 2 --warmup 1 --qos 1 >/dev/null 2>&1 || true
done

echo "throughput matrix (rounds: $rounds, $duration s each)" >&2
matrix=()
for qos in 0 1; do
    alternate "q$qos-pairwise-10" --qos "$qos" --shape pairwise --publishers 10
    alternate "q$qos-fan-in-50" --qos "$qos" --shape fan-in --publishers 50
    alternate "q$qos-fan-out-100" --qos "$qos" --shape fan-out --subscribers 100
    matrix+=("q$qos-pairwise-10" "q$qos-fan-in-50" "q$qos-fan-out-100")
done

echo "latency at half of mosquitto's highest rate" >&2
half=()
for qos in 0 1; do
    rate="$(jq -rn --argjson m "$(median "q$qos-pairwise-10" mosquitto delivered_per_second)" '$m / 2 | floor')"
    alternate "q$qos-pairwise-10-at-$rate" --qos "$qos" --shape pairwise --publishers 10 --rate "$rate"
    half+=("q$qos-pairwise-10-at-$rate")
done

echo "non-matching subscriptions" >&2
subscriptions=()
for count in "${background[@]}"; do
    alternate "q1-pairwise-10-bg-$count" --qos 1 --shape pairwise --publishers 10 --background-subscriptions "$count"
    subscriptions+=("q1-pairwise-10-bg-$count")
done

echo "fan-out and payload scaling" >&2
scaling=()
for n in "${fanouts[@]}"; do
    alternate "q0-fan-out-$n" --qos 0 --shape fan-out --subscribers "$n"
    scaling+=("q0-fan-out-$n")
done
for bytes in "${payloads[@]}"; do
    alternate "q1-pairwise-10-payload-$bytes" --qos 1 --shape pairwise --publishers 10 --payload "$bytes"
    scaling+=("q1-pairwise-10-payload-$bytes")
done

stop_pid "$ours_pid"; stop_pid "$mosquitto_pid"

echo "memory (fresh brokers, idle connections)" >&2
memory_rows=()
# "ours-workstation-gc": the same build with the workstation garbage collector (the silo ships with server GC).
for variant in ours ours-workstation-gc mosquitto; do
    broker="${variant%%-*}"
    case "$variant" in
        ours) start_ours ;;
        ours-workstation-gc) start_ours DOTNET_gcServer=0 ;;
        *) start_mosquitto ;;
    esac
    pid="$(pid_of "$broker")"
    sleep 5
    idle_kb="$(rss_kb "$pid")"
    row="| $variant | $(( idle_kb / 1024 )) MB"
    for n in "${idle_counts[@]}"; do
        before_kb="$(rss_kb "$pid")"
        log="$work/idle-$variant-$n.log"
        dotnet "$bench_dll" --port "$(port_of "$broker")" --transport "$transport" --shape idle --subscribers "$n" --hold 15 \
            --connect-concurrency 100 >"$log" 2>&1 &
        generator=$!
        started+=("$generator")
        wait_for "$log" "ready:" "$generator" "the idle generator"
        sleep 5
        with_kb="$(rss_kb "$pid")"
        wait "$generator" || true
        forget "$generator"
        row="$row | $(( with_kb / 1024 )) MB, $(( (with_kb - before_kb) * 1024 / n )) B per connection"
        jq -cn --arg l "$variant" --argjson n "$n" --argjson idle "$idle_kb" --argjson b "$before_kb" --argjson w "$with_kb" \
            '{scenario: "memory", label: $l, connections: $n, idle_rss_kb: $idle, before_rss_kb: $b, rss_kb: $w, bytes_per_connection: (($w - $b) * 1024 / $n | floor)}' >>"$results"
        sleep 2
    done
    memory_rows+=("$row |")
    stop_pid "$pid"
done

emit "## mqtt-cluster single node vs Mosquitto $(/usr/sbin/mosquitto -h 2>/dev/null | sed -n 's/^mosquitto version //p' | head -1)"
emit ""
emit "$(date -u +%Y-%m-%d) · commit $(git -C "$repo" rev-parse --short HEAD) · $(nproc) cores · $transport · $rounds round(s) of $duration s (+$warmup s warm-up), medians · \`bench/compare.sh $([ "$quick" -eq 1 ] && echo --quick)$([ "$cluster" -eq 1 ] && echo " --cluster")\`"
comparison_table "Throughput (as fast as possible, 64 B payload)" "${matrix[@]}"
comparison_table "Latency at half of Mosquitto's highest rate" "${half[@]}"
comparison_table "Non-matching subscriptions (QoS 1, pairwise 10, as fast as possible)" "${subscriptions[@]}"
base="$(median "q1-pairwise-10-bg-0" ours delivered_per_second)"
for count in "${background[@]:1}"; do
    emit ""
    emit "ours with $count non-matching subscriptions / ours with none: $(ratio "$(median "q1-pairwise-10-bg-$count" ours delivered_per_second)" "$base")"
done
comparison_table "Scaling: fan-out (QoS 0) and payload (QoS 1, pairwise 10)" "${scaling[@]}"
emit ""
emit "### Memory (RSS from /proc/PID/status; per connection = growth / connections)"
emit ""
header="| broker | idle node"
for n in "${idle_counts[@]}"; do header="$header | $n idle connections"; done
emit "$header |"
emit "|$(printf ' --- |%.0s' $(seq 0 "${#idle_counts[@]}")) --- |"
for row in "${memory_rows[@]}"; do emit "$row"; done
cluster_rows=()
if [ "$cluster" -eq 1 ]; then
    echo "cluster: 3 silos + 2 gateways against the single node, same load" >&2
    cluster_dir="$work/cluster"
    # The nodes take the same queue and in-flight limits as the single node (from the environment).
    Sessions__MaxQueuedMessages="$queue" Mqtt__MaxInflightMessages="$inflight" \
        "$repo/deploy/local/cluster.sh" start --silos 3 --gateways 2 --dir "$cluster_dir" --no-build >"$work/cluster.out"
    gateway1="$(sed -n 's/^gateway 1 mqtt=\([0-9]*\) ws=\([0-9]*\) .*$/\1 \2/p' "$work/cluster.out")"
    gateway2="$(sed -n 's/^gateway 2 mqtt=\([0-9]*\) ws=\([0-9]*\) .*$/\1 \2/p' "$work/cluster.out")"
    read -r g1_mqtt g1_ws <<<"$gateway1"
    read -r g2_mqtt g2_ws <<<"$gateway2"
    if [ "$transport" = ws ]; then publish_port="$g1_ws"; subscribe_port="$g2_ws"; else publish_port="$g1_mqtt"; subscribe_port="$g2_mqtt"; fi
    cluster_pids="$(awk '$1 == "silo" || $1 == "gateway" { print $2 }' "$cluster_dir/pids" | tr '\n' ' ')"
    start_ours
    cluster_scenarios=(
        "pairwise-10:--shape pairwise --publishers 10 --rate 10000"
        "fan-in-50:--shape fan-in --publishers 50 --rate 10000"
        "fan-out-100:--shape fan-out --subscribers 100 --rate 100"
    )
    for round in $(seq 1 "$rounds"); do
        for entry in "${cluster_scenarios[@]}"; do
            name="cluster-q1-${entry%%:*}"
            read -r -a load <<<"${entry#*:}"
            run "$name" "$round" single "$(port_of ours)" "$ours_pid" --qos 1 "${load[@]}"
            run "$name" "$round" cluster "$subscribe_port" "$cluster_pids" --publish-port "$publish_port" --qos 1 "${load[@]}"
        done
    done
    for entry in "${cluster_scenarios[@]}"; do
        name="cluster-q1-${entry%%:*}"
        sc="$(median "$name" single broker_cpu_seconds_per_million)"; cc="$(median "$name" cluster broker_cpu_seconds_per_million)"
        cluster_rows+=("| $name | $(fmt "$(median "$name" single delivered_per_second)") | $(fmt "$(median "$name" cluster delivered_per_second)") | $(fmt "$(median "$name" single latency_p99_us)") | $(fmt "$(median "$name" cluster latency_p99_us)") | $(fmt "$sc") | $(fmt "$cc") | $(ratio "$cc" "$sc") | $(total "$name" single lost) / $(total "$name" cluster lost) |")
    done
    stop_pid "$ours_pid"

    emit ""
    emit "### Cluster (3 silos + 2 gateways, publish on gateway 1, subscribe on gateway 2) vs single node, QoS 1, fixed rate"
    emit ""
    emit "CPU = utime + stime of every broker process (silos and gateways; not PostgreSQL) per million deliveries."
    emit ""
    emit "| scenario | single msg/s | cluster msg/s | single p99 µs | cluster p99 µs | single CPU s/M | cluster CPU s/M | cluster/single | lost single / cluster |"
    emit "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for row in "${cluster_rows[@]}"; do emit "$row"; done
fi
echo "" >&2
echo "tables: $tables; every run: $results" >&2
