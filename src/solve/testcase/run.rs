//! Solving each section with our solver and printing the result in the testcase's syntax.

use super::*;
use crate::solve::{Job, Pool, PoolOptions, Request, Sid, Step, WeakDeps};
use std::collections::BTreeSet;
use std::fmt::Write;

impl Testcase {
    /// Solve every section; the case passes when every section matches.
    pub fn run(&self) -> Vec<SectionResult> {
        self.sections.iter().map(|s| self.run_section(s)).collect()
    }

    /// Solve one section: set the solver up from its flags, build the pool, turn its jobs
    /// into a request, solve, and compare with the expected result.
    pub(super) fn run_section(&self, sec: &Section) -> SectionResult {
        let mut unsupported = self.unsupported.clone();
        let mut set = setup(sec, &mut unsupported);
        let opts = pool_options(sec, &mut unsupported);
        let disabled = self.disabled(sec, &mut unsupported);
        let kind = result_kind(sec, &mut unsupported);
        let (pool, per) = self.pool(&disabled, opts);
        set.req.frozen = per.frozen.into_iter().collect();
        if set.strict_prio {
            exclude_worse_priority(&pool, sec, &mut set.req);
        }
        for (i, v) in per.vendor.into_iter().enumerate() {
            set.flags.vendor.insert(i as Sid, v);
        }
        if !set.ignore_weak {
            for (i, w) in per.weak.into_iter().enumerate() {
                if w != WeakDeps::default() {
                    set.req.weak.insert(i as Sid, w);
                }
            }
        }
        self.add_jobs(&pool, sec, &mut set, &mut unsupported);
        let (output, got, solvable) = solve_section(&pool, &set.req, &kind);
        let reason = mismatch(sec, &unsupported, &got, solvable);
        SectionResult {
            output,
            matched: reason.is_none(),
            reason,
        }
    }

    /// The `disable pkg` lines of the first section and of `sec` (other lines there are
    /// unsupported).
    fn disabled<'a>(&'a self, sec: &'a Section, unsupported: &mut Vec<String>) -> Vec<&'a str> {
        let mut disabled: Vec<&str> = Vec::new();
        let global = self.sections[0]
            .other
            .iter()
            .filter(|o| o.starts_with("disable pkg "));
        for o in global.chain(&sec.other) {
            match o.strip_prefix("disable pkg ") {
                Some(p) => disabled.push(p.trim()),
                None => note(unsupported, format!("`{}`", o.trim())),
            }
        }
        disabled
    }

    /// The pool: installed repo first, then the others (packages of other arches, and
    /// disabled ones not installed, left out); with what the pool does not hold, per pool id.
    fn pool(&self, disabled: &[&str], opts: PoolOptions) -> (Pool, PerSid) {
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
        let per = PerSid {
            frozen,
            vendor: inst_vendor.into_iter().chain(avail_vendor).collect(),
            weak: inst_weak.into_iter().chain(avail_weak).collect(),
        };
        (Pool::new(installed, available, opts), per)
    }

    /// Turn the section's jobs into the request: `lock` jobs first (a lock beats
    /// `[forcebest]`), `allowuninstall` and `excludefromweak` into their sets, the rest into
    /// jobs. Jobs we cannot model go to `unsupported`.
    fn add_jobs(&self, pool: &Pool, sec: &Section, set: &mut Setup, unsupported: &mut Vec<String>) {
        for j in &sec.jobs {
            if j.starts_with("lock ") {
                if let Ok(Some(Job::Lock(l))) = self.job(pool, j, &set.flags) {
                    set.flags.locked.extend(l);
                }
            }
        }
        for j in &sec.jobs {
            let w: Vec<&str> = j.split_whitespace().collect();
            if matches!(w.first(), Some(&"allowuninstall" | &"excludefromweak")) {
                let sel = format!("install {}", w[1..].join(" "));
                match self.job(pool, &sel, &set.flags) {
                    Ok(Some(Job::Install(sids))) if w[0] == "allowuninstall" => {
                        set.req.uninstallable.extend(sids)
                    }
                    Ok(Some(Job::Install(sids))) => set.req.not_weak.extend(sids),
                    Ok(_) => {}
                    Err(e) => note(unsupported, e),
                }
                continue;
            }
            match self.job(pool, j, &set.flags) {
                Ok(Some(job)) => set.req.jobs.push(job),
                Ok(None) => {}
                Err(e) => note(unsupported, e),
            }
        }
    }

    /// Turn a `job` line into a job on the pool. `Ok(None)`: a job that changes nothing here.
    pub(super) fn job(&self, pool: &Pool, line: &str, fl: &Flags) -> Result<Option<Job>, String> {
        let (line, flags) = split_job_flags(line)?;
        let forcebest = flags.contains(&"forcebest");
        let targeted = flags.contains(&"targeted");
        let w: Vec<&str> = line.split_whitespace().collect();
        let (verb, sel, arg) = (
            w.first().copied().unwrap_or(""),
            w.get(1).copied().unwrap_or(""),
            w.get(2..).map(|a| a.join(" ")).unwrap_or_default(),
        );
        let select = |sel: &str, arg: &str| select_job(pool, sel, arg);
        let best = |sids: Vec<Sid>| best_of(pool, fl, verb, forcebest, sids);
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
                return Ok(update_job(pool, fl, sel, sids, targeted, forcebest, best));
            }
            "distupgrade" if sel == "all" => Job::DistUpgrade,
            "distupgrade" if sel != "repo" => {
                let sids = select(sel, &arg)?;
                return Ok(distupgrade_job(pool, fl, sids, targeted, best));
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

/// Split a `job` line into the job and its `[flag,...]`; a flag we do not know is an error.
fn split_job_flags(line: &str) -> Result<(&str, Vec<&str>), String> {
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
    Ok((line, flags))
}

/// The solvables a job's selection (`name`, `provides`, `pkg`, `oneof`, `all packages`) picks.
fn select_job(pool: &Pool, sel: &str, arg: &str) -> Result<Vec<Sid>, String> {
    let all: Vec<Sid> = (0..pool.len() as Sid).collect();
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
}

/// `[forcebest]`: only the best (newest) package of each identity counts, and not one
/// another candidate obsoletes (libsolv's prune_obsoleted); without it, `sids` as they are.
fn best_of(pool: &Pool, fl: &Flags, verb: &str, forcebest: bool, sids: Vec<Sid>) -> Vec<Sid> {
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
}

/// An `update` job on the selected `sids`: to the targets it names (autotarget or
/// `[targeted]`), else of the installed ones (each to its best update with `[forcebest]`).
fn update_job(
    pool: &Pool,
    fl: &Flags,
    sel: &str,
    sids: Vec<Sid>,
    targeted: bool,
    forcebest: bool,
    best: impl Fn(Vec<Sid>) -> Vec<Sid>,
) -> Option<Job> {
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
            return None;
        }
        return Some(Job::UpdateTo {
            targets: best(to),
            force: forcebest,
        });
    }
    let inst: Vec<Sid> = sids
        .iter()
        .copied()
        .filter(|&s| pool.installed(s))
        .collect();
    if inst.is_empty() {
        return None;
    }
    if forcebest {
        return Some(Job::UpdateTo {
            targets: best_updates(pool, &inst),
            force: true,
        });
    }
    Some(Job::Update(inst))
}

/// Every installed package in `inst` to its best update: the newest of its identity or of a
/// package obsoleting it, leaving out a candidate another one obsoletes (libsolv's
/// prune_obsoleted).
fn best_updates(pool: &Pool, inst: &[Sid]) -> Vec<Sid> {
    let mut targets = Vec::new();
    for &i in inst {
        let g = pool.group(i);
        let mut cands: Vec<Sid> = pool.groups[g as usize]
            .members
            .iter()
            .copied()
            .filter(|&m| !pool.installed(m) && pool.pkg(m).evr_cmp(pool.pkg(i)).is_gt())
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
    targets
}

/// A `distupgrade` job on the selected `sids`: to the targets it names (autotarget or
/// `[targeted]`), else of the installed ones.
fn distupgrade_job(
    pool: &Pool,
    fl: &Flags,
    sids: Vec<Sid>,
    targeted: bool,
    best: impl Fn(Vec<Sid>) -> Vec<Sid>,
) -> Option<Job> {
    let to: Vec<Sid> = sids
        .iter()
        .copied()
        .filter(|&s| !pool.installed(s))
        .collect();
    if targeted || (!fl.no_autotarget && !to.is_empty()) {
        if to.is_empty() {
            return None;
        }
        return Some(Job::UpdateTo {
            targets: best(to),
            force: true,
        });
    }
    let inst: Vec<Sid> = sids.into_iter().filter(|&s| pool.installed(s)).collect();
    if inst.is_empty() {
        return None;
    }
    Some(Job::DistUpgradeOf(inst))
}

/// A transaction step in the testcase's result syntax.
pub fn step_line(pool: &Pool, s: &Step) -> String {
    step_line_with(s, |x| pool.display(x))
}

/// A step with packages named by `d` (`name-evr.arch@repo`, or `@@System` in written testcases).
pub(super) fn step_line_with(s: &Step, d: impl Fn(Sid) -> String) -> String {
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

/// `[forcebest]`'s best of `sids`: the newest of each identity, leaving out a candidate another
/// one obsoletes (libsolv's prune_obsoleted; not when they obsolete each other).
pub(super) fn best_candidates(pool: &Pool, sids: &[Sid]) -> Vec<Sid> {
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

/// How a section sets the solver up, from its solver flags.
struct Setup {
    req: Request,
    flags: Flags,
    ignore_weak: bool,
    strict_prio: bool,
}

/// What goes with each package of the pool, by pool id (installed first).
struct PerSid {
    /// Installed packages that are disabled: they stay as they are.
    frozen: Vec<Sid>,
    vendor: Vec<String>,
    weak: Vec<WeakDeps>,
}

/// The solver flags of `sec`; those we do not model go to `unsupported`.
fn setup(sec: &Section, unsupported: &mut Vec<String>) -> Setup {
    let mut set = Setup {
        req: Request {
            ignore_installonly_obsoletes: true,
            ..Default::default()
        },
        flags: Flags::default(),
        ignore_weak: false,
        strict_prio: false,
    };
    for f in &sec.solverflags {
        match f.as_str() {
            "allowuninstall" => set.req.allow_uninstall = true,
            "keeporphans" => set.req.keep_orphans = true,
            "keepexplicitobsoletes" => set.req.ignore_installonly_obsoletes = false,
            "noautotarget" => set.flags.no_autotarget = true,
            "yumobsoletes" => set.req.yum_obsoletes = true,
            "strictrepopriority" => set.strict_prio = true,
            // We never hold packages to their vendor.
            "allowvendorchange" => {}
            // Best by policy (vendor): a no-op for install and distupgrade jobs.
            "bestobeypolicy" => set.flags.best_obey_policy = true,
            "ignorerecommended" => set.ignore_weak = true,
            other => note(unsupported, format!("solver flag `{other}`")),
        }
    }
    set
}

/// The pool flags of `sec` (those we do not model go to `unsupported`), and the install-only
/// names of its `multiversion` jobs.
fn pool_options(sec: &Section, unsupported: &mut Vec<String>) -> PoolOptions {
    let mut opts = PoolOptions {
        multilib: false,
        installonly: Vec::new(),
    };
    for f in &sec.poolflags {
        match f.as_str() {
            "implicitobsoleteusescolors" => opts.multilib = true,
            // Whether obsoletes of multiversion packages count: decided by the
            // `keepexplicitobsoletes` solver flag in rpm mode.
            "noobsoletesmultiversion" | "!noobsoletesmultiversion" => {}
            // Disabled packages are left out of the pool: none provides anything.
            "whatprovideswithdisabled" => {}
            other => note(unsupported, format!("pool flag `{other}`")),
        }
    }
    for j in &sec.jobs {
        let w: Vec<&str> = j.split_whitespace().collect();
        if w.first() == Some(&"multiversion") && matches!(w.get(1), Some(&"name" | &"provides")) {
            opts.installonly.push(w[2].to_string());
        }
    }
    opts
}

/// The `result` line's classes; a case without `transaction`, or with a class we do not
/// know, is unsupported.
fn result_kind(sec: &Section, unsupported: &mut Vec<String>) -> String {
    let kind = sec.result_kind.clone().unwrap_or_default();
    let classes: Vec<&str> = kind.split(',').collect();
    if !classes.contains(&"transaction") {
        note(unsupported, format!("result class `{kind}`"));
    }
    for c in &classes {
        if !matches!(
            *c,
            "transaction" | "problems" | "alternatives" | "cleandeps" | "rules" | "recommended"
        ) {
            note(unsupported, format!("result class `{c}`"));
        }
    }
    kind
}

/// `strictrepopriority`: only the best-priority repo's packages of a name are candidates;
/// a package named by a `pkg` job stays one.
fn exclude_worse_priority(pool: &Pool, sec: &Section, req: &mut Request) {
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

/// Solve, and print the result in the testcase's syntax: (output, the transaction's lines,
/// solvable?).
fn solve_section(pool: &Pool, req: &Request, kind: &str) -> (String, BTreeSet<String>, bool) {
    let mut out = String::new();
    let _ = writeln!(out, "result {kind} <inline>");
    match crate::solve::solve(pool, req) {
        Ok(sol) => {
            let got: BTreeSet<String> = sol.steps.iter().map(|s| step_line(pool, s)).collect();
            for l in &got {
                let _ = writeln!(out, "#>{l}");
            }
            (out, got, true)
        }
        Err(u) => {
            for r in &u.reasons {
                let _ = writeln!(out, "#>problem xcpngmod info {r}");
            }
            (out, BTreeSet::new(), false)
        }
    }
}

/// Why the result does not match the section's expected one (None: it matches): something
/// unsupported, a problem where a solution was expected or the reverse, or a different
/// transaction.
fn mismatch(
    sec: &Section,
    unsupported: &[String],
    got: &BTreeSet<String>,
    solvable: bool,
) -> Option<String> {
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
    if !unsupported.is_empty() {
        Some(format!("unsupported: {}", unsupported.join("; ")))
    } else if want_problem == solvable {
        Some(if want_problem {
            "expected a problem, found a solution".into()
        } else {
            "found no solution, expected one".into()
        })
    } else if solvable && *got != want {
        let missing: Vec<&str> = want.difference(got).map(|s| s.as_str()).collect();
        let extra: Vec<&str> = got.difference(&want).map(|s| s.as_str()).collect();
        Some(format!(
            "transaction differs: missing [{}], extra [{}]",
            missing.join(", "),
            extra.join(", ")
        ))
    } else {
        None
    }
}
