#!/bin/sh
# Build the xcpng-mod source RPM and binary RPMs with rpmbuild, offline, from a vendored
# source tarball (the crate, man pages, completions, depmod.d, the XAPI plugin, `cargo vendor`
# output and a .cargo/config.toml that points cargo at it).
#
# usage: packaging/build-rpm.sh [--srpm-only] [--zig | --native] OUTDIR
#
#   --srpm-only  make the tarball and the SRPM only (seconds; no compilation)
#   --zig        build the binary with cargo-zigbuild for glibc 2.17 (XCP-ng 8.x hosts);
#                needs cargo-zigbuild and zig (`pip install ziglang`)
#   --native     build with plain cargo for this machine's glibc (the default; on a CentOS 7
#                builder that is what XCP-ng hosts need, elsewhere use --zig)
#
# Environment: DIST (default .xcpng8.3), XCPNG_MOD_VENDOR_CACHE (where vendored crates are
# kept between runs, keyed on Cargo.lock; default target/rpm-vendor), SOURCE_DATE_EPOCH.
# Needs: rpmbuild (Debian/Ubuntu: the `rpm` package), cargo, tar, gzip.
set -eu

usage() { echo "usage: $0 [--srpm-only] [--zig | --native] OUTDIR" >&2; exit 2; }

srpm_only=0
mode=native
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --srpm-only) srpm_only=1 ;;
        --zig) mode=zig ;;
        --native) mode=native ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) usage ;;
        *) [ -z "$out" ] || usage; out=$1 ;;
    esac
    shift
done
[ -n "$out" ] || usage

here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
dist=${DIST:-.xcpng8.3}
name=xcpng-mod
spec="$here/packaging/$name.spec"

command -v rpmbuild >/dev/null 2>&1 || { echo "rpmbuild not found (apt-get install rpm)" >&2; exit 1; }

# The version is Cargo.toml's; the spec must say the same.
version=$(sed -n '/^\[package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' "$here/Cargo.toml" | head -n1)
spec_version=$(sed -n 's/^Version: *//p' "$spec" | head -n1)
if [ "$version" != "$spec_version" ]; then
    echo "version mismatch: Cargo.toml says $version, $spec says $spec_version" >&2
    exit 1
fi

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git -C "$here" log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH

work=$(mktemp -d "${TMPDIR:-/tmp}/$name-rpm.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
top="$work/rpmbuild"
mkdir -p "$top/SOURCES" "$top/SPECS" "$top/BUILD" "$top/RPMS" "$top/SRPMS" "$top/BUILDROOT"

t0=$(date +%s)

# 1. Vendored crates, cached on Cargo.lock's checksum (cargo vendor copies ~400 MB).
lock_sum=$(sha256sum "$here/Cargo.lock" | cut -c1-16)
cache=${XCPNG_MOD_VENDOR_CACHE:-$here/target/rpm-vendor}
vendor="$cache/$lock_sum"
if [ ! -d "$vendor" ]; then
    echo "vendoring crates into $vendor" >&2
    mkdir -p "$cache"
    # A private temp dir: two builds may vendor at once (the tests run in parallel); the first
    # to finish publishes its copy, the other drops its own.
    tmpv="$vendor.tmp.$$"
    rm -rf "$tmpv"
    (cd "$here" && cargo vendor --locked --versioned-dirs --quiet "$tmpv" >/dev/null)
    mv -T "$tmpv" "$vendor" 2>/dev/null || rm -rf "$tmpv"
fi

# 2. The source tree: what the build and the package need, nothing of tests/ or benches/.
src="$work/stage/$name-$version"
mkdir -p "$src/packaging/xapi-plugin" "$src/.cargo"
for f in Cargo.toml Cargo.lock README.md CHANGELOG.md; do
    cp -p "$here/$f" "$src/"
done
for d in src man completions depmod.d; do
    cp -pR "$here/$d" "$src/"
done
cp -p "$here/packaging/xapi-plugin/$name" "$src/packaging/xapi-plugin/"
cp -pR "$here/packaging/driver-tool" "$src/packaging/"
cp -p "$spec" "$src/packaging/"
# Hard links when the cache is on the same file system, a copy otherwise.
cp -pRl "$vendor" "$src/vendor" 2>/dev/null || { rm -rf "$src/vendor"; cp -pR "$vendor" "$src/vendor"; }
cat > "$src/.cargo/config.toml" <<'EOF'
# Written by packaging/build-rpm.sh: build from vendor/ only, never the network.
[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "vendor"

[net]
offline = true
EOF

tarball="$top/SOURCES/$name-$version-vendored.tar.gz"
tar -C "$work/stage" --sort=name --owner=0 --group=0 --numeric-owner \
    --mtime="@$SOURCE_DATE_EPOCH" -cf - "$name-$version" | gzip -1n > "$tarball"
cp -p "$spec" "$top/SPECS/"
t1=$(date +%s)
echo "source tarball: $(du -h "$tarball" | cut -f1) in $((t1 - t0)) s" >&2

# 3. The SRPM.
rpmbuild --quiet --define "_topdir $top" --define "dist $dist" -bs "$top/SPECS/$name.spec" >&2
srpm=$(ls "$top/SRPMS/"*.src.rpm)
cp -p "$srpm" "$out/"
echo "$out/$(basename "$srpm")"
t2=$(date +%s)
echo "SRPM in $((t2 - t1)) s" >&2
[ "$srpm_only" = 0 ] || exit 0

# 4. The binary RPMs, rebuilt from the SRPM as a build system would (--nodeps: the build
#    dependencies come from rustup/cargo here, not from RPMs).
with=""
if [ "$mode" = zig ]; then
    command -v cargo-zigbuild >/dev/null 2>&1 || {
        echo "cargo-zigbuild not found (cargo install cargo-zigbuild --locked)" >&2; exit 1; }
    with="--with zig"
fi
# shellcheck disable=SC2086
rpmbuild --quiet --nodeps --define "_topdir $top" --define "dist $dist" $with \
    --rebuild "$srpm" >&2
for rpm in $(find "$top/RPMS" -name '*.rpm' | sort); do
    cp -p "$rpm" "$out/"
    echo "$out/$(basename "$rpm")"
done
t3=$(date +%s)
echo "binary RPMs ($mode) in $((t3 - t2)) s; total $((t3 - t0)) s" >&2
