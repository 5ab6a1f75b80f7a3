//! The root of the solver problem: what the jobs ask (install, erase, lock, update), what
//! each installed package may become (kept, updated, replaced by an obsoleter, followed to
//! the repos in a distupgrade, or let go), and the soft wishes (libsolv's weak jobs). One
//! function per job kind and per fate of an installed package, in libsolv's order.

use super::provider::{Pred, RpmProvider};
use super::{describe_sids, groups_of, pool, Job, Pool, Request, Root, Sid};
use resolvo::VersionSetId;
use std::collections::{HashMap, HashSet};

/// Installed packages the jobs single out.
#[derive(Default)]
struct Marks {
    erased: HashSet<Sid>,
    /// Installed versions of a name the admin asked another version of.
    replaced: HashSet<Sid>,
    locked: HashSet<Sid>,
}

/// Soft wishes collected while going over the installed packages.
#[derive(Default)]
struct Soft {
    dup: Vec<Sid>,
    orphans: Vec<Sid>,
    /// Install-only groups whose distupgrade target is already decided.
    installonly_done: HashSet<u32>,
}

/// Which installed packages follow the repos in a distupgrade, and from which repos.
struct Dup<'r> {
    all: bool,
    repos: Vec<&'r str>,
    of: HashSet<Sid>,
}

impl<'r> Dup<'r> {
    fn new(req: &'r Request) -> Dup<'r> {
        let mut of = HashSet::new();
        let mut repos = Vec::new();
        for j in &req.jobs {
            match j {
                Job::DistUpgradeOf(s) => of.extend(s.iter().copied()),
                Job::DistUpgradeRepo(r) => repos.push(r.as_str()),
                _ => {}
            }
        }
        Dup {
            all: req.jobs.contains(&Job::DistUpgrade),
            repos,
            of,
        }
    }
    fn any(&self) -> bool {
        self.all || !self.repos.is_empty() || !self.of.is_empty()
    }
    /// A candidate the distupgrade may take.
    fn takes(&self, pool: &Pool, m: Sid) -> bool {
        self.all || !self.of.is_empty() || self.repos.contains(&pool.pkg(m).repo.as_str())
    }
    /// An installed package the distupgrade moves.
    fn moves(&self, pool: &Pool, s: Sid) -> bool {
        self.any()
            && (self.all
                || self.of.contains(&s)
                || (!self.repos.is_empty()
                    && pool.groups_named(&pool.pkg(s).name).iter().any(|&og| {
                        pool.groups[og as usize]
                            .members
                            .iter()
                            .any(|&m| self.takes(pool, m))
                    })))
    }
}

/// Build the root of the problem.
pub(crate) fn root(p: &RpmProvider<'_>, req: &Request) -> Root {
    let mut r = Root {
        requirements: Vec::new(),
        constraints: Vec::new(),
        soft: Vec::new(),
        origin: Vec::new(),
    };
    let mut marks = Marks::default();
    for j in &req.jobs {
        match j {
            Job::Install(sids) => install_job(p, sids, &mut r, &mut marks),
            Job::Erase(sids) => erase_job(p, sids, &mut r, &mut marks),
            Job::Lock(sids) => lock_job(p, sids, &mut r, &mut marks),
            Job::Update(sids) => update_job(p, sids, &mut r),
            Job::DistUpgrade
            | Job::DistUpgradeRepo(_)
            | Job::DistUpgradeOf(_)
            | Job::UpdateTo { .. }
            | Job::Favor(_)
            | Job::Disfavor(_) => {}
        }
    }
    let targeted = targeted_updates(p, req, &mut r);
    marks.locked.extend(req.frozen.iter().copied());
    let dup = Dup::new(req);
    let mut soft = Soft::default();
    let pool = p.pool;
    let mut installed: Vec<Sid> = pool.installed_ids().collect();
    installed.sort_by(|&a, &b| pool.pkg(a).name.cmp(&pool.pkg(b).name));
    for s in installed {
        installed_fate(p, req, s, &marks, &targeted, &dup, &mut soft, &mut r);
    }
    if req.yum_obsoletes {
        yum_obsoletes(p, req, &mut r);
    }
    r.soft.extend(soft.dup);
    r.soft.extend(soft.orphans);
    r
}

/// `install`: one of the named packages, the installed version first, then the newest.
fn install_job(p: &RpmProvider<'_>, sids: &[Sid], r: &mut Root, marks: &mut Marks) {
    let pool = p.pool;
    let mut vs = Vec::new();
    let mut order: Vec<(u32, Vec<Sid>)> = groups_of(pool, sids).into_iter().collect();
    let newest = |m: &[Sid]| {
        *m.iter()
            .max_by(|&&x, &&y| pool.pkg(x).evr_cmp(pool.pkg(y)))
            .expect("a group has members")
    };
    // Installed first (nothing to do), then the newest package.
    order.sort_by(|a, b| {
        let ia = a.1.iter().any(|&s| pool.installed(s));
        let ib = b.1.iter().any(|&s| pool.installed(s));
        ib.cmp(&ia)
            .then_with(|| pool.pkg(newest(&b.1)).evr_cmp(pool.pkg(newest(&a.1))))
    });
    for (g, members) in order {
        // Asking for a version of an installed, not install-only name replaces it.
        if !members.iter().any(|&s| pool.installed(s)) && !pool.groups[g as usize].installonly {
            marks.replaced.extend(
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

/// `erase`: none of the named packages.
fn erase_job(p: &RpmProvider<'_>, sids: &[Sid], r: &mut Root, marks: &mut Marks) {
    let pool = p.pool;
    marks.erased.extend(sids.iter().copied());
    for (g, members) in groups_of(pool, sids) {
        let set = p.set(members);
        let v = p.vset(g, Pred::NotIn(set));
        r.origin
            .push((v, format!("remove {}", describe_sids(pool, sids))));
        r.constraints.push(v);
    }
}

/// `lock`: installed ones stay, others never come in.
fn lock_job(p: &RpmProvider<'_>, sids: &[Sid], r: &mut Root, marks: &mut Marks) {
    let pool = p.pool;
    for (g, members) in groups_of(pool, sids) {
        let (inst, new): (Vec<Sid>, Vec<Sid>) = members.iter().partition(|&&s| pool.installed(s));
        marks.locked.extend(inst.iter().copied());
        if !new.is_empty() {
            let v = p.vset(g, Pred::NotIn(p.set(new)));
            r.origin
                .push((v, format!("lock on {}", pool.group_name(g))));
            r.constraints.push(v);
        }
        if !inst.is_empty() && !pool.groups[g as usize].installonly {
            let v = p.vset(g, Pred::In(p.set(inst)));
            r.origin
                .push((v, format!("lock on {}", pool.group_name(g))));
            r.constraints.push(v);
        }
    }
}

/// `update` of install-only names (the kernel): the newest goes in beside the old.
fn update_job(p: &RpmProvider<'_>, sids: &[Sid], r: &mut Root) {
    let pool = p.pool;
    for (g, members) in groups_of(pool, sids) {
        if !pool.groups[g as usize].installonly {
            continue;
        }
        let newest = *members
            .iter()
            .max_by(|&&a, &&b| pool.pkg(a).evr_cmp(pool.pkg(b)))
            .expect("a group has members");
        let has_newer = pool.groups[g as usize]
            .members
            .iter()
            .any(|&s| !pool.installed(s) && pool.pkg(s).evr_cmp(pool.pkg(newest)).is_gt());
        if has_newer {
            let v = p.vset(g, Pred::Newer(newest));
            r.origin.push((v, format!("update {}", pool.group_name(g))));
            r.requirements.push(v.into());
        }
    }
}

/// Targeted updates (`update-to`): installed package → the targets that would replace it,
/// and whether one of them must. Install-only targets are required or wished for here.
fn targeted_updates(
    p: &RpmProvider<'_>,
    req: &Request,
    r: &mut Root,
) -> HashMap<Sid, (Vec<Sid>, bool)> {
    let pool = p.pool;
    let mut targeted: HashMap<Sid, (Vec<Sid>, bool)> = HashMap::new();
    for j in &req.jobs {
        let Job::UpdateTo { targets, force } = j else {
            continue;
        };
        for &t in targets {
            if pool.installed(t) {
                continue;
            }
            let g = pool.group(t);
            let gr = &pool.groups[g as usize];
            if gr.installonly {
                let newer = gr
                    .members
                    .iter()
                    .all(|&m| !pool.installed(m) || pool.pkg(t).evr_cmp(pool.pkg(m)).is_gt());
                if newer {
                    if *force {
                        let v = p.vset(g, Pred::In(p.set(vec![t])));
                        r.origin.push((v, format!("update {}", pool.group_name(g))));
                        r.requirements.push(v.into());
                    } else {
                        r.soft.push(t);
                    }
                }
                continue;
            }
            for i in pool.installed_ids() {
                let replaces = if pool.group(i) == g {
                    pool.pkg(t).evr_cmp(pool.pkg(i)).is_gt()
                } else {
                    pool.pkg(t).obsoletes.iter().any(|d| pool.named(i, d))
                };
                if replaces {
                    let e = targeted.entry(i).or_insert_with(|| (Vec::new(), false));
                    e.0.push(t);
                    e.1 |= *force;
                }
            }
        }
    }
    targeted
}

/// What may replace an installed package by obsoleting it.
fn obsoleters(p: &RpmProvider<'_>, req: &Request, s: Sid) -> Vec<Sid> {
    let pool = p.pool;
    pool.obsoleters_of(s)
        .into_iter()
        .filter(|&o| {
            !(req.ignore_installonly_obsoletes && pool.groups[pool.group(o) as usize].installonly)
        })
        .collect()
}

/// One installed package's fate, as a requirement (hard) or a wish (soft).
struct Installed {
    s: Sid,
    g: u32,
    keep: VersionSetId,
    protected: bool,
    /// May be let go (allow-uninstall, not protected, not locked).
    soft: bool,
    why: String,
}

impl Installed {
    fn push_hard(&self, p: &RpmProvider<'_>, r: &mut Root, vs: Vec<VersionSetId>) {
        for v in &vs {
            r.origin.push((*v, self.why.clone()));
        }
        r.requirements.push(p.requirement(vs).into());
    }
    /// Kept, or (when soft) only wished for.
    fn keep_or_wish(&self, p: &RpmProvider<'_>, r: &mut Root) {
        if self.soft {
            r.soft.push(self.s);
        } else {
            self.push_hard(p, r, vec![self.keep]);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn installed_fate(
    p: &RpmProvider<'_>,
    req: &Request,
    s: Sid,
    marks: &Marks,
    targeted: &HashMap<Sid, (Vec<Sid>, bool)>,
    dup: &Dup<'_>,
    soft: &mut Soft,
    r: &mut Root,
) {
    let pool = p.pool;
    let locked = marks.locked.contains(&s);
    if marks.erased.contains(&s) && !req.protected.contains(&s) && !locked {
        return;
    }
    if marks.replaced.contains(&s) && !locked {
        return;
    }
    let g = pool.group(s);
    let protected = req.protected.contains(&s);
    let i = Installed {
        s,
        g,
        keep: p.vset(g, Pred::In(p.set(vec![s]))),
        protected,
        soft: (req.allow_uninstall || req.uninstallable.contains(&s)) && !protected && !locked,
        why: if protected {
            format!("{} is protected", pool.pkg(s).nevra())
        } else {
            format!("{} is installed", pool.pkg(s).nevra())
        },
    };
    if locked || req.installed_only {
        i.keep_or_wish(p, r);
        return;
    }
    if let Some((targets, force)) = targeted.get(&s) {
        let mut vs: Vec<VersionSetId> = groups_of(pool, targets)
            .into_iter()
            .map(|(tg, m)| p.vset(tg, Pred::In(p.set(m))))
            .collect();
        if !force && !p.policy.must_change.contains(&s) {
            vs.push(i.keep);
        }
        i.push_hard(p, r, vs);
        return;
    }
    if dup.moves(pool, s) {
        dup_fate(p, req, &i, dup, soft, r);
        return;
    }
    if dup.any() && req.keep_orphans && i.soft {
        // Not part of the distupgrade: libsolv counts it with the orphans.
        soft.orphans.push(s);
        return;
    }
    if i.soft {
        r.soft.push(s);
        return;
    }
    plain_fate(p, req, &i, r);
}

/// In a distupgrade: the repos' versions of this name, and what obsoletes it there; an
/// orphan (the repos do not have it) is let go unless kept.
fn dup_fate(
    p: &RpmProvider<'_>,
    req: &Request,
    i: &Installed,
    dup: &Dup<'_>,
    soft: &mut Soft,
    r: &mut Root,
) {
    let pool = p.pool;
    let (s, g) = (i.s, i.g);
    let gr = &pool.groups[g as usize];
    let targets: Vec<Sid> = gr
        .members
        .iter()
        .copied()
        .filter(|&m| !pool.installed(m) && dup.takes(pool, m))
        .collect();
    let same = targets
        .iter()
        .any(|&m| pool.pkg(m).evr_cmp(pool.pkg(s)).is_eq());
    let obs: Vec<Sid> = if i.protected {
        Vec::new()
    } else {
        obsoleters(p, req, s)
            .into_iter()
            .filter(|&o| dup.takes(pool, o))
            .collect()
    };
    if gr.installonly {
        // The newest version of the repos goes in beside; the old ones are orphans unless the
        // repos still have them.
        if soft.installonly_done.insert(g) {
            let newest = targets
                .iter()
                .copied()
                .max_by(|&a, &b| pool.pkg(a).evr_cmp(pool.pkg(b)));
            if let Some(t) = newest {
                let have = gr
                    .members
                    .iter()
                    .any(|&m| pool.installed(m) && pool.pkg(m).evr_cmp(pool.pkg(t)).is_eq());
                if !have {
                    if req.allow_uninstall {
                        soft.dup.push(t);
                    } else {
                        let v = p.vset(g, Pred::In(p.set(vec![t])));
                        r.origin
                            .push((v, format!("distupgrade {}", pool.group_name(g))));
                        r.requirements.push(v.into());
                    }
                }
            }
        }
        if same || i.protected {
            i.keep_or_wish(p, r);
        } else if req.keep_orphans && !req.allow_uninstall {
            i.push_hard(p, r, vec![i.keep]);
        } else {
            soft.orphans.push(s);
        }
        return;
    }
    if targets.is_empty() && obs.is_empty() {
        // An orphan: the repos do not have it.
        if i.protected || (req.keep_orphans && !req.allow_uninstall) {
            i.push_hard(p, r, vec![i.keep]);
        } else {
            soft.orphans.push(s);
        }
        return;
    }
    let mut set: Vec<Sid> = targets
        .iter()
        .copied()
        .filter(|&m| !pool.pkg(m).evr_cmp(pool.pkg(s)).is_eq())
        .collect();
    if same {
        set.push(s);
    }
    if i.soft {
        // The best the repos have, when it fits.
        let best = set
            .iter()
            .copied()
            .max_by(|&a, &b| {
                pool.pkg(a)
                    .evr_cmp(pool.pkg(b))
                    .then_with(|| pool.installed(a).cmp(&pool.installed(b)))
            })
            .or_else(|| obs.first().copied());
        soft.dup.extend(best);
        return;
    }
    let mut first = Vec::new();
    let mut later = Vec::new();
    for (og, members) in groups_of(pool, &obs) {
        // An obsoleter that also obsoletes the repos' versions comes first.
        let prunes = members.iter().any(|&o| {
            set.iter()
                .any(|&m| m != s && pool.pkg(o).obsoletes.iter().any(|d| pool.named(m, d)))
        });
        let v = p.vset(og, Pred::Obsoletes(s));
        if prunes {
            first.push(v);
        } else {
            later.push(v);
        }
    }
    let mut vs = first;
    if !set.is_empty() {
        vs.push(p.vset(g, Pred::In(p.set(set))));
    }
    vs.extend(later);
    i.push_hard(p, r, vs);
}

/// Outside a distupgrade: kept, updated or replaced by an obsoleter, in the order the policy
/// prefers (an update job or a favoured candidate puts the change first).
fn plain_fate(p: &RpmProvider<'_>, req: &Request, i: &Installed, r: &mut Root) {
    let pool = p.pool;
    let (s, g) = (i.s, i.g);
    let gr = &pool.groups[g as usize];
    if gr.installonly {
        i.push_hard(p, r, vec![i.keep]);
        return;
    }
    let mut alts = vec![p.vset(g, Pred::Newer(s))];
    // A protected package may be updated, never replaced by another name.
    if !i.protected {
        let obs = groups_of(pool, &obsoleters(p, req, s));
        // libsolv prunes a candidate another candidate obsoletes: an obsoleter that also
        // obsoletes the newer versions comes before them.
        let newer_obsoleted = |og: &u32| {
            pool.groups[*og as usize].members.iter().any(|&o| {
                gr.members.iter().any(|&m| {
                    !pool.installed(m)
                        && pool.pkg(m).evr_cmp(pool.pkg(s)).is_gt()
                        && pool.pkg(o).obsoletes.iter().any(|d| pool.named(m, d))
                })
            })
        };
        let (mut first, mut later): (Vec<u32>, Vec<u32>) =
            obs.keys().copied().partition(newer_obsoleted);
        // Among obsoleters, libsolv's order: names in byte order.
        first.sort_by(|&a, &b| pool.group_name(a).cmp(pool.group_name(b)));
        later.sort_by(|&a, &b| pool.group_name(a).cmp(pool.group_name(b)));
        let mut o: Vec<VersionSetId> = first
            .into_iter()
            .map(|og| p.vset(og, Pred::Obsoletes(s)))
            .collect();
        o.append(&mut alts);
        o.extend(later.into_iter().map(|og| p.vset(og, Pred::Obsoletes(s))));
        alts = o;
    }
    let favored_update = gr
        .members
        .iter()
        .any(|&m| !pool.installed(m) && p.policy.favor.get(&m).copied().unwrap_or(0) > 0);
    let mut vs = Vec::new();
    if p.policy.must_change.contains(&s) {
        vs.extend(alts);
    } else if p.policy.update_groups.contains(&g) || favored_update {
        vs.extend(alts);
        vs.push(i.keep);
    } else {
        vs.push(i.keep);
        vs.extend(alts);
    }
    i.push_hard(p, r, vs);
}

/// libsolv's yumobs rules: of an updated package, the obsoleters that obsolete it with one
/// identical dependency are installed together; of several such groups, the one holding the
/// first obsoleter in name order.
fn yum_obsoletes(p: &RpmProvider<'_>, req: &Request, r: &mut Root) {
    let pool = p.pool;
    let mut updating: Vec<Sid> = Vec::new();
    for j in &req.jobs {
        if let Job::Update(sids) = j {
            updating.extend(sids.iter().copied().filter(|&s| pool.installed(s)));
        }
    }
    for s in updating {
        let bests: Vec<Sid> = groups_of(pool, &obsoleters(p, req, s))
            .into_values()
            .filter_map(|members| {
                members.iter().copied().max_by(|&a, &b| {
                    let fa = p.policy.favor.get(&a).copied().unwrap_or(0);
                    let fb = p.policy.favor.get(&b).copied().unwrap_or(0);
                    fa.cmp(&fb).then_with(|| pool.pkg(a).evr_cmp(pool.pkg(b)))
                })
            })
            .collect();
        let by = |o: Sid| {
            pool.pkg(o)
                .obsoletes
                .iter()
                .find(|d| pool.named(s, d))
                .cloned()
        };
        let first = bests
            .iter()
            .copied()
            .min_by(|&a, &b| pool.pkg(a).name.cmp(&pool.pkg(b).name));
        let Some(dep) = first.and_then(by) else {
            continue;
        };
        for b in bests {
            if by(b).as_ref() == Some(&dep) && !r.soft.contains(&b) {
                r.soft.push(b);
            }
        }
    }
}
