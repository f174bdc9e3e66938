//! Idiomatic Rust SDK for Arize role bindings (facade over `arize-api`).

#![deny(missing_docs)]

pub use arize_api as api;
