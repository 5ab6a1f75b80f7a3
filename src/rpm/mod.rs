//! The RPM data model: versions and `vercmp`, dependencies, package records, and the set of
//! packages installed on the root (behind one small interface, so a native rpmdb reader can
//! replace the `rpm -qa` fallback). It never solves anything.

pub mod dep;
pub mod evr;
pub mod installed;
pub mod local;
pub mod package;
pub mod rpmdb;

pub use dep::{Dependency, Sense};
pub use evr::{vercmp, Evr};
pub use package::Package;
