#!/bin/sh
# Benchmark: load and list a large repository (Debian bookworm main converted to rpm-md,
# ~63,000 packages), side by side with libsolv's repo2solv and dnf on the same repodata.
#
#   benches/list.sh            # needs: hyperfine, dnf, libsolv-tools, python3, apt lists
#
# Prints hyperfine's tables and the ratios the foundation issue asks for:
#   cold: xcpng-mod list (no cache: fetch from file://, check, parse, cache) vs repo2solv
#   warm: xcpng-mod list (cache present) vs dnf repoquery --available (cache present)
set -eu
cd "$(dirname "$0")/.."
DATA=${BENCH_DATA:-$PWD/bench-data}
mkdir -p "$DATA"
if [ ! -f "$DATA/debian/repodata/repomd.xml" ]; then
    list=$(ls /var/lib/apt/lists/*_dists_*_main_binary-amd64_Packages* | grep -v -e security -e updates | head -1)
    /usr/lib/apt/apt-helper cat-file "$list" > "$DATA/Packages"
    python3 scripts/debian-to-rpmmd.py "$DATA/Packages" "$DATA/debian"
fi
cargo build --release --quiet
X=$PWD/target/release/xcpng-mod
REPO=$DATA/debian
ROOT=$(mktemp -d); DNFROOT=$(mktemp -d); SOLV=$(mktemp -d)
trap 'rm -rf "$ROOT" "$DNFROOT" "$SOLV"' EXIT
XM="$X --root $ROOT --repofrompath deb,file://$REPO --nogpgcheck -q list --available"
DNF="dnf -q --installroot=$DNFROOT --releasever=1 --setopt=reposdir=/nonexistent --setopt=cachedir=$DNFROOT/cache --repofrompath=deb,file://$REPO --repo=deb --nogpgcheck repoquery --available"

hyperfine -N --warmup 1 --runs 10 --export-json "$SOLV/cold.json" \
    --prepare "rm -rf $ROOT/var/cache" -n "xcpng-mod cold" "$XM" \
    -n "repo2solv" "repo2solv -o $SOLV/deb.solv $REPO"
$XM > /dev/null
$DNF > /dev/null 2>&1
hyperfine -N --warmup 2 --runs 20 --export-json "$SOLV/warm.json" \
    -n "xcpng-mod warm" "$XM" -n "dnf repoquery warm" "$DNF"
python3 - "$SOLV/cold.json" "$SOLV/warm.json" <<'PY'
import json, sys
cold = {r["command"]: r["mean"] for r in json.load(open(sys.argv[1]))["results"]}
warm = {r["command"]: r["mean"] for r in json.load(open(sys.argv[2]))["results"]}
print("cold: xcpng-mod %.3f s, repo2solv %.3f s -> xcpng-mod/repo2solv = %.2f (target <= 1.0)" % (
    cold["xcpng-mod cold"], cold["repo2solv"], cold["xcpng-mod cold"] / cold["repo2solv"]))
print("warm: xcpng-mod %.3f s, dnf %.3f s -> dnf/xcpng-mod = %.1fx faster (target >= 5x)" % (
    warm["xcpng-mod warm"], warm["dnf repoquery warm"], warm["dnf repoquery warm"] / warm["xcpng-mod warm"]))
PY
