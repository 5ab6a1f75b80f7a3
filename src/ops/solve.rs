//! Transaction goals (`install`, `update`, `downgrade`, `remove`, `reinstall`) turned into a
//! `Plan`: select the packages the admin named, ask the solver, and describe the result with
//! the reason of every step. Executing a plan is not part of this module.

use super::{matches_spec, Context};
use crate::error::{Error, Result};
use crate::rpm::package::PackageRef;
use crate::rpm::{Dependency, Package};
use crate::solve::pool::Source;
use crate::solve::{self, Job, Pool, PoolOptions, Request, Sid, Step};
use crate::solve::{Goal, Plan, PlanChange, PlanPackage, Reason};
use std::collections::HashSet;

/// Names that are never removed: the updates machinery and the drivers it pulls in.
pub const PROTECTED: &[&str] = &["xcp-ng-deps", "vendor-drivers", "xcpng-mod"];

/// Everything the pure planner needs besides the packages.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    pub installonly: Vec<String>,
    /// The kernel release never removed (its package provides `kernel-uname-r = KVER`): the
    /// target kernel, that is `--kernel`, else the running one, else the newest installed.
    pub protected_kernel: Option<String>,
    /// Package names protected on top of `PROTECTED`.
    pub protected: Vec<String>,
    /// Write the solver problem as a libsolv testcase into this directory (`--debugsolver`).
    pub debugsolver: Option<std::path::PathBuf>,
    /// Version locks, as `versionlock.list` states them: `[E:]N-V-R.A` patterns (globs) that
    /// are the only available versions of their name, and `!`-prefixed ones that are never.
    pub locks: Vec<String>,
}

/// Where yum's and dnf's versionlock plugins keep their lists, under the root.
pub const VERSIONLOCK_LISTS: [&str; 2] = [
    "etc/yum/pluginconf.d/versionlock.list",
    "etc/dnf/plugins/versionlock.list",
];

/// The lock entries of the root's versionlock lists (comments and blank lines skipped).
pub fn read_locks(root: &crate::sysroot::Sysroot) -> Vec<String> {
    VERSIONLOCK_LISTS
        .iter()
        .filter_map(|f| std::fs::read_to_string(root.join(f)).ok())
        .flat_map(|t| {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The package name of a lock entry: `[E:]NAME-VERSION-RELEASE[.ARCH]`, the name being what
/// precedes the last two dashes.
fn lock_name(entry: &str) -> Option<&str> {
    let rest = entry.split_once(':').map_or(entry, |(e, r)| {
        if e.bytes().all(|c| c.is_ascii_digit()) {
            r
        } else {
            entry
        }
    });
    let (nv, _) = rest.rsplit_once('-')?;
    let (n, _) = nv.rsplit_once('-')?;
    Some(n)
}

/// Exclusions the repos' configuration asks for, with the reason explanations show:
/// - repo priority, as dnf applies it: of the available packages of a name, only those of the
///   best (lowest) priority are candidates, even when another repo has a newer version;
/// - version locks: a locked name's other available versions, and `!` entries.
fn configured_exclusions(
    pool: &Pool,
    opts: &PlanOptions,
) -> std::collections::HashMap<Sid, String> {
    let mut out = std::collections::HashMap::new();
    let available = || (0..pool.len() as Sid).filter(|&s| !pool.installed(s));
    let prio = |s: Sid| pool.solvables[s as usize].priority;
    let first = available().next().map(prio);
    if available().any(|s| Some(prio(s)) != first) {
        let mut best: crate::digest::FxMap<&str, Sid> = Default::default();
        for s in available() {
            let b = best.entry(pool.name(s)).or_insert(s);
            if prio(s) < prio(*b) {
                *b = s;
            }
        }
        for s in available() {
            let b = best[pool.name(s)];
            if prio(s) > prio(b) {
                let (p, q) = (pool.pkg(s), pool.pkg(b));
                out.insert(
                    s,
                    format!(
                        "{} is taken from repo {} (priority {}) rather than {} (priority {})",
                        p.name,
                        q.repo,
                        prio(b),
                        p.repo,
                        prio(s)
                    ),
                );
            }
        }
    }
    let (deny, allow): (Vec<&String>, Vec<&String>) =
        opts.locks.iter().partition(|l| l.starts_with('!'));
    let mut locked: std::collections::HashMap<&str, Vec<&str>> = Default::default();
    for l in &allow {
        if let Some(n) = lock_name(l) {
            locked.entry(n).or_default().push(l.as_str());
        }
    }
    // The available packages of a name, with a pattern test on their NEVRA.
    let available_named = |name: &str| -> Vec<Sid> {
        pool.groups_named(name)
            .iter()
            .flat_map(|&g| pool.groups[g as usize].members.iter().copied())
            .filter(|&s| !pool.installed(s))
            .collect()
    };
    let matches = |s: Sid, pat: &str| matches_spec(&pool.ident(s), pat);
    for (name, pats) in &locked {
        for s in available_named(name) {
            if !pats.iter().any(|p| matches(s, p)) {
                out.entry(s).or_insert_with(|| {
                    format!(
                        "{name} is locked to {} by versionlock.list",
                        pats.join(", ")
                    )
                });
            }
        }
    }
    for l in deny {
        let pat = &l[1..];
        let Some(name) = lock_name(pat) else { continue };
        for s in available_named(name) {
            if matches(s, pat) {
                out.entry(s)
                    .or_insert_with(|| format!("{pat} is excluded by versionlock.list"));
            }
        }
    }
    out
}

/// Write the problem as `DIR/testcase.t` (libsolv's testcase format, for bug reports).
fn write_debugdata(
    dir: &std::path::Path,
    pool: &Pool,
    req: &Request,
    outcome: &std::result::Result<solve::Solution, solve::Unsolvable>,
) -> Result<()> {
    let text = solve::testcase::write(pool, req, outcome);
    let path = dir.join("testcase.t");
    crate::hostfs::create_dir_all(dir)
        .and_then(|_| crate::hostfs::write_atomic(&path, text.as_bytes()))
        .map_err(|e| Error::Failed {
            what: format!("cannot write the solver testcase {}: {e}", path.display()),
            hint: Some("give --debugsolver=DIR a writable directory".into()),
        })?;
    eprintln!(
        "solver testcase written to {} (run it with `xcpng-mod debug-solver` or `testsolv`)",
        path.display()
    );
    Ok(())
}

/// Plan a goal on the root: load the installed set and the enabled repos, then `plan_on`.
pub fn plan(ctx: &Context<'_>, goal: &Goal) -> Result<Plan> {
    plan_with_targets(ctx, goal).map(|(plan, _, _)| plan)
}

/// `plan`, with the full records of the packages it installs (see `plan_on_with_targets`)
/// and the repos it opened (executing the plan downloads from them).
pub fn plan_with_targets(
    ctx: &Context<'_>,
    goal: &Goal,
) -> Result<(Plan, Vec<Package>, Vec<crate::repo::Repo>)> {
    let (goal, local) = local_files(ctx.root(), goal)?;
    let goal = &goal;
    let installed = ctx.installed()?;
    let repos = ctx.open_repos()?;
    let mut sources = ctx.stores(&repos)?;
    // Local files are in no repo: the default priority.
    sources.push(Source::Packages(
        local.into_iter().map(|p| (p, 99)).collect(),
    ));
    let opts = PlanOptions {
        installonly: ctx.config.main.installonlypkgs.clone(),
        protected_kernel: crate::modules::inventory::target_kernel(
            ctx.root(),
            ctx.settings.kernel.as_deref(),
        )
        .ok(),
        protected: Vec::new(),
        debugsolver: ctx.settings.debugsolver.clone(),
        locks: read_locks(ctx.root()),
    };
    let mut pool = Pool::from_sources(installed, sources, pool_options(&opts));
    complete_file_provides(ctx, &repos, &mut pool, goal)?;
    let (plan, targets) = plan_on_pool(pool, &opts, goal)?;
    Ok((plan, targets, repos))
}

/// Package files named in the goal (`./foo.rpm`): read their headers as candidates of the
/// `@commandline` repo and name them in the goal by NEVRA instead of by path.
fn local_files(root: &crate::sysroot::Sysroot, goal: &Goal) -> Result<(Goal, Vec<Package>)> {
    use crate::rpm::local;
    if matches!(goal, Goal::Remove(_)) {
        return Ok((goal.clone(), Vec::new()));
    }
    let mut pkgs = Vec::new();
    let specs: Vec<String> = goal
        .specs()
        .iter()
        .map(|s| {
            if !local::is_package_file(s) {
                return Ok(s.clone());
            }
            let p = local::import(root, std::path::Path::new(s)).map_err(|e| Error::NotFound {
                what: e.to_string(),
                hint: Some("give the path of a binary .rpm package file".into()),
            })?;
            let spec = format!(
                "{}-{}:{}-{}.{}",
                p.name,
                p.epoch(),
                p.evr.version,
                p.evr.release,
                p.arch
            );
            pkgs.push(p);
            Ok(spec)
        })
        .collect::<Result<_>>()?;
    let goal = match goal {
        Goal::Install(_) => Goal::Install(specs),
        Goal::Update(_) => Goal::Update(specs),
        Goal::Downgrade(_) => Goal::Downgrade(specs),
        Goal::Reinstall(_) => Goal::Reinstall(specs),
        Goal::Swap { remove, .. } => Goal::Swap {
            remove: remove.clone(),
            install: specs,
        },
        Goal::Remove(_) => unreachable!("handled above"),
    };
    Ok((goal, pkgs))
}

/// File dependencies (and file specs in the goal) that primary's subset of files does not
/// answer are looked up in the repos' `filelists`, fetched only then; matching files are added
/// to the packages that hold them.
fn complete_file_provides(
    ctx: &Context<'_>,
    repos: &[crate::repo::Repo],
    pool: &mut Pool,
    goal: &Goal,
) -> Result<()> {
    // In-memory packages (installed, local files) list their requires; each store knows the
    // file requires its own file lists leave open.
    let mut wanted: HashSet<String> = (0..pool.len() as Sid)
        .filter(|&s| pool.is_in_memory(s))
        .flat_map(|s| {
            let p = pool.pkg(s);
            p.requires.iter().chain(&p.conflicts)
        })
        .map(|d| d.name.clone())
        .chain(
            pool.stores()
                .flat_map(|st| st.unresolved_files().map(str::to_string)),
        )
        .chain(goal.specs().iter().cloned())
        .filter(|n| n.starts_with('/'))
        .collect();
    wanted.retain(|f| {
        pool.what_provides(&Dependency::unversioned(f.clone()))
            .is_empty()
    });
    if wanted.is_empty() {
        return Ok(());
    }
    // (repo, pkgid) → Sid, for the repos' packages.
    let mut by_id: std::collections::HashMap<(&str, String), Sid> =
        std::collections::HashMap::new();
    for (st, repo, i, s) in pool.store_packages() {
        by_id.insert((repo, st.pkgid(i).to_ascii_lowercase()), s);
    }
    let mut add = Vec::new();
    for r in repos {
        // A repo without file lists answers file dependencies from primary's files only.
        let found = r.files_matching(|f| wanted.contains(f), &ctx.fetcher, ctx.settings.cache)?;
        for (pkgid, file) in found.into_iter().flatten() {
            if let Some(&s) = by_id.get(&(r.config.id.as_str(), pkgid.to_ascii_lowercase())) {
                add.push((s, file));
            }
        }
    }
    drop(by_id);
    pool.add_files(add);
    Ok(())
}

/// `downgrade NAME-VERSION[-RELEASE]`: the spec names the older version to go to, as in yum.
/// Returns (the versions named that are older than an installed one of their name, those
/// installed ones); None when the spec names no such version.
fn downgrade_to_named(pool: &Pool, spec: &str) -> Option<(Vec<Sid>, Vec<Sid>)> {
    let installed_above = |t: Sid| {
        pool.groups[pool.group(t) as usize]
            .members
            .iter()
            .copied()
            .filter(move |&i| pool.installed(i) && pool.pkg(t).evr_cmp(pool.pkg(i)).is_lt())
    };
    let to = select(pool, spec, |s| {
        !pool.installed(s) && installed_above(s).next().is_some()
    });
    let mut from: Vec<Sid> = to.iter().flat_map(|&t| installed_above(t)).collect();
    from.sort_unstable();
    from.dedup();
    (!from.is_empty()).then_some((to, from))
}

fn not_found(what: String, hint: &str) -> Error {
    Error::NotFound {
        what,
        hint: Some(hint.to_string()),
    }
}

/// The packages of the pool a spec names: by name/glob/NEVRA, else as a capability or file.
fn select(pool: &Pool, spec: &str, filter: impl Fn(Sid) -> bool) -> Vec<Sid> {
    // Every form a spec can match starts with the name (or `EPOCH:` and the name): skip the
    // packages whose name cannot match before building their forms.
    let glob = crate::glob::is_glob(spec);
    let after_epoch = spec.split_once(':').map(|(_, r)| r);
    let may_match = |name: &str| {
        glob || spec.starts_with(name) || after_epoch.is_some_and(|r| r.starts_with(name))
    };
    let by_name: Vec<Sid> = (0..pool.len() as Sid)
        .filter(|&s| filter(s) && may_match(pool.name(s)) && matches_spec(&pool.ident(s), spec))
        .collect();
    if !by_name.is_empty() {
        return by_name;
    }
    match Dependency::parse(spec) {
        Some(d) => pool
            .what_provides(&d)
            .iter()
            .copied()
            .filter(|&s| filter(s))
            .collect(),
        None => Vec::new(),
    }
}

/// Plan a goal on given packages (pure: no I/O).
pub fn plan_on(
    installed: Vec<Package>,
    available: Vec<(Package, i32)>,
    opts: &PlanOptions,
    goal: &Goal,
) -> Result<Plan> {
    plan_on_with_targets(installed, available, opts, goal).map(|(plan, _)| plan)
}

/// `plan_on`, also returning the full records of the packages the plan installs (location,
/// checksum, sizes), so executing it needs no second pass over the repos' metadata.
pub fn plan_on_with_targets(
    installed: Vec<Package>,
    available: Vec<(Package, i32)>,
    opts: &PlanOptions,
    goal: &Goal,
) -> Result<(Plan, Vec<Package>)> {
    plan_on_pool(
        Pool::new(installed, available, pool_options(opts)),
        opts,
        goal,
    )
}

fn pool_options(opts: &PlanOptions) -> PoolOptions {
    let mut installonly = opts.installonly.clone();
    if installonly.is_empty() {
        installonly = PoolOptions::default().installonly;
    }
    PoolOptions {
        multilib: true,
        installonly,
    }
}

/// Plan a goal on a pool built from the installed set and the available packages.
fn plan_on_pool(pool: Pool, opts: &PlanOptions, goal: &Goal) -> Result<(Plan, Vec<Package>)> {
    let mut req = Request::default();
    for s in pool.installed_ids() {
        let p = pool.pkg(s);
        let running = opts.protected_kernel.as_ref().is_some_and(|k| {
            let want =
                Dependency::parse(&format!("kernel-uname-r = {k}")).expect("valid dependency");
            p.provides
                .iter()
                .any(|d| d.satisfies(&want) && d.is_versioned())
        });
        if running || PROTECTED.contains(&p.name.as_str()) || opts.protected.contains(&p.name) {
            req.protected.insert(s);
        }
    }
    let mut requested: HashSet<Sid> = HashSet::new();
    let installed_only = |s: Sid| pool.installed(s);
    for spec in goal.specs() {
        match goal {
            Goal::Install(_) | Goal::Swap { .. } => {
                let sids = select(&pool, spec, |_| true);
                if sids.is_empty() {
                    return Err(not_found(
                        format!("no package provides or matches `{spec}`"),
                        "check the name with `xcpng-mod search`, or enable more repos (--enablerepo 'xcp-ng-test*')",
                    ));
                }
                requested.extend(sids.iter().copied());
                req.jobs.push(Job::Install(prefer_arch(&pool, sids)));
            }
            Goal::Update(_) => {
                let sids = select(&pool, spec, installed_only);
                if sids.is_empty() {
                    return Err(not_found(
                        format!("`{spec}` is not installed"),
                        "`xcpng-mod install` installs it",
                    ));
                }
                requested.extend(sids.iter().copied());
                req.jobs.push(Job::Update(sids));
            }
            Goal::Downgrade(_) => {
                let inst = select(&pool, spec, installed_only);
                if inst.is_empty() {
                    if let Some((to, from)) = downgrade_to_named(&pool, spec) {
                        requested.extend(to.iter().copied());
                        requested.extend(from);
                        req.jobs.push(Job::Install(to));
                        continue;
                    }
                }
                if inst.is_empty() {
                    return Err(not_found(
                        format!("`{spec}` is not installed"),
                        "only installed packages can be downgraded",
                    ));
                }
                let mut older: Vec<Sid> = inst
                    .iter()
                    .flat_map(|&i| {
                        let pool = &pool;
                        pool.groups[pool.group(i) as usize]
                            .members
                            .iter()
                            .copied()
                            .filter(move |&s| {
                                !pool.installed(s) && pool.pkg(s).evr_cmp(pool.pkg(i)).is_lt()
                            })
                    })
                    .collect();
                older.sort_unstable();
                older.dedup();
                if older.is_empty() {
                    return Err(not_found(
                        format!("no older version of `{spec}` is available"),
                        "enable the repo that has it (`xcpng-mod list --showduplicates {spec}` shows the versions)",
                    ));
                }
                requested.extend(older.iter().copied());
                requested.extend(inst.iter().copied());
                // The newest of the older versions, as yum does.
                req.jobs.push(Job::Install(older));
            }
            Goal::Remove(_) => {
                erase_job(&pool, spec, &mut req, &mut requested)?;
                req.installed_only = true;
            }
            Goal::Reinstall(_) => {
                let inst = select(&pool, spec, installed_only);
                if inst.is_empty() {
                    return Err(not_found(
                        format!("`{spec}` is not installed"),
                        "`xcpng-mod install` installs it",
                    ));
                }
                for i in inst {
                    let same: Vec<Sid> = pool.groups[pool.group(i) as usize]
                        .members
                        .iter()
                        .copied()
                        .filter(|&s| !pool.installed(s) && pool.pkg(s).evr_cmp(pool.pkg(i)).is_eq())
                        .collect();
                    if same.is_empty() {
                        return Err(not_found(
                            format!(
                                "{} is not available in any enabled repo",
                                pool.pkg(i).nevra()
                            ),
                            "enable the repo it came from",
                        ));
                    }
                    requested.insert(i);
                    requested.extend(same.iter().copied());
                    req.jobs.push(Job::Erase(vec![i]));
                    req.jobs.push(Job::Install(same));
                }
            }
        }
    }
    for spec in goal.removals() {
        erase_job(&pool, spec, &mut req, &mut requested)?;
    }
    if matches!(goal, Goal::Update(s) if s.is_empty()) {
        let all: Vec<Sid> = pool.installed_ids().collect();
        requested.extend(all.iter().copied());
        req.jobs.push(Job::Update(all));
    }
    req.excluded.extend(configured_exclusions(&pool, opts));
    let outcome = solve::solve(&pool, &req);
    if let Some(dir) = &opts.debugsolver {
        write_debugdata(dir, &pool, &req, &outcome)?;
    }
    let sol = outcome.map_err(|u| unsolvable(goal, &pool, u, &req.excluded))?;
    let targets = sol
        .steps
        .iter()
        .filter_map(|st| match *st {
            Step::Install(s)
            | Step::Upgrade { to: s, .. }
            | Step::Downgrade { to: s, .. }
            | Step::Reinstall { to: s, .. } => Some(pool.pkg(s).clone()),
            Step::Erase { .. } => None,
        })
        .collect();
    Ok((to_plan(&pool, &sol.steps, &requested), targets))
}

/// The job that erases the installed packages `spec` names (never a protected one).
fn erase_job(
    pool: &Pool,
    spec: &str,
    req: &mut Request,
    requested: &mut HashSet<Sid>,
) -> Result<()> {
    let inst = select(pool, spec, |s| pool.installed(s));
    if inst.is_empty() {
        return Err(not_found(
            format!("`{spec}` is not installed"),
            "`xcpng-mod list --installed` shows what is",
        ));
    }
    if let Some(&p) = inst.iter().find(|s| req.protected.contains(s)) {
        return Err(Error::Failed {
            what: format!(
                "refusing to remove {}: it is protected",
                pool.pkg(p).nevra()
            ),
            hint: Some(protected_hint(pool.pkg(p))),
        });
    }
    requested.extend(inst.iter().copied());
    req.jobs.push(Job::Erase(inst));
    req.allow_uninstall = true;
    Ok(())
}

/// Among packages of the same name and version, the host's arch before i686.
fn prefer_arch(pool: &Pool, mut sids: Vec<Sid>) -> Vec<Sid> {
    let rank = |s: Sid| u8::from(!matches!(pool.pkg(s).arch.as_str(), "x86_64" | "noarch"));
    sids.sort_by_key(|&s| rank(s));
    let best = sids.first().map(|&s| rank(s)).unwrap_or(0);
    // yum installs the best arch only, unless the admin named the arch.
    sids.retain(|&s| rank(s) == best || pool.installed(s));
    sids
}

fn protected_hint(p: &Package) -> String {
    if p.name == "kernel" {
        "it is the running kernel: boot another kernel first".into()
    } else {
        format!(
            "{} is needed for updates and supported drivers on XCP-ng; xcpng-mod never removes it",
            p.name
        )
    }
}

fn unsolvable(
    goal: &Goal,
    pool: &Pool,
    mut u: solve::Unsolvable,
    excluded: &std::collections::HashMap<Sid, String>,
) -> Error {
    // Versions held back by configuration (priority, versionlock) that the problem is about:
    // of a package in the conflict, of a capability nobody provides, or of a name asked for.
    let involved: HashSet<&str> = u
        .packages
        .iter()
        .map(|&s| pool.name(s))
        .chain(u.missing.iter().filter_map(|m| m.split_whitespace().next()))
        .collect();
    let mut held: Vec<(String, &String)> = excluded
        .iter()
        .filter(|(&s, _)| {
            let n = pool.name(s);
            involved.contains(n) || goal.specs().iter().any(|g| g.starts_with(n))
        })
        .map(|(&s, why)| (pool.pkg(s).nevra(), why))
        .collect();
    held.sort();
    if !held.is_empty() {
        u.hints = vec![
            "versions are held back by configuration: change the repos' priority= or the versionlock.list entries"
                .into(),
        ];
    }
    for (nevra, why) in held.into_iter().take(5) {
        u.reasons.push(format!("{nevra} is held back: {why}"));
    }

    let mut what = format!(
        "cannot {} {}: no set of packages satisfies every requirement",
        goal.verb(),
        goal.specs().join(" ")
    );
    if goal.specs().is_empty() {
        what = format!(
            "cannot {}: no set of packages satisfies every requirement",
            goal.verb()
        );
    }
    for r in &u.reasons {
        what.push_str("\n  - ");
        what.push_str(r);
    }
    let mut hints = u.hints.clone();
    for &s in &u.packages {
        if pool.installed(s) && PROTECTED.contains(&pool.pkg(s).name.as_str()) {
            hints.push(format!(
                "{} is protected and stays installed",
                pool.pkg(s).name
            ));
        }
    }
    hints.dedup();
    Error::Unsolvable {
        what,
        reasons: u.reasons,
        hint: (!hints.is_empty()).then(|| hints.join("; ")),
    }
}

fn to_plan(pool: &Pool, steps: &[Step], requested: &HashSet<Sid>) -> Plan {
    let mut plan = Plan::default();
    let reason = |s: Sid| {
        if requested.contains(&s) {
            Reason::Requested
        } else {
            Reason::Dependency
        }
    };
    let size = |s: Sid| pool.pkg(s).size_package;
    for st in steps {
        match *st {
            Step::Install(s) => plan.install.push(PlanPackage {
                pkg: pool.pkg(s).to_ref(),
                reason: reason(s),
                size: size(s),
                obsoleted_by: None,
            }),
            Step::Erase { pkg, obsoleted_by } => plan.remove.push(PlanPackage {
                pkg: pool.pkg(pkg).to_ref(),
                reason: if requested.contains(&pkg) {
                    Reason::Requested
                } else if obsoleted_by.is_some() {
                    Reason::Obsoleted
                } else {
                    Reason::Dependent
                },
                size: 0,
                obsoleted_by: obsoleted_by.map(|o| pool.pkg(o).to_ref()),
            }),
            Step::Upgrade { from, to }
            | Step::Downgrade { from, to }
            | Step::Reinstall { from, to } => {
                let c = PlanChange {
                    from: pool.pkg(from).to_ref(),
                    to: pool.pkg(to).to_ref(),
                    reason: if requested.contains(&from) || requested.contains(&to) {
                        Reason::Requested
                    } else {
                        Reason::Dependency
                    },
                    size: size(to),
                };
                match st {
                    Step::Upgrade { .. } => plan.upgrade.push(c),
                    Step::Downgrade { .. } => plan.downgrade.push(c),
                    _ => plan.reinstall.push(c),
                }
            }
        }
    }
    let key = |p: &PackageRef| (p.name.clone(), p.arch.clone());
    plan.install.sort_by_key(|p| key(&p.pkg));
    plan.remove.sort_by_key(|p| key(&p.pkg));
    plan.upgrade.sort_by_key(|c| key(&c.to));
    plan.downgrade.sort_by_key(|c| key(&c.to));
    plan.reinstall.sort_by_key(|c| key(&c.to));
    plan
}

#[cfg(test)]
mod tests {
    #[test]
    fn lock_entries_name_their_package() {
        for (entry, name) in [
            ("0:kernel-4.19.19-7.0.9.1.xcpng8.2.*", Some("kernel")),
            (
                "broadcom-bnxt-en-1.10.0-1.xcpng8.3.x86_64",
                Some("broadcom-bnxt-en"),
            ),
            ("1:perl-Time-HiRes-1.9725-3.el7.*", Some("perl-Time-HiRes")),
            ("nodashes", None),
        ] {
            assert_eq!(super::lock_name(entry), name, "{entry}");
        }
    }
}
