//! Package files fetched into the cache and verified, for the transactions and for what must
//! be read from a package before any change (its header's file list, its modules' aliases).

use super::Context;
use crate::error::{Error, Result};
use crate::repo::{self, Repo};
use crate::rpm::Package;
use crate::transaction::download::{self, FileSource, Wanted};
use std::path::PathBuf;

/// Where a repo package's file comes from: the repo's base URLs, into its cache.
pub(super) fn repo_source(ctx: &Context<'_>, repo: &Repo, p: &Package) -> Result<FileSource> {
    let mut bases = repo.bases.clone();
    if bases.is_empty() {
        bases = repo::resolve_bases(&repo.config, &ctx.fetcher)?;
    }
    let dest = download::cache_path(&repo.cache_dir, &p.location).map_err(|e| {
        Error::from(repo::RepoError::Unsafe {
            repo: repo.config.id.clone(),
            what: format!("package location: {e}"),
        })
    })?;
    Ok(FileSource::Repo {
        repo: repo.config.clone(),
        bases,
        location: p.location.clone(),
        checksum: p.checksum.clone(),
        size: p.size_package,
        dest,
    })
}

/// One repo package's file, fetched into the cache (or found there) and verified as a
/// transaction's downloads are: its checksum, and its signatures when the repo has
/// `gpgcheck=1`. For what must be read from a package before any change (its header's file
/// list when the repo publishes none); nothing is installed.
pub(super) fn fetch_verified(ctx: &Context<'_>, repo: &Repo, p: &Package) -> Result<PathBuf> {
    let w = Wanted {
        pkg: p.to_ref(),
        source: repo_source(ctx, repo, p)?,
        size_installed: p.size_installed,
    };
    let dl = download::Downloader::new(ctx.fetcher.http(), ctx.fetcher.retries());
    download::fetch_all(
        &dl,
        std::slice::from_ref(&w),
        &|m| ctx.reporter.info(m),
        &|_| {},
    )?;
    let mut keys = download::Keys::new(ctx.root(), &ctx.fetcher);
    Ok(download::verify(&w, &mut keys)?.path)
}
