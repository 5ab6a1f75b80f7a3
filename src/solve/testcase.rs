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

use super::{Job, Pool, PoolOptions, Request, Sid, Step, WeakDeps};
use crate::rpm::{Dependency, Evr, Package};
use std::collections::BTreeSet;
use std::fmt::Write;

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
                            format!(
                                "repo format `{}`",
                                words.get(3..).unwrap_or_default().join(" ")
                            ),
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
        let mut weak = WeakDeps::default();
        let mut vendor = String::new();
        let flush = |cur: &mut Option<Package>,
                     weak: &mut WeakDeps,
                     vendor: &mut String,
                     pkgs: &mut Vec<TPkg>| {
            let w = std::mem::take(weak);
            let v = std::mem::take(vendor);
            if let Some(p) = cur.take() {
                pkgs.push(TPkg {
                    pkg: p,
                    repo,
                    weak: w,
                    vendor: v,
                });
            }
        };
        for l in block {
            let Some((tag, rest)) = l.split_once(':') else {
                continue;
            };
            let rest = rest.trim();
            match tag {
                "=Pkg" => {
                    flush(&mut cur, &mut weak, &mut vendor, &mut self.pkgs);
                    let f: Vec<&str> = rest.split_whitespace().collect();
                    if f.len() < 4 {
                        note(&mut self.unsupported, format!("bad package line `{rest}`"));
                        continue;
                    }
                    // `[E:]V`: the version is everything after the epoch (a `-` in it is
                    // kept, as libsolv keeps it).
                    let (epoch, version) = match f[1].split_once(':') {
                        Some((e, v)) if e.chars().all(|c| c.is_ascii_digit()) => {
                            (e.parse().ok(), v)
                        }
                        _ => (None, f[1]),
                    };
                    cur = Some(Package {
                        name: f[0].into(),
                        evr: Evr::new(epoch, version, f[2]),
                        arch: f[3].into(),
                        repo: repo_name.clone(),
                        ..Default::default()
                    });
                }
                "=Req" | "=Prv" | "=Con" | "=Obs" | "=Prq" => {
                    let Some(p) = cur.as_mut() else { continue };
                    let Some(d) = testcase_dep(rest, &mut self.unsupported) else {
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
                "=Rec" | "=Sup" | "=Sug" | "=Enh" => {
                    if cur.is_none() {
                        continue;
                    }
                    let Some(d) = testcase_dep(rest, &mut self.unsupported) else {
                        continue;
                    };
                    match tag {
                        "=Rec" => weak.recommends.push(d),
                        "=Sup" => weak.supplements.push(d),
                        "=Sug" => weak.suggests.push(d),
                        _ => weak.enhances.push(d),
                    }
                }
                "=Vnd" => vendor = rest.to_string(),
                "=Ver" | "=Tim" | "=Sum" | "=Dsc" => {}
                other => note(&mut self.unsupported, format!("package tag `{other}`")),
            }
        }
        flush(&mut cur, &mut weak, &mut vendor, &mut self.pkgs);
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
        let mut opts = PoolOptions {
            multilib: false,
            installonly: Vec::new(),
        };
        let mut req = Request {
            ignore_installonly_obsoletes: true,
            ..Default::default()
        };
        let mut flags = Flags::default();
        let mut ignore_weak = false;
        let mut strict_prio = false;
        for f in &sec.solverflags {
            match f.as_str() {
                "allowuninstall" => req.allow_uninstall = true,
                "keeporphans" => req.keep_orphans = true,
                "keepexplicitobsoletes" => req.ignore_installonly_obsoletes = false,
                "noautotarget" => flags.no_autotarget = true,
                "yumobsoletes" => req.yum_obsoletes = true,
                "strictrepopriority" => strict_prio = true,
                // We never hold packages to their vendor.
                "allowvendorchange" => {}
                // Best by policy (vendor): a no-op for install and distupgrade jobs.
                "bestobeypolicy" => flags.best_obey_policy = true,
                "ignorerecommended" => ignore_weak = true,
                other => note(&mut unsupported, format!("solver flag `{other}`")),
            }
        }
        for f in &sec.poolflags {
            match f.as_str() {
                "implicitobsoleteusescolors" => opts.multilib = true,
                // Whether obsoletes of multiversion packages count: decided by the
                // `keepexplicitobsoletes` solver flag in rpm mode.
                "noobsoletesmultiversion" | "!noobsoletesmultiversion" => {}
                // Disabled packages are left out of the pool: none provides anything.
                "whatprovideswithdisabled" => {}
                other => note(&mut unsupported, format!("pool flag `{other}`")),
            }
        }
        let mut disabled: Vec<&str> = Vec::new();
        let global = self.sections[0]
            .other
            .iter()
            .filter(|o| o.starts_with("disable pkg "));
        for o in global.chain(&sec.other) {
            match o.strip_prefix("disable pkg ") {
                Some(p) => disabled.push(p.trim()),
                None => note(&mut unsupported, format!("`{}`", o.trim())),
            }
        }
        for j in &sec.jobs {
            let w: Vec<&str> = j.split_whitespace().collect();
            if w.first() == Some(&"multiversion") && matches!(w.get(1), Some(&"name" | &"provides"))
            {
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
        let mut frozen = Vec::new();
        let mut inst_weak = Vec::new();
        let mut inst_vendor = Vec::new();
        let mut avail_vendor = Vec::new();
        let mut avail_weak = Vec::new();
        for tp in &self.pkgs {
            let repo = &self.repos[tp.repo];
            let shown = format!("{}@{}", tp.pkg.nevra(), repo.name);
            let off = disabled.contains(&shown.as_str());
            if Some(&repo.name) == self.system_repo.as_ref() {
                // A disabled installed package stays as it is (it cannot be changed).
                if off {
                    frozen.push(installed.len() as Sid);
                }
                inst_weak.push(tp.weak.clone());
                inst_vendor.push(tp.vendor.clone());
                installed.push(tp.pkg.clone());
            } else if off {
                continue;
            } else if self.arch_ok(&tp.pkg.arch) {
                // libsolv: higher priority wins; yum: lower wins.
                avail_weak.push(tp.weak.clone());
                avail_vendor.push(tp.vendor.clone());
                available.push((tp.pkg.clone(), -repo.priority));
            }
        }
        let pool = Pool::new(installed, available, opts);
        req.frozen = frozen.into_iter().collect();
        if strict_prio {
            // Only the best-priority repo's packages of a name are candidates; a package
            // named by a `pkg` job stays one.
            let named: Vec<&str> = sec
                .jobs
                .iter()
                .filter(|j| j.split_whitespace().nth(1) == Some("pkg"))
                .filter_map(|j| j.split_whitespace().nth(2))
                .collect();
            for s in 0..pool.len() as Sid {
                if pool.installed(s) || named.contains(&pool.display(s).as_str()) {
                    continue;
                }
                let best = pool
                    .groups_named(&pool.pkg(s).name)
                    .iter()
                    .flat_map(|&g| pool.groups[g as usize].members.iter())
                    .filter(|&&m| !pool.installed(m))
                    .map(|&m| pool.solvables[m as usize].priority)
                    .min()
                    .unwrap_or(0);
                if pool.solvables[s as usize].priority > best {
                    req.excluded
                        .insert(s, "a repo with a better priority has this name".into());
                }
            }
        }
        for (i, v) in inst_vendor.into_iter().chain(avail_vendor).enumerate() {
            flags.vendor.insert(i as Sid, v);
        }
        if !ignore_weak {
            for (i, w) in inst_weak.into_iter().chain(avail_weak).enumerate() {
                if w != WeakDeps::default() {
                    req.weak.insert(i as Sid, w);
                }
            }
        }
        for j in &sec.jobs {
            if j.starts_with("lock ") {
                if let Ok(Some(Job::Lock(l))) = self.job(&pool, j, &flags) {
                    flags.locked.extend(l);
                }
            }
        }
        for j in &sec.jobs {
            let w: Vec<&str> = j.split_whitespace().collect();
            if matches!(w.first(), Some(&"allowuninstall" | &"excludefromweak")) {
                let sel = format!("install {}", w[1..].join(" "));
                match self.job(&pool, &sel, &flags) {
                    Ok(Some(Job::Install(sids))) if w[0] == "allowuninstall" => {
                        req.uninstallable.extend(sids)
                    }
                    Ok(Some(Job::Install(sids))) => req.not_weak.extend(sids),
                    Ok(_) => {}
                    Err(e) => note(&mut unsupported, e),
                }
                continue;
            }
            match self.job(&pool, j, &flags) {
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
    fn job(&self, pool: &Pool, line: &str, fl: &Flags) -> Result<Option<Job>, String> {
        let (line, flags) = match line.find('[') {
            Some(i) => (line[..i].trim(), line[i..].trim()),
            None => (line.trim(), ""),
        };
        let flags: Vec<&str> = flags
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(',')
            .filter(|f| !f.is_empty())
            .collect();
        if let Some(f) = flags
            .iter()
            .find(|f| !matches!(**f, "forcebest" | "targeted" | "setevr" | "setarch"))
        {
            return Err(format!("job flag `[{f}]`"));
        }
        let forcebest = flags.contains(&"forcebest");
        let targeted = flags.contains(&"targeted");
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
        // `[forcebest]`: only the best (newest) package of each identity counts, and not one
        // another candidate obsoletes (libsolv's prune_obsoleted).
        let best = |sids: Vec<Sid>| -> Vec<Sid> {
            if !forcebest {
                return sids;
            }
            // `bestobeypolicy` on updates: the best of the installed package's vendor.
            let sids: Vec<Sid> = if fl.best_obey_policy && verb == "update" {
                sids.into_iter()
                    .filter(|&s| {
                        pool.installed(s)
                            || pool
                                .installed_ids()
                                .filter(|&i| pool.pkg(i).name == pool.pkg(s).name)
                                .all(|i| fl.vendor.get(&i) == fl.vendor.get(&s))
                    })
                    .collect()
            } else {
                sids
            };
            let sids: Vec<Sid> = sids
                .into_iter()
                .filter(|s| pool.installed(*s) || !fl.locked.contains(s))
                .collect();
            best_candidates(pool, &sids)
        };
        Ok(Some(match verb {
            "install" => Job::Install(best(select(sel, &arg)?)),
            "erase" => Job::Erase(
                select(sel, &arg)?
                    .into_iter()
                    .filter(|&s| pool.installed(s))
                    .collect(),
            ),
            "update" => {
                let sids = select(sel, &arg)?;
                // libsolv's autotarget: a selection with packages that are not installed
                // names the targets to update to; `[targeted]` forces it, `noautotarget`
                // turns it off.
                let auto = sel != "all" && !fl.no_autotarget;
                let to: Vec<Sid> = sids
                    .iter()
                    .copied()
                    .filter(|&s| !pool.installed(s))
                    .collect();
                if targeted || (auto && !to.is_empty()) {
                    if to.is_empty() {
                        return Ok(None);
                    }
                    return Ok(Some(Job::UpdateTo {
                        targets: best(to),
                        force: forcebest,
                    }));
                }
                let inst: Vec<Sid> = sids
                    .iter()
                    .copied()
                    .filter(|&s| pool.installed(s))
                    .collect();
                if inst.is_empty() {
                    return Ok(None);
                }
                if forcebest {
                    // Every selected installed package must go to its best update: the newest
                    // of its identity or of a package obsoleting it, leaving out a candidate
                    // another one obsoletes (libsolv's prune_obsoleted).
                    let mut targets = Vec::new();
                    for &i in &inst {
                        let g = pool.group(i);
                        let mut cands: Vec<Sid> = pool.groups[g as usize]
                            .members
                            .iter()
                            .copied()
                            .filter(|&m| {
                                !pool.installed(m) && pool.pkg(m).evr_cmp(pool.pkg(i)).is_gt()
                            })
                            .collect();
                        cands.extend(
                            pool.obsoleters_of(i)
                                .into_iter()
                                .filter(|&o| !pool.installed(o) && pool.obsoletes(o, i)),
                        );
                        for c in best_candidates(pool, &cands) {
                            if !targets.contains(&c) {
                                targets.push(c);
                            }
                        }
                    }
                    return Ok(Some(Job::UpdateTo {
                        targets,
                        force: true,
                    }));
                }
                Job::Update(inst)
            }
            "distupgrade" if sel == "all" => Job::DistUpgrade,
            "distupgrade" if sel != "repo" => {
                let sids = select(sel, &arg)?;
                let to: Vec<Sid> = sids
                    .iter()
                    .copied()
                    .filter(|&s| !pool.installed(s))
                    .collect();
                if targeted || (!fl.no_autotarget && !to.is_empty()) {
                    if to.is_empty() {
                        return Ok(None);
                    }
                    return Ok(Some(Job::UpdateTo {
                        targets: best(to),
                        force: true,
                    }));
                }
                let inst: Vec<Sid> = sids.into_iter().filter(|&s| pool.installed(s)).collect();
                if inst.is_empty() {
                    return Ok(None);
                }
                Job::DistUpgradeOf(inst)
            }
            "distupgrade" if sel == "repo" => Job::DistUpgradeRepo(arg.trim().to_string()),
            "lock" => Job::Lock(select(sel, &arg)?),
            "favor" => Job::Favor(select(sel, &arg)?),
            "disfavor" => Job::Disfavor(select(sel, &arg)?),
            "multiversion" if sel == "name" || sel == "provides" => return Ok(None),
            "allowuninstall" | "excludefromweak" => {
                // Applied to the request by the caller.
                return Err(format!("job `{verb} {sel}` (internal)"));
            }
            other => return Err(format!("job `{other} {sel}`")),
        }))
    }
}

/// A transaction step in the testcase's result syntax.
pub fn step_line(pool: &Pool, s: &Step) -> String {
    step_line_with(s, |x| pool.display(x))
}

/// A step with packages named by `d` (`name-evr.arch@repo`, or `@@System` in written testcases).
fn step_line_with(s: &Step, d: impl Fn(Sid) -> String) -> String {
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
    outcome: &Result<super::Solution, super::Unsolvable>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# written by xcpng-mod --debugsolver");
    // Repos in pool order: installed first.
    let mut repos: Vec<(String, i32)> = Vec::new();
    let repo_of = |s: Sid| -> String {
        if pool.installed(s) {
            "@System".to_string()
        } else {
            pool.pkg(s).repo.replace(char::is_whitespace, "_")
        }
    };
    for s in 0..pool.len() as Sid {
        let r = repo_of(s);
        if !repos.iter().any(|(n, _)| *n == r) {
            repos.push((r, pool.solvables[s as usize].priority));
        }
    }
    if !repos.iter().any(|(n, _)| n == "@System") {
        repos.insert(0, ("@System".into(), 0));
    }
    // Files somebody requires or conflicts with, written as provides (libsolv matches file
    // dependencies against provides).
    let mut wanted_files: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for s in 0..pool.len() as Sid {
        let p = pool.pkg(s);
        for d in p.requires.iter().chain(&p.conflicts) {
            if d.name.starts_with('/') {
                wanted_files.insert(d.name.as_str());
            }
        }
    }
    for (name, prio) in &repos {
        let members: Vec<Sid> = (0..pool.len() as Sid)
            .filter(|&s| repo_of(s) == *name)
            .collect();
        if members.is_empty() {
            let _ = writeln!(out, "repo {name} 0 empty");
            continue;
        }
        // libsolv: a higher priority wins; yum: a lower one.
        let _ = writeln!(out, "repo {name} {} testtags <inline>", -prio);
        for s in members {
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
    }
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
    let oneof = |sids: &[Sid]| -> String {
        let v: Vec<String> = sids.iter().map(|&s| pool.display_testcase(s)).collect();
        v.join(" ")
    };
    let sel = |sids: &[Sid]| -> Option<String> {
        (!sids.is_empty()).then(|| format!("oneof {}", oneof(sids)))
    };
    for s in &req.uninstallable {
        let _ = writeln!(out, "job allowuninstall pkg {}", pool.display_testcase(*s));
    }
    for s in &req.frozen {
        let _ = writeln!(out, "job lock pkg {}", pool.display_testcase(*s));
    }
    for j in &req.jobs {
        let line = match j {
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
        };
        match line {
            Some(l) => {
                let _ = writeln!(out, "job {l}");
            }
            None => {
                let _ = writeln!(out, "# xcpng-mod: a job that selects nothing: {j:?}");
            }
        }
    }
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
    out
}

/// `[forcebest]`'s best of `sids`: the newest of each identity, leaving out a candidate another
/// one obsoletes (libsolv's prune_obsoleted; not when they obsolete each other).
fn best_candidates(pool: &Pool, sids: &[Sid]) -> Vec<Sid> {
    let open: Vec<Sid> = sids
        .iter()
        .copied()
        .filter(|&c| {
            !sids
                .iter()
                .any(|&o| pool.obsoletes(o, c) && !pool.obsoletes(c, o))
        })
        .collect();
    open.iter()
        .copied()
        .filter(|&s| {
            open.iter().all(|&o| {
                pool.group(o) != pool.group(s) || pool.pkg(o).evr_cmp(pool.pkg(s)).is_le()
            })
        })
        .collect()
}
