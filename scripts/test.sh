#!/bin/sh
# Run the whole test suite on a fresh Debian/Ubuntu machine: install the system packages the
# tests drive (the real rpm, createrepo_c, kmod, qemu and a static busybox for the VM tests,
# libsolv's tools, gpg, Berkeley DB's db_load for the rpm 4.11 rpmdb tests), fetch and cache
# Debian's cloud kernel package for the module tests, then run cargo test.
set -eu
cd "$(dirname "$0")/.."

need=""
for pair in rpm:rpm rpmsign:rpm createrepo_c:createrepo-c depmod:kmod modinfo:kmod \
            qemu-system-x86_64:qemu-system-x86 testsolv:libsolv-tools gpg:gpg cpio:cpio \
            readelf:binutils strip:binutils xz:xz-utils zstd:zstd gzip:gzip \
            db5.3_load:db5.3-util python3:python3 rpmspec:rpm; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || [ -x "/sbin/$cmd" ] || need="$need $pkg"
done
# The VM tests put busybox in an initramfs: it must be the static build.
dpkg-query -W -f '${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || need="$need busybox-static"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if [ -n "$need" ]; then
    echo "installing:$need" >&2
    $SUDO apt-get update -q >&2
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $need >&2
fi

# Debian's cloud kernel package (real modules), downloaded once and cached.
if ! XCPNG_MOD_KERNEL_DIR=$(scripts/fetch-kernel.sh); then
    $SUDO apt-get update -q >&2
    XCPNG_MOD_KERNEL_DIR=$(scripts/fetch-kernel.sh)
fi
export XCPNG_MOD_KERNEL_DIR

# The packaging test builds the binary RPM for real (rpmbuild from vendored sources). With
# cargo-zigbuild and ziglang present it builds for glibc 2.17 (XCP-ng 8.x) and checks the
# binary's GLIBC_ symbols and libraries; get them once (best effort: without them the RPM is
# built natively and the glibc check is skipped with a notice).
if ! command -v cargo-zigbuild >/dev/null 2>&1; then
    cargo install --locked --quiet cargo-zigbuild >&2 || true
fi
if ! python3 -c 'import ziglang' 2>/dev/null; then
    python3 -m pip install --quiet ziglang >&2 || true
fi
: "${XCPNG_MOD_TEST_RPMBUILD:=1}"
export XCPNG_MOD_TEST_RPMBUILD

exec cargo test --locked --all-targets "$@"
