//! The journal: the transaction in flight, written (and fsynced) before the host changes and
//! removed after its history record is written. A journal found by the next run means a run
//! died midway; the rpmdb then tells which of its steps happened.

use super::history::Kept;
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
    /// Kept files of the packages the plan erases: when rpm has to erase them before the
    /// installs (a new package conflicts with one being removed) and the installs then fail,
    /// or the run dies between the two, these put the erased packages back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restore: Vec<Kept>,
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

/// Put back what a run erased when its installs did not happen.
///
/// rpm erases first only when a new package conflicts with one being removed; if the installs
/// then fail (a `%pre` exits 1, a file conflict) or the run dies in between, the erased
/// packages would be gone with nothing in their place. The journal's kept files reinstall
/// them. Returns None when there is nothing to put back, else a sentence for the record: what
/// was put back, or what could not be and the way out.
pub fn put_back(
    root: &crate::sysroot::Sysroot,
    keep: &Path,
    j: &Journal,
    installed: &[Package],
) -> Option<String> {
    let states = assess(&j.changes, installed);
    let installs_missing = states
        .iter()
        .any(|(c, s)| c.after.is_some() && *s != StepState::Done);
    let erased: Vec<String> = states
        .iter()
        .filter(|(c, s)| c.after.is_none() && *s == StepState::Done)
        .filter_map(|(c, _)| c.before.as_ref().map(|b| c.nevra(b)))
        .collect();
    if erased.is_empty() || !installs_missing {
        return None;
    }
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for nevra in &erased {
        let file = j.restore.iter().find(|k| &k.nevra == nevra).and_then(|k| {
            let f = keep.join(&k.file);
            let data = std::fs::read(&f).ok()?;
            let sum = crate::digest::digest_hex("sha256", &data)?;
            sum.eq_ignore_ascii_case(&k.sha256).then_some(f)
        });
        match file {
            Some(f) => files.push(f),
            None => missing.push(nevra.clone()),
        }
    }
    let mut said = Vec::new();
    if !files.is_empty() {
        let names: Vec<String> = erased
            .iter()
            .filter(|n| !missing.contains(n))
            .cloned()
            .collect();
        match super::run::install(root, &files) {
            Ok(()) => said.push(format!(
                "put back what was erased before the failure: {}",
                names.join(", ")
            )),
            Err(e) => said.push(format!(
                "{} erased and could not be put back ({e}); install {} again with `rpm -i`",
                names.join(", "),
                files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
        }
    }
    if !missing.is_empty() {
        said.push(format!(
            "{} erased and no intact kept copy is at hand: install it again from a repo that carries it",
            missing.join(", ")
        ));
    }
    Some(said.join("; "))
}
