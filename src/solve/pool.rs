//! The solver's view of the packages: every candidate (installed or available) with its
//! identity group, and the indexes the provider needs ("who provides X", "who is named X").

use crate::rpm::dep::{evr_ranges_overlap, Sense};
use crate::rpm::{Dependency, Package};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// A fast hasher for the pool's string indexes (FxHash, as rustc uses): the keys are package
/// and capability names, not attacker-chosen in a way that matters here, and SipHash was a
/// visible part of building a 60,000-package pool.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` with `FxHasher`.
pub type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// Index of a package in the pool.
pub type Sid = u32;

/// One package the solver may choose.
#[derive(Debug, Clone)]
pub struct Solvable {
    pub pkg: Package,
    pub installed: bool,
    /// Repo priority as yum states it: lower is preferred (default 99).
    pub priority: i32,
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
    pub key: String,
    pub name: String,
    pub members: Vec<Sid>,
    pub installonly: bool,
}

/// All candidates with their indexes.
#[derive(Debug)]
pub struct Pool {
    pub solvables: Vec<Solvable>,
    pub groups: Vec<Group>,
    pub group_of: Vec<u32>,
    pub options: PoolOptions,
    /// Capability name → packages providing something of that name.
    providers: FxMap<String, Vec<Sid>>,
    /// File path → packages holding it (from primary's file lists).
    files: FxMap<String, Vec<Sid>>,
    /// Package name → groups with packages of that name.
    by_name: FxMap<String, Vec<u32>>,
    /// Name in an obsoletes entry → packages with that entry.
    obsoleting: FxMap<String, Vec<Sid>>,
    what_provides: RefCell<FxMap<Dependency, Rc<Vec<Sid>>>>,
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

impl Pool {
    /// Build a pool from installed packages and available ones (with their repo priority).
    pub fn new(
        installed: Vec<Package>,
        available: Vec<(Package, i32)>,
        options: PoolOptions,
    ) -> Pool {
        let mut solvables: Vec<Solvable> = installed
            .into_iter()
            .map(|pkg| Solvable {
                pkg,
                installed: true,
                priority: 0,
            })
            .collect();
        solvables.extend(available.into_iter().map(|(pkg, priority)| Solvable {
            pkg,
            installed: false,
            priority,
        }));
        let mut pool = Pool {
            solvables,
            groups: vec![Group {
                key: "(nothing)".into(),
                name: "(nothing)".into(),
                members: Vec::new(),
                installonly: false,
            }],
            group_of: Vec::new(),
            options,
            providers: FxMap::default(),
            files: FxMap::default(),
            by_name: FxMap::default(),
            obsoleting: FxMap::default(),
            what_provides: RefCell::new(FxMap::default()),
        };
        pool.index();
        pool
    }

    fn index(&mut self) {
        let n = self.solvables.len();
        self.group_of.reserve(n);
        self.providers.reserve(n * 2);
        let mut keys: FxMap<String, u32> = FxMap::default();
        keys.reserve(n);
        for s in self.solvables.iter_mut() {
            let p = &s.pkg;
            let has_self = p
                .provides
                .iter()
                .any(|d| d.name == p.name && d.evr.as_ref() == Some(&p.evr));
            if !has_self {
                let sp = self_provide(p);
                s.pkg.provides.push(sp);
            }
        }
        let mut key = String::new();
        for i in 0..n {
            let pkg = &self.solvables[i].pkg;
            key.clear();
            key.push_str(&pkg.name);
            if self.options.multilib {
                key.push('.');
                key.push_str(&pkg.arch);
            }
            let g = match keys.get(key.as_str()) {
                Some(&g) => g,
                None => {
                    self.groups.push(Group {
                        key: key.clone(),
                        name: pkg.name.clone(),
                        members: Vec::new(),
                        installonly: false,
                    });
                    let g = (self.groups.len() - 1) as u32;
                    match self.by_name.get_mut(pkg.name.as_str()) {
                        Some(v) => v.push(g),
                        None => {
                            self.by_name.insert(pkg.name.clone(), vec![g]);
                        }
                    }
                    keys.insert(key.clone(), g);
                    g
                }
            };
            self.groups[g as usize].members.push(i as Sid);
            self.group_of.push(g);
            let s = &self.solvables[i];
            let io = self
                .options
                .installonly
                .iter()
                .any(|n| *n == s.pkg.name || s.pkg.provides.iter().any(|d| d.name == *n));
            if io {
                self.groups[g as usize].installonly = true;
            }
            for (k, d) in s.pkg.provides.iter().enumerate() {
                if s.pkg.provides[..k].iter().any(|e| e.name == d.name) {
                    continue;
                }
                match self.providers.get_mut(d.name.as_str()) {
                    Some(v) => v.push(i as Sid),
                    None => {
                        self.providers.insert(d.name.clone(), vec![i as Sid]);
                    }
                }
            }
            for (k, d) in s.pkg.obsoletes.iter().enumerate() {
                if s.pkg.obsoletes[..k].iter().any(|e| e.name == d.name) {
                    continue;
                }
                match self.obsoleting.get_mut(d.name.as_str()) {
                    Some(v) => v.push(i as Sid),
                    None => {
                        self.obsoleting.insert(d.name.clone(), vec![i as Sid]);
                    }
                }
            }
            for f in &s.pkg.files {
                match self.files.get_mut(f.as_str()) {
                    Some(v) => v.push(i as Sid),
                    None => {
                        self.files.insert(f.clone(), vec![i as Sid]);
                    }
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.solvables.len()
    }

    pub fn is_empty(&self) -> bool {
        self.solvables.is_empty()
    }

    pub fn pkg(&self, s: Sid) -> &Package {
        &self.solvables[s as usize].pkg
    }

    pub fn installed(&self, s: Sid) -> bool {
        self.solvables[s as usize].installed
    }

    pub fn group(&self, s: Sid) -> u32 {
        self.group_of[s as usize]
    }

    /// Groups holding packages named `name`.
    pub fn groups_named(&self, name: &str) -> &[u32] {
        self.by_name.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Does package `s` provide something satisfying `dep` (a capability or a file path)?
    pub fn provides(&self, s: Sid, dep: &Dependency) -> bool {
        let p = self.pkg(s);
        if p.provides.iter().any(|pr| pr.satisfies(dep)) {
            return true;
        }
        dep.name.starts_with('/') && p.files.contains(&dep.name)
    }

    /// Does package `s` match `dep` by its name and its own EVR (obsoletes, `install name X = V`)?
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
        let mut out: Vec<Sid> = Vec::new();
        if let Some(c) = self.providers.get(&dep.name) {
            out.extend(c.iter().copied().filter(|&s| self.provides(s, dep)));
        }
        if dep.name.starts_with('/') {
            if let Some(f) = self.files.get(&dep.name) {
                for &s in f {
                    if !out.contains(&s) {
                        out.push(s);
                    }
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
        let Some(cands) = self.obsoleting.get(self.pkg(s).name.as_str()) else {
            return Vec::new();
        };
        cands
            .iter()
            .copied()
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
