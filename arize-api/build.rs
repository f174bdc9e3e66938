//! Generates the client from the OpenAPI document into `OUT_DIR` at build
//! time. All logic lives in `arize-codegen`, shared with `cargo xtask
//! codegen`, so the committed snapshot and the build output are identical.
//!
//! The document read is `openapi.json` next to this file: a byte-identical
//! copy of the workspace's single source, `openapi/openapi.json`, written by
//! `cargo xtask codegen` and checked by `cargo xtask codegen --check`. It
//! lives inside the crate so that the published package (which holds only
//! this directory) builds on its own.

use std::path::PathBuf;

fn main() {
    if let Err(error) = run() {
        // A build script reports failure by exiting non-zero; the message is
        // shown by cargo.
        println!("cargo::error={error}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let spec_path = manifest.join("openapi.json");
    // Only the spec: editing hand-written code never reruns the generator.
    println!("cargo::rerun-if-changed={}", spec_path.display());

    let spec = arize_codegen::load_spec(&spec_path)?;
    let generated = arize_codegen::generate(&spec)?;

    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("client.rs"), generated.client)?;
    std::fs::write(out.join("httpmock.rs"), generated.httpmock)?;
    Ok(())
}
