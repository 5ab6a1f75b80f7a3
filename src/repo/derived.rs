//! Digests of the caches derived from signed metadata (the listing and solver caches), kept
//! outside the cache so an edited cache is noticed: with `repo_gpgcheck=1` a derived cache is
//! used only when its digest is the one recorded when it was built.

use crate::sysroot::Sysroot;
use std::path::{Path, PathBuf};

/// Where the digests of a repo's derived cache files are recorded (host path): in the state
/// directory, not in the cache that they vouch for.
pub const DERIVED_DIR: &str = "/var/lib/xcpng-mod/derived";

/// The digests of the files derived from a repo's signed metadata (the listing cache and the
/// solver store), bound to the `repomd.xml` they were derived from. With `repo_gpgcheck=1` the
/// signature vouches for repomd, repomd's checksums for the raw metadata, and this record for
/// what was parsed from it: a derived file that does not match is rebuilt from verified data.
#[derive(Debug, Clone)]
pub struct Derived {
    record: PathBuf,
    /// SHA-256 of the verified `repomd.xml`.
    repomd: String,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct DerivedRecord {
    repomd_sha256: String,
    files: std::collections::BTreeMap<String, String>,
}

pub(super) fn sha256_file(path: &Path) -> Option<String> {
    use sha2::Digest;
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = sha2::Sha256::new();
    std::io::copy(&mut f, &mut h).ok()?;
    Some(hex::encode(h.finalize()))
}

impl Derived {
    pub(super) fn new(root: &Sysroot, id: &str, raw_repomd: &[u8]) -> Derived {
        Derived {
            record: root.join(DERIVED_DIR).join(id),
            repomd: crate::digest::digest_hex("sha256", raw_repomd).expect("sha256 is known"),
        }
    }

    fn read(&self) -> DerivedRecord {
        std::fs::read(&self.record)
            .ok()
            .and_then(|b| serde_json::from_slice::<DerivedRecord>(&b).ok())
            .filter(|r| r.repomd_sha256 == self.repomd)
            .unwrap_or_else(|| DerivedRecord {
                repomd_sha256: self.repomd.clone(),
                files: Default::default(),
            })
    }

    /// True when `path` is the file recorded as derived from this repomd.
    pub(super) fn matches(&self, path: &Path) -> bool {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let want = self.read().files.get(&*name).cloned();
        let ok = want.is_some() && want == sha256_file(path);
        if !ok && path.exists() {
            crate::notices::info(format!(
                "{}: not the file recorded as derived from the verified repomd.xml; rebuilding it",
                path.display()
            ));
        }
        ok
    }

    /// Record the digests of `paths` (files just written from verified data).
    pub(super) fn record(&self, paths: &[PathBuf]) {
        let mut rec = self.read();
        for p in paths {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            match sha256_file(p) {
                Some(d) => rec.files.insert(name, d),
                None => rec.files.remove(&name),
            };
        }
        let text = serde_json::to_vec_pretty(&rec).expect("serializable");
        // Best effort: without a record the derived files are rebuilt, never trusted.
        let _ = crate::hostfs::write_atomic(&self.record, &text);
    }
}
