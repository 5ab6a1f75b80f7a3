//! Transactions through the real binary and the real `rpm --root` on temp roots: install,
//! upgrade from testing, downgrade, removals, undo and rollback, rpm's own refusals (a failing
//! %pre, a file conflict), the lock, downloads that resume or are fetched again, the
//! disk-space refusal, and a run killed during the rpm step.

use crate::common;

use crate::common::{pkg, Out, PkgSpec, TestHost};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `rpm -q` on the host's rpmdb: the installed `name-version-release` of each, sorted.
fn rpmq(h: &TestHost, name: &str) -> Vec<String> {
    let o = Command::new("rpm")
        .arg("--root")
        .arg(h.root())
        .args([
            "--dbpath",
            "/var/lib/rpm",
            "-q",
            "--qf",
            "%{NAME}-%{VERSION}-%{RELEASE}\n",
            name,
        ])
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    let mut v: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| !l.contains("is not installed"))
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

/// Every installed package, for "nothing changed" checks.
fn rpmqa(h: &TestHost) -> Vec<String> {
    h.rpm_qa()
}

/// A host with an initialised rpmdb (and `/bin/sh` from busybox, so scriptlets run).
fn host() -> TestHost {
    let h = TestHost::new();
    h.install(&[pkg("filesystem", "3.2", "1").provides("/bin/sh")]);
    for d in ["bin", "tmp", "var/tmp", "dev"] {
        std::fs::create_dir_all(h.host_path(d)).unwrap();
    }
    if Path::new("/bin/busybox").exists() {
        std::fs::copy("/bin/busybox", h.host_path("/bin/busybox")).unwrap();
        for a in ["sh", "sleep", "touch", "echo", "cat"] {
            std::os::unix::fs::symlink("busybox", h.host_path(&format!("/bin/{a}"))).unwrap();
        }
    }
    h
}

/// A file of `n` bytes that compresses badly, so package sizes are real.
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[track_caller]
fn unchanged(h: &TestHost, before: &[String]) {
    assert_eq!(rpmqa(h), before, "the rpmdb changed");
}

fn history_json(h: &TestHost) -> serde_json::Value {
    h.run(&["--json", "history"]).json()
}

#[test]
fn install_records_history_log_and_json() {
    let h = host();
    h.add_repo(
        "base",
        true,
        &[
            pkg("app", "1.0", "1").requires("libfoo"),
            pkg("libfoo", "2.0", "1").file("/usr/lib/libfoo.so", b"lib"),
        ],
    );
    // No terminal and no -y: refused, nothing changed.
    let before = rpmqa(&h);
    h.run(&["install", "app"])
        .code(1)
        .stdout_has("Installing:")
        .stderr_has("standard input is not a terminal")
        .stderr_has("pass -y");
    unchanged(&h, &before);
    h.run(&["--assumeno", "install", "app"]).ok();
    unchanged(&h, &before);

    let out = h.run(&["-y", "--json", "install", "app"]);
    out.ok();
    let doc = out.json();
    assert_eq!(doc["transaction"]["id"], 1);
    assert_eq!(doc["transaction"]["result"], "ok");
    assert_eq!(doc["plan"]["install"].as_array().unwrap().len(), 2);
    assert_eq!(rpmq(&h, "app"), vec!["app-1.0-1"]);
    assert_eq!(rpmq(&h, "libfoo"), vec!["libfoo-2.0-1"]);
    assert_eq!(
        std::fs::read(h.host_path("/usr/lib/libfoo.so")).unwrap(),
        b"lib"
    );
    // The package files are in the repo's cache.
    assert!(h
        .host_path("/var/cache/xcpng-mod/base/packages/app-1.0-1.x86_64.rpm")
        .is_file());
    let hist = history_json(&h);
    let t = &hist["transactions"][0];
    assert_eq!(t["id"], 1);
    assert_eq!(t["result"], "ok");
    assert!(t["command"].to_string().contains("install"));
    assert_eq!(t["steps"].as_array().unwrap().len(), 2);
    assert_eq!(t["steps"][0]["after"]["repo"], "base");
    assert!(t["steps"][0]["after"]["sha256"].is_string());
    let log = std::fs::read_to_string(h.host_path("/var/log/xcpng-mod.log")).unwrap();
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(
        log.contains("transaction 1: install app-1.0-1.x86_64 done"),
        "{log}"
    );
    h.run(&["history", "info", "1"])
        .ok()
        .stdout_has("Transaction ID : 1")
        .stdout_has("install libfoo-2.0-1.x86_64  @base");
    assert!(!h.host_path("/var/lib/xcpng-mod/journal").exists());
    h.run(&["history", "info", "9"])
        .code(1)
        .stderr_has("no transaction 9");
}

#[test]
fn upgrade_from_testing_prints_the_way_back_and_undo_takes_it() {
    let h = host();
    h.add_repo("xcp-ng-base", true, &[pkg("intel-igb", "5.11.4", "1")]);
    h.add_repo(
        "xcp-ng-testing",
        false,
        &[pkg("intel-igb", "5.12.3", "1")
            .changelog("T E <t@e> - 5.12.3-1", "- Update to 5.12.3", 1_735_000_000)
            .changelog("T E <t@e> - 5.11.4-1", "- Old entry", 1_700_000_000)],
    );
    h.run(&["-y", "install", "intel-igb"]).ok();
    // candidates: testing is newer, with only the new changelog entry.
    let c = h.run(&["--json", "candidates"]).json();
    assert_eq!(c["candidates"][0]["candidate"]["version"], "5.12.3");
    assert_eq!(c["candidates"][0]["installed"]["version"], "5.11.4");
    assert_eq!(c["candidates"][0]["reboot"], "reboot-or-reload");
    let log = c["candidates"][0]["changelog"].as_array().unwrap();
    assert_eq!(log.len(), 1, "{c}");
    h.run(&["candidates"]).ok().stdout_has("- Update to 5.12.3");

    let out = h.run(&[
        "-y",
        "--enablerepo",
        "xcp-ng-testing",
        "update",
        "intel-igb",
    ]);
    out.ok()
        .stdout_has("Transaction 2: ok")
        .stdout_has("disabled by default")
        .stdout_has("history undo 2")
        .stdout_has("downgrade intel-igb");
    assert_eq!(rpmq(&h, "intel-igb"), vec!["intel-igb-5.12.3-1"]);
    h.run(&["-y", "history", "undo", "2"])
        .ok()
        .stdout_has("Downgrading:");
    assert_eq!(rpmq(&h, "intel-igb"), vec!["intel-igb-5.11.4-1"]);
    let hist = history_json(&h);
    assert_eq!(hist["transactions"][0]["id"], 3);
    assert_eq!(hist["transactions"][0]["steps"][0]["action"], "downgrade");
}

#[test]
fn downgrade_and_remove_with_dependents_and_protected() {
    let h = host();
    h.add_repo("base", true, &[pkg("tool", "1.0", "1")]);
    h.install(&[
        pkg("tool", "2.0", "1"),
        pkg("lib", "1.0", "1"),
        pkg("user", "1.0", "1").requires("lib"),
        pkg("xcp-ng-deps", "8.3", "1"),
    ]);
    h.run(&["-y", "downgrade", "tool"]).ok();
    assert_eq!(rpmq(&h, "tool"), vec!["tool-1.0-1"]);

    h.run(&["-y", "remove", "lib"])
        .ok()
        .stdout_has("Removing dependent packages:");
    assert!(rpmq(&h, "lib").is_empty());
    assert!(rpmq(&h, "user").is_empty());

    let before = rpmqa(&h);
    h.run(&["-y", "remove", "xcp-ng-deps"])
        .code(1)
        .stderr_has("protected");
    unchanged(&h, &before);
}

#[test]
fn rollback_works_with_the_repo_gone() {
    let h = host();
    let base = h.add_repo(
        "base",
        true,
        &[pkg("intel-ixgbe", "1.0", "1"), pkg("extra", "1", "1")],
    );
    let testing = h.add_repo("testing", false, &[pkg("intel-ixgbe", "2.0", "1")]);
    h.run(&["-y", "install", "intel-ixgbe"]).ok();
    h.run(&["-y", "--enablerepo", "testing", "update"]).ok();
    h.run(&["-y", "install", "extra"]).ok();
    assert_eq!(rpmq(&h, "intel-ixgbe"), vec!["intel-ixgbe-2.0-1"]);
    // Both repos disappear (mirror gone, repo files removed).
    std::fs::remove_dir_all(&base).unwrap();
    std::fs::remove_dir_all(&testing).unwrap();
    std::fs::remove_file(h.host_path("/etc/yum.repos.d/base.repo")).unwrap();
    std::fs::remove_file(h.host_path("/etc/yum.repos.d/testing.repo")).unwrap();
    // And the downloaded copies with them: only the kept files remain.
    std::fs::remove_dir_all(h.host_path("/var/cache/xcpng-mod/base")).unwrap();
    std::fs::remove_dir_all(h.host_path("/var/cache/xcpng-mod/testing")).unwrap();
    h.run(&["-y", "history", "rollback", "1"]).ok();
    assert_eq!(rpmq(&h, "intel-ixgbe"), vec!["intel-ixgbe-1.0-1"]);
    assert!(rpmq(&h, "extra").is_empty());
    // Undoing the rollback needs `extra` again: it was never kept and no repo has it.
    h.run(&["-y", "history", "undo", "4"])
        .code(1)
        .stderr_has("extra-1-1.x86_64 (it came from repo `base`)")
        .stderr_has("no enabled repo carries, and no kept file holds");
}

/// A package whose %pre fails, built with the rpm crate.
fn failing_pre(dir: &Path) -> PathBuf {
    let mut b = rpmfile::PackageBuilder::new("badpre", "1.0", "GPLv2", "x86_64", "fails in %pre");
    b.release("1")
        .description("d")
        .using_config(rpmfile::BuildConfig::v4().compression(rpmfile::CompressionType::Gzip));
    b.with_file_contents(b"x".to_vec(), rpmfile::FileOptions::new("/etc/badpre.conf"))
        .unwrap();
    b.pre_install_script("echo refusing from pre; exit 1");
    let p = b.build().unwrap();
    let out = dir.join("Packages/badpre-1.0-1.x86_64.rpm");
    p.write_file(&out).unwrap();
    out
}

#[test]
fn failing_scriptlet_and_file_conflict_change_nothing() {
    let h = host();
    let dir = h.add_repo(
        "base",
        true,
        &[
            pkg("one", "1", "1").file("/etc/shared.conf", b"one"),
            pkg("two", "1", "1").file("/etc/shared.conf", b"two"),
        ],
    );
    failing_pre(&dir);
    xcpng_mod::demo::createrepo(&dir).unwrap();
    h.run(&["-y", "install", "one"]).ok();
    let before = rpmqa(&h);

    let out = h.run(&["-y", "install", "badpre"]);
    out.code(1)
        .stderr_has("refusing from pre")
        .stderr_has("nothing was changed");
    unchanged(&h, &before);
    assert!(!h.host_path("/etc/badpre.conf").exists());

    let out = h.run(&["-y", "install", "two"]);
    out.code(1)
        .stderr_has("conflicts with file from package one");
    unchanged(&h, &before);
    assert_eq!(
        std::fs::read(h.host_path("/etc/shared.conf")).unwrap(),
        b"one"
    );
    let hist = history_json(&h);
    assert_eq!(hist["transactions"][0]["result"], "failed");
    assert_eq!(hist["transactions"][1]["result"], "failed");
    assert!(!h.host_path("/var/lib/xcpng-mod/journal").exists());
}

#[test]
fn a_second_run_is_refused_while_the_lock_is_held_or_yum_runs() {
    use std::os::fd::AsRawFd;
    let h = host();
    h.add_repo("base", true, &[pkg("a", "1", "1")]);
    let lock = h.host_path("/run/xcpng-mod.lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    let f = std::fs::File::create(&lock).unwrap();
    // SAFETY: flock on a file we own.
    assert_eq!(
        unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) },
        0
    );
    h.run(&["-y", "install", "a"])
        .code(1)
        .stderr_has("another xcpng-mod is running");
    assert!(rpmq(&h, "a").is_empty());
    drop(f);
    // yum's pid file naming a live process (this test).
    h.write("/var/run/yum.pid", &format!("{}\n", std::process::id()));
    h.run(&["-y", "install", "a"])
        .code(1)
        .stderr_has("yum is running on this root");
    assert!(rpmq(&h, "a").is_empty());
    // A stale pid file does not block.
    h.write("/var/run/yum.pid", "999999999\n");
    h.run(&["-y", "install", "a"]).ok();
    assert_eq!(rpmq(&h, "a"), vec!["a-1-1"]);
}

#[test]
fn disk_space_is_checked_before_anything() {
    let h = host();
    h.add_repo("base", true, &[pkg("a", "1", "1")]);
    let before = rpmqa(&h);
    h.run(&["-y", "--setopt=diskspace_reserve=1000T", "install", "a"])
        .code(1)
        .stderr_has("not enough disk space in");
    unchanged(&h, &before);
    assert!(!h
        .host_path("/var/cache/xcpng-mod/base/packages/a-1-1.x86_64.rpm")
        .exists());
    // yum.conf's keys count as --setopt's do: the reserve from yum.conf refuses too, and
    // diskspacecheck=0 there turns the check off.
    h.yum_conf("[main]\ndiskspace_reserve=1000T\nkeepcache=0\n");
    let out = h.run(&["-y", "install", "a"]);
    out.code(1).stderr_has("not enough disk space in");
    assert!(!out.stderr.contains("keepcache"), "{}", out.stderr);
    h.yum_conf("[main]\ndiskspace_reserve=1000T\ndiskspacecheck=0\n");
    h.run(&["-y", "install", "a"]).ok();
    assert_eq!(rpmq(&h, "a"), vec!["a-1-1"]);
    // A bad value names where it was set.
    h.run(&["-y", "--setopt=diskspace_reserve=lots", "remove", "a"])
        .code(2)
        .stderr_has("diskspace_reserve");
}

#[test]
fn unsigned_packages_are_refused_when_gpgcheck_is_on() {
    let h = host();
    h.add_repo("base", true, &[pkg("a", "1", "1"), pkg("b", "1", "1")]);
    let text = std::fs::read_to_string(h.host_path("/etc/yum.repos.d/base.repo")).unwrap();
    h.repo_file("base.repo", &text.replace("gpgcheck=0", "gpgcheck=1"));
    let before = rpmqa(&h);
    h.run(&["-y", "install", "a", "b"])
        .code(1)
        .stderr_has("failed verification")
        .stderr_has("signature check failed (gpgcheck=1)");
    unchanged(&h, &before);
    // --downloadonly downloads and verifies, changing nothing.
    h.run(&["-y", "--nogpgcheck", "--downloadonly", "install", "a"])
        .ok()
        .stdout_has("downloaded and verified");
    unchanged(&h, &before);
}

#[test]
fn corrupted_and_truncated_cached_files_are_fetched_again() {
    let h = host();
    h.add_repo(
        "base",
        true,
        &[pkg("big", "1", "1").file("/opt/big", &noise(300_000, 7))],
    );
    h.run(&["-y", "--downloadonly", "install", "big"]).ok();
    let cached = h.host_path("/var/cache/xcpng-mod/base/packages/big-1-1.x86_64.rpm");
    let good = std::fs::read(&cached).unwrap();
    let mut bad = good.clone();
    let n = bad.len();
    bad[n / 2] ^= 0xff;
    std::fs::write(&cached, &bad).unwrap();
    h.run(&["-y", "--downloadonly", "install", "big"]).ok();
    assert_eq!(std::fs::read(&cached).unwrap(), good);
    std::fs::write(&cached, &good[..1000]).unwrap();
    h.run(&["-y", "install", "big"]).ok();
    assert_eq!(std::fs::read(&cached).unwrap(), good);
    assert_eq!(rpmq(&h, "big"), vec!["big-1-1"]);
}

/// (path, Range header) of each request.
type Hits = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A file server that honours `Range: bytes=N-` and records (path, range) of each request.
struct RangeServer {
    port: u16,
    hits: Hits,
}

impl RangeServer {
    fn start(dir: PathBuf) -> RangeServer {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let h2 = hits.clone();
        std::thread::spawn(move || {
            for c in l.incoming().flatten() {
                let (d, h) = (dir.clone(), h2.clone());
                std::thread::spawn(move || serve(c, &d, &h));
            }
        });
        RangeServer { port, hits }
    }
}

fn serve(mut c: TcpStream, dir: &Path, hits: &Hits) {
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut req = Vec::new();
    let mut buf = [0u8; 4096];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&req).to_string();
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
    let range = text
        .lines()
        .find_map(|l| {
            l.strip_prefix("Range: ")
                .or_else(|| l.strip_prefix("range: "))
        })
        .map(|s| s.trim().to_string());
    hits.lock().unwrap().push((path.clone(), range.clone()));
    let Ok(body) = std::fs::read(dir.join(path.trim_start_matches('/'))) else {
        let _ = c
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let from: usize = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.trim_end_matches('-').parse().ok())
        .unwrap_or(0);
    let head = if range.is_some() {
        format!(
            "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {from}-{}/{}\r\nConnection: close\r\n\r\n",
            body.len() - from,
            body.len() - 1,
            body.len()
        )
    } else {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
    };
    let _ = c.write_all(head.as_bytes());
    let _ = c.write_all(&body[from..]);
}

#[test]
fn a_truncated_download_is_resumed_over_http() {
    let h = host();
    let dir = h.build_repo(
        "base",
        &[pkg("big", "1", "1").file("/opt/big", &noise(400_000, 3))],
    );
    let srv = RangeServer::start(dir);
    h.repo_file(
        "base.repo",
        &format!(
            "[base]\nname=base\nbaseurl=http://127.0.0.1:1/dead/ http://127.0.0.1:{}/\ngpgcheck=0\nretries=0\n",
            srv.port
        ),
    );
    h.run(&[
        "-y",
        "--downloadonly",
        "--setopt=retries=0",
        "install",
        "big",
    ])
    .ok();
    let cached = h.host_path("/var/cache/xcpng-mod/base/packages/big-1-1.x86_64.rpm");
    let good = std::fs::read(&cached).unwrap();
    std::fs::write(&cached, &good[..100_000]).unwrap();
    srv.hits.lock().unwrap().clear();
    h.run(&["-y", "--setopt=retries=0", "install", "big"]).ok();
    assert_eq!(std::fs::read(&cached).unwrap(), good);
    let hits = srv.hits.lock().unwrap().clone();
    assert!(
        hits.iter().any(
            |(p, r)| p.ends_with("big-1-1.x86_64.rpm") && r.as_deref() == Some("bytes=100000-")
        ),
        "{hits:?}"
    );
    assert_eq!(rpmq(&h, "big"), vec!["big-1-1"]);
}

#[test]
fn needs_reboot_reasons() {
    let h = host();
    h.run(&["needs-reboot"]).ok().stdout_has("No reboot needed");
    h.install(&[
        pkg("kernel", "4.19.19", "8").provides("kernel-uname-r = 4.19.0+1"),
        pkg("kernel", "4.19.19", "9").provides("kernel-uname-r = 4.19.0+2"),
    ]);
    h.write("/proc/sys/kernel/osrelease", "4.19.0+1\n");
    h.write("/run/reboot-required.d/xen-hypervisor/4.17.5-1", "");
    let out = h.run(&["needs-reboot"]);
    out.code(1)
        .stdout_has("xen-hypervisor 4.17.5-1 asks for a reboot")
        .stdout_has("kernel 4.19.19-9 (uname 4.19.0+2) is installed; 4.19.0+1 is running");
    let doc = h.run(&["--json", "needs-reboot"]);
    doc.code(1);
    assert_eq!(doc.json()["reasons"].as_array().unwrap().len(), 2);
}

fn spawn_group(h: &TestHost, args: &[&str]) -> std::process::Child {
    use std::os::unix::process::CommandExt;
    let mut c = Command::new(common::bin());
    c.arg("--root")
        .arg(h.root())
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("LC_ALL", "C")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0);
    c.spawn().unwrap()
}

/// Wait until the update's `%post` scriptlet (of the `slow` package) has started.
fn wait_for_post(h: &TestHost, child: &mut std::process::Child) {
    let marker = h.host_path("/tmp/post-started");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !marker.exists() {
        if let Some(st) = child.try_wait().unwrap() {
            panic!("xcpng-mod ended before %post ran: {st}");
        }
        assert!(Instant::now() < deadline, "%post never started");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn killed_during_rpm_is_detected_and_recovered() {
    let h = host();
    let mut slow = pkg("slow", "2", "1").file("/etc/slow.conf", b"2");
    slow.post = Some("touch /tmp/post-started; sleep 60".into());
    h.add_repo("base", true, &[slow, pkg("other", "1", "1")]);
    h.install(&[PkgSpec::new("slow", "1", "1").file("/etc/slow.conf", b"1")]);
    let mut child = spawn_group(&h, &["-y", "update", "slow"]);
    wait_for_post(&h, &mut child);
    // SAFETY: kill the process group we created.
    assert_eq!(
        unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) },
        0
    );
    child.wait().unwrap();
    assert!(h.host_path("/var/lib/xcpng-mod/journal").exists());

    let out: Out = h.run(&["-y", "install", "other"]);
    out.code(1)
        .stderr_has("transaction 1 (`xcpng-mod --root")
        .stderr_has("did not finish")
        .stderr_has("upgrade slow.x86_64 1-1 → 2-1: half done (both versions in the rpmdb)")
        .stderr_has("history recover");
    assert!(rpmq(&h, "other").is_empty());
    h.run(&["history"])
        .ok()
        .stdout_has("An interrupted transaction is pending");

    h.run(&["history", "recover"])
        .ok()
        .stdout_has("Finished the upgrade: erased slow-1-1.x86_64")
        .stdout_has("Recorded as transaction 1 (interrupted)");
    assert_eq!(rpmq(&h, "slow"), vec!["slow-2-1"]);
    let hist = history_json(&h);
    assert_eq!(hist["transactions"][0]["result"], "interrupted");
    assert_eq!(hist["transactions"][0]["steps"][0]["done"], true);
    h.run(&["-y", "install", "other"]).ok();
    assert_eq!(rpmq(&h, "other"), vec!["other-1-1"]);
    h.run(&["history", "recover"])
        .ok()
        .stdout_has("No interrupted transaction");
}

#[test]
fn ctrl_c_during_rpm_lets_rpm_finish_and_leaves_a_consistent_record() {
    let h = host();
    let mut slow = pkg("slow", "2", "1").file("/etc/slow.conf", b"2");
    // The scriptlet outlives the Ctrl-C: rpm (and xcpng-mod) must wait for it.
    slow.post = Some("trap '' INT; touch /tmp/post-started; sleep 2; touch /tmp/post-done".into());
    h.add_repo("base", true, &[slow]);
    h.install(&[PkgSpec::new("slow", "1", "1").file("/etc/slow.conf", b"1")]);
    let mut child = spawn_group(&h, &["-y", "update", "slow"]);
    wait_for_post(&h, &mut child);
    // SAFETY: Ctrl-C, as a terminal sends it, to the process group we created.
    assert_eq!(unsafe { libc::kill(-(child.id() as i32), libc::SIGINT) }, 0);
    let st = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        st.signal(),
        None,
        "xcpng-mod was killed by the Ctrl-C: {st:?}"
    );
    assert!(
        h.host_path("/tmp/post-done").exists(),
        "the scriptlet in hand was cut short"
    );
    // Whatever rpm completed is what the rpmdb, the history and the journal agree on.
    assert!(
        !h.host_path("/var/lib/xcpng-mod/journal").exists(),
        "a journal was left behind"
    );
    assert_eq!(rpmq(&h, "slow"), vec!["slow-2-1"]);
    let hist = history_json(&h);
    assert_eq!(hist["transactions"][0]["steps"][0]["done"], true, "{hist}");
}

#[test]
fn needs_reboot_for_xen_microcode_and_a_stale_initrd() {
    let h = host();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // Booted an hour ago; nothing installed since: no reboot.
    h.write(
        "/proc/stat",
        &format!("cpu  1 2 3 4\nbtime {}\n", now - 3600),
    );
    h.write("/proc/sys/kernel/osrelease", "4.19.0+1\n");
    h.run(&["needs-reboot"]).ok();
    // A driver for 4.19.0+1 and an initrd written before it was installed.
    let initrd = h.host_path("/boot/initrd-4.19.0+1.img");
    std::fs::create_dir_all(initrd.parent().unwrap()).unwrap();
    std::fs::write(&initrd, b"initrd").unwrap();
    let two_days_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 86400);
    std::fs::File::options()
        .write(true)
        .open(&initrd)
        .unwrap()
        .set_modified(two_days_ago)
        .unwrap();
    h.install(&[
        pkg("xen-hypervisor", "4.17.5", "1"),
        pkg("microcode_ctl", "2.1", "73"),
        pkg("intel-igb", "5.11.4", "1").requires("kernel-uname-r = 4.19.0+1"),
    ]);
    let doc = h.run(&["--json", "needs-reboot"]);
    doc.code(1);
    let kinds: Vec<String> = doc.json()["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_string())
        .collect();
    for k in ["xen", "microcode", "initrd"] {
        assert!(kinds.contains(&k.to_string()), "no {k} reason in {kinds:?}");
    }
    // dracut regenerated the initrd: that reason goes away, the others stay.
    std::fs::File::options()
        .write(true)
        .open(&initrd)
        .unwrap()
        .set_modified(std::time::SystemTime::now() + Duration::from_secs(60))
        .unwrap();
    let out = h.run(&["needs-reboot"]);
    out.code(1);
    assert!(!out.stdout.contains("initrd"), "{}", out.stdout);
}

/// While a transaction runs, `/var/run/yum.pid` holds xcpng-mod's pid, as yum's own lock does
/// (so a yum or updater.py started meanwhile refuses); it is removed when the run ends.
#[test]
fn yum_sees_xcpng_mod_through_its_pid_file() {
    let h = host();
    let mut slow = pkg("slow", "2", "1").file("/etc/slow.conf", b"2");
    slow.post = Some("touch /tmp/post-started; sleep 1".into());
    h.add_repo("base", true, &[slow]);
    h.install(&[PkgSpec::new("slow", "1", "1").file("/etc/slow.conf", b"1")]);
    let mut child = spawn_group(&h, &["-y", "update", "slow"]);
    wait_for_post(&h, &mut child);
    let pidfile = h.host_path("/var/run/yum.pid");
    let held = std::fs::read_to_string(&pidfile).unwrap_or_default();
    assert_eq!(
        held.trim(),
        child.id().to_string(),
        "yum.pid names the running xcpng-mod"
    );
    assert!(child.wait().unwrap().success());
    assert!(!pidfile.exists(), "yum.pid is removed at the end");
    // A pid file another process owns is left alone, a stale one is taken over and removed.
    h.write("/var/run/yum.pid", "999999999\n");
    h.run(&["-y", "remove", "slow"]).ok();
    assert!(!pidfile.exists());
}

/// A history line torn by a power loss (no newline at the end) costs nothing: the next record
/// starts on a line of its own, the torn one is skipped with a warning naming file:line, and
/// install, undo and history keep working.
#[test]
fn a_torn_history_line_costs_nothing() {
    let h = host();
    h.add_repo(
        "base",
        true,
        &[pkg("a", "1", "1"), pkg("b", "1", "1"), pkg("c", "1", "1")],
    );
    h.run(&["-y", "install", "a"]).ok();
    let hist = h.host_path("/var/lib/xcpng-mod/history");
    let mut text = std::fs::read_to_string(&hist).unwrap();
    text.push_str("{\"id\":2,\"time\":17000,\"comm");
    std::fs::write(&hist, text).unwrap();
    h.run(&["-y", "install", "b"])
        .ok()
        .stderr_has("history:2: skipped an unreadable history record");
    h.run(&["-y", "install", "c"]).ok();
    let doc = history_json(&h);
    let ids: Vec<u64> = doc["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{doc}");
    assert!(ids.contains(&1));
    // The last record can be undone.
    let last = ids.iter().max().unwrap().to_string();
    h.run(&["-y", "history", "undo", &last]).ok();
    assert!(rpmq(&h, "c").is_empty());
    // The keep manifest too: a torn line is skipped, not fatal.
    let manifest = h.host_path("/var/cache/xcpng-mod/keep/manifest");
    std::fs::create_dir_all(manifest.parent().unwrap()).unwrap();
    std::fs::write(&manifest, "{\"nevra\":\"x").unwrap();
    h.run(&["-y", "remove", "b"]).ok();
}

/// A crash after the history append and before the journal is cleared: the next run sees the
/// transaction is recorded, clears the journal and goes on; `history recover` records nothing
/// twice.
#[test]
fn a_journal_left_after_its_record_is_only_cleared() {
    let h = host();
    h.add_repo("base", true, &[pkg("a", "1", "1"), pkg("b", "1", "1")]);
    h.run(&["-y", "install", "a"]).ok();
    let rec: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(h.host_path("/var/lib/xcpng-mod/history"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let journal = serde_json::json!({
        "id": rec["id"], "pid": 1, "started": rec["time"], "command": rec["command"],
        "user": "root", "changes": []
    });
    let jp = h.host_path("/var/lib/xcpng-mod/journal");
    std::fs::write(&jp, journal.to_string()).unwrap();
    h.run(&["history", "recover"]).ok();
    assert!(!jp.exists());
    assert_eq!(
        history_json(&h)["transactions"].as_array().unwrap().len(),
        1
    );
    std::fs::write(&jp, journal.to_string()).unwrap();
    h.run(&["-y", "install", "b"]).ok();
    assert!(!jp.exists());
    assert_eq!(
        history_json(&h)["transactions"].as_array().unwrap().len(),
        2
    );
}

/// `kill -9` of xcpng-mod alone (not its group, as the OOM killer does) while a `%post` runs:
/// rpm and the scriptlet finish (their output goes to a file, not to a pipe that died), and
/// the next run recovers from the journal and the rpmdb: history, journal and rpmdb agree.
#[test]
fn rpm_finishes_when_the_tool_alone_is_killed() {
    let h = host();
    let mut slow = pkg("slow", "2", "1").file("/etc/slow.conf", b"2");
    slow.post = Some(
        "touch /tmp/post-started; sleep 1; i=0; while [ $i -lt 200 ]; do echo after-kill $i; i=$((i+1)); done; echo done >&2; touch /tmp/post-done"
            .into(),
    );
    h.add_repo("base", true, &[slow]);
    h.install(&[PkgSpec::new("slow", "1", "1").file("/etc/slow.conf", b"1")]);
    let mut child = spawn_group(&h, &["-y", "update", "slow"]);
    wait_for_post(&h, &mut child);
    // SAFETY: SIGKILL to xcpng-mod's own pid only; rpm, its child, lives on.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGKILL) }, 0);
    child.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(h.host_path("/tmp/post-done").exists() && rpmq(&h, "slow") == vec!["slow-2-1"]) {
        assert!(
            Instant::now() < deadline,
            "rpm did not finish after xcpng-mod was killed: post-done {}, rpmdb {:?}",
            h.host_path("/tmp/post-done").exists(),
            rpmq(&h, "slow")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(h.host_path("/var/lib/xcpng-mod/journal").exists());
    h.run(&["history", "recover"])
        .ok()
        .stdout_has("Recorded as transaction 1 (interrupted)");
    assert!(!h.host_path("/var/lib/xcpng-mod/journal").exists());
    let hist = history_json(&h);
    assert_eq!(hist["transactions"][0]["steps"][0]["done"], true, "{hist}");
    assert_eq!(rpmq(&h, "slow"), vec!["slow-2-1"]);
}

/// A host where undoing the install of `drv-alt-module` (which obsoleted `drv-module`) needs
/// rpm to erase first: the two own the same file with other content. `drv-module`'s `%pre`
/// refuses while /etc/drv-refuse exists.
fn erase_first_host() -> TestHost {
    let h = host();
    h.add_repo(
        "base",
        true,
        &[
            pkg("drv-module", "1", "1")
                .file("/lib/modules/4.19.0+1/extra/drv.ko", b"plain")
                .pre("if [ -e /etc/drv-refuse ]; then echo drv pre refuses; exit 1; fi; exit 0"),
            pkg("drv-alt-module", "1", "1")
                .obsoletes("drv-module")
                .file("/lib/modules/4.19.0+1/extra/drv.ko", b"alternate"),
        ],
    );
    h.run(&["-y", "install", "drv-module"]).ok();
    h.run(&["-y", "install", "drv-alt-module"]).ok();
    assert_eq!(rpmq(&h, "drv-alt-module"), vec!["drv-alt-module-1-1"]);
    assert!(rpmq(&h, "drv-module").is_empty());
    h.write("/etc/drv-refuse", "");
    h
}

#[test]
fn a_failed_install_after_an_erase_puts_the_erased_package_back() {
    let h = erase_first_host();
    let before = rpmqa(&h);
    h.run(&["-y", "history", "undo", "2"])
        .code(1)
        .stderr_has("drv pre refuses")
        .stderr_has("put back what was erased before the failure: drv-alt-module-1-1.x86_64")
        .stderr_has("nothing was changed");
    unchanged(&h, &before);
    assert_eq!(
        std::fs::read(h.host_path("/lib/modules/4.19.0+1/extra/drv.ko")).unwrap(),
        b"alternate"
    );
    let hist = history_json(&h);
    assert_eq!(hist["transactions"][0]["result"], "failed", "{hist}");
    assert!(!h.host_path("/var/lib/xcpng-mod/journal").exists());
    // Once the refusal is gone, the same undo goes through.
    std::fs::remove_file(h.host_path("/etc/drv-refuse")).unwrap();
    h.run(&["-y", "history", "undo", "2"]).ok();
    assert_eq!(rpmq(&h, "drv-module"), vec!["drv-module-1-1"]);
    assert!(rpmq(&h, "drv-alt-module").is_empty());
}

#[test]
fn a_run_killed_between_erase_and_install_is_put_back_by_recover() {
    let h = erase_first_host();
    let before = rpmqa(&h);
    // An `rpm` that lets the erase through and kills xcpng-mod when the install starts.
    let bin = h.dir().join("killer-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let real = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v rpm"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let script = format!(
        "#!/bin/sh\ncase \" $* \" in *' -i '*|*' -U '*) case \" $* \" in *' --test '*) ;; *) kill -9 $PPID; exit 1;; esac;; esac\nexec {} \"$@\"\n",
        real.trim()
    );
    let w = bin.join("rpm");
    std::fs::write(&w, script).unwrap();
    std::fs::set_permissions(&w, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::remove_file(h.host_path("/etc/drv-refuse")).unwrap();
    let out = h.run_with_path(&bin, &["-y", "history", "undo", "2"]);
    assert_eq!(out.code, 128 + 9, "{}", out.stderr);
    assert!(rpmq(&h, "drv-alt-module").is_empty(), "the erase ran");
    assert!(rpmq(&h, "drv-module").is_empty(), "the install did not");
    assert!(h.host_path("/var/lib/xcpng-mod/journal").exists());
    h.run(&["history", "recover"])
        .ok()
        .stdout_has("put back what was erased before the failure: drv-alt-module-1-1.x86_64");
    unchanged(&h, &before);
    assert!(!h.host_path("/var/lib/xcpng-mod/journal").exists());
    let hist = history_json(&h);
    assert_eq!(hist["transactions"][0]["result"], "interrupted", "{hist}");
}
