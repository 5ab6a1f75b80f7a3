//! `install ./file.rpm`: a package file from the command line is solved like any candidate
//! (its dependencies come from the repos) and verified like a download before rpm sees it:
//! unsigned or signed by an unknown key is refused while gpgcheck=1, a corrupt file is an
//! error naming it, and nothing is installed when anything is refused.

use crate::common::{pkg, TestHost};
use crate::trust_support::*;
use std::path::Path;
use std::process::Command;

fn installed(h: &TestHost) -> Vec<String> {
    h.rpm_qa_fmt("%{NAME}-%{VERSION}\\n")
}

fn sign_with(cert: &sequoia_openpgp::Cert, src: &Path, dst: &Path) {
    let mut p = rpmfile::Package::open(src).unwrap();
    let signer = rpmfile::signature::sequoia::Signer::from_asc_bytes(&secret_asc(cert)).unwrap();
    p.sign(signer).unwrap();
    p.write_file(dst).unwrap();
}

/// `rpm --import` the public key into the host's rpmdb, as an admin trusts a key.
fn import_key(h: &TestHost, key: &sequoia_openpgp::Cert) {
    let asc = h.dir().join("key.asc");
    std::fs::write(&asc, public_asc(key)).unwrap();
    let st = Command::new("rpm")
        .arg("--root")
        .arg(h.root())
        .args(["--dbpath", "/var/lib/rpm", "--import"])
        .arg(&asc)
        .status()
        .unwrap();
    assert!(st.success());
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
    import_key(&h, &key);
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

/// A signed file swapped for an unsigned one after it was checked (here: by a wrapper `rpm`
/// first in PATH, as the transaction starts) changes nothing: rpm installs the private copy
/// of the bytes that were checked, never the path given again.
#[test]
fn a_package_file_swapped_after_the_check_is_not_what_rpm_installs() {
    let (h, file) = host();
    let key = gen_rpm_key("Local <l@example.org>");
    let signed = h.dir().join("signed.rpm");
    sign_with(&key, &file, &signed);
    import_key(&h, &key);
    // Same name, version and release, unsigned, other content.
    let evil = xcpng_mod::demo::build_rpm(
        &pkg("kmod-zfs-4.19.0+1", "2.1.7", "1")
            .requires("libzfs = 2.1.7")
            .file("/lib/modules/4.19.0+1/extra/zfs.ko", b"EVIL"),
        &h.dir().join("evil"),
    )
    .unwrap();
    let real_rpm = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v rpm"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string();
    let bin = h.dir().join("wrap");
    std::fs::create_dir_all(&bin).unwrap();
    let wrapper = bin.join("rpm");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in -U|-i) cp '{}' '{}'; touch '{}';; esac; done\nexec '{real_rpm}' \"$@\"\n",
            evil.display(),
            signed.display(),
            h.dir().join("swapped").display(),
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();

    h.run_with_path(
        &bin,
        &[
            "-y",
            "--setopt=base.gpgcheck=0",
            "install",
            signed.to_str().unwrap(),
        ],
    )
    .ok();
    assert!(
        h.dir().join("swapped").exists(),
        "the wrapper must have swapped the file"
    );
    assert_eq!(
        std::fs::read(h.host_path("/lib/modules/4.19.0+1/extra/zfs.ko")).unwrap(),
        b"module",
        "rpm must install the bytes that were verified"
    );
    // The copy rpm read is private to root.
    use std::os::unix::fs::MetadataExt;
    let staging = h.host_path("/var/lib/xcpng-mod/commandline");
    assert_eq!(std::fs::metadata(&staging).unwrap().mode() & 0o777, 0o700);
}

/// A package file given through a symbolic link is refused, naming it: it is read once, from
/// the file itself.
#[test]
fn a_package_file_behind_a_link_is_refused() {
    let (h, file) = host();
    let link = h.dir().join("link.rpm");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    h.run(&["--assumeno", "install", link.to_str().unwrap()])
        .code(1)
        .stderr_has("link.rpm")
        .stderr_has("symbolic link");
}
