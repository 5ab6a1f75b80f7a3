//! The `xcpng-mod` binary: parse, run, exit. All the work is in the library.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc v3's `mi_option_purge_delay` (the index in its `mi_option_e`; libmimalloc-sys does
/// not name it). Checked against the linked version by the test below.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // Give freed memory back at once rather than a second later: a plan frees large temporary
    // tables, and on dom0 memory is scarce. Peak RSS of a 60,000-package plan: 82 -> 65 MiB, at
    // the same speed (benches/solve.sh).
    // SAFETY: sets a process-wide allocator option before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    xcpng_mod::cli::run_and_exit(std::env::args_os())
}

#[cfg(test)]
mod tests {
    #[test]
    fn purge_delay_is_the_option_we_set() {
        // SAFETY: plain reads of mimalloc's version and options.
        let (version, delay) = unsafe {
            (
                libmimalloc_sys::mi_version(),
                libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY),
            )
        };
        assert_eq!(
            version / 10000,
            3,
            "the option index is mimalloc v3's, not {version}"
        );
        // Its documented default (unless the environment overrides it).
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(delay, 1000);
        }
    }
}
