//! Trust in repository metadata: the detached signature of `repomd.xml` (fetched from the
//! mirror that served `repomd.xml`), the rollback high-water mark, and the freeze warning.
//!
//! The high-water mark lives under `<root>/var/lib/xcpng-mod/metadata-seen/<repo>`, outside the
//! cache, so `--refresh` or deleting the cache does not let a mirror roll a repo back.

use super::keys::Keyring;
use super::sig::{verify_detached, Verified};
use super::TrustError;
use crate::config::{parse_bool, parse_expire, RepoConfig};
use crate::fetch::{join_url, Expect, Fetcher};
use crate::sysroot::Sysroot;
use std::path::PathBuf;

/// `repomd.xml.asc` holds a signature or two: a few hundred bytes. Anything past this is an
/// endless-data attack.
pub const ASC_MAX: u64 = 256 * 1024;

/// Default `metadata_max_age`: signed metadata older than this draws a freeze warning.
pub const DEFAULT_MAX_AGE: u64 = 30 * 86400;

/// Repos frozen by design: no freeze warning unless `metadata_max_age` is set.
const FROZEN_REPOS: &[&str] = &["xcp-ng-base"];

/// Check `repomd.xml` (`raw`, served by `base`) against `repomd.xml.asc` from the same base,
/// with the keys of the repo's `gpgkey=`. Nothing in `raw` is parsed before this succeeds.
pub fn verify_repomd(
    root: &Sysroot,
    cfg: &RepoConfig,
    fetcher: &Fetcher,
    base: &str,
    raw: &[u8],
) -> Result<Verified, TrustError> {
    fetch_and_verify_repomd(root, cfg, fetcher, base, raw).map(|(v, _)| v)
}

/// `verify_repomd`, also returning the signature bytes, which the cache keeps so that cached
/// metadata is checked again each time it is used.
pub fn fetch_and_verify_repomd(
    root: &Sysroot,
    cfg: &RepoConfig,
    fetcher: &Fetcher,
    base: &str,
    raw: &[u8],
) -> Result<(Verified, Vec<u8>), TrustError> {
    let ring = Keyring::for_repo(root, cfg, fetcher)?;
    if ring.is_empty() {
        return Err(TrustError::NoKeys {
            repo: cfg.id.clone(),
        });
    }
    let rel = "repodata/repomd.xml.asc";
    let url = join_url(base, rel);
    let exp = Expect {
        max_size: Some(ASC_MAX),
        ..Default::default()
    };
    // Only this mirror: a signature from another mirror may be for another repomd.xml.
    let (asc, _) = fetcher
        .fetch(&[base.to_string()], rel, &exp)
        .map_err(|source| TrustError::MissingSignature {
            repo: cfg.id.clone(),
            url: url.clone(),
            source,
        })?;
    let v = verify_detached(&ring, &asc, raw).map_err(|problem| TrustError::BadSignature {
        repo: cfg.id.clone(),
        url: join_url(base, "repodata/repomd.xml"),
        problem,
    })?;
    Ok((v, asc))
}

/// Check cached `repomd.xml` against its cached signature with the repo's keys: the cache is
/// only as trustworthy as the signature it was accepted with, and keys or `repo_gpgcheck` may
/// have changed since. `where_` names the cached file in errors.
pub fn verify_cached_repomd(
    root: &Sysroot,
    cfg: &RepoConfig,
    fetcher: &Fetcher,
    raw: &[u8],
    asc: &[u8],
    where_: &str,
) -> Result<Verified, TrustError> {
    let ring = Keyring::for_repo(root, cfg, fetcher)?;
    if ring.is_empty() {
        return Err(TrustError::NoKeys {
            repo: cfg.id.clone(),
        });
    }
    verify_detached(&ring, asc, raw).map_err(|problem| TrustError::BadSignature {
        repo: cfg.id.clone(),
        url: where_.to_string(),
        problem,
    })
}

/// The newest metadata seen for a repo.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub revision: Option<String>,
    pub timestamp: Option<u64>,
}

impl std::fmt::Display for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.revision, self.timestamp) {
            (Some(r), Some(t)) => write!(f, "revision {r}, timestamp {t}"),
            (Some(r), None) => write!(f, "revision {r}"),
            (None, Some(t)) => write!(f, "timestamp {t}"),
            (None, None) => write!(f, "no revision or timestamp"),
        }
    }
}

impl Seen {
    /// True when `self` is older than `other` by timestamp, or by a numeric revision.
    pub fn older_than(&self, other: &Seen) -> bool {
        if let (Some(a), Some(b)) = (self.timestamp, other.timestamp) {
            if a < b {
                return true;
            }
        }
        let num = |r: &Option<String>| r.as_deref().and_then(|s| s.trim().parse::<u64>().ok());
        matches!((num(&self.revision), num(&other.revision)), (Some(a), Some(b)) if a < b)
    }

    fn parse(text: &str) -> Seen {
        let mut s = Seen::default();
        for line in text.lines() {
            match line.split_once('=') {
                Some(("revision", v)) => s.revision = Some(v.to_string()),
                Some(("timestamp", v)) => s.timestamp = v.trim().parse().ok(),
                _ => {}
            }
        }
        s
    }

    fn render(&self) -> String {
        let mut out = String::new();
        if let Some(r) = &self.revision {
            out.push_str(&format!("revision={}\n", r.replace('\n', " ")));
        }
        if let Some(t) = self.timestamp {
            out.push_str(&format!("timestamp={t}\n"));
        }
        out
    }
}

/// Where the high-water mark of a repo is kept.
pub fn seen_path(root: &Sysroot, repo: &str) -> PathBuf {
    root.join("/var/lib/xcpng-mod/metadata-seen").join(repo)
}

/// Refuse verified metadata older than the newest seen for this repo, unless
/// `allow_metadata_rollback=1`; then record it as the newest seen.
pub fn check_not_older(
    root: &Sysroot,
    cfg: &RepoConfig,
    url: &str,
    new: Seen,
) -> Result<(), TrustError> {
    let path = seen_path(root, &cfg.id);
    let old = match std::fs::read_to_string(&path) {
        Ok(t) => Some(Seen::parse(&t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(TrustError::Io { path, source }),
    };
    let allow = cfg
        .other
        .get("allow_metadata_rollback")
        .and_then(|v| parse_bool(v))
        .unwrap_or(false);
    if let Some(old) = &old {
        let older = new.older_than(old);
        if older && !allow {
            return Err(TrustError::OlderMetadata {
                repo: cfg.id.clone(),
                url: url.to_string(),
                old: old.to_string(),
                new: new.to_string(),
            });
        }
        if !older && !old.older_than(&new) {
            return Ok(()); // the same metadata: nothing to record
        }
    }
    write_durable(&path, new.render().as_bytes())
}

fn write_durable(path: &std::path::Path, data: &[u8]) -> Result<(), TrustError> {
    crate::hostfs::write_atomic(path, data).map_err(|source| TrustError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The freeze warning for signed metadata whose newest timestamp is older than the repo's
/// `metadata_max_age` (default 30 days; `never` turns it off; off by default for xcp-ng-base).
pub fn freeze_warning(cfg: &RepoConfig, timestamp: Option<u64>, now: u64) -> Option<String> {
    if !cfg.repo_gpgcheck {
        return None;
    }
    let max = match cfg.other.get("metadata_max_age") {
        Some(v) => parse_expire(v)?,
        None if FROZEN_REPOS.contains(&cfg.id.as_str()) => None,
        None => Some(DEFAULT_MAX_AGE),
    }?;
    let ts = timestamp?;
    let age = now.checked_sub(ts)?;
    (age > max).then(|| {
        format!(
            "repo `{}`: its signed metadata is {} days old (metadata_max_age is {} days): a mirror may be \
             freezing it; check the mirror, or set {}.metadata_max_age=never if the repo is frozen on purpose",
            cfg.id,
            age / 86400,
            max / 86400,
            cfg.id
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(r: Option<&str>, t: Option<u64>) -> Seen {
        Seen {
            revision: r.map(str::to_string),
            timestamp: t,
        }
    }

    #[test]
    fn ordering() {
        assert!(seen(Some("5"), Some(100)).older_than(&seen(Some("6"), Some(100))));
        assert!(seen(Some("9"), Some(99)).older_than(&seen(Some("6"), Some(100))));
        assert!(!seen(Some("6"), Some(100)).older_than(&seen(Some("6"), Some(100))));
        assert!(!seen(Some("abc"), None).older_than(&seen(Some("abd"), None)));
        let s = seen(Some("17"), Some(42));
        assert_eq!(Seen::parse(&s.render()), s);
    }
}
