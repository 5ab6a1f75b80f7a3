//! Safe reload of a kernel module: the preflight (who holds it, what uses it, whether the
//! management network or storage hangs from it, whether the kernel will accept the copy that
//! would load), the plan (unload order, load order, `modprobe.d` options), and the executor
//! that carries the plan out through the root's own kmod tools and puts the previous copy
//! back when the load or a check fails.
//!
//! `gather` reads the host (files under the `Sysroot`, plus the ethtool ioctl on the real
//! `/`); `assess` is pure and turns those facts into a `Preflight`; `execute` runs a
//! preflight's plan through a `KernelOps`, so the fallback logic is tested with a fake kernel
//! and proven with the real one in the VM tests. Nothing here renders text for the terminal.

use serde::Serialize;
use std::collections::BTreeMap;

use crate::modules::inventory::{CopyRecord, LoadedState, ModuleEntry};
use crate::modules::loaded::Loaded;

mod execute;
mod facts;
mod kmod;
mod preflight;
#[cfg(test)]
mod tests;

pub use execute::*;
pub use facts::*;
pub use kmod::*;
pub use preflight::*;

pub use crate::modules::modprobe::{ModprobeCommand, ModprobeOption};

/// What the preflight concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing at risk that the admin has not asked for.
    Safe,
    /// Possible, but something is at risk: only with `--force`.
    NeedsForce,
    /// Cannot be done on the running kernel (built in, held by the kernel): reboot.
    Impossible,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Safe => "safe",
            Verdict::NeedsForce => "needs --force",
            Verdict::Impossible => "impossible",
        }
    }
}

/// A network interface and the modules its device hangs from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct NetIf {
    pub name: String,
    /// Modules of the device and its parents (`device/driver/module` up the sysfs tree), and
    /// the ethtool driver name.
    pub modules: Vec<String>,
    /// Interfaces stacked on it (bond, bridge, VLAN…), transitively.
    pub uppers: Vec<String>,
    /// It is the management interface, or the management interface is stacked on it.
    pub management: bool,
    /// What XAPI's database says runs over it (its PIFs, bonds, VLANs; their networks).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pifs: Vec<crate::modules::xapi::PifUse>,
    /// Administratively up (IFF_UP in sysfs `flags`).
    pub up: bool,
    /// It holds an IP address (None: cannot be told, under --root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_address: Option<bool>,
    /// The default route goes through it (`/proc/net/route`).
    pub default_route: bool,
}

/// A block device and the modules its device hangs from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct BlockDev {
    pub name: String,
    pub modules: Vec<String>,
}

/// Everything the preflight needs, read from the host by `gather`.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub kernel: String,
    pub module: String,
    /// Listed in `modules.builtin`.
    pub builtin: bool,
    /// The inventory entry (None for a built-in module with no file).
    pub entry: Option<ModuleEntry>,
    /// `modules.dep` on disk names the winning copy: `modprobe` loads it.
    pub modprobe_picks_winner: bool,
    pub loaded: BTreeMap<String, Loaded>,
    pub interfaces: Vec<NetIf>,
    pub block_devices: Vec<BlockDev>,
    /// `MANAGEMENT_INTERFACE` of `/etc/xensource-inventory`.
    pub management_interface: Option<String>,
    /// Why the management interface could not be read from the inventory (missing,
    /// unreadable, cut short), with where it was looked for.
    pub inventory_problem: Option<String>,
    /// XAPI's database was read and names this host's PIFs.
    pub xapi_db_used: bool,
    /// Why XAPI's database could not tell what runs over the interfaces (None: read, or
    /// there is none).
    pub xapi_problem: Option<String>,
    /// How long ago XAPI last wrote its database.
    pub xapi_age: Option<std::time::Duration>,
    /// The running kernel's vermagic, from an in-tree module of the same kernel.
    pub kernel_vermagic: Option<String>,
    pub options: Vec<ModprobeOption>,
    pub commands: Vec<ModprobeCommand>,
    /// The module is in `/boot/initrd-<kver>.img` (None: no initrd, or unreadable).
    pub in_initrd: Option<bool>,
    /// The initrd is older than the winning copy (it holds an older driver).
    pub initrd_older: bool,
}

/// How the copy that would load compares with the kernel's vermagic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VermagicStatus {
    Match,
    /// Another kernel release, same flags: with modversions the kernel checks symbol CRCs
    /// instead, and may load it.
    OtherRelease,
    /// The flags differ (or the release, without a reference): the kernel refuses it.
    Refused,
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
pub struct VermagicCheck {
    pub status: VermagicStatus,
    /// The winning copy's vermagic.
    pub module: Option<String>,
    /// The running kernel's (from an in-tree module).
    pub kernel: Option<String>,
}

/// One load of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadStep {
    pub module: String,
    /// The command, as run (`modprobe dummy`, `insmod /lib/modules/…/dummy.ko opt=1`).
    pub command: Vec<String>,
}

/// The plan of a reload.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ReloadPlan {
    /// Modules unloaded, in order (holders first, the module last).
    pub unload: Vec<String>,
    /// Loads, in order (the module with its dependencies first, then its holders).
    pub load: Vec<LoadStep>,
    /// `modprobe.d` options that apply to the modules of the plan.
    pub options: Vec<ModprobeOption>,
}

/// A module that holds (uses) the one reloaded.
#[derive(Debug, Clone, Serialize)]
pub struct Holder {
    pub name: String,
    pub refcnt: Option<i64>,
    /// The modules it is held by in turn.
    pub holders: Vec<String>,
}

/// The preflight's answer.
#[derive(Debug, Clone)]
pub struct Preflight {
    pub kernel: String,
    pub module: String,
    pub builtin: bool,
    /// The copy that would load (depmod's pick).
    pub winner: Option<CopyRecord>,
    /// What is loaded now; `path` is the matching file on disk (what a fallback loads).
    pub loaded: Option<LoadedState>,
    /// Modules holding it, transitively.
    pub holders: Vec<Holder>,
    /// Interfaces whose device hangs from a module of the plan.
    pub interfaces: Vec<NetIf>,
    pub block_devices: Vec<BlockDev>,
    pub management_interface: Option<String>,
    pub vermagic: VermagicCheck,
    /// The module is in the kernel's initrd (None: no initrd, or unreadable).
    pub in_initrd: Option<bool>,
    pub verdict: Verdict,
    /// Why it is not safe: what is at risk.
    pub reasons: Vec<String>,
    /// What the admin should know, that does not block.
    pub notes: Vec<String>,
    /// The ways forward when refused.
    pub ways_forward: Vec<String>,
    pub plan: ReloadPlan,
    /// The loaded state the preflight judged, of the module and every module of the plan:
    /// name → (build-id, direct holders); None when not loaded. The executor stops when the
    /// kernel no longer looks like this.
    pub seen: BTreeMap<String, Option<SeenState>>,
}

/// A loaded module as the preflight saw it: its build-id and its direct holders, sorted.
pub type SeenState = (Option<String>, Vec<String>);

/// The state `Preflight::seen` records of one module.
fn seen_state(l: Option<&Loaded>) -> Option<SeenState> {
    l.map(|l| {
        let mut h = direct_holders(l);
        h.sort();
        (l.build_id.clone(), h)
    })
}

impl Preflight {
    /// What changed in the loaded modules since the preflight (empty: nothing).
    pub fn changed_since(&self, now: &BTreeMap<String, Loaded>) -> Vec<String> {
        let mut out = Vec::new();
        for (name, was) in &self.seen {
            let is = seen_state(now.get(name));
            if &is == was {
                continue;
            }
            out.push(match (was, &is) {
                (None, Some(_)) => format!("{name} was loaded"),
                (Some(_), None) => format!("{name} was unloaded"),
                (Some((a, _)), Some((b, _))) if a != b => {
                    format!("{name} was replaced by another build")
                }
                _ => format!("the users of {name} changed"),
            });
        }
        out
    }

    /// Would the reload go ahead with these flags?
    pub fn allowed(&self, force: bool) -> bool {
        match self.verdict {
            Verdict::Safe => true,
            Verdict::NeedsForce => force,
            Verdict::Impossible => false,
        }
    }

    /// Modules of the plan: the one reloaded and its holders.
    fn set(&self) -> Vec<String> {
        self.plan.unload.clone()
    }
}
