//! XAPI's multi-version driver API served for XCP-ng's scheme (`driver-tool`): the list of
//! drivers and variants ([`crate::modules::variants`]), and selecting a variant, which is a package
//! transaction like `install`/`remove` (signatures and checksums checked, module impact
//! computed first), refused before anything changes unless the plan makes that variant's copy
//! win, checked against the real `modules.dep` after, and taken back (history undo) if it
//! does not.

use super::transaction::{history_undo, run_goal, Impact, TxResult};
use super::Context;
use crate::error::{Error, Result};
use crate::modules::classify;
use crate::modules::inventory::Inventory;
use crate::modules::pci::{self, Device};
use crate::modules::variants::{families, Driver, Role, Variant};
use crate::rpm::Package;
use crate::solve::Goal;
use std::collections::BTreeMap;

/// Everything `driver-tool` and `hardware` need, read once.
pub struct HostDrivers {
    pub inventory: Inventory,
    pub devices: Vec<Device>,
    pub drivers: Vec<Driver>,
    /// Driver packages available in enabled repos (newest per name), with the repo.
    pub available: Vec<Package>,
    /// False when an enabled repo could not be read (the list has installed variants only,
    /// or some of the available ones).
    pub repos_complete: bool,
    /// The module aliases of available packages not installed, read from the packages
    /// (cached, or fetched with `fetch`), by package name.
    pub aliases: PackageAliases,
    /// Available packages not installed whose aliases are not known.
    pub unread: usize,
    /// The names of the installed packages.
    pub installed: std::collections::BTreeSet<String>,
}

/// Module name → its `alias=` values, for each package name.
pub type PackageAliases = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// Read the host's drivers: the module inventory of the target kernel, its PCI devices, the
/// installed and available driver packages, the aliases known of those not installed (with
/// `fetch`: read from the packages, downloaded and verified first).
pub fn host_drivers(ctx: &Context<'_>, fetch: bool) -> Result<HostDrivers> {
    let inventory =
        crate::modules::inventory::inventory(ctx.root(), ctx.settings.kernel.as_deref(), &[])?;
    let devices = pci::devices(ctx.root());
    let installed = ctx.installed().unwrap_or_default();
    let (repos, available, repos_complete) = available_drivers(ctx);
    let names: std::collections::BTreeSet<String> =
        installed.iter().map(|p| p.name.clone()).collect();
    let not_installed: Vec<&Package> = available
        .iter()
        .filter(|p| !names.contains(&p.name))
        .collect();
    let (aliases, unread) = repo_aliases(ctx, &repos, &not_installed, fetch);
    let drivers = families(&inventory, &devices, &installed, &available, &aliases);
    Ok(HostDrivers {
        inventory,
        devices,
        drivers,
        available,
        repos_complete,
        aliases,
        unread,
        installed: names,
    })
}

/// The enabled repos that open, and the newest driver package of each name in them; false
/// when one did not open (said on stderr).
fn available_drivers(ctx: &Context<'_>) -> (Vec<crate::repo::Repo>, Vec<Package>, bool) {
    let n = ctx.config.enabled_repos().count();
    let repos = ctx.open_repos_lenient(true);
    let complete = repos.len() == n;
    let pkgs = match ctx.available(&repos, crate::repo::cache::Detail::Full) {
        Ok(p) => p,
        Err(e) => {
            ctx.reporter.warn(&format!(
                "the driver packages of the repos are not known ({e}): installed variants only"
            ));
            return (repos, Vec::new(), false);
        }
    };
    let drivers: Vec<Package> = pkgs.into_iter().filter(|p| classify(p).is_some()).collect();
    let mut newest = super::newest_per_name_arch(drivers);
    add_module_files(ctx, &repos, &mut newest);
    (repos, newest, complete)
}

/// The module files of repo packages, from their repos' `filelists` (primary lists none):
/// which modules a package ships decides the family it joins. A repo without file lists
/// leaves its packages to XCP-ng's naming conventions.
fn add_module_files(ctx: &Context<'_>, repos: &[crate::repo::Repo], pkgs: &mut [Package]) {
    let is_module = |f: &str| crate::modules::depmod::parse_module_path(f).is_some();
    for r in repos {
        if !pkgs.iter().any(|p| p.repo == r.config.id) {
            continue;
        }
        match r.files_matching(is_module, &ctx.fetcher, ctx.settings.cache) {
            Ok(Some(found)) => {
                let mut by_id: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for (id, f) in found {
                    by_id.entry(id.to_ascii_lowercase()).or_default().push(f);
                }
                for p in pkgs.iter_mut().filter(|p| p.repo == r.config.id) {
                    if let Some(fs) = by_id.remove(&p.checksum.value.to_ascii_lowercase()) {
                        p.files.extend(fs);
                    }
                }
            }
            Ok(None) => {}
            Err(e) => ctx.reporter.warn(&format!(
                "the module files of {}'s packages are not known ({e}): read from their names",
                r.config.id
            )),
        }
    }
}

/// What a selection did.
#[derive(Debug, Clone)]
pub struct Selection {
    pub driver: String,
    pub variant: String,
    /// The transaction (none when the variant already won).
    pub result: Option<TxResult>,
}

/// `driver-tool -l`: the drivers and their variants; with the repos unreachable, the
/// installed variants only (said on stderr).
pub fn list(ctx: &Context<'_>) -> Result<HostDrivers> {
    let h = host_drivers(ctx, false)?;
    if !h.repos_complete {
        ctx.reporter
            .warn("not every enabled repo could be read: variants available there are not listed");
    }
    Ok(h)
}

fn find_driver<'a>(h: &'a HostDrivers, name: &str) -> Result<&'a Driver> {
    h.drivers.iter().find(|d| d.name == name).ok_or_else(|| {
        let known: Vec<&str> = h.drivers.iter().map(|d| d.name.as_str()).collect();
        Error::NotFound {
            what: format!("no driver named `{name}` on this host"),
            hint: Some(format!(
                "`xcpng-mod driver-tool -l` lists them: {}",
                if known.is_empty() {
                    "none here".to_string()
                } else {
                    known.join(", ")
                }
            )),
        }
    })
}

/// `driver-tool -s -n DRIVER -v VARIANT`: make the variant's copy win.
pub fn select(ctx: &Context<'_>, driver: &str, variant: &str, force: bool) -> Result<Selection> {
    let h = host_drivers(ctx, false)?;
    let d = find_driver(&h, driver)?;
    let v = d.variant(variant).ok_or_else(|| Error::NotFound {
        what: format!("driver `{driver}` has no variant `{variant}`"),
        hint: Some(format!(
            "its variants: {}",
            d.variants
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    })?;
    if !v.hardware_present() && !force {
        return Err(Error::Failed {
            what: format!(
                "variant `{variant}` of `{driver}` drives no device of this host (XAPI refuses it too: HOST_DRIVER_NO_HARDWARE)"
            ),
            hint: Some("`xcpng-mod hardware` shows the devices and what drives them; --force selects it anyway".into()),
        });
    }
    apply(ctx, &h.inventory.kernel, d, v)
}

/// `driver-tool -d DRIVER`: back to the default variant (supported, else the kernel's).
pub fn deselect(ctx: &Context<'_>, driver: &str) -> Result<Selection> {
    let h = host_drivers(ctx, false)?;
    let d = find_driver(&h, driver)?;
    let v = d.default_variant().ok_or_else(|| Error::Failed {
        what: format!("driver `{driver}` has no supported or kernel variant to go back to"),
        hint: Some(format!(
            "remove its packages: `xcpng-mod remove {}`",
            packages(d).join(" ")
        )),
    })?;
    apply(ctx, &h.inventory.kernel, d, v)
}

fn packages(d: &Driver) -> Vec<&str> {
    d.variants
        .iter()
        .filter(|v| v.installed.is_some() && v.role != Role::Builtin)
        .map(|v| v.package.as_str())
        .collect()
}

/// The one transaction that makes `v` win: install its package, remove the installed
/// packages of the family that outrank it, or both at once (a swap: one alternate for
/// another, which ship the same file).
fn goal_for(d: &Driver, v: &Variant) -> Option<Goal> {
    let install = v.role != Role::Builtin && v.installed.is_none();
    let outrank: Vec<String> = d
        .variants
        .iter()
        .filter(|o| {
            o.name != v.name
                && o.role != Role::Builtin
                && o.installed.is_some()
                && o.priority >= v.priority
        })
        .map(|o| o.package.clone())
        .collect();
    match (install, outrank.is_empty()) {
        (false, true) => None,
        (true, true) => Some(Goal::Install(vec![v.package.clone()])),
        (false, false) => Some(Goal::Remove(outrank)),
        (true, false) => Some(Goal::Swap {
            remove: outrank,
            install: vec![v.package.clone()],
        }),
    }
}

/// The depmod.d file that keeps the kernel's own copy of `module` winning over packaged ones
/// (XCP-ng 7.x kept alternates the same way: one `override` line per module).
fn override_conf(module: &str) -> String {
    format!("/etc/depmod.d/xcpng-mod-{module}.conf")
}

/// Select the kernel's copy while packages that outrank it stay installed (the supported one
/// is required by `vendor-drivers`): an `override` line for the module, depmod, and the
/// winner checked; taken back when it does not win.
fn select_builtin(ctx: &Context<'_>, kernel: &str, d: &Driver, v: &Variant) -> Result<()> {
    let path = v.path.as_deref().unwrap_or_default();
    let subdir = path
        .strip_prefix(&format!("/lib/modules/{kernel}/"))
        .and_then(|rel| rel.rsplit_once('/'))
        .map(|(dir, _)| dir)
        .ok_or_else(|| Error::Failed {
            what: format!(
                "the kernel's copy of {} is not under /lib/modules/{kernel}",
                d.module
            ),
            hint: None,
        })?;
    let conf = ctx.root().join(override_conf(&d.module));
    let text = format!(
        "# Written by `xcpng-mod driver-tool`: the kernel's own {m} wins over packaged copies\n\
         # (XAPI selected variant builtin of {name}). `xcpng-mod driver-tool -d {name}` removes it.\n\
         override {m} * {subdir}\n",
        m = d.module,
        name = d.name
    );
    crate::hostfs::write_atomic(&conf, text.as_bytes()).map_err(|e| Error::Io {
        path: conf.clone(),
        source: e,
    })?;
    let winner = crate::modules::inventory::run_depmod(ctx.root(), Some(kernel))
        .map_err(Error::from)
        .and_then(|_| winner_path(ctx, kernel, &d.module));
    match winner {
        Ok(Some(w)) if w == path => Ok(()),
        other => {
            let _ = crate::hostfs::remove_file(&conf);
            let _ = crate::modules::inventory::run_depmod(ctx.root(), Some(kernel));
            Err(Error::Failed {
                what: format!(
                    "the override did not make the kernel's {} win ({}); it was taken back",
                    d.module,
                    match other {
                        Ok(w) => format!("{} wins", w.unwrap_or_else(|| "no copy".into())),
                        Err(e) => e.to_string(),
                    }
                ),
                hint: Some(format!(
                    "`xcpng-mod module show {}` shows the copies",
                    d.module
                )),
            })
        }
    }
}

/// The copy of `module` the real modules.dep gives (host path).
fn winner_path(ctx: &Context<'_>, kernel: &str, module: &str) -> Result<Option<String>> {
    let inv = crate::modules::inventory::inventory(
        ctx.root(),
        Some(kernel),
        std::slice::from_ref(&module.to_string()),
    )?;
    Ok(inv.modules.into_iter().next().map(|e| {
        let w = e.winner().path.clone();
        e.modules_dep.unwrap_or(w)
    }))
}

/// Drop a builtin selection (its override), so that the packages decide again.
fn drop_override(ctx: &Context<'_>, kernel: &str, module: &str) -> Result<bool> {
    let conf = ctx.root().join(override_conf(module));
    if !conf.exists() {
        return Ok(false);
    }
    crate::hostfs::remove_file(&conf).map_err(|e| Error::Io {
        path: conf.clone(),
        source: e,
    })?;
    crate::modules::inventory::run_depmod(ctx.root(), Some(kernel))?;
    Ok(true)
}

/// Make `v` win, or change nothing.
fn apply(ctx: &Context<'_>, kernel: &str, d: &Driver, v: &Variant) -> Result<Selection> {
    let done = |result| Selection {
        driver: d.name.clone(),
        variant: v.name.clone(),
        result,
    };
    let p = super::transaction::paths(ctx);
    if v.role == Role::Builtin {
        if d.selected.map(|i| d.variants[i].name.as_str()) == Some(v.name.as_str()) {
            return Ok(done(None));
        }
        if ctx.settings.assumeno {
            return Ok(done(None));
        }
        let _lock = super::transaction::guard(ctx, &p, false)?;
        select_builtin(ctx, kernel, d, v)?;
        return Ok(done(None));
    }
    if !ctx.settings.assumeno {
        let _lock = super::transaction::guard(ctx, &p, false)?;
        if drop_override(ctx, kernel, &d.module)? {
            // The packages decide again: read the family afresh.
            let h = host_drivers(ctx, false)?;
            let d2 = find_driver(&h, &d.name)?;
            let v2 = d2.variant(&v.name).unwrap_or(v).clone();
            let d2 = d2.clone();
            drop(_lock);
            return apply(ctx, kernel, &d2, &v2);
        }
    }
    let Some(goal) = goal_for(d, v) else {
        if d.selected.map(|i| d.variants[i].name.as_str()) == Some(v.name.as_str()) {
            return Ok(done(None));
        }
        return Err(Error::Failed {
            what: format!(
                "variant `{}` of `{}` is installed but another copy of {} wins, and no package change makes it win",
                v.name, d.name, d.module
            ),
            hint: Some(format!("`xcpng-mod module show {}` shows the copies and why one wins", d.module)),
        });
    };
    let module = d.module.clone();
    let want = v.package.clone();
    let confirm = |_: &crate::solve::Plan, impact: &Impact, _: u64| -> Result<bool> {
        let m = impact
            .modules
            .iter()
            .find(|m| m.module == module && m.kernel == kernel);
        let after = m.and_then(|m| m.after.as_ref());
        match after {
            Some(a) if a.package.as_deref() == Some(want.as_str()) => Ok(true),
            _ => Err(Error::Failed {
                what: format!(
                    "the plan would not make {want}'s copy of {module} win (after it: {}); nothing was changed",
                    after
                        .map(|a| format!("{} of {}", a.path, a.package.as_deref().unwrap_or("no package")))
                        .unwrap_or_else(|| "no change of its copies".into())
                ),
                hint: Some("`xcpng-mod --assumeno` with the same install or remove shows the plan".into()),
            }),
        }
    };
    let command = vec![
        "driver-tool".to_string(),
        "-s".into(),
        "-n".into(),
        d.name.clone(),
        "-v".into(),
        v.name.clone(),
    ];
    let result = run_goal(ctx, &goal, &command, &confirm)?;
    if result.transaction.is_none() {
        // --assumeno: the plan only, checked as it would be before running.
        confirm(&result.plan, &result.impact, 0)?;
        return Ok(done(Some(result)));
    }
    check_winner(ctx, d, v, &result)?;
    Ok(done(Some(result)))
}

/// After the transaction: the real `modules.dep` must give the variant's copy; if not, the
/// transaction is taken back and the selection fails.
fn check_winner(ctx: &Context<'_>, d: &Driver, v: &Variant, result: &TxResult) -> Result<()> {
    let inv = crate::modules::inventory::inventory(
        ctx.root(),
        ctx.settings.kernel.as_deref(),
        std::slice::from_ref(&d.module),
    );
    let winner = inv.ok().and_then(|i| {
        let e = i.modules.into_iter().next()?;
        let w = e.winner().clone();
        Some((e.modules_dep.unwrap_or(w.path.clone()), w.package))
    });
    let ok = match (&winner, v.role) {
        (Some((_, Some(p))), _) => *p == v.package,
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let id = result.transaction.as_ref().and_then(|t| t.id);
    let undone = id.map(|id| {
        let yes = |_: &crate::solve::Plan, _: &Impact, _: u64| Ok(true);
        history_undo(ctx, id, false, &["driver-tool".into(), "undo".into()], &yes).is_ok()
    });
    Err(Error::Failed {
        what: format!(
            "after the change {} wins for {}, not {}'s copy{}",
            winner
                .as_ref()
                .map(|(p, _)| p.clone())
                .unwrap_or_else(|| "no copy".into()),
            d.module,
            v.package,
            match undone {
                Some(true) => "; the transaction was taken back",
                Some(false) => "; taking the transaction back failed",
                None => "",
            }
        ),
        hint: id.map(|id| format!("`xcpng-mod history info {id}` shows what was done")),
    })
}

// ---------------------------------------------------------------- hardware

/// A module copy on disk whose aliases match a device.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub module: String,
    pub path: String,
    pub version: Option<String>,
    pub package: Option<String>,
    pub class: &'static str,
    pub wins: bool,
    pub loaded: bool,
}

/// A driver package of an enabled repo, not installed, that carries a module for a device.
#[derive(Debug, Clone)]
pub struct RepoDriver {
    pub package: String,
    pub version: String,
    pub repo: String,
    pub module: String,
    /// `package` (its own module's aliases, read with --fetch or from the cache) or
    /// `module` (the aliases of that module's copies on disk).
    pub by: &'static str,
}

/// One device and what could drive it.
#[derive(Debug, Clone)]
pub struct DeviceDrivers {
    pub device: Device,
    pub name: Option<String>,
    pub class_name: Option<String>,
    pub copies: Vec<Candidate>,
    pub packages: Vec<RepoDriver>,
}

/// `hardware`: every PCI device, the copies on disk that match it, the repo packages that
/// carry a module for it.
pub struct Hardware {
    pub kernel: String,
    pub devices: Vec<DeviceDrivers>,
    /// Driver packages whose aliases are not known (not fetched, not cached).
    pub unread: usize,
}

/// The aliases of each module file in a verified package file, by module name.
fn package_aliases(
    path: &std::path::Path,
) -> std::result::Result<BTreeMap<String, Vec<String>>, String> {
    let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let payload = crate::trust::package::payload(&data)?;
    // A payload decompresses to its files: bounded, as every decompression here is.
    let limit = (data.len() as u64).saturating_mul(64).max(64 << 20);
    let cpio = crate::compress::decompress_all_limited(payload, limit)
        .map_err(|e| format!("payload: {e}"))?;
    let mut out = BTreeMap::new();
    for e in crate::cpio::entries(&cpio) {
        let Some((_, module, _)) =
            crate::modules::depmod::parse_module_path(e.name.trim_start_matches('.'))
        else {
            continue;
        };
        let bytes = crate::compress::decompress_all_limited(e.data, limit)
            .map_err(|err| format!("{}: {err}", e.name))?;
        let info = crate::modules::modinfo::parse_elf(&bytes)
            .map_err(|err| format!("{}: {err}", e.name))?;
        out.insert(module, info.alias);
    }
    Ok(out)
}

/// The aliases of repo packages, cached by package checksum in the repo's cache directory.
type AliasCache = BTreeMap<String, BTreeMap<String, Vec<String>>>;

fn alias_cache_path(repo: &crate::repo::Repo) -> std::path::PathBuf {
    repo.cache_dir.join("module-aliases.json")
}

fn read_alias_cache(repo: &crate::repo::Repo) -> AliasCache {
    std::fs::read(alias_cache_path(repo))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Read (with `fetch`: download and verify first) the aliases of the available packages not
/// installed; returns them by package name, and how many stay unknown.
fn repo_aliases(
    ctx: &Context<'_>,
    repos: &[crate::repo::Repo],
    pkgs: &[&Package],
    fetch: bool,
) -> (PackageAliases, usize) {
    let mut out = BTreeMap::new();
    let mut unread = 0;
    for r in repos {
        let mut cache = read_alias_cache(r);
        let mut changed = false;
        for p in pkgs.iter().filter(|p| p.repo == r.config.id) {
            let id = p.checksum.value.to_ascii_lowercase();
            if !cache.contains_key(&id) && fetch {
                match super::fetched::fetch_verified(ctx, r, p)
                    .map_err(|e| e.to_string())
                    .and_then(|path| package_aliases(&path))
                {
                    Ok(a) => {
                        cache.insert(id.clone(), a);
                        changed = true;
                    }
                    Err(e) => ctx.reporter.warn(&format!(
                        "the module aliases of {} are not known: {e}",
                        p.nevra()
                    )),
                }
            }
            match cache.get(&id) {
                Some(a) => {
                    out.insert(p.name.clone(), a.clone());
                }
                None => unread += 1,
            }
        }
        if changed {
            let bytes = serde_json::to_vec(&cache).expect("serializable");
            if let Err(e) = crate::hostfs::write_atomic(&alias_cache_path(r), &bytes) {
                ctx.reporter
                    .warn(&format!("the module aliases could not be cached: {e}"));
            }
        }
    }
    (out, unread)
}

/// `hardware [--fetch]`.
pub fn hardware(ctx: &Context<'_>, fetch: bool) -> Result<Hardware> {
    let h = host_drivers(ctx, fetch)?;
    let ids = pci::PciIds::load(ctx.root(), &h.devices);
    let not_installed: Vec<&Package> = h
        .available
        .iter()
        .filter(|p| !h.installed.contains(&p.name))
        .collect();
    let devices = h
        .devices
        .iter()
        .map(|d| DeviceDrivers {
            device: d.clone(),
            name: ids.name(d),
            class_name: ids.class_name(d),
            copies: copies_for(&h.inventory, d),
            packages: packages_for(&h.inventory, &not_installed, &h.aliases, d),
        })
        .collect();
    Ok(Hardware {
        kernel: h.inventory.kernel.clone(),
        devices,
        unread: h.unread,
    })
}

fn copies_for(inv: &Inventory, d: &Device) -> Vec<Candidate> {
    let mut out = Vec::new();
    for m in &inv.modules {
        let loaded_path = m.loaded.as_ref().and_then(|l| l.path.as_deref());
        for (i, c) in m.copies.iter().enumerate() {
            let aliases = c
                .modinfo
                .as_ref()
                .map(|i| i.alias.as_slice())
                .unwrap_or(&[]);
            if !pci::drives(aliases, d) {
                continue;
            }
            out.push(Candidate {
                module: m.name.clone(),
                path: c.path.clone(),
                version: c.version.clone(),
                package: c.package.clone(),
                class: c.class.as_str(),
                wins: i == m.winner,
                loaded: loaded_path == Some(c.path.as_str()),
            });
        }
    }
    out
}

fn packages_for(
    inv: &Inventory,
    pkgs: &[&Package],
    fetched: &PackageAliases,
    d: &Device,
) -> Vec<RepoDriver> {
    let mut out = Vec::new();
    for p in pkgs {
        let hit = match fetched.get(&p.name) {
            Some(mods) => mods
                .iter()
                .find(|(_, a)| pci::drives(a, d))
                .map(|(m, _)| (m.clone(), "package")),
            None => crate::modules::class::modules_from_name(&p.name)
                .into_iter()
                .find(|m| {
                    inv.modules.iter().any(|e| {
                        &e.name == m
                            && e.copies.iter().any(|c| {
                                c.modinfo.as_ref().is_some_and(|i| pci::drives(&i.alias, d))
                            })
                    })
                })
                .map(|m| (m, "module")),
        };
        if let Some((module, by)) = hit {
            out.push(RepoDriver {
                package: p.name.clone(),
                version: p.evr_string(),
                repo: p.repo.clone(),
                module,
                by,
            });
        }
    }
    out
}
