//! libsolv's testcase format (`testsolv`): read a `.t` file, solve each job section with our
//! solver, print the result in the testcase's own syntax and compare it with the expected one
//! (transaction lines as a set; `problem` lines only as "must be unsolvable").
//!
//! What the format can say that we do not model is reported as unsupported, never passed
//! silently: rich dependencies, weak dependencies (Recommends/Supplements), vendor policy,
//! solver and pool flags other than `allowuninstall` and `implicitobsoleteusescolors`, and
//! result classes other than `transaction` and `problems`.

use super::{Job, Pool, PoolOptions, Request, Sid, Step};
use crate::rpm::{Dependency, Evr, Package};
use std::collections::BTreeSet;
use std::fmt::Write;

/// A package as the testcase declares it, before it goes into a pool.
#[derive(Debug, Clone)]
struct TPkg {
    pkg: Package,
    repo: usize,
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

fn note(v: &mut Vec<String>, s: impl Into<String>) {
    let s = s.into();
    if !v.contains(&s) {
        v.push(s);
    }
}

fn parse_dep(s: &str) -> Option<Dependency> {
    Dependency::parse(s)
}

impl Testcase {
    /// Parse the text of a `.t` file.
    pub fn parse(text: &str) -> Testcase {
        let mut tc = Testcase {
            system_arch: "*".into(),
            ..Default::default()
        };
        let mut sec = Section::default();
        let mut lines = text.lines().peekable();
        while let Some(line) = lines.next() {
            let line = line.trim_end();
            if line.is_empty() || (line.starts_with('#') && !line.starts_with("#>")) {
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            match words[0] {
                "repo" => {
                    let name = words.get(1).copied().unwrap_or("repo").to_string();
                    let prio = words
                        .get(2)
                        .and_then(|p| p.split('.').next())
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(0);
                    let ri = tc.repos.len();
                    tc.repos.push(TRepo {
                        name,
                        priority: prio,
                    });
                    match (words.get(3), words.get(4)) {
                        (Some(&"testtags"), Some(&"<inline>")) => {
                            let mut block = Vec::new();
                            while let Some(l) = lines.peek() {
                                if let Some(rest) = l.strip_prefix("#>") {
                                    block.push(rest.to_string());
                                    lines.next();
                                } else {
                                    break;
                                }
                            }
                            tc.read_repo(ri, &block);
                        }
                        (Some(&"empty"), _) => {}
                        _ => note(
                            &mut tc.unsupported,
                            format!("repo format `{}`", words[3..].join(" ")),
                        ),
                    }
                }
                "system" => {
                    tc.system_arch = words.get(1).copied().unwrap_or("*").to_string();
                    if tc.system_arch == "unset" {
                        tc.system_arch = "*".into();
                    }
                    tc.system_repo = words.get(3).map(|s| s.to_string());
                }
                "job" => sec.jobs.push(words[1..].join(" ")),
                "solverflags" => sec
                    .solverflags
                    .extend(words[1..].iter().map(|s| s.to_string())),
                "poolflags" => sec
                    .poolflags
                    .extend(words[1..].iter().map(|s| s.to_string())),
                "result" => {
                    sec.result_kind = Some(words.get(1).copied().unwrap_or("").to_string());
                    if words.get(2) == Some(&"<inline>") {
                        while let Some(l) = lines.peek() {
                            if let Some(rest) = l.strip_prefix("#>") {
                                sec.expected.push(rest.trim().to_string());
                                lines.next();
                            } else {
                                break;
                            }
                        }
                    } else {
                        note(&mut tc.unsupported, "result in an external file");
                    }
                }
                "nextjob" => {
                    let mut next = Section::default();
                    // Flags carry over in testsolv only through explicit lines: start fresh.
                    std::mem::swap(&mut sec, &mut next);
                    tc.sections.push(next);
                }
                other => sec.other.push(format!("{other} {}", words[1..].join(" "))),
            }
        }
        tc.sections.push(sec);
        tc
    }

    fn read_repo(&mut self, repo: usize, block: &[String]) {
        let mut cur: Option<Package> = None;
        let repo_name = self.repos[repo].name.clone();
        let flush = |cur: &mut Option<Package>, pkgs: &mut Vec<TPkg>| {
            if let Some(p) = cur.take() {
                pkgs.push(TPkg { pkg: p, repo });
            }
        };
        for l in block {
            let Some((tag, rest)) = l.split_once(':') else {
                continue;
            };
            let rest = rest.trim();
            match tag {
                "=Pkg" => {
                    flush(&mut cur, &mut self.pkgs);
                    let f: Vec<&str> = rest.split_whitespace().collect();
                    if f.len() < 4 {
                        note(&mut self.unsupported, format!("bad package line `{rest}`"));
                        continue;
                    }
                    let ev = Evr::parse(f[1]);
                    cur = Some(Package {
                        name: f[0].into(),
                        evr: Evr::new(ev.epoch, ev.version, f[2]),
                        arch: f[3].into(),
                        repo: repo_name.clone(),
                        ..Default::default()
                    });
                }
                "=Req" | "=Prv" | "=Con" | "=Obs" | "=Prq" => {
                    let Some(p) = cur.as_mut() else { continue };
                    if rest.starts_with('(') {
                        note(&mut self.unsupported, "rich dependencies");
                        continue;
                    }
                    let Some(d) = parse_dep(rest) else {
                        note(&mut self.unsupported, format!("dependency `{rest}`"));
                        continue;
                    };
                    match tag {
                        "=Req" | "=Prq" => p.requires.push(d),
                        "=Prv" => p.provides.push(d),
                        "=Con" => p.conflicts.push(d),
                        _ => p.obsoletes.push(d),
                    }
                }
                "=Fls" => {
                    if let Some(p) = cur.as_mut() {
                        p.files.push(rest.to_string());
                    }
                }
                "=Rec" | "=Sup" | "=Sug" | "=Enh" => note(&mut self.ignored, "weak dependencies"),
                "=Vnd" => note(&mut self.ignored, "vendor"),
                "=Ver" | "=Tim" | "=Sum" | "=Dsc" => {}
                other => note(&mut self.unsupported, format!("package tag `{other}`")),
            }
        }
        flush(&mut cur, &mut self.pkgs);
    }

    fn arch_ok(&self, arch: &str) -> bool {
        let sys = self.system_arch.as_str();
        if sys == "*" || arch == "noarch" || arch == sys {
            return true;
        }
        let x86 = ["i686", "i586", "i486", "i386"];
        match sys {
            "x86_64" => x86.contains(&arch),
            "i686" => x86[1..].contains(&arch),
            "i586" => x86[2..].contains(&arch),
            _ => false,
        }
    }

    /// Solve every section; the case passes when every section matches.
    pub fn run(&self) -> Vec<SectionResult> {
        self.sections.iter().map(|s| self.run_section(s)).collect()
    }

    fn run_section(&self, sec: &Section) -> SectionResult {
        let mut unsupported = self.unsupported.clone();
        if self.ignored.iter().any(|i| i == "weak dependencies")
            && !sec.solverflags.iter().any(|f| f == "ignorerecommended")
        {
            note(
                &mut unsupported,
                "weak dependencies (Recommends/Supplements)",
            );
        }
        let mut opts = PoolOptions {
            multilib: false,
            installonly: Vec::new(),
        };
        let mut allow_uninstall = false;
        for f in &sec.solverflags {
            match f.as_str() {
                "allowuninstall" => allow_uninstall = true,
                "ignorerecommended" => {}
                other => note(&mut unsupported, format!("solver flag `{other}`")),
            }
        }
        for f in &sec.poolflags {
            match f.as_str() {
                "implicitobsoleteusescolors" => opts.multilib = true,
                other => note(&mut unsupported, format!("pool flag `{other}`")),
            }
        }
        for o in &sec.other {
            note(&mut unsupported, format!("`{}`", o.trim()));
        }
        for j in &sec.jobs {
            let w: Vec<&str> = j.split_whitespace().collect();
            if w.first() == Some(&"multiversion") && w.get(1) == Some(&"name") {
                opts.installonly.push(w[2].to_string());
            }
        }
        let kind = sec.result_kind.clone().unwrap_or_default();
        let classes: Vec<&str> = kind.split(',').collect();
        if !classes.contains(&"transaction") {
            note(&mut unsupported, format!("result class `{kind}`"));
        }
        for c in &classes {
            if !matches!(
                *c,
                "transaction" | "problems" | "alternatives" | "cleandeps" | "rules" | "recommended"
            ) {
                note(&mut unsupported, format!("result class `{c}`"));
            }
        }
        // The pool: installed repo first, then the others (packages of other arches left out).
        let mut installed = Vec::new();
        let mut available = Vec::new();
        for tp in &self.pkgs {
            let repo = &self.repos[tp.repo];
            if Some(&repo.name) == self.system_repo.as_ref() {
                installed.push(tp.pkg.clone());
            } else if self.arch_ok(&tp.pkg.arch) {
                // libsolv: higher priority wins; yum: lower wins.
                available.push((tp.pkg.clone(), -repo.priority));
            }
        }
        let pool = Pool::new(installed, available, opts);
        let mut req = Request {
            allow_uninstall,
            ..Default::default()
        };
        for j in &sec.jobs {
            match self.job(&pool, j) {
                Ok(Some(job)) => req.jobs.push(job),
                Ok(None) => {}
                Err(e) => note(&mut unsupported, e),
            }
        }
        let mut out = String::new();
        let _ = writeln!(out, "result {kind} <inline>");
        let got: BTreeSet<String>;
        let solvable;
        match super::solve(&pool, &req) {
            Ok(sol) => {
                got = sol.steps.iter().map(|s| step_line(&pool, s)).collect();
                for l in &got {
                    let _ = writeln!(out, "#>{l}");
                }
                solvable = true;
            }
            Err(u) => {
                got = BTreeSet::new();
                for r in &u.reasons {
                    let _ = writeln!(out, "#>problem xcpngmod info {r}");
                }
                solvable = false;
            }
        }
        let want: BTreeSet<String> = sec
            .expected
            .iter()
            .filter(|l| {
                let w = l.split_whitespace().next().unwrap_or("");
                matches!(
                    w,
                    "install" | "erase" | "upgrade" | "downgrade" | "reinstall" | "change"
                )
            })
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        let want_problem = sec.expected.iter().any(|l| l.starts_with("problem "));
        let mut reason = None;
        let matched = if !unsupported.is_empty() {
            reason = Some(format!("unsupported: {}", unsupported.join("; ")));
            false
        } else if want_problem == solvable {
            reason = Some(if want_problem {
                "expected a problem, found a solution".into()
            } else {
                "found no solution, expected one".into()
            });
            false
        } else if solvable && got != want {
            let missing: Vec<&String> = want.difference(&got).collect();
            let extra: Vec<&String> = got.difference(&want).collect();
            reason = Some(format!(
                "transaction differs: missing [{}], extra [{}]",
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                extra
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            false
        } else {
            true
        };
        SectionResult {
            output: out,
            matched,
            reason,
        }
    }

    /// Turn a `job` line into a job on the pool. `Ok(None)`: a job that changes nothing here.
    fn job(&self, pool: &Pool, line: &str) -> Result<Option<Job>, String> {
        let (line, flags) = match line.find('[') {
            Some(i) => (line[..i].trim(), line[i..].trim()),
            None => (line.trim(), ""),
        };
        if !flags.is_empty() && flags != "[forcebest]" {
            return Err(format!("job flags `{flags}`"));
        }
        let w: Vec<&str> = line.split_whitespace().collect();
        let (verb, sel, arg) = (
            w.first().copied().unwrap_or(""),
            w.get(1).copied().unwrap_or(""),
            w.get(2..).map(|a| a.join(" ")).unwrap_or_default(),
        );
        let all: Vec<Sid> = (0..pool.len() as Sid).collect();
        let select = |sel: &str, arg: &str| -> Result<Vec<Sid>, String> {
            match sel {
                "name" => {
                    let d = parse_dep(arg).ok_or(format!("selection `{arg}`"))?;
                    Ok(all.iter().copied().filter(|&s| pool.named(s, &d)).collect())
                }
                "provides" => {
                    let d = parse_dep(arg).ok_or(format!("selection `{arg}`"))?;
                    Ok(pool.what_provides(&d).to_vec())
                }
                "pkg" => Ok(all
                    .iter()
                    .copied()
                    .filter(|&s| pool.display(s) == arg)
                    .collect()),
                "oneof" => {
                    let want: Vec<&str> = arg.split_whitespace().collect();
                    Ok(all
                        .iter()
                        .copied()
                        .filter(|&s| want.contains(&pool.display(s).as_str()))
                        .collect())
                }
                "all" if arg == "packages" => Ok(all.clone()),
                other => Err(format!("job selection `{other}`")),
            }
        };
        Ok(Some(match verb {
            "install" => Job::Install(select(sel, &arg)?),
            "erase" => Job::Erase(
                select(sel, &arg)?
                    .into_iter()
                    .filter(|&s| pool.installed(s))
                    .collect(),
            ),
            "update" => {
                let sids = select(sel, &arg)?;
                let mut inst: Vec<Sid> = sids
                    .iter()
                    .copied()
                    .filter(|&s| pool.installed(s))
                    .collect();
                if sel != "all" {
                    // `update name X` also reaches the installed package of the selected names.
                    let names: Vec<&str> =
                        sids.iter().map(|&s| pool.pkg(s).name.as_str()).collect();
                    inst = pool
                        .installed_ids()
                        .filter(|&s| names.contains(&pool.pkg(s).name.as_str()))
                        .collect();
                    if inst.is_empty() {
                        return Ok(None);
                    }
                }
                Job::Update(inst)
            }
            "distupgrade" if sel == "all" => Job::DistUpgrade,
            "lock" => Job::Lock(select(sel, &arg)?),
            "favor" => Job::Favor(select(sel, &arg)?),
            "disfavor" => Job::Disfavor(select(sel, &arg)?),
            "multiversion" if sel == "name" => return Ok(None),
            other => return Err(format!("job `{other} {sel}`")),
        }))
    }
}

/// A transaction step in the testcase's result syntax.
pub fn step_line(pool: &Pool, s: &Step) -> String {
    let d = |x: Sid| pool.display(x);
    match *s {
        Step::Install(p) => format!("install {}", d(p)),
        Step::Erase {
            pkg,
            obsoleted_by: None,
        } => format!("erase {}", d(pkg)),
        Step::Erase {
            pkg,
            obsoleted_by: Some(o),
        } => format!("erase {} {}", d(pkg), d(o)),
        Step::Upgrade { from, to } => format!("upgrade {} {}", d(from), d(to)),
        Step::Downgrade { from, to } => format!("downgrade {} {}", d(from), d(to)),
        Step::Reinstall { from, to } => format!("reinstall {} {}", d(from), d(to)),
    }
}

/// Run a testcase text: the output to print and whether every section matched.
pub fn run_text(text: &str) -> (String, bool) {
    let tc = Testcase::parse(text);
    let results = tc.run();
    let mut out = String::new();
    let mut ok = true;
    for (i, r) in results.iter().enumerate() {
        if i > 0 {
            out.push_str("\nnextjob\n");
        }
        out.push_str(&r.output);
        if let Some(why) = &r.reason {
            let _ = writeln!(out, "# FAIL: {why}");
        }
        ok &= r.matched;
    }
    if !tc.ignored.is_empty() {
        let _ = writeln!(out, "# ignored: {}", tc.ignored.join(", "));
    }
    (out, ok)
}
