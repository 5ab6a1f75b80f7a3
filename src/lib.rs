//! xcpng-mod: repositories, package transactions and kernel-module management for XCP-ng
//! hosts. The library does the work; `main.rs` only parses arguments and maps results to exit
//! codes. Data flows one way: configuration → repositories → (trust) → solver → transaction →
//! module state. See DESIGN in the README for the module map.

pub mod cli;
pub mod compress;
pub mod config;
pub mod demo;
pub mod digest;
pub mod errchain;
pub mod error;
pub mod fetch;
pub mod hostfs;
pub mod http;
pub mod modules;
pub mod names;
pub mod notices;
pub mod ops;
pub mod process;
pub mod repo;
pub mod rpm;
pub mod solve;
pub mod sysroot;
pub mod time;
pub mod transaction;
pub mod trust;

pub use error::{Error, Result};
