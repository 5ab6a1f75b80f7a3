//! Keyrings: the OpenPGP certificates a repo's `gpgkey=` names (`file://` under the root,
//! `http(s)://` through the fetcher with a size cap; armored files with one or several keys),
//! and the keys imported into the root's rpmdb (`gpg-pubkey-*` packages), as yum and rpm use
//! them.

use super::openpgp::{chain, parse_certs, policy};
use super::TrustError;
use crate::config::RepoConfig;
use crate::fetch::Fetcher;
use crate::sysroot::Sysroot;
use openpgp::cert::prelude::*;
use sequoia_openpgp as openpgp;
use std::time::UNIX_EPOCH;

/// A key file is a few kB; anything bigger is not a key file.
pub const KEY_MAX: u64 = 1024 * 1024;

/// Certificates and where each came from.
#[derive(Debug, Default, Clone)]
pub struct Keyring {
    keys: Vec<(Cert, Vec<String>)>,
}

/// What `keys` shows of one certificate.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeyInfo {
    /// Full fingerprint, upper-case hex.
    pub fingerprint: String,
    /// The short id rpm uses in `gpg-pubkey-<id>` and messages (8 hex digits, lower-case).
    pub short_id: String,
    pub user_ids: Vec<String>,
    pub algorithm: String,
    /// Unix seconds.
    pub created: u64,
    /// Unix seconds; `None` = never.
    pub expires: Option<u64>,
    /// `valid`, `expired`, `revoked` or `refused: <why>`.
    pub status: String,
    /// Where the key was found (`rpmdb`, a gpgkey URL).
    pub origins: Vec<String>,
}

fn unix(t: std::time::SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Keyring {
    pub fn new() -> Keyring {
        Keyring::default()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Add certificates, merging with ones already here (same fingerprint).
    pub fn add(&mut self, certs: Vec<Cert>, origin: &str) {
        for c in certs {
            if let Some((have, origins)) = self
                .keys
                .iter_mut()
                .find(|(h, _)| h.fingerprint() == c.fingerprint())
            {
                if let Ok(merged) = have.clone().merge_public(c) {
                    *have = merged;
                }
                if !origins.iter().any(|o| o == origin) {
                    origins.push(origin.to_string());
                }
            } else {
                self.keys.push((c, vec![origin.to_string()]));
            }
        }
    }

    /// Add every key of another keyring.
    pub fn extend(&mut self, other: Keyring) {
        for (c, origins) in other.keys {
            for o in origins {
                self.add(vec![c.clone()], &o);
            }
        }
    }

    pub fn certs(&self) -> impl Iterator<Item = &Cert> {
        self.keys.iter().map(|(c, _)| c)
    }

    /// The keys named by a repo's `gpgkey=`. A key that cannot be read is an error: a repo
    /// with `repo_gpgcheck=1` must not silently lose its trust anchor.
    pub fn for_repo(
        root: &Sysroot,
        cfg: &RepoConfig,
        fetcher: &Fetcher,
    ) -> Result<Keyring, TrustError> {
        let mut ring = Keyring::new();
        for url in &cfg.gpgkeys {
            let err = |msg: String| TrustError::Key {
                repo: cfg.id.clone(),
                url: url.clone(),
                msg,
            };
            let data = repo_key(root, &cfg.id, url, fetcher)?;
            let certs = parse_certs(&data).map_err(err)?;
            ring.add(certs, url);
        }
        Ok(ring)
    }

    /// The keys imported into the root's rpmdb (`rpm --import`), as `gpg-pubkey` packages.
    pub fn from_rpmdb(root: &Sysroot) -> Result<Keyring, TrustError> {
        let mut ring = Keyring::new();
        for (nvr, armored) in rpmdb_pubkeys(root)? {
            // A damaged key in the rpmdb is skipped, as rpm does: it cannot verify anything.
            if let Ok(certs) = parse_certs(armored.as_bytes()) {
                ring.add(certs, &format!("rpmdb ({nvr})"));
            }
        }
        Ok(ring)
    }

    /// Describe every key for `keys`.
    pub fn info(&self) -> Vec<KeyInfo> {
        let p = policy();
        self.keys
            .iter()
            .map(|(c, origins)| {
                let fp = c.fingerprint().to_hex();
                let pk = c.primary_key().key();
                let status = match c.with_policy(&p, None) {
                    Err(e) => format!("refused: {}", chain(&e)),
                    Ok(vc) => {
                        if let openpgp::types::RevocationStatus::Revoked(_) = vc.revocation_status()
                        {
                            "revoked".to_string()
                        } else if vc.alive().is_err() {
                            "expired".to_string()
                        } else {
                            "valid".to_string()
                        }
                    }
                };
                let expires = c
                    .with_policy(&p, None)
                    .ok()
                    .and_then(|vc| vc.primary_key().key_expiration_time())
                    .or_else(|| {
                        // An expired or refused cert: read the expiry from the newest self-signature.
                        c.primary_key()
                            .self_signatures()
                            .next()
                            .and_then(|s| s.key_validity_period())
                            .map(|d| pk.creation_time() + d)
                    })
                    .map(unix);
                KeyInfo {
                    short_id: fp[fp.len() - 8..].to_ascii_lowercase(),
                    fingerprint: fp,
                    user_ids: c
                        .userids()
                        .map(|u| String::from_utf8_lossy(u.userid().value()).into_owned())
                        .collect(),
                    algorithm: match pk.mpis().bits() {
                        Some(b) => format!("{} {b}", pk.pk_algo()),
                        None => pk.pk_algo().to_string(),
                    },
                    created: unix(pk.creation_time()),
                    expires,
                    status,
                    origins: origins.clone(),
                }
            })
            .collect()
    }
}

/// The key bytes of a repo's `gpgkey=` URL: a file of the root as it is; a network key checked
/// against its pin (pinned on first use, the pinned copy used offline), see [`super::pins`].
fn repo_key(
    root: &Sysroot,
    repo: &str,
    url: &str,
    fetcher: &Fetcher,
) -> Result<Vec<u8>, TrustError> {
    use super::pins;
    let err = |msg: String| TrustError::Key {
        repo: repo.to_string(),
        url: url.to_string(),
        msg,
    };
    let network = url.starts_with("http://") || url.starts_with("https://");
    if !network {
        return read_key_url(root, url, fetcher).map_err(err);
    }
    if !url.starts_with("https://") {
        crate::notices::warn_once(format!(
            "repo `{repo}`: gpgkey {url} is neither file: nor https:, so whoever is on the path \
             could supply it; it is pinned by fingerprint, but use a file: or https: URL"
        ));
    }
    let pinned = pins::load(root, repo, url);
    if fetcher.is_offline() {
        return match pinned {
            Some((_, data)) => Ok(data),
            None => Err(err(
                "not pinned yet, and -C does not fetch it: run once without -C to pin it".into(),
            )),
        };
    }
    let fetched = read_key_url(root, url, fetcher);
    match (pinned, fetched) {
        (Some((pin, old)), Ok(data)) => match pins::check(&pin, &data) {
            Ok(()) => {
                if data != old {
                    // Same keys, newer self-signatures (an extended expiry): keep the newer.
                    let _ = pins::store(root, repo, url, &data);
                }
                Ok(data)
            }
            Err(changed) => Err(TrustError::KeyChanged {
                repo: repo.to_string(),
                url: url.to_string(),
                pinned: changed.pinned.join(", "),
                now: if changed.now.is_empty() {
                    "no usable key".into()
                } else {
                    changed.now.join(", ")
                },
                since: crate::time::utc(changed.since),
            }),
        },
        (Some((_, old)), Err(e)) => {
            crate::notices::info(format!(
                "repo `{repo}`: cannot fetch gpgkey {url} ({e}); using the copy pinned before"
            ));
            Ok(old)
        }
        (None, Ok(data)) => {
            let pin = pins::store(root, repo, url, &data).map_err(err)?;
            crate::notices::warn(format!(
                "repo `{repo}`: pinned the key at {url} on first use: {}; a different key there \
                 will be refused",
                pin.fingerprints.join(", ")
            ));
            Ok(data)
        }
        (None, Err(e)) => Err(err(e)),
    }
}

/// Read a `gpgkey=` URL: `file://PATH` (and a bare `/PATH`) under the root, `http(s)://` through
/// the fetcher, capped at [`KEY_MAX`].
pub fn read_key_url(root: &Sysroot, url: &str, fetcher: &Fetcher) -> Result<Vec<u8>, String> {
    if let Some(path) = url
        .strip_prefix("file://")
        .or(url.starts_with('/').then_some(url))
    {
        use std::io::Read;
        let p = root.join(path);
        let f = std::fs::File::open(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        let mut data = Vec::new();
        f.take(KEY_MAX + 1)
            .read_to_end(&mut data)
            .map_err(|e| format!("{}: {e}", p.display()))?;
        if data.len() as u64 > KEY_MAX {
            return Err(format!("larger than the {KEY_MAX} bytes a key file can be"));
        }
        return Ok(data);
    }
    if url.starts_with("http://") || url.starts_with("https://") {
        return fetcher.fetch_url(url, KEY_MAX).map_err(|e| e.to_string());
    }
    Err("unsupported URL (expected file://, http:// or https://)".into())
}

/// `(name-version-release, armored key)` of every `gpg-pubkey` package in the root's rpmdb.
fn rpmdb_pubkeys(root: &Sysroot) -> Result<Vec<(String, String)>, TrustError> {
    if !crate::rpm::has_rpmdb(root) {
        return Ok(Vec::new());
    }
    let rootstr = root.root().display().to_string();
    let out = crate::rpm::command(root)
        .args([
            "-q",
            "gpg-pubkey",
            "--qf",
            "%{NAME}-%{VERSION}-%{RELEASE}\x1f%{DESCRIPTION}\x1e",
        ])
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| TrustError::Rpmdb {
            root: rootstr.clone(),
            msg: format!("cannot run rpm: {e}"),
        })?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        // `rpm -q` exits 1 when no such package is installed.
        if stdout.contains("is not installed")
            || String::from_utf8_lossy(&out.stderr).trim().is_empty()
        {
            return Ok(Vec::new());
        }
        return Err(TrustError::Rpmdb {
            root: rootstr,
            msg: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(stdout
        .split('\x1e')
        .filter_map(|rec| {
            let (nvr, key) = rec.split_once('\x1f')?;
            Some((nvr.trim().to_string(), key.to_string()))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_xcpng_key() {
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/xcpng/RPM-GPG-KEY-xcpng"
        ))
        .unwrap();
        let certs = parse_certs(&data).unwrap();
        assert_eq!(certs.len(), 1);
        let mut ring = Keyring::new();
        ring.add(certs, "file:///etc/pki/rpm-gpg/RPM-GPG-KEY-xcpng");
        let info = ring.info();
        assert_eq!(info[0].fingerprint.len(), 40);
        assert!(
            info[0].user_ids.iter().any(|u| u.contains("XCP-ng")),
            "{info:?}"
        );
    }

    #[test]
    fn several_blocks_and_garbage() {
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/xcpng/RPM-GPG-KEY-xcpng"
        ))
        .unwrap();
        let mut two = data.clone();
        two.extend_from_slice(b"\n");
        two.extend_from_slice(&data);
        let certs = parse_certs(&two).unwrap();
        assert_eq!(certs.len(), 2);
        let mut ring = Keyring::new();
        ring.add(certs, "a");
        assert_eq!(ring.len(), 1, "same key twice is one key");
        assert!(parse_certs(b"not a key").is_err());
    }
}
