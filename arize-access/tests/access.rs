//! Access as code through the real binary, against the fake server started
//! in-process: `export` (each format, a desired-state file, the scope
//! flags), `plan` (the diff, its exit codes, `--out`), `apply` (the refusal
//! without a terminal, `--yes`, a saved plan, drift, failures) and files
//! with problems. The plan's text is snapshot-tested (insta); the fake's
//! seed and clock are fixed, so IDs are the same on every run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use arize_fake_server::{Fault, FaultRule, Operation, Seed, SeedProject};
use common::{Fake, stderr, stdout};
use predicates::prelude::*;
use serde_json::Value;

/// The fake's directory (as `Seed::default()`): users user1..3@example.com,
/// roles "Custom Role 1".."Custom Role 3" and the predefined ones, spaces
/// space-1, space-2, projects project-1 (in space-1) and project-2 (in
/// space-2). With 8 bindings: each user on both spaces, users 1 and 2 on
/// project-1.
///
/// The file: user2 becomes Admin on space-1, user3 gets Read Only on
/// project-1; user3's binding on space-1 and user2's on project-1 are not
/// listed, so the authoritative file revokes them.
const ACCESS_YAML: &str = "\
mode: authoritative
scope:
  spaces: [space-1]
  projects:
    - { project: project-1, space: space-1 }
  users: all
grants:
  - { user: user1@example.com, role: Custom Role 1, space: space-1 }
  - { user: user2@example.com, role: Admin, space: space-1 }
  - { user: user1@example.com, role: Custom Role 1, project: project-1, space: space-1 }
  - { user: user3@example.com, role: Read Only, project: project-1, space: space-1 }
";

/// What these tests ask of the fake beyond the shared harness.
impl Fake {
    /// The server's bindings as (user, role, resource) IDs, sorted.
    fn state(&self) -> Vec<(String, String, String)> {
        let mut state: Vec<_> = self
            .server
            .bindings()
            .into_iter()
            .map(|b| (b.user_id.0, b.role_id.0, b.resource_id.0))
            .collect();
        state.sort();
        state
    }
}

fn run(cmd: &mut assert_cmd::Command) -> std::process::Output {
    cmd.output().unwrap()
}

fn code(output: &std::process::Output) -> Option<i32> {
    output.status.code()
}

// ---------------------------------------------------------------- help

#[test]
fn access_commands_have_examples_and_exit_3_is_documented() {
    let fake = Fake::new(0);
    for (command, example) in [
        (
            "export",
            "arize-access export --desired-state -o access.yaml",
        ),
        (
            "plan",
            "arize-access plan -f access.yaml --detailed-exitcode",
        ),
        ("apply", "arize-access apply --plan plan.json"),
    ] {
        fake.cmd()
            .args([command, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains(example));
    }
    fake.cmd()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("3  changes pending"))
        .stdout(predicate::str::contains("reserved").not());
}

// ---------------------------------------------------------------- export

#[test]
fn export_writes_csv_by_default_then_ndjson_and_json() {
    let fake = Fake::new(8);
    let ids: std::collections::BTreeSet<String> =
        fake.server.bindings().into_iter().map(|b| b.id.0).collect();

    let output = run(fake.cmd().arg("export"));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "binding_id,user_id,user_email,user_name,role_id,role_name,resource_type,resource_id,\
         resource_name,space_id,space_name,created_at,updated_at"
    );
    let csv_ids: std::collections::BTreeSet<String> = lines
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(csv_ids, ids);
    // Names from the directory.
    assert!(text.contains(",user1@example.com,User 1,"), "{text}");
    assert!(
        text.contains(",PROJECT,") && text.contains(",project-1,"),
        "{text}"
    );

    let output = run(fake.cmd().args(["-o", "ndjson", "export"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let rows: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 8);
    let ndjson_ids: std::collections::BTreeSet<String> = rows
        .iter()
        .map(|r| r["binding_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ndjson_ids, ids);

    let output = run(fake.cmd().args(["-o", "json", "export"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 8);
    assert!(json[0]["role_name"].is_string(), "{json}");

    // A table is not an export format.
    let output = run(fake.cmd().args(["-o", "table", "export"]));
    assert_eq!(code(&output), Some(2));
    assert!(
        stderr(&output).contains("not a table"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn export_to_a_file_takes_the_format_from_the_extension() {
    let fake = Fake::new(8);
    for (name, check) in [
        (
            "out.csv",
            (|t: &str| t.lines().count() == 9) as fn(&str) -> bool,
        ),
        ("out.ndjson", |t: &str| t.lines().count() == 8),
        ("out.json", |t: &str| {
            serde_json::from_str::<Value>(t)
                .unwrap()
                .as_array()
                .unwrap()
                .len()
                == 8
        }),
    ] {
        let output = run(fake.cmd().args(["-o", name, "export"]));
        assert_eq!(code(&output), Some(0), "{}", stderr(&output));
        assert!(output.stdout.is_empty());
        assert!(stderr(&output).contains(&format!("8 bindings written to {name}")));
        let text = fake.read(name);
        assert!(check(&text), "{name}: {text}");
    }
}

#[test]
fn export_scope_by_type_space_and_project_by_name_or_id() {
    let fake = Fake::new(8);
    let resources = |output: &std::process::Output| -> Vec<String> {
        let mut r: Vec<String> = stdout(output)
            .lines()
            .skip(1)
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                format!("{} {}", cells[6], cells[8])
            })
            .collect();
        r.sort();
        r.dedup();
        r
    };
    let output = run(fake.cmd().args(["export", "--resource-type", "project"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert_eq!(resources(&output), ["PROJECT project-1"]);

    let output = run(fake.cmd().args(["export", "--space", "space-2"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert_eq!(resources(&output), ["SPACE space-2"]);

    let space_1 = fake.server.spaces()[0].clone();
    let output = run(fake
        .cmd()
        .args(["export", "--space", &space_1, "--project", "project-1"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert_eq!(resources(&output), ["PROJECT project-1", "SPACE space-1"]);

    let output = run(fake.cmd().args(["export", "--space", "nope"]));
    assert_eq!(code(&output), Some(4));
    assert!(stderr(&output).contains("no space with the name `nope`"));
}

#[test]
fn export_of_a_project_name_two_spaces_have_asks_for_its_id() {
    let fake = Fake::with(0, |b| {
        b.seed(
            Seed::default()
                .with_project(SeedProject::default().name("shared").space("space-1"))
                .with_project(SeedProject::default().name("shared").space("space-2"))
                .rng_seed(7),
        )
    });
    let output = run(fake.cmd().args(["export", "--project", "shared"]));
    assert_eq!(code(&output), Some(4), "{}", stdout(&output));
    let err = stderr(&output);
    assert!(
        err.contains("the project name `shared` is ambiguous"),
        "{err}"
    );
    // Not `--space`, which in `export` adds a space to the scope.
    assert!(
        err.contains("hint: name the project by its ID: --project "),
        "{err}"
    );
    assert!(!err.contains("--space"), "{err}");
    assert!(output.stdout.is_empty());
}

#[test]
fn an_exported_desired_state_plans_no_changes_in_each_format() {
    let fake = Fake::new(8);
    for (args, file) in [
        (
            vec!["export", "--desired-state", "-o", "state.yaml"],
            "state.yaml",
        ),
        (
            vec!["export", "--desired-state", "-o", "state.toml"],
            "state.toml",
        ),
        (
            vec!["export", "--desired-state", "-o", "state.json"],
            "state.json",
        ),
    ] {
        let output = run(fake.cmd().args(&args));
        assert_eq!(code(&output), Some(0), "{}", stderr(&output));
        let text = fake.read(file);
        assert!(text.contains("authoritative"), "{text}");
        // By e-mail and name, not by ID.
        assert!(
            text.contains("user1@example.com") && text.contains("space-1"),
            "{text}"
        );
        assert!(!text.contains("VXNlcj"), "a user ID in {text}");
        let output = run(fake.cmd().args(["plan", "-f", file, "--detailed-exitcode"]));
        assert_eq!(code(&output), Some(0), "{file}: {}", stdout(&output));
        assert!(
            stdout(&output).contains("No changes: access matches the file (8 unchanged)."),
            "{}",
            stdout(&output)
        );
    }
    // --by-id: IDs throughout, and it plans empty too.
    let output = run(fake
        .cmd()
        .args(["export", "--desired-state", "--by-id", "-o", "ids.yaml"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let text = fake.read("ids.yaml");
    assert!(text.contains("VXNlcj") && !text.contains('@'), "{text}");
    let output = run(fake
        .cmd()
        .args(["plan", "-f", "ids.yaml", "--detailed-exitcode"]));
    assert_eq!(code(&output), Some(0), "{}", stdout(&output));
    // --by-id belongs to --desired-state.
    let output = run(fake.cmd().args(["export", "--by-id"]));
    assert_eq!(code(&output), Some(2), "{}", stderr(&output));
    // On stdout: YAML by default, or as named.
    let output = run(fake.cmd().args(["export", "--desired-state"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("mode: authoritative\n"));
    let output = run(fake.cmd().args(["export", "--desired-state=toml"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("mode = \"authoritative\"\n"));
    // A format the file name contradicts.
    let output = run(fake
        .cmd()
        .args(["export", "--desired-state=toml", "-o", "x.yaml"]));
    assert_eq!(code(&output), Some(2));
    assert!(!fake.path("x.yaml").exists());
    // A .yaml output anywhere else: refused before anything is sent.
    let sent = fake.server.total_requests();
    let output = run(fake
        .cmd()
        .args(["-o", "x.yaml", "rb", "list", "--resource-type", "space"]));
    assert_eq!(code(&output), Some(2));
    assert!(stderr(&output).contains("desired-state file"));
    assert_eq!(fake.server.total_requests(), sent);
}

// ---------------------------------------------------------------- plan

#[test]
fn plan_prints_its_scope_and_the_diff_and_exits_3_only_when_asked() {
    let fake = Fake::new(8);
    fake.write("access.yaml", ACCESS_YAML);
    let before = fake.state();

    let output = run(fake.cmd().args(["plan", "-f", "access.yaml"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!("plan_diff", stdout(&output));

    let output = run(fake
        .cmd()
        .args(["plan", "-f", "access.yaml", "--detailed-exitcode"]));
    assert_eq!(code(&output), Some(3), "{}", stderr(&output));
    assert!(stdout(&output).contains("Plan: 1 to add, 1 to change, 2 to revoke"));
    // Exit 3 is not an error: nothing on stderr.
    assert_eq!(stderr(&output), "");

    // -o json: the plan's JSON.
    let output = run(fake.cmd().args(["-o", "json", "plan", "-f", "access.yaml"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["revokes"].as_array().unwrap().len(), 2);
    assert_eq!(json["mode"], "authoritative");

    // Nothing was changed.
    assert_eq!(fake.state(), before);
    assert_eq!(fake.writes(), 0);
}

#[test]
fn a_file_with_problems_is_a_usage_error_with_file_and_line() {
    let fake = Fake::new(8);
    fake.write(
        "bad.yaml",
        "mode: authoritative\nscope:\n  spaces: [space-1]\n  users: all\ngrants:\n  - { user: user1@example.com, role: Custom Role 1, spce: space-1 }\n",
    );
    let output = run(fake.cmd().args(["plan", "-f", "bad.yaml"]));
    assert_eq!(code(&output), Some(2), "{}", stdout(&output));
    let err = stderr(&output);
    assert!(err.starts_with("error: bad.yaml: "), "{err}");
    assert!(err.contains("bad.yaml:6:"), "{err}");
    assert!(output.stdout.is_empty());

    // A name that matches nothing: the file's line too.
    fake.write(
        "names.yaml",
        "grants:\n  - { user: nobody@example.com, role: Custom Role 1, space: space-1 }\n",
    );
    let output = run(fake.cmd().args(["apply", "-f", "names.yaml", "--yes"]));
    assert_eq!(code(&output), Some(2));
    assert!(
        stderr(&output).contains("names.yaml:2:"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fake.writes(), 0);

    // No such file.
    let output = run(fake.cmd().args(["plan", "-f", "missing.yaml"]));
    assert_eq!(code(&output), Some(2));
    assert!(
        stderr(&output).contains("missing.yaml"),
        "{}",
        stderr(&output)
    );

    // A saved plan that is not one.
    fake.write("plan.json", "{\n  \"version\": 1,\n  \"mode\": 7\n}\n");
    let output = run(fake.cmd().args(["apply", "--plan", "plan.json", "--yes"]));
    assert_eq!(code(&output), Some(2));
    assert!(
        stderr(&output).contains("error: plan.json:3:"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fake.writes(), 0);
}

// ---------------------------------------------------------------- apply

#[test]
fn apply_without_a_terminal_refuses_unless_yes_and_sends_nothing() {
    let fake = Fake::new(8);
    fake.write("access.yaml", ACCESS_YAML);
    let before = fake.state();

    let output = run(fake.cmd().args(["apply", "-f", "access.yaml"]));
    assert_eq!(code(&output), Some(2), "{}", stdout(&output));
    let err = stderr(&output);
    assert!(
        err.contains("warning: this authoritative plan revokes 2 bindings (of 4 changes)"),
        "{err}"
    );
    assert!(
        err.contains("refusing to apply 4 changes without confirmation"),
        "{err}"
    );
    assert!(err.contains("--yes"), "{err}");
    // The plan was shown; nothing was changed or even attempted.
    assert!(stdout(&output).contains("Plan: 1 to add, 1 to change, 2 to revoke"));
    assert_eq!(fake.writes(), 0);
    assert_eq!(fake.state(), before);
}

#[test]
fn apply_yes_makes_every_change_and_then_the_plan_is_empty() {
    let fake = Fake::new(8);
    fake.write("access.yaml", ACCESS_YAML);

    let output = run(fake.cmd().args(["apply", "-f", "access.yaml", "--yes"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert_eq!(out.matches("\n  done: ").count(), 4, "{out}");
    assert!(
        out.ends_with(
            "Apply: 4 done, 0 already in place, 0 drifted (left as they are), 0 failed.\n"
        ),
        "{out}"
    );
    assert_eq!(fake.writes(), 4);

    let output = run(fake
        .cmd()
        .args(["plan", "-f", "access.yaml", "--detailed-exitcode"]));
    assert_eq!(code(&output), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("No changes: access matches the file (4 unchanged"));

    // Nothing to do: no question, exit 0.
    let output = run(fake.cmd().args(["apply", "-f", "access.yaml"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert_eq!(fake.writes(), 4);
}

#[test]
fn a_saved_plan_applies_and_reports_what_drifted_since() {
    let fake = Fake::new(8);
    fake.write("access.yaml", ACCESS_YAML);
    let output = run(fake
        .cmd()
        .args(["plan", "-f", "access.yaml", "--out", "plan.json"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let saved: Value = serde_json::from_str(&fake.read("plan.json")).unwrap();
    assert_eq!(saved["creates"].as_array().unwrap().len(), 1);

    // The account moves: the binding the plan changes is deleted by hand.
    let changed = saved["changes"][0]["binding"].as_str().unwrap().to_owned();
    assert!(fake.server.delete_binding(&changed).is_some());

    let output = run(fake.cmd().args([
        "apply",
        "--plan",
        "plan.json",
        "--yes",
        "--concurrency",
        "2",
    ]));
    assert_eq!(code(&output), Some(1), "{}", stdout(&output));
    let out = stdout(&output);
    assert!(
        out.contains("  drifted, not changed: ~ user2@example.com"),
        "{out}"
    );
    assert!(
        out.contains("Apply: 3 done, 0 already in place, 1 drifted (left as they are), 0 failed."),
        "{out}"
    );
    assert!(
        stderr(&output).contains("error: apply incomplete: 0 of 4 changes failed, 1 drifted"),
        "{}",
        stderr(&output)
    );
    // The drifted change was not made: no update was sent.
    assert_eq!(fake.server.request_count(Operation::Update), 0);
    assert_eq!(fake.writes(), 3);

    // A plan saved, then applied as it is.
    let fresh = Fake::new(8);
    fresh.write("access.yaml", ACCESS_YAML);
    let output = run(fresh
        .cmd()
        .args(["plan", "-f", "access.yaml", "--out", "plan.json"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let output = run(fresh.cmd().args(["apply", "--plan", "plan.json", "--yes"]));
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("Apply: 4 done"));
    let output = run(fresh
        .cmd()
        .args(["plan", "-f", "access.yaml", "--detailed-exitcode"]));
    assert_eq!(code(&output), Some(0), "{}", stdout(&output));
}

#[test]
fn apply_exits_1_when_a_change_fails_and_still_makes_the_others() {
    let fake = Fake::with(8, |b| {
        b.fault(
            FaultRule::new(Fault::Status(403))
                .on(Operation::Delete)
                .always(),
        )
    });
    fake.write("access.yaml", ACCESS_YAML);
    let output = run(fake.cmd().args(["apply", "-f", "access.yaml", "--yes"]));
    assert_eq!(code(&output), Some(1), "{}", stdout(&output));
    let out = stdout(&output);
    assert_eq!(out.matches("\n  failed: - ").count(), 2, "{out}");
    assert!(
        out.contains("Apply: 2 done, 0 already in place, 0 drifted (left as they are), 2 failed."),
        "{out}"
    );
    assert!(stderr(&output).contains("2 of 4 changes failed"));
}

#[test]
fn apply_output_is_text_only() {
    let fake = Fake::new(8);
    fake.write("access.yaml", ACCESS_YAML);
    let output = run(fake
        .cmd()
        .args(["-o", "csv", "apply", "-f", "access.yaml", "--yes"]));
    assert_eq!(code(&output), Some(2));
    assert!(
        stderr(&output)
            .contains("apply prints the plan as text; --output takes table or a .txt file"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fake.writes(), 0);
    assert!(Path::new(&fake.path("access.yaml")).exists());
}
