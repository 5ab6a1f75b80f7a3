#!/bin/sh
# Benchmark: plan a large install (≥ 1,000 packages pulled in) on a ≥ 50,000-package repo,
# side by side with dnf and libsolv's testsolv on the same repodata (issue 4, Performance).
#
#   [XCPNG_MOD=BIN] benches/solve.sh [PKG...]    # default job: kde-standard cinnamon-desktop-environment
#                                # needs: hyperfine, dnf, libsolv-tools, python3, apt lists
#
# The repo: Debian bookworm main + bookworm-updates + bookworm-security (from /var/lib/apt/lists)
# converted to rpm-md by scripts/debian-to-rpmmd.py, with Debian's `Breaks:` left out: rpm
# lets an unversioned provide satisfy a versioned conflict, Debian does not, so Breaks such as
# perl-base's `perl-modules (<< 5.36.0~)` would make most desktops unsolvable for every
# rpm-semantics solver (dnf included). The converter keeps only the first of `a | b`.
#
# Prints hyperfine's tables, peak memory (/usr/bin/time %M) and the ratios:
#   cold: xcpng-mod (no metadata cache) vs dnf (no cache)          target <= 0.5x
#   warm: xcpng-mod (cache present) vs dnf (cache present)         target <= 0.2x
#         xcpng-mod warm vs testsolv on its own .solv cache         target <= 1.0x
#   peak memory: xcpng-mod vs dnf (warm; cold printed too)           target < 1.0x
set -eu
cd "$(dirname "$0")/.."
DATA=${BENCH_DATA:-$PWD/bench-data}
REPO=$DATA/debian-all
JOB=${*:-kde-standard cinnamon-desktop-environment}
mkdir -p "$DATA"
if [ ! -f "$REPO/repodata/repomd.xml" ]; then
    for f in /var/lib/apt/lists/*_main_binary-amd64_Packages*; do
        /usr/lib/apt/apt-helper cat-file "$f"
        echo
    done | grep -v '^Breaks:' > "$DATA/Packages-all"
    python3 scripts/debian-to-rpmmd.py "$DATA/Packages-all" "$REPO"
fi
# XCPNG_MOD=path: benchmark that binary instead of building target/release/xcpng-mod.
if [ -z "${XCPNG_MOD:-}" ]; then cargo build --release --quiet; fi
X=${XCPNG_MOD:-$PWD/target/release/xcpng-mod}
ROOT=$(mktemp -d); DNFROOT=$(mktemp -d); SOLV=$(mktemp -d)
trap 'rm -rf "$ROOT" "$DNFROOT" "$SOLV"' EXIT
XM="$X --root $ROOT --repofrompath deb,file://$REPO --nogpgcheck -q --assumeno install $JOB"
DNF="dnf -q --installroot=$DNFROOT --releasever=1 --setopt=reposdir=/nonexistent --setopt=cachedir=$DNFROOT/cache --repofrompath=deb,file://$REPO --repo=deb --nogpgcheck --assumeno install $JOB"

# libsolv on its own binary cache: the same job as a testcase over the .solv file.
repo2solv -o "$SOLV/deb.solv" "$REPO"
{
    # testsolv opens the .solv relative to the testcase's directory.
    printf 'repo system 0 empty\nrepo deb 0 solv deb.solv\nsystem x86_64 rpm system\n'
    for p in $JOB; do echo "job install name $p"; done
} > "$SOLV/job.t"
TS="testsolv -r $SOLV/job.t"

# The job must be solvable for all three, and pull in the same packages.
ours=$($XM --json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); p=d.get("plan", d); print(len(p["install"]))')
theirs=$($TS | grep -c '^install' || true)
dnfn=$(echo "$DNF" | sed 's/ -q / /' | sh 2>&1 | sed -n 's/^Install *\([0-9]*\) Package.*/\1/p' | head -1)
echo "packages to install: xcpng-mod $ours, testsolv $theirs, dnf ${dnfn:-?}"

hyperfine -N -i --warmup 1 --runs 5 --export-json "$SOLV/cold.json" \
    --prepare "rm -rf $ROOT/var/cache $DNFROOT/cache" \
    -n "xcpng-mod cold" "$XM" -n "dnf cold" "$DNF"
$XM > /dev/null
$DNF > /dev/null 2>&1 || true
hyperfine -N -i --warmup 2 --runs 10 --export-json "$SOLV/warm.json" \
    -n "xcpng-mod warm" "$XM" -n "dnf warm" "$DNF" -n "testsolv (.solv)" "$TS"
mem() { /usr/bin/time -f %M "$@" > /dev/null 2> "$SOLV/mem" || true; tail -1 "$SOLV/mem"; }
mx=$(mem $XM); md=$(mem $DNF); mt=$(mem $TS)
rm -rf "$ROOT/var/cache" "$DNFROOT/cache"; cmx=$(mem $XM); cmd=$(mem $DNF)
python3 - "$SOLV/cold.json" "$SOLV/warm.json" "$mx" "$md" "$mt" "$cmx" "$cmd" <<'PY'
import json, sys
cold = {r["command"]: r["mean"] for r in json.load(open(sys.argv[1]))["results"]}
warm = {r["command"]: r["mean"] for r in json.load(open(sys.argv[2]))["results"]}
mx, md, mt, cmx, cmd = (int(x) for x in sys.argv[3:8])
def line(what, a, b, target):
    print("%-40s %.3f s vs %.3f s = %.2fx (target <= %s)" % (what, a, b, a / b, target))
line("cold: xcpng-mod / dnf", cold["xcpng-mod cold"], cold["dnf cold"], "0.5")
line("warm: xcpng-mod / dnf", warm["xcpng-mod warm"], warm["dnf warm"], "0.2")
line("warm: xcpng-mod / testsolv (.solv)", warm["xcpng-mod warm"], warm["testsolv (.solv)"], "1.0")
print("peak memory: xcpng-mod %d MiB, dnf %d MiB, testsolv %d MiB -> xcpng-mod/dnf = %.2f (target < 1.0)"
      % (mx // 1024, md // 1024, mt // 1024, mx / md))
print("peak memory, cold: xcpng-mod %d MiB, dnf %d MiB -> xcpng-mod/dnf = %.2f"
      % (cmx // 1024, cmd // 1024, cmx / cmd))
PY
