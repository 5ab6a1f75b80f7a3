//! The JSON wire formats: the shapes of the plan, the module inventory and the reload
//! report as `--json` and the XAPI plugin give them, as types of their own built from the
//! internal ones. The internal types do not derive `Serialize`; whatever embeds one of them
//! in a document (a command's result, a transaction's outcome) serialises it through here, so
//! a change inside cannot change the contract unseen (`tests/it/wire.rs` pins every shape).
//!
//! Owns: the shapes and their version. Must not: decide, read the host, or print.

pub mod driver_tool;
pub mod impact;
pub mod modules;
pub mod plan;
pub mod reload;

use serde::Serialize;

/// The version of every document: `{"version": 1, …}`. Shapes only grow within a version
/// (new keys); a key removed or changed in meaning is a new version.
pub const VERSION: u32 = 1;

/// A whole document: `{"version": VERSION, …body's keys}`, pretty-printed, with a newline.
pub fn document<T: Serialize>(body: T) -> String {
    #[derive(Serialize)]
    struct Doc<T> {
        version: u32,
        #[serde(flatten)]
        body: T,
    }
    let mut s = serde_json::to_string_pretty(&Doc {
        version: VERSION,
        body,
    })
    .expect("serializable");
    s.push('\n');
    s
}
