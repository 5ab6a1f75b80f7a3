//! Signed metadata and the attacks a mirror can make, through the real binary on temp roots:
//! each refusal asserts the exit code, the message, and that nothing was cached.

use crate::common;
use crate::common::TestHost;
use crate::trust_support::*;
use sequoia_openpgp::types::HashAlgorithm;
use std::path::Path;

/// The key of the reference signed repo (librepo's test key).
const REF_FPR: &str = "F4FC5B6AC58696023B9DBFB197BDB7906441EDF5";

/// A host with repo `id` at `base` (one or several URLs), repo_gpgcheck=1 and the key at
/// `/etc/pki/rpm-gpg/RPM-GPG-KEY-test` holding `key`.
fn host_with(id: &str, bases: &str, key: &[u8], extra: &str) -> TestHost {
    let h = TestHost::new();
    let kp = h.host_path("/etc/pki/rpm-gpg/RPM-GPG-KEY-test");
    std::fs::create_dir_all(kp.parent().unwrap()).unwrap();
    std::fs::write(&kp, key).unwrap();
    h.repo_file(
        &format!("{id}.repo"),
        &format!(
            "[{id}]\nname={id}\nbaseurl={bases}\nenabled=1\ngpgcheck=1\nrepo_gpgcheck=1\n\
             gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-test\n{extra}"
        ),
    );
    h
}

fn file_url(p: &Path) -> String {
    format!("file://{}/", p.display())
}

/// A copy of the reference signed repo under the host's temp dir.
fn reference_repo(h: &TestHost, name: &str) -> std::path::PathBuf {
    let dir = h.dir().join(name);
    copy_dir(&signed_fixture("repodata"), &dir.join("repodata"));
    dir
}

#[track_caller]
fn assert_nothing_cached(h: &TestHost, id: &str) {
    let files = h.cache_files(id);
    assert!(
        files.is_empty(),
        "the cache of `{id}` holds {:?}",
        files.keys().collect::<Vec<_>>()
    );
}

#[test]
fn reference_signed_repo_verifies_and_keys_shows_its_key() {
    let h0 = TestHost::new();
    let repo = reference_repo(&h0, "signed");
    let key = std::fs::read(signed_fixture("repodata/repomd.xml.key")).unwrap();
    let h = host_with("signed", &file_url(&repo), &key, "metadata_max_age=never\n");
    h.run(&["makecache"]).ok();
    assert!(h.cache_files("signed").contains_key("repodata/repomd.xml"));
    let out = h.run(&["keys"]);
    out.ok()
        .stdout_has(REF_FPR)
        .stdout_has("repository signing key (test key) <noone@example.org>")
        .stdout_has("from     file:///etc/pki/rpm-gpg/RPM-GPG-KEY-test");
    let doc = h.run(&["--json", "keys"]).json();
    assert_eq!(doc["keys"][0]["fingerprint"], REF_FPR);
    assert_eq!(doc["keys"][0]["status"], "valid");
}

#[test]
fn missing_signature_is_refused_and_nothing_cached() {
    let h0 = TestHost::new();
    let repo = reference_repo(&h0, "signed");
    std::fs::remove_file(repo.join("repodata/repomd.xml.asc")).unwrap();
    let key = std::fs::read(signed_fixture("repodata/repomd.xml.key")).unwrap();
    let h = host_with("signed", &file_url(&repo), &key, "");
    h.run(&["makecache"])
        .code(1)
        .stderr_has("repo `signed`: no metadata signature at ")
        .stderr_has("repodata/repomd.xml.asc");
    assert_nothing_cached(&h, "signed");
}

#[test]
fn tampered_repomd_is_a_bad_signature() {
    let h0 = TestHost::new();
    let repo = reference_repo(&h0, "signed");
    let p = repo.join("repodata/repomd.xml");
    let t = std::fs::read_to_string(&p)
        .unwrap()
        .replace("1347459931", "1347459932");
    std::fs::write(&p, t).unwrap();
    let key = std::fs::read(signed_fixture("repodata/repomd.xml.key")).unwrap();
    let h = host_with("signed", &file_url(&repo), &key, "");
    let out = h.run(&["makecache"]);
    out.code(1)
        .stderr_has("repo `signed`: repomd.xml from file://")
        .stderr_has(&format!("does not verify with key {REF_FPR}"));
    assert_nothing_cached(&h, "signed");
}

#[test]
fn signature_by_an_unknown_key_is_refused() {
    let h0 = TestHost::new();
    let repo = reference_repo(&h0, "signed");
    // The repo names the XCP-ng key; the metadata is signed by another.
    let key = std::fs::read(common::fixture("xcpng/RPM-GPG-KEY-xcpng")).unwrap();
    let h = host_with("signed", &file_url(&repo), &key, "");
    h.run(&["makecache"])
        .code(1)
        .stderr_has("repo `signed`: repomd.xml from file://")
        .stderr_has("made by unknown key 0x97BDB7906441EDF5")
        .stderr_has("hint: the signing key is not among the gpgkey= keys of `signed`");
    assert_nothing_cached(&h, "signed");
}

#[test]
fn sha1_signature_is_refused_for_its_algorithm() {
    // The reference "bad" variant: a valid signature, but made with SHA-1, by a key that shares
    // its file with an expired DSA key (two keys in one armored file).
    let h0 = TestHost::new();
    let dir = h0.dir().join("sha1");
    std::fs::create_dir_all(dir.join("repodata")).unwrap();
    std::fs::copy(
        signed_fixture("repodata/repomd.xml_bad"),
        dir.join("repodata/repomd.xml"),
    )
    .unwrap();
    std::fs::copy(
        signed_fixture("repodata/repomd.xml_bad.sig"),
        dir.join("repodata/repomd.xml.asc"),
    )
    .unwrap();
    let key = std::fs::read(signed_fixture("repodata/repomd.xml_bad.key.asc")).unwrap();
    let h = host_with("sha1", &file_url(&dir), &key, "");
    h.run(&["makecache"])
        .code(1)
        .stderr_has("made by key 5A3ED6F1EAB8F4D69734E38AA5955DFCBAA2D212 is refused by the signature policy: SHA1");
    assert_nothing_cached(&h, "sha1");

    // Same with a key made here.
    let k = gen_key("SHA1 signer <s@example.org>");
    let dir = h0.dir().join("sha1b");
    let repomd = write_repo(
        &dir,
        1,
        now(),
        &primary_xml(&[("a", "Packages/a.rpm")]),
        None,
    );
    std::fs::write(
        dir.join("repodata/repomd.xml.asc"),
        sign_detached(&k, &repomd, HashAlgorithm::SHA1),
    )
    .unwrap();
    let h = host_with("sha1b", &file_url(&dir), &public_asc(&k), "");
    h.run(&["makecache"]).code(1).stderr_has(&format!(
        "made by key {} is refused by the signature policy: SHA1",
        fingerprint(&k)
    ));
    assert_nothing_cached(&h, "sha1b");
}

#[test]
fn expired_key_is_refused() {
    let k = gen_expired_key("Old <o@example.org>");
    let h0 = TestHost::new();
    let dir = h0.dir().join("r");
    let repomd = write_repo(
        &dir,
        1,
        now(),
        &primary_xml(&[("a", "Packages/a.rpm")]),
        None,
    );
    // Sign as of yesterday's validity: Sequoia signs with the key regardless of its expiry.
    let p = sequoia_openpgp::policy::StandardPolicy::new();
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(36 * 3600);
    let signer = k
        .keys()
        .with_policy(&p, then)
        .secret()
        .for_signing()
        .next()
        .unwrap()
        .key()
        .clone()
        .into_keypair()
        .unwrap();
    let mut asc = Vec::new();
    {
        use sequoia_openpgp::serialize::stream::{Armorer, Message, Signer};
        use std::io::Write;
        let m = Armorer::new(Message::new(&mut asc))
            .kind(sequoia_openpgp::armor::Kind::Signature)
            .build()
            .unwrap();
        let mut s = Signer::new(m, signer)
            .unwrap()
            .creation_time(then)
            .detached()
            .build()
            .unwrap();
        s.write_all(&repomd).unwrap();
        s.finalize().unwrap();
    }
    std::fs::write(dir.join("repodata/repomd.xml.asc"), asc).unwrap();
    let h = host_with("r", &file_url(&dir), &public_asc(&k), "");
    h.run(&["makecache"])
        .code(1)
        .stderr_has(&format!("made by key {}", fingerprint(&k)));
    assert_nothing_cached(&h, "r");
    h.run(&["keys"]).ok().stdout_has("expired");
}

#[test]
fn signature_comes_from_the_same_mirror() {
    // Mirror A serves repomd.xml but no signature; mirror B serves both. Taking B's signature
    // for A's repomd would mix mirrors: the repo is refused instead.
    let k = gen_key("Repo <r@example.org>");
    let h0 = TestHost::new();
    let a = h0.dir().join("a");
    let b = h0.dir().join("b");
    write_repo(&a, 1, now(), &primary_xml(&[("a", "Packages/a.rpm")]), None);
    write_repo(
        &b,
        1,
        now(),
        &primary_xml(&[("a", "Packages/a.rpm")]),
        Some(&k),
    );
    let bases = format!("{} {}", file_url(&a), file_url(&b));
    let h = host_with("two", &bases, &public_asc(&k), "");
    h.run(&["makecache"]).code(1).stderr_has(&format!(
        "no metadata signature at {}repodata/repomd.xml.asc",
        file_url(&a)
    ));
    assert_nothing_cached(&h, "two");
    // When A is down altogether, B serves both files and the repo is fine.
    std::fs::remove_dir_all(&a).unwrap();
    h.run(&["makecache"]).ok();
}

#[test]
fn rollback_is_refused_even_after_refresh_or_cache_loss() {
    let k = gen_key("Repo <r@example.org>");
    let h0 = TestHost::new();
    let mirror = h0.dir().join("mirror");
    let t = now();
    let h = host_with("upd", &file_url(&mirror), &public_asc(&k), "");
    // The mirror serves revision 200, then replays an older, validly signed revision 100.
    write_repo(
        &mirror,
        200,
        t,
        &primary_xml(&[("pkg-new", "Packages/new.rpm")]),
        Some(&k),
    );
    h.run(&["makecache"]).ok();
    let before = h.cache_files("upd");
    write_repo(
        &mirror,
        100,
        t - 86400,
        &primary_xml(&[("pkg-old", "Packages/old.rpm")]),
        Some(&k),
    );
    h.run(&["--refresh", "makecache"])
        .code(1)
        .stderr_has("repo `upd`: metadata rollback refused: ")
        .stderr_has("is older (revision 100, timestamp ")
        .stderr_has("than metadata already seen (revision 200, timestamp ")
        .stderr_has("--setopt=upd.allow_metadata_rollback=1");
    assert_eq!(
        h.cache_files("upd"),
        before,
        "the cache keeps the newest metadata"
    );
    // Losing the cache does not lose the high-water mark.
    std::fs::remove_dir_all(h.host_path("/var/cache/xcpng-mod/upd")).unwrap();
    h.run(&["makecache"])
        .code(1)
        .stderr_has("metadata rollback refused");
    assert_nothing_cached(&h, "upd");
    // The admin can allow it (going back to an older snapshot on purpose).
    h.run(&["--setopt=upd.allow_metadata_rollback=1", "makecache"])
        .ok();
    let out = h.run(&["--json", "list", "--available"]);
    assert!(out.ok().stdout.contains("pkg-old"), "{}", out.stdout);
    // A newer revision is always fine.
    write_repo(
        &mirror,
        300,
        t + 60,
        &primary_xml(&[("pkg-newer", "Packages/n.rpm")]),
        Some(&k),
    );
    h.run(&["--refresh", "makecache"]).ok();
}

#[test]
fn endless_signature_is_capped() {
    let k = gen_key("Repo <r@example.org>");
    let h0 = TestHost::new();
    let mirror = h0.dir().join("m");
    write_repo(
        &mirror,
        1,
        now(),
        &primary_xml(&[("a", "Packages/a.rpm")]),
        Some(&k),
    );
    let mut big = std::fs::read(mirror.join("repodata/repomd.xml.asc")).unwrap();
    big.resize(2 * 1024 * 1024, b'A');
    std::fs::write(mirror.join("repodata/repomd.xml.asc"), big).unwrap();
    let h = host_with("m", &file_url(&mirror), &public_asc(&k), "");
    h.run(&["makecache"])
        .code(1)
        .stderr_has("repomd.xml.asc")
        .stderr_has("larger than the 262144 bytes expected");
    assert_nothing_cached(&h, "m");
}

#[test]
fn endless_primary_is_capped_at_the_signed_size() {
    let k = gen_key("Repo <r@example.org>");
    let h0 = TestHost::new();
    let mirror = h0.dir().join("m");
    write_repo(
        &mirror,
        1,
        now(),
        &primary_xml(&[("a", "Packages/a.rpm")]),
        Some(&k),
    );
    let primary = std::fs::read_dir(mirror.join("repodata"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("-primary.xml"))
        .unwrap();
    let mut data = std::fs::read(&primary).unwrap();
    data.resize(data.len() * 100, b' ');
    std::fs::write(&primary, data).unwrap();
    let h = host_with("m", &file_url(&mirror), &public_asc(&k), "");
    h.run(&["makecache"])
        .code(1)
        .stderr_has("-primary.xml")
        .stderr_has("larger than the");
    assert_nothing_cached(&h, "m");
}

#[test]
fn mix_and_match_metadata_is_refused_with_or_without_gpgcheck() {
    // The signed repomd names one primary; the mirror serves another under the same name.
    let k = gen_key("Repo <r@example.org>");
    let h0 = TestHost::new();
    let mirror = h0.dir().join("m");
    let good = primary_xml(&[("a", "Packages/a.rpm")]);
    write_repo(&mirror, 1, now(), &good, Some(&k));
    let primary = std::fs::read_dir(mirror.join("repodata"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("-primary.xml"))
        .unwrap();
    // Same size, other content: only the checksum can tell.
    std::fs::write(&primary, good.replace("<name>a</name>", "<name>b</name>")).unwrap();
    let h = host_with("m", &file_url(&mirror), &public_asc(&k), "");
    h.run(&["makecache"])
        .code(1)
        .stderr_has("sha256 checksum mismatch");
    assert_nothing_cached(&h, "m");
    // --nogpgcheck skips signatures, never checksums.
    h.run(&["--nogpgcheck", "makecache"])
        .code(1)
        .stderr_has("warning: --nogpgcheck: signatures are not checked (checksums still are)")
        .stderr_has("sha256 checksum mismatch");
    assert_nothing_cached(&h, "m");
}

#[test]
fn nogpgcheck_skips_the_signature_with_a_warning() {
    let h0 = TestHost::new();
    let mirror = h0.dir().join("m");
    write_repo(
        &mirror,
        1,
        now(),
        &primary_xml(&[("a", "Packages/a.rpm")]),
        None,
    );
    let key = std::fs::read(common::fixture("xcpng/RPM-GPG-KEY-xcpng")).unwrap();
    let h = host_with("m", &file_url(&mirror), &key, "");
    h.run(&["makecache"])
        .code(1)
        .stderr_has("no metadata signature");
    h.run(&["--nogpgcheck", "makecache"])
        .ok()
        .stderr_has("warning: --nogpgcheck: signatures are not checked");
    // gpgcheck=0 on the repo: a warning per repo.
    let h2 = host_with("m", &file_url(&mirror), &key, "");
    h2.run(&[
        "--setopt=m.gpgcheck=0",
        "--setopt=m.repo_gpgcheck=0",
        "makecache",
    ])
    .ok()
    .stderr_has("warning: repo `m`: gpgcheck=0, package signatures are not checked");
}

#[test]
fn frozen_metadata_draws_a_warning() {
    let k = gen_key("Repo <r@example.org>");
    let h0 = TestHost::new();
    let mirror = h0.dir().join("m");
    let old = now() - 90 * 86400;
    write_repo(
        &mirror,
        1,
        old,
        &primary_xml(&[("a", "Packages/a.rpm")]),
        Some(&k),
    );
    let h = host_with("xcp-ng-updates", &file_url(&mirror), &public_asc(&k), "");
    h.run(&["makecache"])
        .ok()
        .stderr_has("warning: repo `xcp-ng-updates`: its signed metadata is 90 days old (metadata_max_age is 30 days)");
    // Configurable, and off for the base repo, which is frozen by design.
    let h = host_with(
        "xcp-ng-updates",
        &file_url(&mirror),
        &public_asc(&k),
        "metadata_max_age=120d\n",
    );
    let out = h.run(&["makecache"]);
    assert!(!out.ok().stderr.contains("days old"), "{}", out.stderr);
    let h = host_with("xcp-ng-base", &file_url(&mirror), &public_asc(&k), "");
    let out = h.run(&["makecache"]);
    assert!(!out.ok().stderr.contains("days old"), "{}", out.stderr);
}

#[test]
fn path_traversal_in_location_href_is_refused() {
    let k = gen_key("Repo <r@example.org>");
    let h0 = TestHost::new();
    let mirror = h0.dir().join("m");
    write_repo(
        &mirror,
        1,
        now(),
        &primary_xml(&[("evil", "../../../../etc/cron.d/evil.rpm")]),
        Some(&k),
    );
    let h = host_with("m", &file_url(&mirror), &public_asc(&k), "");
    h.run(&["makecache"])
        .code(1)
        .stderr_has("unsafe path `../../../../etc/cron.d/evil.rpm`");
    assert_nothing_cached(&h, "m");
}

#[test]
fn http_key_and_missing_key_file() {
    let h0 = TestHost::new();
    let repo = reference_repo(&h0, "signed");
    let key = std::fs::read(signed_fixture("repodata/repomd.xml.key")).unwrap();
    let h = host_with("signed", &file_url(&repo), &key, "");
    std::fs::remove_file(h.host_path("/etc/pki/rpm-gpg/RPM-GPG-KEY-test")).unwrap();
    h.run(&["makecache"])
        .code(1)
        .stderr_has("repo `signed`: cannot read key file:///etc/pki/rpm-gpg/RPM-GPG-KEY-test");
    assert_nothing_cached(&h, "signed");
}

#[test]
fn cached_metadata_is_checked_against_its_signature_on_every_use() {
    let h0 = TestHost::new();
    let repo = reference_repo(&h0, "signed");
    let key = std::fs::read(signed_fixture("repodata/repomd.xml.key")).unwrap();
    let h = host_with("signed", &file_url(&repo), &key, "metadata_max_age=never\n");
    h.run(&["makecache"]).ok();
    assert!(h
        .cache_files("signed")
        .contains_key("repodata/repomd.xml.asc"));
    h.run(&["-C", "list", "--available"]).ok();

    // Someone edits the cached repomd.xml: the next run refuses it, even with -C.
    let cached = h.host_path("/var/cache/xcpng-mod/signed/repodata/repomd.xml");
    let text = std::fs::read_to_string(&cached).unwrap();
    std::fs::write(&cached, text.replacen("<revision>", "<revision>9", 1)).unwrap();
    h.run(&["-C", "list", "--available"])
        .code(1)
        .stderr_has("repo `signed`")
        .stderr_has("var/cache/xcpng-mod/signed/repodata/repomd.xml");
    // --refresh fetches signed metadata again and the host works.
    h.run(&["--refresh", "list", "--available"]).ok();
}

#[test]
fn a_cache_written_without_signature_is_not_trusted_once_repo_gpgcheck_is_on() {
    let h0 = TestHost::new();
    let repo = reference_repo(&h0, "signed");
    let key = std::fs::read(signed_fixture("repodata/repomd.xml.key")).unwrap();
    let h = host_with("signed", &file_url(&repo), &key, "metadata_max_age=never\n");
    h.run(&["--setopt=signed.repo_gpgcheck=0", "makecache"])
        .ok();
    assert!(!h
        .cache_files("signed")
        .contains_key("repodata/repomd.xml.asc"));
    // repo_gpgcheck=1 again: the unsigned cache is not used as is.
    h.run(&["-C", "list", "--available"])
        .code(1)
        .stderr_has("carries no signature");
    h.run(&["list", "--available"]).ok();
    assert!(h
        .cache_files("signed")
        .contains_key("repodata/repomd.xml.asc"));
    h.run(&["-C", "list", "--available"]).ok();
}

#[test]
fn revoked_key_is_refused() {
    use sequoia_openpgp::cert::prelude::*;
    let (k, revocation) = CertBuilder::general_purpose(Some("Gone <g@example.org>"))
        .set_cipher_suite(CipherSuite::RSA2k)
        .generate()
        .unwrap();
    let h0 = TestHost::new();
    let dir = h0.dir().join("r");
    // Signed while the key was good, then the key is revoked.
    write_repo(
        &dir,
        1,
        now(),
        &primary_xml(&[("a", "Packages/a.rpm")]),
        Some(&k),
    );
    let revoked = k.clone().insert_packets(revocation).unwrap().0;
    let h = host_with("r", &file_url(&dir), &public_asc(&revoked), "");
    let out = h.run(&["makecache"]);
    out.code(1).stderr_has("repo `r`");
    assert!(out.stderr.contains("revoked"), "{}", out.stderr);
    assert_nothing_cached(&h, "r");
    h.run(&["keys"]).ok().stdout_has("revoked");
    // The same repo with the unrevoked key is accepted: the refusal is the revocation's.
    let h2 = host_with("r", &file_url(&dir), &public_asc(&k), "");
    h2.run(&["makecache"]).ok();
}
