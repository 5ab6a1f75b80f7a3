//! The resolvo `DependencyProvider` for RPM semantics (DESIGN §6).
//!
//! - A resolvo *name* is a pool group (`name.arch`, or `name` without multilib).
//! - A *version set* is (group, predicate): "the packages of this group that provide D", "that
//!   are not obsoleted by D", "exactly this package", … evaluated with rpm's range rules.
//! - A requirement on a capability is the union of the version sets of every group with a
//!   provider, in preference order; it is built once per dependency and shared.
//! - Conflicts and obsoletes are `constrains` on the other groups (never on the package's own).
//! - Candidate order is the policy: installed first (or newest first for groups being
//!   updated), then repo priority, then the newest EVR; favoured packages first, disfavoured
//!   last.

use super::pool::{Pool, Sid, NOTHING_GROUP};
use crate::rpm::Dependency;
use resolvo::{
    Candidates, Condition, ConditionId, Dependencies, DependencyProvider, Interner,
    KnownDependencies, NameId, Requirement, SolvableId, SolverCache, StringId, VersionSetId,
    VersionSetUnionId,
};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt::Display;

/// What a version set keeps of its group's packages.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Pred {
    /// Provides the dependency (capability or file).
    Provides(u32),
    /// Does not provide the dependency (a conflict).
    NotProvides(u32),
    /// Is not matched by the dependency as an obsolete (name and EVR).
    NotObsoletedBy(u32),
    /// Is named and versioned as the dependency says (`install name X >= 2`).
    Named(u32),
    /// One of a set of packages.
    In(u32),
    /// None of a set of packages.
    NotIn(u32),
    /// Same name, newer than this (installed) package.
    Newer(Sid),
    /// Same name, older than this (installed) package.
    Older(Sid),
    /// Obsoletes this (installed) package.
    Obsoletes(Sid),
    /// No package at all (noarch excludes the same name of other arches).
    Nothing,
}

/// Per-solve choices the provider applies.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Groups whose candidates are tried newest first rather than installed first.
    pub update_groups: HashSet<u32>,
    /// Packages tried first (positive score) or last (negative); a later `favor` job beats
    /// an earlier one, as in libsolv.
    pub favor: HashMap<Sid, i32>,
    /// Only installed packages are candidates (remove never installs anything).
    pub installed_only: bool,
    /// Packages that may not be chosen at all (with the reason shown in explanations).
    pub excluded: HashMap<Sid, String>,
    /// Obsoletes of install-only packages are not applied.
    pub ignore_installonly_obsoletes: bool,
    /// Installed packages that must be updated or replaced (not kept as they are).
    pub must_change: HashSet<Sid>,
}

pub struct RpmProvider<'p> {
    pub pool: &'p Pool,
    pub policy: Policy,
    deps: RefCell<Vec<Dependency>>,
    dep_ids: RefCell<HashMap<Dependency, u32>>,
    sets: RefCell<Vec<Vec<Sid>>>,
    vsets: RefCell<Vec<(u32, Pred)>>,
    vset_ids: RefCell<HashMap<(u32, Pred), VersionSetId>>,
    unions: RefCell<Vec<Vec<VersionSetId>>>,
    req_cache: RefCell<HashMap<u32, Requirement>>,
    strings: RefCell<Vec<String>>,
    /// Requirements of installed packages that were already unmet before solving (ignored,
    /// as libsolv does: the solver does not fix what it was not asked to).
    broken: HashSet<(Sid, u32)>,
}

fn sid(s: SolvableId) -> Sid {
    s.into_raw()
}
fn solvable_id(s: Sid) -> SolvableId {
    SolvableId::from_raw(s)
}
fn gid(n: NameId) -> u32 {
    n.into_raw()
}

impl<'p> RpmProvider<'p> {
    pub fn new(pool: &'p Pool, policy: Policy) -> RpmProvider<'p> {
        let mut p = RpmProvider {
            pool,
            policy,
            deps: RefCell::new(Vec::new()),
            dep_ids: RefCell::new(HashMap::new()),
            sets: RefCell::new(Vec::new()),
            vsets: RefCell::new(Vec::new()),
            vset_ids: RefCell::new(HashMap::new()),
            unions: RefCell::new(Vec::new()),
            req_cache: RefCell::new(HashMap::new()),
            strings: RefCell::new(Vec::new()),
            broken: HashSet::new(),
        };
        p.find_broken();
        p
    }

    fn find_broken(&mut self) {
        let pool = self.pool;
        let mut broken = HashSet::new();
        for s in pool.installed_ids() {
            for d in &pool.pkg(s).requires {
                if d.name.starts_with("rpmlib(") {
                    continue;
                }
                if !pool.what_provides(d).iter().any(|&o| pool.installed(o)) {
                    broken.insert((s, self.dep(d)));
                }
            }
        }
        self.broken = broken;
    }

    /// Intern a dependency (without its `pre` flag).
    pub fn dep(&self, d: &Dependency) -> u32 {
        let mut d = d.clone();
        d.pre = false;
        if let Some(&id) = self.dep_ids.borrow().get(&d) {
            return id;
        }
        let mut deps = self.deps.borrow_mut();
        deps.push(d.clone());
        let id = (deps.len() - 1) as u32;
        self.dep_ids.borrow_mut().insert(d, id);
        id
    }

    pub fn dep_of(&self, id: u32) -> Dependency {
        self.deps.borrow()[id as usize].clone()
    }

    pub fn set(&self, members: Vec<Sid>) -> u32 {
        let mut sets = self.sets.borrow_mut();
        sets.push(members);
        (sets.len() - 1) as u32
    }

    pub fn vset(&self, group: u32, pred: Pred) -> VersionSetId {
        let key = (group, pred);
        if let Some(&id) = self.vset_ids.borrow().get(&key) {
            return id;
        }
        let mut v = self.vsets.borrow_mut();
        v.push(key.clone());
        let id = VersionSetId((v.len() - 1) as u32);
        self.vset_ids.borrow_mut().insert(key, id);
        id
    }

    pub fn vset_of(&self, id: VersionSetId) -> (u32, Pred) {
        self.vsets.borrow()[id.0 as usize].clone()
    }

    pub fn requirement(&self, vs: Vec<VersionSetId>) -> Requirement {
        if vs.len() == 1 {
            return Requirement::Single(vs[0]);
        }
        let mut u = self.unions.borrow_mut();
        u.push(vs);
        Requirement::Union(VersionSetUnionId((u.len() - 1) as u32))
    }

    pub fn union_members(&self, id: VersionSetUnionId) -> Vec<VersionSetId> {
        self.unions.borrow()[id.0 as usize].clone()
    }

    fn matches(&self, s: Sid, pred: &Pred) -> bool {
        let pool = self.pool;
        match pred {
            Pred::Provides(d) => pool.provides(s, &self.deps.borrow()[*d as usize]),
            Pred::NotProvides(d) => !pool.provides(s, &self.deps.borrow()[*d as usize]),
            Pred::NotObsoletedBy(d) => !pool.named(s, &self.deps.borrow()[*d as usize]),
            Pred::Named(d) => pool.named(s, &self.deps.borrow()[*d as usize]),
            Pred::In(set) => self.sets.borrow()[*set as usize].contains(&s),
            Pred::NotIn(set) => !self.sets.borrow()[*set as usize].contains(&s),
            Pred::Newer(i) => {
                pool.pkg(s).name == pool.pkg(*i).name && pool.pkg(s).evr_cmp(pool.pkg(*i)).is_gt()
            }
            Pred::Older(i) => {
                pool.pkg(s).name == pool.pkg(*i).name && pool.pkg(s).evr_cmp(pool.pkg(*i)).is_lt()
            }
            Pred::Obsoletes(i) => pool.pkg(s).obsoletes.iter().any(|d| pool.named(*i, d)),
            Pred::Nothing => false,
        }
    }

    /// The requirement "something provides `d`": the union over provider groups, ordered by
    /// policy (a group with an installed provider, then the group named as the capability,
    /// then the highest provided version, then the name). Nobody provides it: a set with no
    /// candidates.
    pub fn require(&self, d: &Dependency) -> Requirement {
        let id = self.dep(d);
        if let Some(r) = self.req_cache.borrow().get(&id) {
            return *r;
        }
        let pool = self.pool;
        let provs = pool.what_provides(&self.dep_of(id));
        let mut groups: Vec<u32> = Vec::new();
        for &s in provs.iter() {
            let g = pool.group(s);
            if !groups.contains(&g) && self.usable(s) {
                groups.push(g);
            }
        }
        if groups.len() > 1 {
            self.order_providers(&mut groups, &provs);
        }
        let vs: Vec<VersionSetId> = if groups.is_empty() {
            vec![self.vset(NOTHING_GROUP, Pred::Provides(id))]
        } else {
            groups
                .into_iter()
                .map(|g| self.vset(g, Pred::Provides(id)))
                .collect()
        };
        let r = self.requirement(vs);
        self.req_cache.borrow_mut().insert(id, r);
        r
    }

    /// Order the groups that provide a requirement as libsolv chooses among them
    /// (policy_filter_unwanted): favoured, then installed names; the best arch (32-bit x86
    /// loses to a 64-bit candidate; noarch always stays in); not obsoleted by another
    /// candidate; `common_dep_badness`; packages whose newest version does not provide it
    /// last; then names in byte order. Versions only count within a name.
    fn order_providers(&self, groups: &mut [u32], provs: &[Sid]) {
        let pool = self.pool;
        let rank = |g: u32| {
            let members = &pool.groups[g as usize].members;
            let favor = members
                .iter()
                .filter(|s| provs.contains(s))
                .filter_map(|s| self.policy.favor.get(s).copied())
                .max()
                .unwrap_or(0);
            // What is installed stays unless it must change (libsolv decides to keep installed
            // packages before it looks at requirements): an installed package that provides
            // it comes first, and a name whose installed version would have to be replaced
            // to provide it comes after fresh installs.
            let class = if members
                .iter()
                .any(|&s| pool.installed(s) && provs.contains(&s))
            {
                0
            } else if members.iter().any(|&s| pool.installed(s)) {
                2
            } else {
                1
            };
            (-favor, class)
        };
        let ranks: Vec<(i32, u8)> = groups.iter().map(|&g| rank(g)).collect();
        // The newest package of the group does not provide it: an old version would be
        // needed, so other names come first (libsolv's dislike_old_versions).
        let old_only = |g: u32| {
            let members = &pool.groups[g as usize].members;
            let newest = members
                .iter()
                .copied()
                .max_by(|&a, &b| pool.pkg(a).evr_cmp(pool.pkg(b)));
            newest.is_some_and(|n| !provs.contains(&n))
                && !members.iter().any(|&s| pool.installed(s))
        };
        let arch = |g: u32| {
            pool.groups[g as usize]
                .members
                .first()
                .map_or("", |&s| pool.arch(s))
        };
        let x86_32 = |g: u32| matches!(arch(g), "i386" | "i486" | "i586" | "i686" | "athlon");
        let noarch = |g: u32| arch(g) == "noarch";
        // Only candidates still open when libsolv decides count: not the newer versions of
        // installed packages that stay. Each open group is represented by its best provider.
        let cands: Vec<Option<Sid>> = groups
            .iter()
            .zip(&ranks)
            .map(|(&g, r)| {
                (r.1 < 2)
                    .then(|| {
                        pool.groups[g as usize]
                            .members
                            .iter()
                            .copied()
                            .filter(|s| provs.contains(s))
                            .max_by(|&a, &b| pool.pkg(a).evr_cmp(pool.pkg(b)))
                    })
                    .flatten()
            })
            .collect();
        let has_64 = groups
            .iter()
            .zip(&ranks)
            .any(|(&g, r)| r.1 < 2 && !x86_32(g) && !noarch(g));
        // libsolv's prune_obsoleted: a candidate another one obsoletes goes (after it), unless
        // they obsolete each other.
        let obsoleted: Vec<bool> = cands
            .iter()
            .map(|&c| {
                c.is_some_and(|c| {
                    cands
                        .iter()
                        .flatten()
                        .any(|&o| pool.obsoletes(o, c) && !pool.obsoletes(c, o))
                })
            })
            .collect();
        let wrong_arch: Vec<bool> = groups.iter().map(|&g| has_64 && x86_32(g)).collect();
        // What the arch and obsoletes pruning left is what libsolv compares versions over.
        let open: Vec<Option<Sid>> = cands
            .iter()
            .enumerate()
            .map(|(k, &c)| c.filter(|_| !(obsoleted[k] || wrong_arch[k])))
            .collect();
        let bad = common_dep_badness(pool, &open);
        let mut keyed: Vec<_> = groups
            .iter()
            .enumerate()
            .map(|(k, &g)| {
                let key = (ranks[k], wrong_arch[k], obsoleted[k], bad[k], old_only(g));
                (key, pool.group_name(g), g)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        for (slot, (_, _, g)) in groups.iter_mut().zip(keyed) {
            *slot = g;
        }
    }

    fn usable(&self, s: Sid) -> bool {
        !self.policy.installed_only || self.pool.installed(s)
    }

    fn intern_string(&self, s: String) -> StringId {
        let mut v = self.strings.borrow_mut();
        if let Some(i) = v.iter().position(|x| *x == s) {
            return StringId(i as u32);
        }
        v.push(s);
        StringId((v.len() - 1) as u32)
    }

    /// A version set in words, for explanations.
    pub fn describe_vset(&self, id: VersionSetId) -> String {
        let (g, pred) = self.vset_of(id);
        let name = self.pool.group_name(g);
        let dep = |d: &u32| self.dep_of(*d).to_string();
        match &pred {
            Pred::Provides(d) => dep(d),
            Pred::NotProvides(d) => format!("{name} not providing {}", dep(d)),
            Pred::NotObsoletedBy(d) => format!("{name} not matching {}", dep(d)),
            Pred::Named(d) => dep(d),
            Pred::In(set) => {
                let v: Vec<String> = self.sets.borrow()[*set as usize]
                    .iter()
                    .map(|&s| self.pool.pkg(s).nevra())
                    .collect();
                v.join(" or ")
            }
            Pred::NotIn(_) => format!("{name} (some versions refused)"),
            Pred::Newer(s) => format!("{name} newer than {}", self.pool.pkg(*s).evr),
            Pred::Older(s) => format!("{name} older than {}", self.pool.pkg(*s).evr),
            Pred::Obsoletes(s) => format!("a package obsoleting {}", self.pool.pkg(*s).nevra()),
            Pred::Nothing => format!("no {name}"),
        }
    }

    fn sort_key(&self, s: Sid) -> impl Ord {
        let pool = self.pool;
        let g = pool.group(s);
        let updating = self.policy.update_groups.contains(&g);
        let inst = pool.installed(s);
        (
            -self.policy.favor.get(&s).copied().unwrap_or(0),
            !inst || updating,
            pool.solvables[s as usize].priority,
        )
    }
}

impl Interner for RpmProvider<'_> {
    type NameId = NameId;
    type SolvableId = SolvableId;

    fn display_solvable(&self, solvable: SolvableId) -> impl Display + '_ {
        self.pool.pkg(sid(solvable)).nevra()
    }

    fn display_name(&self, name: NameId) -> impl Display + '_ {
        self.pool.group_key(gid(name))
    }

    fn display_version_set(&self, version_set: VersionSetId) -> impl Display + '_ {
        self.describe_vset(version_set)
    }

    fn display_string(&self, string_id: StringId) -> impl Display + '_ {
        self.strings.borrow()[string_id.0 as usize].clone()
    }

    fn version_set_name(&self, version_set: VersionSetId) -> NameId {
        NameId::from_raw(self.vsets.borrow()[version_set.0 as usize].0)
    }

    fn solvable_name(&self, solvable: SolvableId) -> NameId {
        NameId::from_raw(self.pool.group(sid(solvable)))
    }

    fn version_sets_in_union(
        &self,
        version_set_union: VersionSetUnionId,
    ) -> impl Iterator<Item = VersionSetId> {
        self.union_members(version_set_union).into_iter()
    }

    fn resolve_condition(&self, _condition: ConditionId) -> Condition {
        unreachable!("rpm requirements have no conditions here")
    }
}

impl DependencyProvider for RpmProvider<'_> {
    async fn filter_candidates(
        &self,
        candidates: &[SolvableId],
        version_set: VersionSetId,
        inverse: bool,
    ) -> Vec<SolvableId> {
        let (_, pred) = self.vset_of(version_set);
        candidates
            .iter()
            .copied()
            .filter(|&c| self.matches(sid(c), &pred) != inverse)
            .collect()
    }

    async fn get_candidates(&self, name: NameId) -> Option<Candidates<SolvableId>> {
        let g = &self.pool.groups[gid(name) as usize];
        let mut c = Candidates {
            allow_multiple: g.installonly,
            ..Default::default()
        };
        for &s in &g.members {
            if let Some(why) = self.policy.excluded.get(&s) {
                c.excluded
                    .push((solvable_id(s), self.intern_string(why.clone())));
            } else if !self.usable(s) {
                c.excluded.push((
                    solvable_id(s),
                    self.intern_string("not installed (removing never installs)".into()),
                ));
            } else {
                c.candidates.push(solvable_id(s));
            }
        }
        Some(c)
    }

    async fn sort_candidates(&self, _solver: &SolverCache<Self>, solvables: &mut [SolvableId]) {
        let pool = self.pool;
        solvables.sort_by(|&a, &b| {
            let (a, b) = (sid(a), sid(b));
            self.sort_key(a)
                .cmp(&self.sort_key(b))
                .then_with(|| pool.pkg(b).evr_cmp(pool.pkg(a)))
                .then_with(|| pool.installed(b).cmp(&pool.installed(a)))
                .then_with(|| pool.pkg(a).repo.cmp(&pool.pkg(b).repo))
        });
    }

    async fn get_dependencies(&self, solvable: SolvableId) -> Dependencies {
        let pool = self.pool;
        let s = sid(solvable);
        let p = pool.pkg(s);
        let own = pool.group(s);
        let mut deps = KnownDependencies::default();
        let mut seen = HashSet::new();
        let mut single: Vec<bool> = Vec::new();
        for d in &p.requires {
            if d.name.starts_with("rpmlib(") || pool.provides(s, d) {
                continue;
            }
            let id = self.dep(d);
            if !seen.insert(id) || (pool.installed(s) && self.broken.contains(&(s, id))) {
                continue;
            }
            deps.requirements.push(self.require(d).into());
            single.push(pool.what_provides(d).len() == 1);
        }
        // Requirements only one package meets first: libsolv settles them by propagation before
        // it chooses among the providers of the others, which they may already satisfy.
        if single.iter().any(|&x| x) {
            let mut reqs: Vec<_> = deps.requirements.drain(..).zip(single).collect();
            reqs.sort_by_key(|(_, one)| !*one);
            deps.requirements = reqs.into_iter().map(|(r, _)| r).collect();
        }
        let mut cons = HashSet::new();
        for d in &p.conflicts {
            let id = self.dep(d);
            for &o in pool.what_provides(d).iter() {
                let g = pool.group(o);
                if g != own && cons.insert((g, id)) {
                    deps.constrains.push(self.vset(g, Pred::NotProvides(id)));
                }
            }
        }
        let skip_obsoletes =
            self.policy.ignore_installonly_obsoletes && pool.groups[own as usize].installonly;
        for d in p.obsoletes.iter().filter(|_| !skip_obsoletes) {
            let id = self.dep(d);
            for &g in pool.groups_named(&d.name).iter() {
                if g != own && cons.insert((g, id)) {
                    deps.constrains.push(self.vset(g, Pred::NotObsoletedBy(id)));
                }
            }
        }
        if pool.options.multilib {
            // noarch and arch packages of one name exclude each other.
            for &g in pool.groups_named(&p.name).iter() {
                if g == own {
                    continue;
                }
                let other_noarch = pool.group_is_noarch(g);
                if p.arch == "noarch" || other_noarch {
                    deps.constrains.push(self.vset(g, Pred::Nothing));
                }
            }
        }
        Dependencies::Known(deps)
    }
}

/// libsolv's `sort_by_common_dep`: among candidates that provide the same capability with a
/// version (`= EVR`, `< EVR`, `<= EVR`; their own `name = EVR` included; hash-like versions
/// skipped), those providing a lower version than another candidate are worse, by how many
/// distinct higher versions stand before them. Returns each candidate's badness.
fn common_dep_badness(pool: &Pool, cands: &[Option<Sid>]) -> Vec<u32> {
    use crate::rpm::{Evr, Sense};
    let mut bad = vec![0u32; cands.len()];
    if cands.len() < 2 {
        return bad;
    }
    let hashlike = |v: &Evr| {
        v.epoch.is_none()
            && v.release.is_empty()
            && v.version.len() >= 4
            && v.version
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    // (capability, version, `<`, candidate)
    let mut entries: Vec<(&str, Evr, bool, usize)> = Vec::new();
    for (i, c) in cands.iter().enumerate() {
        let Some(s) = *c else { continue };
        let p = pool.pkg(s);
        let mut has_self = false;
        for d in &p.provides {
            let Some(e) = &d.evr else { continue };
            let bits = d.sense.bits() & 7;
            let lt = bits == Sense::LESS;
            if !(bits == Sense::EQUAL || bits == Sense::LESS | Sense::EQUAL || lt) {
                continue;
            }
            if bits == Sense::EQUAL && hashlike(e) {
                continue;
            }
            has_self |= bits == Sense::EQUAL && d.name == p.name && *e == p.evr;
            entries.push((d.name.as_str(), e.clone(), lt, i));
        }
        if !has_self {
            entries.push((p.name.as_str(), p.evr.clone(), false, i));
        }
    }
    // By capability, then highest version first (`= v` before `< v`).
    let order = |a: &(&str, Evr, bool, usize), b: &(&str, Evr, bool, usize)| {
        b.1.compare(&a.1).then_with(|| a.2.cmp(&b.2))
    };
    entries.sort_by(|a, b| a.0.cmp(b.0).then_with(|| order(a, b)));
    let mut run = 0u32;
    for k in 0..entries.len() {
        if k > 0 && entries[k].0 == entries[k - 1].0 {
            let (prev, cur) = (&entries[k - 1], &entries[k]);
            if prev.3 != cur.3 && order(prev, cur) == std::cmp::Ordering::Less {
                run += 1;
            }
        } else {
            run = 0;
        }
        bad[entries[k].3] += run;
    }
    bad
}
