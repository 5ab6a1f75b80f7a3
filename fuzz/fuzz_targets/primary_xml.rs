//! `primary.xml`, `filelists.xml`, `other.xml` and `repomd.xml`: the repository metadata a
//! mirror serves. Any bytes: an error or packages, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xcpng_mod::repo::{primary, repomd};

fuzz_target!(|data: &[u8]| {
    let _ = primary::parse_primary(data, "fuzz", |_| {});
    let _ = primary::parse_filelists(data, |_| true, |_, _| {});
    let _ = primary::parse_other(data, |_| true, |_| {});
    let _ = repomd::parse(data);
});
