//! The command line itself: help for every task, and `test`'s step table.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::xtask;

#[test]
fn every_task_has_help() {
    let run = xtask(&["--help"]);
    assert!(run.success(), "{run:?}");
    for task in ["spec", "codegen", "lint", "test", "bench"] {
        assert!(
            run.stdout.lines().any(|l| l.trim_start().starts_with(task)),
            "{task} missing from:\n{}",
            run.stdout
        );
    }
    for (task, flags) in [
        ("spec", &["--from <PATH>", "--out <PATH>"][..]),
        (
            "codegen",
            &["--check", "--spec <PATH>", "--out-dir <DIR>"][..],
        ),
        ("lint", &["--spec <PATH>"][..]),
        ("test", &["--skip <STEP>", "--list"][..]),
        ("bench", &["--quick"][..]),
    ] {
        let run = xtask(&[task, "--help"]);
        assert!(run.success(), "{task}: {run:?}");
        for flag in flags {
            assert!(
                run.stdout.contains(flag),
                "{task} --help lacks {flag}:\n{}",
                run.stdout
            );
        }
    }
}

#[test]
fn spec_requires_from() {
    let run = xtask(&["spec"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("--from <PATH>"), "{}", run.stderr);
}

#[test]
fn test_lists_its_steps_in_order() {
    let run = xtask(&["test", "--list"]);
    assert!(run.success(), "{run:?}");
    let names: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        names,
        [
            "lint",
            "codegen",
            "prism",
            "test",
            "conformance",
            "interop",
            "bench-quick"
        ]
    );
}

#[test]
fn test_runs_the_fast_steps_and_times_them() {
    // Only lint and codegen --check: the others install Prism and run the
    // whole workspace's tests (which would include this test).
    let run = xtask(&[
        "test",
        "--skip",
        "prism",
        "--skip",
        "test",
        "--skip",
        "conformance",
        "--skip",
        "interop",
        "--skip",
        "bench-quick",
    ]);
    assert!(run.success(), "{run:?}");
    for line in [
        "==> [1/7] lint: cargo xtask lint",
        "lint: ok (13 operations, 73 responses checked)",
        "==> [2/7] codegen: cargo xtask codegen --check",
        "==> [3/7] prism: skipped",
        "==> [4/7] test: skipped",
        "==> [5/7] conformance: skipped",
        "==> [6/7] interop: skipped",
        "==> [7/7] bench-quick: skipped",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing {line:?} in:\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout.contains("==> [1/7] lint: ok in "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("==> [2/7] codegen: ok in "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("==> all steps passed in "),
        "{}",
        run.stdout
    );
}

#[test]
fn test_rejects_an_unknown_step() {
    let run = xtask(&["test", "--skip", "bogus"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(
            "unknown step \"bogus\"; steps are lint, codegen, prism, test, conformance, interop, bench-quick"
        ),
        "{}",
        run.stderr
    );
}
