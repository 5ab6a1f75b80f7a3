//! Test support for the trust tests: OpenPGP keys generated with Sequoia, detached signatures,
//! and hand-written signed repositories whose revision and timestamps the test chooses.

use openpgp::cert::prelude::*;
use openpgp::policy::StandardPolicy;
use openpgp::serialize::stream::{Armorer, Message, Signer};
use openpgp::serialize::SerializeInto;
use openpgp::types::HashAlgorithm;
use sequoia_openpgp as openpgp;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A fresh RSA-2048 key with a signing subkey.
pub fn gen_key(uid: &str) -> Cert {
    CertBuilder::general_purpose(Some(uid))
        .set_cipher_suite(CipherSuite::RSA2k)
        .generate()
        .expect("generate key")
        .0
}

/// A fresh RSA-2048 key that rpm 4.18's own OpenPGP parser accepts for `rpm --import`: the
/// demo's signing key (see `demo::signing_key`).
pub fn gen_rpm_key(uid: &str) -> Cert {
    xcpng_mod::demo::signing_key(uid).expect("generate key")
}

/// A key that has already expired: valid from two days ago for one day.
pub fn gen_expired_key(uid: &str) -> Cert {
    let two_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86400);
    CertBuilder::general_purpose(Some(uid))
        .set_cipher_suite(CipherSuite::RSA2k)
        .set_creation_time(two_days_ago)
        .set_validity_period(std::time::Duration::from_secs(86400))
        .generate()
        .expect("generate key")
        .0
}

/// The armored public key.
pub fn public_asc(cert: &Cert) -> Vec<u8> {
    cert.armored().to_vec().expect("armor")
}

/// The armored secret key (for the `rpm` crate's signer).
pub fn secret_asc(cert: &Cert) -> Vec<u8> {
    cert.as_tsk().armored().to_vec().expect("armor")
}

pub fn fingerprint(cert: &Cert) -> String {
    cert.fingerprint().to_hex()
}

/// An armored detached signature of `data` with the key's signing subkey and `hash`.
pub fn sign_detached(cert: &Cert, data: &[u8], hash: HashAlgorithm) -> Vec<u8> {
    let p = StandardPolicy::new();
    let key = cert
        .keys()
        .with_policy(&p, None)
        .secret()
        .for_signing()
        .next()
        .expect("a signing key")
        .key()
        .clone()
        .into_keypair()
        .expect("unencrypted");
    let mut out = Vec::new();
    {
        let m = Message::new(&mut out);
        let m = Armorer::new(m)
            .kind(openpgp::armor::Kind::Signature)
            .build()
            .unwrap();
        let mut s = Signer::new(m, key)
            .unwrap()
            .hash_algo(hash)
            .unwrap()
            .detached()
            .build()
            .unwrap();
        s.write_all(data).unwrap();
        s.finalize().unwrap();
    }
    out
}

fn sha256(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

/// One package of a hand-written primary.xml.
pub fn primary_xml(packages: &[(&str, &str)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" \
         xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"",
    );
    s.push_str(&format!("{}\">\n", packages.len()));
    for (name, href) in packages {
        s.push_str(&format!(
            "<package type=\"rpm\"><name>{name}</name><arch>x86_64</arch>\
             <version epoch=\"0\" ver=\"1.0\" rel=\"1\"/>\
             <checksum type=\"sha256\" pkgid=\"YES\">{}</checksum>\
             <summary>{name}</summary><description>{name}</description><packager/><url/>\
             <time file=\"1\" build=\"1\"/><size package=\"10\" installed=\"10\" archive=\"10\"/>\
             <location href=\"{href}\"/>\
             <format><rpm:license>GPL</rpm:license><rpm:vendor/><rpm:group>x</rpm:group>\
             <rpm:buildhost>h</rpm:buildhost><rpm:sourcerpm>{name}-1.0-1.src.rpm</rpm:sourcerpm>\
             <rpm:header-range start=\"1\" end=\"2\"/></format></package>\n",
            sha256(name.as_bytes())
        ));
    }
    s.push_str("</metadata>\n");
    s
}

/// Write `dir/repodata/{primary.xml,repomd.xml}` with the given revision and timestamp, and sign
/// repomd.xml with `key` (when given) into `repomd.xml.asc`. Returns the repomd bytes.
pub fn write_repo(
    dir: &Path,
    revision: u64,
    timestamp: u64,
    primary: &str,
    key: Option<&Cert>,
) -> Vec<u8> {
    let rd = dir.join("repodata");
    let _ = std::fs::remove_dir_all(&rd);
    std::fs::create_dir_all(&rd).unwrap();
    let name = format!("{}-primary.xml", &sha256(primary.as_bytes())[..16]);
    std::fs::write(rd.join(&name), primary).unwrap();
    let repomd = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<repomd xmlns=\"http://linux.duke.edu/metadata/repo\">\n\
         <revision>{revision}</revision>\n<data type=\"primary\">\n\
         <checksum type=\"sha256\">{ck}</checksum>\n<open-checksum type=\"sha256\">{ck}</open-checksum>\n\
         <location href=\"repodata/{name}\"/>\n<timestamp>{timestamp}</timestamp>\n\
         <size>{size}</size>\n<open-size>{size}</open-size>\n</data>\n</repomd>\n",
        ck = sha256(primary.as_bytes()),
        size = primary.len()
    )
    .into_bytes();
    std::fs::write(rd.join("repomd.xml"), &repomd).unwrap();
    if let Some(k) = key {
        std::fs::write(
            rd.join("repomd.xml.asc"),
            sign_detached(k, &repomd, HashAlgorithm::SHA256),
        )
        .unwrap();
    }
    repomd
}

/// Seconds since the epoch, now.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Copy a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let t = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// `<manifest>/tests/fixtures/signed-repo/<rel>`.
pub fn signed_fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/signed-repo")
        .join(rel)
}
