//! The solver: RPM dependency semantics on resolvo; goals and plans (the data; the planner
//! that fills them from the host is `ops::solve`).
//!
//! It owns the resolvo `DependencyProvider` for RPM (provides/requires/conflicts/obsoletes with
//! rpm's range rules, file requires, `name.arch` identities, install-only packages, installed
//! packages favoured, protected packages), the requests a command makes (install, erase,
//! update, lock, favor…), the transaction a solution implies, explanations in an admin's words
//! when there is none, and libsolv's testcase format for conformance. It never does I/O: it
//! takes packages and returns data.
//!
//! How a request becomes a resolvo problem:
//! - every installed package that is not being removed adds a hard "keep" requirement:
//!   the package itself, a newer version of it, or a package obsoleting it (libsolv's update
//!   rule). Being updated flips the order to newest first. With `allow_uninstall` the keep
//!   becomes a soft requirement (kept when possible), except for protected packages;
//! - install jobs are root requirements over the chosen packages; erase jobs and locks are
//!   root constraints;
//! - targeted updates and distupgrades replace the keep of the packages they concern (the
//!   targets, or the repos' versions; orphans are kept when they fit);
//! - the solution is compared with the installed set to give the transaction;
//! - then libsolv's policies resolvo has no notion of are applied by solving again: choice
//!   rules (update an installed provider rather than install another one) and weak
//!   dependencies (soft requirements), see `solve`.

pub mod explain;
pub mod plan;
pub mod pool;
pub mod provider;
mod root;
pub mod testcase;

#[cfg(test)]
mod tests;

pub use plan::{Goal, Plan, PlanChange, PlanPackage, Reason};
pub use pool::{Pool, PoolOptions, Sid};

use provider::{Policy, RpmProvider};
use resolvo::{ConditionalRequirement, Problem, Solver, UnsolvableOrCancelled, VersionSetId};
pub(crate) use root::root;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One thing asked of the solver, with packages already selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// One of these packages must end up installed (installed ones satisfy it as they are).
    Install(Vec<Sid>),
    /// None of these packages may stay or become installed.
    Erase(Vec<Sid>),
    /// Update these installed packages to the best available version.
    Update(Vec<Sid>),
    /// Follow the repos: every installed package goes to the best version the repos have,
    /// older or newer.
    DistUpgrade,
    /// Follow one repo: installed packages whose name that repo has go to its best version.
    DistUpgradeRepo(String),
    /// Follow the repos for these installed packages only.
    DistUpgradeOf(Vec<Sid>),
    /// Targeted update: the installed packages these packages would replace (same name and
    /// older, or obsoleted by them) move to them when possible (`force`: they must).
    UpdateTo {
        targets: Vec<Sid>,
        force: bool,
    },
    /// These packages stay exactly as they are: installed ones kept, others never installed.
    Lock(Vec<Sid>),
    /// Prefer / avoid these packages when there is a choice.
    Favor(Vec<Sid>),
    Disfavor(Vec<Sid>),
}

/// What is asked, and how free the solver is.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub jobs: Vec<Job>,
    /// Installed packages may be removed when they are in the way (their keep is soft).
    pub allow_uninstall: bool,
    /// Never install anything new (for `remove`).
    pub installed_only: bool,
    /// Installed packages that must never be removed.
    pub protected: HashSet<Sid>,
    /// In a distupgrade, installed packages the repos no longer have (orphans) must stay
    /// (libsolv's `keeporphans`); otherwise they go when they are in the way.
    pub keep_orphans: bool,
    /// Obsoletes of install-only packages are not applied (rpm -i ignores them; libsolv's
    /// default without `keepexplicitobsoletes`).
    pub ignore_installonly_obsoletes: bool,
    /// Installed packages that cannot change (libsolv's `disable pkg` on the installed repo).
    pub frozen: HashSet<Sid>,
    /// Weak dependencies by package (empty: none are honoured, as yum 3 does). Recommends and
    /// Supplements pull packages in when they fit; Suggests and Enhances only choose between
    /// providers.
    pub weak: HashMap<Sid, WeakDeps>,
    /// Updating a package also installs every package that obsoletes it (yum 3's way;
    /// libsolv's `yumobsoletes`).
    pub yum_obsoletes: bool,
    /// Installed packages that may be removed when in the way (like `allow_uninstall`, for
    /// these only).
    pub uninstallable: HashSet<Sid>,
    /// Packages never pulled in by weak dependencies.
    pub not_weak: HashSet<Sid>,
    /// Packages that may not be chosen, with the reason (e.g. a higher-priority repo has the
    /// name: yum's priorities plugin, libsolv's `strictrepopriority`).
    pub excluded: HashMap<Sid, String>,
}

/// A package's weak dependencies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeakDeps {
    pub recommends: Vec<crate::rpm::Dependency>,
    pub supplements: Vec<crate::rpm::Dependency>,
    pub suggests: Vec<crate::rpm::Dependency>,
    pub enhances: Vec<crate::rpm::Dependency>,
}

/// One change of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Install(Sid),
    Erase { pkg: Sid, obsoleted_by: Option<Sid> },
    Upgrade { from: Sid, to: Sid },
    Downgrade { from: Sid, to: Sid },
    Reinstall { from: Sid, to: Sid },
}

/// The result of a successful solve.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Every package installed after the transaction.
    pub chosen: Vec<Sid>,
    pub steps: Vec<Step>,
}

/// Why there is no solution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsolvable {
    /// Sentences: what was asked, who requires what, what conflicts.
    pub reasons: Vec<String>,
    /// What the admin could do.
    pub hints: Vec<String>,
    /// Capabilities nobody provides (so callers can look for them in disabled repos).
    pub missing: Vec<String>,
    /// Packages in the conflict (installed ones the admin could remove).
    pub packages: Vec<Sid>,
}

/// Root requirements and constraints, with what each one means (for explanations).
pub(crate) struct Root {
    pub requirements: Vec<ConditionalRequirement>,
    pub constraints: Vec<VersionSetId>,
    pub soft: Vec<Sid>,
    /// Root version sets and what asked for them.
    pub origin: Vec<(VersionSetId, String)>,
}

pub(crate) fn groups_of(pool: &Pool, sids: &[Sid]) -> BTreeMap<u32, Vec<Sid>> {
    let mut m: BTreeMap<u32, Vec<Sid>> = BTreeMap::new();
    for &s in sids {
        m.entry(pool.group(s)).or_default().push(s);
    }
    m
}

pub(crate) fn build(pool: &Pool, req: &Request) -> (Policy, Vec<Job>) {
    let mut policy = Policy {
        installed_only: req.installed_only,
        ignore_installonly_obsoletes: req.ignore_installonly_obsoletes,
        ..Default::default()
    };
    for (i, j) in req.jobs.iter().enumerate() {
        let score = i as i32 + 1;
        match j {
            Job::Update(sids) => policy
                .update_groups
                .extend(sids.iter().map(|&s| pool.group(s))),
            Job::DistUpgrade => policy
                .update_groups
                .extend(pool.installed_ids().map(|s| pool.group(s))),
            Job::DistUpgradeRepo(_) => policy
                .update_groups
                .extend(pool.installed_ids().map(|s| pool.group(s))),
            Job::DistUpgradeOf(sids) => policy
                .update_groups
                .extend(sids.iter().map(|&s| pool.group(s))),
            Job::Favor(s) => policy.favor.extend(s.iter().map(|&s| (s, score))),
            Job::Disfavor(s) => policy.favor.extend(s.iter().map(|&s| (s, -score))),
            _ => {}
        }
    }
    (policy, req.jobs.clone())
}

pub(crate) fn describe_sids(pool: &Pool, sids: &[Sid]) -> String {
    let mut names: Vec<String> = sids.iter().map(|&s| pool.pkg(s).name.clone()).collect();
    names.sort();
    names.dedup();
    names.join(", ")
}

/// Preferences found after a first solve (libsolv's choice rules, emulated).
#[derive(Debug, Clone, Default)]
struct Extra {
    excluded: HashMap<Sid, String>,
    favor: HashMap<Sid, i32>,
    must_change: HashSet<Sid>,
    /// Packages installed when they fit (recommended or supplementing), in order.
    soft: Vec<Sid>,
}

/// Solve a request on a pool.
///
/// libsolv's choice rules: when a requirement can be met by updating an installed package (or
/// by keeping one) as well as by installing a new one, it updates. resolvo decides the
/// installed packages first, so a new provider can win; after a solution is found, new
/// providers that such an installed alternative could replace are excluded and the problem is
/// solved again, keeping the new answer when it exists and removes no more packages.
pub fn solve(pool: &Pool, req: &Request) -> Result<Solution, Unsolvable> {
    let mut extra = Extra::default();
    let mut sol = solve_with(pool, req, &extra)?;
    // The answer kept: the first, until a later one honours every choice. An attempt that
    // only moves a choice elsewhere (a new package now stands where an installed one could)
    // goes on from there; one that fails or removes more falls back to the answer kept, as
    // libsolv disables a choice rule that conflicts with the others.
    let (mut cur, mut cur_extra) = (sol.clone(), extra.clone());
    for _ in 0..4 {
        let (out, favor) = choice_candidates(pool, req, &cur, &cur_extra);
        if out.is_empty() {
            sol = cur;
            extra = cur_extra;
            break;
        }
        let mut next = cur_extra.clone();
        for n in out {
            next.excluded
                .insert(n, "an installed package can be updated instead".into());
        }
        for f in favor {
            next.favor.entry(f).or_insert(1);
        }
        // A choice never blocks an update the first answer made.
        for st in &cur.steps {
            match *st {
                Step::Upgrade { from, .. } | Step::Downgrade { from, .. } => {
                    next.must_change.insert(from);
                }
                Step::Erase {
                    pkg,
                    obsoleted_by: Some(_),
                } => {
                    next.must_change.insert(pkg);
                }
                _ => {}
            }
        }
        // Removals, not counting packages replaced by what obsoletes them.
        let erasures = |s: &Solution| {
            s.steps
                .iter()
                .filter(|st| {
                    matches!(
                        st,
                        Step::Erase {
                            obsoleted_by: None,
                            ..
                        }
                    )
                })
                .count()
        };
        match solve_with(pool, req, &next) {
            Ok(better) if erasures(&better) <= erasures(&sol) => {
                cur = better;
                cur_extra = next;
            }
            _ => break,
        }
    }
    if !req.weak.is_empty() {
        for _ in 0..8 {
            let (soft, favor) = weak_candidates(pool, req, &sol, &extra);
            if soft.is_empty() && favor.is_empty() {
                break;
            }
            let mut next = extra.clone();
            next.soft.extend(soft);
            for f in favor {
                next.favor.insert(f, 1);
            }
            match solve_with(pool, req, &next) {
                Ok(better) => {
                    sol = better;
                    extra = next;
                }
                Err(_) => break,
            }
        }
    }
    Ok(sol)
}

/// What weak dependencies of the packages a solution installs ask for: packages to add when
/// they fit (Recommends of new packages, packages Supplementing new ones) and providers to
/// prefer (Suggested by, or Enhancing, new packages). As libsolv does, the weak dependencies
/// of packages that stay installed are not followed.
fn weak_candidates(
    pool: &Pool,
    req: &Request,
    sol: &Solution,
    extra: &Extra,
) -> (Vec<Sid>, Vec<Sid>) {
    let chosen: HashSet<Sid> = sol.chosen.iter().copied().collect();
    let new: Vec<Sid> = sol
        .chosen
        .iter()
        .copied()
        .filter(|&s| !pool.installed(s))
        .collect();
    let mut favor_job: HashMap<Sid, i32> = HashMap::new();
    for (i, j) in req.jobs.iter().enumerate() {
        match j {
            Job::Favor(s) => favor_job.extend(s.iter().map(|&s| (s, i as i32 + 1))),
            Job::Disfavor(s) => favor_job.extend(s.iter().map(|&s| (s, -(i as i32 + 1)))),
            _ => {}
        }
    }
    let tried: HashSet<Sid> = extra.soft.iter().copied().collect();
    let usable = |s: Sid| {
        !extra.excluded.contains_key(&s)
            && !req.not_weak.contains(&s)
            && favor_job.get(&s).copied().unwrap_or(0) >= 0
            && (!req.installed_only || pool.installed(s))
    };
    let mut soft = Vec::new();
    let mut favor = Vec::new();
    for &n in &new {
        let Some(w) = req.weak.get(&n) else { continue };
        for d in &w.recommends {
            let provs = pool.what_provides(d);
            if provs.iter().any(|p| chosen.contains(p)) {
                continue;
            }
            let mut c: Vec<Sid> = provs.iter().copied().filter(|&p| usable(p)).collect();
            if c.iter().any(|p| tried.contains(p)) {
                continue;
            }
            c.sort_by(|&a, &b| {
                let fa = favor_job.get(&a).copied().unwrap_or(0);
                let fb = favor_job.get(&b).copied().unwrap_or(0);
                fb.cmp(&fa)
                    .then_with(|| pool.pkg(a).name.cmp(&pool.pkg(b).name))
                    .then_with(|| pool.pkg(b).evr_cmp(pool.pkg(a)))
            });
            if let Some(&best) = c.first() {
                if !soft.contains(&best) {
                    soft.push(best);
                }
            }
        }
        for d in &w.suggests {
            for &p in pool.what_provides(d).iter() {
                if !chosen.contains(&p) && !extra.favor.contains_key(&p) && usable(p) {
                    favor.push(p);
                }
            }
        }
    }
    let mut sup: Vec<Sid> = Vec::new();
    for (&s, w) in &req.weak {
        if chosen.contains(&s) || tried.contains(&s) || !usable(s) {
            continue;
        }
        let hits = |deps: &[crate::rpm::Dependency]| {
            deps.iter()
                .any(|d| pool.what_provides(d).iter().any(|p| new.contains(p)))
        };
        if hits(&w.supplements) {
            sup.push(s);
        }
        if hits(&w.enhances) && !extra.favor.contains_key(&s) {
            favor.push(s);
        }
    }
    sup.sort_by(|&a, &b| {
        let fa = favor_job.get(&a).copied().unwrap_or(0);
        let fb = favor_job.get(&b).copied().unwrap_or(0);
        fb.cmp(&fa).then_with(|| a.cmp(&b))
    });
    soft.extend(sup);
    (soft, favor)
}

/// New packages a solution installs only to provide something an installed package (or an
/// update of one) could provide, with those alternatives.
fn choice_candidates(
    pool: &Pool,
    req: &Request,
    sol: &Solution,
    extra: &Extra,
) -> (Vec<Sid>, Vec<Sid>) {
    if pool.installed_ids().next().is_none() || req.installed_only {
        return (Vec::new(), Vec::new());
    }
    let chosen: HashSet<Sid> = sol.chosen.iter().copied().collect();
    let mut requested: HashSet<Sid> = HashSet::new();
    for j in &req.jobs {
        match j {
            Job::Install(s) | Job::Favor(s) => requested.extend(s.iter().copied()),
            Job::UpdateTo { targets, .. } => requested.extend(targets.iter().copied()),
            _ => {}
        }
    }
    // The installed package a candidate would update or replace (libsolv's
    // choicerule_find_installed): one of its identity (name, and arch with multilib, as
    // libsolv's colors), or one it obsoletes.
    let installed: Vec<Sid> = pool.installed_ids().collect();
    let mut first_of_group: HashMap<u32, usize> = HashMap::new();
    for (k, &i) in installed.iter().enumerate() {
        first_of_group.entry(pool.group(i)).or_insert(k);
    }
    let related = |n: Sid| -> Option<usize> {
        let p = pool.pkg(n);
        first_of_group.get(&pool.group(n)).copied().or_else(|| {
            installed
                .iter()
                .position(|&i| p.obsoletes.iter().any(|d| pool.named(i, d)))
        })
    };
    let is_new = |n: Sid| !pool.installed(n) && related(n).is_none();
    let mut out: Vec<Sid> = Vec::new();
    let mut favor: Vec<Sid> = Vec::new();
    for &r in &sol.chosen {
        for d in &pool.pkg(r).requires {
            if d.name.starts_with("rpmlib(") || pool.provides(r, d) {
                continue;
            }
            let provs = pool.what_provides(d);
            let mut new = Vec::new();
            let mut old_chosen = false;
            for &n in provs.iter() {
                if !chosen.contains(&n) {
                    continue;
                }
                if is_new(n) && !requested.contains(&n) && !extra.excluded.contains_key(&n) {
                    new.push(n);
                } else {
                    old_chosen = true;
                }
            }
            if new.is_empty() || old_chosen {
                continue;
            }
            let alts: Vec<Sid> = provs
                .iter()
                .copied()
                .filter(|&p| related(p).is_some() && !req.frozen.contains(&p))
                .collect();
            if alts.is_empty() {
                continue;
            }
            for n in new {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            // libsolv keeps installed packages in their order before it meets the choice,
            // so the alternative left is the update of the last of them.
            let last = alts
                .into_iter()
                .filter(|&a| !pool.installed(a))
                .max_by_key(|&a| related(a));
            favor.extend(last);
        }
    }
    (out, favor)
}

fn solve_with(pool: &Pool, req: &Request, extra: &Extra) -> Result<Solution, Unsolvable> {
    let (mut policy, _) = build(pool, req);
    policy.excluded.extend(req.excluded.clone());
    policy.excluded.extend(extra.excluded.clone());
    for (&s, &f) in &extra.favor {
        policy.favor.entry(s).or_insert(f);
    }
    policy.must_change.extend(extra.must_change.iter().copied());
    let weak_soft = extra.soft.clone();
    let provider = RpmProvider::new(pool, policy);
    let r = root(&provider, req);
    let origin = r.origin.clone();
    let mut solver = Solver::new(provider);
    let problem = Problem::new()
        .requirements(r.requirements)
        .constraints(r.constraints)
        .soft_requirements(
            r.soft
                .into_iter()
                .chain(weak_soft)
                .map(resolvo::SolvableId::from_raw),
        );
    match solver.solve(problem) {
        Ok(chosen) => {
            let mut chosen: Vec<Sid> = chosen.into_iter().map(|s| s.into_raw()).collect();
            chosen.sort_unstable();
            let steps = transaction(pool, &chosen);
            Ok(Solution { chosen, steps })
        }
        Err(UnsolvableOrCancelled::Unsolvable(conflict)) => {
            Err(explain::explain(&solver, &conflict, &origin))
        }
        Err(UnsolvableOrCancelled::Cancelled(_)) => Err(Unsolvable {
            reasons: vec!["the solver was cancelled".into()],
            hints: Vec::new(),
            missing: Vec::new(),
            packages: Vec::new(),
        }),
    }
}

/// The steps that take the installed set to `chosen`.
pub fn transaction(pool: &Pool, chosen: &[Sid]) -> Vec<Step> {
    let chosen_set: HashSet<Sid> = chosen.iter().copied().collect();
    let mut new: Vec<Sid> = chosen
        .iter()
        .copied()
        .filter(|&s| !pool.installed(s))
        .collect();
    new.sort_unstable();
    let gone: Vec<Sid> = pool
        .installed_ids()
        .filter(|s| !chosen_set.contains(s))
        .collect();
    let mut used: HashSet<Sid> = HashSet::new();
    let mut steps = Vec::new();
    for &p in &gone {
        let g = pool.group(p);
        let same = (!pool.groups[g as usize].installonly)
            .then(|| {
                new.iter()
                    .copied()
                    .find(|&q| pool.group(q) == g && !used.contains(&q))
            })
            .flatten();
        if let Some(q) = same {
            used.insert(q);
            steps.push(match pool.pkg(q).evr_cmp(pool.pkg(p)) {
                std::cmp::Ordering::Greater => Step::Upgrade { from: p, to: q },
                std::cmp::Ordering::Less => Step::Downgrade { from: p, to: q },
                std::cmp::Ordering::Equal => Step::Reinstall { from: p, to: q },
            });
            continue;
        }
        // Of several packages replacing it, the first in name order (as libsolv reports it).
        let obs = chosen
            .iter()
            .copied()
            .filter(|&q| q != p && pool.pkg(q).obsoletes.iter().any(|d| pool.named(p, d)))
            .min_by(|&a, &b| pool.pkg(a).name.cmp(&pool.pkg(b).name))
            .filter(|&q| !pool.groups[pool.group(q) as usize].installonly);
        steps.push(Step::Erase {
            pkg: p,
            obsoleted_by: obs,
        });
    }
    for q in new {
        if !used.contains(&q) {
            steps.push(Step::Install(q));
        }
    }
    steps
}
