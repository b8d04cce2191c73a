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

free_port() {
    local port
    while true; do
        port=$(( 20000 + RANDOM % 30000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
    done
}

wait_for_line() { # file pattern seconds
    local deadline=$(( SECONDS + $3 ))
    until grep -q "$2" "$1" 2>/dev/null; do
        if [ $SECONDS -ge $deadline ]; then echo "timed out waiting for '$2' in $1:" >&2; tail -20 "$1" >&2; return 1; fi
        sleep 0.2
    done
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

    local i port gateway_port
    for i in $(seq 1 "$silos"); do
        port="$(free_port)"; gateway_port="$(free_port)"
        dotnet "$silo_dll" "--Cluster:PostgresConnectionString=$cs" --Cluster:HostGateway=false \
            --silo-port "$port" "--Silo:GatewayPort=$gateway_port" >"$dir/logs/silo-$i.log" 2>&1 &
        echo "silo $! $port" >>"$pids"
    done
    for i in $(seq 1 "$silos"); do wait_for_line "$dir/logs/silo-$i.log" "Silo ready" 60; done

    local mqtt ws
    for i in $(seq 1 "$gateways"); do
        mqtt="$(free_port)"; ws="$(free_port)"
        dotnet "$gateway_dll" --postgres "$cs" --port "$mqtt" --ws-port "$ws" >"$dir/logs/gateway-$i.log" 2>&1 &
        echo "gateway $! $mqtt $ws" >>"$pids"
    done
    i=0
    while read -r kind pid mqtt ws; do
        [ "$kind" = gateway ] || continue
        i=$(( i + 1 ))
        wait_for_line "$dir/logs/gateway-$i.log" "MQTT broker ready" 60
        echo "gateway $i mqtt=$mqtt ws=$ws"
    done <"$pids"
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
