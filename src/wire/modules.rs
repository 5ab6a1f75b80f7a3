//! The module inventory (`modules --json`) and the module copies and loaded state that the
//! reload report and the transaction's module checks show.

use crate::modules::inventory::{
    CopyRecord as InnerCopy, Inventory as InnerInventory, LoadedState,
};
use serde::Serialize;

/// One file of a module: `{path, dir, version, srcversion, vermagic, build_id, package,
/// class, error}`.
#[derive(Serialize)]
pub struct Copy<'a> {
    pub path: &'a str,
    pub dir: &'a str,
    pub version: Option<&'a str>,
    pub srcversion: Option<&'a str>,
    pub vermagic: Option<&'a str>,
    pub build_id: Option<&'a str>,
    pub package: Option<&'a str>,
    /// `supported`, `alternate`, `additional`, `built-in`, `unpackaged`.
    pub class: &'static str,
    pub error: Option<&'a str>,
}

impl<'a> From<&'a InnerCopy> for Copy<'a> {
    fn from(c: &'a InnerCopy) -> Copy<'a> {
        Copy {
            path: &c.path,
            dir: &c.dir,
            version: c.version.as_deref(),
            srcversion: c.srcversion.as_deref(),
            vermagic: c.vermagic.as_deref(),
            build_id: c.build_id.as_deref(),
            package: c.package.as_deref(),
            class: c.class.as_str(),
            error: c.error.as_deref(),
        }
    }
}

/// What is loaded now: `{build_id, srcversion, path, version, refcnt, holders, users}`.
#[derive(Serialize)]
pub struct Loaded<'a> {
    pub build_id: Option<&'a str>,
    pub srcversion: Option<&'a str>,
    pub path: Option<&'a str>,
    pub version: Option<&'a str>,
    pub refcnt: Option<i64>,
    pub holders: &'a [String],
    pub users: &'a [String],
}

impl<'a> From<&'a LoadedState> for Loaded<'a> {
    fn from(l: &'a LoadedState) -> Loaded<'a> {
        Loaded {
            build_id: l.build_id.as_deref(),
            srcversion: l.srcversion.as_deref(),
            path: l.path.as_deref(),
            version: l.version.as_deref(),
            refcnt: l.refcnt,
            holders: &l.holders,
            users: &l.users,
        }
    }
}

/// The winning copy, in short.
#[derive(Serialize)]
pub struct Winner<'a> {
    pub path: &'a str,
    pub dir: &'a str,
    pub version: Option<&'a str>,
    pub package: Option<&'a str>,
}

/// One module of the inventory.
#[derive(Serialize)]
pub struct Module<'a> {
    pub name: &'a str,
    pub winner: Winner<'a>,
    pub copies: Vec<Copy<'a>>,
    pub loaded: Option<Loaded<'a>>,
    /// Loaded, but not the copy that wins: a reload or reboot would change the driver.
    pub change_pending: bool,
    /// The path `modules.dep` on disk gives, when it differs from the prediction.
    pub modules_dep: Option<&'a str>,
    /// The PCI addresses of the host's devices its aliases match; absent when the root shows
    /// no PCI devices (nothing is known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub devices: Option<&'a [String]>,
}

/// `{"kernel", "modules": [module…], "modules_dep_stale"}`.
#[derive(Serialize)]
pub struct Inventory<'a> {
    pub kernel: &'a str,
    pub modules: Vec<Module<'a>>,
    pub modules_dep_stale: bool,
}

impl<'a> From<&'a InnerInventory> for Inventory<'a> {
    fn from(inv: &'a InnerInventory) -> Inventory<'a> {
        let modules = inv
            .modules
            .iter()
            .map(|m| {
                let w = m.winner();
                Module {
                    name: &m.name,
                    winner: Winner {
                        path: &w.path,
                        dir: &w.dir,
                        version: w.version.as_deref(),
                        package: w.package.as_deref(),
                    },
                    copies: m.copies.iter().map(Copy::from).collect(),
                    loaded: m.loaded.as_ref().map(Loaded::from),
                    change_pending: m.change_pending(),
                    modules_dep: m.modules_dep.as_deref(),
                    devices: m.hardware.as_deref(),
                }
            })
            .collect();
        Inventory {
            kernel: &inv.kernel,
            modules,
            modules_dep_stale: inv.modules_dep_stale,
        }
    }
}
