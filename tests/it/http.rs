//! Fetching over HTTP from a real server on 127.0.0.1 inside the test: failover across
//! baseurls, HTTP errors, redirects, truncated and oversized bodies, checksum mismatches,
//! the repomd.xml cap, timeouts, and the cache staying whole when a fetch fails.

use crate::common;
use crate::common::{pkg, TestHost};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the server answers to one request.
#[derive(Clone)]
enum Reply {
    /// 200 with Content-Length.
    Body(Vec<u8>),
    /// 200 without Content-Length; the body ends when the connection closes.
    CloseDelimited(Vec<u8>),
    /// 200 that claims `Content-Length: declared` but sends only `body`, then closes.
    Truncated {
        declared: usize,
        body: Vec<u8>,
    },
    /// An endless-ish stream: `n` bytes of `fill` after `head`, no Content-Length.
    Stream {
        head: Vec<u8>,
        fill: u8,
        n: usize,
    },
    /// Wait, then answer 200 with the body.
    Slow(Duration, Vec<u8>),
    Status(u16),
    Redirect(String),
    /// Accept the request and never answer (until the server stops).
    Silent,
    /// 200 with Content-Length, then the body one byte every `every`.
    Drip(Duration, Vec<u8>),
    /// 200 with Content-Length, the first `n` bytes, then nothing more.
    StallAfter(usize, Vec<u8>),
}

type Handler = dyn Fn(&str) -> Reply + Send + Sync;

/// A minimal HTTP/1.1 server on 127.0.0.1:0. It serves one request per connection and stops by
/// itself when dropped (or after a minute, whatever happens to the test).
struct Server {
    port: u16,
    hits: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(handler: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (h2, s2) = (hits.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !s2.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let (h3, s3, handler) = (h2.clone(), s2.clone(), handler.clone());
                        std::thread::spawn(move || serve(conn, &*handler, &h3, &s3));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            port,
            hits,
            stop,
            thread: Some(thread),
        }
    }

    /// Serve the files of `dir` under `/` (404 for what is missing).
    fn files(dir: &Path) -> Server {
        let dir = dir.to_path_buf();
        Server::start(move |p| file_reply(&dir, p))
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }

    fn hit_count(&self, suffix: &str) -> usize {
        self.hits().iter().filter(|h| h.ends_with(suffix)).count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn file_reply(dir: &Path, path: &str) -> Reply {
    let rel = path.trim_start_matches('/');
    if rel.split('/').any(|c| c == "..") {
        return Reply::Status(403);
    }
    match std::fs::read(dir.join(rel)) {
        Ok(b) => Reply::Body(b),
        Err(_) => Reply::Status(404),
    }
}

fn serve(mut conn: TcpStream, handler: &Handler, hits: &Mutex<Vec<String>>, stop: &AtomicBool) {
    conn.set_nonblocking(false).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    conn.set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut req = Vec::new();
    let mut buf = [0u8; 4096];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") && req.len() < 64 * 1024 {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&req);
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
    hits.lock().unwrap().push(path.clone());
    let head = |status: &str, len: Option<usize>| {
        let mut h = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
        if let Some(l) = len {
            h.push_str(&format!("Content-Length: {l}\r\n"));
        }
        h.push_str("\r\n");
        h.into_bytes()
    };
    let _ = match handler(&path) {
        Reply::Body(b) => conn.write_all(&head("200 OK", Some(b.len()))).and_then(|_| conn.write_all(&b)),
        Reply::CloseDelimited(b) => conn.write_all(&head("200 OK", None)).and_then(|_| conn.write_all(&b)),
        Reply::Truncated { declared, body } => conn
            .write_all(&head("200 OK", Some(declared)))
            .and_then(|_| conn.write_all(&body)),
        Reply::Stream { head: first, fill, n } => {
            let chunk = vec![fill; 64 * 1024];
            let mut r = conn.write_all(&head("200 OK", None)).and_then(|_| conn.write_all(&first));
            let mut sent = 0;
            while r.is_ok() && sent < n && !stop.load(Ordering::SeqCst) {
                let k = chunk.len().min(n - sent);
                r = conn.write_all(&chunk[..k]);
                sent += k;
            }
            r
        }
        Reply::Slow(wait, b) => {
            let until = Instant::now() + wait;
            while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
            }
            conn.write_all(&head("200 OK", Some(b.len()))).and_then(|_| conn.write_all(&b))
        }
        Reply::Status(code) => {
            let reason = match code {
                404 => "Not Found",
                403 => "Forbidden",
                500 => "Internal Server Error",
                _ => "Error",
            };
            conn.write_all(&head(&format!("{code} {reason}"), Some(0)))
        }
        Reply::Silent => {
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(())
        }
        Reply::Drip(every, b) => {
            let mut r = conn.write_all(&head("200 OK", Some(b.len())));
            for byte in b {
                if r.is_err() || stop.load(Ordering::SeqCst) {
                    break;
                }
                r = conn.write_all(&[byte]).and_then(|_| conn.flush());
                std::thread::sleep(every);
            }
            r
        }
        Reply::StallAfter(n, b) => {
            let r = conn
                .write_all(&head("200 OK", Some(b.len())))
                .and_then(|_| conn.write_all(&b[..n.min(b.len())]))
                .and_then(|_| conn.flush());
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
            }
            r
        }
        Reply::Redirect(to) => conn.write_all(
            format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        ),
    };
    let _ = conn.flush();
}

/// A port nothing listens on (bound, then closed).
fn closed_port_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}/")
}

/// A createrepo_c repo of three packages; returns its directory.
fn build_repo(h: &TestHost, id: &str, version: &str) -> PathBuf {
    h.build_repo(
        id,
        &[
            pkg("broadcom-bnxt-en", version, "1.xcpng8.3").provides("vendor-driver"),
            pkg("intel-igb-alt", "5.3.5.39", "1.xcpng8.3"),
            pkg("kmod-zfs-4.19.0+1", "2.1.7", "1.xcpng8.3"),
        ],
    )
}

/// The `repodata/<…>-primary.xml.gz` href of a repo directory.
fn primary_href(repo: &Path) -> String {
    let md = std::fs::read_to_string(repo.join("repodata/repomd.xml")).unwrap();
    let i = md.find("-primary.xml").expect("primary in repomd");
    let start = md[..i].rfind("repodata/").unwrap();
    let end = i + md[i..].find('"').unwrap();
    md[start..end].to_string()
}

/// Configure `[net]` with these baseurls; short timeout, no retries, so failover is quick.
fn net_repo(h: &TestHost, urls: &[String]) {
    h.repo_file(
        "net.repo",
        &format!(
            "[net]\nname=Net\nbaseurl={}\nenabled=1\ngpgcheck=0\n",
            urls.join(" ")
        ),
    );
}

const FAST: [&str; 2] = ["--setopt=retries=0", "--setopt=timeout=1"];

fn makecache(h: &TestHost) -> common::Out {
    let mut args = FAST.to_vec();
    args.extend(["--json", "makecache"]);
    h.run(&args)
}

fn assert_cached(h: &TestHost, n: usize) {
    let out = h.run(&["-C", "--json", "list", "--available"]);
    out.ok();
    assert_eq!(
        out.json()["packages"].as_array().unwrap().len(),
        n,
        "{}",
        out.stdout
    );
}

fn assert_no_cache(h: &TestHost) {
    let files = h.cache_files("net");
    assert!(
        files.is_empty(),
        "a failed fetch left files in the cache: {:?}",
        files.keys()
    );
}

#[test]
fn fetch_ok_then_cache_fresh() {
    let h = TestHost::new();
    let repo = build_repo(&h, "r", "1.0");
    let s = Server::files(&repo);
    net_repo(&h, &[s.url("/")]);
    let out = makecache(&h);
    out.ok();
    let doc = out.json();
    assert_eq!(doc["repos"][0]["id"], "net");
    assert_eq!(doc["repos"][0]["refreshed"], true);
    assert_eq!(doc["repos"][0]["packages"], 3);
    assert_eq!(s.hit_count("/repodata/repomd.xml"), 1);
    assert_eq!(s.hit_count("-primary.xml.gz"), 1);
    // Fresh cache: a second run does not touch the network.
    makecache(&h).ok();
    assert_eq!(s.hit_count("/repodata/repomd.xml"), 1, "{:?}", s.hits());
    assert_cached(&h, 3);
    // repolist shows the cached count without the network.
    let rl = h.run(&["--json", "repolist"]);
    assert_eq!(rl.json()["repos"][0]["packages"], 3);
    assert_eq!(s.hits().len(), 2);
}

#[test]
fn connection_refused_fails_over_to_second_baseurl() {
    let h = TestHost::new();
    let repo = build_repo(&h, "r", "1.0");
    let s = Server::files(&repo);
    net_repo(&h, &[closed_port_url(), s.url("/")]);
    let out = makecache(&h);
    out.ok();
    assert_eq!(out.json()["repos"][0]["packages"], 3);
    assert_eq!(s.hit_count("/repodata/repomd.xml"), 1);
    assert_cached(&h, 3);
}

#[test]
fn every_mirror_refusing_is_exit_1_naming_the_repo() {
    let h = TestHost::new();
    net_repo(&h, &[closed_port_url(), closed_port_url()]);
    let out = makecache(&h);
    out.code(1)
        .stderr_has("repo `net`")
        .stderr_has("repodata/repomd.xml");
    out.stderr_has("hint: ").stderr_has("--disablerepo=net");
    let doc = out.json();
    assert_eq!(doc["error"]["kind"], "repo");
    assert!(doc["error"]["message"]
        .as_str()
        .unwrap()
        .contains("repo `net`"));
    assert_no_cache(&h);
}

#[test]
fn not_found_on_first_mirror_fails_over() {
    let h = TestHost::new();
    let repo = build_repo(&h, "r", "1.0");
    let bad = Server::start(|_| Reply::Status(404));
    let good = Server::files(&repo);
    net_repo(&h, &[bad.url("/"), good.url("/")]);
    makecache(&h).ok();
    assert_eq!(bad.hits(), vec!["/repodata/repomd.xml"]);
    assert_cached(&h, 3);

    // 404 everywhere: exit 1, the message says "not found" for each mirror.
    let h2 = TestHost::new();
    let bad2 = Server::start(|_| Reply::Status(404));
    net_repo(&h2, &[bad.url("/"), bad2.url("/")]);
    let out = makecache(&h2);
    out.code(1).stderr_has("repo `net`").stderr_has("not found");
    assert_eq!(out.stderr.matches("not found").count(), 2, "{}", out.stderr);
    assert_no_cache(&h2);
}

#[test]
fn server_error_is_reported_with_its_status() {
    let h = TestHost::new();
    let s = Server::start(|_| Reply::Status(500));
    net_repo(&h, &[s.url("/")]);
    makecache(&h).code(1).stderr_has("HTTP 500");
}

#[test]
fn redirect_302_is_followed() {
    let h = TestHost::new();
    let repo = build_repo(&h, "r", "1.0");
    let target = Server::files(&repo);
    let to = target.url("");
    let mirror =
        Server::start(move |p| Reply::Redirect(format!("{to}{}", p.trim_start_matches("/old"))));
    net_repo(&h, &[mirror.url("/old/")]);
    let out = makecache(&h);
    out.ok();
    assert_eq!(out.json()["repos"][0]["packages"], 3);
    assert_eq!(mirror.hit_count("/old/repodata/repomd.xml"), 1);
    assert_eq!(target.hit_count("/repodata/repomd.xml"), 1);
    assert_eq!(target.hit_count("-primary.xml.gz"), 1);
    assert_cached(&h, 3);
}

#[test]
fn truncated_body_is_refused_and_the_next_mirror_used() {
    let h = TestHost::new();
    let repo = build_repo(&h, "r", "1.0");
    let dir = repo.clone();
    let cut = Server::start(move |p| match file_reply(&dir, p) {
        Reply::Body(b) if p.ends_with("primary.xml.gz") => Reply::Truncated {
            declared: b.len(),
            body: b[..b.len() / 2].to_vec(),
        },
        r => r,
    });
    let good = Server::files(&repo);
    net_repo(&h, &[cut.url("/"), good.url("/")]);
    makecache(&h).ok();
    assert_eq!(cut.hit_count("-primary.xml.gz"), 1);
    assert_eq!(good.hit_count("-primary.xml.gz"), 1);
    assert_eq!(
        good.hit_count("repomd.xml"),
        0,
        "repomd came from the first mirror"
    );
    assert_cached(&h, 3);

    // Only the truncating mirror: refused.
    let h2 = TestHost::new();
    net_repo(&h2, &[cut.url("/")]);
    makecache(&h2)
        .code(1)
        .stderr_has("repo `net`")
        .stderr_has("primary.xml.gz");
    assert_no_cache(&h2);
}

/// A mirror that serves `primary` with one byte changed (same size, wrong checksum).
fn corrupting(repo: &Path) -> Server {
    let dir = repo.to_path_buf();
    Server::start(move |p| match file_reply(&dir, p) {
        Reply::Body(mut b) if p.ends_with("primary.xml.gz") => {
            let n = b.len();
            b[n - 6] ^= 0xff; // inside the gzip trailer's CRC: still the same size
            Reply::Body(b)
        }
        r => r,
    })
}

#[test]
fn wrong_checksum_is_refused_and_the_next_mirror_used() {
    let h = TestHost::new();
    let repo = build_repo(&h, "r", "1.0");
    let bad = corrupting(&repo);
    let good = Server::files(&repo);
    net_repo(&h, &[bad.url("/"), good.url("/")]);
    let out = makecache(&h);
    out.ok();
    assert_eq!(bad.hit_count("-primary.xml.gz"), 1);
    assert_eq!(good.hit_count("-primary.xml.gz"), 1);
    assert_cached(&h, 3);
    // What is cached is the good file, byte for byte.
    let href = primary_href(&repo);
    let name = href.rsplit('/').next().unwrap();
    let cached = h.cache_files("net");
    assert_eq!(
        cached[&format!("repodata/{name}")],
        std::fs::read(repo.join(&href)).unwrap()
    );
}

#[test]
fn wrong_checksum_on_every_mirror_is_exit_1_naming_the_repo() {
    let h = TestHost::new();
    let repo = build_repo(&h, "r", "1.0");
    let (a, b) = (corrupting(&repo), corrupting(&repo));
    net_repo(&h, &[a.url("/"), b.url("/")]);
    let out = makecache(&h);
    out.code(1)
        .stderr_has("error: repo `net`")
        .stderr_has("sha256 checksum mismatch");
    assert_eq!(
        out.stderr.matches("checksum mismatch").count(),
        2,
        "{}",
        out.stderr
    );
    assert_eq!(out.json()["error"]["kind"], "repo");
    assert_no_cache(&h);
    // list says the same and exits 1.
    let out = h.run(&["--setopt=retries=0", "list"]);
    out.code(1).stderr_has("repo `net`");
    assert_eq!(out.stdout, "");
}

#[test]
fn oversized_file_is_refused() {
    let h = TestHost::new();
    let repo = build_repo(&h, "r", "1.0");
    // With a Content-Length bigger than repomd says.
    let dir = repo.clone();
    let big = Server::start(move |p| match file_reply(&dir, p) {
        Reply::Body(mut b) if p.ends_with("primary.xml.gz") => {
            b.extend_from_slice(&[0u8; 4096]);
            Reply::Body(b)
        }
        r => r,
    });
    // Without Content-Length: the excess is only seen while reading.
    let dir = repo.clone();
    let endless = Server::start(move |p| match file_reply(&dir, p) {
        Reply::Body(b) if p.ends_with("primary.xml.gz") => Reply::Stream {
            head: b,
            fill: 0,
            n: 8 << 20,
        },
        r => r,
    });
    net_repo(&h, &[big.url("/"), endless.url("/")]);
    let out = makecache(&h);
    out.code(1).stderr_has("repo `net`");
    let size = std::fs::metadata(repo.join(primary_href(&repo)))
        .unwrap()
        .len();
    let msg = format!("larger than the {size} bytes expected");
    assert_eq!(
        out.stderr.matches(&msg).count(),
        2,
        "want {msg:?} twice:\n{}",
        out.stderr
    );
    assert_no_cache(&h);

    // A mirror that is right after the oversized one is used (here without Content-Length).
    let dir = repo.clone();
    let good = Server::start(move |p| match file_reply(&dir, p) {
        Reply::Body(b) => Reply::CloseDelimited(b),
        r => r,
    });
    net_repo(&h, &[big.url("/"), good.url("/")]);
    makecache(&h).ok();
    assert_cached(&h, 3);
}

#[test]
fn repomd_bigger_than_the_cap_is_refused() {
    let h = TestHost::new();
    let cap = 16u64 << 20;
    let declared = Server::start(move |p| {
        if p.ends_with("repomd.xml") {
            // Claims more than the cap; nothing is sent after the head.
            Reply::Truncated {
                declared: cap as usize + 1,
                body: Vec::new(),
            }
        } else {
            Reply::Status(404)
        }
    });
    let streamed = Server::start(|p| {
        if p.ends_with("repomd.xml") {
            Reply::Stream {
                head: b"<?xml version=\"1.0\"?>\n<repomd>".to_vec(),
                fill: b' ',
                n: (17 << 20) + 1,
            }
        } else {
            Reply::Status(404)
        }
    });
    net_repo(&h, &[declared.url("/"), streamed.url("/")]);
    let out = makecache(&h);
    out.code(1).stderr_has("repo `net`");
    let msg = format!("larger than the {cap} bytes expected");
    assert_eq!(
        out.stderr.matches(&msg).count(),
        2,
        "want {msg:?} twice:\n{}",
        out.stderr
    );
    assert_no_cache(&h);
}

#[test]
fn slow_mirror_times_out_then_fails_over() {
    let h = TestHost::new();
    let repo = build_repo(&h, "r", "1.0");
    let dir = repo.clone();
    let slow = Server::start(move |p| match file_reply(&dir, p) {
        Reply::Body(b) => Reply::Slow(Duration::from_secs(4), b),
        r => r,
    });
    let good = Server::files(&repo);
    net_repo(&h, &[slow.url("/"), good.url("/")]);
    let out = h.run(&[
        "--setopt=retries=0",
        "--setopt=timeout=1",
        "-v",
        "makecache",
    ]);
    out.ok();
    assert_eq!(slow.hit_count("repomd.xml"), 1);
    assert_eq!(good.hit_count("repomd.xml"), 1);
    assert_cached(&h, 3);

    // Only the slow mirror: a timeout, exit 1.
    let h2 = TestHost::new();
    net_repo(&h2, &[slow.url("/")]);
    makecache(&h2)
        .code(1)
        .stderr_has("timed out")
        .stderr_has("repo `net`");
    assert_no_cache(&h2);
}

#[test]
fn failed_refresh_leaves_the_cache_untouched() {
    let h = TestHost::new();
    let v1 = build_repo(&h, "v1", "1.0");
    let s1 = Server::files(&v1);
    net_repo(&h, &[s1.url("/")]);
    makecache(&h).ok();
    let before = h.cache_files("net");
    assert!(
        before.contains_key("repodata/repomd.xml"),
        "{:?}",
        before.keys()
    );

    // The repo changes upstream, but every mirror serves a damaged primary.
    let v2 = build_repo(&h, "v2", "2.0");
    assert_ne!(primary_href(&v1), primary_href(&v2));
    let (a, b) = (corrupting(&v2), corrupting(&v2));
    let dir = v2.clone();
    let cut = Server::start(move |p| match file_reply(&dir, p) {
        Reply::Body(b) if p.ends_with("primary.xml.gz") => Reply::Truncated {
            declared: b.len(),
            body: b[..10].to_vec(),
        },
        r => r,
    });
    net_repo(&h, &[a.url("/"), b.url("/"), cut.url("/")]);
    let mut args = FAST.to_vec();
    args.extend(["--refresh", "makecache"]);
    h.run(&args).code(1).stderr_has("repo `net`");
    assert_eq!(a.hit_count("repomd.xml"), 1, "the new repomd was fetched");
    let after = h.cache_files("net");
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    assert!(before == after, "the cache changed after a failed fetch");
    // No staging or half-written file is left next to the cache.
    let entries: Vec<String> = std::fs::read_dir(h.host_path("/var/cache/xcpng-mod/net"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, vec!["repodata"]);
    // The old metadata is still usable offline.
    let out = h.run(&["-C", "--json", "list", "--available", "broadcom-bnxt-en"]);
    out.ok();
    assert_eq!(
        common::nvrs(&out.json()),
        vec!["broadcom-bnxt-en-1.0-1.xcpng8.3"]
    );

    // And a good mirror later replaces it whole.
    let good = Server::files(&v2);
    net_repo(&h, &[good.url("/")]);
    h.run(&["--refresh", "makecache"]).ok();
    let out = h.run(&["-C", "--json", "list", "--available", "broadcom-bnxt-en"]);
    assert_eq!(
        common::nvrs(&out.json()),
        vec!["broadcom-bnxt-en-2.0-1.xcpng8.3"]
    );
    let names: Vec<String> = h.cache_files("net").into_keys().collect();
    let old = primary_href(&v1);
    assert!(
        !names
            .iter()
            .any(|n| old.ends_with(n.trim_start_matches("repodata/"))),
        "{names:?}"
    );
}

#[test]
fn info_fetches_other_xml_over_http_for_the_changelog() {
    let h = TestHost::new();
    let repo = h.build_repo(
        "r",
        &[pkg("intel-igb", "5.12.3", "1.xcpng8.3").changelog(
            "Jane Doe <jane@example.org> - 5.12.3-1",
            "- Update to 5.12.3",
            1_735_000_000,
        )],
    );
    let s = Server::files(&repo);
    net_repo(&h, &[s.url("/")]);
    makecache(&h).ok();
    assert_eq!(
        s.hit_count("-other.xml.gz"),
        0,
        "other.xml is only fetched when needed"
    );
    let out = h.run(&["info", "intel-igb"]);
    out.ok()
        .stdout_has("Jane Doe <jane@example.org> - 5.12.3-1")
        .stdout_has("- Update to 5.12.3");
    assert_eq!(s.hit_count("-other.xml.gz"), 1);
}

/// A key served over http is pinned by fingerprint on first use (and said so, with a warning
/// about the http: URL); when the server later serves another key and a signature by it, the
/// run is refused naming both fingerprints and the way to accept; `-C` with the server down
/// uses the pinned copy and never goes to the network; `keys --accept` takes the new key.
#[test]
fn a_key_fetched_over_http_is_pinned_and_a_changed_key_refused() {
    use crate::trust_support::{fingerprint, gen_key, now, primary_xml, public_asc, write_repo};
    let h = TestHost::new();
    let served = h.dir().join("served");
    let (a, b) = (gen_key("A <a@example.org>"), gen_key("B <b@example.org>"));
    let primary = primary_xml(&[("zfs", "2.1.7")]);
    write_repo(&served, 1, now(), &primary, Some(&a));
    std::fs::write(served.join("KEY"), public_asc(&a)).unwrap();
    let server = Server::files(&served);
    let conf = format!(
        "[net]\nname=net\nbaseurl={}\nenabled=1\ngpgcheck=1\nrepo_gpgcheck=1\ngpgkey={}\n",
        server.url("/"),
        server.url("/KEY")
    );
    h.repo_file("net.repo", &conf);
    let (fa, fb) = (fingerprint(&a), fingerprint(&b));

    let first = h.run(&["makecache"]);
    first
        .ok()
        .stderr_has("pinned the key")
        .stderr_has(&fa)
        .stderr_has("neither file: nor https:");
    let pins = h.host_path("/var/lib/xcpng-mod/keys/net");
    assert!(
        std::fs::read_dir(&pins).unwrap().count() >= 2,
        "pin and key copy are kept"
    );

    // The same key again: accepted without a new pin message.
    let again = h.run(&["--refresh", "makecache"]);
    again.ok();
    assert!(!again.stderr.contains("pinned the key"), "{}", again.stderr);

    // Whoever is on the path now serves key B and metadata signed by it.
    write_repo(&served, 2, now(), &primary, Some(&b));
    std::fs::write(served.join("KEY"), public_asc(&b)).unwrap();
    h.run(&["--refresh", "makecache"])
        .code(1)
        .stderr_has(&fa)
        .stderr_has(&fb)
        .stderr_has("keys --accept net");

    // Offline: the pinned key verifies the cached metadata, and nothing is fetched.
    let hits_before = server.hits().len();
    h.run(&["-C", "list", "--available"]).ok().stdout_has("zfs");
    assert_eq!(
        server.hits().len(),
        hits_before,
        "-C must not go to the network"
    );

    // The admin checked B with the repo's owner and accepts it.
    h.run(&["keys", "--accept", "net"])
        .ok()
        .stderr_has("forgot")
        .stdout_has(&fb);
    h.run(&["--refresh", "makecache"]).ok();
    h.run(&["keys", "--accept", "nosuchrepo"]).code(2);

    // With the key server down, -C works from the pinned copy.
    drop(server);
    h.run(&["-C", "list", "--available"]).ok().stdout_has("zfs");
}

/// A first base URL that accepts the connection and never answers costs one `timeout`, not
/// `retries` × `timeout`: the second base URL serves the file right after. (Upper bounds with
/// a wide margin: the point is that the stall does not last.)
#[test]
fn a_mirror_that_never_answers_hands_over_within_the_timeout() {
    let h = TestHost::new();
    let repo = build_repo(&h, "r", "1.0");
    let silent = Server::start(|_| Reply::Silent);
    let good = Server::files(&repo);
    net_repo(&h, &[silent.url("/"), good.url("/")]);
    let t = Instant::now();
    h.run(&["--setopt=timeout=2", "--setopt=retries=3", "makecache"])
        .ok();
    let took = t.elapsed();
    assert!(took < Duration::from_secs(2 + 4), "took {took:?}");
    assert_eq!(
        silent.hit_count("repomd.xml"),
        1,
        "a stalled mirror is not retried"
    );
    assert_cached(&h, 3);
}

/// A mirror that drips (a byte every 300 ms: far below minrate) fails within a `timeout`
/// window and the next one serves; alone, it fails with an error that says so.
#[test]
fn a_dripping_mirror_fails_over_by_minrate() {
    let h = TestHost::new();
    let repo = build_repo(&h, "r", "1.0");
    let dir = repo.clone();
    let drip = Server::start(move |p| match file_reply(&dir, p) {
        Reply::Body(b) => Reply::Drip(Duration::from_millis(300), b),
        r => r,
    });
    let good = Server::files(&repo);
    net_repo(&h, &[drip.url("/"), good.url("/")]);
    let t = Instant::now();
    h.run(&["--setopt=timeout=2", "makecache"]).ok();
    assert!(
        t.elapsed() < Duration::from_secs(2 + 4),
        "took {:?}",
        t.elapsed()
    );
    assert_cached(&h, 3);

    let h2 = TestHost::new();
    net_repo(&h2, &[drip.url("/")]);
    let t = Instant::now();
    h2.run(&["--setopt=timeout=2", "makecache"])
        .code(1)
        .stderr_has("below minrate 1000 bytes/s")
        .stderr_has(&drip.url("/repodata/repomd.xml"));
    assert!(
        t.elapsed() < Duration::from_secs(2 + 4),
        "took {:?}",
        t.elapsed()
    );
    // minrate is read like yum's (a number, k/M suffixes); garbage is a usage error.
    h2.run(&["--setopt=minrate=1k", "repolist"]).ok();
    h2.run(&["--setopt=minrate=fast", "repolist"])
        .code(2)
        .stderr_has("minrate");
}

/// A package download that stalls midway releases the lock within `timeout` + 2 s (wide
/// margin), says "timed out after N s at URL", and leaves the host as it was.
#[test]
fn a_stalled_package_download_releases_the_lock_in_time() {
    let h = TestHost::new();
    h.install(&[]);
    let repo = build_repo(&h, "r", "1.0");
    let dir = repo.clone();
    let stall = Server::start(move |p| match file_reply(&dir, p) {
        Reply::Body(b) if p.ends_with(".rpm") => Reply::StallAfter(100, b),
        r => r,
    });
    net_repo(&h, &[stall.url("/")]);
    h.run(&["makecache"]).ok();
    let before = h.rpm_qa();
    let t = Instant::now();
    h.run(&["--setopt=timeout=2", "-y", "install", "intel-igb-alt"])
        .code(1)
        .stderr_has("timed out after 2 s")
        .stderr_has(&stall.url("/"));
    assert!(
        t.elapsed() < Duration::from_secs(2 + 2 + 4),
        "took {:?}",
        t.elapsed()
    );
    assert_eq!(h.rpm_qa(), before);
    // The lock is free: the next run is not refused as concurrent.
    let out = h.run(&["--assumeno", "install", "intel-igb-alt"]);
    assert!(!out.stderr.contains("another xcpng-mod"), "{}", out.stderr);
}

/// `dir/repodata/` with `primary.xml.gz` = `gz` and a repomd.xml that states its checksum
/// and, with `open` (the decompressed size), its size and open-size; without, neither (as a
/// hostile mirror would).
fn hand_repo(dir: &Path, gz: &[u8], open: Option<usize>) {
    use sha2::Digest;
    let rd = dir.join("repodata");
    std::fs::create_dir_all(&rd).unwrap();
    std::fs::write(rd.join("primary.xml.gz"), gz).unwrap();
    let ck = hex::encode(sha2::Sha256::digest(gz));
    let size = match open {
        Some(o) => format!("<size>{}</size><open-size>{o}</open-size>", gz.len()),
        None => String::new(),
    };
    std::fs::write(
        rd.join("repomd.xml"),
        format!(
            "<?xml version=\"1.0\"?>\n<repomd xmlns=\"http://linux.duke.edu/metadata/repo\">\
             <revision>1</revision><data type=\"primary\"><checksum type=\"sha256\">{ck}</checksum>\
             <location href=\"repodata/primary.xml.gz\"/><timestamp>1</timestamp>{size}</data></repomd>\n"
        ),
    )
    .unwrap();
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A primary whose one package has a `description` of `n` bytes.
fn primary_with_description(n: usize) -> Vec<u8> {
    let mut x =
        b"<?xml version=\"1.0\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" \
        xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"1\"><package type=\"rpm\">\
        <name>bloat</name><arch>x86_64</arch><version epoch=\"0\" ver=\"1\" rel=\"1\"/>\
        <checksum type=\"sha256\" pkgid=\"YES\">00</checksum><summary>s</summary><description>"
            .to_vec();
    x.extend(std::iter::repeat_n(b'a', n));
    x.extend_from_slice(
        b"</description><location href=\"bloat.rpm\"/><format></format></package></metadata>\n",
    );
    x
}

/// Every input is bounded: a repomd that states no size cannot make a download grow without
/// limit, a gzip cannot expand past 50 times its size when repomd states no open-size, and one
/// field cannot be larger than its kind may be (the error names the package and the field).
#[test]
fn metadata_without_stated_sizes_and_oversized_fields_are_refused() {
    let h = TestHost::new();
    // An endless primary, repomd silent about its size: refused at the cap, not held on to.
    let endless_dir = h.dir().join("endless");
    hand_repo(&endless_dir, b"x", None);
    let dir = endless_dir.clone();
    let endless = Server::start(move |p| match file_reply(&dir, p) {
        Reply::Body(_) if p.ends_with("primary.xml.gz") => Reply::Stream {
            head: Vec::new(),
            fill: b'x',
            n: 80 << 20,
        },
        r => r,
    });
    net_repo(&h, &[endless.url("/")]);
    makecache(&h)
        .code(1)
        .stderr_has(&format!("larger than the {} bytes expected", 32u64 << 20));
    assert_no_cache(&h);

    // A gzip bomb (40 MB of text in about 40 KB), repomd silent about the open-size.
    let h2 = TestHost::new();
    let bomb_dir = h2.dir().join("bomb");
    let bomb = gzip(&primary_with_description(40 << 20));
    assert!(
        bomb.len() * 50 < 40 << 20,
        "the bomb must expand more than 50x"
    );
    hand_repo(&bomb_dir, &bomb, None);
    let s = Server::files(&bomb_dir);
    net_repo(&h2, &[s.url("/")]);
    makecache(&h2).code(1).stderr_has("repo `net`");
    assert_no_cache(&h2);

    // Sizes stated, but one description of 2 MiB: refused naming the package and field.
    let h3 = TestHost::new();
    let big_dir = h3.dir().join("big");
    let big = primary_with_description(2 << 20);
    hand_repo(&big_dir, &gzip(&big), Some(big.len()));
    let s = Server::files(&big_dir);
    net_repo(&h3, &[s.url("/")]);
    makecache(&h3)
        .code(1)
        .stderr_has("package `bloat`")
        .stderr_has("description");
    assert_no_cache(&h3);
    // Within the bound: accepted.
    let h4 = TestHost::new();
    let ok_dir = h4.dir().join("ok");
    let fine = primary_with_description(100 << 10);
    hand_repo(&ok_dir, &gzip(&fine), Some(fine.len()));
    let s = Server::files(&ok_dir);
    net_repo(&h4, &[s.url("/")]);
    makecache(&h4).ok();
}
