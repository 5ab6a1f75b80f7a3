//! The solver's view of the packages: every candidate (installed or available) with its
//! identity group, and the indexes the provider needs ("who provides X", "who is named X").

use crate::rpm::dep::{evr_ranges_overlap, Sense};
use crate::rpm::{Dependency, Package};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

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
    providers: HashMap<String, Vec<Sid>>,
    /// File path → packages holding it (from primary's file lists).
    files: HashMap<String, Vec<Sid>>,
    /// Package name → groups with packages of that name.
    by_name: HashMap<String, Vec<u32>>,
    what_provides: RefCell<HashMap<Dependency, Rc<Vec<Sid>>>>,
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
            providers: HashMap::new(),
            files: HashMap::new(),
            by_name: HashMap::new(),
            what_provides: RefCell::new(HashMap::new()),
        };
        pool.index();
        pool
    }

    fn group_key(&self, p: &Package) -> String {
        if self.options.multilib {
            format!("{}.{}", p.name, p.arch)
        } else {
            p.name.clone()
        }
    }

    fn index(&mut self) {
        let mut keys: HashMap<String, u32> = HashMap::new();
        for (i, s) in self.solvables.iter_mut().enumerate() {
            let sp = self_provide(&s.pkg);
            if !s
                .pkg
                .provides
                .iter()
                .any(|d| d.name == sp.name && d.evr.as_ref() == sp.evr.as_ref())
            {
                s.pkg.provides.push(sp);
            }
            let _ = i;
        }
        for i in 0..self.solvables.len() {
            let key = self.group_key(&self.solvables[i].pkg);
            let name = self.solvables[i].pkg.name.clone();
            let g = *keys.entry(key.clone()).or_insert_with(|| {
                self.groups.push(Group {
                    key,
                    name: name.clone(),
                    members: Vec::new(),
                    installonly: false,
                });
                let g = (self.groups.len() - 1) as u32;
                self.by_name.entry(name.clone()).or_default().push(g);
                g
            });
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
            let mut seen: Vec<&str> = Vec::new();
            for d in &s.pkg.provides {
                if !seen.contains(&d.name.as_str()) {
                    seen.push(&d.name);
                    self.providers
                        .entry(d.name.clone())
                        .or_default()
                        .push(i as Sid);
                }
            }
            for f in &s.pkg.files {
                self.files.entry(f.clone()).or_default().push(i as Sid);
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
        (0..self.len() as Sid)
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
