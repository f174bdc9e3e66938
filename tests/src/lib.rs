//! Cross-crate integration tests for arize-rs live in `tests/tests/`; the
//! Prism conformance driver is `src/bin/conformance.rs`.
//!
//! This library holds what both use — [`reads`], the directory's read
//! operations declared once for the checks — and compiles the README's Rust
//! examples as doctests (`cargo test -p arize-tests --doc`), which keeps the
//! README true to the code. The README follows.
#![doc = include_str!("../../README.md")]

pub mod reads;
