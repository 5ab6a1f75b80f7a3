//! `pool rollout`, `pool resume`, `pool abort`: one change (install, update, remove, a driver
//! variant selected, a module rolled back) carried to every host of the pool, one host at a
//! time, through XAPI and each host's xcpng-mod plugin.
//!
//! First a plan on every host (the plugin's `plan`: packages, module impact, guidance,
//! changing nothing). Then per host, canary first: the plan again; when its guidance needs a
//! reboot or an evacuation, `host.assert_can_evacuate`, `host.disable` (auto_enable=false
//! where XAPI has it, 25.31 and later) and `host.evacuate`; the change (plugin `apply`); the
//! reboot and the wait for the host to come back (its `agent_start_time` moves, its metrics are
//! live), or the reloads the plan named; the verification (the copy the plan predicted wins
//! and is the one loaded, every PIF that was up is up with carrier, every PBD that was attached
//! is attached, the host answers); `host.enable`. The first failure stops the rollout: that
//! host is rolled back (plugin `undo` of the transaction, with its own reboot), verified
//! again, and left disabled when it does not verify.
//!
//! The rollout's state is the pool's: `pool.other_config:xcpng-mod:rollout` (JSON), saved
//! after every step. The key is also the lock (added with `add_to_other_config`, which fails
//! with `MAP_DUPLICATE_KEY` while another rollout holds it). `pool resume` carries on from the
//! step saved; `pool abort` takes back the hosts done, newest first. HA is disabled for the
//! rollout and put back as it was, also on failure and on abort.

use super::state::{
    busy, failed, now, who, HostRun, Options, Outcome, Phase, Rollout, Step, Store, VmHome,
};
use super::steps::{self, Plugin};
use crate::error::Result;
use crate::xapirpc::Xapi;
use serde::Serialize;
use std::time::Duration;

pub use super::state::{Operation, KEY};

/// What the command answers: the rollout's state at its end, and how it ended.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `done`, `failed`, `aborted`, `planned` (without -y nothing ran), `nothing-to-do`.
    pub result: &'static str,
    pub operation: String,
    pub hosts: Vec<HostRun>,
    /// VMs not back where they lived, and why.
    pub vms_not_home: Vec<String>,
    /// HA was on and is on again.
    pub ha_restored: Option<bool>,
    pub logins: u32,
}

impl Report {
    pub fn ok(&self) -> bool {
        matches!(
            self.result,
            "done" | "planned" | "nothing-to-do" | "aborted"
        )
    }
}

/// `pool rollout OPERATION`: plan on every host; without `yes`, the plans only.
pub fn rollout(x: &mut Xapi, op: Operation, opts: Options, yes: bool) -> Result<Report> {
    // The master reboots during its turn: XAPI is away until it is back.
    x.patience = Duration::from_secs(opts.host_timeout_s);
    let (mut store, pool) = Store::new(x)?;
    if let Some(held) = store.read(x)? {
        return Err(busy(Some(&held)));
    }
    let hosts = steps::hosts(x, &pool)?;
    let mut runs = Vec::new();
    for h in &hosts {
        let plan = Plugin::new(&h.r#ref, &h.name).plan(x, &op, &opts.repos)?;
        runs.push(HostRun {
            host: h.r#ref.clone(),
            name: h.name.clone(),
            master: h.master,
            plan,
            step: Step::Pending,
            outcome: Outcome::Pending,
            transaction: None,
            applying_since: None,
            agent_start_before: None,
            rebooted_at: None,
            disabled: false,
            pifs_up: Vec::new(),
            pbds_attached: Vec::new(),
            log: Vec::new(),
            failure: None,
            next: None,
            seconds: 0.0,
            reboot_wait_seconds: 0.0,
        });
    }
    order(&mut runs, &hosts, opts.canary.as_deref())?;
    let mut r = Rollout {
        version: 1,
        started_by: who(),
        started_at: now(),
        operation: op,
        options: opts,
        phase: Phase::Running,
        ha: None,
        hosts: runs,
        vms: Vec::new(),
    };
    if r.hosts.iter().all(|h| h.plan.changes.is_empty()) {
        return Ok(report(&r, "nothing-to-do", x, Vec::new(), None));
    }
    if !yes {
        return Ok(report(&r, "planned", x, Vec::new(), None));
    }
    store.create(x, &r)?;
    r.ha = steps::disable_ha(x, &pool)?;
    store.save(x, &r)?;
    run(x, &mut store, r)
}

/// Canary first, then the master, then the members by name.
fn order(runs: &mut [HostRun], hosts: &[steps::Host], canary: Option<&str>) -> Result<()> {
    let first = match canary {
        Some(c) => hosts
            .iter()
            .find(|h| h.name == c || h.uuid == c)
            .map(|h| h.r#ref.clone())
            .ok_or_else(|| {
                failed(
                    format!("--canary {c}: no such host in this pool"),
                    "give a host's name-label or uuid (`pool status` lists them)",
                )
            })?,
        None => default_canary(runs, hosts),
    };
    runs.sort_by_key(|h| (h.host != first, !h.master, super::by_name(&h.name)));
    Ok(())
}

/// The master when toolstack packages change (as Xen Orchestra does: a member must not run
/// a newer toolstack than its master), else the member with the fewest running VMs.
fn default_canary(runs: &[HostRun], hosts: &[steps::Host]) -> String {
    let toolstack = runs
        .iter()
        .any(|h| h.plan.guidance.iter().any(|g| g == "RestartToolstack"));
    let master = hosts.iter().find(|h| h.master);
    let member = hosts
        .iter()
        .filter(|h| !h.master)
        .min_by_key(|h| (h.running_vms, super::by_name(&h.name)));
    match (toolstack, master, member) {
        (false, _, Some(m)) => m.r#ref.clone(),
        (_, Some(m), _) => m.r#ref.clone(),
        (_, None, Some(m)) => m.r#ref.clone(),
        (_, None, None) => String::new(),
    }
}

/// `pool resume`: carry on the rollout saved in the pool (after a kill, or after a failure:
/// the failed host is tried again).
pub fn resume(x: &mut Xapi) -> Result<Report> {
    let (mut store, pool) = Store::new(x)?;
    let Some(mut r) = store.read(x)? else {
        return Err(failed(
            "no rollout to resume: this pool holds none".into(),
            "`xcpng-mod pool rollout …` starts one",
        ));
    };
    x.patience = Duration::from_secs(r.options.host_timeout_s);
    match r.phase {
        Phase::Aborting => return abort_saved(x, &mut store, r),
        Phase::Failed => {
            for h in r
                .hosts
                .iter_mut()
                .filter(|h| matches!(h.outcome, Outcome::Failed | Outcome::RolledBack))
            {
                h.outcome = Outcome::Pending;
                h.step = Step::Pending;
                h.failure = None;
                h.next = None;
                h.transaction = None;
                h.log.push("resumed: tried again".into());
            }
            if r.hosts.iter().any(|h| h.outcome == Outcome::RollbackFailed) {
                return Err(failed(
                    "the rollout stopped at a host whose rollback did not verify; it cannot be resumed".into(),
                    "repair that host (see `pool status`), then `xcpng-mod pool abort` takes back the hosts done",
                ));
            }
            r.phase = Phase::Running;
        }
        Phase::Running => {}
    }
    keep_ha_off(x, &pool, &mut r)?;
    store.save(x, &r)?;
    run(x, &mut store, r)
}

/// The hosts in order, the canary and the master one at a time, then the members
/// `options.parallel` at a time; the first failure (or failures, in a batch) stops, rolls
/// those hosts back, and ends the run.
fn run(x: &mut Xapi, store: &mut Store, mut r: Rollout) -> Result<Report> {
    let todo: Vec<usize> = (0..r.hosts.len())
        .filter(|&i| {
            !matches!(
                r.hosts[i].outcome,
                Outcome::Done | Outcome::NothingToDo | Outcome::Undone
            )
        })
        .collect();
    let parallel = r.options.parallel.max(1);
    let mut batches: Vec<Vec<usize>> = Vec::new();
    for &i in &todo {
        let alone = i == 0 || r.hosts[i].master;
        match batches.last_mut() {
            Some(b)
                if !alone
                    && b.len() < parallel
                    && !b.iter().any(|&j| j == 0 || r.hosts[j].master) =>
            {
                b.push(i)
            }
            _ => batches.push(vec![i]),
        }
    }
    for batch in batches {
        let failures = if batch.len() == 1 {
            one_host(x, store, &mut r, batch[0])
                .err()
                .map(|why| vec![(batch[0], why)])
        } else {
            several_hosts(x, store, &mut r, &batch)?
        };
        if let Some(f) = failures.filter(|f| !f.is_empty()) {
            return stop(x, store, r, f);
        }
    }
    let not_home = steps::vms_home(x, &mut r);
    let ha = restore_ha(x, &r);
    store.remove(x)?;
    Ok(report(&r, "done", x, not_home, ha))
}

/// The VMs a host moved, added to the rollout's (the first home of a VM is kept: a VM parked
/// on a host that is evacuated in turn still belongs to the host it came from).
fn merge_vms(r: &mut Rollout, moved: &[VmHome]) {
    for v in moved {
        if !r.vms.iter().any(|k| k.vm == v.vm) {
            r.vms.push(v.clone());
        }
    }
}

fn job(r: &Rollout) -> steps::Job {
    steps::Job {
        operation: r.operation.clone(),
        options: r.options.clone(),
    }
}

/// Host `i` on this connection.
fn one_host(
    x: &mut Xapi,
    store: &mut Store,
    r: &mut Rollout,
    i: usize,
) -> std::result::Result<(), String> {
    let job = job(r);
    let mut h = r.hosts[i].clone();
    let started = std::time::Instant::now();
    let mut save = |x: &mut Xapi, h: &HostRun, moved: &[VmHome]| {
        r.hosts[i] = h.clone();
        merge_vms(r, moved);
        store
            .save(x, r)
            .map_err(|e| format!("cannot save the rollout in the pool: {e}"))
    };
    let done = steps::host(x, &mut h, &job, &mut save);
    h.seconds += started.elapsed().as_secs_f64();
    r.hosts[i] = h;
    done
}

/// Members side by side, each on its own XAPI session; the state saved under one lock.
fn several_hosts(
    x: &mut Xapi,
    store: &mut Store,
    r: &mut Rollout,
    batch: &[usize],
) -> Result<Option<Vec<(usize, String)>>> {
    let job = job(r);
    let mut conns = Vec::new();
    for _ in batch {
        conns.push(x.another().map_err(super::xapi_error)?);
    }
    let shared = std::sync::Mutex::new((&mut *r, &mut *store));
    let results: Vec<(usize, HostRun, std::result::Result<(), String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = batch
            .iter()
            .zip(conns.iter_mut())
            .map(|(&i, c)| {
                let (shared, job) = (&shared, &job);
                s.spawn(move || {
                    let mut h = shared.lock().expect("not poisoned").0.hosts[i].clone();
                    let started = std::time::Instant::now();
                    let mut save = |x: &mut Xapi, h: &HostRun, moved: &[VmHome]| {
                        let mut g = shared.lock().expect("not poisoned");
                        let (r, store) = &mut *g;
                        r.hosts[i] = h.clone();
                        merge_vms(r, moved);
                        store
                            .save(x, r)
                            .map_err(|e| format!("cannot save the rollout in the pool: {e}"))
                    };
                    let done = steps::host(c, &mut h, job, &mut save);
                    h.seconds += started.elapsed().as_secs_f64();
                    (i, h, done)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a host's thread panicked"))
            .collect()
    });
    for c in &mut conns {
        c.logout();
    }
    let mut failures = Vec::new();
    for (i, h, done) in results {
        r.hosts[i] = h;
        if let Err(why) = done {
            failures.push((i, why));
        }
    }
    Ok(Some(failures))
}

/// The failure of hosts (one, or several of a parallel batch): each rolled back when
/// something changed on it; HA put back; the state kept (phase failed) so that `pool resume`
/// or `pool abort` can follow.
fn stop(
    x: &mut Xapi,
    store: &mut Store,
    mut r: Rollout,
    failures: Vec<(usize, String)>,
) -> Result<Report> {
    let last = failures.iter().map(|(i, _)| *i).max().unwrap_or(0);
    for (i, why) in failures {
        fail_host(x, &mut r, i, why);
    }
    for h in r.hosts.iter_mut().skip(last + 1) {
        if h.outcome == Outcome::Pending {
            h.next = Some("untouched: the rollout stopped before it".into());
        }
    }
    r.phase = Phase::Failed;
    let not_home = steps::vms_home(x, &mut r);
    let ha = restore_ha(x, &r);
    store.save(x, &r)?;
    Ok(report(&r, "failed", x, not_home, ha))
}

/// Host `i` failed: roll it back when something changed, and say what next.
fn fail_host(x: &mut Xapi, r: &mut Rollout, i: usize, why: String) {
    let changed = r.hosts[i].step >= Step::Applying;
    r.hosts[i].failure = Some(why);
    r.hosts[i].log.push("failed".into());
    if changed {
        steps::roll_back(x, r, i);
    } else {
        steps::enable_again(x, &mut r.hosts[i]);
        r.hosts[i].outcome = Outcome::Failed;
        r.hosts[i].next = Some(
            "nothing was changed on this host; fix the cause, then `xcpng-mod pool resume` tries it again, or `xcpng-mod pool abort` takes back the hosts done".into(),
        );
    }
    if r.hosts[i].outcome == Outcome::RolledBack {
        r.hosts[i].next = Some(
            "the host is as it was before the rollout; fix the cause, then `xcpng-mod pool resume` tries it again, or `xcpng-mod pool abort` takes back the hosts done".into(),
        );
    }
}

/// `pool abort`: take back the hosts done, newest first, then the VMs and HA; the key goes.
pub fn abort(x: &mut Xapi) -> Result<Report> {
    let (mut store, pool) = Store::new(x)?;
    let Some(mut r) = store.read(x)? else {
        return Err(failed(
            "no rollout to abort: this pool holds none".into(),
            "`xcpng-mod pool status` shows the hosts as they are",
        ));
    };
    x.patience = Duration::from_secs(r.options.host_timeout_s);
    r.phase = Phase::Aborting;
    for h in &mut r.hosts {
        h.next = None;
    }
    keep_ha_off(x, &pool, &mut r)?;
    store.save(x, &r)?;
    abort_saved(x, &mut store, r)
}

fn abort_saved(x: &mut Xapi, store: &mut Store, mut r: Rollout) -> Result<Report> {
    // The host a kill left mid-way is taken back too (its change may have run).
    let order: Vec<usize> = (0..r.hosts.len()).rev().collect();
    let mut clean = true;
    for i in order {
        let h = &r.hosts[i];
        let mid_way = h.outcome == Outcome::Pending && h.step >= Step::Applying;
        if h.outcome != Outcome::Done && !mid_way {
            if h.outcome == Outcome::Pending && h.step > Step::Pending {
                steps::enable_again(x, &mut r.hosts[i]);
            }
            continue;
        }
        if mid_way && r.hosts[i].transaction.is_none() {
            steps::find_transaction(x, &mut r.hosts[i]);
        }
        steps::undo_host(x, &mut r, i);
        clean &= r.hosts[i].outcome == Outcome::Undone;
        store.save(x, &r)?;
    }
    let not_home = steps::vms_home(x, &mut r);
    let ha = restore_ha(x, &r);
    if clean {
        store.remove(x)?;
    } else {
        r.phase = Phase::Failed;
        store.save(x, &r)?;
    }
    Ok(report(
        &r,
        if clean { "aborted" } else { "failed" },
        x,
        not_home,
        ha,
    ))
}

/// HA off again (a failed run put it back); what it was is kept from the first time.
fn keep_ha_off(x: &mut Xapi, pool: &serde_json::Value, r: &mut Rollout) -> Result<()> {
    let was = steps::disable_ha(x, pool)?;
    if r.ha.is_none() {
        r.ha = was;
    }
    Ok(())
}

fn restore_ha(x: &mut Xapi, r: &Rollout) -> Option<bool> {
    r.ha.as_ref().map(|ha| steps::enable_ha(x, ha))
}

fn report(
    r: &Rollout,
    result: &'static str,
    x: &Xapi,
    vms_not_home: Vec<String>,
    ha_restored: Option<bool>,
) -> Report {
    Report {
        result,
        operation: r.operation.describe(),
        hosts: r.hosts.clone(),
        vms_not_home,
        ha_restored,
        logins: x.logins,
    }
}
