//! Kernel module files: the ELF `.modinfo` section, the build-id note and the appended
//! signature (PKCS#7 DER), plain or compressed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xcpng_mod::modules::modinfo;

fuzz_target!(|data: &[u8]| {
    let _ = modinfo::parse_elf(data);
    let _ = modinfo::parse_build_id_note(data);
});
