//! The reverse: a solver problem as a testcase (`--debugsolver`).

use super::*;
use crate::solve::{Job, Pool, Request, Sid};
use std::fmt::Write;

/// Write a solver problem as a libsolv testcase (`testsolv` reads it, and so does
/// `xcpng-mod debug-solver`): the installed system as repo `@System`, every repo with its
/// packages, the flags and jobs of the request, and `result` with what we found (so the file
/// is a regression test of our answer; testsolv prints its own with `-r`).
///
/// What the format cannot say is written as comments: protected packages (libsolv has no
/// such notion; dnf locks them), and `rpmlib(...)` requirements are left out (rpm answers
/// them, not the repos).
pub fn write(
    pool: &Pool,
    req: &Request,
    outcome: &Result<crate::solve::Solution, crate::solve::Unsolvable>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# written by xcpng-mod --debugsolver");
    let wanted_files = wanted_files(pool);
    for (name, prio) in &repo_order(pool) {
        write_repo(&mut out, pool, req, name, *prio, &wanted_files);
    }
    write_system(&mut out, pool);
    write_flags(&mut out, pool, req);
    write_jobs(&mut out, pool, req);
    write_result(&mut out, pool, outcome);
    out
}

/// The testcase repo name of solvable `s`: `@System` if installed, else its repo with
/// whitespace as `_`.
fn repo_of(pool: &Pool, s: Sid) -> String {
    if pool.installed(s) {
        "@System".to_string()
    } else {
        pool.pkg(s).repo.replace(char::is_whitespace, "_")
    }
}

/// The repos with their priorities in pool order (installed first), `@System` always among
/// them.
fn repo_order(pool: &Pool) -> Vec<(String, i32)> {
    let mut repos: Vec<(String, i32)> = Vec::new();
    for s in 0..pool.len() as Sid {
        let r = repo_of(pool, s);
        if !repos.iter().any(|(n, _)| *n == r) {
            repos.push((r, pool.solvables[s as usize].priority));
        }
    }
    if !repos.iter().any(|(n, _)| n == "@System") {
        repos.insert(0, ("@System".into(), 0));
    }
    repos
}

/// Files somebody requires or conflicts with, to be written as provides (libsolv matches file
/// dependencies against provides).
fn wanted_files(pool: &Pool) -> std::collections::HashSet<&str> {
    let mut wanted_files: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for s in 0..pool.len() as Sid {
        let p = pool.pkg(s);
        for d in p.requires.iter().chain(&p.conflicts) {
            if d.name.starts_with('/') {
                wanted_files.insert(d.name.as_str());
            }
        }
    }
    wanted_files
}

/// Write repo `name` with its packages (or as `empty` if it has none).
fn write_repo(
    out: &mut String,
    pool: &Pool,
    req: &Request,
    name: &str,
    prio: i32,
    wanted_files: &std::collections::HashSet<&str>,
) {
    let members: Vec<Sid> = (0..pool.len() as Sid)
        .filter(|&s| repo_of(pool, s) == name)
        .collect();
    if members.is_empty() {
        let _ = writeln!(out, "repo {name} 0 empty");
        return;
    }
    // libsolv: a higher priority wins; yum: a lower one.
    let _ = writeln!(out, "repo {name} {} testtags <inline>", -prio);
    for s in members {
        write_package(out, pool, req, s, wanted_files);
    }
}

/// Write solvable `s` as testtags: its `Pkg` line and its dependencies, weak ones included.
fn write_package(
    out: &mut String,
    pool: &Pool,
    req: &Request,
    s: Sid,
    wanted_files: &std::collections::HashSet<&str>,
) {
    let p = pool.pkg(s);
    let ev = match p.evr.epoch.filter(|e| *e != 0) {
        Some(e) => format!("{e}:{}", p.evr.version),
        None => p.evr.version.clone(),
    };
    let rel = if p.evr.release.is_empty() {
        "0"
    } else {
        p.evr.release.as_str()
    };
    let _ = writeln!(out, "#>=Pkg: {} {ev} {rel} {}", p.name, p.arch);
    for d in &p.requires {
        if !d.name.starts_with("rpmlib(") {
            let tag = if d.pre { "Prq" } else { "Req" };
            let _ = writeln!(out, "#>={tag}: {d}");
        }
    }
    for d in &p.provides {
        let _ = writeln!(out, "#>=Prv: {d}");
    }
    for f in &p.files {
        if wanted_files.contains(f.as_str()) && !p.provides.iter().any(|d| d.name == *f) {
            let _ = writeln!(out, "#>=Prv: {f}");
        }
    }
    for d in &p.conflicts {
        let _ = writeln!(out, "#>=Con: {d}");
    }
    for d in &p.obsoletes {
        let _ = writeln!(out, "#>=Obs: {d}");
    }
    if let Some(w) = req.weak.get(&s) {
        for (tag, deps) in [
            ("Rec", &w.recommends),
            ("Sup", &w.supplements),
            ("Sug", &w.suggests),
            ("Enh", &w.enhances),
        ] {
            for d in deps {
                let _ = writeln!(out, "#>={tag}: {d}");
            }
        }
    }
}

/// Write the `system` line (the first non-noarch arch, 32-bit x86 as x86_64) and the pool
/// flags.
fn write_system(out: &mut String, pool: &Pool) {
    let arch = (0..pool.len() as Sid)
        .map(|s| pool.pkg(s).arch.as_str())
        .find(|a| *a != "noarch")
        .map(|a| {
            if a == "i686" || a == "i586" {
                "x86_64"
            } else {
                a
            }
        })
        .unwrap_or("x86_64");
    let _ = writeln!(out, "system {arch} rpm @System");
    if pool.options.multilib {
        let _ = writeln!(out, "poolflags implicitobsoleteusescolors");
    }
}

/// Write the solver flags, what the format cannot say as comments, and the installonly
/// names as `multiversion` jobs.
fn write_flags(out: &mut String, pool: &Pool, req: &Request) {
    let mut flags = Vec::new();
    if req.allow_uninstall {
        flags.push("allowuninstall");
    }
    if req.keep_orphans {
        flags.push("keeporphans");
    }
    if !req.ignore_installonly_obsoletes {
        flags.push("keepexplicitobsoletes");
    }
    if req.yum_obsoletes {
        flags.push("yumobsoletes");
    }
    if req.weak.is_empty() {
        flags.push("ignorerecommended");
    }
    let _ = writeln!(out, "solverflags {}", flags.join(" "));
    if req.installed_only {
        let _ = writeln!(out, "# xcpng-mod: nothing new may be installed (remove)");
    }
    let mut prot: Vec<String> = req.protected.iter().map(|&s| pool.display(s)).collect();
    prot.sort();
    for p in prot {
        let _ = writeln!(out, "# xcpng-mod: protected {p}");
    }
    for name in &pool.options.installonly {
        let _ = writeln!(out, "job multiversion provides {name}");
    }
}

/// Write the per-package jobs (allowuninstall, lock) and the request's jobs; a job that
/// selects nothing becomes a comment.
fn write_jobs(out: &mut String, pool: &Pool, req: &Request) {
    for s in &req.uninstallable {
        let _ = writeln!(out, "job allowuninstall pkg {}", pool.display_testcase(*s));
    }
    for s in &req.frozen {
        let _ = writeln!(out, "job lock pkg {}", pool.display_testcase(*s));
    }
    for j in &req.jobs {
        match job_line(pool, j) {
            Some(l) => {
                let _ = writeln!(out, "job {l}");
            }
            None => {
                let _ = writeln!(out, "# xcpng-mod: a job that selects nothing: {j:?}");
            }
        }
    }
}

/// Job `j` as the text after `job `, or None if it selects nothing.
fn job_line(pool: &Pool, j: &Job) -> Option<String> {
    let oneof = |sids: &[Sid]| -> String {
        let v: Vec<String> = sids.iter().map(|&s| pool.display_testcase(s)).collect();
        v.join(" ")
    };
    let sel = |sids: &[Sid]| -> Option<String> {
        (!sids.is_empty()).then(|| format!("oneof {}", oneof(sids)))
    };
    match j {
        Job::Install(s) => sel(s).map(|x| format!("install {x}")),
        Job::Erase(s) => sel(s).map(|x| format!("erase {x}")),
        Job::Update(s) => {
            let all = pool.installed_ids().all(|i| s.contains(&i));
            if all && !s.is_empty() {
                Some("update all packages".into())
            } else {
                sel(s).map(|x| format!("update {x}"))
            }
        }
        Job::UpdateTo { targets, force } => sel(targets).map(|x| {
            let f = if *force { ",forcebest" } else { "" };
            format!("update {x} [targeted{f}]")
        }),
        Job::DistUpgrade => Some("distupgrade all packages".into()),
        Job::DistUpgradeRepo(r) => Some(format!("distupgrade repo {r}")),
        Job::DistUpgradeOf(s) => sel(s).map(|x| format!("distupgrade {x}")),
        Job::Lock(s) => sel(s).map(|x| format!("lock {x}")),
        Job::Favor(s) => sel(s).map(|x| format!("favor {x}")),
        Job::Disfavor(s) => sel(s).map(|x| format!("disfavor {x}")),
    }
}

/// Write the `result` section: our sorted steps, or the problems as libsolv `info` lines.
fn write_result(
    out: &mut String,
    pool: &Pool,
    outcome: &Result<crate::solve::Solution, crate::solve::Unsolvable>,
) {
    let _ = writeln!(out, "result transaction,problems <inline>");
    match outcome {
        Ok(sol) => {
            let mut lines: Vec<String> = sol
                .steps
                .iter()
                .map(|s| step_line_with(s, |x| pool.display_testcase(x)))
                .collect();
            lines.sort();
            for l in lines {
                let _ = writeln!(out, "#>{l}");
            }
        }
        Err(u) => {
            for r in &u.reasons {
                let _ = writeln!(out, "#>problem 00000000 info {}", r.replace('\n', " "));
            }
            if u.reasons.is_empty() {
                let _ = writeln!(out, "#>problem 00000000 info unsolvable");
            }
        }
    }
}
