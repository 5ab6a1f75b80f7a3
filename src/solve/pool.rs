//! The solver's view of the packages: every candidate (installed or available) with its
//! identity group, and the indexes the provider needs ("who provides X", "who is named X").

use crate::digest::FxMap;
use crate::repo::store::{DepKind, Store};
use crate::rpm::dep::{evr_ranges_overlap, Sense};
use crate::rpm::{Dependency, Package};
use std::cell::{OnceCell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

/// Index of a package in the pool.
pub type Sid = u32;

const NO_SID: u32 = u32::MAX;

/// Where a package's record comes from.
#[derive(Debug)]
enum Src {
    /// A record in memory (installed packages, local files, testcases).
    Mem(Box<Package>),
    /// Package `idx` of store `store`, decoded the first time it is asked for.
    Store {
        store: u32,
        idx: u32,
        cell: OnceCell<Box<Package>>,
    },
}

/// One package the solver may choose.
#[derive(Debug)]
pub struct Solvable {
    src: Src,
    pub installed: bool,
    /// Repo priority as yum states it: lower is preferred (default 99).
    pub priority: i32,
}

/// Available packages given to `Pool::from_sources`, in the order they take in the pool.
pub enum Source {
    /// Records in memory, each with its repo priority.
    Packages(Vec<(Package, i32)>),
    /// A repository's store; `keep`, when given, says which of its packages are candidates
    /// (the others are excluded by configuration).
    Store {
        store: Arc<Store>,
        repo: String,
        priority: i32,
        keep: Option<Vec<bool>>,
    },
}

#[derive(Debug)]
struct StoreSrc {
    store: Arc<Store>,
    repo: String,
    /// Package index in the store → Sid (`NO_SID`: excluded).
    sid_of: Vec<Sid>,
}

/// How packages are grouped into "one version at a time" identities.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// `name.arch` identities (x86_64 and i686 side by side; noarch excludes both), as yum and
    /// dnf do. Off: one identity per name (libsolv's default without colors).
    pub multilib: bool,
    /// Names (or provides) of install-only packages: several versions may be installed.
    pub installonly: Vec<String>,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            multilib: true,
            installonly: vec!["kernel".into(), "installonlypkg(kernel)".into()],
        }
    }
}

/// One identity: the packages of which at most one may be installed (unless install-only).
#[derive(Debug, Clone)]
pub struct Group {
    pub members: Vec<Sid>,
    pub installonly: bool,
}

/// All candidates with their indexes. Packages from repository stores are indexed by the
/// stores themselves and decoded only when the solver looks at them; packages in memory are
/// indexed here.
#[derive(Debug)]
pub struct Pool {
    pub solvables: Vec<Solvable>,
    pub groups: Vec<Group>,
    pub group_of: Vec<u32>,
    pub options: PoolOptions,
    stores: Vec<StoreSrc>,
    /// Capability name → in-memory packages providing something of that name.
    providers: FxMap<String, Vec<Sid>>,
    /// File path → in-memory packages holding it (from primary's file lists).
    files: FxMap<String, Vec<Sid>>,
    /// File path → packages holding it according to filelists (`add_files`).
    extra_files: FxMap<String, Vec<Sid>>,
    extra_of: FxMap<Sid, Vec<String>>,
    /// Package name → groups with in-memory packages of that name.
    by_name: FxMap<String, Vec<u32>>,
    /// Name in an obsoletes entry → in-memory packages with that entry.
    obsoleting: FxMap<String, Vec<Sid>>,
    what_provides: RefCell<FxMap<Dependency, Rc<Vec<Sid>>>>,
    groups_named: RefCell<FxMap<String, Rc<Vec<u32>>>>,
}

/// The group of capabilities nobody provides (it has no members).
pub const NOTHING_GROUP: u32 = 0;

fn self_provide(p: &Package) -> Dependency {
    Dependency::versioned(
        p.name.clone(),
        Sense::from_bits(Sense::EQUAL),
        p.evr.clone(),
    )
}

fn push_to(map: &mut FxMap<String, Vec<Sid>>, key: &str, s: Sid) {
    match map.get_mut(key) {
        Some(v) => v.push(s),
        None => {
            map.insert(key.to_string(), vec![s]);
        }
    }
}

impl Pool {
    /// Build a pool from installed packages and available ones (with their repo priority).
    pub fn new(
        installed: Vec<Package>,
        available: Vec<(Package, i32)>,
        options: PoolOptions,
    ) -> Pool {
        Pool::from_sources(installed, vec![Source::Packages(available)], options)
    }

    /// Build a pool from installed packages and sources of available ones, in that order.
    pub fn from_sources(
        installed: Vec<Package>,
        sources: Vec<Source>,
        options: PoolOptions,
    ) -> Pool {
        let mem = |pkg: Package, installed: bool, priority: i32| Solvable {
            src: Src::Mem(Box::new(pkg)),
            installed,
            priority,
        };
        let mut solvables: Vec<Solvable> = installed.into_iter().map(|p| mem(p, true, 0)).collect();
        let mut stores = Vec::new();
        for src in sources {
            match src {
                Source::Packages(v) => {
                    solvables.extend(v.into_iter().map(|(p, pr)| mem(p, false, pr)))
                }
                Source::Store {
                    store,
                    repo,
                    priority,
                    keep,
                } => {
                    let si = stores.len() as u32;
                    let mut sid_of = vec![NO_SID; store.len()];
                    solvables.reserve(store.len());
                    for (idx, sid) in sid_of.iter_mut().enumerate() {
                        if keep
                            .as_ref()
                            .is_some_and(|k| !k.get(idx).copied().unwrap_or(false))
                        {
                            continue;
                        }
                        *sid = solvables.len() as Sid;
                        solvables.push(Solvable {
                            src: Src::Store {
                                store: si,
                                idx: idx as u32,
                                cell: OnceCell::new(),
                            },
                            installed: false,
                            priority,
                        });
                    }
                    stores.push(StoreSrc {
                        store,
                        repo,
                        sid_of,
                    });
                }
            }
        }
        let mut pool = Pool {
            solvables,
            groups: Vec::new(),
            group_of: Vec::new(),
            options,
            stores,
            providers: FxMap::default(),
            files: FxMap::default(),
            extra_files: FxMap::default(),
            extra_of: FxMap::default(),
            by_name: FxMap::default(),
            obsoleting: FxMap::default(),
            what_provides: RefCell::new(FxMap::default()),
            groups_named: RefCell::new(FxMap::default()),
        };
        pool.index();
        pool
    }

    fn index(&mut self) {
        let n = self.solvables.len();
        for s in self.solvables.iter_mut() {
            if let Src::Mem(p) = &mut s.src {
                let has_self = p
                    .provides
                    .iter()
                    .any(|d| d.name == p.name && d.evr.as_ref() == Some(&p.evr));
                if !has_self {
                    let sp = self_provide(p);
                    p.provides.push(sp);
                }
            }
        }
        // Identities, numbered in the order of their first package (0 is NOTHING_GROUP).
        let mut ngroups = 1u32;
        let mut group_of: Vec<u32> = Vec::with_capacity(n);
        {
            let mut keys: FxMap<(&str, &str), u32> = FxMap::default();
            keys.reserve(n);
            for s in 0..n as Sid {
                let arch = if self.options.multilib {
                    self.arch(s)
                } else {
                    ""
                };
                let g = *keys.entry((self.name(s), arch)).or_insert_with(|| {
                    ngroups += 1;
                    ngroups - 1
                });
                group_of.push(g);
            }
        }
        let mut groups: Vec<Group> = (0..ngroups)
            .map(|_| Group {
                members: Vec::new(),
                installonly: false,
            })
            .collect();
        for (s, &g) in group_of.iter().enumerate() {
            groups[g as usize].members.push(s as Sid);
        }
        self.groups = groups;
        self.group_of = group_of;
        // Install-only identities: named so, or providing an install-only capability.
        let io = self.options.installonly.clone();
        for name in &io {
            let mut marked = self.indexed(None, name, Store::named);
            marked.extend(self.indexed(None, name, Store::providers));
            for s in marked {
                let g = self.group_of[s as usize];
                self.groups[g as usize].installonly = true;
            }
        }
        // The in-memory packages' indexes.
        for i in 0..n {
            let Src::Mem(p) = &self.solvables[i].src else {
                continue;
            };
            let s = i as Sid;
            let g = self.group_of[i];
            if io
                .iter()
                .any(|n| *n == p.name || p.provides.iter().any(|d| d.name == *n))
            {
                self.groups[g as usize].installonly = true;
            }
            match self.by_name.get_mut(p.name.as_str()) {
                Some(v) => {
                    if !v.contains(&g) {
                        v.push(g)
                    }
                }
                None => {
                    self.by_name.insert(p.name.clone(), vec![g]);
                }
            }
            for (k, d) in p.provides.iter().enumerate() {
                if !p.provides[..k].iter().any(|e| e.name == d.name) {
                    push_to(&mut self.providers, &d.name, s);
                }
            }
            for (k, d) in p.obsoletes.iter().enumerate() {
                if !p.obsoletes[..k].iter().any(|e| e.name == d.name) {
                    push_to(&mut self.obsoleting, &d.name, s);
                }
            }
            for f in &p.files {
                push_to(&mut self.files, f, s);
            }
        }
    }

    /// Files that filelists says packages hold, beyond primary's subset (before solving).
    pub fn add_files(&mut self, files: Vec<(Sid, String)>) {
        for (s, f) in files {
            let held = self.extra_of.entry(s).or_default();
            if held.contains(&f) {
                continue;
            }
            held.push(f.clone());
            push_to(&mut self.extra_files, &f, s);
        }
        self.what_provides.borrow_mut().clear();
    }

    /// The repository stores in the pool.
    pub fn stores(&self) -> impl Iterator<Item = &Store> {
        self.stores.iter().map(|s| &*s.store)
    }

    /// The candidates from repository stores: (store, repo id, index in the store, Sid).
    pub fn store_packages(&self) -> impl Iterator<Item = (&Store, &str, usize, Sid)> {
        self.stores.iter().flat_map(|st| {
            st.sid_of
                .iter()
                .enumerate()
                .filter(|(_, &s)| s != NO_SID)
                .map(move |(i, &s)| (&*st.store, st.repo.as_str(), i, s))
        })
    }

    /// Packages listed under `name` by an in-memory index (`mem`) and by the same index of
    /// every store (`index`), in pool order.
    fn indexed(
        &self,
        mem: Option<&Vec<Sid>>,
        name: &str,
        index: for<'a> fn(&'a Store, &str) -> &'a [u32],
    ) -> Vec<Sid> {
        let mut out: Vec<Sid> = mem.cloned().unwrap_or_default();
        for st in &self.stores {
            out.extend(
                index(&st.store, name)
                    .iter()
                    .map(|&i| st.sid_of[i as usize])
                    .filter(|&s| s != NO_SID),
            );
        }
        out.sort_unstable();
        out
    }

    /// Is the package's record in memory (installed, a local file, a testcase) rather than in
    /// a repository store?
    pub fn is_in_memory(&self, s: Sid) -> bool {
        matches!(self.solvables[s as usize].src, Src::Mem(_))
    }

    /// The package name of group `g` ("(nothing)" for `NOTHING_GROUP`).
    pub fn group_name(&self, g: u32) -> &str {
        match self.groups[g as usize].members.first() {
            Some(&s) => self.name(s),
            None => "(nothing)",
        }
    }

    /// `name.arch` of group `g` (`name` without multilib).
    pub fn group_key(&self, g: u32) -> String {
        match self.groups[g as usize].members.first() {
            Some(&s) if self.options.multilib => format!("{}.{}", self.name(s), self.arch(s)),
            _ => self.group_name(g).to_string(),
        }
    }

    /// Is group `g` a `noarch` identity (multilib only)?
    pub fn group_is_noarch(&self, g: u32) -> bool {
        self.options.multilib
            && self.groups[g as usize]
                .members
                .first()
                .is_some_and(|&s| self.arch(s) == "noarch")
    }

    /// The package's name (without decoding its record).
    pub fn name(&self, s: Sid) -> &str {
        match &self.solvables[s as usize].src {
            Src::Mem(p) => &p.name,
            Src::Store { store, idx, .. } => self.stores[*store as usize].store.name(*idx as usize),
        }
    }

    /// Name, EVR and arch of the package (its record if decoded, else only those fields): what
    /// a yum-style spec is matched against.
    pub fn ident(&self, s: Sid) -> std::borrow::Cow<'_, Package> {
        use std::borrow::Cow;
        match &self.solvables[s as usize].src {
            Src::Mem(p) => Cow::Borrowed(p),
            Src::Store { cell, .. } if cell.get().is_some() => Cow::Borrowed(self.pkg(s)),
            Src::Store { store, idx, .. } => {
                Cow::Owned(self.stores[*store as usize].store.ident(*idx as usize))
            }
        }
    }

    /// The package's architecture (without decoding its record).
    pub fn arch(&self, s: Sid) -> &str {
        match &self.solvables[s as usize].src {
            Src::Mem(p) => &p.arch,
            Src::Store { store, idx, .. } => self.stores[*store as usize].store.arch(*idx as usize),
        }
    }

    pub fn len(&self) -> usize {
        self.solvables.len()
    }

    pub fn is_empty(&self) -> bool {
        self.solvables.is_empty()
    }

    /// The package's record (decoded from its store the first time).
    pub fn pkg(&self, s: Sid) -> &Package {
        match &self.solvables[s as usize].src {
            Src::Mem(p) => p,
            Src::Store { store, idx, cell } => cell.get_or_init(|| {
                let st = &self.stores[*store as usize];
                let mut p = st.store.package(*idx as usize, &st.repo);
                if let Some(extra) = self.extra_of.get(&s) {
                    p.files.extend(extra.iter().cloned());
                }
                Box::new(p)
            }),
        }
    }

    pub fn installed(&self, s: Sid) -> bool {
        self.solvables[s as usize].installed
    }

    pub fn group(&self, s: Sid) -> u32 {
        self.group_of[s as usize]
    }

    /// Groups holding packages named `name`, in the order they were numbered.
    pub fn groups_named(&self, name: &str) -> Rc<Vec<u32>> {
        if let Some(v) = self.groups_named.borrow().get(name) {
            return v.clone();
        }
        let mut out: Vec<u32> = self.by_name.get(name).cloned().unwrap_or_default();
        out.extend(
            self.indexed(None, name, Store::named)
                .into_iter()
                .map(|s| self.group(s)),
        );
        out.sort_unstable();
        out.dedup();
        let v = Rc::new(out);
        self.groups_named
            .borrow_mut()
            .insert(name.to_string(), v.clone());
        v
    }

    /// Does package `s` provide something satisfying `dep` (a capability or a file path)?
    pub fn provides(&self, s: Sid, dep: &Dependency) -> bool {
        let file = dep.name.starts_with('/');
        match &self.solvables[s as usize].src {
            Src::Store { store, idx, cell } if cell.get().is_none() => {
                let st = &self.stores[*store as usize].store;
                let i = *idx as usize;
                let versioned = dep.is_versioned();
                let cap = st.deps(i, DepKind::Provides).any(|d| {
                    d.name() == dep.name
                        && (!versioned || !d.is_versioned() || d.to_dep().satisfies(dep))
                });
                cap || (file
                    && (st.files(i).any(|f| f == dep.name)
                        || self.extra_of.get(&s).is_some_and(|e| e.contains(&dep.name))))
            }
            _ => {
                let p = self.pkg(s);
                p.provides.iter().any(|pr| pr.satisfies(dep))
                    || (file && p.files.contains(&dep.name))
            }
        }
    }

    /// Does package `s` match `dep` by its name and its own EVR (obsoletes, `install name X = V`)?
    /// Does `a` obsolete `b`, a package of another name?
    pub fn obsoletes(&self, a: Sid, b: Sid) -> bool {
        self.pkg(a).name != self.pkg(b).name
            && self.pkg(a).obsoletes.iter().any(|d| self.named(b, d))
    }

    pub fn named(&self, s: Sid, dep: &Dependency) -> bool {
        let p = self.pkg(s);
        if p.name != dep.name {
            return false;
        }
        match (&dep.evr, dep.is_versioned()) {
            (Some(e), true) => {
                evr_ranges_overlap(&p.evr, Sense::from_bits(Sense::EQUAL), e, dep.sense)
            }
            _ => true,
        }
    }

    /// Every package providing `dep`, in pool order (cached per dependency).
    pub fn what_provides(&self, dep: &Dependency) -> Rc<Vec<Sid>> {
        if let Some(v) = self.what_provides.borrow().get(dep) {
            return v.clone();
        }
        let mut out = self.indexed(self.providers.get(&dep.name), &dep.name, Store::providers);
        out.retain(|&s| self.provides(s, dep));
        if dep.name.starts_with('/') {
            let mut holders =
                self.indexed(self.files.get(&dep.name), &dep.name, Store::file_holders);
            holders.extend(self.extra_files.get(&dep.name).into_iter().flatten());
            holders.sort_unstable();
            holders.dedup();
            for s in holders {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        let v = Rc::new(out);
        self.what_provides
            .borrow_mut()
            .insert(dep.clone(), v.clone());
        v
    }

    /// Every package whose obsoletes match package `s` (by name and EVR).
    pub fn obsoleters_of(&self, s: Sid) -> Vec<Sid> {
        let name = self.name(s);
        self.indexed(self.obsoleting.get(name), name, Store::obsoleters)
            .into_iter()
            .filter(|&o| o != s && self.group(o) != self.group(s))
            .filter(|&o| self.pkg(o).obsoletes.iter().any(|d| self.named(s, d)))
            .collect()
    }

    /// The installed packages.
    pub fn installed_ids(&self) -> impl Iterator<Item = Sid> + '_ {
        (0..self.len() as Sid).filter(|&s| self.installed(s))
    }

    /// `name-evr.arch@repo` as a written testcase names it (installed packages in `@System`).
    pub fn display_testcase(&self, s: Sid) -> String {
        let p = self.pkg(s);
        if self.installed(s) {
            format!("{}@@System", p.nevra())
        } else {
            format!("{}@{}", p.nevra(), p.repo.replace(char::is_whitespace, "_"))
        }
    }

    /// `name-evr.arch@repo`, the identity testcases print.
    pub fn display(&self, s: Sid) -> String {
        let p = self.pkg(s);
        format!("{}@{}", p.nevra(), p.repo)
    }
}
