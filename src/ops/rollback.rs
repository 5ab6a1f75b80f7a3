//! `rollback MODULE|PACKAGE`: put the last good driver back. The target is a package, or a
//! module whose winning copy's package is taken. The transaction that last changed that
//! package is found in the history (checked against the rpmdb) and taken back for that
//! package alone: an `-alt` install is taken back by removing the `-alt` package so the
//! supported driver wins again, an upgrade by downgrading to the version before it (from a
//! repo, else from the kept package files). Without history, an `-alt` package is removed
//! and any other package goes down to the newest older version found anywhere. The change
//! runs as an ordinary transaction (recorded in history; the module check of
//! `module_check` runs depmod and says which copy wins); then the expected copy is checked,
//! and on the real `/` each module whose loaded copy is not the winning one is reloaded when
//! its preflight says safe — else the report says a reboot is needed and why. Under `--root`
//! the reload is only previewed (a dry-run preflight). `dry_run` computes all of it and
//! changes nothing.

use super::solve::PROTECTED;
use super::transaction::{self as tx, Confirm, TxOutcome};
use super::Context;
use crate::error::{Error, Result};
use crate::modules::depmod::{self, DepmodConfig};
use crate::modules::inventory::{self, CopyClass, ModulesError};
use crate::modules::reload::{self, ReloadReport};
use crate::repo::cache::Detail;
use crate::rpm::{Evr, Package};
use crate::solve::Plan;
use crate::transaction::history::TxStatus;
use crate::transaction::history::{self, Record};
use crate::transaction::modcheck::{self as module_check, Advice, ModuleFile, ModulesAfter};
use crate::transaction::{Action, Change, TxError, Version};
use crate::wire;
use serde::Serialize;
use std::collections::BTreeSet;

/// Where the change to take back comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Basis {
    /// `history` (a recorded transaction) or `rpmdb` (no usable history: the installed
    /// version and what exists elsewhere).
    pub kind: &'static str,
    pub transaction: Option<u64>,
    pub command: Option<String>,
    pub time: Option<u64>,
    /// What that transaction did to the package.
    pub change: Option<String>,
    /// Why the history was not used, when it was not.
    pub note: Option<String>,
}

/// The copy expected to win after the rollback, per module of the package.
#[derive(Debug, Clone, Serialize)]
pub struct Expectation {
    pub module: String,
    pub kernel: String,
    /// The copy that wins now.
    pub now: Option<String>,
    /// What should win after: a path (removal: the next copy in precedence), or the
    /// package and version that should provide it.
    pub expected: String,
    /// Expected path when known (removal).
    #[serde(skip)]
    pub expected_path: Option<Option<String>>,
    /// Otherwise the packages whose copy should win.
    #[serde(skip)]
    pub owners: Vec<String>,
    /// After the run: did it?
    pub ok: Option<bool>,
    pub found: Option<String>,
}

/// What happens (or would happen) to the running kernel for one module.
#[derive(Debug, Clone, Serialize)]
pub struct ReloadStep {
    pub module: String,
    /// `none`, `reloaded`, `reload-failed`, `would-reload`, `reboot`.
    pub action: &'static str,
    pub why: String,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::reload::serialize_report"
    )]
    pub report: Option<ReloadReport>,
}

/// The whole report of `rollback`.
#[derive(Debug, Clone, Serialize)]
pub struct RollbackReport {
    pub target: String,
    /// The module named (None when a package was named).
    pub module: Option<String>,
    pub package: String,
    pub arch: String,
    pub kernel: String,
    pub basis: Basis,
    /// One sentence: what the rollback does.
    pub action: String,
    pub changes: Vec<Change>,
    #[serde(serialize_with = "wire::plan::serialize")]
    pub plan: Plan,
    /// Module impact and guidance of the plan, worked out before it runs.
    #[serde(flatten)]
    pub impact: tx::Impact,
    pub expect: Vec<Expectation>,
    pub dry_run: bool,
    /// The transaction run (None with --dry-run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction: Option<TxOutcome>,
    pub reloads: Vec<ReloadStep>,
}

impl RollbackReport {
    /// The expected copies won and no reload failed.
    pub fn success(&self) -> bool {
        self.expect.iter().all(|e| e.ok != Some(false))
            && self.reloads.iter().all(|r| r.action != "reload-failed")
            && self
                .transaction
                .as_ref()
                .is_none_or(|t| t.modules.as_ref().is_none_or(ModulesAfter::all_expected))
    }
}

fn not_found(what: String, hint: &str) -> Error {
    Error::NotFound {
        what,
        hint: Some(hint.to_string()),
    }
}

/// Resolve the target to (module, package name).
fn resolve(
    ctx: &Context<'_>,
    target: &str,
    installed: &[Package],
    records: &[Record],
) -> Result<(Option<String>, String)> {
    if installed.iter().any(|p| p.name == target)
        || records.iter().any(|r| r.done().any(|c| c.name == target))
    {
        return Ok((None, target.to_string()));
    }
    let kernel = ctx.settings.kernel.as_deref();
    let inv =
        match inventory::inventory(ctx.root(), kernel, &[target.to_string()]) {
            Ok(i) => i,
            Err(ModulesError::UnknownModule { name, kernel }) => return Err(not_found(
                format!("no module and no installed package named `{name}` (kernel {kernel})"),
                "`xcpng-mod modules` lists the modules, `xcpng-mod list --installed` the packages",
            )),
            Err(e) => return Err(e.into()),
        };
    let e = inv.modules.first().expect("one module asked");
    let w = e.winner();
    let Some(pkg) = w.package.clone() else {
        return Err(Error::Failed {
            what: format!(
                "the copy of {} that wins ({}) belongs to no package: there is no package transaction to take back",
                e.name, w.path
            ),
            hint: Some(format!(
                "`xcpng-mod modules {}` shows every copy; remove or move the unpackaged file by hand, then run `xcpng-mod depmod`",
                e.name
            )),
        });
    };
    Ok((Some(e.name.clone()), pkg))
}

/// The last transaction that changed `name` (and the change), skipping failed ones.
fn last_change<'a>(records: &'a [Record], name: &str) -> Option<(&'a Record, Vec<&'a Change>)> {
    records
        .iter()
        .rev()
        .filter(|r| r.result != TxStatus::Failed)
        .find_map(|r| {
            let c: Vec<&Change> = r.done().filter(|c| c.name == name).collect();
            (!c.is_empty()).then_some((r, c))
        })
}

/// Does the rpmdb still show what the change left?
fn consistent(c: &Change, installed: &[Package]) -> bool {
    let now: Vec<Version> = installed
        .iter()
        .filter(|p| p.name == c.name && p.arch == c.arch)
        .map(|p| Version::of(&p.to_ref()))
        .collect();
    match &c.after {
        Some(a) => now.iter().any(|v| v.same_evr(a)),
        None => now.is_empty(),
    }
}

/// Versions of `name.arch` found in the repos and the kept files, strictly older than `than`.
fn older_versions(
    ctx: &Context<'_>,
    p: &crate::transaction::Paths,
    name: &str,
    arch: &str,
    than: &Version,
) -> Vec<Version> {
    let mut out: Vec<Version> = Vec::new();
    let repos = ctx.open_repos_lenient(true);
    if let Ok(avail) = ctx.available(&repos, Detail::Summary) {
        for a in avail.iter().filter(|a| a.name == name && a.arch == arch) {
            out.push(Version::of(&a.to_ref()));
        }
    }
    let prefix = format!("{name}-");
    let suffix = format!(".{arch}");
    for k in history::kept(&p.keep) {
        let Some(evr) = k
            .nevra
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(&suffix))
        else {
            continue;
        };
        let e = Evr::parse(evr);
        if e.version.is_empty() || e.release.is_empty() {
            continue;
        }
        out.push(Version {
            epoch: e.epoch_or_zero(),
            version: e.version,
            release: e.release,
            repo: k.repo.clone(),
            sha256: Some(k.sha256.clone()),
        });
    }
    out.retain(|v| v.cmp_evr(than).is_lt());
    out.sort_by(|a, b| b.cmp_evr(a));
    out
}

/// Module copies of `pkg` that are supported (or the kernel's own): such a package is never
/// removed (DESIGN §1: removing it would take `xcp-ng-deps` with it).
fn supported_copies(ctx: &Context<'_>, pkg: &str) -> Vec<String> {
    let Ok(own) = inventory::module_owners(ctx.root()) else {
        return Vec::new();
    };
    let mut v: Vec<String> = own
        .owners
        .iter()
        .filter(|(_, o)| o.as_str() == pkg)
        .filter_map(|(path, _)| {
            let (_, _, top) = depmod::parse_module_path(path)?;
            matches!(
                own.class_of(Some(pkg), &top),
                CopyClass::Supported | CopyClass::BuiltIn
            )
            .then(|| path.clone())
        })
        .collect();
    v.sort();
    v
}

/// The copy that would win once `gone` paths are removed (None: no copy left).
fn winner_without(
    ctx: &Context<'_>,
    kver: &str,
    module: &str,
    gone: &BTreeSet<String>,
) -> Option<String> {
    let cfg = DepmodConfig::load(ctx.root(), kver).ok()?;
    let scanned = depmod::scan(ctx.root(), &cfg).ok()?;
    let mc = scanned.get(module)?;
    let path = |c: &depmod::ModuleCopy| {
        if c.in_tree {
            format!("/lib/modules/{kver}/{}", c.rel)
        } else {
            c.rel.clone()
        }
    };
    let mut best: Option<&depmod::ModuleCopy> = None;
    for c in mc.copies.iter().filter(|c| !gone.contains(&path(c))) {
        best = match best {
            Some(b) if cfg.existing_wins(b, c) => Some(b),
            _ => Some(c),
        };
    }
    best.map(path)
}

/// `rollback TARGET`: see the module documentation.
pub fn rollback(
    ctx: &Context<'_>,
    target: &str,
    dry_run: bool,
    command: &[String],
    confirm: Confirm<'_>,
) -> Result<RollbackReport> {
    let dry_run = dry_run || ctx.settings.assumeno;
    let p = tx::paths(ctx);
    let _lock = tx::guard(ctx, &p, dry_run)?;
    let records = history::load(&p.history)?;
    let installed = ctx.installed()?;
    let (module, pkg) = resolve(ctx, target, &installed, &records)?;
    refuse_kernel(module.as_deref(), &pkg)?;
    let kernel = inventory::target_kernel(ctx.root(), ctx.settings.kernel.as_deref())
        .map_err(Error::from)?;
    let inst: Vec<&Package> = installed.iter().filter(|p| p.name == pkg).collect();

    let (basis, mut changes) = history_basis(&records, &installed, &inst, &pkg);
    if basis.kind == "rpmdb" {
        changes = rpmdb_changes(ctx, &p, &pkg, &inst)?;
    }
    refuse_changes(ctx, &pkg, &changes, &basis)?;
    let action = describe_action(&pkg, &changes, &basis);
    let arch = changes[0].arch.clone();
    let expect = expectations(ctx, &pkg, &changes);

    let (plan, wanted, missing) = tx::plan_changes(ctx, &p, &changes)?;
    if !missing.is_empty() {
        return Err(TxError::Unavailable {
            what: format!(
                "cannot roll back {pkg}: no enabled repo carries, and no kept file holds: {}",
                missing.join(", ")
            ),
        }
        .into());
    }
    let mut report = RollbackReport {
        target: target.to_string(),
        module,
        package: pkg.clone(),
        arch,
        kernel: kernel.clone(),
        basis,
        action,
        changes,
        impact: super::impact::of_wanted(ctx, &plan, &wanted),
        plan,
        expect,
        dry_run,
        transaction: None,
        reloads: Vec::new(),
    };
    let modules: Vec<String> = report
        .expect
        .iter()
        .filter(|e| e.kernel == kernel)
        .map(|e| e.module.clone())
        .collect();
    if dry_run {
        report.reloads = preview_reloads(ctx, &kernel, &modules, &report.expect);
        return Ok(report);
    }
    let out = tx::confirm_and_execute(
        ctx,
        &p,
        &report.plan,
        &report.impact,
        wanted,
        command,
        confirm,
    )?;
    check_expected(ctx, &mut report.expect);
    report.reloads = reload_steps(ctx, &kernel, &modules, &out);
    log_reloads(&p.log, out.id.unwrap_or(0), &report.reloads);
    report.transaction = Some(out);
    Ok(report)
}

/// With `--dry-run`, per module of the running kernel: nothing to reload when the loaded
/// copy is already the one expected to win after the rollback, else a preview.
fn preview_reloads(
    ctx: &Context<'_>,
    kernel: &str,
    modules: &[String],
    expect: &[Expectation],
) -> Vec<ReloadStep> {
    let mut steps = Vec::new();
    for m in modules {
        let expected = expect
            .iter()
            .find(|e| &e.module == m && e.kernel == kernel)
            .and_then(|e| e.expected_path.clone().flatten());
        let loaded = loaded_path(ctx, kernel, m);
        if expected.is_some() && loaded == expected {
            steps.push(step(
                m,
                "none",
                "the loaded copy is the one expected to win after the rollback: nothing to reload"
                    .into(),
                None,
            ));
            continue;
        }
        steps.push(preview(ctx, kernel, m, true));
    }
    steps
}

/// The file the loaded copy of `m` was loaded from, when known.
fn loaded_path(ctx: &Context<'_>, kernel: &str, m: &str) -> Option<String> {
    inventory::inventory(ctx.root(), Some(kernel), &[m.to_string()])
        .ok()
        .and_then(|i| {
            i.modules
                .first()
                .and_then(|e| e.loaded.as_ref()?.path.clone())
        })
}

/// After the transaction: which copy wins now, and is it the expected one?
fn check_expected(ctx: &Context<'_>, expect: &mut [Expectation]) {
    for e in expect {
        let inv = inventory::inventory(ctx.root(), Some(&e.kernel), &[]).ok();
        let entry = inv
            .as_ref()
            .and_then(|i| i.modules.iter().find(|x| x.name == e.module));
        let w = entry.map(|x| x.winner());
        e.found = Some(match w {
            Some(w) => format!(
                "{} ({})",
                w.path,
                w.package.as_deref().unwrap_or("no package")
            ),
            None => "no copy left".into(),
        });
        e.ok = Some(match &e.expected_path {
            Some(path) => w.map(|w| w.path.clone()) == *path,
            None => w.is_some_and(|w| {
                w.package
                    .as_deref()
                    .is_some_and(|p| e.owners.iter().any(|o| o == p))
            }),
        });
    }
}

/// After the transaction, per module of the running kernel, as its module check advises:
/// nothing, a reboot, or (when the preflight may decide) a reload on the real `/` and a
/// preview under `--root`.
fn reload_steps(
    ctx: &Context<'_>,
    kernel: &str,
    modules: &[String],
    out: &TxOutcome,
) -> Vec<ReloadStep> {
    let advice = |m: &str| {
        out.modules.as_ref().and_then(|ma| {
            ma.modules
                .iter()
                .find(|c| c.module == m && c.kernel == kernel)
        })
    };
    modules
        .iter()
        .map(|m| match advice(m) {
            Some(c) if c.advice == Advice::None => step(m, "none", c.why.clone(), None),
            Some(c) if c.advice == Advice::Reboot && c.preflight.is_none() => {
                step(m, "reboot", c.why.clone(), None)
            }
            _ if ctx.root().is_host_root() => reload_now(ctx, kernel, m),
            _ => preview(ctx, kernel, m, false),
        })
        .collect()
}

/// Refuse a target whose package is the kernel's: rollback takes back driver packages only.
fn refuse_kernel(module: Option<&str>, pkg: &str) -> Result<()> {
    if pkg == "kernel" || pkg.starts_with("kernel-") && !pkg.starts_with("kernel-module") {
        return Err(Error::Failed {
            what: format!(
                "{} belongs to the kernel package ({pkg}): rollback takes back driver packages, not the kernel",
                module.map_or_else(|| pkg.to_string(), |m| format!("the copy of {m} that wins"))
            ),
            hint: Some(
                "to go back to an older kernel, boot it from the boot menu (it stays installed next to the new one)"
                    .into(),
            ),
        });
    }
    Ok(())
}

/// The change to take back from the history: the last transaction that changed `pkg`, when
/// the rpmdb still shows what it left. Otherwise an `rpmdb` basis that says why, and no
/// changes yet (see [`rpmdb_changes`]).
fn history_basis(
    records: &[Record],
    installed: &[Package],
    inst: &[&Package],
    pkg: &str,
) -> (Basis, Vec<Change>) {
    let mut basis = Basis {
        kind: "history",
        transaction: None,
        command: None,
        time: None,
        change: None,
        note: None,
    };
    match last_change(records, pkg) {
        Some((r, cs)) if cs.iter().all(|c| consistent(c, installed)) => {
            basis.transaction = Some(r.id);
            basis.command = Some(r.command_line());
            basis.time = Some(r.time);
            basis.change = Some(
                cs.iter()
                    .map(|c| c.describe())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            let changes = undo_steps(r, installed, inst, pkg);
            (basis, changes)
        }
        found => {
            basis.kind = "rpmdb";
            basis.note = Some(match found {
                Some((r, _)) => format!(
                    "transaction {} changed {pkg}, but the rpmdb no longer shows what it left (changed outside xcpng-mod)",
                    r.id
                ),
                None => format!("no transaction in xcpng-mod's history changed {pkg}"),
            });
            (basis, Vec::new())
        }
    }
}

/// What taking back `r` for `pkg` alone changes: the package's own steps, and what rpm
/// removed because it obsoletes them (taking the package back brings those back too).
fn undo_steps(r: &Record, installed: &[Package], inst: &[&Package], pkg: &str) -> Vec<Change> {
    let obsoletes: Vec<&str> = inst
        .iter()
        .flat_map(|p| p.obsoletes.iter().map(|d| d.name.as_str()))
        .collect();
    let mut sub = r.clone();
    sub.steps.retain(|s| {
        s.done
            && (s.change.name == pkg
                || (s.change.action == Action::Obsoleted
                    && obsoletes.contains(&s.change.name.as_str())))
    });
    history::undo_changes(&[&sub], installed)
}

/// Without a usable history: an `-alt` package is removed, any other package goes down to
/// the newest older version in an enabled repo or among the kept package files.
fn rpmdb_changes(
    ctx: &Context<'_>,
    p: &crate::transaction::Paths,
    pkg: &str,
    inst: &[&Package],
) -> Result<Vec<Change>> {
    let Some(cur) = inst.iter().max_by(|a, b| a.evr_cmp(b)) else {
        return Err(not_found(
            format!("{pkg} is not installed and no transaction in the history changed it"),
            "`xcpng-mod history` lists the transactions",
        ));
    };
    let now = Version::of(&cur.to_ref());
    let is_alt = crate::modules::class::classify_name(pkg, false)
        == Some(crate::modules::ModuleClass::Alternate);
    if is_alt {
        return Ok(vec![Change {
            action: Action::Remove,
            name: pkg.to_string(),
            arch: cur.arch.clone(),
            before: Some(now),
            after: None,
        }]);
    }
    let older = older_versions(ctx, p, pkg, &cur.arch, &now);
    let Some(o) = older.into_iter().next() else {
        return Err(not_found(
            format!(
                "cannot roll back {pkg}: no transaction in xcpng-mod's history changed it, and no older version than {} is in an enabled repo or among the kept package files",
                now.evr()
            ),
            &format!("enable a repo that carries an older {pkg} (--enablerepo), or install an older package file by path"),
        ));
    };
    Ok(vec![Change {
        action: Action::Downgrade,
        name: pkg.to_string(),
        arch: cur.arch.clone(),
        before: Some(now),
        after: Some(o),
    }])
}

/// Refuse changes that do nothing, or that would remove a protected package (xcp-ng-deps &
/// co, the kernel) or a supported driver's package.
fn refuse_changes(ctx: &Context<'_>, pkg: &str, changes: &[Change], basis: &Basis) -> Result<()> {
    if changes.is_empty() {
        return Err(Error::Failed {
            what: format!(
                "nothing to roll back for {pkg}: taking back transaction {} changes nothing",
                basis.transaction.unwrap_or(0)
            ),
            hint: Some("`xcpng-mod history info ID` shows what it did".into()),
        });
    }
    for c in changes.iter().filter(|c| c.after.is_none()) {
        if PROTECTED.contains(&c.name.as_str()) || c.name == "kernel" {
            return Err(Error::Failed {
                what: format!("refusing to roll back {}: that would remove it, and it is protected", c.name),
                hint: Some(format!("{} is needed for updates and supported drivers on XCP-ng; xcpng-mod never removes it", c.name)),
            });
        }
        let sup = supported_copies(ctx, &c.name);
        if !sup.is_empty() {
            return Err(Error::Failed {
                what: format!(
                    "refusing to roll back {}: that would remove it, and it holds the supported driver {} (removing it would also remove xcp-ng-deps, which updates need)",
                    c.name,
                    sup.join(", ")
                ),
                hint: Some(format!(
                    "a supported driver can only go back to an older version: `xcpng-mod downgrade {}` (`xcpng-mod list --showduplicates {}` shows the versions)",
                    c.name, c.name
                )),
            });
        }
    }
    Ok(())
}

/// What should win after the rollback, once per kernel and module of `pkg`'s files.
fn expectations(ctx: &Context<'_>, pkg: &str, changes: &[Change]) -> Vec<Expectation> {
    let files: Vec<ModuleFile> = module_check::module_files(ctx.root(), &[pkg.to_string()]);
    let mut expect: Vec<Expectation> = Vec::new();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for f in &files {
        if !seen.insert((f.kernel.clone(), f.module.clone())) {
            continue;
        }
        let now =
            inventory::inventory(ctx.root(), Some(&f.kernel), std::slice::from_ref(&f.module))
                .ok()
                .and_then(|i| i.modules.first().map(|e| e.winner().path.clone()));
        let (expected, expected_path, owners) = expected_copy(ctx, pkg, changes, &files, f);
        expect.push(Expectation {
            module: f.module.clone(),
            kernel: f.kernel.clone(),
            now,
            expected,
            expected_path,
            owners,
            ok: None,
            found: None,
        });
    }
    expect
}

/// The copy of `f`'s module that should win after `changes`, as (what to show, the expected
/// path when known, the packages whose copy should win). A removal brings back what `pkg`
/// had obsoleted, else leaves the next copy in precedence once `pkg`'s `files` are gone; a
/// downgrade leaves the copy from the version it goes to.
fn expected_copy(
    ctx: &Context<'_>,
    pkg: &str,
    changes: &[Change],
    files: &[ModuleFile],
    f: &ModuleFile,
) -> (String, Option<Option<String>>, Vec<String>) {
    let removing = changes
        .iter()
        .filter(|c| c.name == pkg)
        .all(|c| c.after.is_none());
    // What comes back with the removal: packages the one rolled back had obsoleted.
    let back: Vec<&Change> = changes
        .iter()
        .filter(|c| c.name != pkg && c.after.is_some())
        .collect();
    if removing && !back.is_empty() {
        let owners = back.iter().map(|c| c.name.clone()).collect();
        let evr = back[0].after.as_ref().map(|a| a.evr()).unwrap_or_default();
        (
            format!("the copy from {} {evr}", back[0].name),
            None,
            owners,
        )
    } else if removing {
        let gone: BTreeSet<String> = files.iter().map(|x| x.path.clone()).collect();
        let w = winner_without(ctx, &f.kernel, &f.module, &gone);
        let expected = match &w {
            Some(path) => path.clone(),
            None => "no copy left".into(),
        };
        (expected, Some(w), vec![pkg.to_string()])
    } else {
        let to = changes
            .iter()
            .filter(|c| c.name == pkg)
            .find_map(|c| c.after.as_ref())
            .map(|a| a.evr())
            .unwrap_or_default();
        (
            format!("the copy from {pkg} {to}"),
            None,
            vec![pkg.to_string()],
        )
    }
}

/// One line per module in `/var/log/xcpng-mod.log`: what the rollback did to the running
/// kernel after its transaction (the history record was written before).
fn log_reloads(log: &std::path::Path, id: u64, steps: &[ReloadStep]) {
    let t = crate::transaction::utc(crate::transaction::now());
    let mut text = String::new();
    for s in steps {
        text.push_str(&format!(
            "{t} transaction {id}: rollback: {} {}: {}\n",
            s.module, s.action, s.why
        ));
    }
    crate::transaction::append_log(log, &text);
}

/// One sentence: what the rollback does, and which transaction it takes back.
fn describe_action(pkg: &str, changes: &[Change], basis: &Basis) -> String {
    let from = match basis.transaction {
        Some(id) => format!(" (taking back transaction {id})"),
        None => String::new(),
    };
    if changes.iter().all(|c| c.after.is_none()) {
        let alt = crate::modules::class::classify_name(pkg, false)
            == Some(crate::modules::ModuleClass::Alternate);
        if alt {
            return format!(
                "remove the alternate driver {pkg} so the supported driver wins again{from}"
            );
        }
        return format!("remove {pkg}{from}");
    }
    let d: Vec<String> = changes.iter().map(|c| c.describe()).collect();
    format!("{}{from}", d.join(", "))
}

/// A [`ReloadStep`] for module `m`.
fn step(m: &str, action: &'static str, why: String, report: Option<ReloadReport>) -> ReloadStep {
    ReloadStep {
        module: m.to_string(),
        action,
        why,
        report,
    }
}

/// `{prefix} (verdict): reasons` of a preflight that refuses.
fn refusal(prefix: &str, r: &ReloadReport) -> String {
    format!(
        "{prefix} ({}): {}",
        r.preflight.verdict.as_str(),
        r.preflight.reasons.join("; ")
    )
}

/// On the real `/`: reload when the preflight says safe; otherwise say a reboot is needed.
fn reload_now(ctx: &Context<'_>, kernel: &str, m: &str) -> ReloadStep {
    match reload::reload(ctx.root(), Some(kernel), m, false, false) {
        Ok(r) => {
            use crate::modules::reload::ReloadOutcome as O;
            let (action, why) = match r.result {
                O::Reloaded => ("reloaded", r.summary.clone()),
                O::Refused | O::DryRun => {
                    ("reboot", refusal("reload refused by its preflight", &r))
                }
                O::FellBack | O::Failed => ("reload-failed", r.summary.clone()),
            };
            step(m, action, why, Some(r))
        }
        Err(e) => step(m, "reboot", format!("no reload: {e}"), None),
    }
}

/// What the reload would be (a dry-run preflight), without touching the kernel.
fn preview(ctx: &Context<'_>, kernel: &str, m: &str, before: bool) -> ReloadStep {
    let loaded = crate::modules::loaded::read_loaded(ctx.root());
    if !loaded.contains_key(m) {
        return step(
            m,
            "none",
            "not loaded: nothing to reload; the restored copy is used when it is next loaded"
                .into(),
            None,
        );
    }
    let when = if before { "after the rollback, " } else { "" };
    match reload::reload(ctx.root(), Some(kernel), m, true, false) {
        Ok(r) => {
            let (action, why) = if r.preflight.allowed(false) {
                let under_root = if ctx.root().is_host_root() {
                    ""
                } else {
                    " (under --root nothing is reloaded: run it on the host)"
                };
                (
                    "would-reload",
                    format!("{when}its preflight says the reload is safe{under_root}"),
                )
            } else {
                (
                    "reboot",
                    refusal(&format!("{when}a reload would be refused"), &r),
                )
            };
            step(m, action, why, Some(r))
        }
        Err(e) => step(m, "reboot", format!("no reload preflight: {e}"), None),
    }
}
