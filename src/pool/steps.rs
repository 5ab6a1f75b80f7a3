//! The steps of a rollout on one host, each one XAPI call or plugin call, and what they read:
//! the hosts, the plans, evacuation, reboot and the wait, verification, the rollback, the VMs
//! going home, HA. A step's failure is a sentence (the host's `failure`), not an error: the
//! rollout goes on to roll that host back.

use super::state::now;
use super::state::{
    Expect, Ha, HostPlan, HostRun, Operation, Options, Outcome, Rollout, Step, VmHome,
};
use super::{s, PLUGIN};
use crate::xapirpc::{Xapi, XapiError};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// A host as the rollout orders it.
#[derive(Debug, Clone)]
pub struct Host {
    pub r#ref: String,
    pub name: String,
    pub uuid: String,
    pub master: bool,
    pub running_vms: usize,
}

/// The pool's hosts with their running guest VMs counted.
pub fn hosts(x: &mut Xapi, pool: &Value) -> crate::error::Result<Vec<Host>> {
    let master = s(&pool["master"]);
    let records = x
        .call("host.get_all_records", &[])
        .map_err(super::xapi_error)?;
    let vms = x
        .call("VM.get_all_records", &[])
        .map_err(super::xapi_error)?;
    let empty = serde_json::Map::new();
    let running = |h: &str| {
        vms.as_object()
            .unwrap_or(&empty)
            .values()
            .filter(|v| guest_running(v) && v["resident_on"] == h)
            .count()
    };
    let mut out: Vec<Host> = records
        .as_object()
        .unwrap_or(&empty)
        .iter()
        .map(|(r, h)| Host {
            r#ref: r.clone(),
            name: s(&h["name_label"]),
            uuid: s(&h["uuid"]),
            master: *r == master,
            running_vms: running(r),
        })
        .collect();
    out.sort_by_key(|h| (!h.master, super::by_name(&h.name)));
    Ok(out)
}

fn guest_running(v: &Value) -> bool {
    v["power_state"] == "Running" && v["is_control_domain"] != true && v["is_a_template"] != true
}

// ---------------------------------------------------------------- the plugin

/// The xcpng-mod plugin of one host, through `host.call_plugin`.
pub struct Plugin<'a> {
    host: &'a str,
    name: &'a str,
}

/// How long a busy plugin (another operation holds its lock) is waited for, in all.
const BUSY_PATIENCE: Duration = Duration::from_secs(120);

impl<'a> Plugin<'a> {
    pub fn new(host: &'a str, name: &'a str) -> Plugin<'a> {
        Plugin { host, name }
    }

    /// Call `function` with `args`; the answer's JSON. A plugin that answers "busy" is called
    /// again after 0.5 s, 1 s, 2 s, … (at most 8 s apart, two minutes in all).
    pub fn call(&self, x: &mut Xapi, function: &str, args: Value) -> Result<Value, String> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(500);
        loop {
            let params = [
                json!(self.host),
                json!(PLUGIN),
                json!(function),
                args.clone(),
            ];
            match x.call("host.call_plugin", &params) {
                Ok(v) => {
                    return serde_json::from_str(v.as_str().unwrap_or_default()).map_err(|e| {
                        format!(
                            "{}: the plugin's `{function}` answer is not JSON: {e}",
                            self.name
                        )
                    })
                }
                Err(e) if is_busy(&e) && started.elapsed() + pause < BUSY_PATIENCE => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(8));
                }
                Err(e) => return Err(format!("{}: plugin `{function}`: {}", self.name, said(&e))),
            }
        }
    }

    pub fn plan(
        &self,
        x: &mut Xapi,
        op: &Operation,
        repos: &[String],
    ) -> crate::error::Result<HostPlan> {
        let doc = self
            .call(x, "plan", op.plugin_args(repos))
            .map_err(|why| crate::error::Error::Failed {
                what: format!("{why}; nothing was changed on any host"),
                hint: Some("`xcpng-mod pool status` shows which hosts answer; every host is planned before any changes".into()),
            })?;
        Ok(read_plan(&doc))
    }
}

/// The plugin's own failure when another operation holds its lock.
fn is_busy(e: &XapiError) -> bool {
    matches!(e, XapiError::Api { params, .. } if params.iter().any(|p| p.contains("is busy (current operation")))
}

/// An XAPI error as a sentence: its code and its first, readable parameters.
fn said(e: &XapiError) -> String {
    match e {
        XapiError::Api { code, params } => {
            let shown: Vec<&str> = params
                .iter()
                .map(String::as_str)
                .filter(|p| !p.contains("Traceback") && !p.starts_with('{'))
                .take(2)
                .collect();
            if shown.is_empty() {
                code.clone()
            } else {
                format!("{code}: {}", shown.join(": "))
            }
        }
        other => other.to_string(),
    }
}

/// The transaction part of an answer: the document itself, or its `result` (driver-tool's
/// `-s` answer carries it there).
fn tx_part(doc: &Value) -> &Value {
    match doc.get("result") {
        Some(r) if r.is_object() => r,
        _ => doc,
    }
}

fn nevra(p: &Value) -> String {
    let p = p.get("pkg").unwrap_or(p);
    format!(
        "{}-{}-{}.{}",
        s(&p["name"]),
        s(&p["version"]),
        s(&p["release"]),
        s(&p["arch"])
    )
}

/// A plan document (install/update/remove `--assumeno`, `rollback --dry-run`, driver-tool's
/// `-s` answer): its package changes, guidance and module impact.
pub fn read_plan(doc: &Value) -> HostPlan {
    let t = tx_part(doc);
    let plan = &t["plan"];
    let list = |k: &str| plan[k].as_array().cloned().unwrap_or_default();
    let mut changes = Vec::new();
    for p in list("install") {
        changes.push(format!("install {}", nevra(&p)));
    }
    for k in ["upgrade", "downgrade", "reinstall"] {
        for c in list(k) {
            changes.push(format!("{k} {} -> {}", nevra(&c["from"]), nevra(&c["to"])));
        }
    }
    for p in list("remove") {
        changes.push(format!("remove {}", nevra(&p)));
    }
    let copy = |v: &Value| v["path"].as_str().map(str::to_string);
    let modules = t["modules"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| Expect {
                    module: s(&m["module"]),
                    kernel: s(&m["kernel"]),
                    before: copy(&m["before"]),
                    after: copy(&m["after"]),
                    loaded: m["loaded"] == true,
                    action: s(&m["action"]),
                })
                .collect()
        })
        .unwrap_or_default();
    let guidance = t["guidance"]
        .as_array()
        .map(|a| a.iter().map(s).collect())
        .unwrap_or_default();
    HostPlan {
        changes,
        guidance,
        modules,
    }
}

/// The history id an `apply`/`undo` answer names.
fn transaction_of(doc: &Value) -> Option<u64> {
    let t = &tx_part(&doc["result"])["transaction"];
    t.as_u64().or_else(|| t["id"].as_u64())
}

// ---------------------------------------------------------------- one host

/// What every host of a rollout does.
#[derive(Debug, Clone)]
pub struct Job {
    pub operation: Operation,
    pub options: Options,
}

/// Where a host's run saves its progress (with the VMs it moved): the rollout in the pool.
pub type Save<'s> = dyn FnMut(&mut Xapi, &HostRun, &[VmHome]) -> Result<(), String> + 's;

/// Run a host from its saved step to done, saving after each step. Err: why it failed (the
/// caller rolls it back).
pub fn host(x: &mut Xapi, h: &mut HostRun, job: &Job, save: &mut Save<'_>) -> Result<(), String> {
    let mut moved = Vec::new();
    while h.step != Step::Done {
        step(x, h, job, &mut moved, save)?;
        save(x, h, &moved)?;
    }
    Ok(())
}

/// One step forward.
fn step(
    x: &mut Xapi,
    h: &mut HostRun,
    job: &Job,
    moved: &mut Vec<VmHome>,
    save: &mut Save<'_>,
) -> Result<(), String> {
    match h.step {
        Step::Pending => check(x, h, job),
        Step::Checked => {
            if h.plan.needs_evacuation() {
                evacuate(x, h, moved)?;
            }
            h.step = Step::Evacuated;
            Ok(())
        }
        Step::Evacuated => {
            h.applying_since = Some(now());
            h.step = Step::Applying;
            Ok(())
        }
        Step::Applying => apply(x, h, job, moved, save),
        Step::Applied => {
            if h.plan.needs_reboot() {
                reboot(x, h)?;
                h.step = Step::Rebooting;
            } else {
                let e = h.plan.modules.clone();
                reload(x, h, &e)?;
                h.step = Step::Restarted;
            }
            Ok(())
        }
        Step::Rebooting => {
            wait_back(x, h, job.options.host_timeout_s)?;
            h.step = Step::Restarted;
            Ok(())
        }
        Step::Restarted => {
            let want = wanted(h, |m| m.after.clone());
            verify(x, h, &want)?;
            h.log.push("verified".into());
            enable_again(x, h);
            h.outcome = Outcome::Done;
            h.step = Step::Done;
            Ok(())
        }
        Step::Done => Ok(()),
    }
}

/// The plan again (nothing to change: done), evacuation possible, the links as they are.
fn check(x: &mut Xapi, h: &mut HostRun, job: &Job) -> Result<(), String> {
    let doc = Plugin::new(&h.host, &h.name).call(
        x,
        "plan",
        job.operation.plugin_args(&job.options.repos),
    )?;
    h.plan = read_plan(&doc);
    if h.plan.changes.is_empty() {
        h.log.push("planned: nothing to change".into());
        h.outcome = Outcome::NothingToDo;
        h.step = Step::Done;
        return Ok(());
    }
    h.log.push(format!(
        "planned: {}; guidance: {}",
        h.plan.changes.join(", "),
        shown_guidance(&h.plan.guidance)
    ));
    if h.plan.needs_evacuation() {
        assert_can_evacuate(x, h)?;
        h.log.push("evacuation possible".into());
    }
    (h.pifs_up, h.pbds_attached) = links(x, &h.host)?;
    h.step = Step::Checked;
    Ok(())
}

/// The change, once: after a kill while applying, the host's history says whether it ran.
fn apply(
    x: &mut Xapi,
    h: &mut HostRun,
    job: &Job,
    moved: &[VmHome],
    save: &mut Save<'_>,
) -> Result<(), String> {
    if h.transaction.is_none() && h.log.iter().any(|l| l == "applying") {
        find_transaction(x, h);
    }
    if h.transaction.is_none() {
        h.log.push("applying".into());
        save(x, h, moved)?;
        let doc = Plugin::new(&h.host, &h.name).call(
            x,
            "apply",
            job.operation.plugin_args(&job.options.repos),
        )?;
        h.transaction = transaction_of(&doc);
    }
    h.log.push(format!(
        "applied (transaction {})",
        h.transaction
            .map(|t| t.to_string())
            .unwrap_or_else(|| "none".into())
    ));
    h.step = Step::Applied;
    Ok(())
}

fn shown_guidance(g: &[String]) -> String {
    if g.is_empty() {
        "none".into()
    } else {
        g.join(", ")
    }
}

/// The host's transaction of the rollout, from its history, after a kill while applying:
/// the newest record started after `apply` was called.
pub fn find_transaction(x: &mut Xapi, h: &mut HostRun) {
    let Some(since) = h.applying_since else {
        return;
    };
    let Ok(doc) = Plugin::new(&h.host, &h.name).call(x, "history", json!({})) else {
        return;
    };
    let records = doc["transactions"]
        .as_array()
        .or_else(|| doc["history"].as_array())
        .cloned()
        .unwrap_or_default();
    let found = records
        .iter()
        .filter(|r| {
            r["time"]
                .as_f64()
                .or_else(|| r["start"].as_f64())
                .unwrap_or(0.0)
                + 1.0
                >= since
        })
        .filter_map(|r| r["id"].as_u64())
        .max();
    if let Some(t) = found {
        h.transaction = Some(t);
        h.log
            .push(format!("found transaction {t} in the host's history"));
    }
}

// ---------------------------------------------------------------- evacuation

fn xapi_version_at_least(x: &mut Xapi, host: &str, want: (u64, u64)) -> bool {
    let Ok(sv) = x.call("host.get_software_version", &[json!(host)]) else {
        return false;
    };
    let v = s(&sv["xapi"]);
    let mut it = v.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let got = (it.next().unwrap_or(0), it.next().unwrap_or(0));
    got >= want
}

/// `host.assert_can_evacuate`; when it refuses, the VMs that prevent it, named, and why.
fn assert_can_evacuate(x: &mut Xapi, h: &HostRun) -> Result<(), String> {
    match x.call("host.assert_can_evacuate", &[json!(h.host)]) {
        Ok(_) => Ok(()),
        Err(e) => {
            let blockers = x
                .call("host.get_vms_which_prevent_evacuation", &[json!(h.host)])
                .ok()
                .and_then(|m| m.as_object().cloned())
                .unwrap_or_default();
            let mut why = Vec::new();
            for (vm, err) in blockers {
                let name = x
                    .call("VM.get_name_label", &[json!(vm)])
                    .map(|v| s(&v))
                    .unwrap_or(vm);
                let err: Vec<String> = err
                    .as_array()
                    .map(|a| a.iter().map(s).collect())
                    .unwrap_or_default();
                why.push(format!("VM {name}: {}", err.join(" ")));
            }
            let why = if why.is_empty() {
                said(&e)
            } else {
                why.join("; ")
            };
            Err(format!(
                "{} cannot be evacuated ({}): {why}; nothing was changed on it",
                h.name,
                e.code().unwrap_or("XAPI")
            ))
        }
    }
}

/// Disable (auto_enable=false where XAPI has it, so the host stays disabled across its
/// reboot) and evacuate; the VMs moved are remembered with their home.
fn evacuate(x: &mut Xapi, h: &mut HostRun, vms: &mut Vec<VmHome>) -> Result<(), String> {
    let all = x.call("VM.get_all_records", &[]).map_err(|e| said(&e))?;
    if let Some(m) = all.as_object() {
        for (r, v) in m {
            if guest_running(v)
                && v["resident_on"] == h.host.as_str()
                && !vms.iter().any(|k| &k.vm == r)
            {
                vms.push(VmHome {
                    vm: r.clone(),
                    name: s(&v["name_label"]),
                    home: h.host.clone(),
                });
            }
        }
    }
    disable(x, h)?;
    x.call("host.evacuate", &[json!(h.host)])
        .map_err(|e| format!("{}: host.evacuate: {}", h.name, said(&e)))?;
    h.log.push("disabled and evacuated".into());
    Ok(())
}

fn disable(x: &mut Xapi, h: &mut HostRun) -> Result<(), String> {
    let persistent = xapi_version_at_least(x, &h.host, (25, 31));
    let r = if persistent {
        x.call("host.disable", &[json!(h.host), json!(false)])
    } else {
        x.call("host.disable", &[json!(h.host)])
    };
    match r {
        Err(e) if e.code() == Some("MESSAGE_PARAMETER_COUNT_MISMATCH") => {
            x.call("host.disable", &[json!(h.host)])
        }
        other => other,
    }
    .map_err(|e| format!("{}: host.disable: {}", h.name, said(&e)))?;
    h.disabled = true;
    Ok(())
}

/// Enable the host again when the rollout disabled it (best effort: said in the log).
pub fn enable_again(x: &mut Xapi, h: &mut HostRun) {
    if !h.disabled {
        return;
    }
    match x.call("host.enable", &[json!(h.host)]) {
        Ok(_) => {
            h.disabled = false;
            h.log.push("enabled".into());
        }
        Err(e) => h.log.push(format!("could not enable it: {}", said(&e))),
    }
}

// ---------------------------------------------------------------- reboot, reload

fn agent_start(x: &mut Xapi, host: &str) -> Option<String> {
    x.call("host.get_other_config", &[json!(host)])
        .ok()
        .and_then(|oc| oc["agent_start_time"].as_str().map(str::to_string))
}

fn reboot(x: &mut Xapi, h: &mut HostRun) -> Result<(), String> {
    h.agent_start_before = agent_start(x, &h.host);
    h.rebooted_at = Some(now());
    x.call("host.reboot", &[json!(h.host)])
        .map_err(|e| format!("{}: host.reboot: {}", h.name, said(&e)))?;
    h.log.push("rebooting".into());
    Ok(())
}

/// Wait until the host is back: a new agent start time, its metrics live. A host that came
/// back enabled (an XAPI older than 25.31 forgets the disable) is disabled again until it is
/// verified.
fn wait_back(x: &mut Xapi, h: &mut HostRun, timeout_s: u64) -> Result<(), String> {
    let started = Instant::now();
    let timeout = Duration::from_secs(timeout_s);
    loop {
        if let Ok(rec) = x.call("host.get_record", &[json!(h.host)]) {
            let start = rec["other_config"]["agent_start_time"]
                .as_str()
                .map(str::to_string);
            let live = x
                .call("host_metrics.get_live", &[rec["metrics"].clone()])
                .map(|v| v == true)
                .unwrap_or(false);
            if live && start.is_some() && start != h.agent_start_before {
                // From the reboot asked for: a master's reboot is partly waited for in the
                // calls between (XAPI away).
                let waited = h
                    .rebooted_at
                    .map(|t| now() - t)
                    .unwrap_or_else(|| started.elapsed().as_secs_f64());
                h.reboot_wait_seconds += waited;
                h.log.push(format!("back after {waited:.1} s"));
                if rec["enabled"] == true && h.disabled {
                    disable(x, h)?;
                }
                return Ok(());
            }
        }
        if started.elapsed() >= timeout {
            h.reboot_wait_seconds += h
                .rebooted_at
                .map(|t| now() - t)
                .unwrap_or_else(|| started.elapsed().as_secs_f64());
            return Err(format!(
                "{} did not come back within {timeout_s} s of its reboot (--host-timeout)",
                h.name
            ));
        }
        std::thread::sleep(super::state::poll_interval(started.elapsed()));
    }
}

/// The reloads a plan names (action `reload`, the module loaded), through the plugin.
fn reload(x: &mut Xapi, h: &mut HostRun, modules: &[Expect]) -> Result<(), String> {
    for m in modules.iter().filter(|m| m.loaded && m.action == "reload") {
        Plugin::new(&h.host, &h.name).call(x, "reload_module", json!({"module": m.module}))?;
        h.log.push(format!("reloaded {}", m.module));
    }
    Ok(())
}

// ---------------------------------------------------------------- verification

/// The PIFs of the host up with carrier, and the SRs whose PBD is attached.
fn links(x: &mut Xapi, host: &str) -> Result<(Vec<String>, Vec<String>), String> {
    let pifs = x.call("PIF.get_all_records", &[]).map_err(|e| said(&e))?;
    let metrics = x
        .call("PIF_metrics.get_all_records", &[])
        .map_err(|e| said(&e))?;
    let pbds = x.call("PBD.get_all_records", &[]).map_err(|e| said(&e))?;
    let empty = serde_json::Map::new();
    let mut up: Vec<String> = pifs
        .as_object()
        .unwrap_or(&empty)
        .values()
        .filter(|p| p["host"] == host && p["currently_attached"] == true)
        .filter(|p| metrics[s(&p["metrics"])]["carrier"] == true)
        .map(|p| s(&p["device"]))
        .collect();
    up.sort();
    let mut attached: Vec<String> = pbds
        .as_object()
        .unwrap_or(&empty)
        .values()
        .filter(|p| p["host"] == host && p["currently_attached"] == true)
        .map(|p| s(&p["SR"]))
        .collect();
    attached.sort();
    Ok((up, attached))
}

fn sr_name(x: &mut Xapi, sr: &str) -> String {
    x.call("SR.get_name_label", &[json!(sr)])
        .map(|v| s(&v))
        .unwrap_or_else(|_| sr.to_string())
}

/// Per module of the host's plan: (module, kernel, the copy that should win), the copy
/// chosen by `copy` (after the change, or before it).
fn wanted(
    h: &HostRun,
    copy: impl Fn(&Expect) -> Option<String>,
) -> Vec<(String, String, Option<String>)> {
    h.plan
        .modules
        .iter()
        .map(|m| (m.module.clone(), m.kernel.clone(), copy(m)))
        .collect()
}

/// The copies wanted win and are the ones loaded (by build-id); the PIFs up before are up
/// with carrier; the PBDs attached before are attached; the host answers its plugin.
fn verify(
    x: &mut Xapi,
    h: &mut HostRun,
    want: &[(String, String, Option<String>)],
) -> Result<(), String> {
    let names: BTreeSet<&str> = want.iter().map(|(m, _, _)| m.as_str()).collect();
    let names: Vec<&str> = names.into_iter().collect();
    let inv = Plugin::new(&h.host, &h.name).call(
        x,
        "list_modules",
        json!({"modules": names.join(" ")}),
    )?;
    let mut wrong = Vec::new();
    for (module, kernel, path) in want {
        if inv["kernel"] != kernel.as_str() {
            continue;
        }
        let Some(path) = path else { continue };
        if let Some(w) = module_wrong(&inv, module, path) {
            wrong.push(w);
        }
    }
    let (up, attached) = links(x, &h.host)?;
    for p in h.pifs_up.iter().filter(|p| !up.contains(p)) {
        wrong.push(format!("PIF {p} was up with carrier and is not"));
    }
    for sr in h
        .pbds_attached
        .clone()
        .iter()
        .filter(|p| !attached.contains(p))
    {
        let name = sr_name(x, sr);
        wrong.push(format!("the PBD of SR {name} was attached and is not"));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("{} does not verify: {}", h.name, wrong.join("; ")))
    }
}

/// Why `module` in an inventory document is not as wanted (`path` wins and, when loaded, is
/// the loaded copy by build-id).
fn module_wrong(inv: &Value, module: &str, path: &str) -> Option<String> {
    let Some(m) = inv["modules"]
        .as_array()
        .and_then(|a| a.iter().find(|m| m["name"] == module))
    else {
        return Some(format!("{module} is not on the host"));
    };
    let wins = m["modules_dep"]
        .as_str()
        .or(m["winner"]["path"].as_str())
        .unwrap_or_default();
    if wins != path {
        return Some(format!("{module}: {wins} wins, {path} was expected"));
    }
    let loaded = &m["loaded"];
    if loaded.is_null() {
        return None;
    }
    let copy_id = m["copies"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["path"] == path))
        .and_then(|c| c["build_id"].as_str());
    match (loaded["build_id"].as_str(), copy_id) {
        (Some(l), Some(c)) if l.eq_ignore_ascii_case(c) => None,
        (Some(l), Some(_)) => Some(format!(
            "{module}: the copy loaded (build-id {l}) is not {path}"
        )),
        _ if loaded["path"].as_str() == Some(path) => None,
        _ => Some(format!("{module}: cannot tell which copy is loaded")),
    }
}

// ---------------------------------------------------------------- taking back

/// Take back the host's change: disable and evacuate when a reboot will be needed, `undo`
/// its transaction, reboot (or reload), wait, verify the copies before the change, enable.
fn take_back(
    x: &mut Xapi,
    h: &mut HostRun,
    vms: &mut Vec<VmHome>,
    timeout_s: u64,
) -> Result<(), String> {
    let Some(t) = h.transaction else {
        h.log.push("no transaction to take back".into());
        return Ok(());
    };
    // The VMs leave before anything changes (the change itself needed a reboot: so does
    // taking it back).
    if h.plan.needs_evacuation() && !h.disabled {
        evacuate(x, h, vms)?;
    }
    let plugin = Plugin::new(&h.host, &h.name);
    let doc = plugin.call(x, "undo", json!({"transaction": t.to_string()}))?;
    let undo_plan = read_plan(&doc["result"]);
    h.log.push(format!(
        "transaction {t} undone (transaction {})",
        transaction_of(&doc)
            .map(|t| t.to_string())
            .unwrap_or_else(|| "none".into())
    ));
    h.transaction = None;
    let reboot_needed = h.plan.needs_reboot() || undo_plan.needs_reboot();
    if reboot_needed {
        if !h.disabled {
            evacuate(x, h, vms)?;
        }
        reboot(x, h)?;
        wait_back(x, h, timeout_s)?;
    } else {
        reload(x, h, &undo_plan.modules)?;
    }
    let want = wanted(h, |m| m.before.clone());
    verify(x, h, &want)?;
    h.log.push("verified as before".into());
    enable_again(x, h);
    Ok(())
}

/// After a failure: take the host back; left disabled when that does not verify.
pub fn roll_back(x: &mut Xapi, r: &mut Rollout, i: usize) {
    let timeout = r.options.host_timeout_s;
    let h = &mut r.hosts[i];
    if h.transaction.is_none() {
        find_transaction(x, h);
    }
    match take_back(x, h, &mut r.vms, timeout) {
        Ok(()) => h.outcome = Outcome::RolledBack,
        Err(why) => {
            h.outcome = Outcome::RollbackFailed;
            h.log.push(format!("rollback failed: {why}"));
            h.next = Some(format!(
                "left disabled: {why}; repair it by hand (`xcpng-mod history` on the host shows its transactions), then `xe host-enable`"
            ));
        }
    }
}

/// `pool abort`: take a done host back.
pub fn undo_host(x: &mut Xapi, r: &mut Rollout, i: usize) {
    let timeout = r.options.host_timeout_s;
    let h = &mut r.hosts[i];
    if h.plan.needs_evacuation() && !h.disabled {
        if let Err(why) = assert_can_evacuate(x, h) {
            h.outcome = Outcome::RollbackFailed;
            h.next = Some(format!("not taken back: {why}"));
            return;
        }
    }
    match take_back(x, h, &mut r.vms, timeout) {
        Ok(()) => h.outcome = Outcome::Undone,
        Err(why) => {
            h.outcome = Outcome::RollbackFailed;
            h.log.push(format!("taking back failed: {why}"));
            h.next = Some(format!("left disabled: {why}; repair it by hand"));
        }
    }
}

// ---------------------------------------------------------------- VMs, HA

/// Every VM the rollout moved goes back to its home, making room first: a pass moves what
/// can move; a VM refused for lack of room is tried again once others (parked VMs of other
/// hosts among them) have left. What stays is said.
pub fn vms_home(x: &mut Xapi, r: &mut Rollout) -> Vec<String> {
    let mut left = r.vms.clone();
    let mut refused: Vec<(VmHome, String)> = Vec::new();
    loop {
        let mut moved = false;
        refused.clear();
        for v in &left {
            let at = x.call("VM.get_resident_on", &[json!(v.vm)]).map(|v| s(&v));
            if at.as_deref() == Ok(v.home.as_str()) {
                continue;
            }
            match x.call("VM.pool_migrate", &[json!(v.vm), json!(v.home), json!({})]) {
                Ok(_) => moved = true,
                Err(e) => refused.push((v.clone(), said(&e))),
            }
        }
        left = refused.iter().map(|(v, _)| v.clone()).collect();
        if left.is_empty() || !moved {
            break;
        }
    }
    r.vms.retain(|v| left.contains(v));
    let names: std::collections::BTreeMap<String, String> = r
        .hosts
        .iter()
        .map(|h| (h.host.clone(), h.name.clone()))
        .collect();
    refused
        .into_iter()
        .map(|(v, why)| {
            format!(
                "VM {} not moved back to {}: {why}",
                v.name,
                names.get(&v.home).cloned().unwrap_or(v.home.clone())
            )
        })
        .collect()
}

/// Disable HA when it is on; what it was, to put it back.
pub fn disable_ha(x: &mut Xapi, p: &Value) -> crate::error::Result<Option<Ha>> {
    if p["ha_enabled"] != true {
        return Ok(None);
    }
    let mut srs = Vec::new();
    for vdi in p["ha_statefiles"].as_array().cloned().unwrap_or_default() {
        if let Ok(sr) = x.call("VDI.get_SR", &[vdi]) {
            srs.push(s(&sr));
        }
    }
    let ha = Ha {
        heartbeat_srs: srs,
        configuration: p["ha_configuration"].clone(),
    };
    x.call("pool.disable_ha", &[]).map_err(super::xapi_error)?;
    Ok(Some(ha))
}

/// Put HA back as it was; whether that worked.
pub fn enable_ha(x: &mut Xapi, ha: &Ha) -> bool {
    let config = if ha.configuration.is_object() {
        ha.configuration.clone()
    } else {
        json!({})
    };
    x.call("pool.enable_ha", &[json!(ha.heartbeat_srs), config])
        .is_ok()
}
