//! The journal: the transaction in flight, written (and fsynced) before the host changes and
//! removed after its history record is written. A journal found by the next run means a run
//! died midway; the rpmdb then tells which of its steps happened.

use super::{io_err, sync_dir, utc, Change, TxError, Version};
use crate::rpm::Package;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    /// The history id this transaction will have.
    pub id: u64,
    pub pid: u32,
    pub started: u64,
    pub command: Vec<String>,
    pub user: String,
    pub changes: Vec<Change>,
}

/// Write the journal durably: temp file, fsync, rename, fsync the directory.
pub fn write(path: &Path, j: &Journal) -> Result<(), TxError> {
    let dir = path.parent().expect("journal has a parent");
    let text = serde_json::to_string_pretty(j).expect("serializable");
    crate::hostfs::write_atomic(path, text.as_bytes()).map_err(io_err(path))?;
    sync_dir(dir);
    Ok(())
}

pub fn read(path: &Path) -> Result<Option<Journal>, TxError> {
    match std::fs::read(path) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| TxError::Corrupt {
                path: path.to_path_buf(),
                msg: format!("unreadable journal ({e}); compare `rpm -qa --last` with `xcpng-mod history`, then remove it"),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path)(e)),
    }
}

pub fn clear(path: &Path) -> Result<(), TxError> {
    match crate::hostfs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(path)(e)),
    }
    if let Some(d) = path.parent() {
        sync_dir(d);
    }
    Ok(())
}

/// Where one step stands according to the rpmdb.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepState {
    Done,
    NotDone,
    /// The new version is in the rpmdb but the old one too: rpm stopped between installing
    /// the new one and erasing the old one.
    Half,
}

impl StepState {
    pub fn word(self) -> &'static str {
        match self {
            StepState::Done => "done",
            StepState::NotDone => "not done",
            StepState::Half => "half done (both versions in the rpmdb)",
        }
    }
}

fn present(installed: &[Package], name: &str, arch: &str, v: &Version) -> bool {
    installed.iter().any(|p| {
        p.name == name
            && p.arch == arch
            && p.epoch() == v.epoch
            && p.evr.version == v.version
            && p.evr.release == v.release
    })
}

/// The state of each change given the installed packages.
pub fn assess(changes: &[Change], installed: &[Package]) -> Vec<(Change, StepState)> {
    changes
        .iter()
        .map(|c| {
            let has = |v: &Version| present(installed, &c.name, &c.arch, v);
            let st = match (&c.before, &c.after) {
                (Some(b), Some(a)) if b.same_evr(a) => {
                    if has(a) {
                        StepState::Done
                    } else {
                        StepState::NotDone
                    }
                }
                (Some(b), Some(a)) => match (has(b), has(a)) {
                    (false, true) => StepState::Done,
                    (true, true) => StepState::Half,
                    _ => StepState::NotDone,
                },
                (None, Some(a)) => {
                    if has(a) {
                        StepState::Done
                    } else {
                        StepState::NotDone
                    }
                }
                (Some(b), None) => {
                    if has(b) {
                        StepState::NotDone
                    } else {
                        StepState::Done
                    }
                }
                (None, None) => StepState::Done,
            };
            (c.clone(), st)
        })
        .collect()
}

/// What the rpmdb shows of an interrupted transaction, one line per step.
pub fn report(j: &Journal, states: &[(Change, StepState)]) -> String {
    let mut s = format!(
        "  started {} by {} (pid {}); the rpmdb shows:\n",
        utc(j.started),
        j.user,
        j.pid
    );
    for (c, st) in states {
        s.push_str(&format!("  - {}: {}\n", c.describe(), st.word()));
    }
    s.trim_end().to_string()
}
