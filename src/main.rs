//! The `xcpng-mod` binary: parse, run, exit. All the work is in the library.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(xcpng_mod::cli::run(std::env::args_os()));
}
