#!/bin/sh
# Benchmark: the whole module inventory (`xcpng-mod modules --json`: scan, depmod precedence,
# modinfo of every copy, ownership, loaded state) against kmod's `modinfo` on the winning
# copies alone, on Debian's real cloud kernel tree with every module copied into updates/
# and extra/ (3 copies per module, as on a host with supported and additional drivers).
#
#   benches/modules.sh        # needs: hyperfine, kmod (modinfo, depmod), python3
#
# The kernel tree comes from scripts/fetch-kernel.sh (cached), or from $XCPNG_MOD_KERNEL_DIR.
# Prints hyperfine's table and the ratios: inventory time / modinfo time (below 1 = faster).
set -eu
cd "$(dirname "$0")/.."
SRC=${XCPNG_MOD_KERNEL_DIR:-$(scripts/fetch-kernel.sh)}
KVER=$(ls "$SRC/lib/modules" | head -n1)
cargo build --release --quiet
X=$PWD/target/release/xcpng-mod
MODINFO=$(command -v modinfo || echo /sbin/modinfo)
DEPMOD=$(command -v depmod || echo /sbin/depmod)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root
K=$ROOT/lib/modules/$KVER
mkdir -p "$ROOT/lib/modules" "$ROOT/etc/depmod.d"
cp -al "$SRC/lib/modules/$KVER" "$K" 2>/dev/null || cp -a "$SRC/lib/modules/$KVER" "$K"
rm -f "$K"/modules.dep* "$K"/modules.alias* "$K"/modules.symbols*
for d in updates extra; do
    mkdir -p "$K/$d"
    find "$K/kernel" -name '*.ko*' -exec cp -l {} "$K/$d/" \; 2>/dev/null ||
        find "$K/kernel" -name '*.ko*' -exec cp {} "$K/$d/" \;
done
printf 'search override updates extra built-in weak-updates\n' > "$ROOT/etc/depmod.d/dist.conf"
"$DEPMOD" -b "$ROOT" -C "$ROOT/etc/depmod.d" "$KVER"

# The winning copies, as xcpng-mod sees them (and as modules.dep agrees).
"$X" --root "$ROOT" modules --json > "$WORK/inv.json"
python3 - "$WORK/inv.json" "$ROOT" > "$WORK/winners" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for m in doc["modules"]:
    print(sys.argv[2] + m["winner"]["path"])
PY
COPIES=$(python3 -c 'import json,sys; print(sum(len(m["copies"]) for m in json.load(open(sys.argv[1]))["modules"]))' "$WORK/inv.json")
echo "tree: $(wc -l < "$WORK/winners") modules, $COPIES copies (kernel $KVER)"

hyperfine -N --warmup 2 --runs 10 --export-json "$WORK/h.json" \
    -n "xcpng-mod modules --json (all copies)" "$X --root $ROOT modules --json" \
    -n "xargs modinfo (winners)" "sh -c 'xargs $MODINFO < $WORK/winners > /dev/null'" \
    -n "modinfo per file (winners)" "sh -c 'while read -r f; do $MODINFO \"\$f\"; done < $WORK/winners > /dev/null'"

python3 - "$WORK/h.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
inv = r["xcpng-mod modules --json (all copies)"]
for name, t in r.items():
    print(f"{name:40s} {t*1000:9.1f} ms")
print(f"inventory / xargs modinfo:    {inv / r['xargs modinfo (winners)']:.2f}")
print(f"inventory / modinfo per file: {inv / r['modinfo per file (winners)']:.2f}")
PY
