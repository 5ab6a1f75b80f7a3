//! Getting the package files of a plan into `<cachedir>/<repo>/packages/` and verifying them.
//! A cached file is used only when its size and checksum match the metadata; a shorter one is
//! resumed (HTTP `Range`) and one that does not match is fetched again. Each file is tried on
//! every base URL of its repo in turn, with retries for transient errors. Verification checks
//! the checksum always and the header signatures when the repo has `gpgcheck=1`, with the keys
//! of its `gpgkey=` and those imported into the rpmdb.

use super::{io_err, TxError};
use crate::config::RepoConfig;
use crate::digest::digest_hex;
use crate::fetch::{check_checksum, join_url};
use crate::rpm::package::{Checksum, PackageRef};
use crate::sysroot::{checked_relative, Sysroot};
use crate::trust::Keyring;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// At most this many downloads at once.
pub const PARALLEL: usize = 3;

/// Where a package file comes from.
#[derive(Debug, Clone)]
pub enum FileSource {
    /// A repo's metadata: fetched into `dest`.
    Repo {
        repo: RepoConfig,
        bases: Vec<String>,
        location: String,
        checksum: Checksum,
        size: u64,
        dest: PathBuf,
    },
    /// A file already here (kept for undo, or given on the command line).
    File {
        path: PathBuf,
        /// The SHA-256 recorded when it was first verified.
        sha256: Option<String>,
        /// The repo it came from, for its keys.
        repo: Option<RepoConfig>,
        /// Whether its signature must be checked (it was when it was kept).
        gpgcheck: bool,
    },
}

/// One package to get.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub pkg: PackageRef,
    pub source: FileSource,
    /// Size once installed (for the free-space check).
    pub size_installed: u64,
}

impl Wanted {
    pub fn nevra(&self) -> String {
        let p = &self.pkg;
        if p.epoch != 0 {
            format!(
                "{}-{}:{}-{}.{}",
                p.name, p.epoch, p.version, p.release, p.arch
            )
        } else {
            format!("{}-{}-{}.{}", p.name, p.version, p.release, p.arch)
        }
    }

    /// Where the file is (or will be) on disk.
    pub fn path(&self) -> &Path {
        match &self.source {
            FileSource::Repo { dest, .. } => dest,
            FileSource::File { path, .. } => path,
        }
    }

    /// Bytes still to download.
    pub fn to_download(&self) -> u64 {
        match &self.source {
            FileSource::Repo {
                dest,
                size,
                checksum,
                ..
            } => {
                if cached_ok(dest, *size, checksum) {
                    0
                } else {
                    *size
                }
            }
            FileSource::File { .. } => 0,
        }
    }
}

/// A file ready to be handed to rpm: verified, with its SHA-256.
#[derive(Debug, Clone)]
pub struct Ready {
    pub pkg: PackageRef,
    pub path: PathBuf,
    pub sha256: String,
    /// Whether its signatures were checked.
    pub gpgchecked: bool,
}

/// The cache path of a package file: `<cache_dir>/packages/<file name of location>`.
pub fn cache_path(cache_dir: &Path, location: &str) -> Result<PathBuf, String> {
    let rel = checked_relative(location).map_err(|e| e.to_string())?;
    let name = rel
        .file_name()
        .ok_or_else(|| format!("location `{location}` names no file"))?;
    Ok(cache_dir.join("packages").join(name))
}

fn cached_ok(path: &Path, size: u64, ck: &Checksum) -> bool {
    match std::fs::metadata(path) {
        Ok(m) if m.len() == size => std::fs::read(path)
            .map(|d| check_checksum(&d, ck).is_ok())
            .unwrap_or(false),
        _ => false,
    }
}

fn part_path(dest: &Path) -> PathBuf {
    let mut s = dest.as_os_str().to_owned();
    s.push(".part");
    PathBuf::from(s)
}

/// Fetches package files, through the one HTTP layer (the metadata's).
pub struct Downloader<'h> {
    http: &'h crate::http::Http,
    retries: u32,
}

enum Attempt {
    /// The `.part` file now holds `n` bytes.
    Got,
    Fatal(String),
    /// No progress for `timeout`, or below `minrate`: not worth another round.
    Stalled(String),
    Transient(String),
}

impl<'h> Downloader<'h> {
    /// `retries`: how many more rounds of the mirror list a transient failure gets.
    pub fn new(http: &'h crate::http::Http, retries: u32) -> Downloader<'h> {
        Downloader { http, retries }
    }

    /// Get one file of a repo into `dest`; returns true when it was already cached.
    pub fn get(
        &self,
        bases: &[String],
        location: &str,
        size: u64,
        ck: &Checksum,
        dest: &Path,
    ) -> Result<bool, String> {
        if let Some(d) = dest.parent() {
            crate::hostfs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
        }
        let part = part_path(dest);
        match std::fs::metadata(dest) {
            Ok(m) if m.len() == size => {
                let data = std::fs::read(dest).map_err(|e| format!("{}: {e}", dest.display()))?;
                if check_checksum(&data, ck).is_ok() {
                    return Ok(true);
                }
                let _ = crate::hostfs::remove_file(dest);
            }
            // A short file is a download that stopped: resume it.
            Ok(m) if m.len() < size => {
                let _ = crate::hostfs::rename(dest, &part);
            }
            Ok(_) => {
                let _ = crate::hostfs::remove_file(dest);
            }
            Err(_) => {}
        }
        let mut errors = Vec::new();
        if bases.is_empty() {
            return Err("the repo has no base URL".into());
        }
        // Each round tries every mirror still worth trying once; a mirror that fails hands
        // over to the next at once, and only failures that may pass (HTTP 5xx, a dropped
        // connection) get another round: a mirror that stalled or dripped already cost a
        // `timeout`.
        let mut alive: Vec<&String> = bases.iter().collect();
        for round in 0..=self.retries {
            if round > 0 {
                std::thread::sleep(Duration::from_millis(200) * 2u32.pow(round.min(5)));
            }
            let mut again = Vec::new();
            for base in alive {
                let url = join_url(base, location);
                match self.attempt(&url, &part, size) {
                    Attempt::Got => {
                        let data =
                            std::fs::read(&part).map_err(|e| format!("{}: {e}", part.display()))?;
                        match check_checksum(&data, ck) {
                            Ok(()) => {
                                let f = std::fs::File::open(&part)
                                    .map_err(|e| format!("{}: {e}", part.display()))?;
                                let _ = f.sync_all();
                                crate::hostfs::rename(&part, dest)
                                    .map_err(|e| format!("{}: {e}", dest.display()))?;
                                return Ok(false);
                            }
                            Err(e) => {
                                // A resumed file may have been spliced from two versions:
                                // the next round starts it over.
                                let _ = crate::hostfs::remove_file(&part);
                                errors.push(format!("{e} at {url}"));
                                again.push(base);
                            }
                        }
                    }
                    Attempt::Fatal(e) | Attempt::Stalled(e) => errors.push(format!("{e} at {url}")),
                    Attempt::Transient(e) => {
                        errors.push(format!("{e} at {url}"));
                        again.push(base);
                    }
                }
            }
            if again.is_empty() {
                break;
            }
            alive = again;
        }
        Err(errors.join("; "))
    }

    /// One request: append to `.part` from its current length (HTTP Range), or write it anew.
    fn attempt(&self, url: &str, part: &Path, size: u64) -> Attempt {
        let have = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
        let have = if have > size {
            let _ = crate::hostfs::remove_file(part);
            0
        } else {
            have
        };
        if let Some(path) = url.strip_prefix("file://") {
            let src = match std::fs::File::open(path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Attempt::Fatal("not found".into())
                }
                Err(e) => return Attempt::Transient(e.to_string()),
            };
            return write_body(src, part, 0, size);
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Attempt::Fatal(format!("unsupported URL scheme in `{url}`"));
        }
        if have == size && size > 0 {
            return Attempt::Got;
        }
        let resp = match self.http.get(url, have) {
            Ok(r) => r,
            Err(e @ crate::http::HttpError::Timeout(_)) => return Attempt::Stalled(e.to_string()),
            Err(e @ crate::http::HttpError::Transport(_)) => {
                return Attempt::Transient(e.to_string())
            }
            Err(e) => return Attempt::Fatal(e.to_string()),
        };
        let status = resp.status;
        match status {
            206 => {
                // Only append when the server resumes exactly where we stopped.
                if resp.range_start != Some(have) {
                    let _ = crate::hostfs::remove_file(part);
                    return Attempt::Transient("bad Content-Range in a resumed download".into());
                }
                write_body(resp.body, part, have, size)
            }
            200 => write_body(resp.body, part, 0, size),
            416 => {
                let _ = crate::hostfs::remove_file(part);
                Attempt::Transient("HTTP 416 when resuming; starting over".into())
            }
            404 | 410 => Attempt::Fatal(format!("HTTP {status}")),
            s if s >= 500 || s == 429 || s == 408 => Attempt::Transient(format!("HTTP {s}")),
            s => Attempt::Fatal(format!("HTTP {s}")),
        }
    }
}

/// Write a body into `part` from offset `from`, never past `size` bytes in all.
fn write_body(mut body: impl Read, part: &Path, from: u64, size: u64) -> Attempt {
    let f = if from == 0 {
        crate::hostfs::create(part)
    } else {
        crate::hostfs::open(part, std::fs::OpenOptions::new().append(true))
    };
    let mut f = match f {
        Ok(f) => f,
        Err(e) => return Attempt::Fatal(format!("{}: {e}", part.display())),
    };
    let mut got = from;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                let _ = f.flush();
                let msg = format!("after {got} bytes: {e}");
                return if e.kind() == std::io::ErrorKind::TimedOut {
                    Attempt::Stalled(msg)
                } else {
                    Attempt::Transient(msg)
                };
            }
        };
        got += n as u64;
        if got > size {
            drop(f);
            let _ = crate::hostfs::remove_file(part);
            return Attempt::Fatal(format!("larger than the {size} bytes the metadata states"));
        }
        if let Err(e) = f.write_all(&buf[..n]) {
            return Attempt::Fatal(format!("{}: {e}", part.display()));
        }
    }
    if got < size {
        return Attempt::Transient(format!("truncated: {got} of {size} bytes"));
    }
    Attempt::Got
}

/// Get every wanted file (at most `PARALLEL` at once). The first failure is returned after
/// the others have finished; files already fetched stay in the cache.
pub fn fetch_all(
    dl: &Downloader,
    wanted: &[Wanted],
    report: &(dyn Fn(&str) + Sync),
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), TxError> {
    let next = std::sync::Mutex::new(wanted.iter());
    let errors = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..PARALLEL.min(wanted.len()) {
            s.spawn(|| loop {
                let Some(w) = next.lock().expect("not poisoned").next() else {
                    return;
                };
                let FileSource::Repo {
                    repo,
                    bases,
                    location,
                    checksum,
                    size,
                    dest,
                } = &w.source
                else {
                    continue;
                };
                match dl.get(bases, location, *size, checksum, dest) {
                    Ok(true) => report(&format!("{}: in the cache", w.nevra())),
                    Ok(false) => {
                        progress(*size);
                        report(&format!("{}: downloaded", w.nevra()))
                    }
                    Err(msg) => errors
                        .lock()
                        .expect("not poisoned")
                        .push(TxError::Download {
                            nevra: w.nevra(),
                            repo: repo.id.clone(),
                            msg,
                        }),
                }
            });
        }
    });
    match errors
        .into_inner()
        .expect("not poisoned")
        .into_iter()
        .next()
    {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The keys that may sign a repo's packages: its `gpgkey=` and the rpmdb's.
pub struct Keys<'a> {
    root: &'a Sysroot,
    fetcher: &'a crate::fetch::Fetcher,
    rpmdb: Option<Keyring>,
    by_repo: HashMap<String, Keyring>,
}

impl<'a> Keys<'a> {
    pub fn new(root: &'a Sysroot, fetcher: &'a crate::fetch::Fetcher) -> Keys<'a> {
        Keys {
            root,
            fetcher,
            rpmdb: None,
            by_repo: HashMap::new(),
        }
    }

    fn ring(&mut self, repo: Option<&RepoConfig>) -> Result<&Keyring, String> {
        if self.rpmdb.is_none() {
            self.rpmdb = Some(Keyring::from_rpmdb(self.root).map_err(|e| e.to_string())?);
        }
        let id = repo.map(|r| r.id.clone()).unwrap_or_default();
        if !self.by_repo.contains_key(&id) {
            let mut ring = Keyring::new();
            ring.extend(self.rpmdb.clone().expect("loaded above"));
            if let Some(r) = repo {
                ring.extend(
                    Keyring::for_repo(self.root, r, self.fetcher).map_err(|e| e.to_string())?,
                );
            }
            self.by_repo.insert(id.clone(), ring);
        }
        Ok(&self.by_repo[&id])
    }
}

/// Verify one file: its checksum (from the metadata, or recorded when it was kept) and, when
/// `gpgcheck`, its signatures. A file that fails is removed from the cache.
pub fn verify(w: &Wanted, keys: &mut Keys<'_>) -> Result<Ready, TxError> {
    let path = w.path().to_path_buf();
    let fail = |msg: String| TxError::Verify {
        nevra: w.nevra(),
        path: path.display().to_string(),
        msg,
    };
    let data = std::fs::read(&path).map_err(io_err(&path))?;
    let sha256 = digest_hex("sha256", &data).expect("sha256 is known");
    let (repo, gpgcheck) = match &w.source {
        FileSource::Repo { repo, checksum, .. } => {
            if let Err(e) = check_checksum(&data, checksum) {
                let _ = crate::hostfs::remove_file(&path);
                return Err(fail(e.to_string()));
            }
            (Some(repo), repo.gpgcheck)
        }
        FileSource::File {
            sha256: want,
            repo,
            gpgcheck,
            ..
        } => {
            if let Some(want) = want {
                if !want.eq_ignore_ascii_case(&sha256) {
                    return Err(fail(format!(
                        "sha256 checksum mismatch: expected {want}, got {sha256}"
                    )));
                }
            }
            (repo.as_ref(), *gpgcheck)
        }
    };
    if gpgcheck {
        let ring = keys.ring(repo).map_err(&fail)?;
        let report = crate::trust::package::verify_bytes(&path.display().to_string(), &data, ring);
        if !report.ok {
            let mut why: Vec<String> = report
                .items
                .iter()
                .filter(|i| i.outcome != crate::trust::package::SigOutcome::Ok)
                .map(|i| {
                    format!(
                        "{}: {}{}",
                        i.description,
                        i.outcome.word(),
                        i.detail
                            .as_ref()
                            .map(|d| format!(" ({d})"))
                            .unwrap_or_default()
                    )
                })
                .collect();
            if let Some(e) = &report.error {
                why.push(e.clone());
            }
            if why.is_empty() {
                why.push(report.summary.clone());
            }
            if matches!(w.source, FileSource::Repo { .. }) {
                let _ = crate::hostfs::remove_file(&path);
            }
            return Err(fail(format!(
                "signature check failed (gpgcheck=1): {}",
                why.join("; ")
            )));
        }
    }
    Ok(Ready {
        pkg: w.pkg.clone(),
        path,
        sha256,
        gpgchecked: gpgcheck,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_paths_are_checked() {
        let d = Path::new("/c/repo");
        assert_eq!(
            cache_path(d, "Packages/a-1-1.x86_64.rpm").unwrap(),
            Path::new("/c/repo/packages/a-1-1.x86_64.rpm")
        );
        assert!(cache_path(d, "../../etc/passwd").is_err());
        assert!(cache_path(d, "/etc/passwd").is_err());
    }

    #[test]
    fn file_downloads_resume_and_refetch() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("repo/Packages");
        std::fs::create_dir_all(&src).unwrap();
        let body = vec![7u8; 100_000];
        std::fs::write(src.join("a.rpm"), &body).unwrap();
        let ck = Checksum {
            kind: "sha256".into(),
            value: digest_hex("sha256", &body).unwrap(),
        };
        let http = crate::http::Http::new(Duration::from_secs(5), 1000, None);
        let dl = Downloader::new(&http, 1);
        let dest = t.path().join("cache/packages/a.rpm");
        let bases = vec![
            format!("file://{}/missing/", t.path().display()),
            format!("file://{}/repo/", t.path().display()),
        ];
        assert!(!dl
            .get(&bases, "Packages/a.rpm", 100_000, &ck, &dest)
            .unwrap());
        assert!(dl
            .get(&bases, "Packages/a.rpm", 100_000, &ck, &dest)
            .unwrap());
        // Truncated and corrupted copies are fetched again.
        std::fs::write(&dest, &body[..10]).unwrap();
        assert!(!dl
            .get(&bases, "Packages/a.rpm", 100_000, &ck, &dest)
            .unwrap());
        std::fs::write(&dest, vec![8u8; 100_000]).unwrap();
        assert!(!dl
            .get(&bases, "Packages/a.rpm", 100_000, &ck, &dest)
            .unwrap());
        assert_eq!(std::fs::read(&dest).unwrap(), body);
        let bad = Checksum {
            kind: "sha256".into(),
            value: "00".into(),
        };
        assert!(dl
            .get(&bases, "Packages/a.rpm", 100_000, &bad, &dest)
            .is_err());
    }
}
