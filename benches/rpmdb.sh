#!/bin/sh
# Benchmark: reading the installed set (a few hundred packages) natively vs through `rpm -qa`.
#
#   benches/rpmdb.sh                 # needs: hyperfine, rpm, db5.3-util; N packages: $PACKAGES
#
# Builds two roots with the same headers (SQLite rpmdb written by the real rpm; Berkeley DB hash
# `Packages` written by db_load) and times `xcpng-mod --root R list --installed` with
#   XCPNG_MOD_RPMDB=rpm     the `rpm -qa --queryformat` fallback,
#   XCPNG_MOD_RPMDB=native  the native reader, no cache,
#   (default, warm)         the cache of the parsed set,
# the bare `rpm -qa` of the same query, and a run on a root without rpmdb (the fixed cost of
# the command), for reference. Prints the ratios. The numbers are noisy on a busy machine.
set -eu
cd "$(dirname "$0")/.."
N=${PACKAGES:-400}
cargo build --release --quiet
X=$PWD/target/release/xcpng-mod
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
XCPNG_MOD_BENCH_ROOT=$DIR XCPNG_MOD_BENCH_PACKAGES=$N \
    cargo test --release --quiet --test it -- --ignored --exact rpmdb::build_bench_roots >/dev/null
# The query of the fallback (src/rpm/installed.rs), with its real separator bytes.
FMT=$(printf '%%{NAME}\037%%{EPOCH}\037%%{VERSION}\037%%{RELEASE}\037%%{ARCH}\037%%{SUMMARY}\037%%{SIZE}\037%%{INSTALLTIME}\037%%{BUILDTIME}\037%%{LICENSE}\037%%{URL}\037%%{SOURCERPM}\037%%{DESCRIPTION}\037')
for t in PROVIDE REQUIRE CONFLICT OBSOLETE; do
    FMT="$FMT$(printf '[%%{%sNAME}\034%%{%sFLAGS}\034%%{%sVERSION}\035]\037' $t $t $t)"
done
mkdir -p "$DIR/empty/etc" && echo "[main]" > "$DIR/empty/etc/yum.conf"
for kind in sqlite bdb; do
    R=$DIR/$kind
    RPM="rpm --root $R --dbpath /var/lib/rpm"
    [ $kind = bdb ] && RPM="$RPM --define '_db_backend bdb_ro'"
    echo "== $kind rpmdb, $N packages, $(du -sh "$R/var/lib/rpm" | cut -f1)"
    "$X" --root "$R" -q list --installed >/dev/null   # warm the cache
    hyperfine -N --warmup 3 --runs 40 --export-json "$DIR/$kind.json" \
        -n "xcpng-mod, no rpmdb" "$X --root $DIR/empty -q list --installed" \
        -n "rpm -qa" "$RPM -qa --queryformat '$FMT'" \
        -n "xcpng-mod via rpm" "env XCPNG_MOD_RPMDB=rpm $X --root $R -q list --installed" \
        -n "xcpng-mod native" "env XCPNG_MOD_RPMDB=native $X --root $R -q list --installed" \
        -n "xcpng-mod cached" "$X --root $R -q list --installed"
    python3 - "$DIR/$kind.json" "$kind" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
k = sys.argv[2]
rpm, via, nat, cached = (r[n] for n in ("rpm -qa", "xcpng-mod via rpm", "xcpng-mod native", "xcpng-mod cached"))
print("%s: bare rpm -qa %.1f ms | xcpng-mod list --installed: via rpm %.1f ms, native %.1f ms, cached %.1f ms" % (
    k, rpm * 1e3, via * 1e3, nat * 1e3, cached * 1e3))
base = r["xcpng-mod, no rpmdb"]
print("%s: native is %.1fx faster than via rpm (%.1fx than bare rpm -qa); cached %.1fx faster than via rpm" % (
    k, via / nat, rpm / nat, via / cached))
print("%s: reading alone (minus the %.1f ms of a run without rpmdb): via rpm %.1f ms, native %.1f ms, cached %.1f ms -> native/rpm = %.2f" % (
    k, base * 1e3, (via - base) * 1e3, (nat - base) * 1e3, (cached - base) * 1e3, (nat - base) / (via - base)))
PY
done
