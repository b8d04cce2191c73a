#!/usr/bin/env bash
# Measures the single-node broker on this machine: start-up time to the "MQTT broker ready" line (median of
# --runs starts), resident memory (ps -o rss) when idle and with --connections idle MQTT connections. Once with
# the runtime's defaults (what `dotnet run` gives) and once with the memory settings of
# deploy/systemd/mqtt-cluster.service (read from the unit, so the figures follow it).
#
#   deploy/pi/measure-footprint.sh [--app DIR] [--connections N] [--runs N] [--settle SECONDS] [--also "VAR=VALUE ..."]
#
# --app DIR: a published broker, e.g. /opt/mqtt-cluster on a Pi (run through its mqtt-cluster-silo apphost, as the
# unit runs it); by default the script publishes src/Silo in Release into a temporary directory. --also: measure a
# third time with the unit's settings plus these (to try other settings on a device). The connections are opened by a few lines of Node.js (no npm
# packages): apt-get install nodejs. Everything runs on 127.0.0.1 with free ports and a temporary data directory;
# the broker is stopped by its PID at the end.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
app=""
connections=1000
runs=3
settle=5
also=""
while [ $# -gt 0 ]; do
    case "$1" in
        --app) app="$2"; shift 2 ;;
        --connections) connections="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --settle) settle="$2"; shift 2 ;;
        --also) also="$2"; shift 2 ;;
        -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
command -v node >/dev/null || { echo "node is needed to open the MQTT connections: apt-get install nodejs" >&2; exit 1; }

work="$(mktemp -d)"
broker_pid=""
clients_pid=""
cleanup() {
    if [ -n "$clients_pid" ]; then kill "$clients_pid" 2>/dev/null || true; fi
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
[ -f "$app/mqtt-cluster-silo.dll" ] || { echo "no mqtt-cluster-silo.dll in $app" >&2; exit 1; }
# The apphost, as systemd starts it; without one (a portable publish), through the dotnet host.
broker=("$app/mqtt-cluster-silo")
[ -x "${broker[0]}" ] || broker=(dotnet "$app/mqtt-cluster-silo.dll")

free_port() {
    local port
    while true; do
        port=$(( 20000 + RANDOM % 30000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
    done
}

rss_mib() { ps -o rss= -p "$1" | awk '{ printf "%.0f", $1 / 1024 }'; }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The DOTNET_* lines of the single-node unit, as NAME=VALUE words for env(1).
unit_memory_settings() {
    sed -n 's/^Environment=\(DOTNET_[A-Za-z0-9_]*=[^ ]*\)$/\1/p' "$repo/deploy/systemd/mqtt-cluster.service" | tr '\n' ' '
}

# Opens $2 MQTT 3.1.1 connections (clean session, no keep-alive) to 127.0.0.1:$1, 50 handshakes at a time,
# prints "connected N" once every CONNACK arrived and then holds them open until it is killed.
# shellcheck disable=SC2016 # JavaScript, not shell
clients_js='
const net = require("net");
const [port, count] = process.argv.slice(1).map(Number);
const sockets = [];
let next = 0, connected = 0, failed = 0;
function connectOne(i) {
  return new Promise((resolve) => {
    const id = Buffer.from("footprint-" + i);
    const variable = Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, 0, 0]);
    const length = variable.length + 2 + id.length;
    const connect = Buffer.concat([Buffer.from([0x10, length]), variable, Buffer.from([id.length >> 8, id.length & 255]), id]);
    const socket = net.connect(port, "127.0.0.1", () => socket.write(connect));
    socket.once("data", (data) => {
      if (data[0] === 0x20 && data[3] === 0) { connected++; sockets.push(socket); } else { failed++; }
      resolve();
    });
    socket.on("error", () => { failed++; resolve(); });
  });
}
async function worker() { while (next < count) { await connectOne(next++); } }
setTimeout(() => { console.log(`timed out: connected ${connected}, failed ${failed}`); process.exit(1); }, 60000).unref();
Promise.all(Array.from({ length: 50 }, worker)).then(() => {
  console.log(failed === 0 ? `connected ${connected}` : `failed ${failed}, connected ${connected}`);
  setInterval(() => {}, 1 << 30);
});
'

# measure PROFILE-NAME ENV-WORDS...: appends "name|startup ms (median)|idle MiB|loaded MiB" to results
measure() {
    local name="$1"; shift
    local data="$work/data-$name" log="$work/broker-$name.log"
    local run start_ms ready_ms port ws_port silo_port idle loaded
    local startups=() idles=()
    for run in $(seq 1 "$runs"); do
        port="$(free_port)"; ws_port="$(free_port)"; silo_port="$(free_port)"
        : >"$log"
        start_ms=$(( ${EPOCHREALTIME/./} / 1000 ))
        env "$@" "${broker[@]}" --port "$port" --ws-port "$ws_port" --silo-port "$silo_port" \
            --data-dir "$data" >"$log" 2>&1 &
        broker_pid=$!
        until grep -q "MQTT broker ready" "$log"; do
            kill -0 "$broker_pid" 2>/dev/null || { echo "the broker exited:" >&2; cat "$log" >&2; exit 1; }
            if [ $(( ${EPOCHREALTIME/./} / 1000 - start_ms )) -gt 60000 ]; then echo "no ready line after 60 s" >&2; exit 1; fi
            sleep 0.02
        done
        ready_ms=$(( ${EPOCHREALTIME/./} / 1000 - start_ms ))
        startups+=("$ready_ms")
        sleep "$settle"
        idle="$(rss_mib "$broker_pid")"
        idles+=("$idle")
        echo "  $name run $run: ready after ${ready_ms} ms, idle RSS ${idle} MiB" >&2
        if [ "$run" -eq "$runs" ]; then
            : >"$work/clients.log"
            node -e "$clients_js" "$port" "$connections" >"$work/clients.log" 2>&1 &
            clients_pid=$!
            until grep -q "connected\|failed\|timed out" "$work/clients.log"; do
                kill -0 "$clients_pid" 2>/dev/null || break
                sleep 0.1
            done
            grep -q "^connected $connections$" "$work/clients.log" || { cat "$work/clients.log" >&2; exit 1; }
            sleep "$settle"
            loaded="$(rss_mib "$broker_pid")"
            echo "  $name: $connections connections, RSS ${loaded} MiB" >&2
            kill "$clients_pid"; wait "$clients_pid" 2>/dev/null || true; clients_pid=""
        fi
        kill -TERM "$broker_pid"; wait "$broker_pid" 2>/dev/null || true; broker_pid=""
    done
    results+=("$name|$(printf '%s\n' "${startups[@]}" | median)|$(printf '%s\n' "${idles[@]}" | median)|$loaded")
}

# shellcheck disable=SC2207 # the unit's settings are single words
unit_settings=($(unit_memory_settings))
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), .NET $(dotnet --list-runtimes | awk '/NETCore.App/ { v = $2 } END { print v }'); unit settings: ${unit_settings[*]}" >&2
results=()
measure defaults DOTNET_gcServer=1
measure unit "${unit_settings[@]}"
if [ -n "$also" ]; then
    # shellcheck disable=SC2206 # VAR=VALUE words
    also_settings=(${unit_settings[@]} $also)
    measure also "${also_settings[@]}"
fi

echo
echo "| settings | start-up to ready (median of $runs) | RSS idle | RSS with $connections connections |"
echo "| --- | --- | --- | --- |"
for line in "${results[@]}"; do
    IFS='|' read -r name startup idle loaded <<<"$line"
    case "$name" in
        defaults) label="runtime defaults (server GC)" ;;
        unit) label="mqtt-cluster.service (${unit_settings[*]})" ;;
        *) label="mqtt-cluster.service + $also" ;;
    esac
    echo "| $label | ${startup} ms | ${idle} MiB | ${loaded} MiB |"
done
