//! Syncing a repo's metadata: resolving its base URLs (mirrorlist, metalink), fetching and
//! checking `repomd.xml` and the files it names (bounded in size), building the parsed caches
//! in a staging directory and swapping it in whole; and reading primary metadata, bounded.

use super::*;
use crate::compress;
use crate::config::{MainConfig, RepoConfig};
use crate::fetch::{self, Expect, Fetcher};
use crate::rpm::package::Package;
use crate::sysroot::Sysroot;
use primary::ParseError;
use repomd::Repomd;
use std::path::Path;
use std::time::{Duration, SystemTime};

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
pub(super) fn download_cap(d: &repomd::RepomdData) -> u64 {
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
pub(super) fn parse_streamed(
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
    pub(super) store: store::Builder,
    pub(super) listing: Option<cache::Encoder>,
    /// Listing order (`order[k]` = the `k`th package parsed that comes `k`th).
    pub(super) order: Vec<u32>,
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

pub(super) fn cache_age(dir: &Path) -> Option<Duration> {
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
    if !need_fetch(root, cfg, fetcher, &policy, &dir, &cached)? {
        return open_cached(root, cfg, &policy, dir, cached);
    }
    remove_leftovers(&dir);
    let fresh = fetch_repomd(root, cfg, fetcher)?;
    let repo = Repo {
        config: cfg.clone(),
        repomd: fresh.md.clone(),
        cache_dir: dir.clone(),
        bases: fresh.bases.clone(),
        refreshed: true,
        built: Default::default(),
        derived: cfg
            .repo_gpgcheck
            .then(|| Derived::new(root, &cfg.id, &fresh.raw)),
    };
    if let Some((old_raw, _)) = &cached {
        if *old_raw == fresh.raw && cached_data_ok(&repodata, &fresh.md, &cfg.id) {
            mark_unchanged(&repodata, &fresh.asc)?;
            return Ok(repo);
        }
    }
    // Fetch primary from the same mirror into a staging directory, then swap it in whole.
    let staging = dir.join(format!("repodata.new-{}", std::process::id()));
    let _ = crate::hostfs::remove_dir_all(&staging);
    crate::hostfs::create_dir_all(&staging).map_err(io_err(&staging))?;
    if let Err(e) = stage(cfg, fetcher, &fresh, &repo, &staging) {
        let _ = crate::hostfs::remove_dir_all(&staging);
        return Err(e);
    }
    swap_in(&dir, &repodata, &staging)?;
    repo.record_derived(&[repodata.join(LISTING_CACHE), repodata.join(SOLVER_CACHE)]);
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(repo)
}

/// Whether the metadata must be fetched: asked to refresh, no cache, or an expired one (never
/// with `-C`); with repo_gpgcheck=1 also a cache without its signature, whose signature is
/// otherwise checked again here.
fn need_fetch(
    root: &Sysroot,
    cfg: &RepoConfig,
    fetcher: &Fetcher,
    policy: &CachePolicy,
    dir: &Path,
    cached: &Option<(Vec<u8>, Repomd)>,
) -> Result<bool, RepoError> {
    let repodata = dir.join("repodata");
    let expired = match (cache_age(dir), cfg.metadata_expire) {
        (Some(age), Some(max)) => age.as_secs() >= max,
        (Some(_), None) => false,
        (None, _) => true,
    };
    let mut need_fetch = !policy.cacheonly && (policy.refresh || cached.is_none() || expired);
    // With repo_gpgcheck=1 the cache is used only with the signature it was accepted with,
    // checked again now (keys or the setting may have changed, or the cache been tampered with).
    if !need_fetch && cfg.repo_gpgcheck {
        if let Some((raw, _)) = cached {
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
    Ok(need_fetch)
}

/// The repo from its cache as it is; no cache is an error naming the flag that forbade
/// fetching.
fn open_cached(
    root: &Sysroot,
    cfg: &RepoConfig,
    policy: &CachePolicy,
    dir: PathBuf,
    cached: Option<(Vec<u8>, Repomd)>,
) -> Result<Repo, RepoError> {
    let Some((raw, md)) = cached else {
        return Err(RepoError::NoCache {
            repo: cfg.id.clone(),
            flag: policy.flag,
        });
    };
    Ok(Repo {
        config: cfg.clone(),
        repomd: md,
        cache_dir: dir,
        bases: cfg.baseurls.clone(),
        refreshed: false,
        built: Default::default(),
        derived: cfg.repo_gpgcheck.then(|| Derived::new(root, &cfg.id, &raw)),
    })
}

/// repomd.xml just fetched and checked, with where it came from.
struct Fresh {
    bases: Vec<String>,
    /// The index in `bases` of the mirror it came from.
    mirror: usize,
    raw: Vec<u8>,
    /// Its signature, with repo_gpgcheck=1.
    asc: Option<Vec<u8>>,
    md: Repomd,
}

/// Fetch repomd.xml from a mirror; with repo_gpgcheck=1 check its signature before parsing
/// it, and that it is not older than the last one seen.
fn fetch_repomd(root: &Sysroot, cfg: &RepoConfig, fetcher: &Fetcher) -> Result<Fresh, RepoError> {
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
        crate::trust::metadata::check_not_older(root, cfg, &url, seen)?;
    }
    Ok(Fresh {
        bases,
        mirror,
        raw,
        asc,
        md,
    })
}

/// The metadata is unchanged: store the signature as fetched (or remove a stale one) and mark
/// the cache as checked now.
fn mark_unchanged(repodata: &Path, asc: &Option<Vec<u8>>) -> Result<(), RepoError> {
    match asc {
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
    .map_err(io_err(repodata))?;
    f.set_modified(SystemTime::now())
        .map_err(io_err(repodata))?;
    Ok(())
}

/// Fill `staging` with the new metadata: primary (fetched from the same mirror, parsed, and
/// its listing and solver caches), the signature and repomd.xml; the parsed store goes into
/// `repo`.
fn stage(
    cfg: &RepoConfig,
    fetcher: &Fetcher,
    fresh: &Fresh,
    repo: &Repo,
    staging: &Path,
) -> Result<(), RepoError> {
    // Only primary is needed up front; other and filelists are fetched when asked for.
    let d = fresh.md.get("primary").expect("checked at parse");
    let name = cached_name(&cfg.id, &d.location)?;
    let exp = Expect {
        size: d.size,
        max_size: Some(download_cap(d)),
        checksum: Some(&d.checksum),
    };
    let (data, _) = fetcher
        .fetch_from(&fresh.bases, fresh.mirror, &d.location, &exp)
        .map_err(|source| RepoError::Fetch {
            repo: cfg.id.clone(),
            source,
        })?;
    let key = format!("{}:{}", d.checksum.kind, d.checksum.value);
    // Parse before caching: metadata that does not parse never enters the cache.
    // Both parsed forms at once: listings read the first, plans the second.
    let mut built = ingest_primary(&data, &cfg.id, open_limit(Some(d), data.len()), d.open_size)
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
    if let Some(a) = &fresh.asc {
        write_atomic(&staging.join("repomd.xml.asc"), a)?;
    }
    write_atomic(&staging.join("repomd.xml"), &fresh.raw)?;
    Ok(())
}

/// Put `staging` in place of `repodata` in one step, then remove what it replaced.
fn swap_in(dir: &Path, repodata: &Path, staging: &Path) -> Result<(), RepoError> {
    let old = dir.join(format!("repodata.old-{}", std::process::id()));
    if repodata.exists() {
        // One atomic exchange: a kill at any point leaves a whole `repodata`.
        crate::hostfs::exchange(staging, repodata, &old).map_err(io_err(repodata))?;
        let _ = crate::hostfs::remove_dir_all(staging);
    } else {
        crate::hostfs::rename(staging, repodata).map_err(io_err(repodata))?;
    }
    let _ = crate::hostfs::remove_dir_all(&old);
    Ok(())
}

/// Remove the staging directories (`repodata.new-<pid>`, `repodata.old-<pid>`) that a run
/// killed midway left behind: those whose process is gone.
pub(super) fn remove_leftovers(dir: &Path) {
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

pub(super) fn cached_data_ok(repodata: &Path, md: &Repomd, id: &str) -> bool {
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
