#!/usr/bin/env bash
# A local multi-node broker on 127.0.0.1 for people and tests: PostgreSQL (Debian's binaries, in a data
# directory of its own), the schema, N grain silos and M standalone MQTT gateways.
#
#   deploy/local/cluster.sh start [--silos N] [--gateways M] [--dir DIR]   (defaults: 3, 2, ./.cluster)
#                                 [--configuration Release|Debug] [--no-build]
#   deploy/local/cluster.sh stop  [--dir DIR]
#
# start builds src/Silo (unless --no-build: then it runs the existing build of that configuration) and prints
# one line per gateway: "gateway <i> mqtt=<port> ws=<port>". Everything started is recorded in DIR/pids and
# stopped by PID.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
command="${1:-}"
shift || true
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

# Starts a node and waits for its ready line. Prints the PID. Exit status 2: another process took one of its ports
# meanwhile (the caller tries again with new ones); 1: it did not come up.
start_node() { # log pattern command...
    local log="$1" pattern="$2" pid
    shift 2
    "$@" >"$log" 2>&1 &
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

start() {
    [ ! -s "$pids" ] || { echo "a cluster is already running from $dir (stop it first)" >&2; exit 1; }
    local bin pg_port cs
    bin="$(pg_bin)"
    pg_port="$(free_port)"
    rm -rf "$dir/pg" "$dir/logs"
    mkdir -p "$dir/pg" "$dir/logs"
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

    # One node after the other: a port taken meanwhile by another process is noticed and replaced.
    local i port gateway_port pid status mqtt ws attempt
    for i in $(seq 1 "$silos"); do
        for attempt in 1 2 3; do
            port="$(free_port)"; gateway_port="$(free_port)"
            status=0
            pid="$(start_node "$dir/logs/silo-$i.log" "Silo ready" dotnet "$silo_dll" "--Cluster:PostgresConnectionString=$cs" \
                --Cluster:HostGateway=false --silo-port "$port" "--Silo:GatewayPort=$gateway_port")" || status=$?
            [ "$status" -eq 2 ] && [ "$attempt" -lt 3 ] && continue
            [ "$status" -eq 0 ] || exit 1
            echo "silo $pid $port" >>"$pids"
            break
        done
    done

    for i in $(seq 1 "$gateways"); do
        for attempt in 1 2 3; do
            mqtt="$(free_port)"; ws="$(free_port)"
            status=0
            pid="$(start_node "$dir/logs/gateway-$i.log" "MQTT broker ready" dotnet "$gateway_dll" --postgres "$cs" \
                --port "$mqtt" --ws-port "$ws")" || status=$?
            [ "$status" -eq 2 ] && [ "$attempt" -lt 3 ] && continue
            [ "$status" -eq 0 ] || exit 1
            echo "gateway $pid $mqtt $ws" >>"$pids"
            echo "gateway $i mqtt=$mqtt ws=$ws"
            break
        done
    done
}

stop() {
    [ -s "$pids" ] || { echo "nothing running from $dir"; return; }
    local kind pid rest
    while read -r kind pid rest; do
        if [ "$kind" != postgres ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; fi
    done <"$pids"
    local deadline=$(( SECONDS + 15 ))
    while read -r kind pid rest; do
        [ "$kind" != postgres ] || continue
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
    *) sed -n '2,11p' "$0" >&2; exit 2 ;;
esac
