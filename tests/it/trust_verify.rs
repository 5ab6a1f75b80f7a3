//! `xcpng-mod verify FILE.rpm…` against Debian's `rpm -K` with `_pkgverify_level all`, on
//! packages signed here (Sequoia keys through the `rpm` crate, and a gpg key through the real
//! `rpmsign`), unsigned, signed by another key, header-tampered and payload-tampered, plus a
//! real rpm-4.11 (CentOS 7) package that has no payload digest.

use crate::common::{pkg, TestHost};
use crate::trust_support::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn rpm_k(root: &Path, file: &Path) -> (i32, String) {
    let o = Command::new("rpm")
        .arg("--root")
        .arg(root)
        .args([
            "--dbpath",
            "/var/lib/rpm",
            "--define",
            "_pkgverify_level all",
            "-K",
        ])
        .arg(file)
        .env("LC_ALL", "C")
        .output()
        .expect("run rpm -K");
    let line = String::from_utf8_lossy(&o.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .to_string();
    (o.status.code().unwrap(), line)
}

fn import(root: &Path, key: &Path) {
    let st = Command::new("rpm")
        .arg("--root")
        .arg(root)
        .args(["--dbpath", "/var/lib/rpm", "--import"])
        .arg(key)
        .status()
        .unwrap();
    assert!(st.success(), "rpm --import {}", key.display());
}

/// Sign a copy of `src` into `dst` with a Sequoia-made key through the `rpm` crate.
fn sign_with(cert: &sequoia_openpgp::Cert, src: &Path, dst: &Path) {
    let mut p = rpmfile::Package::open(src).unwrap();
    let signer = rpmfile::signature::sequoia::Signer::from_asc_bytes(&secret_asc(cert)).unwrap();
    p.sign(signer).unwrap();
    p.write_file(dst).unwrap();
}

/// Offsets of (header start, header end) of an RPM file.
fn header_span(data: &[u8]) -> (usize, usize) {
    let be = |at: usize| u32::from_be_bytes(data[at..at + 4].try_into().unwrap()) as usize;
    let sig_end = 96 + 16 + be(96 + 8) * 16 + be(96 + 12);
    let hs = sig_end + (8 - sig_end % 8) % 8;
    (hs, hs + 16 + be(hs + 8) * 16 + be(hs + 12))
}

fn flip(src: &Path, dst: &Path, at: impl Fn(&[u8]) -> usize) {
    let mut d = std::fs::read(src).unwrap();
    let i = at(&d);
    d[i] ^= 0x01;
    std::fs::write(dst, d).unwrap();
}

/// gpg key in a temp GNUPGHOME and `rpmsign --addsign` (with `--rpmv3` when asked).
fn rpmsign(dir: &Path, src: &Path, dst: &Path, v3: bool) -> PathBuf {
    let home = dir.join("gnupg");
    std::fs::create_dir_all(&home).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let gpg = |args: &[&str]| {
        let o = Command::new("gpg")
            .env("GNUPGHOME", &home)
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .output()
            .expect("run gpg");
        assert!(
            o.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o.stdout
    };
    if !home.join("pubring.kbx").exists() {
        gpg(&[
            "--quick-gen-key",
            "rpmsign test <rpmsign@example.org>",
            "rsa2048",
            "sign",
            "never",
        ]);
    }
    let pubkey = dir.join("rpmsign-key.asc");
    std::fs::write(&pubkey, gpg(&["--armor", "--export"])).unwrap();
    std::fs::copy(src, dst).unwrap();
    let mut c = Command::new("rpmsign");
    c.env("GNUPGHOME", &home)
        .args([
            "--define",
            "__gpg /usr/bin/gpg",
            "--define",
            "_gpg_name rpmsign test",
        ])
        .arg("--addsign");
    if v3 {
        c.arg("--rpmv3");
    }
    let o = c.arg(dst).output().expect("run rpmsign");
    assert!(
        o.status.success(),
        "rpmsign: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    pubkey
}

#[test]
fn verify_agrees_with_rpm_k() {
    let h = TestHost::new();
    h.install(&[]); // an empty rpmdb
    let root = h.root();
    let dir = h.dir().join("pkgs");
    std::fs::create_dir_all(&dir).unwrap();
    let unsigned = xcpng_mod::demo::build_rpm(
        &pkg("broadcom-bnxt-en-alt", "1.10.3", "1.xcpng8.3")
            .file("/lib/modules/4.19.0+1/override/bnxt_en.ko", b"module"),
        &dir,
    )
    .unwrap();

    let trusted = gen_rpm_key("Trusted <t@example.org>");
    let other = gen_rpm_key("Other <o@example.org>");
    let key_file = dir.join("trusted.asc");
    std::fs::write(&key_file, public_asc(&trusted)).unwrap();
    import(root, &key_file);

    let f = |n: &str| dir.join(n);
    sign_with(&trusted, &unsigned, &f("signed.rpm"));
    sign_with(&other, &unsigned, &f("other-key.rpm"));
    // One byte of the header store (a string near its end), one byte of the payload.
    flip(&f("signed.rpm"), &f("header-tampered.rpm"), |d| {
        // The vendor string, inside the signed header: the structure stays readable.
        let (hs, he) = header_span(d);
        hs + d[hs..he]
            .windows(6)
            .position(|w| w == b"XCP-ng")
            .expect("vendor in the header")
    });
    flip(&f("signed.rpm"), &f("payload-tampered.rpm"), |d| {
        d.len() - 20
    });
    let gpg_key = rpmsign(&dir, &unsigned, &f("rpmsign.rpm"), false);
    import(root, &gpg_key);
    rpmsign(&dir, &unsigned, &f("rpmsign-v3.rpm"), true);
    flip(&f("rpmsign.rpm"), &f("rpmsign-payload-tampered.rpm"), |d| {
        d.len() - 20
    });
    // A real package built by rpm 4.11 (CentOS 7): V3 signatures, no payload digest.
    std::fs::copy(
        signed_fixture("el7/389-ds-base-devel-1.3.8.4-15.el7.x86_64.rpm"),
        f("el7.rpm"),
    )
    .unwrap();
    std::fs::copy(&unsigned, f("unsigned.rpm")).unwrap();

    // (file, what both must say)
    let cases = [
        ("signed.rpm", "digests signatures OK"),
        ("unsigned.rpm", "digests SIGNATURES NOT OK"),
        ("other-key.rpm", "digests SIGNATURES NOT OK"),
        ("header-tampered.rpm", "DIGESTS SIGNATURES NOT OK"),
        ("payload-tampered.rpm", "DIGESTS SIGNATURES NOT OK"),
        ("rpmsign.rpm", "digests signatures OK"),
        ("rpmsign-v3.rpm", "digests signatures OK"),
        ("rpmsign-payload-tampered.rpm", "DIGESTS SIGNATURES NOT OK"),
        ("el7.rpm", "digests SIGNATURES NOT OK"), // CentOS 7 key not imported yet
    ];
    let check = |file: &str, want: &str| {
        let path = f(file);
        let (rpm_code, rpm_line) = rpm_k(root, &path);
        let ours = h.run(&["verify", path.to_str().unwrap()]);
        let ours_line = ours.stdout.lines().next().unwrap_or("").to_string();
        let expected = format!("{}: {want}", path.display());
        assert_eq!(rpm_line, expected, "rpm -K on {file}");
        assert!(
            ours_line == expected || ours_line.starts_with(&format!("{expected} (")),
            "xcpng-mod verify on {file}: {ours_line:?}, rpm -K: {rpm_line:?}\n{}",
            ours.stderr
        );
        assert_eq!(ours.code, rpm_code, "exit code on {file}");
    };
    for (file, want) in cases {
        check(file, want);
    }
    import(root, &signed_fixture("el7/RPM-GPG-KEY-CentOS-7"));
    check("el7.rpm", "digests signatures OK");

    // The 4.11 package says what covered its payload.
    let out = h.run(&["verify", f("el7.rpm").to_str().unwrap()]);
    out.ok().stdout_has(
        "(no payload digest; payload covered by the header+payload signature (V3 RSA/SHA256 Signature, key ID f4a80eb5))",
    );
    // Several files: one line each, exit 1 if any fails; -v shows the items and the key.
    let out = h.run(&[
        "-v",
        "verify",
        f("signed.rpm").to_str().unwrap(),
        f("other-key.rpm").to_str().unwrap(),
    ]);
    out.code(1)
        .stdout_has(&format!("[key {}]", fingerprint(&trusted)))
        .stdout_has("NOKEY (made by unknown key 0x");
    let doc = h
        .run(&["--json", "verify", f("signed.rpm").to_str().unwrap()])
        .json();
    assert_eq!(doc["files"][0]["ok"], true);
    assert_eq!(doc["files"][0]["summary"], "digests signatures OK");
    // Not a package at all.
    std::fs::write(f("junk.rpm"), b"junk").unwrap();
    h.run(&["verify", f("junk.rpm").to_str().unwrap()])
        .code(1)
        .stdout_has("junk.rpm: NOT OK (not an RPM package (no lead magic))");
    // keys lists what the rpmdb trusts, by fingerprint.
    h.run(&["keys"])
        .ok()
        .stdout_has(&fingerprint(&trusted))
        .stdout_has("6341AB2753D78A78A7C27BB124C6A8A7F4A80EB5")
        .stdout_has("CentOS-7 Key (CentOS 7 Official Signing Key) <security@centos.org>")
        .stdout_has("from     rpmdb (gpg-pubkey-f4a80eb5-53a7ff4b)");
}
