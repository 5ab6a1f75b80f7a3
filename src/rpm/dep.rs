//! Dependencies as rpm states them (`name [op evr]`) and whether a provide satisfies a
//! requirement, exactly as rpm's `rpmdsCompare`/`rpmverOverlap` decide.

use super::evr::Evr;
use std::cmp::Ordering;
use std::fmt;

/// The comparison of a dependency: a set of LESS/GREATER/EQUAL bits as in rpm's sense flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct Sense(u8);

impl Sense {
    pub const ANY: Sense = Sense(0);
    pub const LESS: u8 = 1;
    pub const GREATER: u8 = 2;
    pub const EQUAL: u8 = 4;

    pub fn from_bits(bits: u8) -> Sense {
        Sense(bits & 7)
    }
    pub fn bits(self) -> u8 {
        self.0
    }
    pub fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
    /// The operator as written in spec files (`>=`), or "" for an unversioned dependency.
    pub fn op(self) -> &'static str {
        match self.0 {
            1 => "<",
            2 => ">",
            3 => "<>",
            4 => "=",
            5 => "<=",
            6 => ">=",
            _ => "",
        }
    }
    pub fn parse_op(op: &str) -> Option<Sense> {
        Some(Sense(match op {
            "<" => 1,
            ">" => 2,
            "<>" | "!=" => 3,
            "=" | "==" => 4,
            "<=" | "=<" => 5,
            ">=" | "=>" => 6,
            _ => return None,
        }))
    }
    /// The `flags` attribute of repodata (`LT`, `GE`, …).
    pub fn from_repodata(flags: &str) -> Option<Sense> {
        Some(Sense(match flags {
            "LT" => 1,
            "GT" => 2,
            "EQ" => 4,
            "LE" => 5,
            "GE" => 6,
            _ => return None,
        }))
    }
}

/// One dependency: `name`, optionally with a comparison and an EVR.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Dependency {
    pub name: String,
    pub sense: Sense,
    pub evr: Option<Evr>,
    /// A `Requires(pre)` (repodata `pre="1"`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pre: bool,
}

impl Dependency {
    pub fn unversioned(name: impl Into<String>) -> Self {
        Dependency {
            name: name.into(),
            sense: Sense::ANY,
            evr: None,
            pre: false,
        }
    }

    pub fn versioned(name: impl Into<String>, sense: Sense, evr: Evr) -> Self {
        Dependency {
            name: name.into(),
            sense,
            evr: Some(evr),
            pre: false,
        }
    }

    /// Parse `name`, `name OP evr`. Returns `None` for an unknown operator.
    pub fn parse(s: &str) -> Option<Dependency> {
        let mut it = s.split_whitespace();
        let name = it.next()?;
        match (it.next(), it.next(), it.next()) {
            (None, _, _) => Some(Dependency::unversioned(name)),
            (Some(op), Some(evr), None) => Some(Dependency::versioned(
                name,
                Sense::parse_op(op)?,
                Evr::parse(evr),
            )),
            _ => None,
        }
    }

    /// True when this dependency compares versions.
    pub fn is_versioned(&self) -> bool {
        self.sense != Sense::ANY && self.evr.is_some()
    }

    /// Does `self` (a provide) satisfy `req` (a requirement, conflict or obsolete)?
    pub fn satisfies(&self, req: &Dependency) -> bool {
        self.name == req.name && ranges_overlap(self, req)
    }
}

/// rpm's range overlap for two dependencies of the same name.
pub fn ranges_overlap(a: &Dependency, b: &Dependency) -> bool {
    let (Some(ea), Some(eb)) = (a.evr.as_ref(), b.evr.as_ref()) else {
        return true;
    };
    if a.sense == Sense::ANY || b.sense == Sense::ANY {
        return true;
    }
    evr_ranges_overlap(ea, a.sense, eb, b.sense)
}

/// `rpmverOverlap` on two (EVR, sense) ranges.
pub fn evr_ranges_overlap(ea: &Evr, fa: Sense, eb: &Evr, fb: Sense) -> bool {
    let same_ev = ea.epoch_or_zero() == eb.epoch_or_zero()
        && super::vercmp(&ea.version, &eb.version) == Ordering::Equal;
    if same_ev && (ea.release.is_empty() || eb.release.is_empty()) {
        // rpm: "always matches if the side with no release has SENSE_EQUAL".
        if (!ea.release.is_empty() && fb.has(Sense::EQUAL))
            || (!eb.release.is_empty() && fa.has(Sense::EQUAL))
        {
            return true;
        }
    }
    match ea.compare(eb) {
        Ordering::Less => fa.has(Sense::GREATER) || fb.has(Sense::LESS),
        Ordering::Greater => fa.has(Sense::LESS) || fb.has(Sense::GREATER),
        Ordering::Equal => {
            (fa.has(Sense::EQUAL) && fb.has(Sense::EQUAL))
                || (fa.has(Sense::LESS) && fb.has(Sense::LESS))
                || (fa.has(Sense::GREATER) && fb.has(Sense::GREATER))
        }
    }
}

impl fmt::Display for Dependency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let (true, Some(evr)) = (self.sense != Sense::ANY, &self.evr) {
            write!(f, " {} {}", self.sense.op(), evr)?;
        }
        Ok(())
    }
}

/// rpm's sense flags (LESS=2, GREATER=4, EQUAL=8, PREREQ and scriptlet bits) to ours.
pub(crate) fn sense_from_rpm(flags: u32) -> (Sense, bool) {
    let mut bits = 0u8;
    if flags & 2 != 0 {
        bits |= Sense::LESS;
    }
    if flags & 4 != 0 {
        bits |= Sense::GREATER;
    }
    if flags & 8 != 0 {
        bits |= Sense::EQUAL;
    }
    // RPMSENSE_PREREQ (1<<6), SCRIPT_PRE (1<<9), SCRIPT_POST (1<<10)
    let pre = flags & ((1 << 6) | (1 << 9) | (1 << 10)) != 0;
    (Sense::from_bits(bits), pre)
}

/// One dependency from rpm's (name, flags, version) triple; `rpmlib(...)` ones are dropped.
pub(crate) fn dep_from_rpm(name: &str, flags: u32, ver: &str) -> Option<Dependency> {
    if name.starts_with("rpmlib(") {
        return None;
    }
    let (sense, pre) = sense_from_rpm(flags);
    let mut dep = if sense == Sense::ANY || ver.is_empty() {
        Dependency::unversioned(name)
    } else {
        Dependency::versioned(name, sense, Evr::parse(ver))
    };
    dep.pre = pre;
    Some(dep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpm_depmatch_vectors() {
        let data = include_str!("../../tests/fixtures/conformance/rpmdepmatch.tsv");
        let mut n = 0;
        for line in data.lines().skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            let p = Dependency::parse(f[0]).unwrap();
            let r = Dependency::parse(f[1]).unwrap();
            assert_eq!(
                p.satisfies(&r),
                f[2] == "1",
                "provide {} require {}",
                f[0],
                f[1]
            );
            n += 1;
        }
        assert_eq!(n, 182);
    }

    #[test]
    fn display_round_trips() {
        for s in ["kernel-uname-r = 4.19.0+1", "vendor-driver", "a >= 1:2.0-3"] {
            assert_eq!(Dependency::parse(s).unwrap().to_string(), s);
        }
        assert!(Dependency::parse("a ~~ 1").is_none());
    }
}
