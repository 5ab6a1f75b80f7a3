//! The integration tests, as one test binary: each file here was once its own binary under
//! `tests/`, and each of those linked the library with reqwest, rustls and sequoia again. As
//! modules of one crate they are linked once. Run one suite with `cargo test --test it cli::`,
//! one test with `cargo test --test it cli::list_all`.
//!
//! Snapshots (insta) are under `tests/it/snapshots/`, named after the module path
//! (`it__cli__list_all.snap`); fixtures stay in `tests/fixtures/`.
//!
//! Separate binaries, on purpose: `tests/vm.rs` (boots qemu guests, a minute or more; it runs
//! after this binary rather than alongside its tests on the same cores) and
//! `tests/packaging.rs` (rpmbuild, minutes with `XCPNG_MOD_TEST_RPMBUILD=1`). Neither links
//! the network or OpenPGP code.

mod common;
mod trust_support;

mod cli;
mod cli_render;
mod compression;
mod config;
mod docs;
mod driver_tool;
mod filelists;
mod fuzz_parsers;
mod hardware;
mod http;
mod impact;
mod layers;
mod local_rpm;
mod modules_cli;
mod modules_doctor;
mod modules_real;
mod no_ca;
mod pool;
mod rollback;
mod rollout;
mod rpmdb;
mod security;
mod solve_cli;
mod transaction;
mod trust;
mod trust_verify;
mod wire;
mod xapi_parser;
mod xapi_plugin;
