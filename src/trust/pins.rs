//! Keys pinned on first use. A repo's `gpgkey=` that is not a file of the host (`https://`,
//! `http://`) is fetched, and its certificates' full fingerprints are written under
//! `<root>/var/lib/xcpng-mod/keys/<repo>/` the first time, as yum imports a key once. From then
//! on the key at that URL must have the same fingerprints: a changed key is refused with both
//! fingerprints named (`xcpng-mod keys --accept REPO` takes the new one), and the pinned copy is
//! what `-C` (and a key server that is down) uses.
//!
//! It reads and writes only its own directory; it does not judge signatures.

use super::openpgp::parse_certs;
use crate::sysroot::Sysroot;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Where a repo's pins live (host path).
pub const PIN_DIR: &str = "/var/lib/xcpng-mod/keys";

/// What is pinned for one key URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    pub url: String,
    /// Full fingerprints of the certificates the URL served, upper-case hex, sorted.
    pub fingerprints: Vec<String>,
    /// Unix seconds.
    pub pinned: u64,
}

/// A key URL whose certificates are not the pinned ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub pinned: Vec<String>,
    pub now: Vec<String>,
    pub since: u64,
}

fn file_stem(url: &str) -> String {
    let d = crate::digest::digest_hex("sha256", url.as_bytes()).expect("sha256 is known");
    d[..16].to_string()
}

/// The directory of a repo's pins.
pub fn repo_dir(root: &Sysroot, repo: &str) -> PathBuf {
    root.join(PIN_DIR).join(repo)
}

fn paths(root: &Sysroot, repo: &str, url: &str) -> (PathBuf, PathBuf) {
    let dir = repo_dir(root, repo);
    let stem = file_stem(url);
    (
        dir.join(format!("{stem}.json")),
        dir.join(format!("{stem}.key")),
    )
}

/// The sorted full fingerprints of the certificates in `data`.
pub fn fingerprints(data: &[u8]) -> Result<Vec<String>, String> {
    let mut f: Vec<String> = parse_certs(data)?
        .iter()
        .map(|c| c.fingerprint().to_hex())
        .collect();
    f.sort();
    f.dedup();
    Ok(f)
}

/// The pin and the pinned key bytes of a URL, when pinned (a damaged pin reads as none).
pub fn load(root: &Sysroot, repo: &str, url: &str) -> Option<(Pin, Vec<u8>)> {
    let (meta, key) = paths(root, repo, url);
    let pin: Pin = serde_json::from_slice(&std::fs::read(meta).ok()?).ok()?;
    let data = std::fs::read(key).ok()?;
    (pin.url == url && fingerprints(&data).ok()? == pin.fingerprints).then_some((pin, data))
}

/// Pin `data` for a URL; returns its fingerprints.
pub fn store(root: &Sysroot, repo: &str, url: &str, data: &[u8]) -> Result<Pin, String> {
    let pin = Pin {
        url: url.to_string(),
        fingerprints: fingerprints(data)?,
        pinned: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    };
    let (meta, key) = paths(root, repo, url);
    crate::hostfs::write_atomic(&key, data).map_err(|e| e.to_string())?;
    crate::hostfs::write_atomic(
        &meta,
        serde_json::to_string_pretty(&pin)
            .expect("serializable")
            .as_bytes(),
    )
    .map_err(|e| e.to_string())?;
    Ok(pin)
}

/// Check freshly fetched key bytes against the pin.
pub fn check(pin: &Pin, data: &[u8]) -> Result<(), Changed> {
    let now = fingerprints(data).unwrap_or_default();
    if now == pin.fingerprints {
        return Ok(());
    }
    Err(Changed {
        pinned: pin.fingerprints.clone(),
        now,
        since: pin.pinned,
    })
}

/// Forget every pin of a repo (`keys --accept REPO`); returns how many were removed.
pub fn forget(root: &Sysroot, repo: &str) -> Result<usize, String> {
    let dir = repo_dir(root, repo);
    let mut n = 0;
    for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "json") {
            n += 1;
        }
        crate::hostfs::remove_file(&p).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    Ok(n)
}
