//! The real binary against the fake server, started in-process: every
//! command, each output format, each exit code, profiles and the key's
//! sources. Table output is snapshot-tested (insta); the fake's seed and
//! clock are fixed, so IDs and times are the same on every run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use arize_fake_server::{Fault, FaultRule, Operation, Seed, SeedProject, SeedUser};
use common::{Fake, KEY, stderr, stdout};
use predicates::prelude::*;
use serde_json::Value;

/// What these tests ask of the fake beyond the shared harness.
impl Fake {
    fn user(&self, i: usize) -> String {
        self.server.users()[i].clone()
    }
    fn role(&self, i: usize) -> String {
        self.server.roles()[i].clone()
    }
    fn space(&self, i: usize) -> String {
        self.server.spaces()[i].clone()
    }
    fn project(&self, i: usize) -> String {
        self.server.projects()[i].clone()
    }

    /// The IDs of the server's bindings on `resource_type`, in order.
    fn binding_ids(&self, resource_type: &str) -> Vec<String> {
        self.server
            .bindings()
            .into_iter()
            .filter(|b| serde_json::to_value(b.resource_type).unwrap() == resource_type)
            .map(|b| b.id.0)
            .collect()
    }

    fn write_profile(&self, name: &str, text: &str) {
        let dir = self.home.path().join(".arize/profiles");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.toml")), text).unwrap();
    }

    fn set_active_profile(&self, name: &str) {
        let dir = self.home.path().join(".arize");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(".active_profile"), format!("{name}\n")).unwrap();
    }

    /// A profile routing to the fake by `[routing]`, with `key`.
    fn routing_profile(&self, key: &str, extra: &str) -> String {
        let addr = self.server.addr();
        format!(
            "[profile]\nname = \"test\"\n[auth]\nauth_method = \"api-key\"\napi_key = \"{key}\"\n\
             [routing]\nsingle_host = \"{}\"\nsingle_port = {}\napi_scheme = \"http\"\n{extra}",
            addr.ip(),
            addr.port()
        )
    }
}

fn stdout_json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

// ---------------------------------------------------------------- help

#[test]
fn help_documents_the_exit_codes_and_configuration() {
    let fake = Fake::new(0);
    fake.bare()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains("4  API error"))
        .stdout(predicate::str::contains(
            "3  changes pending: `plan --detailed-exitcode`",
        ))
        .stdout(predicate::str::contains("5  configuration error"))
        .stdout(predicate::str::contains("6  network error"))
        .stdout(predicate::str::contains("~/.arize/.active_profile"));
}

#[test]
fn every_command_has_an_example_in_its_help() {
    let fake = Fake::new(0);
    for command in [
        "list", "get", "create", "update", "delete", "ensure", "revoke",
    ] {
        fake.bare()
            .args(["role-bindings", command, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"))
            .stdout(predicate::str::contains(format!(
                "arize-access role-bindings {command}"
            )));
    }
    fake.bare()
        .args(["completions", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
}

// ---------------------------------------------------------------- list

#[test]
fn list_prints_json_by_default_off_a_terminal() {
    let fake = Fake::new(8);
    let output = fake
        .cmd()
        .args(["role-bindings", "list", "--resource-type", "space"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json = stdout_json(&output);
    let items = json.as_array().expect("an array");
    let ids: Vec<&str> = items.iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(ids, fake.binding_ids("SPACE"));
    // The API's field names, in a stable order.
    let keys: Vec<&String> = items[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "created_at",
            "id",
            "resource_id",
            "resource_type",
            "role_id",
            "updated_at",
            "user_id"
        ]
    );
    assert!(
        stdout(&output).starts_with("[\n  {\n    \"id\": "),
        "{}",
        stdout(&output)
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn list_table_is_aligned() {
    let fake = Fake::new(8);
    let output = fake
        .cmd()
        .args([
            "rb",
            "list",
            "--resource-type",
            "SPACE",
            "--output",
            "table",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!("list_table", stdout(&output));
}

#[test]
fn list_table_without_bindings_says_so() {
    let fake = Fake::new(0);
    fake.cmd()
        .args(["rb", "list", "--resource-type", "space", "-o", "table"])
        .assert()
        .success()
        .stdout("No role bindings.\n");
}

#[test]
fn list_ndjson_has_one_binding_per_line() {
    let fake = Fake::new(8);
    let output = fake
        .cmd()
        .args(["rb", "list", "--resource-type", "project", "-o", "ndjson"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = lines.iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(ids, fake.binding_ids("PROJECT"));
    assert!(lines.iter().all(|b| b["resource_type"] == "PROJECT"));
}

#[test]
fn list_csv_has_a_header_and_a_row_per_binding() {
    let fake = Fake::new(8);
    let output = fake
        .cmd()
        .args(["rb", "list", "--resource-type", "space", "-o", "csv"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "id",
            "user_id",
            "role_id",
            "resource_type",
            "resource_id",
            "created_at",
            "updated_at"
        ]
    );
    let ids: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
    assert_eq!(ids, fake.binding_ids("SPACE"));
    insta::assert_snapshot!("list_csv", text);
}

#[test]
fn list_one_page_hints_at_the_next_cursor_which_continues() {
    let fake = Fake::new(8);
    let output = fake
        .cmd()
        .args(["rb", "list", "--resource-type", "space", "--limit", "4"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let first: Vec<String> = stdout_json(&output)
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(first.len(), 4);
    let err = stderr(&output);
    let cursor = err
        .split("--cursor ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no cursor hint in {err:?}"))
        .to_owned();

    let output = fake
        .cmd()
        .args([
            "rb",
            "list",
            "--resource-type",
            "space",
            "--limit",
            "4",
            "--cursor",
            &cursor,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let second: Vec<String> = stdout_json(&output)
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect();
    let all: Vec<String> = first.into_iter().chain(second).collect();
    assert_eq!(all, fake.binding_ids("SPACE"));
    // The last page has no more: no hint.
    assert_eq!(stderr(&output), "");
}

#[test]
fn quiet_silences_the_cursor_hint() {
    let fake = Fake::new(8);
    fake.cmd()
        .args([
            "-q",
            "rb",
            "list",
            "--resource-type",
            "space",
            "--limit",
            "2",
        ])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn list_all_streams_every_page_silently_off_a_terminal() {
    let fake = Fake::new(12);
    for format in ["json", "ndjson", "csv", "table"] {
        fake.server.clear_requests();
        let output = fake
            .cmd()
            .args([
                "rb",
                "list",
                "--resource-type",
                "space",
                "--all",
                "--limit",
                "2",
                "-o",
                format,
            ])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: {}",
            stderr(&output)
        );
        // No progress bar and no hint when stderr is not a terminal.
        assert_eq!(stderr(&output), "", "{format}");
        let text = stdout(&output);
        for id in fake.binding_ids("SPACE") {
            assert_eq!(text.matches(&id).count(), 1, "{format}: {id} in {text}");
        }
        // 6 space bindings in pages of 2: three pages (the SDK stops on
        // has_more = false).
        assert_eq!(fake.server.request_count(Operation::List), 3, "{format}");
    }
}

#[test]
fn list_filters_by_user() {
    let fake = Fake::new(8);
    let user = fake.user(1);
    for flag in ["--user-id", "--user"] {
        let output = fake
            .cmd()
            .args(["rb", "list", "--resource-type", "space", flag, &user])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let json = stdout_json(&output);
        let items = json.as_array().unwrap();
        assert!(!items.is_empty());
        assert!(
            items.iter().all(|b| b["user_id"] == user.as_str()),
            "{json}"
        );
    }
    let query = fake.server.requests_for(Operation::List)[0]
        .raw_query
        .clone();
    assert!(query.unwrap_or_default().contains("user_id="));
}

#[test]
fn list_rejects_a_limit_out_of_range_as_a_usage_error() {
    let fake = Fake::new(0);
    fake.cmd()
        .args(["rb", "list", "--resource-type", "space", "--limit", "101"])
        .assert()
        .code(2);
    fake.cmd()
        .args(["rb", "list", "--resource-type", "folder"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("use SPACE or PROJECT"));
}

// ---------------------------------------------------------------- get

#[test]
fn get_prints_the_binding_in_each_format() {
    let fake = Fake::new(8);
    let id = fake.binding_ids("SPACE")[0].clone();

    let output = fake.cmd().args(["rb", "get", &id]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["id"], id.as_str());

    let output = fake
        .cmd()
        .args(["rb", "get", &id, "-o", "ndjson"])
        .output()
        .unwrap();
    assert_eq!(stdout(&output).lines().count(), 1);
    assert_eq!(stdout_json(&output)["id"], id.as_str());

    let output = fake
        .cmd()
        .args(["rb", "get", &id, "-o", "csv"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(
        text.starts_with("id,user_id,role_id,resource_type,resource_id,created_at,updated_at\n")
    );
    assert_eq!(text.lines().count(), 2);

    let output = fake
        .cmd()
        .args(["rb", "get", &id, "-o", "table"])
        .output()
        .unwrap();
    insta::assert_snapshot!("get_table", stdout(&output));
}

#[test]
fn get_of_a_missing_binding_is_an_api_error_with_its_problem() {
    let fake = Fake::new(0);
    let output = fake
        .cmd()
        .args(["rb", "get", "Um9sZUJpbmRpbmc6OTk5Onh4eHg="])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines[0].starts_with("error: not found (404 Not Found)"),
        "{err}"
    );
    assert!(lines[1].starts_with("  problem: status 404"), "{err}");
}

#[test]
fn an_id_of_the_wrong_type_is_a_usage_error_and_nothing_is_sent() {
    let fake = Fake::new(1);
    let user = fake.user(0);
    fake.cmd()
        .args(["rb", "get", &user])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is a User ID, but a RoleBinding ID is required",
        ));
    assert!(fake.server.requests().is_empty());
}

// ---------------------------------------------------------------- create

#[test]
fn create_grants_and_a_duplicate_exits_4_with_a_hint() {
    let fake = Fake::new(0);
    let (user, role, space) = (fake.user(0), fake.role(0), fake.space(0));
    let args = [
        "rb",
        "create",
        "--user-id",
        &user,
        "--role-id",
        &role,
        "--space-id",
        &space,
    ];
    let output = fake.cmd().args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json = stdout_json(&output);
    assert_eq!(json["user_id"], user.as_str());
    assert_eq!(json["resource_type"], "SPACE");
    assert_eq!(fake.server.bindings().len(), 1);

    let output = fake.cmd().args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(4));
    let err = stderr(&output);
    assert!(err.starts_with("error: conflict (409 Conflict)"), "{err}");
    assert!(
        err.contains("hint: `arize-access role-bindings ensure`"),
        "{err}"
    );
    assert_eq!(fake.server.bindings().len(), 1);
}

#[test]
fn create_takes_ax_flags_and_the_id_or_name_flags() {
    let fake = Fake::new(0);
    let output = fake
        .cmd()
        .args([
            "rb",
            "create",
            "--user-id",
            &fake.user(0),
            "--role-id",
            &fake.role(1),
        ])
        .args([
            "--resource-type",
            "PROJECT",
            "--resource-id",
            &fake.project(0),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["resource_type"], "PROJECT");

    let output = fake
        .cmd()
        .args([
            "rb",
            "create",
            "--user",
            &fake.user(1),
            "--role",
            &fake.role(1),
        ])
        .args(["--project", &fake.project(1), "-o", "table"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!("create_table", stdout(&output));
}

/// Member's and Admin's IDs: the predefined roles have the same IDs on every server.
const MEMBER: &str = "Um9sZTowOk1FTUJFUg==";
const ADMIN: &str = "Um9sZTowOkFETUlO";

#[test]
fn names_work_wherever_an_id_is_taken() {
    let fake = Fake::new(0);
    // An e-mail (any case), a role name, a space name.
    let output = fake
        .cmd()
        .args([
            "rb",
            "create",
            "--user",
            "User1@Example.com",
            "--role",
            "Member",
        ])
        .args(["--space", "space-1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json = stdout_json(&output);
    assert_eq!(json["user_id"], fake.user(0).as_str());
    assert_eq!(json["role_id"], MEMBER);
    assert_eq!(json["resource_type"], "SPACE");
    assert_eq!(json["resource_id"], fake.space(0).as_str());

    // ensure by names: the role changes.
    let output = fake
        .cmd()
        .args([
            "rb",
            "ensure",
            "--user",
            "user1@example.com",
            "--role",
            "Admin",
        ])
        .args(["--space", "space-1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json = stdout_json(&output);
    assert_eq!(json["outcome"], "updated");
    assert_eq!(json["previous_role_id"], MEMBER);
    assert_eq!(json["binding"]["role_id"], ADMIN);

    // A project by name alone (one space has it), by name and space name,
    // by name and space ID.
    let output = fake
        .cmd()
        .args([
            "rb",
            "ensure",
            "--user",
            "user2@example.com",
            "--role",
            "Member",
        ])
        .args(["--project", "project-2"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json = stdout_json(&output);
    assert_eq!(json["outcome"], "created");
    assert_eq!(json["binding"]["resource_type"], "PROJECT");
    assert_eq!(json["binding"]["resource_id"], fake.project(1).as_str());
    for space in [["--space", "space-1"], ["--space-id", &fake.space(0)]] {
        let output = fake
            .cmd()
            .args([
                "rb",
                "ensure",
                "--user",
                "user3@example.com",
                "--role",
                "Member",
            ])
            .args(["--project", "project-1"])
            .args(space)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(
            stdout_json(&output)["binding"]["resource_id"],
            fake.project(0).as_str()
        );
    }

    // update and list take names too.
    let binding = fake.binding_ids("PROJECT")[0].clone();
    let output = fake
        .cmd()
        .args(["rb", "update", &binding, "--role", "Read Only"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["role_id"], "Um9sZTowOlJFQURfT05MWQ==");
    let output = fake
        .cmd()
        .args([
            "rb",
            "list",
            "--resource-type",
            "project",
            "--user",
            "user3@example.com",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json = stdout_json(&output);
    let users: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(users, [fake.user(2)]);

    // revoke by names.
    let output = fake
        .cmd()
        .args([
            "rb",
            "revoke",
            "--user",
            "user1@example.com",
            "--space",
            "space-1",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["outcome"], "removed");
    assert!(
        fake.server
            .bindings()
            .iter()
            .all(|b| b.resource_id.0 != fake.space(0))
    );
}

#[test]
fn a_name_that_matches_nothing_exits_4_with_the_near_names_and_nothing_is_granted() {
    let fake = Fake::new(0);
    let output = fake
        .cmd()
        .args([
            "rb",
            "create",
            "--user",
            "user1@example.com",
            "--role",
            "Membr",
        ])
        .args(["--space", "space-1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4));
    let err = stderr(&output);
    assert!(
        err.starts_with("error: no role with the name `Membr`; did you mean `Member`?\n"),
        "{err}"
    );
    assert!(
        err.contains("hint: role names are compared exactly"),
        "{err}"
    );
    assert!(err.contains("`arize-access roles list`"), "{err}");
    // Not the SDK's advice in Rust terms.
    assert!(!err.contains("client."), "{err}");

    let output = fake
        .cmd()
        .args([
            "rb",
            "ensure",
            "--user",
            "nobody@example.com",
            "--role",
            "Member",
        ])
        .args(["--space", "space-1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4));
    let err = stderr(&output);
    assert!(
        err.starts_with("error: no user with the e-mail `nobody@example.com`"),
        "{err}"
    );
    assert!(
        err.contains("`arize-access users list --email nobody@example.com`"),
        "{err}"
    );

    let output = fake
        .cmd()
        .args([
            "rb",
            "revoke",
            "--user",
            "user1@example.com",
            "--space",
            "space-3",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4));
    let err = stderr(&output);
    assert!(
        err.starts_with(
            "error: no space with the name `space-3`; did you mean `space-1` or `space-2`?"
        ),
        "{err}"
    );
    assert!(fake.server.bindings().is_empty());
    assert_eq!(fake.server.request_count(Operation::Create), 0);
    assert_eq!(fake.server.request_count(Operation::Delete), 0);
}

/// The default directory plus a project `shared` in each space.
fn fake_with_shared_project() -> Fake {
    Fake::with(0, |b| {
        b.seed(
            Seed::default()
                .with_project(SeedProject::default().name("shared").space("space-1"))
                .with_project(SeedProject::default().name("shared").space("space-2"))
                .rng_seed(7),
        )
    })
}

#[test]
fn a_project_name_in_two_spaces_is_ambiguous_until_the_space_is_named() {
    let fake = fake_with_shared_project();
    let directory = fake.server.directory();
    let shared: Vec<(String, String)> = directory
        .projects
        .iter()
        .filter(|p| p.name == "shared")
        .map(|p| (p.id.0.clone(), p.space_id.0.clone()))
        .collect();
    assert_eq!(shared.len(), 2);

    let output = fake
        .cmd()
        .args([
            "rb",
            "ensure",
            "--user",
            "user1@example.com",
            "--role",
            "Member",
        ])
        .args(["--project", "shared"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4));
    let err = stderr(&output);
    // The candidates named by their spaces, and the flag to add.
    assert!(
        err.starts_with(&format!(
            "error: the project name `shared` is ambiguous: 2 spaces have a project of that name \
             (`space-1` has {} (space ID {}), `space-2` has {} (space ID {}))\n",
            shared[0].0, shared[0].1, shared[1].0, shared[1].1
        )),
        "{err}"
    );
    assert!(
        err.contains(
            "hint: say which space's `shared` you mean (--space space-1 or --space space-2), \
             or use the project's ID"
        ),
        "{err}"
    );
    assert!(fake.server.bindings().is_empty());

    let output = fake
        .cmd()
        .args([
            "rb",
            "ensure",
            "--user",
            "user1@example.com",
            "--role",
            "Member",
        ])
        .args(["--project", "shared", "--space", "space-2"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout_json(&output)["binding"]["resource_id"],
        shared[1].0.as_str()
    );

    // A project ID needs no space: giving one is a usage error.
    fake.cmd()
        .args([
            "rb",
            "revoke",
            "--user-id",
            &fake.user(0),
            "--project",
            &shared[0].0,
        ])
        .args(["--space", "space-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a project ID"));
}

#[test]
fn the_resource_flags_exclude_each_other() {
    let fake = Fake::new(0);
    fake.cmd()
        .args(["rb", "create", "--user-id", "u", "--role-id", "r"])
        .args(["--space-id", "s", "--project-id", "p"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
    fake.cmd()
        .args([
            "rb",
            "create",
            "--user-id",
            "u",
            "--role-id",
            "r",
            "--resource-id",
            "s",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--resource-type"));
    fake.cmd()
        .args(["rb", "create", "--user-id", "u", "--role-id", "r"])
        .assert()
        .code(2);
}

// ---------------------------------------------------------------- update

#[test]
fn update_changes_the_role() {
    let fake = Fake::new(2);
    let id = fake.binding_ids("SPACE")[0].clone();
    let role = fake.role(2);
    let output = fake
        .cmd()
        .args(["rb", "update", &id, "--role-id", &role])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout_json(&output)["role_id"], role.as_str());
    assert_eq!(fake.server.binding(&id).unwrap().role_id.0, role);
}

// ---------------------------------------------------------------- delete

#[test]
fn delete_refuses_without_a_terminal_unless_forced() {
    let fake = Fake::new(2);
    let id = fake.binding_ids("SPACE")[0].clone();
    fake.cmd()
        .args(["rb", "delete", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --force"));
    assert!(fake.server.binding(&id).is_some());
    assert_eq!(fake.server.request_count(Operation::Delete), 0);

    let output = fake
        .cmd()
        .args(["rb", "delete", &id, "--force"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout_json(&output),
        serde_json::json!({"deleted": true, "id": id})
    );
    assert!(fake.server.binding(&id).is_none());

    // Gone: an API error.
    fake.cmd()
        .args(["rb", "delete", &id, "--yes"])
        .assert()
        .code(4);
}

#[test]
fn delete_prints_each_format() {
    let fake = Fake::new(3);
    let ids = fake.binding_ids("SPACE");
    let out = |id: &str, format: &str| {
        let output = fake
            .cmd()
            .args(["rb", "delete", id, "-f", "-o", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stdout(&output)
    };
    assert_eq!(
        out(&ids[0], "table"),
        format!("Deleted role binding {}.\n", ids[0])
    );
    assert_eq!(
        out(&ids[1], "csv"),
        format!("deleted,id\ntrue,{}\n", ids[1])
    );
    assert_eq!(
        out(&ids[2], "ndjson"),
        format!("{{\"deleted\":true,\"id\":\"{}\"}}\n", ids[2])
    );
}

// ---------------------------------------------------------------- ensure / revoke

#[test]
fn ensure_creates_updates_and_leaves_alone() {
    let fake = Fake::new(0);
    let (user, space) = (fake.user(0), fake.space(0));
    let ensure = |role: &str, format: &str| {
        let output = fake
            .cmd()
            .args([
                "rb",
                "ensure",
                "--user-id",
                &user,
                "--role-id",
                role,
                "--space-id",
                &space,
            ])
            .args(["-o", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        output
    };
    let created = stdout_json(&ensure(&fake.role(0), "json"));
    assert_eq!(created["outcome"], "created");
    assert_eq!(created["previous_role_id"], Value::Null);
    assert_eq!(created["binding"]["role_id"], fake.role(0).as_str());

    let updated = stdout_json(&ensure(&fake.role(1), "ndjson"));
    assert_eq!(updated["outcome"], "updated");
    assert_eq!(updated["previous_role_id"], fake.role(0).as_str());

    let unchanged = stdout(&ensure(&fake.role(1), "csv"));
    let mut reader = csv::Reader::from_reader(unchanged.as_bytes());
    assert_eq!(&reader.headers().unwrap()[0], "outcome");
    assert_eq!(&reader.records().next().unwrap().unwrap()[0], "unchanged");

    insta::assert_snapshot!("ensure_table", stdout(&ensure(&fake.role(2), "table")));
    assert_eq!(fake.server.bindings().len(), 1);
}

#[test]
fn revoke_removes_and_then_finds_nothing_both_exit_0() {
    let fake = Fake::new(1);
    let binding = fake.server.bindings()[0].clone();
    let args = [
        "rb",
        "revoke",
        "--user-id",
        &binding.user_id.0,
        "--space-id",
        &binding.resource_id.0,
    ];
    let output = fake.cmd().args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json = stdout_json(&output);
    assert_eq!(json["outcome"], "removed");
    assert_eq!(json["binding"]["id"], binding.id.0.as_str());
    assert!(json.get("previous_role_id").is_none());
    assert!(fake.server.bindings().is_empty());

    let output = fake
        .cmd()
        .args(args)
        .args(["-o", "table"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!("revoke_not_found_table", stdout(&output));
    let output = fake.cmd().args(args).output().unwrap();
    assert_eq!(
        stdout_json(&output),
        serde_json::json!({"outcome": "not_found", "binding": null})
    );
}

// ---------------------------------------------------------------- exit codes

#[test]
fn exit_1_for_an_undecodable_response() {
    let fake = Fake::with(1, |b| {
        b.fault(
            FaultRule::new(Fault::InvalidJson)
                .on(Operation::Get)
                .always(),
        )
    });
    let id = fake.binding_ids("SPACE")[0].clone();
    fake.cmd()
        .args(["rb", "get", &id])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("error: the response"));
}

#[test]
fn exit_1_for_a_listing_stopped_by_a_pagination_guard() {
    let fake = Fake::with(8, |b| {
        b.fault(
            FaultRule::new(Fault::HasMoreWithoutCursor)
                .on(Operation::List)
                .always(),
        )
    });
    fake.cmd()
        .args([
            "rb",
            "list",
            "--resource-type",
            "space",
            "--all",
            "-o",
            "ndjson",
        ])
        .assert()
        .code(1);
}

#[test]
fn exit_4_for_a_wrong_key() {
    let fake = Fake::new(0);
    fake.cmd()
        .env("ARIZE_API_KEY", "wrong-key")
        .args(["rb", "list", "--resource-type", "space"])
        .assert()
        .code(4)
        .stderr(predicate::str::starts_with(
            "error: the API key was not accepted (401",
        ))
        .stderr(predicate::str::contains("wrong-key").not());
}

#[test]
fn exit_5_without_a_key() {
    let fake = Fake::new(0);
    fake.bare()
        .args([
            "--base-url",
            fake.server.base_url(),
            "rb",
            "list",
            "--resource-type",
            "space",
        ])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("no API key"))
        .stderr(predicate::str::contains("--api-key-stdin"));
    assert!(fake.server.requests().is_empty());
}

#[test]
fn exit_5_for_conflicting_endpoint_variables() {
    let fake = Fake::new(0);
    fake.bare()
        .env("ARIZE_API_KEY", KEY)
        .env("ARIZE_REGION", "eu-west-1a")
        .env("ARIZE_BASE_URL", fake.server.base_url())
        .args(["rb", "list", "--resource-type", "space"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("conflicting settings"));
}

#[test]
fn exit_6_when_the_connection_is_lost() {
    let fake = Fake::with(0, |b| {
        b.fault(
            FaultRule::new(Fault::CloseBeforeResponse)
                .on(Operation::Create)
                .always(),
        )
    });
    fake.cmd()
        .args([
            "rb",
            "create",
            "--user-id",
            &fake.user(0),
            "--role-id",
            &fake.role(0),
        ])
        .args(["--space-id", &fake.space(0)])
        .assert()
        .code(6)
        .stderr(predicate::str::contains("may have been applied"));
}

#[test]
fn the_key_is_never_a_command_line_value() {
    let fake = Fake::new(0);
    fake.bare()
        .args([
            "--base-url",
            fake.server.base_url(),
            "--api-key",
            "secret-on-argv",
        ])
        .args(["rb", "list", "--resource-type", "space"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--api-key-stdin"))
        .stderr(predicate::str::contains("secret-on-argv").not());
    assert!(fake.server.requests().is_empty());
    // Not in --help either.
    fake.bare()
        .arg("--help")
        .assert()
        .stdout(predicate::str::contains("--api-key ").not());
}

// ---------------------------------------------------------------- key and profiles

#[test]
fn the_key_can_come_from_stdin() {
    let fake = Fake::new(1);
    fake.bare()
        .args(["--base-url", fake.server.base_url(), "--api-key-stdin"])
        .args(["rb", "list", "--resource-type", "space"])
        .write_stdin(format!("{KEY}\n"))
        .assert()
        .success();
    // It wins over the environment.
    fake.cmd()
        .env("ARIZE_API_KEY", "wrong-key")
        .args(["--api-key-stdin", "rb", "list", "--resource-type", "space"])
        .write_stdin(KEY)
        .assert()
        .success();
    fake.bare()
        .args(["--base-url", fake.server.base_url(), "--api-key-stdin"])
        .args(["rb", "list", "--resource-type", "space"])
        .write_stdin("")
        .assert()
        .code(5)
        .stderr(predicate::str::contains("standard input is empty"));
}

#[test]
fn a_profile_gives_the_key_the_endpoint_and_the_output_format() {
    let fake = Fake::new(8);
    fake.write_profile(
        "test",
        &fake.routing_profile(KEY, "[output]\nformat = \"csv\"\n"),
    );
    let output = fake
        .bare()
        .args([
            "--profile",
            "test",
            "rb",
            "list",
            "--resource-type",
            "space",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("id,user_id,"),
        "{}",
        stdout(&output)
    );
    // --output wins over the profile's format.
    let output = fake
        .bare()
        .args([
            "--profile",
            "test",
            "-o",
            "json",
            "rb",
            "list",
            "--resource-type",
            "space",
        ])
        .output()
        .unwrap();
    assert!(stdout_json(&output).is_array());
}

#[test]
fn an_explicit_profile_wins_over_the_environment_and_the_environment_over_the_active_profile() {
    let fake = Fake::new(1);
    fake.write_profile("good", &fake.routing_profile(KEY, ""));
    fake.write_profile("bad", &fake.routing_profile("wrong-key", ""));

    // --profile good beats a wrong ARIZE_API_KEY and an ARIZE_BASE_URL
    // (its [routing] replaces the whole endpoint: no conflict).
    fake.bare()
        .env("ARIZE_API_KEY", "wrong-key")
        .env("ARIZE_BASE_URL", "http://127.0.0.1:9")
        .args([
            "--profile",
            "good",
            "rb",
            "list",
            "--resource-type",
            "space",
        ])
        .assert()
        .success();

    // The active profile is used when nothing else is set ...
    fake.set_active_profile("good");
    fake.bare()
        .args(["rb", "list", "--resource-type", "space"])
        .assert()
        .success();
    // ... and the environment wins over it.
    fake.set_active_profile("bad");
    fake.bare()
        .env("ARIZE_API_KEY", KEY)
        .args(["rb", "list", "--resource-type", "space"])
        .assert()
        .success();
    fake.bare()
        .args(["rb", "list", "--resource-type", "space"])
        .assert()
        .code(4);
}

#[test]
fn profile_problems_are_configuration_errors() {
    let fake = Fake::new(0);
    fake.bare()
        .args([
            "--profile",
            "missing",
            "rb",
            "list",
            "--resource-type",
            "space",
        ])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("missing.toml"));
    fake.write_profile("broken", "[auth\napi_key = ");
    fake.bare()
        .args([
            "--profile",
            "broken",
            "rb",
            "list",
            "--resource-type",
            "space",
        ])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("profile `broken`"));
    fake.bare()
        .args([
            "--profile",
            "../etc/passwd",
            "rb",
            "list",
            "--resource-type",
            "space",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a profile name"));
    fake.set_active_profile("gone");
    fake.bare()
        .args(["rb", "list", "--resource-type", "space"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            ".active_profile names profile `gone`",
        ));
}

#[test]
fn a_profile_key_does_not_leak_into_errors() {
    let fake = Fake::new(0);
    fake.write_profile("bad", &fake.routing_profile("profile-secret-key", ""));
    let output = fake
        .bare()
        .args(["--profile", "bad", "rb", "list", "--resource-type", "space"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4));
    assert!(!stderr(&output).contains("profile-secret-key"));
    assert!(!stdout(&output).contains("profile-secret-key"));
}

#[test]
fn an_unsupported_profile_format_falls_back_with_a_warning() {
    let fake = Fake::new(1);
    fake.write_profile(
        "pq",
        &fake.routing_profile(KEY, "[output]\nformat = \"parquet\"\n"),
    );
    let output = fake
        .bare()
        .args(["--profile", "pq", "rb", "list", "--resource-type", "space"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout_json(&output).is_array());
    assert!(stderr(&output).contains("`parquet`"), "{}", stderr(&output));
}

// ---------------------------------------------------------------- colour

#[test]
fn colour_only_when_asked_off_a_terminal() {
    let fake = Fake::new(2);
    let args = ["rb", "list", "--resource-type", "space", "-o", "table"];
    let plain = fake.cmd().args(args).output().unwrap();
    assert!(!plain.stdout.contains(&0x1b));
    // Off a terminal there is no colour even without NO_COLOR.
    let piped = fake
        .cmd()
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .unwrap();
    assert!(!piped.stdout.contains(&0x1b));
    assert_eq!(piped.stdout, plain.stdout);
    let forced = fake
        .cmd()
        .args(["--color", "always"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        forced.stdout.starts_with(b"\x1b[1m"),
        "{:?}",
        stdout(&forced)
    );
    // Colour never goes into machine formats.
    let json = fake
        .cmd()
        .args([
            "--color",
            "always",
            "rb",
            "list",
            "--resource-type",
            "space",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(!json.stdout.contains(&0x1b));
}

// ---------------------------------------------------------------- completions, demo

#[test]
fn completions_for_each_shell() {
    let fake = Fake::new(0);
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef arize-access"),
        ("fish", "complete -c arize-access"),
    ] {
        fake.bare()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains(marker))
            .stdout(predicate::str::contains("role-bindings"));
    }
    fake.bare().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn demo_runs_against_the_embedded_fake() {
    let fake = Fake::new(0);
    let output = fake
        .bare()
        .args([
            "--demo",
            "rb",
            "list",
            "--resource-type",
            "space",
            "-o",
            "table",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).starts_with("demo: an in-memory fake Arize server at http://127.0.0.1:")
    );
    insta::assert_snapshot!("demo_list_table", stdout(&output));
    // The demo's IDs are fixed: the same binding can be fetched in a new run.
    fake.bare()
        .args(["--demo", "-q", "rb", "get", "Um9sZUJpbmRpbmc6MTpzQ3hH"])
        .assert()
        .success()
        .stderr("");
    // --demo never uses a profile or an endpoint.
    fake.bare()
        .args([
            "--demo",
            "--base-url",
            "http://127.0.0.1:9",
            "rb",
            "list",
            "--resource-type",
            "space",
        ])
        .assert()
        .code(2);
}

#[test]
fn writes_to_a_closed_pipe_end_quietly() {
    // `arize-access ... | head -c 10`: the reader goes away long before the
    // ~200 KB of output (more than a pipe holds) are written; no message.
    let fake = Fake::with(0, |b| {
        b.seed(Seed::default().users(200).bindings(1000).rng_seed(7))
    });
    let command = format!(
        "set -o pipefail; '{}' --base-url {} rb list --resource-type space --all -o ndjson | head -c 10 >/dev/null",
        assert_cmd::cargo::cargo_bin("arize-access").display(),
        fake.server.base_url()
    );
    let output = std::process::Command::new("bash")
        .args(["-c", &command])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", fake.home.path())
        .env("ARIZE_API_KEY", KEY)
        .output()
        .unwrap();
    assert_eq!(stderr(&output), "");
    // pipefail: arize-access's own exit code, 0 for a closed pipe.
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn output_to_a_file_takes_the_format_from_the_extension() {
    let fake = Fake::new(8);
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("bindings.csv");
    fake.cmd()
        .args(["rb", "list", "--resource-type", "space", "--all", "-o"])
        .arg(&csv_path)
        .assert()
        .success()
        .stdout("");
    let text = std::fs::read_to_string(&csv_path).unwrap();
    assert!(text.starts_with("id,user_id,"), "{text}");
    assert_eq!(text.lines().count(), 1 + fake.binding_ids("SPACE").len());

    let json_path = dir.path().join("binding.json");
    let id = fake.binding_ids("SPACE")[0].clone();
    fake.cmd()
        .args(["rb", "get", &id, "--output"])
        .arg(&json_path)
        .assert()
        .success();
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(json["id"], id.as_str());

    // A failed command leaves the file as it was, and no temporary file.
    fake.cmd()
        .args(["rb", "get", "Um9sZUJpbmRpbmc6OTk5Onh4eHg=", "-o"])
        .arg(&json_path)
        .assert()
        .code(4);
    let again: Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(again, json);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    // A table in a file: no escape codes, whatever --color says.
    let txt_path = dir.path().join("bindings.txt");
    fake.cmd()
        .args([
            "--color",
            "always",
            "rb",
            "list",
            "--resource-type",
            "space",
            "-o",
        ])
        .arg(&txt_path)
        .assert()
        .success();
    let table = std::fs::read_to_string(&txt_path).unwrap();
    assert!(table.starts_with("ID  "), "{table:?}");
    assert!(!table.contains('\x1b'), "{table:?}");

    fake.cmd()
        .args([
            "rb",
            "list",
            "--resource-type",
            "space",
            "-o",
            "bindings.parquet",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is neither a format"));
}

#[test]
fn verbose_logs_the_sdk_calls_on_stderr_without_the_key() {
    let fake = Fake::new(1);
    let id = fake.binding_ids("SPACE")[0].clone();
    let output = fake.cmd().args(["-vv", "rb", "get", &id]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("get_role_binding"), "{err}");
    assert!(!err.contains(KEY), "{err}");
    assert_eq!(stdout_json(&output)["id"], id.as_str());
}

// ---------------------------------------------------------------- directory

/// The values of `field` in a JSON array on stdout.
fn field_values(output: &std::process::Output, field: &str) -> Vec<String> {
    stdout_json(output)
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v[field].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_directory_commands_have_examples_in_their_help() {
    let fake = Fake::new(0);
    for group in ["users", "roles", "spaces", "projects"] {
        for command in ["list", "get"] {
            fake.bare()
                .args([group, command, "--help"])
                .assert()
                .success()
                .stdout(predicate::str::contains("Example"))
                .stdout(predicate::str::contains(format!(
                    "arize-access {group} {command}"
                )));
        }
    }
}

#[test]
fn users_list_in_each_format() {
    let fake = Fake::new(0);
    let output = fake.cmd().args(["users", "list"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        field_values(&output, "email"),
        [
            "user1@example.com",
            "user2@example.com",
            "user3@example.com"
        ]
    );
    // The API's record, as the API names its fields.
    let json = stdout_json(&output);
    assert_eq!(json[0]["id"], fake.user(0).as_str());
    assert_eq!(json[0]["status"], "ACTIVE");
    assert_eq!(json[0]["role"]["type"], "PREDEFINED");

    let output = fake
        .cmd()
        .args(["users", "list", "-o", "table"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!("users_list_table", stdout(&output));

    let output = fake
        .cmd()
        .args(["users", "list", "-o", "ndjson"])
        .output()
        .unwrap();
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["email"], "user3@example.com");

    let output = fake
        .cmd()
        .args(["users", "list", "-o", "csv"])
        .output()
        .unwrap();
    let text = stdout(&output);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,name,email,status,role,is_developer,created_at")
    );
    assert_eq!(
        lines.next(),
        Some(
            format!(
                "{},User 1,user1@example.com,ACTIVE,MEMBER,true,2020-01-01T00:00:00Z",
                fake.user(0)
            )
            .as_str()
        )
    );
    assert_eq!(lines.count(), 2);
}

#[test]
fn users_list_sends_the_email_and_every_status_filter() {
    let fake = Fake::with(0, |b| {
        b.seed(
            Seed::default()
                .with_user(
                    SeedUser::default()
                        .email("invited@example.com")
                        .status(arize_role_bindings::api::types::UserStatus::Invited),
                )
                .with_user(
                    SeedUser::default()
                        .email("expired@example.org")
                        .status(arize_role_bindings::api::types::UserStatus::Expired),
                )
                .rng_seed(7),
        )
    });
    let output = fake
        .cmd()
        .args([
            "users", "list", "--status", "invited", "--status", "EXPIRED",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        field_values(&output, "email"),
        ["invited@example.com", "expired@example.org"]
    );
    let query = fake.server.requests_for(Operation::ListUsers)[0]
        .raw_query
        .clone()
        .unwrap();
    assert!(query.contains("status=INVITED&status=EXPIRED"), "{query}");

    let output = fake
        .cmd()
        .args(["users", "list", "--email", "@EXAMPLE.com"])
        .output()
        .unwrap();
    assert_eq!(
        field_values(&output, "email"),
        // Explicit seed users come first and take the numbers 1 and 2.
        [
            "invited@example.com",
            "user3@example.com",
            "user4@example.com",
            "user5@example.com"
        ]
    );
    fake.cmd()
        .args(["users", "list", "--status", "gone"])
        .assert()
        .code(2);
}

#[test]
fn roles_list_predefined_or_custom() {
    let fake = Fake::new(0);
    let output = fake
        .cmd()
        .args(["roles", "list", "-o", "table"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!("roles_list_table", stdout(&output));

    let output = fake
        .cmd()
        .args(["roles", "list", "--predefined"])
        .output()
        .unwrap();
    assert_eq!(
        field_values(&output, "name"),
        ["Admin", "Member", "Read Only", "Annotator"]
    );
    let output = fake
        .cmd()
        .args(["roles", "list", "--custom", "-o", "csv"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert_eq!(
        text.lines().next(),
        Some("id,name,is_predefined,description,permissions,created_at,updated_at")
    );
    assert!(
        text.contains(",Custom Role 1,false,,SPACE_READ PROJECT_READ,"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 4);
    let queries: Vec<String> = fake
        .server
        .requests_for(Operation::ListRoles)
        .into_iter()
        .map(|r| r.raw_query.unwrap_or_default())
        .collect();
    assert!(queries[1].contains("is_predefined=true"), "{queries:?}");
    assert!(queries[2].contains("is_predefined=false"), "{queries:?}");
    fake.cmd()
        .args(["roles", "list", "--predefined", "--custom"])
        .assert()
        .code(2);
}

#[test]
fn spaces_list_by_name_and_organization() {
    let fake = Fake::new(0);
    let output = fake
        .cmd()
        .args(["spaces", "list", "-o", "table"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!("spaces_list_table", stdout(&output));
    let output = fake
        .cmd()
        .args(["spaces", "list", "--name", "CE-2"])
        .output()
        .unwrap();
    assert_eq!(field_values(&output, "name"), ["space-2"]);
    // An organization ID is checked, then sent as org_id.
    let org = "T3JnYW5pemF0aW9uOjE6YUJjRA==";
    fake.cmd()
        .args(["spaces", "list", "--org-id", org])
        .assert()
        .success();
    let query = fake.server.requests_for(Operation::ListSpaces)[2]
        .raw_query
        .clone()
        .unwrap();
    assert!(
        query.contains("org_id=T3JnYW5pemF0aW9uOjE6YUJjRA"),
        "{query}"
    );
    fake.cmd()
        .args(["spaces", "list", "--org-id", &fake.space(0)])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--org-id"));
}

#[test]
fn projects_list_by_space_and_name() {
    let fake = fake_with_shared_project();
    let output = fake
        .cmd()
        .args(["projects", "list", "-o", "table"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!("projects_list_table", stdout(&output));

    let space1 = fake.server.directory().spaces[0].id.0.clone();
    // --space takes a name (resolved exactly) or an ID, --space-id an ID.
    for args in [
        vec!["--space", "space-1"],
        vec!["--space", &space1],
        vec!["--space-id", &space1],
    ] {
        let output = fake
            .cmd()
            .args(["projects", "list"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let json = stdout_json(&output);
        let json = json.as_array().unwrap();
        assert!(!json.is_empty());
        assert!(
            json.iter().all(|p| p["space_id"] == space1.as_str()),
            "{args:?}"
        );
    }
    let output = fake
        .cmd()
        .args([
            "projects",
            "list",
            "--space-name",
            "ACE-2",
            "--name",
            "shar",
        ])
        .output()
        .unwrap();
    let json = stdout_json(&output);
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["name"], "shared");
    // A space name that is not exact is a lookup error.
    fake.cmd()
        .args(["projects", "list", "--space", "space"])
        .assert()
        .code(4)
        .stderr(predicate::str::starts_with(
            "error: no space with the name `space`",
        ));
}

#[test]
fn get_a_record_by_id_or_by_name() {
    let fake = fake_with_shared_project();
    let directory = fake.server.directory();
    let shared2 = directory
        .projects
        .iter()
        .find(|p| p.name == "shared" && p.space_id.0 == directory.spaces[1].id.0)
        .unwrap()
        .id
        .0
        .clone();
    let cases: Vec<(Vec<&str>, &str, String)> = vec![
        (
            vec!["users", "get", "USER2@example.com"],
            "id",
            fake.user(1),
        ),
        (
            vec!["users", "get", &directory.users[1].id.0],
            "email",
            "user2@example.com".into(),
        ),
        (vec!["roles", "get", "Member"], "id", MEMBER.into()),
        (vec!["roles", "get", ADMIN], "name", "Admin".into()),
        (
            vec!["spaces", "get", "space-2"],
            "id",
            directory.spaces[1].id.0.clone(),
        ),
        (
            vec!["spaces", "get", &directory.spaces[0].id.0],
            "name",
            "space-1".into(),
        ),
        (
            vec!["projects", "get", "shared", "--space", "space-2"],
            "id",
            shared2.clone(),
        ),
        (vec!["projects", "get", &shared2], "name", "shared".into()),
    ];
    for (args, field, want) in cases {
        let output = fake.cmd().args(&args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stdout_json(&output)[field], want.as_str(), "{args:?}");
    }
    let output = fake
        .cmd()
        .args(["users", "get", "user1@example.com", "-o", "table"])
        .output()
        .unwrap();
    insta::assert_snapshot!("users_get_table", stdout(&output));

    // Names that do not resolve, and an ID that does not exist.
    fake.cmd()
        .args(["projects", "get", "shared"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "ambiguous: 2 spaces have a project of that name (`space-1` has",
        ));
    fake.cmd()
        .args(["roles", "get", "admin"])
        .assert()
        .code(4)
        .stderr(predicate::str::starts_with(
            "error: no role with the name `admin`; did you mean `Admin`?",
        ));
    fake.cmd()
        .args(["users", "get", "VXNlcjo5OTk6bm9wZQ=="])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("404"));
    // An ID of another type is a usage error.
    fake.cmd().args(["spaces", "get", MEMBER]).assert().code(2);
}

#[test]
fn directory_lists_page_by_cursor_or_stream_every_page() {
    let fake = Fake::with(0, |b| b.seed(Seed::default().users(5).rng_seed(7)));
    let output = fake
        .cmd()
        .args(["users", "list", "--limit", "2"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(field_values(&output, "email").len(), 2);
    let err = stderr(&output);
    let cursor = err
        .strip_prefix("hint: more users: add --cursor ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{err}"))
        .to_owned();
    let output = fake
        .cmd()
        .args(["users", "list", "--limit", "100", "--cursor", &cursor])
        .output()
        .unwrap();
    assert_eq!(
        field_values(&output, "email"),
        [
            "user3@example.com",
            "user4@example.com",
            "user5@example.com"
        ]
    );
    assert_eq!(stderr(&output), "");

    fake.server.clear_requests();
    let output = fake
        .cmd()
        .args(["users", "list", "--all", "--limit", "2", "-o", "ndjson"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 5);
    assert_eq!(stderr(&output), "");
    assert_eq!(fake.server.request_count(Operation::ListUsers), 3);

    for group in ["roles", "spaces", "projects"] {
        let output = fake
            .cmd()
            .args([group, "list", "--all", "--limit", "1"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let want = match group {
            "roles" => 7,
            _ => 2,
        };
        assert_eq!(
            stdout_json(&output).as_array().unwrap().len(),
            want,
            "{group}"
        );
    }
    fake.cmd()
        .args(["spaces", "list", "--limit", "0"])
        .assert()
        .code(2);
}
