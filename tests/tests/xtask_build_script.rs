//! arize-api's build script, run for real: it reruns on the spec only, and
//! writes exactly the code committed in the `cargo xtask codegen` snapshot.
//!
//! `arize-api` is a dependency of this package, so cargo has compiled its
//! build script into `target/<profile>/build/arize-api-*/build-script-build`
//! before this test runs. The test runs the newest one in a scratch
//! `OUT_DIR` and reads what it tells cargo.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .canonicalize()
        .unwrap()
}

/// The most recently built arize-api build script of this profile.
fn build_script() -> PathBuf {
    // current_exe: target/<profile>/deps/xtask_build_script-<hash>
    let profile_dir = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let mut scripts: Vec<(std::time::SystemTime, PathBuf)> =
        std::fs::read_dir(profile_dir.join("build"))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|entry| {
                entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("arize-api-")
            })
            .map(|entry| entry.path().join("build-script-build"))
            .filter(|script| script.is_file())
            .map(|script| (script.metadata().unwrap().modified().unwrap(), script))
            .collect();
    scripts.sort();
    scripts
        .pop()
        .expect("cargo built arize-api's build script")
        .1
}

#[test]
fn the_build_script_reruns_on_the_spec_only_and_matches_the_snapshot() {
    let root = workspace();
    let out_dir = std::env::temp_dir().join(format!("arize-api-build-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let output = Command::new(build_script())
        .env("CARGO_MANIFEST_DIR", root.join("arize-api"))
        .env("OUT_DIR", &out_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");

    // Exactly one rerun-if-changed, on the crate's copy of the spec (what
    // the published package holds); nothing else tells cargo
    // to rerun (so editing hand-written code never regenerates).
    let reruns: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("rerun-if"))
        .collect();
    assert_eq!(reruns.len(), 1, "{stdout}");
    let watched = reruns[0]
        .strip_prefix("cargo::rerun-if-changed=")
        .or_else(|| reruns[0].strip_prefix("cargo:rerun-if-changed="))
        .unwrap();
    assert_eq!(
        Path::new(watched).canonicalize().unwrap(),
        root.join("arize-api/openapi.json")
    );
    // ... which is byte-identical to the single source, openapi/ (the same
    // check as `cargo xtask codegen --check`).
    assert!(
        std::fs::read(root.join("arize-api/openapi.json")).unwrap()
            == std::fs::read(root.join("openapi/openapi.json")).unwrap(),
        "arize-api/openapi.json differs from openapi/openapi.json; run `cargo xtask codegen`"
    );

    // What the build compiles is what `cargo xtask codegen` committed,
    // below the snapshot's header comment.
    for file in ["client.rs", "httpmock.rs"] {
        let built = std::fs::read_to_string(out_dir.join(file)).unwrap();
        let snapshot =
            std::fs::read_to_string(root.join("arize-api/generated").join(file)).unwrap();
        let (header, body) = snapshot.split_once("\n\n").unwrap();
        assert!(header.starts_with("// @generated"), "{file}");
        assert!(
            built == body,
            "{file}: the snapshot differs from the build output; run `cargo xtask codegen`"
        );
    }
    std::fs::remove_dir_all(&out_dir).unwrap();
}
