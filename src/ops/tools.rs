//! Operations that read no host: `vercmp` (two version labels compared like
//! `rpmdev-vercmp`) and `debug-solver` (a libsolv testcase solved and checked).

use crate::error::{Error, Result};
use std::cmp::Ordering;

/// `vercmp EVR1 EVR2`: `[epoch:]version[-release]` labels compared as `rpmdev-vercmp` does,
/// full labels: a missing epoch is 0, and a missing release is older than any release.
pub fn vercmp(a: &str, b: &str) -> Ordering {
    use crate::rpm::Evr;
    let (ea, eb) = (Evr::parse(a), Evr::parse(b));
    ea.epoch_or_zero()
        .cmp(&eb.epoch_or_zero())
        .then_with(|| crate::rpm::vercmp(&ea.version, &eb.version))
        .then_with(|| crate::rpm::vercmp(&ea.release, &eb.release))
}

/// A testcase solved: the result in the testcase's syntax, and whether every section gave
/// the result it expects.
pub struct Testcase {
    pub output: String,
    pub matches: bool,
}

/// `debug-solver FILE.t`: solve the testcase in `file` with our solver.
pub fn debug_solver(file: &std::path::Path) -> Result<Testcase> {
    let text = std::fs::read_to_string(file).map_err(Error::io(file))?;
    let (output, matches) = crate::solve::testcase::run_text(&text);
    Ok(Testcase { output, matches })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_labels() {
        assert_eq!(vercmp("1.0-1", "1.0-1"), Ordering::Equal);
        assert_eq!(vercmp("1:1.0", "2.0"), Ordering::Greater);
        assert_eq!(vercmp("1.0", "1.0-1"), Ordering::Less);
        assert_eq!(vercmp("1.0~rc1", "1.0"), Ordering::Less);
    }
}
