//! `pool status` against the XAPI test double (`tests/xapi_double/xapi_double.py`: XAPI's
//! JSON-RPC wire format and error codes from xen-api's source, NOT XAPI itself) over HTTPS
//! with a certificate made here, and over its local socket. Behind the double everything is
//! real: `host.call_plugin` runs the real plugin, which runs the real binary on each host's own
//! tree (copies of the demo host: real rpmdb, real repos, sysfs devices).

use crate::common::run_raw_env;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A running double; killed on drop.
pub(crate) struct Double {
    child: Child,
    pub(crate) master: u16,
    pub(crate) ports: Value,
    pub(crate) socket: PathBuf,
}

impl Drop for Double {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) struct PoolHosts {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) roots: Vec<PathBuf>,
    pub(crate) cert: PathBuf,
    key: PathBuf,
}

/// One demo host built, copied into `n` host trees; a self-signed certificate for 127.0.0.1.
pub(crate) fn hosts(n: usize) -> PoolHosts {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    crate::common::run_raw(&["demo", demo.to_str().unwrap()], dir.path()).ok();
    let mut roots = Vec::new();
    for i in 1..=n {
        let r = dir.path().join(format!("host{i}"));
        let st = Command::new("cp")
            .args(["-a"])
            .arg(demo.join("root"))
            .arg(&r)
            .status()
            .unwrap();
        assert!(st.success());
        roots.push(r);
    }
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let out = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl");
    assert!(out.status.success(), "{out:?}");
    PoolHosts {
        dir,
        roots,
        cert,
        key,
    }
}

/// Start the double over `p`'s hosts (host1 the master); `unreachable` names hosts whose
/// plugin calls fail as a host XAPI cannot contact.
fn start(p: &PoolHosts, unreachable: &[&str], drop_sessions_after: u32) -> Double {
    let hosts: Vec<Value> = (1..=p.roots.len())
        .map(|i| {
            let name = format!("host{i}");
            json!({"unreachable": unreachable.contains(&name.as_str())})
        })
        .collect();
    start_with(
        p,
        json!({"drop_sessions_after": drop_sessions_after}),
        &hosts,
    )
}

/// Start the double: `pool` merged into its configuration, `hosts[i]` into host i+1's.
pub(crate) fn start_with(p: &PoolHosts, pool: Value, extra: &[Value]) -> Double {
    let n = std::fs::read_dir(p.dir.path()).unwrap().count();
    let socket = p.dir.path().join(format!("xapi-{n}.sock"));
    let hosts: Vec<Value> = p
        .roots
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut h = json!({"name": format!("host{}", i + 1), "root": r, "master": i == 0,
                               "product_version": "8.3.0"});
            if let Some(Value::Object(m)) = extra.get(i) {
                for (k, v) in m {
                    h[k] = v.clone();
                }
            }
            h
        })
        .collect();
    let mut config = json!({
        "credentials": {"user": "root", "password": "s3cret"},
        "plugin_dir": repo().join("packaging/xapi-plugin"),
        "binary": env!("CARGO_BIN_EXE_xcpng-mod"),
        "python": "python3",
        "stubs": repo().join("tests/xapi_double/stubs"),
        "socket": socket,
        "tls": {"cert": p.cert, "key": p.key},
        "hosts": hosts,
        "drop_sessions_after": 0,
    });
    if let Value::Object(m) = pool {
        for (k, v) in m {
            config[k] = v;
        }
    }
    let cfg = p.dir.path().join(format!("double-{n}.json"));
    std::fs::write(&cfg, config.to_string()).unwrap();
    let ports_file = p.dir.path().join(format!("ports-{n}.json"));
    let child = Command::new("python3")
        .arg(repo().join("tests/xapi_double/xapi_double.py"))
        .arg(&cfg)
        .arg(&ports_file)
        .spawn()
        .expect("python3");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ports_file.exists() {
        assert!(Instant::now() < deadline, "the XAPI double did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let ports: Value =
        serde_json::from_str(&std::fs::read_to_string(&ports_file).unwrap()).unwrap();
    Double {
        child,
        master: ports["master"].as_u64().unwrap() as u16,
        ports,
        socket,
    }
}

pub(crate) fn creds(p: &PoolHosts, password: &str) -> PathBuf {
    let f = p.dir.path().join(format!("creds-{password}"));
    std::fs::write(
        &f,
        format!("# pool admin\nuser=root\npassword={password}\n"),
    )
    .unwrap();
    f
}

/// `xcpng-mod pool status ARGS` over https with the pool certificate.
fn status(p: &PoolHosts, port: u16, extra: &[&str]) -> crate::common::Out {
    let mut a = vec!["status"];
    a.extend_from_slice(extra);
    pool_at(p, port, &a, &[])
}

/// `xcpng-mod pool ARGS` against the XAPI on `port`, over https with the pool certificate,
/// credentials from a file, and `env`.
pub(crate) fn pool_at(
    p: &PoolHosts,
    port: u16,
    args: &[&str],
    env: &[(&str, &str)],
) -> crate::common::Out {
    let url = format!("https://127.0.0.1:{port}");
    let c = creds(p, "s3cret");
    let mut a = vec!["pool"];
    a.extend_from_slice(args);
    a.extend_from_slice(&[
        "--xapi",
        &url,
        "--xapi-cert",
        p.cert.to_str().unwrap(),
        "--credentials",
        c.to_str().unwrap(),
    ]);
    run_raw_env(&a, p.dir.path(), env)
}

pub(crate) fn select_alternate(root: &Path) {
    crate::common::run_raw(
        &[
            "--root",
            root.to_str().unwrap(),
            "driver-tool",
            "-s",
            "-n",
            "intel-igb",
            "-v",
            "alternate",
        ],
        root,
    )
    .ok();
}

#[test]
fn status_reads_every_host_through_the_plugin_and_says_what_differs() {
    let p = hosts(3);
    select_alternate(&p.roots[1]);
    let d = start(&p, &[], 0);
    let out = status(&p, d.master, &["--json"]);
    let doc = out.ok().json();
    let names: Vec<&str> = doc["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["host1", "host2", "host3"], "master first");
    assert_eq!(doc["hosts"][0]["master"], true);
    assert_eq!(doc["hosts"][0]["version"], "8.3.0");
    let igb = |h: usize| {
        doc["hosts"][h]["drivers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == "intel-igb")
            .unwrap()
            .clone()
    };
    assert_eq!(igb(0)["selected"], "supported");
    assert_eq!(igb(1)["selected"], "alternate");
    assert_eq!(
        doc["hosts"][1]["packages"]["intel-igb-alt"],
        "5.3.5.39-1.xcpng8.3"
    );
    let diff = doc["differences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["what"] == "driver intel-igb")
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(diff["values"]["supported"], json!(["host1", "host3"]));
    assert_eq!(diff["values"]["alternate"], json!(["host2"]));
    assert_eq!(doc["baseline"]["drivers"]["intel-igb"], "supported");
    assert_eq!(doc["logins"], 1);
    // Text: the same, for people.
    status(&p, d.master, &[])
        .ok()
        .stdout_has("host1 (master)  XCP-ng 8.3.0  enabled")
        .stdout_has("driver intel-igb: alternate on host2; supported on host1, host3");
    // A member answers HOST_IS_SLAVE: the master it names is used.
    let member = d.ports["hosts"]["host2"].as_u64().unwrap() as u16;
    assert_ne!(member, d.master);
    let doc2 = status(&p, member, &["--json"]).ok().json();
    assert_eq!(doc2["hosts"].as_array().unwrap().len(), 3);
    // The local socket, as on the master: no credentials needed.
    let out = run_raw_env(
        &[
            "pool",
            "status",
            "--json",
            "--xapi",
            d.socket.to_str().unwrap(),
        ],
        p.dir.path(),
        &[],
    );
    assert_eq!(out.ok().json()["hosts"].as_array().unwrap().len(), 3);
}

#[test]
fn a_baseline_says_compliant_non_compliant_incompatible_and_unknown() {
    let p = hosts(3);
    select_alternate(&p.roots[1]);
    let d = start(&p, &["host3"], 0);
    let good = p.dir.path().join("good.json");
    std::fs::write(
        &good,
        json!({"drivers": {"intel-igb": "alternate"}, "packages": {"intel-igb-alt": "5.3.5.39-1.xcpng8.3"}})
            .to_string(),
    )
    .unwrap();
    let out = status(
        &p,
        d.master,
        &["--json", "--baseline", good.to_str().unwrap()],
    );
    out.code(1);
    let doc = out.json();
    let c = &doc["compliance"];
    assert_eq!(c[0]["state"], "non-compliant", "{c}");
    assert!(c[0]["why"][0]
        .as_str()
        .unwrap()
        .contains("driver intel-igb: alternate wanted, supported selected"));
    assert_eq!(c[1]["state"], "compliant", "{c}");
    assert_eq!(c[2]["state"], "unknown", "{c}");
    assert!(
        c[2]["why"]
            .as_str()
            .unwrap()
            .contains("CANNOT_CONTACT_HOST"),
        "{c}"
    );
    // A variant whose hardware is absent, and one that does not exist: incompatible.
    let bad = p.dir.path().join("bad.json");
    std::fs::write(
        &bad,
        json!({"drivers": {"r8125": "additional", "intel-igb": "oem"}}).to_string(),
    )
    .unwrap();
    let doc = status(
        &p,
        d.master,
        &["--json", "--baseline", bad.to_str().unwrap()],
    )
    .json();
    let why = doc["compliance"][0]["why"].to_string();
    assert_eq!(doc["compliance"][0]["state"], "incompatible");
    assert!(
        why.contains("variant additional of r8125 drives no device"),
        "{why}"
    );
    assert!(why.contains("driver intel-igb has no variant oem"), "{why}");
    // `pool status --json` of a good pool is a baseline: host2's state, read from a run
    // against host2 alone as master, makes host2 compliant.
    let snapshot = p.dir.path().join("snapshot.json");
    std::fs::write(&snapshot, status(&p, d.master, &["--json"]).stdout.clone()).unwrap();
    let doc = status(
        &p,
        d.master,
        &["--json", "--baseline", snapshot.to_str().unwrap()],
    )
    .json();
    assert_eq!(
        doc["compliance"][0]["state"], "compliant",
        "the master's own state"
    );
    assert_eq!(doc["compliance"][1]["state"], "non-compliant");
}

#[test]
fn xapi_faults_are_said_not_crashed_on() {
    let p = hosts(1);
    // XAPI dropped every session after three calls: logged in again, the answer whole.
    let d = start(&p, &[], 3);
    let doc = status(&p, d.master, &["--json"]).ok().json();
    assert_eq!(doc["logins"], 2, "{doc}");
    assert_eq!(doc["hosts"][0]["unreachable"], Value::Null);
    let url = format!("https://127.0.0.1:{}", d.master);
    let cert = p.cert.to_str().unwrap();
    // `pool status --xapi URL ARGS` with the environment `env`.
    let run = |url: &str, args: &[&str], env: &[(&str, &str)]| {
        let mut a = vec!["pool", "status", "--xapi", url];
        a.extend_from_slice(args);
        run_raw_env(&a, p.dir.path(), env)
    };
    let (wrong, good) = (creds(&p, "wrong"), creds(&p, "s3cret"));
    let (wrong, good) = (wrong.to_str().unwrap(), good.to_str().unwrap());
    run(&url, &["--xapi-cert", cert, "--credentials", wrong], &[])
        .code(1)
        .stderr_has("SESSION_AUTHENTICATION_FAILED")
        .stderr_has("check the credentials");
    // Credentials from the environment; none at all: said, with where they may come from.
    run(
        &url,
        &["--xapi-cert", cert],
        &[("XCPNG_MOD_XAPI_PASSWORD", "s3cret")],
    )
    .ok();
    run(&url, &["--xapi-cert", cert], &[])
        .code(1)
        .stderr_has("no credentials")
        .stderr_has("XCPNG_MOD_XAPI_PASSWORD");
    // The certificate is checked: without the pool's, the system's roots refuse it.
    run(&url, &["--credentials", good], &[])
        .code(1)
        .stderr_has("cannot reach XAPI");
    // The certificate pinned by its fingerprint, as openssl prints it; another one refused.
    let fp = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(&p.cert)
        .output()
        .unwrap();
    let fp = String::from_utf8(fp.stdout).unwrap();
    let fp = fp.trim().rsplit('=').next().unwrap().to_string();
    run(
        &url,
        &["--xapi-fingerprint", &fp, "--credentials", good],
        &[],
    )
    .ok();
    let other = "00:".repeat(31) + "00";
    run(
        &url,
        &["--xapi-fingerprint", &other, "--credentials", good],
        &[],
    )
    .code(1)
    .stderr_has("is not the pool's pinned one");
    // Plain http to anything but the loopback is refused before any connection.
    run("http://192.0.2.1", &["--credentials", good], &[])
        .code(1)
        .stderr_has("https:// only");
}
