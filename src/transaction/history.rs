//! The history: one JSON line per transaction in `/var/lib/xcpng-mod/history`, appended and
//! fsynced, never rewritten. `undo N` takes back the changes of N; `rollback N` takes back every
//! transaction after N, returning the packages they touched to their state after N (yum's
//! meanings). Both are computed here as exact version changes; the kept package files
//! (`<cachedir>/keep/`, listed in `manifest`) make them work when the repos are gone.

use super::{append_durable, io_err, Action, Change, TxError, Version};
use crate::rpm::Package;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One step of a recorded transaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HistoryStep {
    #[serde(flatten)]
    pub change: Change,
    /// Whether the rpmdb showed the change after the run.
    pub done: bool,
}

/// How a transaction (or a recorded reload) ended, as the history file and `--json` spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TxStatus {
    /// Every step happened.
    Ok,
    /// Some steps happened, not all.
    Partial,
    /// Nothing changed.
    Failed,
    /// The run died; `history recover` recorded what the rpmdb showed.
    Interrupted,
    /// `--downloadonly`: the files were fetched and verified, nothing was installed (never
    /// recorded).
    Downloaded,
    /// A reload that failed and loaded the previous copy back.
    RolledBack,
    /// A word a later version wrote: the record stays readable.
    #[serde(other)]
    Unknown,
}

impl TxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TxStatus::Ok => "ok",
            TxStatus::Partial => "partial",
            TxStatus::Failed => "failed",
            TxStatus::Interrupted => "interrupted",
            TxStatus::Downloaded => "downloaded",
            TxStatus::RolledBack => "rolled-back",
            TxStatus::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for TxStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The id the next record gets: one more than the highest recorded (ids are never reused,
/// even when a torn line was skipped).
pub fn next_id(records: &[Record]) -> u64 {
    records.iter().map(|r| r.id).max().unwrap_or(0) + 1
}

/// One transaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub id: u64,
    /// Seconds since the epoch (start of the run).
    pub time: u64,
    pub command: Vec<String>,
    pub user: String,
    pub result: TxStatus,
    pub steps: Vec<HistoryStep>,
    /// The reboot/reload advice given after the run.
    #[serde(default)]
    pub advice: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Record {
    pub fn command_line(&self) -> String {
        self.command.join(" ")
    }

    /// The steps that happened.
    pub fn done(&self) -> impl Iterator<Item = &Change> {
        self.steps.iter().filter(|s| s.done).map(|s| &s.change)
    }
}

/// The format of the history file's lines, written as `"v"` in each: the file is read by the
/// next versions of the tool, so a change to [`Record`] that older readers would misread
/// raises it. Lines written before the field existed read as format 1.
pub const RECORD_FORMAT: u32 = 1;

/// A history line as written: the format, then the record's fields.
#[derive(Serialize)]
struct LineOut<'a> {
    v: u32,
    #[serde(flatten)]
    record: &'a Record,
}

/// A history line as read.
#[derive(Deserialize)]
struct LineIn {
    #[serde(default = "format_one")]
    v: u32,
    #[serde(flatten)]
    record: Record,
}

fn format_one() -> u32 {
    1
}

/// Every record, oldest first. A torn last line (power loss during an append) is skipped, and
/// so is a record in a format newer than this version reads, with a warning naming it.
pub fn load(path: &Path) -> Result<Vec<Record>, TxError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(path)(e)),
    };
    let lines: Vec<(usize, LineIn)> = read_numbered(path, &text, "history record");
    Ok(lines
        .into_iter()
        .filter_map(|(n, l)| {
            if l.v > RECORD_FORMAT {
                crate::notices::warn_once(format!(
                    "{}:{n}: transaction {} is recorded in format {} of a newer xcpng-mod (this one reads {RECORD_FORMAT}); skipped",
                    path.display(),
                    l.record.id,
                    l.v
                ));
                return None;
            }
            Some(l.record)
        })
        .collect())
}

/// The records of a JSON-lines file. A line that cannot be read (torn by a power loss or a
/// full disk in the middle of an append, or edited by hand) is skipped with a warning naming
/// file:line: one bad record never makes the others unreadable, nor stops a transaction.
fn read_lines<T: serde::de::DeserializeOwned>(path: &Path, text: &str, what: &str) -> Vec<T> {
    read_numbered(path, text, what)
        .into_iter()
        .map(|(_, r)| r)
        .collect()
}

/// [`read_lines`], with each record's line number.
fn read_numbered<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    what: &str,
) -> Vec<(usize, T)> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<T>(l) {
            Ok(r) => out.push((i + 1, r)),
            Err(e) => crate::notices::warn_once(format!(
                "{}:{}: skipped an unreadable {what} ({e}); the other records are used",
                path.display(),
                i + 1
            )),
        }
    }
    out
}

pub fn append(path: &Path, r: &Record) -> Result<(), TxError> {
    let mut line = serde_json::to_string(&LineOut {
        v: RECORD_FORMAT,
        record: r,
    })
    .expect("serializable");
    line.push('\n');
    append_durable(path, &line)
}

pub fn find(records: &[Record], id: u64) -> Result<&Record, TxError> {
    records
        .iter()
        .find(|r| r.id == id)
        .ok_or(TxError::NoSuchTransaction(id))
}

type Key = (String, String);

fn state_of(installed: &[Package]) -> BTreeMap<Key, Vec<Version>> {
    let mut m: BTreeMap<Key, Vec<Version>> = BTreeMap::new();
    for p in installed {
        m.entry((p.name.clone(), p.arch.clone()))
            .or_default()
            .push(Version::of(&p.to_ref()));
    }
    m
}

/// The changes that take back `records` (applied newest first) from the installed state.
/// Target versions keep the repo and checksum the history recorded, to find their files.
pub fn undo_changes(records: &[&Record], installed: &[Package]) -> Vec<Change> {
    let current = state_of(installed);
    let mut target = current.clone();
    let mut touched: Vec<Key> = Vec::new();
    for r in records.iter().rev() {
        for c in r.done().collect::<Vec<_>>().into_iter().rev() {
            let key = (c.name.clone(), c.arch.clone());
            if !touched.contains(&key) {
                touched.push(key.clone());
            }
            let vs = target.entry(key).or_default();
            if let Some(a) = &c.after {
                vs.retain(|v| !v.same_evr(a));
            }
            if let Some(b) = &c.before {
                if !vs.iter().any(|v| v.same_evr(b)) {
                    vs.push(b.clone());
                }
            }
        }
    }
    let mut out = Vec::new();
    for key in touched {
        let cur = current.get(&key).cloned().unwrap_or_default();
        let tgt = target.get(&key).cloned().unwrap_or_default();
        let (name, arch) = key;
        let mk = |action, before: Option<Version>, after: Option<Version>| Change {
            action,
            name: name.clone(),
            arch: arch.clone(),
            before,
            after,
        };
        if cur.len() == 1 && tgt.len() == 1 {
            let (c, t) = (&cur[0], &tgt[0]);
            match t.cmp_evr(c) {
                std::cmp::Ordering::Equal => {}
                std::cmp::Ordering::Greater => {
                    out.push(mk(Action::Upgrade, Some(c.clone()), Some(t.clone())))
                }
                std::cmp::Ordering::Less => {
                    out.push(mk(Action::Downgrade, Some(c.clone()), Some(t.clone())))
                }
            }
            continue;
        }
        for c in cur.iter().filter(|c| !tgt.iter().any(|t| t.same_evr(c))) {
            out.push(mk(Action::Remove, Some(c.clone()), None));
        }
        for t in tgt.iter().filter(|t| !cur.iter().any(|c| c.same_evr(t))) {
            out.push(mk(Action::Install, None, Some(t.clone())));
        }
    }
    out
}

/// A package file kept for undo and rollback.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Kept {
    /// `name-[epoch:]version-release.arch`
    pub nevra: String,
    /// File name under the keep directory.
    pub file: String,
    pub sha256: String,
    pub repo: String,
    /// Whether its signatures were checked when it was kept (and so must be when it is used).
    #[serde(default = "yes")]
    pub gpgcheck: bool,
}

fn yes() -> bool {
    true
}

/// The kept files (`<keep>/manifest`), newest entry last.
pub fn kept(keep: &Path) -> Vec<Kept> {
    let path = keep.join("manifest");
    std::fs::read_to_string(&path)
        .map(|t| read_lines(&path, &t, "keep-manifest entry"))
        .unwrap_or_default()
}

/// Keep a verified package file (copied; nothing happens when it is already kept).
pub fn keep_file(keep: &Path, k: &Kept, src: &Path) -> Result<PathBuf, TxError> {
    let dest = keep.join(&k.file);
    let have = kept(keep)
        .iter()
        .any(|e| e.nevra == k.nevra && e.sha256 == k.sha256);
    if have && dest.exists() {
        return Ok(dest);
    }
    crate::hostfs::create_dir_all(keep).map_err(io_err(keep))?;
    let tmp = keep.join(format!(".{}.tmp", k.file));
    crate::hostfs::copy(src, &tmp).map_err(io_err(src))?;
    crate::hostfs::rename(&tmp, &dest).map_err(io_err(&dest))?;
    let mut line = serde_json::to_string(k).expect("serializable");
    line.push('\n');
    append_durable(&keep.join("manifest"), &line)?;
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpm::Evr;

    #[test]
    fn status_words_read_as_written_and_unknown_ones_keep_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history");
        let line = |id: u64, word: &str| {
            format!(
                r#"{{"id":{id},"time":1,"command":["x"],"user":"u","result":"{word}","steps":[]}}"#
            )
        };
        let text = [
            line(1, "ok"),
            line(2, "rolled-back"),
            line(3, "interrupted"),
            line(4, "some-future-word"),
        ]
        .join("\n");
        std::fs::write(&path, text + "\n").unwrap();
        let r = load(&path).unwrap();
        let got: Vec<TxStatus> = r.iter().map(|r| r.result).collect();
        assert_eq!(
            got,
            [
                TxStatus::Ok,
                TxStatus::RolledBack,
                TxStatus::Interrupted,
                TxStatus::Unknown
            ]
        );
        assert_eq!(next_id(&r), 5);
        // Written with its format; a record of a newer format is skipped, not misread.
        append(&path, &r[0]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.lines()
                .last()
                .unwrap()
                .starts_with(r#"{"v":1,"id":1,"#),
            "{text}"
        );
        let newer = text
            .lines()
            .last()
            .unwrap()
            .replace(r#""v":1,"id":1"#, r#""v":2,"id":7"#);
        std::fs::write(&path, format!("{text}{newer}\n")).unwrap();
        let ids: Vec<u64> = load(&path).unwrap().iter().map(|r| r.id).collect();
        assert_eq!(ids, [1, 2, 3, 4, 1]);
        assert_eq!(
            serde_json::to_value(TxStatus::RolledBack).unwrap(),
            "rolled-back"
        );
        assert_eq!(TxStatus::Partial.to_string(), "partial");
    }

    fn v(ver: &str) -> Version {
        Version {
            epoch: 0,
            version: ver.into(),
            release: "1".into(),
            repo: "r".into(),
            sha256: None,
        }
    }
    fn inst(name: &str, ver: &str) -> Package {
        Package {
            name: name.into(),
            evr: Evr::new(None, ver, "1"),
            arch: "x86_64".into(),
            repo: "@System".into(),
            ..Default::default()
        }
    }
    fn rec(id: u64, changes: Vec<(Action, &str, Option<&str>, Option<&str>)>) -> Record {
        Record {
            id,
            time: 0,
            command: vec![],
            user: "u".into(),
            result: TxStatus::Ok,
            steps: changes
                .into_iter()
                .map(|(a, n, b, af)| HistoryStep {
                    change: Change {
                        action: a,
                        name: n.into(),
                        arch: "x86_64".into(),
                        before: b.map(v),
                        after: af.map(v),
                    },
                    done: true,
                })
                .collect(),
            advice: vec![],
            error: None,
        }
    }

    #[test]
    fn undo_reverses_each_kind() {
        let r = rec(
            1,
            vec![
                (Action::Install, "a", None, Some("1")),
                (Action::Upgrade, "b", Some("1"), Some("2")),
                (Action::Remove, "c", Some("3"), None),
            ],
        );
        let now = vec![inst("a", "1"), inst("b", "2")];
        let u = undo_changes(&[&r], &now);
        let d: Vec<String> = u.iter().map(|c| c.describe()).collect();
        assert_eq!(
            d,
            vec![
                "install c-3-1.x86_64",
                "downgrade b.x86_64 2-1 → 1-1",
                "remove a-1-1.x86_64"
            ]
        );
    }

    #[test]
    fn rollback_composes_later_transactions() {
        let r2 = rec(2, vec![(Action::Upgrade, "b", Some("1"), Some("2"))]);
        let r3 = rec(3, vec![(Action::Upgrade, "b", Some("2"), Some("3"))]);
        let now = vec![inst("b", "3")];
        let u = undo_changes(&[&r2, &r3], &now);
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].describe(), "downgrade b.x86_64 3-1 → 1-1");
    }
}
