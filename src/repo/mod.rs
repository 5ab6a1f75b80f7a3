//! Repositories: syncing their metadata (through `fetch`), checking and caching it, and
//! reading it into package records. Everything a mirror sends is checked against the size and
//! checksum `repomd.xml` states before it is used or cached; the cache is swapped in whole, so
//! an interrupted fetch never leaves half a cache. Signatures are judged by `trust`, which this
//! module asks before it believes a `repomd.xml`; it never solves and never changes the host
//! outside its cache.

pub mod cache;
mod derived;
pub mod primary;
pub mod repomd;
pub mod store;
mod sync;
pub mod updateinfo;

pub use derived::*;
pub use sync::*;

use crate::compress;
use crate::config::{MainConfig, RepoConfig};
use crate::fetch::{self, Expect, FetchError, Fetcher};
use crate::rpm::package::Package;
use crate::sysroot::{checked_relative, Sysroot};
use cache::Detail;
use primary::{ChangelogEntry, ParseError};
use repomd::Repomd;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The parsed form of primary metadata that listings read (every field, in one file).
pub const LISTING_CACHE: &str = "primary.listing";
/// The solver's index of a repository ([`store::Store`]).
pub const SOLVER_CACHE: &str = "primary.solver";
/// The names these caches had before; removed when the new ones are written.
const RETIRED_CACHES: [&str; 2] = ["primary.xcpc", "primary.xcps"];

/// `repomd.xml` is small; anything bigger is an endless-data attack.
pub const REPOMD_MAX: u64 = 16 * 1024 * 1024;
/// Mirrorlist and metalink documents.
pub const MIRRORLIST_MAX: u64 = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("repo `{repo}`: {source}")]
    Fetch {
        repo: String,
        #[source]
        source: FetchError,
    },
    #[error("repo `{repo}`: no cached metadata and {flag} was given")]
    NoCache { repo: String, flag: &'static str },
    #[error("repo `{repo}`: bad repomd.xml from {url}: {msg}")]
    BadRepomd {
        repo: String,
        url: String,
        msg: String,
    },
    #[error("repo `{repo}`: {file}: {source}")]
    BadMetadata {
        repo: String,
        file: String,
        #[source]
        source: ParseError,
    },
    #[error("repo `{repo}`: {what}")]
    Unsafe { repo: String, what: String },
    #[error(transparent)]
    Trust(#[from] crate::trust::TrustError),
    #[error("repo `{repo}`: cannot resolve mirrors from {url}: {msg}")]
    Mirrors {
        repo: String,
        url: String,
        msg: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl RepoError {
    pub fn hint(&self) -> Option<String> {
        let repo = match self {
            RepoError::Fetch { repo, .. }
            | RepoError::BadRepomd { repo, .. }
            | RepoError::Mirrors { repo, .. }
            | RepoError::BadMetadata { repo, .. } => repo,
            RepoError::Trust(e) => return e.hint(),
            RepoError::NoCache { repo, flag } => {
                return Some(format!(
                "run `xcpng-mod makecache` while the mirrors of `{repo}` are reachable, or drop {flag}"
            ))
            }
            _ => return None,
        };
        Some(format!(
            "check the mirror or the network; to go on without it: --disablerepo={repo} or --setopt={repo}.skip_if_unavailable=1"
        ))
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> RepoError + '_ {
    move |source| RepoError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// How to treat the metadata cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CachePolicy {
    /// `-C`: never touch the network.
    pub cacheonly: bool,
    /// How the user spelled it (`-C`, `--cacheonly`), for messages.
    pub flag: &'static str,
    /// `--refresh`: consider the cache expired.
    pub refresh: bool,
}

/// A repository whose metadata is checked and cached.
#[derive(Debug)]
pub struct Repo {
    pub config: RepoConfig,
    pub repomd: Repomd,
    /// `<cachedir>/<repo-id>`
    pub cache_dir: PathBuf,
    /// The base URLs in use (baseurl=, or resolved from mirrorlist/metalink).
    pub bases: Vec<String>,
    /// True when this run fetched new metadata.
    pub refreshed: bool,
    /// The store built by this run's fetch, handed out once instead of mapping the file.
    built: std::sync::Mutex<Option<store::Store>>,
    /// With repo_gpgcheck=1: the digests the derived files must have.
    derived: Option<Derived>,
}

/// The cache directory of a repo.
pub fn cache_dir(root: &Sysroot, main: &MainConfig, id: &str) -> PathBuf {
    root.join(&main.cachedir).join(id)
}

/// Write a file atomically: temp name in the same dir, fsync, rename.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<(), RepoError> {
    write_file(path, data, true)
}

/// Write a file through a temp name and a rename; `durable` adds an fsync. Files that can be
/// derived again (the parsed cache) skip the fsync: a torn one fails its checks and is rebuilt.
fn write_file(path: &Path, data: &[u8], durable: bool) -> Result<(), RepoError> {
    crate::hostfs::write_file(path, data, durable).map_err(io_err(path))
}

fn read_opt(path: &Path) -> Result<Option<Vec<u8>>, RepoError> {
    match std::fs::read(path) {
        Ok(d) => Ok(Some(d)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// The file name a metadata href is stored under in the cache.
fn cached_name(repo: &str, href: &str) -> Result<String, RepoError> {
    checked_relative(href).map_err(|e| RepoError::Unsafe {
        repo: repo.into(),
        what: format!("repomd.xml location: {e}"),
    })?;
    Ok(Path::new(href)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("data")
        .to_string())
}

impl Repo {
    fn repodata(&self) -> PathBuf {
        self.cache_dir.join("repodata")
    }

    /// May a derived file be used? Always without repo_gpgcheck (nothing to bind it to);
    /// with it, only when its digest is the one recorded for this repomd.
    fn derived_ok(&self, path: &Path) -> bool {
        self.derived.as_ref().is_none_or(|d| d.matches(path))
    }

    fn record_derived(&self, paths: &[PathBuf]) {
        if let Some(d) = &self.derived {
            d.record(paths);
        }
    }

    /// The age of the cached metadata (time since it was last fetched or checked).
    pub fn cache_age(&self) -> Option<Duration> {
        cache_age(&self.cache_dir)
    }

    /// Remove parsed caches under their names of earlier versions (a best effort: they are
    /// never read, only left behind).
    fn drop_retired(&self) {
        for name in RETIRED_CACHES {
            let _ = crate::hostfs::remove_file(&self.repodata().join(name));
        }
    }

    /// Load the packages of primary metadata (from the parsed cache when it matches).
    pub fn packages(&self, detail: Detail) -> Result<Vec<Package>, RepoError> {
        let id = &self.config.id;
        let data = self.repomd.get("primary").expect("checked at parse");
        let key = format!("{}:{}", data.checksum.kind, data.checksum.value);
        let bin = self.repodata().join(LISTING_CACHE);
        if self.derived_ok(&bin) {
            if let Ok(p) = cache::read_file(&bin, &key, id, detail) {
                return Ok(p);
            }
        }
        let path = self.repodata().join(cached_name(id, &data.location)?);
        let raw = std::fs::read(&path).map_err(io_err(&path))?;
        // The raw file is used only when it is the one repomd.xml names.
        fetch::check_checksum(&raw, &data.checksum).map_err(|e| RepoError::Unsafe {
            repo: id.clone(),
            what: format!(
                "the cached {} is not the file repomd.xml names ({e}); run with --refresh",
                path.display()
            ),
        })?;
        let pkgs =
            parse_primary_bytes(&raw, id, open_limit(Some(data), raw.len())).map_err(|source| {
                RepoError::BadMetadata {
                    repo: id.clone(),
                    file: data.location.clone(),
                    source,
                }
            })?;
        // Best effort: a read-only cache dir only costs speed.
        if write_file(&bin, &cache::encode(&key, &pkgs), false).is_ok() {
            self.record_derived(&[bin]);
            self.drop_retired();
        }
        Ok(pkgs)
    }

    /// The repository in the solver's form ([`SOLVER_CACHE`]), built from primary metadata and
    /// cached next to it when missing or written for other metadata.
    pub fn store(&self) -> Result<store::Store, RepoError> {
        let data = self.repomd.get("primary").expect("checked at parse");
        let key = format!("{}:{}", data.checksum.kind, data.checksum.value);
        if let Some(st) = self.built.lock().expect("not poisoned").take() {
            return Ok(st);
        }
        let path = self.repodata().join(SOLVER_CACHE);
        if self.derived_ok(&path) {
            if let Some(st) = store::Store::open(&path, &key) {
                return Ok(st);
            }
        }
        let pkgs = self.packages(Detail::Full)?;
        let words = store::build(&key, &pkgs);
        // Best effort, as for the listing cache.
        if write_file(&path, &store::to_bytes(&words), false).is_ok() {
            self.record_derived(&[path]);
            self.drop_retired();
        }
        Ok(store::Store::from_words(words, &key).expect("a store just built reads back"))
    }

    /// Fetch (if needed and allowed) one more metadata file (`other`, `filelists`) and return
    /// its bytes, checked against repomd.
    pub fn extra_file(
        &self,
        kind: &str,
        fetcher: &Fetcher,
        policy: CachePolicy,
    ) -> Result<Option<Vec<u8>>, RepoError> {
        let Some(data) = self.repomd.get(kind) else {
            return Ok(None);
        };
        let id = &self.config.id;
        let path = self.repodata().join(cached_name(id, &data.location)?);
        if let Some(b) = read_opt(&path)? {
            if fetch::check_checksum(&b, &data.checksum).is_ok() {
                return Ok(Some(b));
            }
        }
        if policy.cacheonly || self.bases.is_empty() {
            return Ok(None);
        }
        let exp = Expect {
            size: data.size,
            max_size: Some(download_cap(data)),
            checksum: Some(&data.checksum),
        };
        let (b, _) = fetcher
            .fetch(&self.bases, &data.location, &exp)
            .map_err(|source| RepoError::Fetch {
                repo: id.clone(),
                source,
            })?;
        write_atomic(&path, &b)?;
        Ok(Some(b))
    }

    /// Changelogs of the named packages, from `other` metadata: (name, arch, evr) → entries.
    pub fn changelogs(
        &self,
        names: &[&str],
        fetcher: &Fetcher,
        policy: CachePolicy,
    ) -> Result<Vec<primary::OtherPackage>, RepoError> {
        let Some(raw) = self.extra_file("other", fetcher, policy)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let rd = compress::decompress_limited(&raw, self.open_limit("other", raw.len()))
            .map_err(|e| self.bad("other", e))?;
        primary::parse_other(rd, |n| names.contains(&n), |p| out.push(p)).map_err(|source| {
            RepoError::BadMetadata {
                repo: self.config.id.clone(),
                file: "other".into(),
                source,
            }
        })?;
        Ok(out)
    }

    /// The update notices of `updateinfo.xml` (none when the repo has none).
    pub fn notices(
        &self,
        fetcher: &Fetcher,
        policy: CachePolicy,
    ) -> Result<Vec<updateinfo::Notice>, RepoError> {
        let Some(raw) = self.extra_file("updateinfo", fetcher, policy)? else {
            return Ok(Vec::new());
        };
        let rd = compress::decompress_limited(&raw, self.open_limit("updateinfo", raw.len()))
            .map_err(|e| self.bad("updateinfo", e))?;
        updateinfo::parse_updateinfo(rd).map_err(|source| RepoError::BadMetadata {
            repo: self.config.id.clone(),
            file: "updateinfo".into(),
            source,
        })
    }

    /// Files of `filelists` metadata that `want` accepts, as (pkgid, path); `None` when the
    /// repo has no file lists at hand (it publishes none, or they are not cached and the cache
    /// is all we may read): "no list", which is not "no files".
    pub fn files_matching(
        &self,
        want: impl FnMut(&str) -> bool,
        fetcher: &Fetcher,
        policy: CachePolicy,
    ) -> Result<Option<Vec<(String, String)>>, RepoError> {
        let Some(raw) = self.extra_file("filelists", fetcher, policy)? else {
            return Ok(None);
        };
        let mut out = Vec::new();
        let rd = compress::decompress_limited(&raw, self.open_limit("filelists", raw.len()))
            .map_err(|e| self.bad("filelists", e))?;
        primary::parse_filelists(rd, want, |id, f| out.push((id.to_string(), f))).map_err(
            |source| RepoError::BadMetadata {
                repo: self.config.id.clone(),
                file: "filelists".into(),
                source,
            },
        )?;
        Ok(Some(out))
    }

    /// How many bytes a metadata file may decompress to: the (signed) `open-size`, else a
    /// generous bound.
    fn open_limit(&self, kind: &str, compressed: usize) -> u64 {
        open_limit(self.repomd.get(kind), compressed)
    }

    fn bad(&self, file: &str, e: std::io::Error) -> RepoError {
        RepoError::BadMetadata {
            repo: self.config.id.clone(),
            file: file.into(),
            source: ParseError::Xml {
                pos: 0,
                msg: e.to_string(),
            },
        }
    }
}

/// The newest changelog entries first, as rpm shows them.
pub fn sort_changelog(entries: &mut [ChangelogEntry]) {
    entries.sort_by_key(|e| std::cmp::Reverse(e.date));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both cached forms of `raw`, built by the streaming pipeline.
    fn ingested(raw: &[u8]) -> (Vec<u8>, Vec<u32>) {
        let mut got = ingest_primary(raw, "r", u64::MAX, Some(raw.len() as u64)).unwrap();
        let mut listing = Vec::new();
        let enc = got.listing.take().unwrap();
        enc.write("k", &got.order, &mut listing).unwrap();
        (listing, got.store_words("k"))
    }

    /// A primary document of `n` packages out of listing order: versions that sort differently
    /// as strings and as versions, epochs, two arches, and exact duplicates (ties).
    fn shuffled_primary(n: usize) -> String {
        let mut doc = format!(
            "<?xml version=\"1.0\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" \
             xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"{n}\">\n"
        );
        for i in 0..n {
            let name = format!("p{}", (i * 7919) % 97);
            let arch = if i % 5 == 0 { "i686" } else { "x86_64" };
            let epoch = i % 3 / 2;
            let ver = format!("{}.{}", i % 4 * 9 + 1, i % 2);
            let rel = if i % 11 == 0 { "1" } else { "2" };
            doc.push_str(&format!(
                "<package type=\"rpm\"><name>{name}</name><arch>{arch}</arch>\
                 <version epoch=\"{epoch}\" ver=\"{ver}\" rel=\"{rel}\"/>\
                 <checksum type=\"sha256\" pkgid=\"YES\">{i:064x}</checksum>\
                 <summary>s{i}</summary><location href=\"Packages/{name}-{i}.rpm\"/>\
                 <format><rpm:provides><rpm:entry name=\"cap{}\"/></rpm:provides>\
                 <rpm:requires><rpm:entry name=\"cap{}\" flags=\"GE\" epoch=\"0\" ver=\"1\"/>\
                 <rpm:entry name=\"/bin/sh\"/></rpm:requires>\
                 <file>/usr/bin/{name}</file></format></package>\n",
                i % 13,
                (i + 1) % 13
            ));
        }
        doc.push_str("</metadata>\n");
        doc
    }

    #[test]
    fn ingest_builds_what_parsing_then_encoding_builds() {
        let sample = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/centos7-sample/repodata/",
            "ae0eeb68acf1e64637d988a7b92b2b27e93d14c2ce6f9e3a7cc68a561d87335e-primary.xml.gz"
        ))
        .unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, shuffled_primary(700).as_bytes()).unwrap();
        let shuffled_gz = gz.finish().unwrap();
        for raw in [sample, shuffled_primary(700).into_bytes(), shuffled_gz] {
            let pkgs = parse_primary_bytes(&raw, "r", u64::MAX).unwrap();
            assert!(pkgs.len() > 100);
            let (listing, words) = ingested(&raw);
            assert!(listing == cache::encode("k", &pkgs), "listing differs");
            let built = store::build("k", &pkgs);
            let first = words.iter().zip(&built).position(|(a, b)| a != b);
            assert!(
                words == built,
                "store differs at word {first:?} of {}",
                words.len()
            );
            // And the listing reads back in listing order.
            let back = cache::decode(&listing, "k", "r", Detail::Full).unwrap();
            let nevras = |v: &[Package]| v.iter().map(Package::nevra).collect::<Vec<_>>();
            assert_eq!(nevras(&back), nevras(&pkgs));
        }
    }

    #[test]
    fn ingest_refuses_damaged_metadata() {
        let doc = shuffled_primary(600);
        let cut = &doc.as_bytes()[..doc.len() / 2];
        assert!(ingest_primary(cut, "r", u64::MAX, None).is_err());
        let bad = doc.replacen("<location href=\"Packages/", "<location href=\"../", 1);
        let e = ingest_primary(bad.as_bytes(), "r", u64::MAX, None)
            .err()
            .unwrap();
        assert!(e.to_string().contains("p0-0"), "{e}");
        // More than the limit decompressed: refused, not parsed.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, doc.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        assert!(ingest_primary(&gz, "r", 1000, Some(u64::MAX)).is_err());
    }
}
