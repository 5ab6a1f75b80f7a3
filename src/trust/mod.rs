//! Trust: OpenPGP keys, signature verification and the policy that decides what a signature is
//! worth. It owns the keyrings (a repo's `gpgkey=` files, the keys imported into the root's
//! rpmdb), the check of `repomd.xml.asc` before anything in `repomd.xml` is believed, the
//! header signatures and digests of RPM files (`verify`, like `rpmkeys --checksig`), and the
//! defences against a hostile mirror that a signature alone does not give: metadata rollback
//! (a high-water mark kept outside the cache) and freeze (metadata too old). Verification uses
//! Sequoia's standard policy: revoked and expired keys and weak algorithms (SHA-1, MD5) are
//! refused, and the refusal says why.
//!
//! It never parses XML: `repo` hands it bytes to check before parsing them, and the few facts
//! it needs from parsed metadata (revision, timestamps) as plain values.

pub mod keys;
pub mod metadata;
pub mod openpgp;
pub mod package;
pub mod pins;
pub mod sig;

pub use keys::{KeyInfo, Keyring};
pub use sig::{SigProblem, Verified};

use crate::config::Config;
use crate::fetch::{FetchError, Fetcher};
use crate::sysroot::Sysroot;

/// Refusals and failures of trust. All exit 1.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("repo `{repo}`: cannot read key {url}: {msg}")]
    Key {
        repo: String,
        url: String,
        msg: String,
    },
    #[error(
        "repo `{repo}`: the key at {url} changed: pinned {pinned} on first use ({since}), the URL now serves {now}"
    )]
    KeyChanged {
        repo: String,
        url: String,
        pinned: String,
        now: String,
        since: String,
    },
    #[error("repo `{repo}`: repo_gpgcheck=1 but no gpgkey= gives a usable key")]
    NoKeys { repo: String },
    #[error("repo `{repo}`: no metadata signature at {url}: {source}")]
    MissingSignature {
        repo: String,
        url: String,
        #[source]
        source: FetchError,
    },
    #[error("repo `{repo}`: repomd.xml from {url}: signature {problem}")]
    BadSignature {
        repo: String,
        url: String,
        problem: SigProblem,
    },
    #[error(
        "repo `{repo}`: metadata rollback refused: {url} is older ({new}) than metadata already seen ({old})"
    )]
    OlderMetadata {
        repo: String,
        url: String,
        old: String,
        new: String,
    },
    #[error("cannot read the keys imported into the rpmdb under {root}: {msg}")]
    Rpmdb { root: String, msg: String },
    #[error("{path}: {msg}")]
    Package { path: String, msg: String },
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl TrustError {
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            TrustError::Key { repo, .. } | TrustError::NoKeys { repo } => format!(
                "check the gpgkey= line of repo `{repo}` (file:///etc/pki/rpm-gpg/… or http(s)://…)"
            ),
            TrustError::MissingSignature { repo, .. } | TrustError::BadSignature { repo, .. } => match self {
                TrustError::BadSignature {
                    problem: SigProblem::NoKey { .. },
                    ..
                } => format!(
                    "the signing key is not among the gpgkey= keys of `{repo}` (`xcpng-mod keys` lists them); \
                     if the mirror is not trusted, use another: --disablerepo={repo}"
                ),
                _ => format!(
                    "the mirror may be tampered with or out of sync; try again later or another mirror \
                     (--disablerepo={repo}); never turn off repo_gpgcheck to get past this"
                ),
            },
            TrustError::KeyChanged { repo, .. } => format!(
                "a changed key is what an attacker on the path would serve: check the new fingerprint with \
                 the repo's owner; if it is theirs, accept it with `xcpng-mod keys --accept {repo}`"
            ),
            TrustError::OlderMetadata { repo, .. } => format!(
                "a mirror is serving old metadata (or you moved to an older snapshot on purpose: then \
                 --setopt={repo}.allow_metadata_rollback=1)"
            ),
            TrustError::Rpmdb { .. } => "check the rpmdb with `rpm --root ROOT --rebuilddb`".into(),
            TrustError::Package { .. } | TrustError::Io { .. } => return None,
        })
    }
}

/// The trusted keys of a root: the rpmdb's, then those of the enabled repos' `gpgkey=`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeysReport {
    pub keys: Vec<KeyInfo>,
    /// Keys that could not be read (shown as warnings; the others are still listed).
    pub problems: Vec<String>,
}

/// Gather the keys `keys` shows. A key that cannot be read is reported, not fatal.
pub fn trusted_keys(root: &Sysroot, config: &Config, fetcher: &Fetcher) -> KeysReport {
    let mut ring = Keyring::new();
    let mut problems = Vec::new();
    match Keyring::from_rpmdb(root) {
        Ok(r) => ring.extend(r),
        Err(e) => problems.push(e.to_string()),
    }
    for cfg in config.enabled_repos() {
        match Keyring::for_repo(root, cfg, fetcher) {
            Ok(r) => ring.extend(r),
            Err(e) => problems.push(e.to_string()),
        }
    }
    KeysReport {
        keys: ring.info(),
        problems,
    }
}
