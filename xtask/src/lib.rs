//! The tasks behind `cargo xtask` (see `main.rs` for the command line).
//!
//! - [`spec`]: cut the project's subset (the operations listed in
//!   `openapi/operations.txt`) out of Arize's full API document.
//! - [`codegen`]: write or check the committed snapshot of the generated code.
//! - [`lint`]: the project's rules for the spec.
//! - [`test`](mod@test): the project's single test command.
//! - [`bench`](mod@bench): build and run the benchmark harness (`arize-bench`).
//!
//! xtask is a command-line tool: printing progress is its interface.
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod bench;
pub mod codegen;
pub mod json;
pub mod lint;
pub mod refs;
pub mod spec;
pub mod test;

use std::path::{Path, PathBuf};

/// The workspace root (xtask always runs from its source tree).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The committed spec, relative to the workspace root.
pub const SPEC: &str = "openapi/openapi.json";
/// The operations the spec covers (one operationId a line), relative to
/// the workspace root: what `spec --from` keeps and `lint` checks.
pub const OPERATIONS: &str = "openapi/operations.txt";
/// The committed snapshot of the generated code, relative to the root.
pub const GENERATED: &str = "arize-api/generated";
