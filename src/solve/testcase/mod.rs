//! libsolv's testcase format (`testsolv`): read a `.t` file, solve each job section with our
//! solver, print the result in the testcase's own syntax and compare it with the expected one
//! (transaction lines as a set; `problem` lines only as "must be unsolvable").
//!
//! Read and applied: install/erase/update (with libsolv's autotarget, `[targeted]`,
//! `[forcebest]`), distupgrade (all, repo, name), lock, favor/disfavor, multiversion,
//! allowuninstall and excludefromweak jobs; `disable pkg`; weak dependencies (libsolv installs
//! what new packages recommend or what supplements them, unless `ignorerecommended`); the
//! solver flags allowuninstall, keeporphans, keepexplicitobsoletes, noautotarget,
//! yumobsoletes, strictrepopriority, bestobeypolicy (vendor kept on forcebest updates) and
//! allowvendorchange (we never hold a vendor).
//!
//! What the format can say that we do not model is reported as unsupported, never passed
//! silently: rich dependencies, cleandeps, blacklists, `!dupallow*` flags, strongrecommends,
//! `verify`/`noop` jobs, and result classes other than `transaction` and `problems`.
//!
//! `write` does the reverse: a solver problem as a testcase (`--debugsolver`).

use crate::rpm::{Dependency, Package};
use crate::solve::{Sid, WeakDeps};

mod parse;
mod run;
mod write;

pub use run::*;
pub use write::*;

/// Solver flags that change how job lines are read.
#[derive(Debug, Clone, Default)]
struct Flags {
    no_autotarget: bool,
    /// Packages locked by the section's `lock` jobs (a lock beats `[forcebest]`).
    locked: Vec<Sid>,
    best_obey_policy: bool,
    /// Package vendors (`=Vnd:`), by pool id.
    vendor: std::collections::HashMap<Sid, String>,
}

/// A package as the testcase declares it, before it goes into a pool.
#[derive(Debug, Clone)]
struct TPkg {
    pkg: Package,
    repo: usize,
    weak: WeakDeps,
    vendor: String,
}

#[derive(Debug, Clone)]
struct TRepo {
    name: String,
    priority: i32,
}

/// One job section (the file's start, or after `nextjob`).
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub jobs: Vec<String>,
    pub solverflags: Vec<String>,
    pub poolflags: Vec<String>,
    /// The `result` line's classes, and its expected `#>` lines.
    pub result_kind: Option<String>,
    pub expected: Vec<String>,
    pub other: Vec<String>,
}

/// A parsed testcase.
#[derive(Debug, Clone, Default)]
pub struct Testcase {
    repos: Vec<TRepo>,
    pkgs: Vec<TPkg>,
    system_arch: String,
    system_repo: Option<String>,
    pub sections: Vec<Section>,
    /// Features used that we do not model (the case cannot pass honestly).
    pub unsupported: Vec<String>,
    /// Tags we read and ignore (noted in the output).
    pub ignored: Vec<String>,
}

/// The outcome of one section.
#[derive(Debug, Clone)]
pub struct SectionResult {
    pub output: String,
    pub matched: bool,
    pub reason: Option<String>,
}

/// A dependency of a `#>=Req:`-style line, or None (noted as unsupported) for rich
/// dependencies and what does not parse.
fn testcase_dep(rest: &str, unsupported: &mut Vec<String>) -> Option<Dependency> {
    if rest.starts_with('(') {
        note(unsupported, "rich dependencies");
        return None;
    }
    let d = parse_dep(rest);
    if d.is_none() {
        note(unsupported, format!("dependency `{rest}`"));
    }
    d
}

fn note(v: &mut Vec<String>, s: impl Into<String>) {
    let s = s.into();
    if !v.contains(&s) {
        v.push(s);
    }
}

fn parse_dep(s: &str) -> Option<Dependency> {
    Dependency::parse(s)
}
