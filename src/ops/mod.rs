//! Operations: what each command does, as functions that take resolved settings (a
//! [`Context`]) and return data. They hold the planner (`solve`: goals to plans on the host's
//! packages), undo and rollback, queries and the driver index; the transaction engine they
//! call is `transaction`'s. They print nothing and know nothing of tables, colours or JSON
//! layout: the `cli` module renders their values; talk goes through the [`Reporter`].

pub mod driver_tool;
mod drivers;
mod fetched;
pub mod host;
pub mod impact;
pub mod query;
pub mod rollback;
pub mod solve;
pub mod tools;
pub mod transaction;

use crate::config::{self, Config, Overrides};
use crate::error::{Error, Result};
use crate::fetch::{FetchOptions, Fetcher};
use crate::repo::{self, cache::Detail, CachePolicy, Repo};
use crate::rpm::{installed, Package};
use crate::sysroot::Sysroot;
use std::time::Duration;

pub use crate::notices::{Reporter, Silent};

/// Everything the command line decided, resolved once before work starts.
#[derive(Debug, Clone)]
pub struct Settings {
    pub root: Sysroot,
    pub overrides: Overrides,
    pub cache: CachePolicy,
    pub kernel: Option<String>,
    pub assumeyes: bool,
    pub assumeno: bool,
    pub downloadonly: bool,
    /// `--debugsolver[=DIR]`: every plan of this run also writes `DIR/testcase.t`.
    pub debugsolver: Option<std::path::PathBuf>,
}

impl Settings {
    pub fn new(root: impl Into<std::path::PathBuf>) -> Settings {
        Settings {
            root: Sysroot::new(root),
            overrides: Overrides::default(),
            cache: CachePolicy::default(),
            kernel: None,
            assumeyes: false,
            assumeno: false,
            downloadonly: false,
            debugsolver: None,
        }
    }
}

/// Settings plus what is loaded from them: configuration and a fetcher.
pub struct Context<'r> {
    pub settings: Settings,
    pub config: Config,
    pub fetcher: Fetcher,
    pub reporter: &'r dyn Reporter,
}

impl<'r> Context<'r> {
    pub fn new(settings: Settings, reporter: &'r dyn Reporter) -> Result<Context<'r>> {
        let config = config::load(&settings.root, &settings.overrides)?;
        for w in &config.warnings {
            reporter.warn(w);
        }
        let fetcher = Fetcher::new(FetchOptions {
            timeout: Duration::from_secs(config.main.timeout.max(1)),
            retries: config.main.retries,
            offline: settings.cache.cacheonly.then_some(settings.cache.flag),
            minrate: config.main.minrate,
            ..Default::default()
        });
        Ok(Context {
            settings,
            config,
            fetcher,
            reporter,
        })
    }

    pub fn root(&self) -> &Sysroot {
        &self.settings.root
    }

    /// Say what the layers without a reporter queued (keys pinned, insecure key URLs).
    pub fn report_notices(&self) {
        crate::notices::report_to(self.reporter);
    }

    /// Open every enabled repo, concurrently. A repo with `skip_if_unavailable=1` that fails
    /// is skipped with a warning; any other failure is an error.
    /// The enabled repos that open, skipping a repo that fails (with a warning when `warn`):
    /// undo and rollback can use kept files instead.
    pub fn open_repos_lenient(&self, warn: bool) -> Vec<Repo> {
        let mut out = Vec::new();
        for cfg in self.config.enabled_repos() {
            match repo::open(
                self.root(),
                &self.config.main,
                cfg,
                &self.fetcher,
                self.settings.cache,
            ) {
                Ok(r) => out.push(r),
                Err(e) if warn => self
                    .reporter
                    .warn(&format!("repo `{}` skipped: {e}", cfg.id)),
                Err(_) => {}
            }
        }
        out
    }

    pub fn open_repos(&self) -> Result<Vec<Repo>> {
        let repos: Vec<_> = self.config.enabled_repos().collect();
        // At most `max_parallel_downloads` repos at once (dnf's key; default 4), each with
        // its own mirror failover: a host's refresh costs its slowest repo, not their sum.
        let workers = (self.config.main.max_parallel_downloads.max(1) as usize).min(repos.len());
        let next = std::sync::atomic::AtomicUsize::new(0);
        let slots: Vec<std::sync::Mutex<Option<_>>> =
            repos.iter().map(|_| std::sync::Mutex::new(None)).collect();
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(cfg) = repos.get(i) else { return };
                    let r = repo::open(
                        &self.settings.root,
                        &self.config.main,
                        cfg,
                        &self.fetcher,
                        self.settings.cache,
                    );
                    *slots[i].lock().expect("not poisoned") = Some(r);
                });
            }
        });
        let results: Vec<_> = slots
            .into_iter()
            .map(|m| {
                m.into_inner()
                    .expect("not poisoned")
                    .expect("every repo was opened")
            })
            .collect();
        self.report_notices();
        let mut out = Vec::new();
        for (cfg, r) in repos.iter().zip(results) {
            match r {
                Ok(r) => {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs());
                    if let Some(w) =
                        crate::trust::metadata::freeze_warning(&r.config, r.repomd.timestamp(), now)
                    {
                        self.reporter.warn(&w);
                    }
                    out.push(r)
                }
                Err(e) if cfg.skip_if_unavailable => {
                    self.reporter.warn(&format!(
                        "skipping repo `{}` (skip_if_unavailable=1): {e}",
                        cfg.id
                    ));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(out)
    }

    /// All packages of the enabled repos, after `exclude`/`includepkgs`.
    pub fn available(&self, repos: &[Repo], detail: Detail) -> Result<Vec<Package>> {
        let loaded: Vec<_> = std::thread::scope(|s| {
            let hs: Vec<_> = repos
                .iter()
                .map(|r| s.spawn(move || r.packages(detail)))
                .collect();
            hs.into_iter()
                .map(|h| h.join().expect("load thread"))
                .collect()
        });
        let mut all = Vec::new();
        for (r, pkgs) in repos.iter().zip(loaded) {
            let pkgs = pkgs?;
            all.extend(pkgs.into_iter().filter(|p| self.is_candidate(&r.config, p)));
        }
        Ok(all)
    }

    /// The enabled repos in the solver's form, each with its priority and the packages that
    /// `exclude=`/`includepkgs=` leave as candidates.
    pub fn stores(&self, repos: &[Repo]) -> Result<Vec<crate::solve::pool::Source>> {
        let loaded: Vec<_> = std::thread::scope(|s| {
            let hs: Vec<_> = repos.iter().map(|r| s.spawn(move || r.store())).collect();
            hs.into_iter()
                .map(|h| h.join().expect("load thread"))
                .collect()
        });
        let mut out = Vec::new();
        for (r, st) in repos.iter().zip(loaded) {
            let st = st?;
            let cfg = &r.config;
            let filtered = !self.config.main.exclude.is_empty()
                || !cfg.exclude.is_empty()
                || !cfg.includepkgs.is_empty();
            let keep = filtered.then(|| {
                (0..st.len())
                    .map(|i| self.is_candidate(cfg, &st.ident(i)))
                    .collect()
            });
            out.push(crate::solve::pool::Source::Store {
                store: std::sync::Arc::new(st),
                repo: cfg.id.clone(),
                priority: cfg.priority as i32,
                keep,
            });
        }
        Ok(out)
    }

    /// Is a package of repo `cfg` left as a candidate by `exclude=` (main and the repo's) and
    /// the repo's `includepkgs=`?
    fn is_candidate(&self, cfg: &config::RepoConfig, p: &Package) -> bool {
        !self
            .config
            .main
            .exclude
            .iter()
            .chain(&cfg.exclude)
            .any(|pat| matches_spec(p, pat))
            && (cfg.includepkgs.is_empty()
                || cfg.includepkgs.iter().any(|pat| matches_spec(p, pat)))
    }

    /// The packages installed on the root.
    pub fn installed(&self) -> Result<Vec<Package>> {
        Ok(installed::load(&self.settings.root)?)
    }
}

/// Does a package match a yum-style spec: a glob on `name`, `name.arch`, `name-version`,
/// `name-version-release`, `name-version-release.arch`, or with an epoch `name-E:V-R.arch`.
pub fn matches_spec(p: &Package, spec: &str) -> bool {
    let v = &p.evr.version;
    let r = &p.evr.release;
    let e = p.epoch();
    let forms = [
        p.name.clone(),
        format!("{}.{}", p.name, p.arch),
        format!("{}-{}", p.name, v),
        format!("{}-{}-{}", p.name, v, r),
        format!("{}-{}-{}.{}", p.name, v, r, p.arch),
        format!("{}-{}:{}-{}.{}", p.name, e, v, r, p.arch),
        format!("{}-{}:{}-{}", p.name, e, v, r),
        format!("{}:{}-{}-{}.{}", e, p.name, v, r, p.arch),
    ];
    if crate::glob::is_glob(spec) {
        forms.iter().any(|f| crate::glob::glob_match(spec, f))
    } else {
        forms.iter().any(|f| f == spec)
    }
}

/// Keep only the newest package of each `name.arch`.
pub fn newest_per_name_arch(mut pkgs: Vec<Package>) -> Vec<Package> {
    pkgs.sort_unstable_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then_with(|| a.arch.cmp(&b.arch))
            .then_with(|| b.evr_cmp(a))
            .then_with(|| a.repo.cmp(&b.repo))
    });
    pkgs.dedup_by(|b, a| a.name == b.name && a.arch == b.arch);
    pkgs
}

pub(crate) fn not_found(what: String, hint: &str) -> Error {
    Error::NotFound {
        what,
        hint: Some(hint.to_string()),
    }
}
