//! The rollout's state, as the pool keeps it (`pool.other_config:xcpng-mod:rollout`, JSON):
//! the operation, each host's plan and step and outcome, the VMs' homes, HA as it was; and
//! the store that reads, creates (the lock), saves and removes it.

pub(super) use super::failed;
use super::xapi_error;
use crate::error::{Error, Result};
use crate::xapirpc::Xapi;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Duration;

/// The pool.other_config key holding the rollout's state (and the lock).
pub const KEY: &str = "xcpng-mod:rollout";

/// What a rollout does on every host: a single-host command with its arguments.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "operation", rename_all = "kebab-case")]
pub enum Operation {
    Install {
        packages: Vec<String>,
    },
    Update {
        packages: Vec<String>,
    },
    Remove {
        packages: Vec<String>,
    },
    Select {
        driver: String,
        variant: String,
        #[serde(default)]
        force: bool,
    },
    Rollback {
        module: String,
    },
}

impl Operation {
    fn name(&self) -> &'static str {
        match self {
            Operation::Install { .. } => "install",
            Operation::Update { .. } => "update",
            Operation::Remove { .. } => "remove",
            Operation::Select { .. } => "select",
            Operation::Rollback { .. } => "rollback",
        }
    }

    /// As the admin would type it after `pool rollout`.
    pub fn describe(&self) -> String {
        match self {
            Operation::Install { packages }
            | Operation::Update { packages }
            | Operation::Remove { packages } => format!("{} {}", self.name(), packages.join(" "))
                .trim_end()
                .to_string(),
            Operation::Select {
                driver, variant, ..
            } => format!("select {driver} {variant}"),
            Operation::Rollback { module } => format!("rollback {module}"),
        }
    }

    /// The plugin's arguments for `plan` and `apply` (XAPI passes strings only).
    pub(super) fn plugin_args(&self, repos: &[String]) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("operation".into(), json!(self.name()));
        match self {
            Operation::Install { packages }
            | Operation::Update { packages }
            | Operation::Remove { packages } => {
                m.insert("packages".into(), json!(packages.join(" ")));
            }
            Operation::Select {
                driver,
                variant,
                force,
            } => {
                m.insert("driver".into(), json!(driver));
                m.insert("variant".into(), json!(variant));
                m.insert("force".into(), json!(if *force { "true" } else { "false" }));
            }
            Operation::Rollback { module } => {
                m.insert("module".into(), json!(module));
            }
        }
        if !repos.is_empty() && !matches!(self, Operation::Rollback { .. }) {
            m.insert("repos".into(), json!(repos.join(" ")));
        }
        Value::Object(m)
    }
}

/// How a rollout runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Options {
    /// The host to go first (name or uuid); default: the master when toolstack packages
    /// change, else the member with the fewest running VMs.
    pub canary: Option<String>,
    /// How long a host may take to come back from its reboot.
    pub host_timeout_s: u64,
    /// Repos enabled for the change on every host (the plugin's `repos`).
    pub repos: Vec<String>,
    /// How many members go side by side once the canary and the master are done.
    #[serde(default = "one")]
    pub parallel: usize,
}

fn one() -> usize {
    1
}

/// What one host's plan says (read from the plugin's `plan` answer).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HostPlan {
    /// One line per package change ("install intel-igb-alt-5.3.5.39-1.xcpng8.3.x86_64").
    pub changes: Vec<String>,
    /// XAPI's names: RebootHost, RestartToolstack, EvacuateHost, …
    pub guidance: Vec<String>,
    /// The modules whose winning copy changes.
    pub modules: Vec<Expect>,
}

impl HostPlan {
    pub fn needs_reboot(&self) -> bool {
        self.guidance.iter().any(|g| g == "RebootHost")
    }
    pub fn needs_evacuation(&self) -> bool {
        self.needs_reboot() || self.guidance.iter().any(|g| g == "EvacuateHost")
    }
}

/// One module of a plan: the copy that wins before and after, and what it needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Expect {
    pub module: String,
    pub kernel: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub loaded: bool,
    pub action: String,
}

/// Where a host is in its run; saved after each.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// Nothing done on it yet.
    Pending,
    /// Planned again and checked (evacuation possible); nothing changed.
    Checked,
    /// Disabled and evacuated (when its plan needs it).
    Evacuated,
    /// The change is being applied (a kill here: the history says whether it ran).
    Applying,
    /// The change ran (its transaction id is kept).
    Applied,
    /// Rebooting: waiting for a new agent start time.
    Rebooting,
    /// Back (or reloaded), not yet verified.
    Restarted,
    /// Verified; enabled again.
    Done,
}

/// How a host ended.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Not reached (the rollout stopped before it, or is still running).
    Pending,
    /// Changed and verified.
    Done,
    /// Its plan was empty: nothing to change.
    NothingToDo,
    /// Failed before anything changed on it.
    Failed,
    /// Failed, rolled back and verified again.
    RolledBack,
    /// Failed, and the rollback did not verify (or could not run): left disabled.
    RollbackFailed,
    /// Done, then taken back by `pool abort`.
    Undone,
}

/// One host of the rollout.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HostRun {
    pub host: String,
    pub name: String,
    pub master: bool,
    pub plan: HostPlan,
    pub step: Step,
    pub outcome: Outcome,
    /// The history id of the change on this host.
    pub transaction: Option<u64>,
    /// When `apply` was called (to find its transaction in the history after a kill).
    pub applying_since: Option<f64>,
    /// `other_config:agent_start_time` before the reboot, and when it was asked for.
    pub agent_start_before: Option<String>,
    #[serde(default)]
    pub rebooted_at: Option<f64>,
    /// Disabled by the rollout (so enabled by it again).
    pub disabled: bool,
    /// PIF devices up with carrier, and SRs whose PBD was attached, before the change.
    pub pifs_up: Vec<String>,
    pub pbds_attached: Vec<String>,
    /// What was done, in order, for the report.
    pub log: Vec<String>,
    pub failure: Option<String>,
    pub next: Option<String>,
    /// Time spent on this host (all runs), and the part of it waiting for its reboots.
    #[serde(default)]
    pub seconds: f64,
    #[serde(default)]
    pub reboot_wait_seconds: f64,
}

/// Where a VM lived before the rollout moved it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct VmHome {
    pub vm: String,
    pub name: String,
    pub home: String,
}

/// HA as it was before the rollout disabled it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ha {
    pub heartbeat_srs: Vec<String>,
    pub configuration: Value,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Running,
    /// Stopped at a failure: `pool resume` retries the failed host, `pool abort` takes back
    /// the hosts done.
    Failed,
    Aborting,
}

/// The rollout's state: what `pool.other_config:xcpng-mod:rollout` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rollout {
    pub version: u32,
    pub started_by: String,
    pub started_at: f64,
    pub operation: Operation,
    pub options: Options,
    pub phase: Phase,
    pub ha: Option<Ha>,
    pub hosts: Vec<HostRun>,
    pub vms: Vec<VmHome>,
}

pub(super) fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Who runs the rollout: user, machine, process.
pub(super) fn who() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "root".into());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into());
    format!("{user}@{host} (pid {})", std::process::id())
}

/// The pool's state key: read, created (the lock), saved, removed.
pub(super) struct Store {
    pool: String,
    saves: u32,
    kill_at: Option<u32>,
}

impl Store {
    pub(super) fn new(x: &mut Xapi) -> Result<(Store, Value)> {
        let pools = x.call("pool.get_all_records", &[]).map_err(xapi_error)?;
        let (r, rec) = pools
            .as_object()
            .and_then(|m| m.iter().next())
            .map(|(k, v)| (k.clone(), v.clone()))
            .ok_or_else(|| failed("XAPI knows no pool".into(), "is this a pool master?"))?;
        // A test hook: kill -9 this process right after the Nth save, to prove resume.
        let kill_at = std::env::var("XCPNG_MOD_TEST_KILL_AFTER_SAVE")
            .ok()
            .and_then(|v| v.parse().ok());
        Ok((
            Store {
                pool: r,
                saves: 0,
                kill_at,
            },
            rec,
        ))
    }

    pub(super) fn read(&self, x: &mut Xapi) -> Result<Option<Rollout>> {
        let oc = x
            .call("pool.get_other_config", &[json!(self.pool)])
            .map_err(xapi_error)?;
        let Some(text) = oc.get(KEY).and_then(Value::as_str) else {
            return Ok(None);
        };
        serde_json::from_str(text).map(Some).map_err(|e| {
            failed(
                format!("pool.other_config:{KEY} is not a rollout xcpng-mod can read: {e}"),
                "it was written by another version; `xe pool-param-remove param-name=other-config param-key=xcpng-mod:rollout uuid=…` drops it (the hosts keep their own history)",
            )
        })
    }

    /// Take the lock: add the key; `MAP_DUPLICATE_KEY` means another rollout holds it.
    pub(super) fn create(&mut self, x: &mut Xapi, r: &Rollout) -> Result<()> {
        let text = serde_json::to_string(r).expect("a rollout serializes");
        match x.call(
            "pool.add_to_other_config",
            &[json!(self.pool), json!(KEY), json!(text)],
        ) {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("MAP_DUPLICATE_KEY") => {
                let held = self.read(x)?;
                Err(busy(held.as_ref()))
            }
            Err(e) => Err(xapi_error(e)),
        }
    }

    pub(super) fn save(&mut self, x: &mut Xapi, r: &Rollout) -> Result<()> {
        let text = serde_json::to_string(r).expect("a rollout serializes");
        let args = [json!(self.pool), json!(KEY), json!(text)];
        for tries in 0.. {
            x.call("pool.remove_from_other_config", &args[..2])
                .map_err(xapi_error)?;
            match x.call("pool.add_to_other_config", &args) {
                // An add whose answer was lost (XAPI went away) ran: once more.
                Err(e) if e.code() == Some("MAP_DUPLICATE_KEY") && tries == 0 => continue,
                other => {
                    other.map_err(xapi_error)?;
                    break;
                }
            }
        }
        self.saves += 1;
        if self.kill_at == Some(self.saves) {
            // SAFETY: kill(2) on this process; SIGKILL ends it here, as `kill -9` would.
            unsafe {
                libc::kill(libc::getpid(), libc::SIGKILL);
            }
        }
        Ok(())
    }

    pub(super) fn remove(&mut self, x: &mut Xapi) -> Result<()> {
        x.call(
            "pool.remove_from_other_config",
            &[json!(self.pool), json!(KEY)],
        )
        .map(|_| ())
        .map_err(xapi_error)
    }
}

/// The refusal while a rollout holds the pool.
pub(super) fn busy(held: Option<&Rollout>) -> Error {
    let what = match held {
        Some(r) => {
            let at = r
                .hosts
                .iter()
                .find(|h| h.step != Step::Done && h.step != Step::Pending)
                .or_else(|| r.hosts.iter().find(|h| h.step == Step::Pending))
                .map(|h| format!("; host {} at step {:?}", h.name, h.step))
                .unwrap_or_default();
            format!(
                "another rollout holds this pool: `{}`, started by {} at {} ({}{at})",
                r.operation.describe(),
                r.started_by,
                crate::time::utc(r.started_at as u64),
                match r.phase {
                    Phase::Running => "running, or killed",
                    Phase::Failed => "stopped at a failure",
                    Phase::Aborting => "being aborted",
                }
            )
        }
        None => "another rollout holds this pool".to_string(),
    };
    failed(
        what,
        "`xcpng-mod pool resume` carries it on, `xcpng-mod pool abort` takes it back; one rollout per pool",
    )
}

/// How long to wait between two looks at a host coming back.
pub(super) fn poll_interval(waited: Duration) -> Duration {
    if waited < Duration::from_secs(10) {
        Duration::from_millis(200)
    } else {
        Duration::from_secs(2)
    }
}
