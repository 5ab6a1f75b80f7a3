//! A host without CA certificates: local work must go on, and an http(s) repo must give an
//! error that says why — never a crash. (rustls' native-certs loader honours SSL_CERT_FILE and
//! SSL_CERT_DIR, which point at nothing here.)

use crate::common::{bin, pkg, TestHost};
use std::process::Command;

fn run_without_cas(h: &TestHost, args: &[&str]) -> (i32, String) {
    let o = Command::new(bin())
        .arg("--root")
        .arg(h.root())
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("LC_ALL", "C")
        .env("HOME", h.dir())
        .env("SSL_CERT_FILE", h.dir().join("no-such-bundle.pem"))
        .env("SSL_CERT_DIR", h.dir().join("no-such-dir"))
        .output()
        .unwrap();
    (
        o.status.code().expect("not killed by a signal"),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn no_ca_certificates_is_an_error_not_a_crash() {
    let h = TestHost::new();
    h.add_repo("local", true, &[pkg("intel-igb-alt", "5.3.5.39", "1")]);
    let (code, err) = run_without_cas(&h, &["list", "--available"]);
    assert_eq!(code, 0, "{err}");
    h.repo_file(
        "remote.repo",
        "[remote]\nname=r\nbaseurl=https://127.0.0.1:9/repo/\ngpgcheck=0\n",
    );
    let (code, err) = run_without_cas(&h, &["--refresh", "list", "--available"]);
    assert_ne!(code, 101, "panicked: {err}");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("repo `remote`"), "{err}");
    assert!(err.contains("CA certificates"), "{err}");
    assert_eq!(
        err.matches("cannot set up HTTP/TLS").count(),
        1,
        "no retries of a local failure: {err}"
    );
}
