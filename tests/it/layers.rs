//! The layers of `src/` point one way. This test reads every `crate::…` and `super::…` path
//! of the library's sources (test code left out) and fails on an edge from a module to a
//! higher layer, on a cycle between the modules of one layer, and on a cycle between the
//! files of one module folder (a folder's `mod.rs` and its files may use each other).
//! The order is written here once; the README's Design section shows the real graph, checked
//! against what this test finds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first. A module may use its own layer (without cycles) and the layers below.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "leaves",
        &[
            "time", "process", "names", "notices", "sysroot", "hostfs", "digest", "compress",
            "errchain", "glob", "cpio",
        ],
    ),
    ("transfer", &["http", "fetch", "xapirpc"]),
    ("configuration", &["config"]),
    ("packages", &["rpm"]),
    ("trust", &["trust"]),
    ("repositories", &["repo"]),
    ("solver", &["solve"]),
    ("module state", &["modules"]),
    ("transactions", &["transaction"]),
    ("wire formats", &["wire"]),
    ("errors", &["error"]),
    ("operations", &["ops"]),
    ("pool", &["pool"]),
    ("demo host", &["demo"]),
    ("command line", &["cli"]),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file: `src/repo/mod.rs` → [repo], `src/rpm/rpmdb/bdb.rs` → [rpm,
/// rpmdb, bdb].
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    parts
}

/// The source without comments, string contents and `#[cfg(test)]` items.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if text[i..].starts_with("//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if text[i..].starts_with("/*") {
            i += text[i..].find("*/").map_or(b.len() - i, |e| e + 2);
        } else if b[i] == b'"' {
            // Skip the string (escapes included); raw strings in this crate hold no `"`
            // followed by a path, so this is enough.
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if text[i..].starts_with("#[cfg(test)]") {
            // Skip the item that follows: up to its matching `}` (or `;`).
            i += "#[cfg(test)]".len();
            let mut depth = 0;
            while i < b.len() {
                match b[i] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    b';' if depth == 0 => {
                        i += 1;
                        break;
                    }
                    _ => {}
                }
                i += 1;
            }
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn ident_end(s: &str) -> usize {
    s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len())
}

/// Every path the code names from `crate::` or `super::`, resolved to a module path plus the
/// rest (only the first segments matter). `use crate::{a::b, c}` groups are expanded.
fn paths_in(module: &[String], code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(pos) = rest
        .find("crate::")
        .into_iter()
        .chain(rest.find("super::"))
        .min()
    {
        let before = rest[..pos].chars().last();
        let tail = &rest[pos..];
        rest = &rest[pos + 1..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        // The base: the crate root, or the parent of this file's module (once per `super`).
        let (mut base, t) = if let Some(t) = tail.strip_prefix("crate::") {
            (Vec::new(), t)
        } else {
            let mut b: Vec<String> = module.to_vec();
            let mut t = tail;
            // A `mod.rs` is its folder's module: `super` from it is the folder's parent.
            while let Some(x) = t.strip_prefix("super::") {
                b.pop();
                t = x;
            }
            (b, t)
        };
        expand(&mut base, t, &mut out);
    }
    out
}

fn expand(prefix: &mut Vec<String>, t: &str, out: &mut Vec<Vec<String>>) {
    let t = t.trim_start();
    if let Some(group) = t.strip_prefix('{') {
        // Split the group at top-level commas.
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    expand(prefix, &group[start..i], out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(prefix, &group[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return;
    }
    let n = ident_end(t);
    if n == 0 {
        return;
    }
    let seg = &t[..n];
    if seg == "self" {
        out.push(prefix.clone());
        return;
    }
    prefix.push(seg.to_string());
    if let Some(more) = t[n..].strip_prefix("::") {
        expand(prefix, more, out);
    } else {
        out.push(prefix.clone());
    }
    prefix.pop();
}

struct Graph {
    /// Top-level module → the top-level modules it uses.
    top: BTreeMap<String, BTreeSet<String>>,
    /// Within a folder module: file module → sibling file modules it uses.
    inner: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    /// One example place of each top-level edge, for messages.
    at: BTreeMap<(String, String), String>,
}

fn graph() -> Graph {
    let root = src();
    let mut files = Vec::new();
    rs_files(&root, &mut files);
    files.sort();
    let mut g = Graph {
        top: BTreeMap::new(),
        inner: BTreeMap::new(),
        at: BTreeMap::new(),
    };
    let tops: BTreeSet<String> = files
        .iter()
        .map(|f| module_of(f.strip_prefix(&root).unwrap())[0].clone())
        .collect();
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap();
        let m = module_of(rel);
        if m == ["lib"] || m == ["main"] || m.last().is_some_and(|l| l == "tests") {
            continue;
        }
        let is_dir = |parts: &[String]| root.join(parts.join("/")).is_dir();
        let file_of = |parts: &[String]| {
            root.join(parts.join("/")).with_extension("rs").is_file()
                || root.join(parts.join("/")).join("mod.rs").is_file()
        };
        let code = code_of(&std::fs::read_to_string(f).unwrap());
        for p in paths_in(&m, &code) {
            let Some(first) = p.first() else { continue };
            // `crate::Error`, `crate::Result`: the error module's.
            let target_top = if tops.contains(first) {
                first.clone()
            } else if first == "Error" || first == "Result" {
                "error".to_string()
            } else {
                continue;
            };
            if target_top != m[0] {
                g.top
                    .entry(m[0].clone())
                    .or_default()
                    .insert(target_top.clone());
                g.at.entry((m[0].clone(), target_top))
                    .or_insert_with(|| format!("src/{}", rel.display()));
            } else if m.len() >= 2 && p.len() >= 2 && is_dir(&m[..1]) && file_of(&p[..2]) {
                // Inside one folder: an edge between two of its files (not to or from its
                // mod.rs, which declares what they share).
                if p[1] != m[1] {
                    g.inner
                        .entry(m[0].clone())
                        .or_default()
                        .entry(m[1].clone())
                        .or_default()
                        .insert(p[1].clone());
                }
            }
        }
    }
    g
}

fn level(m: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&m))
}

/// A cycle in `edges`, as `a → b → … → a`.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == n) {
            let mut c = stack[i..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in edges.keys() {
        if let Some(c) = visit(n, edges, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn every_module_has_a_layer() {
    let g = graph();
    let mut all: BTreeSet<&String> = g.top.keys().collect();
    all.extend(g.top.values().flatten());
    let missing: Vec<&&String> = all.iter().filter(|m| level(m).is_none()).collect();
    assert!(
        missing.is_empty(),
        "modules without a layer in tests/it/layers.rs: {missing:?}"
    );
}

#[test]
fn no_module_uses_a_higher_layer() {
    let g = graph();
    let mut bad = Vec::new();
    for (from, tos) in &g.top {
        for to in tos {
            if let (Some(a), Some(b)) = (level(from), level(to)) {
                if b > a {
                    bad.push(format!(
                        "{from} ({}) → {to} ({}), e.g. in {}",
                        LAYERS[a].0,
                        LAYERS[b].0,
                        g.at[&(from.clone(), to.clone())]
                    ));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "edges against the layer order:\n{}",
        bad.join("\n")
    );
}

#[test]
fn no_cycles_within_a_layer_or_a_folder() {
    let g = graph();
    if let Some(c) = find_cycle(&g.top) {
        panic!("a cycle between modules: {}", c.join(" → "));
    }
    for (folder, edges) in &g.inner {
        if let Some(c) = find_cycle(edges) {
            panic!(
                "a cycle between the files of src/{folder}/: {}",
                c.join(" → ")
            );
        }
    }
}

/// The graph as the README shows it: each layer, top first, with what its modules use.
fn rendered(g: &Graph) -> String {
    let mut s = String::from("```text\n");
    for (name, ms) in LAYERS.iter().rev() {
        s.push_str(&format!("{name}:\n"));
        for m in *ms {
            let uses: Vec<&str> = g
                .top
                .get(*m)
                .map(|t| t.iter().map(String::as_str).collect())
                .unwrap_or_default();
            if uses.is_empty() {
                s.push_str(&format!("  {m}\n"));
            } else {
                s.push_str(&format!("  {m} → {}\n", uses.join(", ")));
            }
        }
    }
    s.push_str("```\n");
    s
}

#[test]
fn the_readme_shows_the_real_graph() {
    let g = graph();
    let want = rendered(&g);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start, end) = (
        "<!-- layers: generated by tests/it/layers.rs -->\n",
        "<!-- /layers -->",
    );
    let Some((head, rest)) = readme.split_once(start) else {
        panic!("the README's Design section lacks `{}`", start.trim());
    };
    let Some((shown, tail)) = rest.split_once(end) else {
        panic!("the README's Design section lacks `{end}`");
    };
    if shown != want && std::env::var_os("XCPNG_MOD_UPDATE_DOCS").is_some() {
        std::fs::write(&path, format!("{head}{start}{want}{end}{tail}")).unwrap();
        return;
    }
    assert_eq!(
        shown, want,
        "the README's Design section must show the real graph (XCPNG_MOD_UPDATE_DOCS=1 cargo test --test it layers:: rewrites it)"
    );
}

/// The checker itself: a made-up upward edge and cycle are found.
#[test]
fn the_checker_finds_an_edge_and_a_cycle() {
    let code = code_of(
        "use crate::{ops::solve::{Plan, Reason}, rpm};\n// crate::cli in a comment\nfn f() { super::keys::x(); let s = \"crate::demo\"; }\n#[cfg(test)]\nmod tests { use crate::cli; }\n",
    );
    let m = vec!["trust".to_string(), "sig".to_string()];
    let paths = paths_in(&m, &code);
    let firsts: BTreeSet<String> = paths.iter().map(|p| p.join("::")).collect();
    assert!(firsts.contains("ops::solve::Plan"), "{firsts:?}");
    assert!(firsts.contains("ops::solve::Reason"), "{firsts:?}");
    assert!(firsts.contains("rpm"), "{firsts:?}");
    assert!(firsts.contains("trust::keys::x"), "{firsts:?}");
    assert!(!firsts
        .iter()
        .any(|p| p.starts_with("cli") || p.starts_with("demo")));
    let mut e: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    e.entry("a".into()).or_default().insert("b".into());
    e.entry("b".into()).or_default().insert("c".into());
    assert!(find_cycle(&e).is_none());
    e.entry("c".into()).or_default().insert("a".into());
    assert_eq!(find_cycle(&e).unwrap(), ["a", "b", "c", "a"]);
}
