#!/usr/bin/env bash
# Installs the broker as a single node in place of Mosquitto (Raspberry Pi OS, Debian, Ubuntu; systemd):
#
#   sudo deploy/pi/install.sh --from DIR [--root ROOT] [--no-start]
#
#   --from DIR    the published broker (dotnet publish src/Silo -c Release -r linux-arm64 ... -o DIR; see README.md)
#   --root ROOT   install below ROOT instead of / and start nothing (to look at the result, and for the tests)
#   --no-start    install and enable, but do not stop Mosquitto or start the broker now
#
# What it does: copies DIR to /opt/mqtt-cluster; creates /etc/mqtt-cluster with the settings file (env) and,
# when /etc/mosquitto/mosquitto.conf exists and /etc/mqtt-cluster/mosquitto.conf does not, a copy of it that the
# broker reads (-c); installs deploy/systemd/mqtt-cluster.service; comments out a line of /etc/rc.local that
# starts mosquitto (backup: /etc/rc.local.pre-mqtt-cluster); disables and stops Mosquitto so port 1883 is free;
# enables and starts mqtt-cluster.service, which returns once the broker is ready (Type=notify). Files it finds in /etc/mqtt-cluster
# are kept, so running it again upgrades the binaries only.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
systemd_dir="$here/../systemd"
from=""
root=""
start=1
while [ $# -gt 0 ]; do
    case "$1" in
        --from) from="$2"; shift 2 ;;
        --root) root="$(mkdir -p "$2" && cd "$2" && pwd)"; start=0; shift 2 ;;
        --no-start) start=0; shift ;;
        -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done

fail() { echo "install.sh: $*" >&2; exit 1; }
step() { echo "==> $*"; }

[ -n "$from" ] || fail "--from DIR is required: the output of dotnet publish src/Silo (see deploy/pi/README.md)"
[ -x "$from/mqtt-cluster-silo" ] || fail "$from/mqtt-cluster-silo is missing or not executable: publish with -r linux-arm64 (or linux-arm, linux-x64)"
[ -f "$systemd_dir/mqtt-cluster.service" ] || fail "$systemd_dir/mqtt-cluster.service is missing: run the script from the repository's deploy/pi"
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then fail "run as root (sudo), or try it out with --root DIR"; fi

opt="$root/opt/mqtt-cluster"
etc="$root/etc/mqtt-cluster"
unit_dir="$root/etc/systemd/system"
systemctl_root=()
[ -z "$root" ] || systemctl_root=(--root="$root")

# The apphost's CPU must be this machine's: compare the ELF machine field with uname -m.
check_architecture() {
    local machine expected
    [ -z "$root" ] || return 0
    [ "$(head -c 4 "$from/mqtt-cluster-silo" | od -An -c | tr -d ' ')" = '177ELF' ] || return 0
    machine="$(od -An -tx1 -j18 -N2 "$from/mqtt-cluster-silo" | tr -d ' ')"
    case "$(uname -m)" in
        aarch64) expected=b700 ;;
        armv7l | armv6l) expected=2800 ;;
        x86_64) expected=3e00 ;;
        *) return 0 ;;
    esac
    [ "$machine" = "$expected" ] || fail "$from was published for another CPU (ELF machine $machine); this is $(uname -m): use -r linux-arm64 on 64-bit Raspberry Pi OS, -r linux-arm on 32-bit"
}

# A framework-dependent publish needs the ASP.NET Core runtime; prints a DOTNET_ROOT line when the apphost would
# not find it on its own (it looks in /usr/share/dotnet and where /etc/dotnet/install_location points).
runtime_location() {
    local dotnet
    [ ! -e "$from/libcoreclr.so" ] || return 0
    if [ -d "$root/usr/share/dotnet/shared/Microsoft.AspNetCore.App" ] || [ -s "$root/etc/dotnet/install_location" ]; then return 0; fi
    if [ -n "${DOTNET_ROOT:-}" ] && [ -d "$DOTNET_ROOT/shared/Microsoft.AspNetCore.App" ]; then echo "DOTNET_ROOT=$DOTNET_ROOT"; return 0; fi
    if [ -z "$root" ] && dotnet="$(command -v dotnet)"; then
        dotnet="$(dirname "$(readlink -f "$dotnet")")"
        if [ -d "$dotnet/shared/Microsoft.AspNetCore.App" ]; then echo "DOTNET_ROOT=$dotnet"; return 0; fi
    fi
    fail "$from is framework-dependent, but no ASP.NET Core runtime was found (/usr/share/dotnet, DOTNET_ROOT, dotnet on PATH): install it, or publish with --self-contained"
}

check_architecture
dotnet_root_line="$(runtime_location)"

if [ "$start" -eq 1 ] && systemctl is-active --quiet mqtt-cluster.service; then
    step "Stopping mqtt-cluster.service for the upgrade"
    systemctl stop mqtt-cluster.service
fi

step "Installing the broker to $opt"
mkdir -p "$(dirname "$opt")"
rm -rf "$opt.new"
cp -a "$from" "$opt.new"
chown -R 0:0 "$opt.new" 2>/dev/null || true
chmod -R u=rwX,go=rX "$opt.new"
rm -rf "$opt"
mv "$opt.new" "$opt"

step "Settings in $etc"
mkdir -p "$etc"
if [ ! -e "$etc/mosquitto.conf" ] && [ -f "$root/etc/mosquitto/mosquitto.conf" ]; then
    cp "$root/etc/mosquitto/mosquitto.conf" "$etc/mosquitto.conf"
    chmod 644 "$etc/mosquitto.conf"
    echo "    copied /etc/mosquitto/mosquitto.conf (its include_dir and other paths still point into /etc/mosquitto)"
fi
if [ ! -e "$etc/env" ]; then
    {
        cat "$systemd_dir/env.example"
        echo
        echo "# Written by deploy/pi/install.sh:"
        if [ -e "$etc/mosquitto.conf" ]; then echo 'MQTT_CLUSTER_ARGS="-c /etc/mqtt-cluster/mosquitto.conf"'; fi
        if [ -n "$dotnet_root_line" ]; then echo "$dotnet_root_line"; fi
    } >"$etc/env"
    chmod 644 "$etc/env"
    echo "    wrote $etc/env"
else
    echo "    kept the existing $etc/env"
fi

step "Installing $unit_dir/mqtt-cluster.service"
mkdir -p "$unit_dir"
install -m 644 "$systemd_dir/mqtt-cluster.service" "$unit_dir/mqtt-cluster.service"

# The seed's way of starting Mosquitto at boot (e.g. "mosquitto -d -c /etc/mosquitto/mosquitto.conf", or with a
# path): an uncommented line running the mosquitto binary. systemd starts the broker now.
mosquitto_line='^[[:space:]]*([^#[:space:]][^#]*)?\bmosquitto([[:space:]]|$)'
if [ -f "$root/etc/rc.local" ] && grep -Eq "$mosquitto_line" "$root/etc/rc.local"; then
    step "Commenting out the mosquitto line of /etc/rc.local (backup: /etc/rc.local.pre-mqtt-cluster)"
    cp -p "$root/etc/rc.local" "$root/etc/rc.local.pre-mqtt-cluster"
    sed -i -E "s/($mosquitto_line.*)$/# replaced by mqtt-cluster.service: \\1/" "$root/etc/rc.local"
fi

if systemctl "${systemctl_root[@]}" list-unit-files mosquitto.service --no-legend 2>/dev/null | grep -q mosquitto; then
    step "Disabling mosquitto.service"
    if [ "$start" -eq 1 ]; then
        systemctl disable --now mosquitto.service
    else
        systemctl "${systemctl_root[@]}" disable mosquitto.service
    fi
fi
if [ "$start" -eq 1 ]; then
    # A mosquitto started by rc.local (mosquitto -d) belongs to no unit: stop those processes by their PIDs.
    for pid in $(pidof mosquitto || true); do
        step "Stopping mosquitto (PID $pid)"
        kill -TERM "$pid"
    done
fi

step "Enabling mqtt-cluster.service"
if [ "$start" -eq 0 ]; then
    [ -n "$root" ] || systemctl daemon-reload
    systemctl "${systemctl_root[@]}" enable mqtt-cluster.service
    echo "Installed. Start it with: systemctl start mqtt-cluster (logs: journalctl -u mqtt-cluster -f)"
    exit 0
fi

systemctl daemon-reload
since="$(date '+%Y-%m-%d %H:%M:%S')"
# The unit is Type=notify: this returns once the broker accepts clients, or fails when it cannot start (within the
# unit's TimeoutStartSec).
if ! systemctl enable --now mqtt-cluster.service; then
    journalctl -u mqtt-cluster.service --since "$since" --no-pager -q | tail -20 >&2
    fail "mqtt-cluster.service did not start (journalctl -u mqtt-cluster)"
fi
journalctl -u mqtt-cluster.service --since "$since" --no-pager -q | grep "MQTT broker ready" | tail -1
echo "mqtt-cluster is running and starts at boot. Logs: journalctl -u mqtt-cluster -f"
