#!/bin/sh
# Download Debian's real cloud kernel package (signed, xz-compressed .ko modules) and extract it
# into a cache directory, once. Prints the extracted tree's path on stdout (the directory that
# holds lib/modules/<kver>/). Tests find it through XCPNG_MOD_KERNEL_DIR:
#   export XCPNG_MOD_KERNEL_DIR="$(scripts/fetch-kernel.sh)"
# Cache: $XCPNG_MOD_TEST_CACHE, else $HOME/.cache/xcpng-mod-test.
set -eu

cache="${XCPNG_MOD_TEST_CACHE:-${HOME:-/tmp}/.cache/xcpng-mod-test}"
meta="${XCPNG_MOD_KERNEL_META:-linux-image-cloud-amd64}"
mkdir -p "$cache"

# The meta package depends on the versioned image package; that one holds the modules.
pkg="$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)"
if [ -z "$pkg" ]; then
    # No apt metadata: reuse whatever was extracted before.
    found="$(ls -d "$cache"/linux-image-*/ 2>/dev/null | head -n1 || true)"
    if [ -n "$found" ] && [ -f "$found/.complete" ]; then
        echo "${found%/}"
        exit 0
    fi
    echo "fetch-kernel: cannot resolve the versioned package of $meta (run apt-get update)" >&2
    exit 1
fi

dest="$cache/$pkg"
if [ -f "$dest/.complete" ]; then
    echo "$dest"
    exit 0
fi

work="$(mktemp -d "$cache/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q "$pkg" >&2)
deb="$(ls "$work"/*.deb | head -n1)"
rm -rf "$dest"
mkdir -p "$work/tree"
dpkg -x "$deb" "$work/tree"
mv "$work/tree" "$dest"
touch "$dest/.complete"
echo "$dest"
