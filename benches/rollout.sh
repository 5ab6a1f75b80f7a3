#!/bin/sh
# Benchmark: the orchestration overhead of `pool rollout` per host, on a pool of N hosts
# (default 16) behind the XAPI test double (tests/xapi_double/xapi_double.py). Each host is a
# copy of the demo host; the change is the demo's `-alt` driver with igb loaded, so every host
# is planned, checked, disabled, evacuated, changed (real plugin, real binary, real rpm),
# rebooted (a simulated reboot of REBOOT seconds), waited for, verified and enabled.
#
#   benches/rollout.sh [N] [REBOOT]      # needs: python3, openssl, rpm, createrepo_c
#
# Prints, per host and in all: the time spent on the host, the part spent waiting for its
# reboot, and the rest (the overhead: XAPI calls, plugin runs, the change itself), then the
# overhead per host and its ratio to the simulated reboot.
set -eu
cd "$(dirname "$0")/.."
N=${1:-16}
REBOOT=${2:-1.0}
cargo build --release --quiet
X=$PWD/target/release/xcpng-mod
W=$(mktemp -d)
trap 'kill $DOUBLE 2>/dev/null || true; rm -rf "$W"' EXIT
"$X" demo "$W/demo" > /dev/null 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$W/key.pem" -out "$W/cert.pem" 2> /dev/null
# igb carries the management interface (the demo's I210 bound to igb, eth0 on it, xenbr0 in
# the inventory): a reload would drop XAPI's link, so the -alt needs a reboot on every host.
manage() {
    dev=$1/sys/bus/pci/devices/0000:01:00.0
    mkdir -p "$1/sys/bus/pci/drivers/igb" "$1/sys/class/net/eth0"
    ln -s ../../drivers/igb "$dev/driver"
    ln -s ../../../../module/igb "$1/sys/bus/pci/drivers/igb/module"
    ln -s ../../../bus/pci/devices/0000:01:00.0 "$1/sys/class/net/eth0/device"
    echo 0x1003 > "$1/sys/class/net/eth0/flags"
    printf "PRIMARY_DISK='/dev/sda'\nMANAGEMENT_INTERFACE='xenbr0'\n" > "$1/etc/xensource-inventory"
}
hosts=""
i=1
while [ "$i" -le "$N" ]; do
    cp -a "$W/demo/root" "$W/host$i"
    manage "$W/host$i"
    master=false; [ "$i" = 1 ] && master=true
    hosts="$hosts{\"name\": \"host$i\", \"root\": \"$W/host$i\", \"master\": $master, \"loaded\": [\"igb\"], \"xapi_version\": \"25.33.0\", \"vms\": [{\"name\": \"vm$i\", \"memory_mib\": 1024}]},"
    i=$((i + 1))
done
cat > "$W/double.json" <<EOF
{"credentials": {"user": "root", "password": "bench"},
 "plugin_dir": "$PWD/packaging/xapi-plugin", "binary": "$X", "python": "python3",
 "stubs": "$PWD/tests/xapi_double/stubs", "socket": "$W/xapi.sock",
 "tls": {"cert": "$W/cert.pem", "key": "$W/key.pem"},
 "reboot_seconds": $REBOOT, "hosts": [${hosts%,}]}
EOF
python3 tests/xapi_double/xapi_double.py "$W/double.json" "$W/ports.json" &
DOUBLE=$!
while [ ! -f "$W/ports.json" ]; do sleep 0.1; done
printf 'user=root\npassword=bench\n' > "$W/creds"
PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["master"])' "$W/ports.json")
start=$(date +%s.%N)
"$X" -y --json pool rollout install intel-igb-alt --xapi "https://127.0.0.1:$PORT" \
    --xapi-cert "$W/cert.pem" --credentials "$W/creds" > "$W/report.json" || {
    cat "$W/report.json"; exit 1; }
end=$(date +%s.%N)
python3 - "$W/report.json" "$start" "$end" "$REBOOT" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
start, end, reboot = float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
assert doc["result"] == "done", doc["result"]
hosts = doc["hosts"]
print("%-8s %9s %9s %9s" % ("host", "on host", "reboot", "overhead"))
for h in hosts:
    print("%-8s %8.2fs %8.2fs %8.2fs" % (h["name"], h["seconds"], h["reboot_wait_seconds"],
                                         h["seconds"] - h["reboot_wait_seconds"]))
total = end - start
waits = sum(h["reboot_wait_seconds"] for h in hosts)
per_host = (total - waits) / len(hosts)
print("hosts: %d, wall: %.2fs, waiting for reboots: %.2fs (simulated reboot %.1fs each)"
      % (len(hosts), total, waits, reboot))
print("orchestration overhead per host (wall minus reboot waits, / hosts): %.2fs" % per_host)
print("ratio overhead / simulated reboot: %.2f" % (per_host / reboot))
EOF
