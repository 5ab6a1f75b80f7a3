#!/bin/sh
# Peak memory of refused inputs: each hostile repository below is refused, and the peak
# resident set of `xcpng-mod makecache` (/usr/bin/time -v) must stay under 100 MiB.
#   endless:     repomd.xml states no size; primary.xml.gz is an endless body
#   description: sizes stated; one <description> of 300 MB in a gzip of about 300 KB
#   bomb:        repomd.xml states no open-size; a gzip that expands 1000 times
#
#   benches/bounds.sh          # needs: python3, /usr/bin/time (Debian: time)
set -eu
cd "$(dirname "$0")/.."
cargo build --release --quiet
X=$PWD/target/release/xcpng-mod
T=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$T"' EXIT
python3 - "$T" <<'PY'
import gzip, hashlib, os, sys
t = sys.argv[1]
def primary(desc_len):
    head = (b'<?xml version="1.0"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" '
            b'xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="1"><package type="rpm">'
            b'<name>bloat</name><arch>x86_64</arch><version epoch="0" ver="1" rel="1"/>'
            b'<checksum type="sha256" pkgid="YES">00</checksum><summary>s</summary><description>')
    tail = b'</description><location href="bloat.rpm"/><format></format></package></metadata>\n'
    return head + b'a' * desc_len + tail
def repo(name, gz, sizes):
    rd = os.path.join(t, "www", name, "repodata")
    os.makedirs(rd)
    open(os.path.join(rd, "primary.xml.gz"), "wb").write(gz)
    size = "<size>%d</size><open-size>%d</open-size>" % sizes if sizes else ""
    open(os.path.join(rd, "repomd.xml"), "w").write(
        '<?xml version="1.0"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>1</revision>'
        '<data type="primary"><checksum type="sha256">%s</checksum><location href="repodata/primary.xml.gz"/>'
        '<timestamp>1</timestamp>%s</data></repomd>\n' % (hashlib.sha256(gz).hexdigest(), size))
big = primary(300 << 20)
gz = gzip.compress(big, 6)
repo("description", gz, (len(gz), len(big)))
bomb = primary(200 << 20)
repo("bomb", gzip.compress(bomb, 6), None)
repo("endless", b"x", None)
PY
python3 benches/serve.py "$T/www" --endless /endless/ > "$T/port" &
SERVER=$!
while [ ! -s "$T/port" ]; do sleep 0.1; done
PORT=$(cat "$T/port")
fail=0
for r in endless description bomb; do
    ROOT=$T/root-$r
    mkdir -p "$ROOT/etc/yum.repos.d"
    printf '[main]\n' > "$ROOT/etc/yum.conf"
    printf '[%s]\nname=%s\nbaseurl=http://127.0.0.1:%s/%s/\nenabled=1\ngpgcheck=0\n' \
        "$r" "$r" "$PORT" "$r" > "$ROOT/etc/yum.repos.d/$r.repo"
    set +e
    /usr/bin/time -v "$X" --root "$ROOT" -q makecache > /dev/null 2> "$T/$r.err"
    rc=$?
    set -e
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/$r.err")
    why=$(grep '^error:' "$T/$r.err" | head -1 | cut -c1-150)
    printf '%-12s exit %s, peak %6d KiB  %s\n' "$r" "$rc" "$kb" "$why"
    if [ "$rc" != 1 ] || [ "$kb" -ge $((100 * 1024)) ]; then fail=1; fi
done
[ "$fail" = 0 ] && echo "every refused input stayed under 100 MiB" || { echo "FAILED"; exit 1; }
