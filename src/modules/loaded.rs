//! What the running kernel has loaded, read from `<root>/proc/modules` and
//! `<root>/sys/module/<m>/` (srcversion, version, refcnt, holders, the GNU build-id note). It
//! only reads those files; it never loads, unloads or probes a module.

use serde::Serialize;
use std::collections::BTreeMap;

use crate::sysroot::Sysroot;

/// One loaded module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Loaded {
    pub name: String,
    pub size: u64,
    /// Use count from `/proc/modules` (`/sys/module/<m>/refcnt` when that is missing).
    pub refcnt: Option<i64>,
    /// Modules using this one (`/proc/modules` fourth column).
    pub users: Vec<String>,
    /// `Live`, `Loading`, `Unloading`.
    pub state: String,
    pub srcversion: Option<String>,
    pub version: Option<String>,
    pub build_id: Option<String>,
    /// Entries of `/sys/module/<m>/holders/`.
    pub holders: Vec<String>,
}

fn read_trim(p: std::path::PathBuf) -> Option<String> {
    std::fs::read_to_string(p)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Parse `/proc/modules` text.
pub fn parse_proc_modules(text: &str) -> Vec<Loaded> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let name = f.first()?.to_string();
            Some(Loaded {
                name,
                size: f.get(1).and_then(|s| s.parse().ok()).unwrap_or(0),
                refcnt: f.get(2).and_then(|s| s.parse().ok()),
                users: f
                    .get(3)
                    .map(|u| {
                        u.split(',')
                            .filter(|s| !s.is_empty() && *s != "-")
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
                state: f.get(4).unwrap_or(&"").to_string(),
                ..Default::default()
            })
        })
        .collect()
}

/// Every loaded module of the root, by name, with its `/sys/module` details.
pub fn read_loaded(root: &Sysroot) -> BTreeMap<String, Loaded> {
    let Ok(text) = std::fs::read_to_string(root.join("/proc/modules")) else {
        return BTreeMap::new();
    };
    parse_proc_modules(&text)
        .into_iter()
        .map(|mut l| {
            let sys = root.join(format!("/sys/module/{}", l.name));
            l.srcversion = read_trim(sys.join("srcversion"));
            l.version = read_trim(sys.join("version"));
            if l.refcnt.is_none() {
                l.refcnt = read_trim(sys.join("refcnt")).and_then(|s| s.parse().ok());
            }
            l.build_id = std::fs::read(sys.join("notes/.note.gnu.build-id"))
                .ok()
                .and_then(|b| super::modinfo::parse_build_id_note(&b));
            if let Ok(rd) = std::fs::read_dir(sys.join("holders")) {
                l.holders = rd
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                l.holders.sort();
            }
            (l.name.clone(), l)
        })
        .collect()
}

/// The running kernel: `/proc/sys/kernel/osrelease` of the root (on a mounted image there is
/// none unless the admin provides one).
pub fn running_kernel(root: &Sysroot) -> Option<String> {
    std::fs::read_to_string(root.join("/proc/sys/kernel/osrelease"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| crate::names::kernel_release(s).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_modules_lines() {
        let l = parse_proc_modules(
            "bnxt_en 249856 0 - Live 0xffffffffc0a00000\nxfrm_algo 16384 1 af_key, Live 0x0 (E)\n",
        );
        assert_eq!(l.len(), 2);
        assert!(l[0].users.is_empty());
        assert_eq!(l[1].users, vec!["af_key"]);
        assert_eq!(l[1].refcnt, Some(1));
    }
}
