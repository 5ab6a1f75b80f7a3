//! Scenario tests (`Case::new(..).repo(..).installed(..).install(..).expect(..)`) through the
//! goal layer, and property tests that check every solution with an independent checker.

use super::{solve, Job, Pool, PoolOptions, Request, Sid};
use crate::ops::solve::{plan_on, PlanOptions};
use crate::rpm::{Dependency, Evr, Package};
use crate::solve::{Goal, Plan};
use proptest::prelude::*;

/// `name-[e:]v-r.arch` → a package with no dependencies.
fn p(nevra: &str) -> Package {
    let (rest, arch) = nevra.rsplit_once('.').expect("arch");
    let (rest, release) = rest.rsplit_once('-').expect("release");
    let (name, version) = rest.rsplit_once('-').expect("version");
    let ev = Evr::parse(version);
    Package {
        name: name.into(),
        evr: Evr::new(ev.epoch, ev.version, release),
        arch: arch.into(),
        size_package: 1000,
        ..Default::default()
    }
}

trait Deps {
    fn req(self, d: &str) -> Self;
    fn prv(self, d: &str) -> Self;
    fn con(self, d: &str) -> Self;
    fn obs(self, d: &str) -> Self;
    fn file(self, f: &str) -> Self;
}

impl Deps for Package {
    fn req(mut self, d: &str) -> Self {
        self.requires.push(Dependency::parse(d).unwrap());
        self
    }
    fn prv(mut self, d: &str) -> Self {
        self.provides.push(Dependency::parse(d).unwrap());
        self
    }
    fn con(mut self, d: &str) -> Self {
        self.conflicts.push(Dependency::parse(d).unwrap());
        self
    }
    fn obs(mut self, d: &str) -> Self {
        self.obsoletes.push(Dependency::parse(d).unwrap());
        self
    }
    fn file(mut self, f: &str) -> Self {
        self.files.push(f.into());
        self
    }
}

/// A solver scenario.
struct Case {
    name: &'static str,
    repo: Vec<Package>,
    installed: Vec<Package>,
    goal: Option<Goal>,
    kernel: Option<String>,
    locks: Vec<String>,
}

impl Case {
    fn new(name: &'static str) -> Case {
        Case {
            name,
            repo: Vec::new(),
            installed: Vec::new(),
            goal: None,
            kernel: None,
            locks: Vec::new(),
        }
    }
    /// A versionlock.list entry.
    fn lock(mut self, entry: &str) -> Case {
        self.locks.push(entry.into());
        self
    }
    fn repo(mut self, pkgs: impl IntoIterator<Item = Package>) -> Case {
        self.repo.extend(pkgs.into_iter().map(|mut p| {
            p.repo = "xcp-ng-base".into();
            p
        }));
        self
    }
    fn installed(mut self, pkgs: impl IntoIterator<Item = Package>) -> Case {
        self.installed.extend(pkgs.into_iter().map(|mut p| {
            p.repo = "@System".into();
            p
        }));
        self
    }
    fn running_kernel(mut self, k: &str) -> Case {
        self.kernel = Some(k.into());
        self
    }
    fn specs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }
    fn install(mut self, v: &[&str]) -> Case {
        self.goal = Some(Goal::Install(Self::specs(v)));
        self
    }
    fn update(mut self, v: &[&str]) -> Case {
        self.goal = Some(Goal::Update(Self::specs(v)));
        self
    }
    fn remove(mut self, v: &[&str]) -> Case {
        self.goal = Some(Goal::Remove(Self::specs(v)));
        self
    }
    fn downgrade(mut self, v: &[&str]) -> Case {
        self.goal = Some(Goal::Downgrade(Self::specs(v)));
        self
    }
    fn reinstall(mut self, v: &[&str]) -> Case {
        self.goal = Some(Goal::Reinstall(Self::specs(v)));
        self
    }
    fn run(&self) -> crate::Result<Plan> {
        let opts = PlanOptions {
            installonly: vec!["kernel".into()],
            protected_kernel: self.kernel.clone(),
            locks: self.locks.clone(),
            ..Default::default()
        };
        let avail = self.repo.iter().map(|p| (p.clone(), 99)).collect();
        plan_on(
            self.installed.clone(),
            avail,
            &opts,
            self.goal.as_ref().expect("a goal"),
        )
    }

    /// The plan as sorted lines: `install N`, `upgrade A -> B`, `downgrade A -> B`,
    /// `reinstall N`, `remove N`.
    #[track_caller]
    fn expect(self, want: &[&str]) {
        let plan = self
            .run()
            .unwrap_or_else(|e| panic!("{}: {}", self.name, e.chain()));
        let mut got: Vec<String> = Vec::new();
        let n = |p: &crate::rpm::package::PackageRef| {
            let e = if p.epoch != 0 {
                format!("{}:", p.epoch)
            } else {
                String::new()
            };
            format!("{}-{e}{}-{}.{}", p.name, p.version, p.release, p.arch)
        };
        got.extend(
            plan.install
                .iter()
                .map(|x| format!("install {}", n(&x.pkg))),
        );
        got.extend(
            plan.upgrade
                .iter()
                .map(|c| format!("upgrade {} -> {}", n(&c.from), n(&c.to))),
        );
        got.extend(
            plan.downgrade
                .iter()
                .map(|c| format!("downgrade {} -> {}", n(&c.from), n(&c.to))),
        );
        got.extend(
            plan.reinstall
                .iter()
                .map(|c| format!("reinstall {}", n(&c.to))),
        );
        got.extend(plan.remove.iter().map(|x| format!("remove {}", n(&x.pkg))));
        got.sort();
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "case `{}`", self.name);
    }

    /// No plan; the error message holds every `needle`.
    #[track_caller]
    fn expect_error(self, needles: &[&str]) -> crate::Error {
        let e = match self.run() {
            Ok(p) => panic!("case `{}`: expected an error, got {p:?}", self.name),
            Err(e) => e,
        };
        let text = format!("{}\nhint: {}", e.chain(), e.hint().unwrap_or_default());
        for n in needles {
            assert!(
                text.contains(n),
                "case `{}`: {n:?} not in:\n{text}",
                self.name
            );
        }
        e
    }
}

const K: &str = "4.19.0+1";

fn kernel(v: &str) -> Package {
    p(&format!("kernel-{v}.x86_64")).prv(&format!("kernel-uname-r = {K}"))
}

fn driver(nevra: &str) -> Package {
    p(nevra)
        .prv("vendor-driver")
        .req(&format!("kernel-uname-r = {K}"))
}

#[test]
fn alt_driver_installs_beside_the_supported_one() {
    Case::new("alt replaces supported")
        .installed([
            kernel("4.19.19-8.0.38.1.xcpng8.3"),
            driver("broadcom-bnxt-en-1.10.0-1.xcpng8.3.x86_64"),
        ])
        .repo([
            kernel("4.19.19-8.0.38.1.xcpng8.3"),
            driver("broadcom-bnxt-en-1.10.0-1.xcpng8.3.x86_64"),
            driver("broadcom-bnxt-en-alt-1.10.3-1.xcpng8.3.x86_64"),
        ])
        .install(&["broadcom-bnxt-en-alt"])
        .expect(&["install broadcom-bnxt-en-alt-1.10.3-1.xcpng8.3.x86_64"]);
}

#[test]
fn install_pulls_dependencies_and_keeps_installed_versions() {
    Case::new("dependencies")
        .installed([p("lib-1-1.x86_64").prv("libfoo.so.1")])
        .repo([
            p("lib-1-1.x86_64").prv("libfoo.so.1"),
            p("lib-2-1.x86_64").prv("libfoo.so.1"),
            p("app-1-1.x86_64").req("libfoo.so.1").req("helper >= 2"),
            p("helper-3-1.noarch"),
        ])
        .install(&["app"])
        .expect(&["install app-1-1.x86_64", "install helper-3-1.noarch"]);
}

#[test]
fn unversioned_provide_satisfies_a_versioned_requirement() {
    Case::new("unversioned provide")
        .repo([
            p("a-1-1.x86_64").req("cap >= 5"),
            p("b-1-1.x86_64").prv("cap"),
        ])
        .install(&["a"])
        .expect(&["install a-1-1.x86_64", "install b-1-1.x86_64"]);
}

#[test]
fn file_requires_use_the_files_of_primary() {
    Case::new("file requires")
        .repo([
            p("a-1-1.x86_64").req("/usr/sbin/depmod"),
            p("kmod-20-1.x86_64").file("/usr/sbin/depmod"),
        ])
        .install(&["a"])
        .expect(&["install a-1-1.x86_64", "install kmod-20-1.x86_64"]);
}

#[test]
fn install_only_kernel_keeps_the_old_one() {
    Case::new("install-only kernel")
        .installed([kernel("4.19.19-7.1")])
        .repo([kernel("4.19.19-7.1"), kernel("4.19.19-8.1")])
        .update(&[])
        .expect(&["install kernel-4.19.19-8.1.x86_64"]);
}

#[test]
fn obsoletes_replace_the_old_name_on_update() {
    Case::new("obsoletes")
        .installed([p("r8125-module-9.011-1.x86_64")])
        .repo([
            p("r8125-module-9.011-1.x86_64"),
            p("realtek-r8125-9.013-1.x86_64").obs("r8125-module < 9.013"),
        ])
        .update(&[])
        .expect(&[
            "install realtek-r8125-9.013-1.x86_64",
            "remove r8125-module-9.011-1.x86_64",
        ]);
}

#[test]
fn conflicts_are_explained_with_a_hint() {
    let e = Case::new("conflicts")
        .installed([p("zfs-old-1-1.x86_64")])
        .repo([p("kmod-zfs-2-1.x86_64").con("zfs-old")])
        .install(&["kmod-zfs"])
        .expect_error(&[
            "cannot install kmod-zfs",
            "kmod-zfs-2-1.x86_64 conflicts with zfs-old",
            "remove zfs-old too",
        ]);
    assert_eq!(e.kind(), "unsolvable");
}

#[test]
fn missing_dependency_suggests_enabling_testing() {
    Case::new("missing")
        .repo([p("r8125-module-alt-9.013-1.x86_64").req("kernel-uname-r = 4.19.0+2")])
        .install(&["r8125-module-alt"])
        .expect_error(&[
            "requires kernel-uname-r = 4.19.0+2, but nothing provides it",
            "enable a repo",
            "xcp-ng-testing",
        ]);
}

#[test]
fn protected_packages_are_never_removed() {
    let host = || {
        Case::new("protected")
            .installed([
                kernel("4.19.19-8.1"),
                p("vendor-drivers-1.0-1.x86_64").req("broadcom-bnxt-en"),
                driver("broadcom-bnxt-en-1.10.0-1.x86_64"),
            ])
            .running_kernel(K)
    };
    host()
        .remove(&["vendor-drivers"])
        .expect_error(&["refusing to remove vendor-drivers", "protected"]);
    host()
        .remove(&["kernel"])
        .expect_error(&["protected", "running kernel"]);
    host().remove(&["broadcom-bnxt-en"]).expect_error(&[
        "cannot remove broadcom-bnxt-en",
        "vendor-drivers-1.0-1.x86_64 is protected",
    ]);
}

#[test]
fn remove_takes_dependents_along() {
    Case::new("dependents")
        .installed([
            p("a-1-1.x86_64"),
            p("b-1-1.x86_64").req("a"),
            p("c-1-1.x86_64").req("b"),
            p("d-1-1.x86_64"),
        ])
        .remove(&["a"])
        .expect(&[
            "remove a-1-1.x86_64",
            "remove b-1-1.x86_64",
            "remove c-1-1.x86_64",
        ]);
}

#[test]
fn remove_keeps_packages_with_another_installed_provider() {
    Case::new("other provider")
        .installed([
            p("a-1-1.x86_64").prv("cap"),
            p("a2-1-1.x86_64").prv("cap"),
            p("b-1-1.x86_64").req("cap"),
        ])
        .repo([p("a3-1-1.x86_64").prv("cap")])
        .remove(&["a"])
        .expect(&["remove a-1-1.x86_64"]);
}

#[test]
fn update_named_and_all() {
    let case = || {
        Case::new("update")
            .installed([p("a-1-1.x86_64"), p("b-1-1.x86_64")])
            .repo([p("a-2-1.x86_64"), p("a-3-1.x86_64"), p("b-2-1.x86_64")])
    };
    case()
        .update(&["a"])
        .expect(&["upgrade a-1-1.x86_64 -> a-3-1.x86_64"]);
    case().update(&[]).expect(&[
        "upgrade a-1-1.x86_64 -> a-3-1.x86_64",
        "upgrade b-1-1.x86_64 -> b-2-1.x86_64",
    ]);
}

#[test]
fn install_upgrades_only_what_it_must() {
    Case::new("minimal upgrades")
        .installed([p("lib-1-1.x86_64"), p("other-1-1.x86_64")])
        .repo([
            p("lib-2-1.x86_64"),
            p("other-2-1.x86_64"),
            p("app-1-1.x86_64").req("lib >= 2"),
        ])
        .install(&["app"])
        .expect(&[
            "install app-1-1.x86_64",
            "upgrade lib-1-1.x86_64 -> lib-2-1.x86_64",
        ]);
}

#[test]
fn downgrade_and_reinstall() {
    let case = || {
        Case::new("downgrade")
            .installed([p("intel-igb-5.12-1.x86_64")])
            .repo([
                p("intel-igb-5.10-1.x86_64"),
                p("intel-igb-5.11-1.x86_64"),
                p("intel-igb-5.12-1.x86_64"),
            ])
    };
    case()
        .downgrade(&["intel-igb"])
        .expect(&["downgrade intel-igb-5.12-1.x86_64 -> intel-igb-5.11-1.x86_64"]);
    case()
        .reinstall(&["intel-igb"])
        .expect(&["reinstall intel-igb-5.12-1.x86_64"]);
}

#[test]
fn multilib_installs_the_host_arch() {
    Case::new("multilib")
        .repo([p("glibc-2.17-1.x86_64"), p("glibc-2.17-1.i686")])
        .install(&["glibc"])
        .expect(&["install glibc-2.17-1.x86_64"]);
    Case::new("multilib side by side")
        .installed([p("glibc-2.17-1.x86_64")])
        .repo([p("glibc-2.17-1.x86_64"), p("glibc-2.17-1.i686")])
        .install(&["glibc.i686"])
        .expect(&["install glibc-2.17-1.i686"]);
}

#[test]
fn provider_choice_follows_libsolv() {
    // Checked against testsolv: names in byte order (not the one named like the capability)…
    Case::new("byte order of names")
        .repo([
            p("a-1-1.x86_64").req("mta"),
            p("exim-1-1.x86_64").prv("mta"),
            p("mta-1-1.x86_64"),
        ])
        .install(&["a"])
        .expect(&["install a-1-1.x86_64", "install exim-1-1.x86_64"]);
    // …unless one provides a higher version of a capability they share…
    Case::new("highest provide")
        .repo([
            p("x-1-1.x86_64").req("y"),
            p("b-1-1.x86_64").prv("y = 1"),
            p("c-1-1.x86_64").prv("y = 2"),
        ])
        .install(&["x"])
        .expect(&["install c-1-1.x86_64", "install x-1-1.x86_64"]);
    // …or obsoletes the other…
    Case::new("obsoleting candidate")
        .repo([
            p("app-1-1.x86_64").req("libx >= 1"),
            p("libx-2-1.x86_64"),
            p("shim-1-1.x86_64").prv("libx = 1").obs("libx"),
        ])
        .install(&["app"])
        .expect(&["install app-1-1.x86_64", "install shim-1-1.x86_64"]);
    // …and a 64-bit candidate beats a 32-bit one.
    Case::new("best arch")
        .repo([
            p("q-1-1.x86_64").req("z"),
            p("zz-1-1.i686").prv("z"),
            p("zzz-1-1.x86_64").prv("z"),
        ])
        .install(&["q"])
        .expect(&["install q-1-1.x86_64", "install zzz-1-1.x86_64"]);
}

#[test]
fn not_found_names_the_spec() {
    let e = Case::new("unknown")
        .repo([p("a-1-1.x86_64")])
        .install(&["nope"])
        .expect_error(&["`nope`"]);
    assert_eq!(e.kind(), "not-found");
}

// ---- property tests: an independent checker ---------------------------------------------

/// Does any package in `set` provide `d`?
fn provided(pool: &Pool, set: &[Sid], d: &Dependency) -> bool {
    set.iter().any(|&s| {
        let p = pool.pkg(s);
        p.provides
            .iter()
            .any(|pr| pr.name == d.name && crate::rpm::dep::ranges_overlap(pr, d))
            || p.files.contains(&d.name)
    })
}

/// Every rule an installed set must obey, checked without the solver's code paths.
fn check(pool: &Pool, req: &Request, set: &[Sid]) -> Result<(), String> {
    let inst: Vec<Sid> = pool.installed_ids().collect();
    for &s in set {
        let p = pool.pkg(s);
        for d in &p.requires {
            let broken_before = pool.installed(s) && !provided(pool, &inst, d);
            if !broken_before && !provided(pool, set, d) {
                return Err(format!("{} requires {d}: unmet", p.nevra()));
            }
        }
        for &o in set {
            if o == s {
                continue;
            }
            let q = pool.pkg(o);
            let same_identity = q.name == p.name && q.arch == p.arch;
            if same_identity {
                return Err(format!(
                    "two versions of {}: {} and {}",
                    p.name_arch(),
                    p.nevra(),
                    q.nevra()
                ));
            }
            if p.conflicts.iter().any(|c| provided(pool, &[o], c)) {
                return Err(format!("{} conflicts with {}", p.nevra(), q.nevra()));
            }
            if p.obsoletes
                .iter()
                .any(|c| q.name == c.name && pool.named(o, c))
            {
                return Err(format!("{} obsoletes {}", p.nevra(), q.nevra()));
            }
        }
    }
    for j in &req.jobs {
        if let Job::Install(c) = j {
            if !c.iter().any(|s| set.contains(s)) {
                return Err("an install job is not satisfied".into());
            }
        }
    }
    for &i in &inst {
        // Kept, or replaced by a newer version or an obsoleter (never silently dropped).
        let pi = pool.pkg(i);
        let updated = set.iter().any(|&s| {
            let q = pool.pkg(s);
            q.name == pi.name && q.arch == pi.arch && q.evr_cmp(pi).is_ge()
        });
        if req.protected.contains(&i) && !updated {
            return Err(format!("protected {} removed", pi.nevra()));
        }
        let replaced = set.iter().any(|&s| {
            let q = pool.pkg(s);
            (q.name == pi.name && q.arch == pi.arch && q.evr_cmp(pi).is_ge())
                || q.obsoletes.iter().any(|d| pool.named(i, d))
        });
        if !req.allow_uninstall && !replaced && !set.contains(&i) {
            return Err(format!("installed {} dropped", pi.nevra()));
        }
    }
    Ok(())
}

fn arb_dep(names: &'static [&'static str]) -> impl Strategy<Value = String> {
    (0..names.len(), 0..4usize, 1..4u32).prop_map(move |(n, op, v)| match op {
        0 => names[n].to_string(),
        1 => format!("{} >= {v}", names[n]),
        2 => format!("{} < {v}", names[n]),
        _ => format!("{} = {v}", names[n]),
    })
}

const NAMES: &[&str] = &["a", "b", "c", "d"];

fn arb_pkg() -> impl Strategy<Value = Package> {
    (
        0..NAMES.len(),
        1..4u32,
        prop::collection::vec(arb_dep(NAMES), 0..3),
        prop::collection::vec(arb_dep(NAMES), 0..2),
        prop::collection::vec(arb_dep(NAMES), 0..2),
        any::<bool>(),
    )
        .prop_map(|(n, v, req, con, obs, prv)| {
            let mut pk = p(&format!("{}-{v}-1.x86_64", NAMES[n]));
            for d in req {
                pk = pk.req(&d);
            }
            for d in con {
                pk = pk.con(&d);
            }
            if prv {
                pk = pk.prv("cap");
            }
            // Few obsoletes, or nothing would ever be installable.
            if v == 3 {
                for d in obs.into_iter().take(1) {
                    pk = pk.obs(&d);
                }
            }
            pk
        })
}

/// Every subset of a tiny pool: is there one the checker accepts?
fn brute_force(pool: &Pool, req: &Request) -> Option<Vec<Sid>> {
    let n = pool.len();
    (0u32..(1 << n)).find_map(|mask| {
        let set: Vec<Sid> = (0..n as Sid).filter(|&s| mask & (1 << s) != 0).collect();
        check(pool, req, &set).is_ok().then_some(set)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn every_solution_passes_the_checker_and_unsolvable_means_impossible(
        repo in prop::collection::vec(arb_pkg(), 1..6),
        installed in prop::collection::vec(arb_pkg(), 0..3),
        target in 0..NAMES.len(),
        protect_first in any::<bool>(),
    ) {
        // One package per NEVRA, and a consistent installed set (one version per name).
        let mut inst: Vec<Package> = Vec::new();
        for mut p in installed {
            if !inst.iter().any(|q| q.name == p.name) {
                p.repo = "@System".into();
                inst.push(p);
            }
        }
        let mut avail: Vec<(Package, i32)> = Vec::new();
        for mut p in repo {
            if !avail.iter().any(|(q, _)| q.nevra() == p.nevra()) && !inst.iter().any(|q| q.nevra() == p.nevra()) {
                p.repo = "repo".into();
                avail.push((p, 99));
            }
        }
        let pool = Pool::new(inst, avail, PoolOptions { multilib: true, installonly: Vec::new() });
        let mut req = Request::default();
        let want: Vec<Sid> = (0..pool.len() as Sid).filter(|&s| pool.pkg(s).name == NAMES[target]).collect();
        if !want.is_empty() {
            req.jobs.push(Job::Install(want));
        }
        if protect_first {
            if let Some(s) = pool.installed_ids().next() {
                req.protected.insert(s);
            }
        }
        match solve(&pool, &req) {
            Ok(sol) => {
                if let Err(e) = check(&pool, &req, &sol.chosen) {
                    let names: Vec<String> = sol.chosen.iter().map(|&s| pool.pkg(s).nevra()).collect();
                    prop_assert!(false, "invalid solution {:?}: {}", names, e);
                }
            }
            Err(u) => {
                let found = brute_force(&pool, &req);
                prop_assert!(found.is_none(), "unsolvable ({:?}) but {:?} works", u.reasons,
                    found.map(|f| f.iter().map(|&s| pool.pkg(s).nevra()).collect::<Vec<_>>()));
                prop_assert!(!u.reasons.is_empty());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// A pool over repository stores (indexes precomputed, records decoded on demand) answers
    /// exactly as a pool over the same records in memory: same candidates, same solution.
    #[test]
    fn store_backed_pool_solves_as_the_in_memory_pool(
        repo in prop::collection::vec(arb_pkg(), 1..8),
        installed in prop::collection::vec(arb_pkg(), 0..3),
        split in 0..8usize,
        target in 0..NAMES.len(),
    ) {
        use crate::repo::store::{self, Store};
        use super::pool::Source;
        use std::sync::Arc;
        let mut inst: Vec<Package> = Vec::new();
        for mut p in installed {
            if !inst.iter().any(|q| q.name == p.name) {
                p.repo = "@System".into();
                inst.push(p);
            }
        }
        let mut avail: Vec<Package> = Vec::new();
        for p in repo {
            if !avail.iter().any(|q| q.nevra() == p.nevra()) {
                avail.push(p);
            }
        }
        // Two repos: the first `split` packages in "a" (priority 10), the rest in "b" (99).
        let split = split.min(avail.len());
        let (a, b) = avail.split_at(split);
        let with_repo = |pkgs: &[Package], repo: &str| -> Vec<Package> {
            pkgs.iter().cloned().map(|mut p| { p.repo = repo.into(); p }).collect()
        };
        let (a, b) = (with_repo(a, "a"), with_repo(b, "b"));
        let mem_avail: Vec<(Package, i32)> = a.iter().map(|p| (p.clone(), 10))
            .chain(b.iter().map(|p| (p.clone(), 99))).collect();
        let opts = PoolOptions { multilib: true, installonly: vec!["n1".into()] };
        let mem = Pool::new(inst.clone(), mem_avail, opts.clone());
        let st = |pkgs: &[Package], repo: &str, priority| Source::Store {
            store: Arc::new(Store::from_words(store::build("k", pkgs), "k").unwrap()),
            repo: repo.into(),
            priority,
            keep: None,
        };
        let stored = Pool::from_sources(inst, vec![st(&a, "a", 10), st(&b, "b", 99)], opts);
        prop_assert_eq!(mem.len(), stored.len());
        prop_assert_eq!(&mem.group_of, &stored.group_of);
        let io = |p: &Pool| p.groups.iter().map(|g| g.installonly).collect::<Vec<_>>();
        prop_assert_eq!(io(&mem), io(&stored));
        for s in 0..mem.len() as Sid {
            prop_assert_eq!(mem.pkg(s), stored.pkg(s));
            prop_assert_eq!(mem.obsoleters_of(s), stored.obsoleters_of(s));
            for d in mem.pkg(s).requires.iter().chain(&mem.pkg(s).conflicts) {
                prop_assert_eq!(mem.what_provides(d), stored.what_provides(d));
            }
        }
        for n in NAMES {
            prop_assert_eq!(mem.groups_named(n), stored.groups_named(n));
        }
        let mut req = Request::default();
        let want: Vec<Sid> = (0..mem.len() as Sid).filter(|&s| mem.name(s) == NAMES[target]).collect();
        if !want.is_empty() {
            req.jobs.push(Job::Install(want));
        }
        let (x, y) = (solve(&mem, &req), solve(&stored, &req));
        match (x, y) {
            (Ok(x), Ok(y)) => prop_assert_eq!(x.steps, y.steps),
            (Err(_), Err(_)) => {}
            (x, y) => prop_assert!(false, "memory {:?} vs store {:?}", x.is_ok(), y.is_ok()),
        }
    }
}

#[test]
fn testcase_format_round_trip() {
    let t = "repo system 0 testtags <inline>\n#>=Pkg: a 1 1 noarch\nrepo available 0 testtags <inline>\n#>=Pkg: a 2 1 noarch\n#>=Pkg: b 1 1 noarch\n#>=Req: a > 1\nsystem x86_64 rpm system\njob install name b\nresult transaction,problems <inline>\n#>install b-1-1.noarch@available\n#>upgrade a-1-1.noarch@system a-2-1.noarch@available\n";
    let (out, ok) = super::testcase::run_text(t);
    assert!(ok, "{out}");
    let wrong = t.replace("#>install b", "#>install c");
    assert!(!super::testcase::run_text(&wrong).1);
    let unsupported = t.replace(
        "job install name b",
        "job install name b\nsolverflags strongrecommends",
    );
    let (out, ok) = super::testcase::run_text(&unsupported);
    assert!(
        !ok && out.contains("unsupported: solver flag `strongrecommends`"),
        "{out}"
    );
}

#[test]
fn held_back_versions_are_named_only_when_the_problem_is_about_them() {
    // lib-2 is held back by a lock, and app-2 needs it.
    Case::new("held")
        .installed([p("app-1-1.x86_64"), p("lib-1-1.x86_64")])
        .repo([
            p("app-2-1.x86_64").req("lib >= 2"),
            p("lib-2-1.x86_64").prv("lib = 2-1"),
        ])
        .lock("lib-1-1.x86_64")
        .install(&["app-2"])
        .expect_error(&["lib-2-1.x86_64 is held back", "versionlock.list"]);
    // The problem is about glibc; the held-back lib (a substring of "glibc") is not named.
    let e = Case::new("unrelated")
        .repo([
            p("app-1-1.x86_64").req("glibc"),
            p("lib-1-1.x86_64"),
            p("lib-2-1.x86_64"),
        ])
        .lock("lib-1-1.x86_64")
        .install(&["app"])
        .expect_error(&["requires glibc, but nothing provides it"]);
    let text = format!("{}\n{}", e.chain(), e.hint().unwrap_or_default());
    assert!(!text.contains("held back"), "{text}");
}
