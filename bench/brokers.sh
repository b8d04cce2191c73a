# shellcheck shell=bash disable=SC2154
# Shared by bench/compare.sh and bench/idle.sh (sourced, not run): start and stop the brokers they measure.
# Expects: started (an array of PIDs the caller's exit trap stops), work (a scratch directory), out (where logs go),
# silo_dll (our single node; ours_dll overrides it, e.g. a ReadyToRun publish).

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
set_tcp_nodelay true
EOF
    /usr/sbin/mosquitto -c "$conf" >"$log" 2>&1 &
    mosquitto_pid=$!
    started+=("$mosquitto_pid")
    wait_for "$log" "mosquitto version .* running" "$mosquitto_pid" mosquitto
}

# Sets ours_pid, ours_port (TCP) and ours_ws: a fresh single node with an empty data directory and default limits
# (with ours_data set: on that data directory, e.g. to restart a node). Arguments are environment assignments for it
# (e.g. DOTNET_gcServer=0).
start_ours() {
    ours_port="$(free_port)"; ours_ws="$(free_port)"
    local data log="$out/ours-$ours_port.log"
    data="${ours_data:-$(mktemp -d "$work/data.XXXXXX")}"
    env "$@" dotnet "${ours_dll:-$silo_dll}" "--Mqtt:TcpPort=$ours_port" "--Mqtt:WebSocketPort=$ours_ws" "--Silo:DataDirectory=$data" \
        "--Silo:SiloPort=$(free_port)" "--Silo:GatewayPort=$(free_port)" --Management:Port=-1 >"$log" 2>&1 &
    ours_pid=$!
    started+=("$ours_pid")
    wait_for "$log" "MQTT broker ready" "$ours_pid" "our broker"
}

# port_of ours|mosquitto [tcp|ws]: the broker's port for that transport (default tcp).
port_of() {
    if [ "$1" = ours ]; then
        if [ "${2:-tcp}" = ws ]; then echo "$ours_ws"; else echo "$ours_port"; fi
    else
        if [ "${2:-tcp}" = ws ]; then echo "$mosquitto_ws"; else echo "$mosquitto_port"; fi
    fi
}
pid_of() { if [ "$1" = ours ]; then echo "$ours_pid"; else echo "$mosquitto_pid"; fi; }
