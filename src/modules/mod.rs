//! Kernel modules: the XCP-ng driver classes (supported, alternate, additional), and — as the
//! modules issue lands — `.ko` modinfo, depmod.d precedence, `modules.dep`, loaded state and
//! reload planning. It never does package I/O.

pub mod class;

pub use class::{classify, ModuleClass};
