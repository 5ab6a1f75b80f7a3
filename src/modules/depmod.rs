//! depmod's view of a kernel's modules, predicted in Rust: the depmod.d configuration as kmod
//! reads it (`*.conf` from `/etc`, `/run`, `/usr/local/lib`, `/usr/lib`, `/lib` `depmod.d`, one
//! file per name with the first directory winning, files in name order; `search`, `override`,
//! `exclude`, `external`, `built-in`), every copy of every module under
//! `<root>/lib/modules/<kver>/`, and the copy depmod picks — a line-by-line port of kmod's
//! `depmod_module_is_higher_priority`, quirks included. Also reads `modules.dep`. It only reads
//! files; running the real `depmod` is the caller's business.

use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::sysroot::Sysroot;

/// depmod.d directories in kmod's order (kmod ≥ 30; a file name seen first hides later ones).
pub const CONFIG_DIRS: &[&str] = &[
    "/etc/depmod.d",
    "/run/depmod.d",
    "/usr/local/lib/depmod.d",
    "/usr/lib/depmod.d",
    "/lib/depmod.d",
];

/// File name endings kmod accepts as modules.
pub const MODULE_EXTS: &[&str] = &[".ko", ".ko.gz", ".ko.xz", ".ko.zst"];

#[derive(Debug, thiserror::Error)]
pub enum DepmodError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no module directory {path}")]
    NoKernel { path: PathBuf },
}

impl DepmodError {
    pub fn hint(&self) -> Option<String> {
        match self {
            DepmodError::Read { .. } => None,
            DepmodError::NoKernel { .. } => {
                Some("pick an installed kernel with --kernel KVER (see ROOT/lib/modules)".into())
            }
        }
    }
}

/// One entry of a `search` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "path")]
pub enum Search {
    Path(String),
    BuiltIn,
    External,
}

/// An `override MODULE KVER SUBDIR` line that applies to the target kernel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    pub module: String,
    pub kernel: String,
    pub subdir: String,
    pub file: PathBuf,
}

/// XCP-ng's ways of putting `override/` first (DESIGN §1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigStyle {
    /// 8.3: a file (`00-xcpng-override.conf`) with `search override`.
    SearchOverride { file: PathBuf },
    /// 8.0–8.2: `dist.conf` whose search line lists `override`.
    DistConf { file: PathBuf },
    /// 7.x: `<module>-<kver>.conf` holding `override <module> <kver> override`.
    PerModule { file: PathBuf, module: String },
}

/// The depmod.d configuration for one kernel.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DepmodConfig {
    pub kernel: String,
    /// Files read, in the order kmod reads them (host paths under the root).
    pub files: Vec<PathBuf>,
    /// Search entries in file order (first = highest priority); `updates` alone when no file
    /// has a search line, as kmod does.
    pub searches: Vec<Search>,
    /// True when no `search` line was found and kmod's default applies.
    pub default_search: bool,
    pub overrides: Vec<Override>,
    pub externals: Vec<String>,
    pub excludes: Vec<String>,
    pub styles: Vec<ConfigStyle>,
    /// Lines kmod would ignore, with file and line number.
    pub warnings: Vec<String>,
}

impl DepmodConfig {
    /// Read every depmod.d file under `root` for kernel `kver`.
    pub fn load(root: &Sysroot, kver: &str) -> Result<DepmodConfig, DepmodError> {
        let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
        for dir in CONFIG_DIRS {
            let d = root.join(dir);
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') || name.len() < 6 || !name.ends_with(".conf") {
                    continue;
                }
                if e.path().is_dir() {
                    continue;
                }
                files.entry(name).or_insert_with(|| e.path());
            }
        }
        let mut texts = Vec::new();
        for path in files.into_values() {
            let text = std::fs::read_to_string(&path).map_err(|source| DepmodError::Read {
                path: path.clone(),
                source,
            })?;
            texts.push((PathBuf::from("/").join(root.host_path(&path)), text));
        }
        Ok(DepmodConfig::parse(kver, &texts))
    }

    /// Parse config texts given as (host path, content), already in kmod's order.
    pub fn parse(kver: &str, files: &[(PathBuf, String)]) -> DepmodConfig {
        let mut cfg = DepmodConfig {
            kernel: kver.to_string(),
            ..Default::default()
        };
        for (path, text) in files {
            cfg.files.push(path.clone());
            cfg.parse_file(path, text);
            cfg.detect_style(path, text);
        }
        if cfg.searches.is_empty() {
            cfg.searches.push(Search::Path("updates".into()));
            cfg.default_search = true;
        }
        cfg
    }

    fn parse_file(&mut self, path: &Path, text: &str) {
        // kmod joins lines ending in a backslash.
        let joined = text.replace("\\\n", "");
        for (n, line) in joined.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split([' ', '\t']).filter(|w| !w.is_empty());
            let Some(cmd) = words.next() else {
                continue;
            };
            let bad = || {
                format!(
                    "{}:{}: ignoring bad line starting with '{cmd}'",
                    path.display(),
                    n + 1
                )
            };
            match cmd {
                "search" => {
                    for w in words {
                        self.searches.push(match w {
                            "built-in" => Search::BuiltIn,
                            "external" => Search::External,
                            p => Search::Path(p.to_string()),
                        });
                    }
                }
                "override" => {
                    let (Some(m), Some(v), Some(d)) = (words.next(), words.next(), words.next())
                    else {
                        self.warnings.push(bad());
                        continue;
                    };
                    if kernel_matches(v, &self.kernel) {
                        self.overrides.push(Override {
                            module: m.into(),
                            kernel: v.into(),
                            subdir: d.into(),
                            file: path.to_path_buf(),
                        });
                    }
                }
                "external" => {
                    let (Some(v), Some(d)) = (words.next(), words.next()) else {
                        self.warnings.push(bad());
                        continue;
                    };
                    if kernel_matches(v, &self.kernel) {
                        self.externals.push(d.to_string());
                    }
                }
                "exclude" => self.excludes.extend(words.map(str::to_string)),
                "include" | "make_map_files" => {}
                _ => self.warnings.push(bad()),
            }
        }
    }

    fn detect_style(&mut self, path: &Path, text: &str) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for line in text.lines() {
            let w: Vec<&str> = line.split_whitespace().collect();
            match w.as_slice() {
                ["search", rest @ ..] if rest.contains(&"override") => {
                    self.styles.push(if name == "dist.conf" {
                        ConfigStyle::DistConf { file: path.into() }
                    } else {
                        ConfigStyle::SearchOverride { file: path.into() }
                    });
                }
                ["override", m, _, "override"] => self.styles.push(ConfigStyle::PerModule {
                    file: path.into(),
                    module: m.to_string(),
                }),
                _ => {}
            }
        }
    }

    /// The priority rank of a directory relative to the kernel's module dir (`override`,
    /// `extra/zfs`): higher wins, as kmod computes it; `None` for "unlisted and no built-in".
    pub fn rank_of(&self, rel_dir: &str) -> i64 {
        let probe = format!("{rel_dir}/x");
        let (_, prio) = self.prio_of(Some(&probe), &probe);
        prio
    }

    /// kmod's search list is a LIFO list: index 0 is the LAST entry read.
    fn kmod_searches(&self) -> impl Iterator<Item = &Search> {
        self.searches.iter().rev()
    }

    /// Priority of one path alone (no else-if pairing): (matched?, prio).
    fn prio_of(&self, rel: Option<&str>, abs: &str) -> (bool, i64) {
        let mut i: i64 = 0;
        let (mut b, mut p) = (-1i64, -1i64);
        for se in self.kmod_searches() {
            match se {
                Search::BuiltIn => b = i,
                Search::External => {
                    for ext in self.externals.iter().rev() {
                        if starts_with_dir(abs, ext) {
                            p = i;
                        }
                        i += 1;
                    }
                }
                Search::Path(sp) => {
                    if rel.is_some_and(|r| starts_with_dir(r, sp)) {
                        p = i;
                    }
                }
            }
            i += 1;
        }
        (p >= 0, if p < 0 { b } else { p })
    }

    /// True when the existing copy `old` stays ahead of `new` (kmod's
    /// `depmod_module_is_higher_priority`, with its else-if pairing: when both paths match the
    /// same search entry only the new one is credited, so the later copy in a directory wins
    /// unless another entry ranks the earlier one).
    pub fn existing_wins(&self, old: &ModuleCopy, new: &ModuleCopy) -> bool {
        let new_key = new.key();
        let old_key = old.key();
        for ov in self.overrides.iter().rev() {
            let p = format!("{}/{}", ov.subdir, ov.module);
            if new_key.rel.as_deref() == Some(p.as_str()) {
                return false;
            }
            if old_key.rel.as_deref() == Some(p.as_str()) {
                return true;
            }
        }
        let mut i: i64 = 0;
        let (mut b, mut np, mut op) = (-1i64, -1i64, -1i64);
        for se in self.kmod_searches() {
            match se {
                Search::BuiltIn => b = i,
                Search::External => {
                    for ext in self.externals.iter().rev() {
                        if starts_with_dir(&new_key.abs, ext) {
                            np = i;
                        }
                        if starts_with_dir(&old_key.abs, ext) {
                            op = i;
                        }
                        i += 1;
                    }
                }
                Search::Path(sp) => {
                    if new_key
                        .rel
                        .as_deref()
                        .is_some_and(|r| starts_with_dir(r, sp))
                    {
                        np = i;
                    } else if old_key
                        .rel
                        .as_deref()
                        .is_some_and(|r| starts_with_dir(r, sp))
                    {
                        op = i;
                    }
                }
            }
            i += 1;
        }
        if np < 0 {
            np = b;
        }
        if op < 0 {
            op = b;
        }
        np <= op
    }
}

/// kmod's `depmod_is_path_starts_with` and the search test: `path` longer than `prefix`,
/// starting with it, followed by `/`.
fn starts_with_dir(path: &str, prefix: &str) -> bool {
    path.len() > prefix.len() && path.as_bytes()[prefix.len()] == b'/' && path.starts_with(prefix)
}

/// kmod's kernel-version test for `override`/`external`: `*`, or a POSIX extended regex that
/// must match somewhere in the release (unanchored, so `4.4.0` matches `4.4.0+10`).
pub fn kernel_matches(pattern: &str, kver: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match Ere::compile(pattern) {
        Some(re) => re.search(kver.as_bytes()),
        None => false,
    }
}

/// The subset of POSIX ERE that depmod.d version fields use: literals, `.`, `[…]`, `^`, `$`,
/// `*`, `+`, `?`, `\x`. Patterns with groups or alternation are not supported (no match).
struct Ere {
    atoms: Vec<(Atom, Rep)>,
    anchored: bool,
    end: bool,
}

#[derive(Debug)]
enum Atom {
    Byte(u8),
    Any,
    Class(Vec<(u8, u8)>, bool),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Rep {
    One,
    Star,
    Plus,
    Opt,
}

impl Atom {
    fn matches(&self, c: u8) -> bool {
        match self {
            Atom::Byte(b) => *b == c,
            Atom::Any => true,
            Atom::Class(r, neg) => r.iter().any(|&(a, b)| a <= c && c <= b) != *neg,
        }
    }
}

impl Ere {
    fn compile(p: &str) -> Option<Ere> {
        let b = p.as_bytes();
        let mut i = 0;
        let mut re = Ere {
            atoms: Vec::new(),
            anchored: false,
            end: false,
        };
        if b.first() == Some(&b'^') {
            re.anchored = true;
            i = 1;
        }
        while i < b.len() {
            let atom = match b[i] {
                b'$' if i + 1 == b.len() => {
                    re.end = true;
                    i += 1;
                    continue;
                }
                b'(' | b')' | b'|' | b'{' | b'}' | b'*' | b'+' | b'?' => return None,
                b'.' => Atom::Any,
                b'\\' => {
                    i += 1;
                    Atom::Byte(*b.get(i)?)
                }
                b'[' => {
                    i += 1;
                    let neg = b.get(i) == Some(&b'^');
                    if neg {
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    let mut first = true;
                    loop {
                        let c = *b.get(i)?;
                        if c == b']' && !first {
                            break;
                        }
                        first = false;
                        if b.get(i + 1) == Some(&b'-') && b.get(i + 2).is_some_and(|&e| e != b']') {
                            ranges.push((c, b[i + 2]));
                            i += 3;
                        } else {
                            ranges.push((c, c));
                            i += 1;
                        }
                    }
                    Atom::Class(ranges, neg)
                }
                c => Atom::Byte(c),
            };
            i += 1;
            let rep = match b.get(i) {
                Some(b'*') => Rep::Star,
                Some(b'+') => Rep::Plus,
                Some(b'?') => Rep::Opt,
                _ => Rep::One,
            };
            if rep != Rep::One {
                i += 1;
            }
            re.atoms.push((atom, rep));
        }
        Some(re)
    }

    fn search(&self, s: &[u8]) -> bool {
        let starts = if self.anchored { 0..=0 } else { 0..=s.len() };
        // (atom, bytes left) pairs known not to match: backtracking stays polynomial.
        let mut failed = std::collections::HashSet::new();
        starts
            .into_iter()
            .any(|st| self.at(0, &s[st..], &mut failed))
    }

    fn at(
        &self,
        k: usize,
        s: &[u8],
        failed: &mut std::collections::HashSet<(usize, usize)>,
    ) -> bool {
        let Some((atom, rep)) = self.atoms.get(k) else {
            return !self.end || s.is_empty();
        };
        if failed.contains(&(k, s.len())) {
            return false;
        }
        let hit = match rep {
            Rep::One => {
                s.first().is_some_and(|&c| atom.matches(c)) && self.at(k + 1, &s[1..], failed)
            }
            Rep::Opt => {
                (s.first().is_some_and(|&c| atom.matches(c)) && self.at(k + 1, &s[1..], failed))
                    || self.at(k + 1, s, failed)
            }
            Rep::Star | Rep::Plus => {
                let n = s.iter().take_while(|&&c| atom.matches(c)).count();
                let min = usize::from(*rep == Rep::Plus);
                (min..=n).rev().any(|j| self.at(k + 1, &s[j..], failed))
            }
        };
        if !hit {
            failed.insert((k, s.len()));
        }
        hit
    }
}

/// One module file of the kernel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleCopy {
    /// Module name as kmod derives it from the file name (`-` → `_`, up to the first `.`).
    pub name: String,
    /// Path relative to `/lib/modules/<kver>` (or absolute, for `external` directories).
    pub rel: String,
    /// True when under `/lib/modules/<kver>`; false for external directories.
    pub in_tree: bool,
    /// The top directory (`kernel`, `updates`, `extra`, `override`…), `external` otherwise.
    pub dir: String,
}

struct Key {
    rel: Option<String>,
    abs: String,
}

impl ModuleCopy {
    /// The path truncated after the module name, as kmod compares it.
    fn key(&self) -> Key {
        let cut = |p: &str| {
            let base = p.rfind('/').map_or(0, |i| i + 1);
            p[..(base + self.name.len()).min(p.len())].to_string()
        };
        if self.in_tree {
            Key {
                rel: Some(cut(&self.rel)),
                abs: cut(&self.rel),
            }
        } else {
            Key {
                rel: None,
                abs: cut(&self.rel),
            }
        }
    }
}

/// kmod's `modname_normalize` of a file name: up to the first `.`, `-` as `_`.
/// `(kernel, module, top directory)` of a module file path under `/lib/modules` (or
/// `/usr/lib/modules`): the one parser of module paths.
pub fn parse_module_path(path: &str) -> Option<(String, String, String)> {
    let rest = path
        .strip_prefix("/usr/lib/modules/")
        .or_else(|| path.strip_prefix("/lib/modules/"))?;
    let (kver, rel) = rest.split_once('/')?;
    let file = rel.rsplit('/').next()?;
    if !is_module_file(file) {
        return None;
    }
    let top = rel.split('/').next().unwrap_or("").to_string();
    Some((kver.to_string(), module_name_of(file), top))
}

pub fn module_name_of(file_name: &str) -> String {
    file_name.split('.').next().unwrap_or("").replace('-', "_")
}

fn is_module_file(name: &str) -> bool {
    MODULE_EXTS.iter().any(|e| name.ends_with(e))
}

/// All copies of one module, in the order depmod meets them, and the one it picks.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleCopies {
    pub name: String,
    pub copies: Vec<ModuleCopy>,
    /// Index into `copies` of depmod's pick.
    pub winner: usize,
}

impl ModuleCopies {
    pub fn winner(&self) -> &ModuleCopy {
        &self.copies[self.winner]
    }
}

/// `<root>/lib/modules/<kver>`.
pub fn kernel_dir(root: &Sysroot, kver: &str) -> PathBuf {
    root.join(format!("/lib/modules/{kver}"))
}

/// Every module under the kernel's directory (and `external` dirs), walked in the same order
/// as depmod (directory order as the file system returns it), with depmod's pick per name.
pub fn scan(
    root: &Sysroot,
    cfg: &DepmodConfig,
) -> Result<BTreeMap<String, ModuleCopies>, DepmodError> {
    let base = kernel_dir(root, &cfg.kernel);
    if !base.is_dir() {
        return Err(DepmodError::NoKernel { path: base });
    }
    let mut found: Vec<ModuleCopy> = Vec::new();
    walk(&base, "", true, cfg, &mut found)?;
    for ext in &cfg.externals {
        let d = root.join(ext);
        if d.is_dir() {
            walk(&d, ext.trim_end_matches('/'), false, cfg, &mut found)?;
        }
    }
    let mut out: BTreeMap<String, ModuleCopies> = BTreeMap::new();
    for copy in found {
        match out.get_mut(&copy.name) {
            None => {
                out.insert(
                    copy.name.clone(),
                    ModuleCopies {
                        name: copy.name.clone(),
                        copies: vec![copy],
                        winner: 0,
                    },
                );
            }
            Some(mc) => {
                if !cfg.existing_wins(&mc.copies[mc.winner], &copy) {
                    mc.winner = mc.copies.len();
                }
                mc.copies.push(copy);
            }
        }
    }
    Ok(out)
}

fn walk(
    dir: &Path,
    prefix: &str,
    in_tree: bool,
    cfg: &DepmodConfig,
    out: &mut Vec<ModuleCopy>,
) -> Result<(), DepmodError> {
    let rd = std::fs::read_dir(dir).map_err(|source| DepmodError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    for e in rd {
        let e = e.map_err(|source| DepmodError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name == "."
            || name == ".."
            || name == "build"
            || name == "source"
            || cfg.excludes.contains(&name)
        {
            continue;
        }
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        // Like depmod, follow symlinks (stat, not lstat).
        let Ok(md) = std::fs::metadata(e.path()) else {
            continue;
        };
        if md.is_dir() {
            walk(&e.path(), &rel, in_tree, cfg, out)?;
        } else if md.is_file() && is_module_file(&name) {
            let dir = if in_tree {
                rel.split('/').next().unwrap_or("").to_string()
            } else {
                "external".to_string()
            };
            out.push(ModuleCopy {
                name: module_name_of(&name),
                rel,
                in_tree,
                dir,
            });
        }
    }
    Ok(())
}

/// `modules.dep` of a kernel: module name → path as written (relative to the kernel dir).
pub fn read_modules_dep(
    root: &Sysroot,
    kver: &str,
) -> Result<Option<BTreeMap<String, String>>, DepmodError> {
    let path = kernel_dir(root, kver).join("modules.dep");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(DepmodError::Read { path, source }),
    };
    Ok(Some(parse_modules_dep(&text)))
}

pub fn parse_modules_dep(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(p, _)| {
            let file = p.rsplit('/').next().unwrap_or(p);
            (module_name_of(file), p.to_string())
        })
        .collect()
}

/// Where the predicted winners and `modules.dep` disagree: (module, predicted, on disk).
pub fn stale_entries(
    predicted: &BTreeMap<String, ModuleCopies>,
    on_disk: &BTreeMap<String, String>,
) -> Vec<(String, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    for (name, mc) in predicted {
        let p = &mc.winner().rel;
        match on_disk.get(name) {
            Some(d) if d == p => {}
            d => out.push((name.clone(), Some(p.clone()), d.cloned())),
        }
    }
    for (name, d) in on_disk {
        if !predicted.contains_key(name) {
            out.push((name.clone(), None, Some(d.clone())));
        }
    }
    out
}

/// The newest kernel release under `<root>/lib/modules` (rpm version order).
pub fn newest_kernel(root: &Sysroot) -> Option<String> {
    let rd = std::fs::read_dir(root.join("/lib/modules")).ok()?;
    rd.flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .max_by(|a, b| crate::rpm::vercmp(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(kver: &str, files: &[(&str, &str)]) -> DepmodConfig {
        let f: Vec<(PathBuf, String)> = files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect();
        DepmodConfig::parse(kver, &f)
    }

    fn copy(rel: &str) -> ModuleCopy {
        ModuleCopy {
            name: module_name_of(rel.rsplit('/').next().unwrap()),
            rel: rel.into(),
            in_tree: true,
            dir: rel.split('/').next().unwrap().into(),
        }
    }

    #[test]
    fn kernel_patterns_are_unanchored_regexes() {
        assert!(kernel_matches("4.4.0", "4.4.0+10"));
        assert!(kernel_matches("*", "anything"));
        assert!(kernel_matches("^4\\.19\\.0\\+1$", "4.19.0+1"));
        assert!(!kernel_matches("^4\\.19\\.0$", "4.19.0+1"));
        assert!(kernel_matches("4.19.*", "4.19.0+1"));
        assert!(kernel_matches("[0-9]+\\.[0-9]+", "6.1.0-56-cloud-amd64"));
        assert!(!kernel_matches("5.10", "4.19.0+1"));
    }

    #[test]
    fn default_search_is_updates() {
        let c = cfg("4.19.0+1", &[]);
        assert!(c.default_search);
        assert!(!c.existing_wins(&copy("kernel/a.ko"), &copy("updates/a.ko")));
        assert!(c.existing_wins(&copy("updates/a.ko"), &copy("override/a.ko")));
    }

    #[test]
    fn xcpng_styles_are_recognised() {
        let c = cfg(
            "4.4.0+10",
            &[
                ("/etc/depmod.d/00-xcpng-override.conf", "search override\n"),
                (
                    "/etc/depmod.d/dist.conf",
                    "search override updates extra built-in weak-updates\n",
                ),
                (
                    "/etc/depmod.d/igb-4.4.0.conf",
                    "override igb 4.4.0 override\n",
                ),
            ],
        );
        assert_eq!(c.styles.len(), 3);
        assert_eq!(c.overrides.len(), 1);
        assert!(!c.existing_wins(&copy("updates/igb.ko"), &copy("override/igb.ko")));
        assert!(c.existing_wins(&copy("override/igb.ko"), &copy("kernel/igb.ko")));
    }
}
