//! Every published crate is packaged on its own (`cargo package`, run by
//! `.ci/run`), so each carries copies of the workspace's license files;
//! they must not drift from the originals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

const PUBLISHED: [&str; 5] = [
    "arize-access",
    "arize-codegen",
    "arize-api",
    "arize-role-bindings",
    "arize-fake-server",
];

#[test]
fn every_published_crate_carries_the_license_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        let original = std::fs::read(root.join(file)).unwrap();
        for krate in PUBLISHED {
            let copy = std::fs::read(root.join(krate).join(file))
                .unwrap_or_else(|e| panic!("{krate}/{file}: {e}"));
            assert!(copy == original, "{krate}/{file} differs from /{file}");
        }
    }
}
