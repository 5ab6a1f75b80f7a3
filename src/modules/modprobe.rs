//! `modprobe.d`: the `options` and `install`/`remove` lines of the root's configuration
//! directories, in the order modprobe reads them. Parsing only; the reload preflight decides
//! what they mean for a reload.

use crate::sysroot::Sysroot;
use serde::Serialize;
use std::collections::BTreeMap;

/// One `options` line of `modprobe.d`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModprobeOption {
    pub module: String,
    pub options: Vec<String>,
    /// Host path of the file.
    pub file: String,
}

/// An `install`/`remove` command of `modprobe.d`: modprobe runs it instead of loading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModprobeCommand {
    pub module: String,
    pub kind: String,
    pub command: String,
    pub file: String,
}

/// Options and commands of `modprobe.d`, with kmod's precedence: a file name in an earlier
/// directory hides the same name in a later one; files are read in name order.
pub fn read_modprobe_d(root: &Sysroot) -> (Vec<ModprobeOption>, Vec<ModprobeCommand>) {
    let dirs = [
        "/etc/modprobe.d",
        "/run/modprobe.d",
        "/usr/local/lib/modprobe.d",
        "/lib/modprobe.d",
        "/usr/lib/modprobe.d",
    ];
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for d in dirs {
        for n in crate::modules::list_dir(&root.join(d)) {
            if n.ends_with(".conf") && !files.contains_key(&n) {
                files.insert(n.clone(), format!("{d}/{n}"));
            }
        }
    }
    let mut opts = Vec::new();
    let mut cmds = Vec::new();
    for host in files.values() {
        if let Ok(text) = std::fs::read_to_string(root.join(host)) {
            let (o, c) = parse_modprobe_conf(&text, host);
            opts.extend(o);
            cmds.extend(c);
        }
    }
    (opts, cmds)
}

/// Parse one `modprobe.d` file (continuation lines, comments).
pub fn parse_modprobe_conf(text: &str, file: &str) -> (Vec<ModprobeOption>, Vec<ModprobeCommand>) {
    let joined = text.replace("\\\n", " ");
    let mut opts = Vec::new();
    let mut cmds = Vec::new();
    for l in joined.lines() {
        let l = l.trim();
        if l.starts_with('#') || l.is_empty() {
            continue;
        }
        let mut w = l.split_whitespace();
        let (Some(kw), Some(m)) = (w.next(), w.next()) else {
            continue;
        };
        let module = m.replace('-', "_");
        match kw {
            "options" => opts.push(ModprobeOption {
                module,
                options: w.map(str::to_string).collect(),
                file: file.to_string(),
            }),
            "install" | "remove" => cmds.push(ModprobeCommand {
                module,
                kind: kw.to_string(),
                command: w.collect::<Vec<_>>().join(" "),
                file: file.to_string(),
            }),
            _ => {}
        }
    }
    (opts, cmds)
}
