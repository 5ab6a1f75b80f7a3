//! The `xcpng-mod` binary: parse, run, exit. All the work is in the library.

fn main() {
    std::process::exit(xcpng_mod::cli::run(std::env::args_os()));
}
