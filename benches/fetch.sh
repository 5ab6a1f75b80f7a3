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
trap 'kill $SERVER $BAD 2>/dev/null || true; rm -rf "$T"' EXIT
BAD=
"$X" demo "$T/demo" > /dev/null
# Four repos: the demo's three, and base once more under another id.
mkdir -p "$T/www"
for r in xcp-ng-base xcp-ng-updates xcp-ng-testing; do cp -r "$T/demo/repos/$r/x86_64" "$T/www/$r"; done
cp -r "$T/demo/repos/xcp-ng-base/x86_64" "$T/www/fourth"
python3 benches/serve.py "$T/www" --delay 0.5 > "$T/port" &
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

# Failover: a first base URL that never answers, or drips a byte every 0.3 s, then a good one,
# with timeout=2 (retries=3, the default): the time until the good mirror has served.
failover() { # $1: the bad server's mode
    python3 benches/serve.py "$T/www" $1 > "$T/badport" &
    BAD=$!
    while [ ! -s "$T/badport" ]; do sleep 0.1; done
    B=$(cat "$T/badport")
    R=$T/root-$2
    mkdir -p "$R/etc/yum.repos.d"
    printf '[main]\ntimeout=2\n' > "$R/etc/yum.conf"
    printf '[one]\nname=one\nbaseurl=http://127.0.0.1:%s/xcp-ng-base/ http://127.0.0.1:%s/xcp-ng-base/\nenabled=1\ngpgcheck=0\n' \
        "$B" "$PORT" > "$R/etc/yum.repos.d/one.repo"
    python3 - "$X" "$R" <<'PY'
import subprocess, sys, time
t = time.monotonic()
subprocess.run([sys.argv[1], "--root", sys.argv[2], "-q", "makecache"], check=True,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("%.2f" % (time.monotonic() - t))
PY
    kill $BAD 2>/dev/null || true
    rm -f "$T/badport"
}
echo "failover with timeout=2 (the good mirror delays each answer 0.5 s):"
echo "  first mirror never answers: $(failover --silent silent) s"
echo "  first mirror drips:         $(failover '--drip 0.3' drip) s"
