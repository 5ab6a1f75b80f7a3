//! The solver: RPM dependency semantics on resolvo, and goals turned into transactions.
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
//! - the solution is compared with the installed set to give the transaction.

pub mod explain;
pub mod pool;
pub mod provider;
pub mod testcase;

#[cfg(test)]
mod tests;

pub use pool::{Pool, PoolOptions, Sid};

use provider::{Policy, Pred, RpmProvider};
use resolvo::{ConditionalRequirement, Problem, Solver, UnsolvableOrCancelled, VersionSetId};
use std::collections::{BTreeMap, HashSet};

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

fn groups_of(pool: &Pool, sids: &[Sid]) -> BTreeMap<u32, Vec<Sid>> {
    let mut m: BTreeMap<u32, Vec<Sid>> = BTreeMap::new();
    for &s in sids {
        m.entry(pool.group(s)).or_default().push(s);
    }
    m
}

pub(crate) fn build(pool: &Pool, req: &Request) -> (Policy, Vec<Job>) {
    let mut policy = Policy {
        installed_only: req.installed_only,
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
            Job::Favor(s) => policy.favor.extend(s.iter().map(|&s| (s, score))),
            Job::Disfavor(s) => policy.favor.extend(s.iter().map(|&s| (s, -score))),
            _ => {}
        }
    }
    (policy, req.jobs.clone())
}

pub(crate) fn root(p: &RpmProvider<'_>, req: &Request) -> Root {
    let pool = p.pool;
    let mut r = Root {
        requirements: Vec::new(),
        constraints: Vec::new(),
        soft: Vec::new(),
        origin: Vec::new(),
    };
    let mut erased: HashSet<Sid> = HashSet::new();
    let mut replaced: HashSet<Sid> = HashSet::new();
    let mut locked: HashSet<Sid> = HashSet::new();
    let dup = req.jobs.contains(&Job::DistUpgrade);
    for j in &req.jobs {
        match j {
            Job::Install(sids) => {
                let by_group = groups_of(pool, sids);
                let mut vs = Vec::new();
                let mut order: Vec<(u32, Vec<Sid>)> = by_group.into_iter().collect();
                // Installed first (nothing to do), then the newest package.
                order.sort_by(|a, b| {
                    let ia = a.1.iter().any(|&s| pool.installed(s));
                    let ib = b.1.iter().any(|&s| pool.installed(s));
                    ib.cmp(&ia).then_with(|| {
                        let na =
                            a.1.iter()
                                .max_by(|&&x, &&y| pool.pkg(x).evr_cmp(pool.pkg(y)))
                                .unwrap();
                        let nb =
                            b.1.iter()
                                .max_by(|&&x, &&y| pool.pkg(x).evr_cmp(pool.pkg(y)))
                                .unwrap();
                        pool.pkg(*nb).evr_cmp(pool.pkg(*na))
                    })
                });
                for (g, members) in order {
                    // Asking for a version of an installed, not install-only name replaces it.
                    if !members.iter().any(|&s| pool.installed(s))
                        && !pool.groups[g as usize].installonly
                    {
                        replaced.extend(
                            pool.groups[g as usize]
                                .members
                                .iter()
                                .filter(|&&s| pool.installed(s)),
                        );
                    }
                    let set = p.set(members);
                    vs.push(p.vset(g, Pred::In(set)));
                }
                if vs.is_empty() {
                    let d = p.dep(&crate::rpm::Dependency::unversioned("(nothing matches)"));
                    vs.push(p.vset(pool::NOTHING_GROUP, Pred::Provides(d)));
                }
                let what = describe_sids(pool, sids);
                for v in &vs {
                    r.origin.push((*v, format!("install {what}")));
                }
                r.requirements.push(p.requirement(vs).into());
            }
            Job::Erase(sids) => {
                erased.extend(sids.iter().copied());
                for (g, members) in groups_of(pool, sids) {
                    let set = p.set(members);
                    let v = p.vset(g, Pred::NotIn(set));
                    r.origin
                        .push((v, format!("remove {}", describe_sids(pool, sids))));
                    r.constraints.push(v);
                }
            }
            Job::Lock(sids) => {
                for (g, members) in groups_of(pool, sids) {
                    let inst: Vec<Sid> = members
                        .iter()
                        .copied()
                        .filter(|&s| pool.installed(s))
                        .collect();
                    locked.extend(inst.iter().copied());
                    let new: Vec<Sid> = members
                        .iter()
                        .copied()
                        .filter(|&s| !pool.installed(s))
                        .collect();
                    if !new.is_empty() {
                        let set = p.set(new);
                        let v = p.vset(g, Pred::NotIn(set));
                        r.origin
                            .push((v, format!("lock on {}", pool.groups[g as usize].name)));
                        r.constraints.push(v);
                    }
                    if !inst.is_empty() && !pool.groups[g as usize].installonly {
                        let set = p.set(inst.clone());
                        let v = p.vset(g, Pred::In(set));
                        r.origin
                            .push((v, format!("lock on {}", pool.groups[g as usize].name)));
                        r.constraints.push(v);
                    }
                }
            }
            Job::Update(sids) => {
                // Install-only names (the kernel) update by installing the newest alongside.
                for (g, members) in groups_of(pool, sids) {
                    if !pool.groups[g as usize].installonly {
                        continue;
                    }
                    let newest = *members
                        .iter()
                        .max_by(|&&a, &&b| pool.pkg(a).evr_cmp(pool.pkg(b)))
                        .unwrap();
                    let has_newer = pool.groups[g as usize].members.iter().any(|&s| {
                        !pool.installed(s) && pool.pkg(s).evr_cmp(pool.pkg(newest)).is_gt()
                    });
                    if has_newer {
                        let v = p.vset(g, Pred::Newer(newest));
                        r.origin
                            .push((v, format!("update {}", pool.groups[g as usize].name)));
                        r.requirements.push(v.into());
                    }
                }
            }
            Job::DistUpgrade | Job::Favor(_) | Job::Disfavor(_) => {}
        }
    }
    let mut installed: Vec<Sid> = pool.installed_ids().collect();
    installed.sort_by(|&a, &b| pool.pkg(a).name.cmp(&pool.pkg(b).name));
    for s in installed {
        if erased.contains(&s) && !req.protected.contains(&s) {
            continue;
        }
        if replaced.contains(&s) && !locked.contains(&s) {
            continue;
        }
        let g = pool.group(s);
        let keep = p.vset(g, Pred::In(p.set(vec![s])));
        let soft = req.allow_uninstall && !req.protected.contains(&s) && !locked.contains(&s);
        if soft {
            r.soft.push(s);
            continue;
        }
        let mut vs = Vec::new();
        if pool.groups[g as usize].installonly || locked.contains(&s) || req.installed_only {
            vs.push(keep);
        } else {
            let mut alts = Vec::new();
            if dup {
                let avail: Vec<Sid> = pool.groups[g as usize]
                    .members
                    .iter()
                    .copied()
                    .filter(|&m| !pool.installed(m))
                    .collect();
                if !avail.is_empty() {
                    alts.push(p.vset(g, Pred::In(p.set(avail))));
                }
            } else {
                alts.push(p.vset(g, Pred::Newer(s)));
            }
            // A protected package may be updated, never replaced by another name.
            if !req.protected.contains(&s) {
                for (og, _) in groups_of(pool, &pool.obsoleters_of(s)) {
                    alts.push(p.vset(og, Pred::Obsoletes(s)));
                }
            }
            if p.policy.update_groups.contains(&g) {
                vs.extend(alts);
                vs.push(keep);
            } else {
                vs.push(keep);
                vs.extend(alts);
            }
        }
        let why = if req.protected.contains(&s) {
            format!("{} is protected", pool.pkg(s).nevra())
        } else {
            format!("{} is installed", pool.pkg(s).nevra())
        };
        for v in &vs {
            r.origin.push((*v, why.clone()));
        }
        r.requirements.push(p.requirement(vs).into());
    }
    r
}

fn describe_sids(pool: &Pool, sids: &[Sid]) -> String {
    let mut names: Vec<String> = sids.iter().map(|&s| pool.pkg(s).name.clone()).collect();
    names.sort();
    names.dedup();
    names.join(", ")
}

/// Solve a request on a pool.
pub fn solve(pool: &Pool, req: &Request) -> Result<Solution, Unsolvable> {
    let (policy, _) = build(pool, req);
    let provider = RpmProvider::new(pool, policy);
    let r = root(&provider, req);
    let origin = r.origin.clone();
    let mut solver = Solver::new(provider);
    let problem = Problem::new()
        .requirements(r.requirements)
        .constraints(r.constraints)
        .soft_requirements(r.soft.into_iter().map(resolvo::SolvableId::from_raw));
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
        let obs = chosen
            .iter()
            .copied()
            .find(|&q| q != p && pool.pkg(q).obsoletes.iter().any(|d| pool.named(p, d)))
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
