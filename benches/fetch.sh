#!/bin/sh
# Benchmark: refreshing the metadata of 4 repos behind a server that delays every response by
# 0.5 s (on 127.0.0.1), one repo at a time (max_parallel_downloads=1) against all at once
# (the default, 4). Prints both mean wall times over RUNS runs and the ratio.
#
#   benches/fetch.sh           # needs: rpm, createrepo_c, python3
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
cargo build --release --quiet
X=$PWD/target/release/xcpng-mod
T=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$T"' EXIT
"$X" demo "$T/demo" > /dev/null
# Four repos: the demo's three, and base once more under another id.
mkdir -p "$T/www"
for r in xcp-ng-base xcp-ng-updates xcp-ng-testing; do cp -r "$T/demo/repos/$r/x86_64" "$T/www/$r"; done
cp -r "$T/demo/repos/xcp-ng-base/x86_64" "$T/www/fourth"
cat > "$T/serve.py" <<'PY'
import http.server, os, sys, time
class H(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        time.sleep(0.5)
        return super().do_GET()
    def log_message(self, *a):
        pass
os.chdir(sys.argv[1])
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$T/serve.py" "$T/www" > "$T/port" &
SERVER=$!
while [ ! -s "$T/port" ]; do sleep 0.1; done
PORT=$(cat "$T/port")
ROOT=$T/root
mkdir -p "$ROOT/etc/yum.repos.d"
printf '[main]\n' > "$ROOT/etc/yum.conf"
for r in xcp-ng-base xcp-ng-updates xcp-ng-testing fourth; do
    printf '[%s]\nname=%s\nbaseurl=http://127.0.0.1:%s/%s/\nenabled=1\ngpgcheck=0\n' \
        "$r" "$r" "$PORT" "$r" > "$ROOT/etc/yum.repos.d/$r.repo"
done
mean() { # mean wall seconds of RUNS refreshes with max_parallel_downloads=$1
    python3 - "$X" "$ROOT" "$1" "$RUNS" <<'PY'
import subprocess, sys, time
x, root, par, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
times = []
for _ in range(runs):
    t = time.monotonic()
    subprocess.run([x, "--root", root, "-q", "--refresh",
                    "--setopt=max_parallel_downloads=" + par, "makecache"],
                   check=True, stdout=subprocess.DEVNULL)
    times.append(time.monotonic() - t)
print("%.3f" % (sum(times) / len(times)))
PY
}
SEQ=$(mean 1)
PAR=$(mean 4)
echo "4 repos, 0.5 s per response, $RUNS runs each:"
echo "  sequential (max_parallel_downloads=1): ${SEQ} s"
echo "  concurrent (default, 4):               ${PAR} s"
python3 -c "print('  ratio sequential/concurrent: %.2fx' % ($SEQ / $PAR))"
