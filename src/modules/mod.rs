//! Kernel modules: the XCP-ng driver classes (supported, alternate, additional), `.ko` modinfo
//! read natively, the depmod.d model and precedence, `modules.dep`, loaded state and the
//! module inventory, doctor, the reload preflight and executor, and the host formats they read
//! (`modprobe.d`, XAPI's inventory and database). Which package owns a module file comes from
//! one query of the root's rpm. It never installs or removes packages (that is
//! `transaction`'s), and never loads or unloads a module itself, except `reload`, which does it
//! through the root's own kmod tools after a preflight.

pub mod class;
pub mod depmod;
pub mod doctor;
pub mod impact;
pub mod inventory;
pub mod loaded;
pub mod modinfo;
pub mod modprobe;
pub mod pci;
pub mod reload;
pub mod variants;
pub mod xapi;

pub use class::{classify, ModuleClass};

/// The names in a directory, sorted (none when it cannot be read).
pub(crate) fn list_dir(p: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}
