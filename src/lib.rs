//! xcpng-mod: repositories, package transactions and kernel-module management for XCP-ng
//! hosts. The library does the work; `main.rs` only hands its arguments to `cli::run` and
//! exits with the code it returns. The modules form layers that only point down: leaves
//! (hashing, compression, names, paths, the one writer `hostfs`) → transfer (`http`,
//! `fetch`) → `config` → `rpm` → `trust` → `repo` → `solve` → `modules` → `transaction` →
//! `error` → `ops` → `demo` → `cli`. `tests/layers.rs` holds that order and fails on an edge
//! against it; the README's Design section shows the real graph.

pub mod cli;
pub mod compress;
pub mod config;
pub mod cpio;
pub mod demo;
pub mod digest;
pub mod errchain;
pub mod error;
pub mod fetch;
pub mod glob;
pub mod hostfs;
pub mod http;
pub mod modules;
pub mod names;
pub mod notices;
pub mod ops;
pub mod pool;
pub mod process;
pub mod repo;
pub mod rpm;
pub mod solve;
pub mod sysroot;
pub mod time;
pub mod transaction;
pub mod trust;
pub mod wire;
pub mod xapirpc;

pub use error::{Error, Result};
