//! Transactions: where the host changes. This module owns downloading the packages of a plan
//! (bounded parallelism, resume, mirror failover, checksums from the metadata) and verifying
//! every one of them (checksum always, signature when the repo says `gpgcheck=1`) before any is
//! installed; running the plan through the root's own `rpm` (`rpm -U`/`-i`/`-e`, which owns
//! the rpmdb, scriptlets and file conflicts); the lock (`/run/xcpng-mod.lock`, and yum's
//! `/var/run/yum.pid`), the journal of the transaction in flight (for recovery after a crash),
//! the append-only history (list, info, undo, rollback), the kept package files undo needs,
//! the log, reboot detection, the module check after a run, and the engine that does all of
//! it in order (`engine`). It never solves: plans (`solve::Plan`) come from the planner in
//! `ops`, and undo and rollback compute exact version changes from the history.

pub mod download;
pub mod engine;
pub mod guidance;
pub mod history;
pub mod journal;
pub mod lock;
pub mod modcheck;
pub mod reboot;
pub mod run;
pub mod space;

use crate::rpm::package::PackageRef;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Refusals and failures of a transaction. All exit 1.
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    #[error("another xcpng-mod is running on this root (it holds {path}{})", pid.map(|p| format!(", pid {p}")).unwrap_or_default())]
    Locked { path: PathBuf, pid: Option<u32> },
    #[error("yum is running on this root (pid {pid} in {path})")]
    YumRunning { path: PathBuf, pid: u32 },
    #[error("transaction {id} (`{command}`, started {started}) did not finish:\n{report}")]
    Interrupted {
        id: u64,
        command: String,
        started: String,
        report: String,
    },
    #[error("not enough disk space in {path}: {need} needed, {free} free")]
    Space {
        path: PathBuf,
        need: String,
        free: String,
    },
    #[error("cannot download {nevra} from repo `{repo}`: {msg}")]
    Download {
        nevra: String,
        repo: String,
        msg: String,
    },
    #[error("{nevra} ({path}) failed verification: {msg}")]
    Verify {
        nevra: String,
        path: String,
        msg: String,
    },
    #[error("{what}")]
    Rpm {
        what: String,
        /// True when the rpmdb shows that some steps happened.
        changed: bool,
    },
    #[error("{what}")]
    Unavailable { what: String },
    #[error("no transaction {0} in the history")]
    NoSuchTransaction(u64),
    #[error("{path}: {msg}")]
    Corrupt { path: PathBuf, msg: String },
    #[error("transaction {id} ran, but its history record could not be written ({why}); steps rpm completed: {done}")]
    NotRecorded { id: u64, done: String, why: String },
    #[error(
        "{path} is a symbolic link (to {target}): xcpng-mod never writes its state through a link"
    )]
    StateLink { path: PathBuf, target: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The installed set could not be read (it becomes `crate::Error::Installed`).
    #[error(transparent)]
    Installed(#[from] crate::rpm::installed::InstalledError),
}

impl TxError {
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            TxError::Locked { .. } => "wait for the other run to finish, then try again".into(),
            TxError::YumRunning { .. } => {
                "wait for yum to finish (or remove the pid file if that process is not yum)".into()
            }
            TxError::Interrupted { .. } => "`xcpng-mod history recover` completes the interrupted upgrades, records what happened and clears the journal; then run the command again or `xcpng-mod history undo ID`".into(),
            TxError::Space { .. } => "free some space (`--setopt=diskspace_reserve=0` and `--setopt=diskspacecheck=0` tune the check)".into(),
            TxError::Download { repo, .. } => format!(
                "check the mirrors of `{repo}`; nothing was changed. Packages already downloaded stay in the cache"
            ),
            TxError::Verify { .. } => "nothing was installed (a bad download is removed from the cache); if the mirror is tampered with, use another (--disablerepo)".into(),
            TxError::Rpm { changed: false, .. } => "rpm refused the transaction: nothing was changed".into(),
            TxError::Rpm { changed: true, .. } => "`xcpng-mod history info` shows what happened; `xcpng-mod needs-reboot` and `xcpng-mod check-update` the state left".into(),
            TxError::Unavailable { .. } => "enable the repo that carries it (--enablerepo), or get the file and install it by path".into(),
            TxError::NoSuchTransaction(_) => "`xcpng-mod history` lists the transactions".into(),
            TxError::NotRecorded { .. } => "free space under /var/lib/xcpng-mod, then run `xcpng-mod history recover`: it records the transaction from its journal and the rpmdb".into(),
            TxError::StateLink { path, .. } => format!(
                "nothing was changed; replace the link by the file itself (or remove it): {}",
                path.display()
            ),
            TxError::Installed(e) => return e.hint(),
            TxError::Corrupt { .. } | TxError::Io { .. } => return None,
        })
    }
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> TxError + '_ {
    move |source| TxError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One version of a package, as history and the journal keep it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub epoch: u32,
    pub version: String,
    pub release: String,
    /// Repo id it came from (`@System` when unknown).
    pub repo: String,
    /// SHA-256 of the package file, when xcpng-mod had the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl Version {
    pub fn of(p: &PackageRef) -> Version {
        Version {
            epoch: p.epoch,
            version: p.version.clone(),
            release: p.release.clone(),
            repo: p.repo.clone(),
            sha256: None,
        }
    }

    /// `[epoch:]version-release`
    pub fn evr(&self) -> String {
        if self.epoch != 0 {
            format!("{}:{}-{}", self.epoch, self.version, self.release)
        } else {
            format!("{}-{}", self.version, self.release)
        }
    }

    pub fn same_evr(&self, other: &Version) -> bool {
        self.epoch == other.epoch && self.version == other.version && self.release == other.release
    }

    pub fn cmp_evr(&self, other: &Version) -> std::cmp::Ordering {
        crate::rpm::evr::cmp_labels(
            (self.epoch, &self.version, &self.release),
            (other.epoch, &other.version, &other.release),
        )
    }
}

/// What happens to one package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Install,
    Upgrade,
    Downgrade,
    Reinstall,
    Remove,
    /// Removed by rpm because a new package obsoletes it.
    Obsoleted,
}

impl Action {
    pub fn word(self) -> &'static str {
        match self {
            Action::Install => "install",
            Action::Upgrade => "upgrade",
            Action::Downgrade => "downgrade",
            Action::Reinstall => "reinstall",
            Action::Remove => "remove",
            Action::Obsoleted => "obsoleted",
        }
    }
}

/// One package's change: before → after (None: absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub action: Action,
    pub name: String,
    pub arch: String,
    pub before: Option<Version>,
    pub after: Option<Version>,
}

impl Change {
    /// `name-evr.arch` of a version of this package.
    pub fn nevra(&self, v: &Version) -> String {
        format!("{}-{}.{}", self.name, v.evr(), self.arch)
    }

    /// `name-version-release.arch` as `rpm -e` takes it (no epoch: rpm 4.11 refuses one).
    pub fn rpm_name(&self, v: &Version) -> String {
        format!("{}-{}-{}.{}", self.name, v.version, v.release, self.arch)
    }

    /// `name: before → after` for messages.
    pub fn describe(&self) -> String {
        match (&self.before, &self.after) {
            (Some(b), Some(a)) if b.same_evr(a) => {
                format!("{} {}", self.action.word(), self.nevra(a))
            }
            (Some(b), Some(a)) => format!(
                "{} {}.{} {} → {}",
                self.action.word(),
                self.name,
                self.arch,
                b.evr(),
                a.evr()
            ),
            (None, Some(a)) => format!("{} {}", self.action.word(), self.nevra(a)),
            (Some(b), None) => format!("{} {}", self.action.word(), self.nevra(b)),
            (None, None) => format!("{} {}.{}", self.action.word(), self.name, self.arch),
        }
    }
}

/// The changes a plan makes, in a stable order.
pub fn changes_of(plan: &crate::solve::Plan) -> Vec<Change> {
    let mut out = Vec::new();
    for p in &plan.install {
        out.push(Change {
            action: Action::Install,
            name: p.pkg.name.clone(),
            arch: p.pkg.arch.clone(),
            before: None,
            after: Some(Version::of(&p.pkg)),
        });
    }
    for (list, action) in [
        (&plan.upgrade, Action::Upgrade),
        (&plan.downgrade, Action::Downgrade),
        (&plan.reinstall, Action::Reinstall),
    ] {
        for c in list {
            out.push(Change {
                action,
                name: c.to.name.clone(),
                arch: c.to.arch.clone(),
                before: Some(Version::of(&c.from)),
                after: Some(Version::of(&c.to)),
            });
        }
    }
    for p in &plan.remove {
        out.push(Change {
            action: if p.reason == crate::solve::Reason::Obsoleted {
                Action::Obsoleted
            } else {
                Action::Remove
            },
            name: p.pkg.name.clone(),
            arch: p.pkg.arch.clone(),
            before: Some(Version::of(&p.pkg)),
            after: None,
        });
    }
    out
}

/// Where xcpng-mod keeps its state under a root.
pub struct Paths {
    pub lock: PathBuf,
    pub yum_pid: PathBuf,
    pub journal: PathBuf,
    pub history: PathBuf,
    pub log: PathBuf,
    pub keep: PathBuf,
}

impl Paths {
    /// Refuse to start when a state file is a symbolic link, or a directory on the way to one
    /// leads out of the root: every write to it would be refused, and a refusal after rpm ran
    /// would lose the record of a change.
    pub fn check_no_links(&self) -> Result<(), TxError> {
        let manifest = self.keep.join("manifest");
        // The keep directory may be a link, when it stays inside the root.
        crate::hostfs::resolve(&self.keep, false).map_err(io_err(&self.keep))?;
        for p in [
            &self.lock,
            &self.journal,
            &self.history,
            &self.log,
            &manifest,
        ] {
            let real = crate::hostfs::resolve(p, true).map_err(io_err(p))?;
            if let Ok(m) = std::fs::symlink_metadata(&real) {
                if m.file_type().is_symlink() {
                    let target = std::fs::read_link(&real)
                        .map(|t| t.display().to_string())
                        .unwrap_or_default();
                    return Err(TxError::StateLink {
                        path: p.clone(),
                        target,
                    });
                }
            }
        }
        Ok(())
    }

    pub fn new(root: &crate::sysroot::Sysroot, cachedir: &Path) -> Paths {
        Paths {
            lock: root.join("/run/xcpng-mod.lock"),
            yum_pid: root.join("/var/run/yum.pid"),
            journal: root.join("/var/lib/xcpng-mod/journal"),
            history: root.join("/var/lib/xcpng-mod/history"),
            log: root.join("/var/log/xcpng-mod.log"),
            keep: root.join(cachedir).join("keep"),
        }
    }
}

pub use crate::time::{now, utc};

/// The user running this command: `$SUDO_USER`, else the name of the real uid.
pub fn current_user() -> String {
    if let Ok(u) = std::env::var("SUDO_USER") {
        if !u.is_empty() {
            return u;
        }
    }
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() > 2 && f[2] == uid.to_string()).then(|| f[0].to_string())
            })
        })
        .unwrap_or_else(|| format!("uid {uid}"))
}

/// Append one line to a file and fsync it (and its directory when the file is new). The line
/// always starts a line of its own: when the file ends in a torn line (a power loss or a full
/// disk in the middle of an earlier append), a newline is written first, so the torn line
/// stays one unreadable line and this record stays whole.
pub(crate) fn append_durable(path: &Path, line: &str) -> Result<(), TxError> {
    use std::io::{Read, Seek, SeekFrom};
    let dir = path.parent().expect("a file has a parent");
    crate::hostfs::create_dir_all(dir).map_err(io_err(dir))?;
    let new = !path.exists();
    let mut f = crate::hostfs::open_append(path).map_err(io_err(path))?;
    let len = f.seek(SeekFrom::End(0)).map_err(io_err(path))?;
    let mut text = String::with_capacity(line.len() + 1);
    if len > 0 {
        let mut last = [0u8];
        f.seek(SeekFrom::Start(len - 1)).map_err(io_err(path))?;
        f.read_exact(&mut last).map_err(io_err(path))?;
        if last[0] != b'\n' {
            text.push('\n');
        }
    }
    text.push_str(line);
    f.write_all(text.as_bytes()).map_err(io_err(path))?;
    f.sync_all().map_err(io_err(path))?;
    if new {
        sync_dir(dir);
    }
    Ok(())
}

pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// One line per package action in `/var/log/xcpng-mod.log`.
pub fn log_changes(path: &Path, id: u64, changes: &[(Change, bool)]) {
    let mut text = String::new();
    let t = utc(now());
    for (c, done) in changes {
        text.push_str(&format!(
            "{t} transaction {id}: {} {}\n",
            c.describe(),
            if *done { "done" } else { "NOT DONE" }
        ));
    }
    append_log(path, &text);
}

/// Append lines to `/var/log/xcpng-mod.log` (best effort: the log must never stop a run).
pub fn append_log(path: &Path, text: &str) {
    if let Some(d) = path.parent() {
        let _ = crate::hostfs::create_dir_all(d);
    }
    if let Ok(mut f) = crate::hostfs::open_append(path) {
        let _ = f.write_all(text.as_bytes());
    }
}
