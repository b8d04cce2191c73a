#!/usr/bin/env bash
# Measures a bridge the way a Mosquitto user would see it: the built broker (-c mosquitto.conf with a `connection`
# block, MQTT 3.1.1, `topic bench/# out QOS`) bridged to Debian's mosquitto on loopback.
#   1. throughput: mosquitto_pub -l sends N QoS QOS messages here; a persistent subscriber (QoS QOS) at the remote
#      timestamps each arrival (mosquitto_sub -F %U); messages/s from the first arrival to the last.
#   2. recovery: the remote is stopped (SIGTERM, it keeps its sessions), DOWN_N messages are published here,
#      the remote starts again; time from "the remote listens" to the bridge's state "1" here, and to the last
#      queued message at the remote's subscriber (restart_timeout RESTART seconds, constant).
#   bench/bridge.sh [--no-build]      (N=20000 DOWN_N=1000 RESTART=1 QOS=1 by default; WINDOW=1 sends one message
#                                     at a time, Bridges:bench:MaxInflightMessages, for an A/B of the in-flight window)
# Everything started is stopped by PID on exit.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
n="${N:-20000}"
down_n="${DOWN_N:-1000}"
restart="${RESTART:-1}"
qos="${QOS:-1}"
[[ "${1:-}" == "--no-build" ]] || dotnet build "$repo/src/Silo" -c Release -v q >/dev/null
dir="$(mktemp -d)"
chmod 777 "$dir"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 200); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }
now() { date +%s.%N; }

remote_port="$(free_port)"; local_port="$(free_port)"; silo_port="$(free_port)"
cat >"$dir/remote.conf" <<EOF
listener $remote_port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $dir/
max_queued_messages 100000
log_dest none
EOF
cat >"$dir/mosquitto.conf" <<EOF
listener $local_port 127.0.0.1
allow_anonymous true
connection bench
address 127.0.0.1:$remote_port
remote_clientid bench-bridge
restart_timeout $restart
max_queued_messages 100000
topic bench/# out $qos
EOF

start_remote() { /usr/sbin/mosquitto -c "$dir/remote.conf" & remote_pid=$!; pids+=("$remote_pid"); wait_port "$remote_port"; }
start_remote
dotnet "$repo/src/Silo/bin/Release/net10.0/mqtt-cluster-silo.dll" -c "$dir/mosquitto.conf" --silo-port "$silo_port" \
  --data-dir "$dir/data" --Management:Port=-1 ${WINDOW:+--Bridges:bench:MaxInflightMessages=$WINDOW} >"$dir/broker.log" 2>&1 & pids+=("$!")
wait_port "$local_port"
# shellcheck disable=SC2016 # a literal $SYS topic
state_topic='$SYS/broker/connection/bench-bridge/state'
wait_state() { until [[ "$(mosquitto_sub -p "$local_port" -t "$state_topic" -C 1 -W 30 -F '%p')" == "$1" ]]; do sleep 0.1; done; }
wait_state 1

subscribe() { # count, output file: a persistent session at the remote, one timestamp per message
  mosquitto_sub -p "$remote_port" -i bench-sub -c -q "$qos" -t 'bench/#' -C "$1" -W 300 -F '%U' >"$2" & sub_pid=$!; pids+=("$sub_pid")
}
subscribe "$n" "$dir/through.txt"
sleep 0.5
published_at="$(now)"
seq -f "m%06g" 1 "$n" | mosquitto_pub -p "$local_port" -q "$qos" -t bench/through -l
published_done="$(now)"
wait "$sub_pid"
first="$(head -1 "$dir/through.txt")"; last="$(tail -1 "$dir/through.txt")"
echo "throughput: $n QoS $qos messages; publisher done in $(echo "$published_done - $published_at" | bc -l | xargs printf '%.2f') s;" \
  "remote subscriber got them in $(echo "$last - $first" | bc -l | xargs printf '%.2f') s = $(echo "$n / ($last - $first)" | bc -l | xargs printf '%.0f') msg/s"

kill -TERM "$remote_pid"; wait "$remote_pid" 2>/dev/null || true
wait_state 0
seq -f "d%06g" 1 "$down_n" | mosquitto_pub -p "$local_port" -q "$qos" -t bench/down -l
mosquitto_sub -p "$local_port" -t "$state_topic" -F '%U %p' -W 60 >"$dir/state.txt" & state_pid=$!; pids+=("$state_pid")
sleep 0.5
start_remote
listening="$(now)"
subscribe "$down_n" "$dir/down.txt"
wait "$sub_pid"
kill "$state_pid" 2>/dev/null || true
up="$(awk '$2 == 1 { print $1; exit }' "$dir/state.txt")"
last="$(tail -1 "$dir/down.txt")"
echo "recovery: restart_timeout $restart s; remote listening -> bridge state 1: $(echo "$up - $listening" | bc -l | xargs printf '%.2f') s;" \
  "-> all $down_n queued messages at the remote's subscriber: $(echo "$last - $listening" | bc -l | xargs printf '%.2f') s" \
  "(drained at $(echo "$down_n / ($last - $up)" | bc -l | xargs printf '%.0f') msg/s after the state 1)"
