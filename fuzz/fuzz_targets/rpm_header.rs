//! rpm headers: a header blob as the rpmdb stores it, and a whole package file (lead,
//! signature header, header) as `verify` and `install ./file.rpm` read it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xcpng_mod::rpm::rpmdb::header;
use xcpng_mod::trust::{keys::Keyring, package};

fuzz_target!(|data: &[u8]| {
    let _ = header::package_from_blob(data);
    let _ = package::verify_bytes("fuzz.rpm", data, &Keyring::new());
    if data.starts_with(&[0xed, 0xab, 0xee, 0xdb]) {
        // rpm::local::read takes a path.
        let dir = std::env::temp_dir().join(format!("xcpng-mod-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let p = dir.join("fuzz.rpm");
        if std::fs::write(&p, data).is_ok() {
            let _ = xcpng_mod::rpm::local::read(&p);
        }
    }
});
