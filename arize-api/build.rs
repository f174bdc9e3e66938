//! Generates the client from `openapi/openapi.json` into `OUT_DIR` at build
//! time. All logic lives in `arize-codegen`, shared with `cargo xtask
//! codegen`, so the committed snapshot and the build output are identical.

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
    let spec_path = manifest.join("..").join("openapi").join("openapi.json");
    // Only the spec: editing hand-written code never reruns the generator.
    println!("cargo::rerun-if-changed={}", spec_path.display());

    let spec = arize_codegen::load_spec(&spec_path)?;
    let generated = arize_codegen::generate(&spec)?;

    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("client.rs"), generated.client)?;
    std::fs::write(out.join("httpmock.rs"), generated.httpmock)?;
    Ok(())
}
