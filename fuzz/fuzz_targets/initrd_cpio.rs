//! initrd images: newc cpio archives, concatenated, possibly compressed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = xcpng_mod::modules::doctor::initrd_modules(data);
});
