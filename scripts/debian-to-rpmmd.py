#!/usr/bin/env python3
"""Turn a Debian `Packages` index into rpm-md repodata (primary.xml.gz + repomd.xml).

The result is a large, realistic repository (names, versions with epochs and `~`, real
dependency graphs) for benchmarks against libsolv's repo2solv and dnf. Usage:
    debian-to-rpmmd.py PACKAGES_FILE OUT_DIR
"""
import gzip, hashlib, html, os, re, sys, time

OPS = {">=": "GE", "<=": "LE", ">>": "GT", "<<": "LT", "=": "EQ", ">": "GE", "<": "LE"}

def evr(v):
    epoch = "0"
    if ":" in v:
        epoch, v = v.split(":", 1)
    if "-" in v:
        ver, rel = v.rsplit("-", 1)
    else:
        ver, rel = v, "0"
    return epoch, ver, rel

def deps(field):
    out = []
    for part in field.split(","):
        alt = part.split("|")[0].strip()
        if not alt:
            continue
        m = re.match(r"^([^\s(:]+)(?::\w+)?\s*(?:\(\s*([<>=]+)\s*([^)\s]+)\s*\))?", alt)
        if not m:
            continue
        name, op, ver = m.groups()
        if op:
            e, v, r = evr(ver)
            out.append('<rpm:entry name="%s" flags="%s" epoch="%s" ver="%s" rel="%s"/>' % (
                html.escape(name), OPS[op], e, html.escape(v), html.escape(r)))
        else:
            out.append('<rpm:entry name="%s"/>' % html.escape(name))
    return out

def stanzas(text):
    for block in text.split("\n\n"):
        fields, key = {}, None
        for line in block.splitlines():
            if line.startswith((" ", "\t")) and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, val = line.split(":", 1)
                fields[key] = val.strip()
        if "Package" in fields:
            yield fields

def main(src, out):
    text = open(src, encoding="utf-8", errors="replace").read()
    pkgs = []
    for f in stanzas(text):
        e, v, r = evr(f["Version"])
        arch = {"all": "noarch", "amd64": "x86_64"}.get(f.get("Architecture", "all"), "x86_64")
        desc = f.get("Description", "")
        summary = desc.split("\n")[0]
        name = f["Package"]
        prov = ['<rpm:entry name="%s" flags="EQ" epoch="%s" ver="%s" rel="%s"/>' % (
            html.escape(name), e, html.escape(v), html.escape(r))] + deps(f.get("Provides", ""))
        req = deps(f.get("Depends", "")) + deps(f.get("Pre-Depends", ""))
        con = deps(f.get("Conflicts", "")) + deps(f.get("Breaks", ""))
        obs = deps(f.get("Replaces", ""))
        sha = f.get("SHA256", "0" * 64)
        pkgs.append(
            '<package type="rpm"><name>%s</name><arch>%s</arch><version epoch="%s" ver="%s" rel="%s"/>'
            '<checksum type="sha256" pkgid="YES">%s</checksum><summary>%s</summary><description>%s</description>'
            '<packager/><url>%s</url><time file="0" build="0"/><size package="%s" installed="%d" archive="0"/>'
            '<location href="Packages/%s-%s-%s.%s.rpm"/><format><rpm:license>unknown</rpm:license>'
            '<rpm:provides>%s</rpm:provides><rpm:requires>%s</rpm:requires><rpm:conflicts>%s</rpm:conflicts>'
            '<rpm:obsoletes>%s</rpm:obsoletes></format></package>' % (
                html.escape(name), arch, e, html.escape(v), html.escape(r), sha, html.escape(summary),
                html.escape(desc), html.escape(f.get("Homepage", "")), f.get("Size", "0"),
                int(f.get("Installed-Size", "0") or 0) * 1024, html.escape(name), html.escape(v), html.escape(r), arch,
                "".join(prov), "".join(req), "".join(con), "".join(obs)))
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" '
           'xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="%d">\n' % len(pkgs)
           + "\n".join(pkgs) + "\n</metadata>\n").encode()
    gz = gzip.compress(xml, 6)
    os.makedirs(os.path.join(out, "repodata"), exist_ok=True)
    name = hashlib.sha256(gz).hexdigest() + "-primary.xml.gz"
    open(os.path.join(out, "repodata", name), "wb").write(gz)
    now = int(time.time())
    repomd = ('<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo" '
              'xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n<revision>%d</revision>\n<data type="primary">\n'
              '<checksum type="sha256">%s</checksum>\n<open-checksum type="sha256">%s</open-checksum>\n'
              '<location href="repodata/%s"/>\n<timestamp>%d</timestamp>\n<size>%d</size>\n<open-size>%d</open-size>\n'
              '</data>\n</repomd>\n' % (now, hashlib.sha256(gz).hexdigest(), hashlib.sha256(xml).hexdigest(), name,
                                         now, len(gz), len(xml)))
    open(os.path.join(out, "repodata", "repomd.xml"), "w").write(repomd)
    print("%d packages, primary %d bytes (%d uncompressed)" % (len(pkgs), len(gz), len(xml)))

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
