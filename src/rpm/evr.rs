//! Versions as rpm compares them: `rpmvercmp` and epoch:version-release.
//!
//! This is a faithful port of rpm's algorithm (rpm ≥ 4.15: `~` sorts before anything, `^`
//! sorts after the base version but before any further segment), plus the rpm 4.11 variant in
//! which `^` is a plain separator, because XCP-ng 8.x hosts run rpm 4.11.

use std::cmp::Ordering;
use std::fmt;

/// Which rpm's rules to follow where they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VercmpRules {
    /// rpm ≥ 4.15 (`^` is the "caret" operator).
    #[default]
    Modern,
    /// rpm 4.11 (XCP-ng 8.x): `^` is a separator like `.`.
    Rpm411,
}

/// Compare two version (or release) strings exactly like rpm's `rpmvercmp`.
pub fn vercmp(a: &str, b: &str) -> Ordering {
    vercmp_with(a, b, VercmpRules::Modern)
}

/// `vercmp` with an explicit choice of rules.
pub fn vercmp_with(a: &str, b: &str, rules: VercmpRules) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let caret = rules == VercmpRules::Modern;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0usize, 0usize);
    let special = |c: u8| c == b'~' || (caret && c == b'^');
    loop {
        while i < a.len() && !a[i].is_ascii_alphanumeric() && !special(a[i]) {
            i += 1;
        }
        while j < b.len() && !b[j].is_ascii_alphanumeric() && !special(b[j]) {
            j += 1;
        }
        let ca = a.get(i).copied();
        let cb = b.get(j).copied();
        if ca.is_none() && cb.is_none() {
            return Ordering::Equal;
        }
        // Tilde sorts before everything, even the end of the string.
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        // Caret sorts after the end of the string but before any other segment.
        if caret && (ca == Some(b'^') || cb == Some(b'^')) {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else {
            break;
        };
        let isnum = ca.is_ascii_digit();
        let class = |c: u8| {
            if isnum {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let si = i;
        while i < a.len() && class(a[i]) {
            i += 1;
        }
        let sj = j;
        while j < b.len() && class(b[j]) {
            j += 1;
        }
        let mut one = &a[si..i];
        let mut two = &b[sj..j];
        // `one` cannot be empty (it starts with a character of its class); an empty `two`
        // means the segments are of different kinds: numbers are newer than letters.
        if two.is_empty() {
            return if isnum {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        if isnum {
            while one.first() == Some(&b'0') {
                one = &one[1..];
            }
            while two.first() == Some(&b'0') {
                two = &two[1..];
            }
            match one.len().cmp(&two.len()) {
                Ordering::Equal => {}
                other => return other,
            }
        }
        match one.cmp(two) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    // One string ran out: the one with something left is newer.
    if i >= a.len() && j >= b.len() {
        Ordering::Equal
    } else if i >= a.len() {
        Ordering::Less
    } else {
        Ordering::Greater
    }
}

/// An epoch:version-release triple. A missing epoch is `None` (compared as 0); a missing
/// release is empty (then releases are not compared, as rpm does for dependencies).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct Evr {
    pub epoch: Option<u32>,
    pub version: String,
    pub release: String,
}

impl Evr {
    pub fn new(epoch: Option<u32>, version: impl Into<String>, release: impl Into<String>) -> Self {
        Evr {
            epoch,
            version: version.into(),
            release: release.into(),
        }
    }

    /// Parse `[epoch:]version[-release]` as rpm does: the epoch is the digits before the first
    /// `:`, the release what follows the last `-`.
    pub fn parse(s: &str) -> Evr {
        let (epoch, rest) = match s.find(':') {
            Some(p) if s[..p].bytes().all(|c| c.is_ascii_digit()) => {
                (Some(s[..p].parse::<u32>().unwrap_or(0)), &s[p + 1..])
            }
            _ => (None, s),
        };
        let (version, release) = match rest.rfind('-') {
            Some(p) => (&rest[..p], &rest[p + 1..]),
            None => (rest, ""),
        };
        Evr::new(epoch, version, release)
    }

    pub fn epoch_or_zero(&self) -> u32 {
        self.epoch.unwrap_or(0)
    }

    /// Full labels ([`cmp_labels`]): a missing release is older than any release.
    pub fn compare_full(&self, other: &Evr) -> Ordering {
        cmp_labels(
            (self.epoch_or_zero(), &self.version, &self.release),
            (other.epoch_or_zero(), &other.version, &other.release),
        )
    }

    /// rpm's `rpmverCmp`: epoch, then version, then release only when both have one.
    pub fn compare(&self, other: &Evr) -> Ordering {
        self.epoch_or_zero()
            .cmp(&other.epoch_or_zero())
            .then_with(|| vercmp(&self.version, &other.version))
            .then_with(|| {
                if self.release.is_empty() || other.release.is_empty() {
                    Ordering::Equal
                } else {
                    vercmp(&self.release, &other.release)
                }
            })
    }
}

/// Compare two full `(epoch, version, release)` labels as rpm orders packages (and
/// `rpmdev-vercmp` compares): epoch, version, then release, a missing release being older.
/// The one comparison of packages' versions; [`Evr::compare`] is rpm's for dependency
/// ranges, where a missing release matches any.
pub fn cmp_labels(a: (u32, &str, &str), b: (u32, &str, &str)) -> Ordering {
    a.0.cmp(&b.0)
        .then_with(|| vercmp(a.1, b.1))
        .then_with(|| vercmp(a.2, b.2))
}

impl fmt::Display for Evr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(e) = self.epoch.filter(|e| *e != 0) {
            write!(f, "{e}:")?;
        }
        f.write_str(&self.version)?;
        if !self.release.is_empty() {
            write!(f, "-{}", self.release)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(o: Ordering) -> i32 {
        match o {
            Ordering::Less => -1,
            Ordering::Equal => 0,
            Ordering::Greater => 1,
        }
    }

    #[test]
    fn rpm_vercmp_vectors() {
        let data = include_str!("../../tests/fixtures/conformance/rpmvercmp.tsv");
        let mut n = 0;
        for line in data.lines().skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            let want: i32 = f[2].parse().unwrap();
            assert_eq!(
                sign(vercmp(f[0], f[1])),
                want,
                "vercmp({:?}, {:?})",
                f[0],
                f[1]
            );
            assert_eq!(
                sign(vercmp(f[1], f[0])),
                -want,
                "vercmp({:?}, {:?})",
                f[1],
                f[0]
            );
            n += 1;
        }
        assert!(n > 80);
    }

    #[test]
    fn rpm_411_vectors() {
        let data = include_str!("../../tests/fixtures/conformance/rpmvercmp-extended.tsv");
        for line in data.lines().skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            let modern: i32 = f[2].parse().unwrap();
            let old: i32 = f[3].parse().unwrap();
            assert_eq!(sign(vercmp(f[0], f[1])), modern, "{line}");
            assert_eq!(
                sign(vercmp_with(f[0], f[1], VercmpRules::Rpm411)),
                old,
                "rpm 4.11: {line}"
            );
        }
    }

    #[test]
    fn label_compare_vectors() {
        let data = include_str!("../../tests/fixtures/conformance/evr-labelcompare.tsv");
        for line in data.lines().skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            let want: i32 = f[2].parse().unwrap();
            let got = Evr::parse(f[0]).compare(&Evr::parse(f[1]));
            assert_eq!(sign(got), want, "{line}");
        }
    }

    #[test]
    fn parse_and_display() {
        let e = Evr::parse("1:1.10.3_232.0.155.5-1.xcpng8.3");
        assert_eq!(e.epoch, Some(1));
        assert_eq!(e.version, "1.10.3_232.0.155.5");
        assert_eq!(e.release, "1.xcpng8.3");
        assert_eq!(e.to_string(), "1:1.10.3_232.0.155.5-1.xcpng8.3");
        assert_eq!(Evr::parse("4.19.0+1").to_string(), "4.19.0+1");
        assert_eq!(Evr::parse("0:1.0-1").to_string(), "1.0-1");
    }
}
