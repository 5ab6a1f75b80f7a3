//! `.repo` and `yum.conf` files (yum's ConfigParser dialect), and the values in them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use xcpng_mod::config;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(sections) = config::parse_ini(&text, Path::new("fuzz.repo")) {
        for s in &sections {
            for (v, _) in s.values.values() {
                let _ = config::parse_expire(v);
                let _ = config::parse_bool(v);
                let _ = config::split_list(v);
                let _ = config::substitute(v, &Default::default());
            }
        }
    }
});
