//! `install ./file.rpm`: a package file from the command line is solved like any candidate
//! (its dependencies come from the repos) and verified like a download before rpm sees it:
//! unsigned or signed by an unknown key is refused while gpgcheck=1, a corrupt file is an
//! error naming it, and nothing is installed when anything is refused.

mod common;
mod trust_support;

use common::{pkg, TestHost};
use std::path::Path;
use std::process::Command;
use trust_support::*;

fn installed(h: &TestHost) -> Vec<String> {
    h.rpm_qa_fmt("%{NAME}-%{VERSION}\\n")
}

fn sign_with(cert: &sequoia_openpgp::Cert, src: &Path, dst: &Path) {
    let mut p = rpm::Package::open(src).unwrap();
    let signer = rpm::signature::sequoia::Signer::from_asc_bytes(&secret_asc(cert)).unwrap();
    p.sign(signer).unwrap();
    p.write_file(dst).unwrap();
}

fn host() -> (TestHost, std::path::PathBuf) {
    let h = TestHost::new();
    h.yum_conf("[main]\ngpgcheck=1\n");
    h.add_repo(
        "base",
        true,
        &[pkg("zfs-libs", "2.1.7", "1").provides("libzfs = 2.1.7")],
    );
    h.install(&[]);
    let dir = h.dir().join("local");
    let file = xcpng_mod::demo::build_rpm(
        &pkg("kmod-zfs-4.19.0+1", "2.1.7", "1")
            .requires("libzfs = 2.1.7")
            .file("/lib/modules/4.19.0+1/extra/zfs.ko", b"module"),
        &dir,
    )
    .unwrap();
    (h, file)
}

#[test]
fn unsigned_local_package_is_refused_with_gpgcheck_and_installs_without() {
    let (h, file) = host();
    let f = file.to_str().unwrap();
    let plan = h.run(&["--json", "--assumeno", "install", f]).ok().json();
    let names: Vec<&str> = plan["plan"]["install"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"kmod-zfs-4.19.0+1") && names.contains(&"zfs-libs"),
        "{names:?}"
    );
    let local = plan["plan"]["install"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "kmod-zfs-4.19.0+1")
        .unwrap();
    assert_eq!(local["repo"], "@commandline");

    let before = installed(&h);
    h.run(&["-y", "install", f])
        .code(1)
        .stderr_has("kmod-zfs-4.19.0+1")
        .stderr_has("signature");
    assert_eq!(installed(&h), before, "nothing may be installed");

    h.run(&["-y", "--nogpgcheck", "install", f]).ok();
    assert_eq!(
        installed(&h),
        vec!["kmod-zfs-4.19.0+1-2.1.7", "zfs-libs-2.1.7"]
    );
}

#[test]
fn signed_local_package_needs_a_key_in_the_rpmdb() {
    let (h, file) = host();
    let key = gen_rpm_key("Local <l@example.org>");
    let signed = h.dir().join("signed.rpm");
    sign_with(&key, &file, &signed);
    let s = signed.to_str().unwrap();
    // Signed by a key the rpmdb does not hold: refused. (The repo's own package is unsigned,
    // so that repo is set to gpgcheck=0 for this test.)
    let repo = "--setopt=base.gpgcheck=0";
    h.run(&["-y", repo, "install", s])
        .code(1)
        .stderr_has("signature");
    assert!(installed(&h).is_empty());
    let asc = h.dir().join("key.asc");
    std::fs::write(&asc, public_asc(&key)).unwrap();
    let st = Command::new("rpm")
        .arg("--root")
        .arg(h.root())
        .args(["--dbpath", "/var/lib/rpm", "--import"])
        .arg(&asc)
        .status()
        .unwrap();
    assert!(st.success());
    h.run(&["-y", repo, "install", s]).ok();
    assert!(installed(&h).contains(&"kmod-zfs-4.19.0+1-2.1.7".to_string()));
}

#[test]
fn corrupt_package_file_is_an_error_naming_it() {
    let (h, file) = host();
    let bad = h.dir().join("bad.rpm");
    let mut data = std::fs::read(&file).unwrap();
    data.truncate(50);
    std::fs::write(&bad, data).unwrap();
    h.run(&["--assumeno", "install", bad.to_str().unwrap()])
        .code(1)
        .stderr_has("bad.rpm")
        .stderr_has("not a readable RPM package");
}
