//! Cross-crate integration tests for arize-rs live in `tests/tests/`; the
//! Prism conformance driver is `src/bin/conformance.rs`.
//!
//! This library only exists so that the README's Rust examples are compiled
//! as doctests (`cargo test -p arize-tests --doc`), which keeps the README
//! true to the code. The README follows.
#![doc = include_str!("../../README.md")]
