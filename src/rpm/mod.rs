//! The RPM data model: versions and `vercmp`, dependencies, package records, package files
//! named on the command line, and the set of packages installed on the root (native rpmdb
//! readers for SQLite and rpm 4.11's Berkeley DB, `rpm -qa` as the fallback). It is the one
//! place that knows how to run the root's `rpm` ([`command`]). It never solves anything and
//! never writes the rpmdb (only `rpm` does, run by `transaction`).

pub mod dep;
pub mod evr;
pub mod installed;
pub mod local;
pub mod package;
pub mod rpmdb;

pub use dep::{Dependency, Sense};
pub use evr::{vercmp, Evr};
pub use package::Package;

use crate::sysroot::Sysroot;
use std::process::Command;

/// Where rpm keeps its database under the root (rpm 4.11's place, then the newer one).
pub fn rpmdb_dirs(root: &Sysroot) -> [std::path::PathBuf; 2] {
    [
        root.join("/var/lib/rpm"),
        root.join("/usr/lib/sysimage/rpm"),
    ]
}

/// The directory of the root's rpm database: the first of [`rpmdb_dirs`] holding a database
/// file ([`rpmdb::find`]); None on a fresh tree.
fn rpmdb_dir(root: &Sysroot) -> Option<std::path::PathBuf> {
    rpmdb::find(&rpmdb_dirs(root)).and_then(|db| db.path.parent().map(|p| p.to_path_buf()))
}

/// Whether the root has an rpm database at all (a fresh tree may have none).
pub fn has_rpmdb(root: &Sysroot) -> bool {
    rpmdb_dir(root).is_some()
}

/// The root's own `rpm`, the one way every module runs it: plain `rpm` on `/`; under
/// `--root R`, `rpm --root R --dbpath D` with D the directory that holds the root's rpmdb
/// (`/var/lib/rpm` when there is none yet), because Debian's rpm defaults to another dbpath
/// than an XCP-ng root has. Messages in the C locale, so they can be read.
pub fn command(root: &Sysroot) -> Command {
    let mut c = Command::new("rpm");
    if !root.is_host_root() {
        let db = rpmdb_dir(root).unwrap_or_else(|| root.join("/var/lib/rpm"));
        c.arg("--root")
            .arg(root.root())
            .arg("--dbpath")
            .arg(std::path::Path::new("/").join(root.host_path(&db)));
    }
    c.env("LC_ALL", "C");
    c
}
