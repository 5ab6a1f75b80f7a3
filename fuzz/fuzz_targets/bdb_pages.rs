//! The Berkeley DB hash `Packages` file of rpm 4.11: metadata page, bucket chains, overflow
//! pages; every blob found goes through the header parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xcpng_mod::rpm::rpmdb::{bdb, header};

fuzz_target!(|data: &[u8]| {
    let _ = bdb::for_each_blob(data, &mut |_, blob| {
        let _ = header::package_from_blob(blob);
        Ok(())
    });
});
