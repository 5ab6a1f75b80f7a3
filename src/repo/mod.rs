//! Repositories: syncing their metadata (through `fetch`), checking and caching it, and
//! reading it into package records. Everything a mirror sends is checked against the size and
//! checksum `repomd.xml` states before it is used or cached; the cache is swapped in whole, so
//! an interrupted fetch never leaves half a cache. Signatures are judged by `trust`, which this
//! module asks before it believes a `repomd.xml`; it never solves and never changes the host
//! outside its cache.

pub mod cache;
pub mod primary;
pub mod repomd;
pub mod store;

use crate::compress;
use crate::config::{MainConfig, RepoConfig};
use crate::fetch::{self, Expect, FetchError, Fetcher};
use crate::rpm::package::Package;
use crate::sysroot::{checked_relative, Sysroot};
use cache::Detail;
use primary::{ChangelogEntry, ParseError};
use repomd::Repomd;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

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
    #[error("repo `{repo}`: no cached metadata and --cacheonly was given")]
    NoCache { repo: String },
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
            RepoError::NoCache { repo } => {
                return Some(format!(
                "run `xcpng-mod makecache` while the mirrors of `{repo}` are reachable, or drop -C"
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
struct DerivedRecord {
    repomd_sha256: String,
    files: std::collections::BTreeMap<String, String>,
}

fn sha256_file(path: &Path) -> Option<String> {
    use sha2::Digest;
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = sha2::Sha256::new();
    std::io::copy(&mut f, &mut h).ok()?;
    Some(hex::encode(h.finalize()))
}

impl Derived {
    fn new(root: &Sysroot, id: &str, raw_repomd: &[u8]) -> Derived {
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
    fn matches(&self, path: &Path) -> bool {
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
    fn record(&self, paths: &[PathBuf]) {
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

    /// Files of `filelists` metadata that `want` accepts, as (pkgid, path): fetched and parsed
    /// only when primary's subset of files does not answer a file dependency.
    pub fn files_matching(
        &self,
        want: impl FnMut(&str) -> bool,
        fetcher: &Fetcher,
        policy: CachePolicy,
    ) -> Result<Vec<(String, String)>, RepoError> {
        let Some(raw) = self.extra_file("filelists", fetcher, policy)? else {
            return Ok(Vec::new());
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
        Ok(out)
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

/// The compressed size a metadata file may have when repomd.xml states none (createrepo
/// always states it; a repomd.xml that does not is broken or hostile). Downloads are held in
/// memory, so this also bounds what such a mirror can make the host hold.
pub const METADATA_MAX: u64 = 32 << 20;

/// How far a metadata file may grow when decompressed, when repomd.xml states no open-size.
pub const EXPANSION_MAX: u64 = 50;

/// The decompressed size a metadata file of `compressed` bytes may reach: its `open-size`
/// from repomd.xml when stated, else 50 times its size; never above
/// `compress::DEFAULT_LIMIT`.
pub fn open_limit(d: Option<&repomd::RepomdData>, compressed: usize) -> u64 {
    d.and_then(|d| d.open_size)
        .unwrap_or((compressed as u64).saturating_mul(EXPANSION_MAX))
        .min(compress::DEFAULT_LIMIT)
}

/// The download cap of a metadata file: the size repomd.xml states, else twice its
/// open-size, else [`METADATA_MAX`].
fn download_cap(d: &repomd::RepomdData) -> u64 {
    match (d.size, d.open_size) {
        (Some(s), _) => s,
        (None, Some(o)) => o.saturating_mul(2).min(METADATA_MAX),
        (None, None) => METADATA_MAX,
    }
}

/// Decompress and parse primary metadata (refusing more than `limit` decompressed bytes),
/// packages sorted as listings want them (name, arch, newest first; ties in document order,
/// as `ingest_primary` puts them).
pub fn parse_primary_bytes(raw: &[u8], repo: &str, limit: u64) -> Result<Vec<Package>, ParseError> {
    let mut pkgs = Vec::new();
    parse_streamed(raw, repo, limit, |p| pkgs.push(p))?;
    // Later sorts are then linear.
    pkgs.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then_with(|| a.arch.cmp(&b.arch))
            .then_with(|| b.evr_cmp(a))
    });
    Ok(pkgs)
}

/// Parse (possibly compressed) primary metadata, calling `sink` for each package in document
/// order. Decompression runs on a second thread, feeding the parser through a pipe, so two
/// cores share the work.
fn parse_streamed(
    raw: &[u8],
    repo: &str,
    limit: u64,
    mut sink: impl FnMut(Package),
) -> Result<(), ParseError> {
    use std::io::{BufReader, Read, Write};
    if compress::Compression::sniff(raw) == compress::Compression::None {
        return primary::parse_primary(raw, repo, sink).map(|_| ());
    }
    let (mut rd, mut wr) = std::io::pipe().map_err(|e| ParseError::Xml {
        pos: 0,
        msg: e.to_string(),
    })?;
    std::thread::scope(|s| {
        let producer = s.spawn(move || -> std::io::Result<()> {
            let mut dec = compress::decompress_limited(raw, limit)?;
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = dec.read(&mut buf)?;
                if n == 0 {
                    return Ok(());
                }
                if wr.write_all(&buf[..n]).is_err() {
                    return Ok(()); // the parser stopped early; its error is reported
                }
            }
        });
        let parsed =
            primary::parse_primary(BufReader::with_capacity(1 << 16, &mut rd), repo, &mut sink);
        drop(rd);
        let produced = producer.join().expect("decompressor thread");
        if let Err(e) = produced {
            return Err(ParseError::Xml {
                pos: 0,
                msg: format!("decompression failed: {e}"),
            });
        }
        parsed.map(|_| ())
    })
}

/// Both cached forms of primary metadata, built while it is parsed.
pub struct Ingested {
    store: store::Builder,
    listing: Option<cache::Encoder>,
    /// Listing order (`order[k]` = the `k`th package parsed that comes `k`th).
    order: Vec<u32>,
}

impl Ingested {
    /// Write the listing cache ([`LISTING_CACHE`]) for `key`, and let go of it.
    pub fn write_listing(&mut self, key: &str, path: &Path) -> Result<(), RepoError> {
        let Some(listing) = self.listing.take() else {
            return Ok(());
        };
        let f = crate::hostfs::create(path).map_err(io_err(path))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        listing
            .write(key, &self.order, &mut w)
            .and_then(|_| std::io::Write::flush(&mut w))
            .map_err(io_err(path))
    }

    /// The solver store's words ([`SOLVER_CACHE`]) for `key`.
    pub fn store_words(self, key: &str) -> Vec<u32> {
        self.store.finish(key, &self.order)
    }
}

/// Decompress and parse primary metadata into both cached forms, never holding the parsed
/// packages all at once: decompression, parsing and encoding run as a pipeline (one thread
/// each), and each package is dropped once encoded. `open_size` (repomd's, when it gives one)
/// sizes the buffers up front, so that they are not copied as they grow.
pub fn ingest_primary(
    raw: &[u8],
    repo: &str,
    limit: u64,
    open_size: Option<u64>,
) -> Result<Ingested, ParseError> {
    const BATCH: usize = 256;
    // repomd's figure is the publisher's word: believed only within the limit and a plausible
    // compression ratio.
    let hint = open_size.unwrap_or(0).min(limit).min(raw.len() as u64 * 32) as usize;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Package>>(8);
    std::thread::scope(|s| {
        let encoder = s.spawn(move || {
            let mut store = store::Builder::for_document(hint);
            let mut listing = cache::Encoder::for_document(hint);
            for batch in rx {
                for p in &batch {
                    store.add(p);
                    listing.add(p);
                }
            }
            (store, listing)
        });
        let mut batch = Vec::with_capacity(BATCH);
        let parsed = parse_streamed(raw, repo, limit, |p| {
            batch.push(p);
            if batch.len() == BATCH {
                // The encoder only stops when this sender is dropped.
                let _ = tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
        });
        let _ = tx.send(batch);
        drop(tx);
        let (store, listing) = encoder.join().expect("encoder thread");
        parsed?;
        let order = store.order();
        Ok(Ingested {
            store,
            listing: Some(listing),
            order,
        })
    })
}

fn cache_age(dir: &Path) -> Option<Duration> {
    let m = std::fs::metadata(dir.join("repodata/repomd.xml")).ok()?;
    SystemTime::now().duration_since(m.modified().ok()?).ok()
}

/// Resolve the base URLs of a repo: `baseurl=` first, then mirrorlist, then metalink.
pub fn resolve_bases(cfg: &RepoConfig, fetcher: &Fetcher) -> Result<Vec<String>, RepoError> {
    let mut bases = cfg.baseurls.clone();
    for (url, is_metalink) in [(&cfg.mirrorlist, false), (&cfg.metalink, true)] {
        let Some(url) = url else { continue };
        if !bases.is_empty() {
            break;
        }
        let doc = fetcher
            .fetch_url(url, MIRRORLIST_MAX)
            .map_err(|e| RepoError::Mirrors {
                repo: cfg.id.clone(),
                url: url.clone(),
                msg: e.to_string(),
            })?;
        bases = if is_metalink {
            fetch::parse_metalink(&doc)
        } else {
            fetch::parse_mirrorlist(&String::from_utf8_lossy(&doc))
        };
        if bases.is_empty() {
            return Err(RepoError::Mirrors {
                repo: cfg.id.clone(),
                url: url.clone(),
                msg: "it lists no mirror".into(),
            });
        }
    }
    Ok(bases)
}

/// Open a repo: use the cache when fresh (or with `-C`), else fetch and check new metadata.
pub fn open(
    root: &Sysroot,
    main: &MainConfig,
    cfg: &RepoConfig,
    fetcher: &Fetcher,
    policy: CachePolicy,
) -> Result<Repo, RepoError> {
    let dir = cache_dir(root, main, &cfg.id);
    let repodata = dir.join("repodata");
    let cached = read_opt(&repodata.join("repomd.xml"))?
        .and_then(|b| repomd::parse(&b).ok().map(|m| (b, m)));
    let expired = match (cache_age(&dir), cfg.metadata_expire) {
        (Some(age), Some(max)) => age.as_secs() >= max,
        (Some(_), None) => false,
        (None, _) => true,
    };
    let mut need_fetch = !policy.cacheonly && (policy.refresh || cached.is_none() || expired);
    // With repo_gpgcheck=1 the cache is used only with the signature it was accepted with,
    // checked again now (keys or the setting may have changed, or the cache been tampered with).
    if !need_fetch && cfg.repo_gpgcheck {
        if let Some((raw, _)) = &cached {
            let asc_path = repodata.join("repomd.xml.asc");
            match read_opt(&asc_path)? {
                Some(asc) => {
                    crate::trust::metadata::verify_cached_repomd(
                        root,
                        cfg,
                        fetcher,
                        raw,
                        &asc,
                        &repodata.join("repomd.xml").display().to_string(),
                    )?;
                }
                None if policy.cacheonly => {
                    return Err(RepoError::Unsafe {
                        repo: cfg.id.clone(),
                        what: "the cached metadata carries no signature (repo_gpgcheck=1); run without -C to fetch signed metadata".into(),
                    });
                }
                None => need_fetch = true,
            }
        }
    }
    if !need_fetch {
        let Some((raw, md)) = cached else {
            return Err(RepoError::NoCache {
                repo: cfg.id.clone(),
            });
        };
        return Ok(Repo {
            config: cfg.clone(),
            repomd: md,
            cache_dir: dir,
            bases: cfg.baseurls.clone(),
            refreshed: false,
            built: Default::default(),
            derived: cfg.repo_gpgcheck.then(|| Derived::new(root, &cfg.id, &raw)),
        });
    }
    remove_leftovers(&dir);
    let bases = resolve_bases(cfg, fetcher)?;
    let exp = Expect {
        max_size: Some(REPOMD_MAX),
        ..Default::default()
    };
    let (raw, mirror) = fetcher
        .fetch(&bases, "repodata/repomd.xml", &exp)
        .map_err(|source| RepoError::Fetch {
            repo: cfg.id.clone(),
            source,
        })?;
    let url = fetch::join_url(&bases[mirror], "repodata/repomd.xml");
    // Trust: the signature (from the same mirror) is checked before repomd.xml is parsed.
    let asc = if cfg.repo_gpgcheck {
        let (_, asc) = crate::trust::metadata::fetch_and_verify_repomd(
            root,
            cfg,
            fetcher,
            &bases[mirror],
            &raw,
        )?;
        Some(asc)
    } else {
        None
    };
    let md = repomd::parse(&raw).map_err(|msg| RepoError::BadRepomd {
        repo: cfg.id.clone(),
        url: url.clone(),
        msg,
    })?;
    if cfg.repo_gpgcheck {
        let seen = crate::trust::metadata::Seen {
            revision: md.revision.clone(),
            timestamp: md.timestamp(),
        };
        crate::trust::metadata::check_rollback(root, cfg, &url, seen)?;
    }
    let repo = Repo {
        config: cfg.clone(),
        repomd: md.clone(),
        cache_dir: dir.clone(),
        bases: bases.clone(),
        refreshed: true,
        built: Default::default(),
        derived: cfg.repo_gpgcheck.then(|| Derived::new(root, &cfg.id, &raw)),
    };
    if let Some((old_raw, _)) = &cached {
        if *old_raw == raw && cached_data_ok(&repodata, &md, &cfg.id) {
            match &asc {
                Some(a) => write_atomic(&repodata.join("repomd.xml.asc"), a)?,
                None => {
                    let _ = crate::hostfs::remove_file(&repodata.join("repomd.xml.asc"));
                }
            }
            // Unchanged: mark the cache as checked now.
            let f = crate::hostfs::open(
                &repodata.join("repomd.xml"),
                std::fs::File::options().append(true),
            )
            .map_err(io_err(&repodata))?;
            f.set_modified(SystemTime::now())
                .map_err(io_err(&repodata))?;
            return Ok(repo);
        }
    }
    // Fetch primary from the same mirror into a staging directory, then swap it in whole.
    let staging = dir.join(format!("repodata.new-{}", std::process::id()));
    let _ = crate::hostfs::remove_dir_all(&staging);
    crate::hostfs::create_dir_all(&staging).map_err(io_err(&staging))?;
    let result = (|| {
        // Only primary is needed up front; other and filelists are fetched when asked for.
        {
            let d = md.get("primary").expect("checked at parse");
            let name = cached_name(&cfg.id, &d.location)?;
            let exp = Expect {
                size: d.size,
                max_size: Some(download_cap(d)),
                checksum: Some(&d.checksum),
            };
            let (data, _) = fetcher
                .fetch_from(&bases, mirror, &d.location, &exp)
                .map_err(|source| RepoError::Fetch {
                    repo: cfg.id.clone(),
                    source,
                })?;
            let key = format!("{}:{}", d.checksum.kind, d.checksum.value);
            // Parse before caching: metadata that does not parse never enters the cache.
            // Both parsed forms at once: listings read the first, plans the second.
            let mut built =
                ingest_primary(&data, &cfg.id, open_limit(Some(d), data.len()), d.open_size)
                    .map_err(|source| RepoError::BadMetadata {
                        repo: cfg.id.clone(),
                        file: d.location.clone(),
                        source,
                    })?;
            // The listing first: it is let go of before the store is assembled.
            built.write_listing(&key, &staging.join(LISTING_CACHE))?;
            let words = built.store_words(&key);
            write_file(&staging.join(SOLVER_CACHE), &store::to_bytes(&words), false)?;
            write_atomic(&staging.join(name), &data)?;
            *repo.built.lock().expect("not poisoned") = store::Store::from_words(words, &key);
        }
        if let Some(a) = &asc {
            write_atomic(&staging.join("repomd.xml.asc"), a)?;
        }
        write_atomic(&staging.join("repomd.xml"), &raw)?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = crate::hostfs::remove_dir_all(&staging);
        return Err(e);
    }
    let old = dir.join(format!("repodata.old-{}", std::process::id()));
    if repodata.exists() {
        // One atomic exchange: a kill at any point leaves a whole `repodata`.
        crate::hostfs::exchange(&staging, &repodata, &old).map_err(io_err(&repodata))?;
        let _ = crate::hostfs::remove_dir_all(&staging);
    } else {
        crate::hostfs::rename(&staging, &repodata).map_err(io_err(&repodata))?;
    }
    let _ = crate::hostfs::remove_dir_all(&old);
    repo.record_derived(&[repodata.join(LISTING_CACHE), repodata.join(SOLVER_CACHE)]);
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(repo)
}

/// Remove the staging directories (`repodata.new-<pid>`, `repodata.old-<pid>`) that a run
/// killed midway left behind: those whose process is gone.
fn remove_leftovers(dir: &Path) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix("repodata.new-")
            .or_else(|| name.strip_prefix("repodata.old-"))
            .and_then(|p| p.parse::<i32>().ok());
        if pid.is_some_and(|p| !crate::process::alive(p)) {
            let _ = crate::hostfs::remove_dir_all(&e.path());
        }
    }
}

fn cached_data_ok(repodata: &Path, md: &Repomd, id: &str) -> bool {
    let Some(d) = md.get("primary") else {
        return false;
    };
    let Ok(name) = cached_name(id, &d.location) else {
        return false;
    };
    // The raw file is checked whole: a cache kept because repomd did not change must be the
    // data repomd names, not only of its size.
    std::fs::read(repodata.join(name)).is_ok_and(|b| fetch::check_checksum(&b, &d.checksum).is_ok())
}

/// Summary of a repo's cache for `repolist` (no network): the package count if cached.
pub fn cached_package_count(root: &Sysroot, main: &MainConfig, id: &str) -> Option<usize> {
    let dir = cache_dir(root, main, id);
    let raw = std::fs::read(dir.join("repodata/repomd.xml")).ok()?;
    let md = repomd::parse(&raw).ok()?;
    let d = md.get("primary")?;
    let key = format!("{}:{}", d.checksum.kind, d.checksum.value);
    // Only the header: the magic, the key and the count.
    let mut head = vec![0u8; 8 + 4 + key.len() + 8];
    let mut f = std::fs::File::open(dir.join("repodata").join(LISTING_CACHE)).ok()?;
    std::io::Read::read_exact(&mut f, &mut head).ok()?;
    if cache::key_of(&head)? != key {
        return None;
    }
    let off = 8 + 4 + key.len();
    Some(u64::from_le_bytes(head.get(off..off + 8)?.try_into().ok()?) as usize)
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
