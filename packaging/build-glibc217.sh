#!/bin/sh
# Build xcpng-mod for XCP-ng 8.x hosts (CentOS 7 dom0: glibc 2.17) with cargo-zigbuild, and
# check what the binary needs from the host.
#
# usage: packaging/build-glibc217.sh [--check-only] [OUTDIR]
#
# Builds `cargo zigbuild --release --locked --target x86_64-unknown-linux-gnu.2.17` with its own
# CARGO_TARGET_DIR (target/zig, so it never fights over target/ with the native builds), copies
# the binary to OUTDIR (default target/zig/dist) and checks:
#   - the highest GLIBC_ symbol version it needs is <= 2.17 (objdump -T);
#   - its NEEDED libraries (readelf -d) are all ones a CentOS 7 host has: libc, libm, libdl,
#     libpthread, librt, libgcc_s, ld-linux-x86-64;
#   - its interpreter is /lib64/ld-linux-x86-64.so.2.
# Exit status 0 when all hold, 1 when one does not (the reasons are printed), 2 on bad usage.
# --check-only checks OUTDIR/xcpng-mod (or the file given as OUTDIR) without building.
#
# Needs: cargo-zigbuild (`cargo install cargo-zigbuild --locked`), zig (on PATH, or the
# `ziglang` wheel: `pip install ziglang`), binutils (objdump, readelf).
set -eu

target=x86_64-unknown-linux-gnu
glibc=2.17
allowed="libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libgcc_s.so.1 ld-linux-x86-64.so.2"

check_only=0
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --check-only) check_only=1 ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "usage: $0 [--check-only] [OUTDIR]" >&2; exit 2 ;;
        *) out=$1 ;;
    esac
    shift
done

here=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target/zig}"
out=${out:-$CARGO_TARGET_DIR/dist}

if [ "$check_only" = 1 ] && [ -f "$out" ]; then
    bin=$out
else
    bin=$out/xcpng-mod
fi

if [ "$check_only" = 0 ]; then
    command -v cargo-zigbuild >/dev/null 2>&1 || {
        echo "cargo-zigbuild not found: cargo install cargo-zigbuild --locked" >&2; exit 1; }
    if ! command -v zig >/dev/null 2>&1 && ! python3 -m ziglang version >/dev/null 2>&1; then
        echo "zig not found: pip install ziglang (or put zig on PATH)" >&2
        exit 1
    fi
    start=$(date +%s)
    (cd "$here" && cargo zigbuild --release --locked --target "$target.$glibc")
    mkdir -p "$out"
    cp "$CARGO_TARGET_DIR/$target/release/xcpng-mod" "$bin"
    echo "built $bin in $(( $(date +%s) - start )) s"
fi

[ -f "$bin" ] || { echo "no binary at $bin" >&2; exit 1; }

fail=0
echo "== $bin ($(du -h "$bin" | cut -f1))"

# Highest GLIBC_x.y symbol version the binary needs.
versions=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -u -V)
highest=$(printf '%s\n' $versions | tail -n1)
echo "GLIBC versions needed: $(echo $versions)"
if [ -z "$highest" ]; then
    echo "FAIL: no GLIBC_ symbol versions found (not a glibc binary?)"
    fail=1
elif [ "$(printf '%s\n%s\n' "$highest" "$glibc" | sort -V | tail -n1)" != "$glibc" ]; then
    echo "FAIL: highest GLIBC version $highest > $glibc; the symbols that need more:"
    for v in $versions; do
        [ "$(printf '%s\n%s\n' "$v" "$glibc" | sort -V | tail -n1)" = "$glibc" ] && continue
        objdump -T "$bin" | grep -E "GLIBC_$(echo "$v" | sed 's/\./\\./g')([) ]|\$)" || true
    done
    fail=1
else
    echo "OK: highest GLIBC version $highest <= $glibc"
fi

# Shared libraries.
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]/\1/p')
echo "NEEDED: $(echo $needed)"
for lib in $needed; do
    case " $allowed " in
        *" $lib "*) ;;
        *) echo "FAIL: needs $lib, which a CentOS 7 host may lack"; fail=1 ;;
    esac
done
[ "$fail" = 1 ] || echo "OK: every NEEDED library is one CentOS 7 has"

interp=$(readelf -l "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
echo "interpreter: $interp"
if [ "$interp" != "/lib64/ld-linux-x86-64.so.2" ]; then
    echo "FAIL: interpreter is not /lib64/ld-linux-x86-64.so.2"
    fail=1
fi

# It runs here (newer glibc is backwards compatible), so at least it is a working binary.
if "$bin" --version >/dev/null 2>&1; then
    echo "runs: $("$bin" --version)"
else
    echo "FAIL: $bin --version does not run"
    fail=1
fi

if [ "$fail" = 0 ]; then
    echo "PASS: $bin can run on a glibc $glibc host (XCP-ng 8.x)"
else
    echo "FAILED"
fi
exit "$fail"
