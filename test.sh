#!/usr/bin/env bash
# Runs every test of the repository on a fresh Debian machine with the .NET 10 SDK:
# installs what the tests need (mosquitto clients, PostgreSQL binaries, Node.js + the npm packages of the
# end-to-end tests, Chromium for the status page),
# builds the solution, runs all test projects and ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_packages=()
command -v mosquitto_pub >/dev/null || apt_packages+=(mosquitto-clients)
command -v mosquitto >/dev/null || apt_packages+=(mosquitto)
command -v node >/dev/null || apt_packages+=(nodejs)
command -v npm >/dev/null || apt_packages+=(npm)
# The PostgreSQL tests start their own server from Debian's binaries (initdb, pg_ctl); no service is used.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_packages+=(postgresql)
# The deployment tests lint the Pi install script and check the compose file; systemd-analyze verifies the units.
command -v shellcheck >/dev/null || apt_packages+=(shellcheck)
command -v docker-compose >/dev/null || apt_packages+=(docker-compose)
command -v systemd-analyze >/dev/null || apt_packages+=(systemd)
# The status page test renders the page in headless Chromium.
command -v chromium >/dev/null || apt_packages+=(chromium)
if [ ${#apt_packages[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${apt_packages[*]}"
    as_root apt-get update -qq
    # No recommends: docker-compose would otherwise bring a Docker engine the tests do not use.
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi
# Debian's mosquitto and postgresql packages start services when installed; the tests use their own
# servers on their own ports, so stop those to leave 1883 free for the broker under test.
if command -v systemctl >/dev/null; then
    for service in mosquitto postgresql; do
        if systemctl is-active --quiet "$service" 2>/dev/null; then as_root systemctl stop "$service" || true; fi
    done
fi

for js in tests/*/js; do
    if [ -f "$js/package-lock.json" ]; then
        echo "Installing npm packages in $js"
        (cd "$js" && npm ci --no-audit --no-fund --loglevel=error)
    fi
done

dotnet build Cluster.sln -c Release -nologo -v quiet -warnaserror
log=$(mktemp)
# A class fixture's failed end-of-class check is printed by the test adapter as its exception type only; the
# fixtures write it in full to cleanup-failures.log beside their assembly (tests/Shared/CleanupFailureLog.cs).
rm -f tests/*/bin/Release/*/cleanup-failures.log
set +e
# One test project at a time (-m:1): several of them start brokers, clusters and PostgreSQL servers, and on a
# 2-core machine running them side by side measures the scheduler more than the broker.
dotnet test Cluster.sln -c Release --no-build -nologo -m:1 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
for failures in tests/*/bin/Release/*/cleanup-failures.log; do
    if [ -f "$failures" ]; then
        echo "=== $failures"
        cat "$failures"
    fi
done

# One summary line for people and CI, summed over all test assemblies.
awk '/(Passed|Failed)! +- +Failed:/ {
        gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
        n++
    }
    /Test (Class|Collection|Assembly) Cleanup Failure/ { c++ }
    END {
        if (n == 0) { print "0 passed, 0 failed"; exit }
        printf "%d passed, %d failed, %d skipped", p, f, s
        if (c > 0) printf ", %d cleanup failure(s)", c
        printf "\n"
    }' "$log"
rm -f "$log"
exit "$status"
