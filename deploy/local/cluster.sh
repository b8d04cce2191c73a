#!/usr/bin/env bash
# A local multi-node broker on 127.0.0.1 for people and tests: PostgreSQL (Debian's binaries, in a data
# directory of its own), the schema, N grain silos and M standalone MQTT gateways.
#
#   deploy/local/cluster.sh start [--silos N] [--gateways M] [--dir DIR]   (defaults: 3, 2, ./.cluster)
#                                 [--configuration Release|Debug] [--no-build]
#   deploy/local/cluster.sh stop  [--dir DIR]
#   deploy/local/cluster.sh stop-node NAME [--dir DIR]      NAME: silo-1, silo-2, ..., gateway-1, ...
#   deploy/local/cluster.sh start-node NAME [--dir DIR]
#   deploy/local/cluster.sh restart NAME [--dir DIR]        stop-node, then start-node (a rolling upgrade's step)
#
# start builds src/Silo (unless --no-build: then it runs the existing build of that configuration) and prints
# one line per node once it is ready:
#   silo <i> silo-port=<port> gateway-port=<port> management=<port>
#   gateway <i> mqtt=<port> ws=<port> management=<port>
# (management: the node's HTTP port for /healthz, /readyz and /metrics, Management:Port). Everything started is
# recorded in DIR/pids and stopped by PID. stop-node sends SIGTERM and waits for the node to exit (SIGKILL after
# 60 s, reported); start-node starts it again with the same arguments and ports, waits until it is ready and
# prints its line again. Logs: DIR/logs/<node>.log, earlier runs of a node in DIR/logs/<node>.<run>.log.
# Exit codes: 0 done, 1 failed (a node did not start or stop), 2 invalid usage.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit "${1:-2}"; }
command="${1:-}"
shift || true
case "$command" in -h | --help | help) usage 0 ;; esac
node=""
case "$command" in
    stop-node | start-node | restart)
        if [ $# -eq 0 ] || ! [[ "$1" =~ ^(silo|gateway)-[1-9][0-9]*$ ]]; then
            echo "$command needs a node name such as silo-1 or gateway-2" >&2
            usage
        fi
        node="$1"; shift ;;
esac
silos=3
gateways=2
dir="$repo/.cluster"
configuration=Release
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --silos) silos="$2"; shift 2 ;;
        --gateways) gateways="$2"; shift 2 ;;
        --dir) dir="$2"; shift 2 ;;
        --configuration) configuration="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h | --help) usage 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
dir="$(mkdir -p "$dir" && cd "$dir" && pwd)"
pids="$dir/pids"

# Debian keeps the server binaries (initdb, pg_ctl, createdb) per version under /usr/lib/postgresql.
pg_bin() {
    local newest
    newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    [ -n "$newest" ] || { echo "PostgreSQL is not installed: apt-get install postgresql" >&2; exit 1; }
    echo "$newest"
}

# PostgreSQL refuses to run as root: run it as the postgres user then.
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# Below Linux's ephemeral range (32768+), so ports the kernel hands out meanwhile rarely collide with ours.
free_port() {
    local port
    while true; do
        port=$(( 10000 + RANDOM % 20000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
    done
}

is_running() { [ "$1" != - ] && kill -0 "$1" 2>/dev/null; }

# Starts a node and waits for its ready line. Prints the PID. Exit status 2: another process took one of its ports
# meanwhile (the caller tries again with new ones); 1: it did not come up.
start_node() { # log pattern command...
    local log="$1" pattern="$2" pid
    shift 2
    "$@" </dev/null >"$log" 2>&1 &
    pid=$!
    local deadline=$(( SECONDS + 60 ))
    while ! grep -q "$pattern" "$log" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
            kill -KILL "$pid" 2>/dev/null || true
            if grep -qi "address already in use" "$log"; then return 2; fi
            echo "timed out waiting for '$pattern' in $log:" >&2; tail -20 "$log" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "$pid"
}

ready_pattern() { if [ "$1" = silo ]; then echo "Silo ready"; else echo "MQTT broker ready"; fi; }

# The line start and start-node print for a node, from its pids entry: kind pid index port...
describe() { # kind index ports...
    case "$1" in
        silo) echo "silo $2 silo-port=$3 gateway-port=$4 management=$5" ;;
        gateway) echo "gateway $2 mqtt=$3 ws=$4 management=$5" ;;
    esac
}

# Starts node <kind>-<index> from its recorded arguments, trying new ports when one was taken meanwhile (start only).
launch() { # kind index ports... -- arguments...
    local kind="$1" index="$2" status pid
    shift 2
    local ports=()
    while [ "$1" != -- ]; do ports+=("$1"); shift; done
    shift
    printf '%s\0' "$@" >"$dir/nodes/$kind-$index.args"
    status=0
    pid="$(start_node "$dir/logs/$kind-$index.log" "$(ready_pattern "$kind")" "$@")" || status=$?
    [ "$status" -eq 0 ] || return "$status"
    echo "$kind $pid $index ${ports[*]}" >>"$pids"
    describe "$kind" "$index" "${ports[@]}"
}

start() {
    [ ! -s "$pids" ] || { echo "a cluster is already running from $dir (stop it first)" >&2; exit 1; }
    local bin pg_port cs
    bin="$(pg_bin)"
    pg_port="$(free_port)"
    rm -rf "$dir/pg" "$dir/logs" "$dir/nodes"
    mkdir -p "$dir/pg" "$dir/logs" "$dir/nodes"
    [ "$(id -u)" -ne 0 ] || chown -R postgres "$dir/pg"
    as_postgres "$bin/initdb" -D "$dir/pg" -U postgres --auth=trust >"$dir/logs/initdb.log"
    as_postgres "$bin/pg_ctl" -D "$dir/pg" -l "$dir/pg/server.log" -w \
        -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1" start >/dev/null
    echo "postgres $pg_port $dir/pg" >"$pids"
    as_postgres "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres mqtt
    cs="Host=127.0.0.1;Port=$pg_port;Database=mqtt;Username=postgres"
    echo "$cs" >"$dir/connection-string"

    if [ "$build" -eq 1 ]; then
        dotnet build "$repo/src/Silo" -c "$configuration" -nologo -v quiet >"$dir/logs/build.log"
    fi
    local silo_dll gateway_dll
    silo_dll="$repo/src/Silo/bin/$configuration/net10.0/mqtt-cluster-silo.dll"
    gateway_dll="$repo/src/Silo/bin/$configuration/net10.0/mqtt-cluster-gateway.dll"
    [ -f "$silo_dll" ] && [ -f "$gateway_dll" ] || { echo "no $configuration build in $repo/src/Silo/bin (drop --no-build)" >&2; exit 1; }
    dotnet "$silo_dll" db init "--Cluster:PostgresConnectionString=$cs" >"$dir/logs/db-init.log"

    # One node after the other: a port taken meanwhile by another process is noticed and replaced. Every node
    # gets a management port of its own (its default, 8080, would be the same for all).
    local i port gateway_port mqtt ws management status attempt
    for i in $(seq 1 "$silos"); do
        for attempt in 1 2 3; do
            port="$(free_port)"; gateway_port="$(free_port)"; management="$(free_port)"
            status=0
            launch silo "$i" "$port" "$gateway_port" "$management" -- dotnet "$silo_dll" "--Cluster:PostgresConnectionString=$cs" \
                --Cluster:HostGateway=false --silo-port "$port" "--Silo:GatewayPort=$gateway_port" "--Management:Port=$management" || status=$?
            [ "$status" -eq 2 ] && [ "$attempt" -lt 3 ] && continue
            [ "$status" -eq 0 ] || exit 1
            break
        done
    done

    for i in $(seq 1 "$gateways"); do
        for attempt in 1 2 3; do
            mqtt="$(free_port)"; ws="$(free_port)"; management="$(free_port)"
            status=0
            launch gateway "$i" "$mqtt" "$ws" "$management" -- dotnet "$gateway_dll" --postgres "$cs" \
                --port "$mqtt" --ws-port "$ws" "--Management:Port=$management" || status=$?
            [ "$status" -eq 2 ] && [ "$attempt" -lt 3 ] && continue
            [ "$status" -eq 0 ] || exit 1
            break
        done
    done
}

# The pids entry of $node: "kind pid index ports...", or a failure.
node_entry() {
    [ -s "$pids" ] || { echo "nothing running from $dir" >&2; exit 1; }
    local entry
    entry="$(awk -v kind="${node%-*}" -v idx="${node##*-}" '$1 == kind && $3 == idx' "$pids")"
    [ -n "$entry" ] || { echo "$dir has no node $node" >&2; exit 1; }
    echo "$entry"
}

# Replaces the PID of $node in the pids file ("-" while it is stopped).
record_pid() {
    awk -v kind="${node%-*}" -v idx="${node##*-}" -v pid="$1" '$1 == kind && $3 == idx { $2 = pid } { print }' "$pids" >"$pids.new"
    mv "$pids.new" "$pids"
}

stop_node() {
    local entry kind pid rest
    entry="$(node_entry)" || exit 1
    read -r kind pid rest <<<"$entry"
    if ! is_running "$pid"; then
        echo "$node is not running"
    else
        kill -TERM "$pid"
        local deadline=$(( SECONDS + 60 ))
        while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
            record_pid -
            echo "$node (pid $pid) did not exit within 60 s of SIGTERM: killed" >&2
            exit 1
        fi
        echo "$node stopped"
    fi
    record_pid -
}

start_node_again() {
    local entry kind pid index ports arguments run status=0
    entry="$(node_entry)" || exit 1
    read -r kind pid index ports <<<"$entry"
    if is_running "$pid"; then echo "$node is already running (pid $pid)" >&2; exit 1; fi
    mapfile -d '' -t arguments <"$dir/nodes/$node.args"
    # Keep the earlier runs' logs: <node>.1.log, <node>.2.log, ...
    run=1
    while [ -e "$dir/logs/$node.$run.log" ]; do run=$(( run + 1 )); done
    mv "$dir/logs/$node.log" "$dir/logs/$node.$run.log"
    pid="$(start_node "$dir/logs/$node.log" "$(ready_pattern "$kind")" "${arguments[@]}")" || status=$?
    if [ "$status" -ne 0 ]; then
        [ "$status" -ne 2 ] || echo "$node could not start again: another process has taken one of its ports ($ports)" >&2
        exit 1
    fi
    record_pid "$pid"
    # shellcheck disable=SC2086 # the ports, one word each
    describe "$kind" "$index" $ports
}

stop() {
    [ -s "$pids" ] || { echo "nothing running from $dir"; return; }
    local kind pid rest
    while read -r kind pid rest; do
        if [ "$kind" != postgres ] && is_running "$pid"; then kill -TERM "$pid"; fi
    done <"$pids"
    local deadline=$(( SECONDS + 15 ))
    while read -r kind pid rest; do
        if [ "$kind" = postgres ] || [ "$pid" = - ]; then continue; fi
        while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    done <"$pids"
    if grep -q "^postgres" "$pids"; then
        as_postgres "$(pg_bin)/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null || true
    fi
    rm -f "$pids"
    echo "stopped"
}

case "$command" in
    start) start ;;
    stop) stop ;;
    stop-node) stop_node ;;
    start-node) start_node_again ;;
    restart) stop_node; start_node_again ;;
    *) usage ;;
esac
