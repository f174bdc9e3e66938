//! Access as code (`arize_role_bindings::access`) against the stateful fake
//! server: additive and authoritative plans, scope limits, file errors with
//! positions, plan cost in requests, apply (one request per change,
//! convergence under faults, a saved plan after the account moved), drift
//! after hand changes, and export → desired state → empty plan; one plan
//! on httpmock, for a listing the fake never gives.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod facade_support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use arize_api::types::RoleBindingResourceType as Wire;
use arize_fake_server::{FakeServer, Fault, FaultRule, Operation, RetryAfter, Seed, SeedProject};
use arize_role_bindings::access::{
    self, Catalog, Change, DesiredState, DiagnosticKind, Drift, ExportScope, FileError, Format,
    IdsOnly, Kinds, Mode, Outcome, Plan, PlanError, ProjectEntry, ProjectRef, Recheck, RoleEntry,
    SpaceEntry, UserEntry,
};
use arize_role_bindings::{
    Client, ProjectId, Resource, ResourceType, RetryPolicy, RoleBindingId, RoleId, SpaceId, UserId,
};
use facade_support::*;
use futures::StreamExt as _;

/// The fake with `users` users, 3 roles, 3 spaces, 2 projects; a client
/// with a recording sleeper (retries do not wait).
async fn fake(users: usize) -> (FakeServer, Client) {
    let server = FakeServer::builder()
        .api_key(KEY)
        .seed(
            Seed::empty()
                .users(users)
                .roles(3)
                .spaces(3)
                .projects(2)
                .rng_seed(7),
        )
        .start()
        .await
        .unwrap();
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(server.base_url(), &sleeper).build().unwrap();
    (server, client)
}

struct Ids {
    u: Vec<String>,
    r: Vec<String>,
    s: Vec<String>,
    p: Vec<String>,
}

fn ids(server: &FakeServer) -> Ids {
    Ids {
        u: server.users(),
        r: server.roles(),
        s: server.spaces(),
        p: server.projects(),
    }
}

fn bind(server: &FakeServer, user: &str, role: &str, space: &str) -> String {
    server
        .create_binding(user, role, Wire::Space, space)
        .unwrap()
        .id
        .0
}

fn bind_project(server: &FakeServer, user: &str, role: &str, project: &str) -> String {
    server
        .create_binding(user, role, Wire::Project, project)
        .unwrap()
        .id
        .0
}

fn yaml(text: &str) -> DesiredState {
    DesiredState::parse(text, Format::Yaml, "access.yaml").unwrap_or_else(|e| panic!("{e}"))
}

fn file_error(text: &str, format: Format, name: &str) -> FileError {
    DesiredState::parse(text, format, name).unwrap_err()
}

/// The (user, role, resource id) triples the server holds.
fn state(server: &FakeServer) -> BTreeSet<(String, String, String)> {
    server
        .bindings()
        .into_iter()
        .map(|b| (b.user_id.0, b.role_id.0, b.resource_id.0))
        .collect()
}

async fn plan_of(client: &Client, state: &DesiredState) -> Plan {
    access::plan(client, state, &IdsOnly)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn additive_plan_creates_and_changes_and_never_revokes() {
    let (server, client) = fake(4).await;
    let i = ids(&server);
    let kept = bind(&server, &i.u[0], &i.r[0], &i.s[0]);
    let changed = bind(&server, &i.u[1], &i.r[0], &i.s[0]);
    let unlisted = bind(&server, &i.u[2], &i.r[0], &i.s[0]);
    let file = yaml(&format!(
        "mode: additive\nscope:\n  spaces: [{s0}]\ngrants:\n  - {{user: {u0}, role: {r0}, space: {s0}}}\n  - {{user: {u1}, role: {r1}, space: {s0}}}\n  - {{user: {u3}, role: {r2}, space: {s0}}}\n",
        s0 = i.s[0],
        u0 = i.u[0],
        u1 = i.u[1],
        u3 = i.u[3],
        r0 = i.r[0],
        r1 = i.r[1],
        r2 = i.r[2],
    ));
    server.clear_requests();
    let plan = plan_of(&client, &file).await;
    assert_eq!(plan.creates.len(), 1);
    assert_eq!(plan.creates[0].user.id, i.u[3].as_str());
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].binding, changed.as_str());
    assert_eq!(plan.changes[0].from.id, i.r[0].as_str());
    assert_eq!(plan.changes[0].to.id, i.r[1].as_str());
    assert!(plan.revokes.is_empty(), "additive never revokes");
    assert_eq!(plan.unchanged.len(), 1);
    assert_eq!(plan.unchanged[0].binding, kept.as_str());
    assert_eq!(plan.not_managed, 1, "{unlisted} is left alone");
    // Only the space listing was read: one page, nothing per grant.
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].operation, Some(Operation::List));
    assert!(
        requests[0]
            .raw_query
            .as_deref()
            .unwrap()
            .contains("resource_type=SPACE")
    );

    let text = plan.to_string();
    assert!(text.contains("mode: additive"), "{text}");
    assert!(text.contains("additive: nothing is revoked"), "{text}");
    assert!(text.contains(&format!("space {}", i.s[0])), "{text}");
    assert!(
        text.contains(&format!("+ {} gets {}", i.u[3], i.r[2])),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "~ {} on space {}: {} -> {}",
            i.u[1], i.s[0], i.r[0], i.r[1]
        )),
        "{text}"
    );
    assert!(
        text.ends_with(
            "Plan: 1 to add, 1 to change, 0 to revoke (1 unchanged, 1 not managed by this file)."
        ),
        "{text}"
    );

    // The plan survives JSON (save, review, apply later).
    let saved = serde_json::to_string(&plan).unwrap();
    let loaded: Plan = serde_json::from_str(&saved).unwrap();
    assert_eq!(loaded, plan);
}

#[tokio::test]
async fn additive_without_scope_manages_the_resources_of_its_grants() {
    let (server, client) = fake(3).await;
    let i = ids(&server);
    bind(&server, &i.u[1], &i.r[0], &i.s[1]);
    let file = yaml(&format!(
        "grants:\n  - {{user: {}, role: {}, project: {}}}\n",
        i.u[0], i.r[0], i.p[0]
    ));
    assert_eq!(file.mode, Mode::Additive);
    server.clear_requests();
    let plan = plan_of(&client, &file).await;
    assert!(plan.scope.from_grants);
    assert_eq!(plan.scope.projects.len(), 1);
    assert!(plan.scope.spaces.is_empty());
    assert_eq!(plan.creates.len(), 1);
    // Only projects are listed: the file names no space.
    let lists = server.requests_for(Operation::List);
    assert_eq!(lists.len(), 1);
    assert!(
        lists[0]
            .raw_query
            .as_deref()
            .unwrap()
            .contains("resource_type=PROJECT")
    );
    assert!(plan.to_string().contains("Scope (taken from the grants)"));
}

#[tokio::test]
async fn authoritative_plan_revokes_inside_the_scope_only() {
    let (server, client) = fake(3).await;
    let i = ids(&server);
    let wanted = bind(&server, &i.u[0], &i.r[0], &i.s[0]);
    let stray = bind(&server, &i.u[1], &i.r[1], &i.s[0]);
    let stray_project = bind_project(&server, &i.u[2], &i.r[1], &i.p[0]);
    // Outside the scope: another space, another project.
    let outside = bind(&server, &i.u[1], &i.r[1], &i.s[1]);
    let outside_project = bind_project(&server, &i.u[1], &i.r[1], &i.p[1]);
    let file = yaml(&format!(
        "mode: authoritative\nscope:\n  spaces: [{s0}]\n  projects: [{p0}]\n  users: all\ngrants:\n  - {{user: {u0}, role: {r0}, space: {s0}}}\n",
        s0 = i.s[0],
        p0 = i.p[0],
        u0 = i.u[0],
        r0 = i.r[0],
    ));
    let plan = plan_of(&client, &file).await;
    let revoked: BTreeSet<&str> = plan.revokes.iter().map(|r| r.binding.as_str()).collect();
    assert_eq!(
        revoked,
        BTreeSet::from([stray.as_str(), stray_project.as_str()])
    );
    assert_eq!(plan.unchanged.len(), 1);
    assert_eq!(plan.unchanged[0].binding, wanted.as_str());
    let text = plan.to_string();
    assert!(text.contains("revokes apply to all users"), "{text}");
    assert!(text.contains(&format!("project {}", i.p[0])), "{text}");
    assert!(
        text.contains(&format!("- {} loses {}", i.u[1], i.r[1])),
        "{text}"
    );

    let summary = access::apply(&client, &plan)
        .start()
        .await
        .unwrap()
        .summarize()
        .await;
    assert!(summary.is_complete(), "{summary}");
    assert_eq!(summary.done, 2);
    // Nothing outside the scope was touched.
    assert!(server.binding(&outside).is_some());
    assert!(server.binding(&outside_project).is_some());
    assert!(server.binding(&wanted).is_some());
    assert!(server.binding(&stray).is_none());
    assert!(plan_of(&client, &file).await.in_sync());
}

#[tokio::test]
async fn authoritative_for_listed_users_leaves_other_users_alone() {
    let (server, client) = fake(3).await;
    let i = ids(&server);
    let listed_elsewhere = bind(&server, &i.u[0], &i.r[1], &i.s[1]);
    let other_user = bind(&server, &i.u[1], &i.r[1], &i.s[1]);
    let file = yaml(&format!(
        "mode: authoritative\nscope:\n  spaces: [{s0}, {s1}]\n  users: listed\ngrants:\n  - {{user: {u0}, role: {r0}, space: {s0}}}\n",
        s0 = i.s[0],
        s1 = i.s[1],
        u0 = i.u[0],
        r0 = i.r[0],
    ));
    let plan = plan_of(&client, &file).await;
    assert_eq!(plan.creates.len(), 1);
    assert_eq!(plan.revokes.len(), 1);
    assert_eq!(plan.revokes[0].binding, listed_elsewhere.as_str());
    assert_eq!(
        plan.not_managed, 1,
        "{other_user} belongs to a user the file does not list"
    );
    assert!(
        plan.to_string()
            .contains("only the users listed in the grants")
    );
}

#[tokio::test]
async fn a_plan_costs_the_listing_pages_only_both_types_at_once() {
    let (server, client) = fake(150).await;
    let i = ids(&server);
    // 150 space bindings (2 pages of 100) and 150 project bindings.
    for u in &i.u {
        bind(&server, u, &i.r[0], &i.s[0]);
        bind_project(&server, u, &i.r[0], &i.p[0]);
    }
    let mut text = format!(
        "mode: authoritative\nscope:\n  spaces: [{}]\n  projects: [{}]\n  users: all\ngrants:\n",
        i.s[0], i.p[0]
    );
    for u in &i.u {
        text.push_str(&format!(
            "  - {{user: {u}, role: {}, space: {}}}\n",
            i.r[1], i.s[0]
        ));
        text.push_str(&format!(
            "  - {{user: {u}, role: {}, project: {}}}\n",
            i.r[0], i.p[0]
        ));
    }
    let file = yaml(&text);
    server.clear_requests();
    server
        .faults()
        .set_latency(Some(Operation::List), Duration::from_millis(30));
    server.reset_peak_in_flight();
    let plan = plan_of(&client, &file).await;
    assert_eq!(plan.changes.len(), 150);
    assert_eq!(plan.unchanged.len(), 150);
    let requests = server.requests();
    assert_eq!(
        requests.len(),
        4,
        "2 pages per resource type, nothing per grant"
    );
    assert!(
        requests
            .iter()
            .all(|r| r.operation == Some(Operation::List))
    );
    assert!(
        requests
            .iter()
            .all(|r| r.raw_query.as_deref().unwrap().contains("limit=100"))
    );
    // Spaces and projects were listed at the same time.
    assert!(server.peak_in_flight() >= 2, "{}", server.peak_in_flight());
}

// ---- File errors: every class, with its position, all at once. ----

#[test]
fn syntax_errors_name_the_file_line_and_column_in_all_formats() {
    let e = file_error(
        "mode: additive\ngrants:\n  - user: [a\n",
        Format::Yaml,
        "a.yaml",
    );
    assert!(e.has(DiagnosticKind::Syntax));
    let pos = e.diagnostics[0].position.unwrap();
    assert!(pos.line >= 3, "{e}");
    assert!(
        e.to_string().contains(&format!("a.yaml:{}:", pos.line)),
        "{e}"
    );

    let e = file_error(
        "{\n  \"mode\": \"additive\",\n  \"grants\": [}\n",
        Format::Json,
        "a.json",
    );
    assert_eq!(e.diagnostics[0].position.unwrap().line, 3, "{e}");
    assert!(e.to_string().starts_with("a.json: 1 problem"), "{e}");
    assert!(e.to_string().contains("a.json:3:"), "{e}");

    let e = file_error(
        "mode = \"additive\"\n[[grants]]\nuser = \n",
        Format::Toml,
        "a.toml",
    );
    assert_eq!(e.diagnostics[0].position.unwrap().line, 3, "{e}");
    assert!(e.to_string().contains("a.toml:3:"), "{e}");
}

const U: &str = "VXNlcjo0MjphQmNE";
const R: &str = "Um9sZToxOmFCY0Q=";
const R2: &str = "Um9sZToyOmVGZ0g=";
const S: &str = "U3BhY2U6MTpWNEth";
const P: &str = "UHJvamVjdDo1OmFCY0Q=";

/// The diagnostic of `kind` on `field`, or a panic listing them all.
fn find<'e>(e: &'e FileError, kind: DiagnosticKind, field: &str) -> &'e access::Diagnostic {
    e.diagnostics
        .iter()
        .find(|d| d.kind == kind && d.field == field)
        .unwrap_or_else(|| panic!("no {kind:?} on {field} in:\n{e}"))
}

#[test]
fn every_problem_of_a_file_is_reported_at_once_with_its_line() {
    let text = format!(
        "mode: authoritative\n\
         scope:\n\
         \x20 spaces: [{P}]\n\
         grants:\n\
         \x20 - {{usr: {U}, role: {R}, space: {S}}}\n\
         \x20 - {{user: {U}, role: {R}, space: {S}}}\n\
         \x20 - {{user: {U}, role: {R2}, space: {S}}}\n\
         \x20 - {{user: {S}, role: {R}, space: {S}}}\n\
         \x20 - {{user: {U}, role: 42, space: {S}}}\n\
         \x20 - {{user: {U}, role: {R}}}\n\
         \x20 - just a string\n\
         \x20 - {{user: {U}, role: {R}, project: {P}, colour: blue}}\n"
    );
    let e = file_error(&text, Format::Yaml, "team.yaml");
    let line = |d: &access::Diagnostic| d.position.map(|p| p.line);
    // An ID of the wrong kind in the scope.
    assert_eq!(
        line(find(&e, DiagnosticKind::WrongIdType, "scope.spaces[0]")),
        Some(3)
    );
    // Authoritative without `users`.
    assert_eq!(
        line(find(&e, DiagnosticKind::Scope, "scope.users")),
        Some(3)
    );
    // A typo in a field name, with the near match.
    let d = find(&e, DiagnosticKind::UnknownField, "grants[0].usr");
    assert_eq!(line(d), Some(5));
    assert!(d.message.contains("did you mean `user`"), "{}", d.message);
    assert!(e.has(DiagnosticKind::Invalid), "the grant without `user`");
    // The same user twice on one resource with two roles.
    let d = find(&e, DiagnosticKind::Conflict, "grants[2].role");
    assert_eq!(line(d), Some(7));
    assert!(d.message.contains("grants[1]"), "{}", d.message);
    // A Space ID given as a user.
    let d = find(&e, DiagnosticKind::WrongIdType, "grants[3].user");
    assert_eq!(line(d), Some(8));
    assert!(d.message.contains("Space ID"), "{}", d.message);
    // A number where a role is expected.
    assert_eq!(
        line(find(&e, DiagnosticKind::Invalid, "grants[4].role")),
        Some(9)
    );
    // A grant without a resource.
    let d = find(&e, DiagnosticKind::Invalid, "grants[5]");
    assert_eq!(line(d), Some(10));
    assert!(d.message.contains("`space` or a `project`"));
    // Not a map at all.
    assert_eq!(
        line(find(&e, DiagnosticKind::Invalid, "grants[6]")),
        Some(11)
    );
    let d = find(&e, DiagnosticKind::UnknownField, "grants[7].colour");
    assert_eq!(line(d), Some(12));
    // Every problem, in file order, each printed file:line:column.
    let text = e.to_string();
    assert!(text.starts_with("team.yaml: 10 problems"), "{text}");
    assert!(text.contains("team.yaml:8:"), "{text}");
    let lines: Vec<usize> = e.diagnostics.iter().filter_map(line).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
}

#[test]
fn an_authoritative_file_with_an_empty_scope_is_an_error() {
    for (text, format, name) in [
        (
            format!("mode: authoritative\ngrants:\n  - {{user: {U}, role: {R}, space: {S}}}\n"),
            Format::Yaml,
            "a.yaml",
        ),
        (
            "{\"mode\": \"authoritative\", \"scope\": {\"users\": \"all\"},\n \"grants\": []}"
                .to_owned(),
            Format::Json,
            "a.json",
        ),
        (
            "mode = \"authoritative\"\n\n[scope]\nusers = \"all\"\n".to_owned(),
            Format::Toml,
            "a.toml",
        ),
    ] {
        let e = file_error(&text, format, name);
        let d = find(&e, DiagnosticKind::Scope, "scope");
        assert!(d.message.contains("empty scope"), "{}", d.message);
        assert!(e.to_string().contains(&format!("{name}:")), "{e}");
    }
    // The TOML and JSON errors point at the scope table.
    let e = file_error(
        "mode = \"authoritative\"\n\n[scope]\nusers = \"all\"\n",
        Format::Toml,
        "a.toml",
    );
    assert_eq!(
        find(&e, DiagnosticKind::Scope, "scope")
            .position
            .unwrap()
            .line,
        3
    );
}

#[test]
fn toml_and_json_files_get_positions_for_semantic_problems_too() {
    let toml = format!(
        "mode = \"additive\"\n\n[[grants]]\nuser = \"{U}\"\nrole = \"{R}\"\nspace = \"{S}\"\n\n[[grants]]\nuser = \"{U}\"\nrole = \"{R2}\"\nspace = \"{S}\"\n"
    );
    let e = file_error(&toml, Format::Toml, "a.toml");
    assert_eq!(
        find(&e, DiagnosticKind::Conflict, "grants[1].role")
            .position
            .unwrap()
            .line,
        10
    );
    let json = format!(
        "{{\"grants\": [\n  {{\"user\": \"{U}\", \"role\": \"{R}\", \"space\": \"{S}\"}},\n  {{\"user\": \"{P}\", \"role\": \"{R}\", \"space\": \"{S}\"}}\n]}}"
    );
    let e = file_error(&json, Format::Json, "a.json");
    assert_eq!(
        find(&e, DiagnosticKind::WrongIdType, "grants[1].user")
            .position
            .unwrap()
            .line,
        3
    );
}

#[test]
fn files_are_read_by_extension_or_an_explicit_format() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "mode = \"additive\"\n[[grants]]\nuser = \"{U}\"\nrole = \"{R}\"\nspace = \"{S}\"\n"
    );
    let toml = dir.path().join("access.toml");
    std::fs::write(&toml, &body).unwrap();
    assert_eq!(DesiredState::from_path(&toml).unwrap().grants.len(), 1);
    let txt = dir.path().join("access.txt");
    std::fs::write(&txt, &body).unwrap();
    let e = DesiredState::from_path(&txt).unwrap_err();
    assert!(
        e.has(DiagnosticKind::Io) && e.to_string().contains("extension"),
        "{e}"
    );
    assert_eq!(
        DesiredState::from_path_as(&txt, Format::Toml)
            .unwrap()
            .grants
            .len(),
        1
    );
    let e = DesiredState::from_path(dir.path().join("missing.yaml")).unwrap_err();
    assert!(e.to_string().contains("missing.yaml"), "{e}");
}

/// A directory with names: what a directory-backed resolver loads.
fn catalog(i: &Ids) -> Catalog {
    Catalog::new()
        .with_users([
            UserEntry::new(UserId::new(&i.u[0]), "alice@example.com", "Alice"),
            UserEntry::new(UserId::new(&i.u[1]), "bob@example.com", "Bob"),
        ])
        .with_roles([
            RoleEntry::new(RoleId::new(&i.r[0]), "Viewer"),
            RoleEntry::new(RoleId::new(&i.r[1]), "Member"),
        ])
        .with_spaces([
            SpaceEntry::new(SpaceId::new(&i.s[0]), "prod"),
            SpaceEntry::new(SpaceId::new(&i.s[1]), "staging"),
        ])
        .with_projects([
            ProjectEntry::new(ProjectId::new(&i.p[0]), "web", SpaceId::new(&i.s[0])),
            ProjectEntry::new(ProjectId::new(&i.p[1]), "web", SpaceId::new(&i.s[1])),
        ])
}

#[tokio::test]
async fn names_resolve_through_the_resolver_and_every_unknown_name_is_reported() {
    let (server, client) = fake(2).await;
    let i = ids(&server);
    let directory = catalog(&i);
    let text = "mode: additive\nscope:\n  spaces: [prod]\n  projects:\n    - {project: web, space: prod}\ngrants:\n  - {user: Alice@Example.com, role: Member, space: prod}\n  - {user: alise@example.com, role: Membr, space: prod}\n  - {user: bob@example.com, role: Viewer, project: web}\n  - {user: bob@example.com, role: Viewer, project: web, space: prod}\n  - {user: bob@example.com, role: Viewer, space: staging}\n";
    let file = yaml(text);
    let e = match access::plan(&client, &file, &directory).await.unwrap_err() {
        PlanError::File(e) => e,
        other => panic!("{other}"),
    };
    let line = |d: &access::Diagnostic| d.position.unwrap().line;
    let d = find(&e, DiagnosticKind::NotFound, "grants[1].user");
    assert_eq!(line(d), 8);
    assert!(
        d.message.contains("did you mean `alice@example.com`"),
        "{}",
        d.message
    );
    let d = find(&e, DiagnosticKind::NotFound, "grants[1].role");
    assert!(d.message.contains("did you mean `Member`"), "{}", d.message);
    let d = find(&e, DiagnosticKind::Ambiguous, "grants[2].project");
    assert_eq!(line(d), 9);
    assert!(d.message.contains("web (space prod)") && d.message.contains("web (space staging)"));
    assert!(d.message.contains("add `space:`"), "{}", d.message);
    let d = find(&e, DiagnosticKind::OutsideScope, "grants[4].space");
    assert_eq!(line(d), 11);
    assert_eq!(e.diagnostics.len(), 4, "{e}");

    // Fixed, the same file plans by name, and the plan shows the names.
    let fixed = yaml(
        &text
            .replace("alise", "alice")
            .replace("Membr", "Member")
            .replace(
                "  - {user: bob@example.com, role: Viewer, project: web}\n",
                "",
            )
            .replace(
                "  - {user: bob@example.com, role: Viewer, space: staging}\n",
                "",
            ),
    );
    let plan = access::plan(&client, &fixed, &directory)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Alice is listed twice, under two spellings, with one role: one create.
    assert_eq!(plan.creates.len(), 2, "{plan}");
    let text = plan.to_string();
    assert!(
        text.contains(&format!(
            "+ alice@example.com ({}) gets Member ({})",
            i.u[0], i.r[1]
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "project web ({}) in space prod ({})",
            i.p[0], i.s[0]
        )),
        "{text}"
    );
}

#[tokio::test]
async fn the_same_user_under_two_spellings_with_two_roles_is_a_conflict() {
    let (server, client) = fake(2).await;
    let i = ids(&server);
    let file = yaml(&format!(
        "grants:\n  - {{user: alice@example.com, role: Viewer, space: prod}}\n  - {{user: {}, role: Member, space: {}}}\n",
        i.u[0], i.s[0]
    ));
    let e = match access::plan(&client, &file, &catalog(&i))
        .await
        .unwrap_err()
    {
        PlanError::File(e) => e,
        other => panic!("{other}"),
    };
    let d = find(&e, DiagnosticKind::Conflict, "grants[1].role");
    assert_eq!(d.position.unwrap().line, 3);
}

#[tokio::test]
async fn names_without_a_directory_say_so() {
    let (server, client) = fake(2).await;
    let i = ids(&server);
    let file = yaml(&format!(
        "grants:\n  - {{user: alice@example.com, role: {}, space: prod}}\n",
        i.r[0]
    ));
    server.clear_requests();
    let e = match access::plan(&client, &file, &IdsOnly).await.unwrap_err() {
        PlanError::File(e) => e,
        other => panic!("{other}"),
    };
    let d = find(&e, DiagnosticKind::NeedsDirectory, "grants[0].user");
    assert_eq!(d.position.unwrap().line, 2);
    assert!(
        d.message.contains("names need the directory"),
        "{}",
        d.message
    );
    assert!(e.has(DiagnosticKind::NeedsDirectory));
    assert_eq!(
        find(&e, DiagnosticKind::NeedsDirectory, "grants[0].space")
            .position
            .unwrap()
            .line,
        2
    );
}

// ---- Apply ----

/// Two creates, one role change and one revoke.
async fn four_changes(server: &FakeServer) -> DesiredState {
    let i = ids(server);
    bind(server, &i.u[0], &i.r[0], &i.s[0]); // role change r0 -> r1
    bind(server, &i.u[1], &i.r[0], &i.s[0]); // revoked
    bind(server, &i.u[2], &i.r[0], &i.s[1]); // unchanged
    yaml(&format!(
        "mode: authoritative\nscope:\n  spaces: [{s0}, {s1}]\n  projects: [{p0}]\n  users: all\ngrants:\n  - {{user: {u0}, role: {r1}, space: {s0}}}\n  - {{user: {u2}, role: {r0}, space: {s1}}}\n  - {{user: {u0}, role: {r2}, space: {s1}}}\n  - {{user: {u1}, role: {r2}, project: {p0}}}\n",
        s0 = i.s[0],
        s1 = i.s[1],
        p0 = i.p[0],
        u0 = i.u[0],
        u1 = i.u[1],
        u2 = i.u[2],
        r0 = i.r[0],
        r1 = i.r[1],
        r2 = i.r[2],
    ))
}

#[tokio::test]
async fn apply_makes_one_request_per_change_and_converges() {
    let (server, client) = fake(3).await;
    let file = four_changes(&server).await;
    let plan = plan_of(&client, &file).await;
    assert_eq!(
        (plan.creates.len(), plan.changes.len(), plan.revokes.len()),
        (2, 1, 1)
    );
    server.clear_requests();
    let mut results = access::apply(&client, &plan)
        .recheck(Recheck::TrustPlan)
        .start()
        .await
        .unwrap();
    let mut seen = BTreeSet::new();
    while let Some(item) = results.next().await {
        assert!(matches!(item.result, Ok(Outcome::Done)), "{item}");
        assert!(seen.insert(item.index), "reported once");
    }
    assert_eq!(seen.len(), 4);
    // 2 creates, 1 role change, 1 revoke: 4 requests where ensure/revoke
    // would take 7.
    let requests = server.requests();
    assert_eq!(requests.len(), 4, "{requests:#?}");
    assert_eq!(server.request_count(Operation::Create), 2);
    assert_eq!(server.request_count(Operation::Update), 1);
    assert_eq!(server.request_count(Operation::Delete), 1);
    assert!(plan_of(&client, &file).await.in_sync());
}

#[tokio::test]
async fn apply_refresh_costs_the_listing_pages_plus_one_request_per_change() {
    let (server, client) = fake(3).await;
    let file = four_changes(&server).await;
    let plan = plan_of(&client, &file).await;
    server.clear_requests();
    let summary = access::apply(&client, &plan)
        .start()
        .await
        .unwrap()
        .summarize()
        .await;
    assert_eq!(summary.done, 4, "{summary}");
    assert_eq!(
        server.request_count(Operation::List),
        2,
        "one page per resource type"
    );
    assert_eq!(server.requests().len(), 6);
    assert!(
        summary
            .to_string()
            .starts_with("Apply: 4 done, 0 already in place, 0 drifted")
    );
}

#[tokio::test]
async fn apply_converges_under_429_503_and_lost_answers() {
    let (server, client) = fake(40).await;
    let i = ids(&server);
    // 30 role changes, 30 revokes, 40 creates.
    for u in &i.u[..30] {
        bind(&server, u, &i.r[0], &i.s[0]);
        bind(&server, u, &i.r[0], &i.s[1]);
    }
    let mut text = format!(
        "mode: authoritative\nscope:\n  spaces: [{}, {}, {}]\n  users: all\ngrants:\n",
        i.s[0], i.s[1], i.s[2]
    );
    for u in &i.u[..30] {
        text.push_str(&format!(
            "  - {{user: {u}, role: {}, space: {}}}\n",
            i.r[1], i.s[0]
        ));
    }
    for u in &i.u {
        text.push_str(&format!(
            "  - {{user: {u}, role: {}, space: {}}}\n",
            i.r[2], i.s[2]
        ));
    }
    let file = yaml(&text);
    let plan = plan_of(&client, &file).await;
    assert_eq!(plan.len(), 100);
    // Enough attempts that no call runs out of them: several changes are in
    // flight, so one call's attempts are not consecutive calls.
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(server.base_url(), &sleeper)
        .retry_policy(RetryPolicy::standard().max_attempts(20))
        .build()
        .unwrap();
    let faults = server.faults();
    faults.inject(FaultRule::new(Fault::RateLimited(RetryAfter::Seconds(1))).every(13));
    faults.inject(FaultRule::new(Fault::Status(503)).every(11));
    faults.inject(
        FaultRule::new(Fault::CloseAfterApply)
            .on(Operation::Create)
            .every(6),
    );
    faults.inject(
        FaultRule::new(Fault::CloseAfterApply)
            .on(Operation::Update)
            .every(6),
    );
    faults.inject(
        FaultRule::new(Fault::CloseAfterApply)
            .on(Operation::Delete)
            .every(6),
    );
    let summary = access::apply(&client, &plan)
        .concurrency(8)
        .start()
        .await
        .unwrap()
        .summarize()
        .await;
    assert!(summary.is_complete(), "{summary}");
    assert_eq!(summary.done + summary.already_done, 100, "{summary}");
    let requests = server.requests();
    let count = |fault: Fault| {
        requests
            .iter()
            .filter(|r| r.fault == Some(fault.clone()))
            .count()
    };
    assert!(count(Fault::CloseAfterApply) > 0);
    assert!(count(Fault::Status(503)) > 0);
    assert!(count(Fault::RateLimited(RetryAfter::Seconds(1))) > 0);
    faults.clear();
    let again = plan_of(&client, &file).await;
    assert!(again.in_sync(), "{again}");
    // No duplicate bindings: one per (user, resource).
    assert_eq!(state(&server).len(), server.bindings().len());
    assert_eq!(server.bindings().len(), 70);
}

#[tokio::test]
async fn a_failed_change_does_not_stop_the_others() {
    let (server, client) = fake(3).await;
    let file = four_changes(&server).await;
    let plan = plan_of(&client, &file).await;
    // The first create answers 500 (not retried).
    server.faults().inject(
        FaultRule::new(Fault::Status(500))
            .on(Operation::Create)
            .next(1),
    );
    let summary = access::apply(&client, &plan)
        .concurrency(1)
        .start()
        .await
        .unwrap()
        .summarize()
        .await;
    assert_eq!(summary.done, 3, "{summary}");
    assert_eq!(summary.failed.len(), 1);
    assert!(summary.to_string().contains("failed:  + "), "{summary}");
    let left = plan_of(&client, &file).await;
    assert_eq!(left.len(), 1, "only the failed create is left: {left}");
}

#[tokio::test]
async fn apply_keeps_within_its_concurrency_bound() {
    let (server, client) = fake(60).await;
    let i = ids(&server);
    let mut text = "grants:\n".to_owned();
    for u in &i.u {
        text.push_str(&format!(
            "  - {{user: {u}, role: {}, space: {}}}\n",
            i.r[0], i.s[0]
        ));
    }
    let plan = plan_of(&client, &yaml(&text)).await;
    server
        .faults()
        .set_latency(Some(Operation::Create), Duration::from_millis(20));
    server.reset_peak_in_flight();
    let results = access::apply(&client, &plan)
        .concurrency(5)
        .recheck(Recheck::TrustPlan)
        .start()
        .await
        .unwrap();
    assert_eq!(results.max_in_flight(), 5);
    let summary = results.summarize().await;
    assert_eq!(summary.done, 60);
    let peak = server.peak_in_flight();
    assert!((2..=5).contains(&peak), "{peak}");
}

// ---- Drift ----

#[tokio::test]
async fn drift_after_hand_changes_shows_exactly_those_changes() {
    let (server, client) = fake(4).await;
    let i = ids(&server);
    let file = four_changes(&server).await;
    let plan = plan_of(&client, &file).await;
    access::apply(&client, &plan)
        .start()
        .await
        .unwrap()
        .summarize()
        .await;
    let synced = plan_of(&client, &file).await;
    assert!(synced.in_sync() && synced.is_empty(), "{synced}");
    assert!(
        synced
            .to_string()
            .contains("No changes: access matches the file (4 unchanged).")
    );

    // By hand: a grant added in the scope, a role changed, one removed, and
    // one added outside the scope.
    let added = bind(&server, &i.u[3], &i.r[0], &i.s[0]);
    let changed = synced.unchanged[0].clone();
    client
        .update(&changed.binding, &RoleId::new(&i.r[0]))
        .await
        .unwrap();
    let removed = synced.unchanged[1].clone();
    client.delete(&removed.binding).await.unwrap();
    bind_project(&server, &i.u[3], &i.r[0], &i.p[1]);

    let drift = plan_of(&client, &file).await;
    assert!(!drift.in_sync());
    assert_eq!(drift.revokes.len(), 1, "{drift}");
    assert_eq!(drift.revokes[0].binding, added.as_str());
    assert_eq!(drift.changes.len(), 1);
    assert_eq!(drift.changes[0].binding, changed.binding);
    assert_eq!(drift.changes[0].from.id, i.r[0].as_str());
    assert_eq!(drift.changes[0].to.id, changed.role.id);
    assert_eq!(drift.creates.len(), 1);
    assert_eq!(drift.creates[0].user.id, removed.user.id);
    assert_eq!(
        drift.creates[0].resource.resource,
        removed.resource.resource
    );
    assert_eq!(drift.unchanged.len(), 2);
}

#[tokio::test]
async fn a_saved_plan_applied_after_the_account_moved_reports_drift_and_clobbers_nothing() {
    let (server, client) = fake(6).await;
    let i = ids(&server);
    let change_moved = bind(&server, &i.u[0], &i.r[0], &i.s[0]);
    let change_gone = bind(&server, &i.u[1], &i.r[0], &i.s[0]);
    let revoke_moved = bind(&server, &i.u[2], &i.r[0], &i.s[0]);
    let revoke_gone = bind(&server, &i.u[3], &i.r[0], &i.s[0]);
    let change_done = bind(&server, &i.u[5], &i.r[0], &i.s[0]);
    let file = yaml(&format!(
        "mode: authoritative\nscope:\n  spaces: [{s0}]\n  projects: [{p0}]\n  users: all\ngrants:\n  - {{user: {u0}, role: {r1}, space: {s0}}}\n  - {{user: {u1}, role: {r1}, space: {s0}}}\n  - {{user: {u4}, role: {r1}, space: {s0}}}\n  - {{user: {u4}, role: {r1}, project: {p0}}}\n  - {{user: {u5}, role: {r1}, space: {s0}}}\n",
        s0 = i.s[0],
        p0 = i.p[0],
        u0 = i.u[0],
        u1 = i.u[1],
        u4 = i.u[4],
        u5 = i.u[5],
        r1 = i.r[1],
    ));
    let plan = plan_of(&client, &file).await;
    assert_eq!(
        (plan.creates.len(), plan.changes.len(), plan.revokes.len()),
        (2, 3, 2),
        "{plan}"
    );
    let saved = serde_json::to_string_pretty(&plan).unwrap();

    // The account moves.
    server
        .create_binding(&i.u[4], &i.r[2], Wire::Space, &i.s[0])
        .unwrap(); // create: other role
    server
        .create_binding(&i.u[4], &i.r[1], Wire::Project, &i.p[0])
        .unwrap(); // create: same role
    client
        .update(&RoleBindingId::new(&change_moved), &RoleId::new(&i.r[2]))
        .await
        .unwrap();
    server.delete_binding(&change_gone);
    client
        .update(&RoleBindingId::new(&revoke_moved), &RoleId::new(&i.r[2]))
        .await
        .unwrap();
    server.delete_binding(&revoke_gone);
    client
        .update(&RoleBindingId::new(&change_done), &RoleId::new(&i.r[1]))
        .await
        .unwrap();
    let before = state(&server);

    let plan: Plan = serde_json::from_str(&saved).unwrap();
    let items: Vec<_> = access::apply(&client, &plan)
        .start()
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 7);
    let outcome = |key: &str| -> Outcome {
        let item = items
            .iter()
            .find(|item| match &item.change {
                Change::Create(c) => {
                    c.user.id == key && c.resource.resource.resource_type() == ResourceType::Space
                }
                Change::RoleChange(c) => c.binding == key,
                Change::Revoke(r) => r.binding == key,
                _ => false,
            })
            .unwrap_or_else(|| panic!("{key}"));
        item.result
            .as_ref()
            .map_err(|e| e.to_string())
            .unwrap()
            .clone()
    };
    assert_eq!(
        outcome(&i.u[4]),
        Outcome::Drifted(Drift::Exists {
            binding: RoleBindingId::new(
                &server
                    .bindings()
                    .iter()
                    .find(|b| b.user_id.0 == i.u[4] && b.resource_id.0 == i.s[0])
                    .unwrap()
                    .id
                    .0
            ),
            role: RoleId::new(&i.r[2]),
        })
    );
    assert_eq!(
        outcome(&change_moved),
        Outcome::Drifted(Drift::RoleChanged {
            now: RoleId::new(&i.r[2])
        })
    );
    assert_eq!(
        outcome(&change_gone),
        Outcome::Drifted(Drift::Gone { now: None })
    );
    assert_eq!(
        outcome(&revoke_moved),
        Outcome::Drifted(Drift::RoleChanged {
            now: RoleId::new(&i.r[2])
        })
    );
    assert_eq!(outcome(&revoke_gone), Outcome::AlreadyDone);
    assert_eq!(outcome(&change_done), Outcome::AlreadyDone);
    let mut summary = access::ApplySummary::default();
    for item in &items {
        summary.record(item);
    }
    assert_eq!(summary.done, 0, "{summary}");
    assert_eq!(summary.already_done, 3, "{summary}");
    assert_eq!(summary.drifted.len(), 4, "{summary}");
    let text = summary.to_string();
    assert!(text.contains("4 drifted (left as they are)"), "{text}");
    assert!(text.contains("was changed to"), "{text}");
    assert!(text.contains("Plan again"), "{text}");
    // Nothing was written: every hand change survives.
    assert_eq!(state(&server), before);
    assert_eq!(server.request_count(Operation::Create), 0);
    assert_eq!(
        server.request_count(Operation::Update),
        3,
        "the three hand updates only"
    );
    assert_eq!(server.request_count(Operation::Delete), 0);
}

#[tokio::test]
async fn trusting_the_plan_still_notices_what_the_answers_show() {
    let (server, client) = fake(4).await;
    let i = ids(&server);
    let change_gone = bind(&server, &i.u[0], &i.r[0], &i.s[0]);
    let revoke_gone = bind(&server, &i.u[1], &i.r[0], &i.s[0]);
    let file = yaml(&format!(
        "mode: authoritative\nscope:\n  spaces: [{s0}]\n  users: all\ngrants:\n  - {{user: {u0}, role: {r1}, space: {s0}}}\n  - {{user: {u2}, role: {r1}, space: {s0}}}\n  - {{user: {u3}, role: {r1}, space: {s0}}}\n",
        s0 = i.s[0],
        u0 = i.u[0],
        u2 = i.u[2],
        u3 = i.u[3],
        r1 = i.r[1],
    ));
    let plan = plan_of(&client, &file).await;
    assert_eq!(plan.len(), 4);
    server.delete_binding(&change_gone);
    server.delete_binding(&revoke_gone);
    let other_role = bind(&server, &i.u[2], &i.r[2], &i.s[0]);
    bind(&server, &i.u[3], &i.r[1], &i.s[0]);
    server.clear_requests();
    let summary = access::apply(&client, &plan)
        .recheck(Recheck::TrustPlan)
        .start()
        .await
        .unwrap()
        .summarize()
        .await;
    // Create of u2: 409, re-checked: another role, left alone. Create of
    // u3: 409, re-checked: the same role. Change: 404, re-checked: gone.
    // Revoke: 404: already gone.
    assert_eq!(summary.done, 0, "{summary}");
    assert_eq!(summary.already_done, 2, "{summary}");
    assert_eq!(summary.drifted.len(), 2, "{summary}");
    assert!(matches!(
        &summary.drifted[..],
        [(_, Drift::Exists { .. }), (_, Drift::Gone { now: None })]
            | [(_, Drift::Gone { now: None }), (_, Drift::Exists { .. })]
    ));
    assert_eq!(server.binding(&other_role).unwrap().role_id.0, i.r[2]);
    // One request per change, plus one listing for each of the three
    // re-checks.
    assert_eq!(server.requests().len(), 4 + 3);
}

/// A server that lists two bindings of one user on one resource, and one
/// outside the scope (httpmock: the fake never does): the first of the
/// two counts, the second is revoked as unlisted, the one outside the
/// scope is neither touched nor counted, and nothing is listed twice.
#[tokio::test]
async fn a_second_binding_of_one_user_on_one_resource_is_revoked_and_out_of_scope_is_left() {
    let server = httpmock::MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    const SECOND: &str = "Um9sZUJpbmRpbmc6MjphQmNE";
    const ELSEWHERE: &str = "Um9sZUJpbmRpbmc6MzphQmNE";
    const OTHER_SPACE: &str = "U3BhY2U6MjpWNEth";
    let listing = server.mock(|when, then| {
        when.method("GET")
            .path("/v2/role-bindings")
            .query_param("resource_type", "SPACE");
        then.status(200).json_body_obj(&page(
            vec![
                wire_binding(BINDING_ID, ROLE, USER, "SPACE", SPACE),
                wire_binding(SECOND, OTHER_ROLE, USER, "SPACE", SPACE),
                wire_binding(ELSEWHERE, ROLE, USER, "SPACE", OTHER_SPACE),
            ],
            None,
        ));
    });
    let unexpected = catch_all(&server);
    let state = DesiredState::new(
        Mode::Authoritative,
        access::Scope {
            spaces: vec![SPACE.to_owned()],
            projects: Vec::new(),
            users: Some(access::UsersScope::All),
        },
        vec![access::GrantSpec::space(USER, ROLE, SPACE)],
    );
    let plan = access::plan(&client, &state, &IdsOnly).await.unwrap();
    assert_eq!(listing.calls_async().await, 1);
    assert_eq!(unexpected.calls_async().await, 0);
    let ids = |items: &[access::Existing]| -> Vec<String> {
        items.iter().map(|e| e.binding.to_string()).collect()
    };
    assert_eq!(ids(&plan.unchanged), [BINDING_ID]);
    assert_eq!(ids(&plan.revokes), [SECOND]);
    assert_eq!(plan.revokes[0].role.id, OTHER_ROLE);
    assert_eq!(plan.revokes[0].user.id, USER);
    assert_eq!(
        plan.revokes[0].resource.resource,
        Resource::Space(SpaceId::new(SPACE))
    );
    assert!(plan.creates.is_empty() && plan.changes.is_empty());
    assert_eq!(plan.not_managed, 0);
}

// ---- Export ----

#[tokio::test]
async fn export_writes_csv_ndjson_and_json_and_round_trips_to_an_empty_plan() {
    let (server, client) = fake(12).await;
    let i = ids(&server);
    for (n, u) in i.u.iter().enumerate() {
        bind(&server, u, &i.r[n % 3], &i.s[n % 3]);
        if n % 2 == 0 {
            bind_project(&server, u, &i.r[(n + 1) % 3], &i.p[n % 2]);
        }
    }
    let total = server.bindings().len();
    assert_eq!(total, 18);

    let mut csv = Vec::new();
    let rows = access::export(&client, &IdsOnly, ExportScope::account())
        .await
        .unwrap()
        .write_csv(&mut csv)
        .await
        .unwrap();
    assert_eq!(rows, total);
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "binding_id,user_id,user_email,user_name,role_id,role_name,resource_type,resource_id,resource_name,space_id,space_name,created_at,updated_at"
    );
    assert_eq!(lines.count(), total);

    let mut ndjson = Vec::new();
    let n = access::export(&client, &IdsOnly, ExportScope::account())
        .await
        .unwrap()
        .write_ndjson(&mut ndjson)
        .await
        .unwrap();
    assert_eq!(n, total);
    let ids_seen: BTreeSet<String> = String::from_utf8(ndjson)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<access::ExportRow>(l)
                .unwrap()
                .binding_id
                .into_string()
        })
        .collect();
    let all: BTreeSet<String> = server.bindings().into_iter().map(|b| b.id.0).collect();
    assert_eq!(ids_seen, all);

    let mut json = Vec::new();
    access::export(
        &client,
        &IdsOnly,
        ExportScope::account().resource_type(ResourceType::Project),
    )
    .await
    .unwrap()
    .write_json(&mut json)
    .await
    .unwrap();
    let rows: Vec<access::ExportRow> = serde_json::from_slice(&json).unwrap();
    assert_eq!(rows.len(), 6);
    assert!(
        rows.iter()
            .all(|r| r.resource_type == ResourceType::Project)
    );

    // Names join in where the resolver knows them.
    let mut named = Vec::new();
    access::export(
        &client,
        &catalog(&i),
        ExportScope::account().resources([Resource::Space(SpaceId::new(&i.s[0]))]),
    )
    .await
    .unwrap()
    .write_ndjson(&mut named)
    .await
    .unwrap();
    let named: Vec<access::ExportRow> = String::from_utf8(named)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(named.len(), 4);
    assert!(
        named
            .iter()
            .all(|r| r.resource_name.as_deref() == Some("prod"))
    );
    assert_eq!(named[0].user_email.as_deref(), Some("alice@example.com"));

    // Export -> desired-state file -> plan: nothing to do.
    let state = access::export(&client, &IdsOnly, ExportScope::account())
        .await
        .unwrap()
        .into_desired_state()
        .await
        .unwrap();
    assert_eq!(state.grants.len(), total);
    for format in [Format::Yaml, Format::Json, Format::Toml] {
        let text = state.to_text(format).unwrap();
        let file = DesiredState::parse(&text, format, "exported")
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(file.mode, Mode::Authoritative);
        let plan = plan_of(&client, &file).await;
        assert!(plan.in_sync(), "{plan}");
        assert_eq!(plan.unchanged.len(), total);
    }
    // And the exported file detects drift like any other: a hand grant on
    // a resource of its scope is revoked; one on a resource it never saw
    // (no binding on it at export time) is outside its scope.
    bind_project(&server, &i.u[1], &i.r[0], &i.p[0]);
    bind_project(&server, &i.u[1], &i.r[0], &i.p[1]);
    let drift = plan_of(&client, &state).await;
    assert_eq!(drift.revokes.len(), 1, "{drift}");
    assert_eq!(
        drift.revokes[0].resource.resource,
        Resource::Project(ProjectId::new(&i.p[0]))
    );
}

#[tokio::test]
async fn an_empty_export_still_writes_its_header() {
    let (_server, client) = fake(1).await;
    let mut csv = Vec::new();
    let n = access::export(&client, &IdsOnly, ExportScope::account())
        .await
        .unwrap()
        .write_csv(&mut csv)
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert!(
        String::from_utf8(csv)
            .unwrap()
            .starts_with("binding_id,user_id,")
    );
    let mut json = Vec::new();
    access::export(&client, &IdsOnly, ExportScope::account())
        .await
        .unwrap()
        .write_json(&mut json)
        .await
        .unwrap();
    assert_eq!(json, b"[]\n");
}

// ---- Names through Arize's directory (the client as the resolver) ----

/// The fake with readable names: `user1@example.com` ("User 1") …,
/// `space-1` …, `project-1` (in `space-1`) …, "Custom Role 1" … and the
/// predefined "Admin", "Member", "Read Only", "Annotator".
async fn named_fake(seed: Seed) -> (FakeServer, Client) {
    let server = FakeServer::builder()
        .api_key(KEY)
        .seed(seed.rng_seed(7))
        .start()
        .await
        .unwrap();
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(server.base_url(), &sleeper).build().unwrap();
    (server, client)
}

async fn email_of(client: &Client, id: &str) -> String {
    client.users().get(&UserId::new(id)).await.unwrap().email
}

async fn role_named(client: &Client, name: &str) -> String {
    client.roles().by_name(name).await.unwrap().id.to_string()
}

#[tokio::test]
async fn a_file_by_names_plans_applies_and_converges_through_the_directory() {
    // 150 users: the user listing takes 2 pages of 100.
    let (server, client) =
        named_fake(Seed::empty().users(150).roles(1).spaces(2).projects(2)).await;
    let i = ids(&server);
    let admin = role_named(&client, "Admin").await;
    let read_only = role_named(&client, "Read Only").await;
    let custom = role_named(&client, "Custom Role 1").await;
    let (e0, e1, e2) = (
        email_of(&client, &i.u[0]).await,
        email_of(&client, &i.u[1]).await,
        email_of(&client, &i.u[2]).await,
    );
    let space1 = client.spaces().by_name("space-1").await.unwrap().id;
    let project1 = client
        .projects()
        .by_name("project-1", "space-1")
        .await
        .unwrap();
    assert_eq!(project1.space_id, space1);
    // The account today: u1 has Custom Role 1 on space-1 (to change), u2
    // has it too (not in the file: revoked), u0 nothing.
    bind(&server, &i.u[1], &custom, space1.as_str());
    let revoked = bind(&server, &i.u[2], &custom, space1.as_str());
    let file = yaml(&format!(
        "mode: authoritative\nscope:\n  spaces: [space-1]\n  projects:\n    - {{project: project-1, space: space-1}}\n  users: all\ngrants:\n  - {{user: {e0}, role: Admin, space: space-1}}\n  - {{user: {upper}, role: Read Only, space: space-1}}\n  - {{user: {e0}, role: Custom Role 1, project: project-1, space: space-1}}\n",
        upper = e1.to_uppercase(),
    ));

    server.clear_requests();
    let plan = access::plan(&client, &file, &client)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The cost: the listing pages + the directory pages, nothing per name.
    let requests = server.requests();
    let count = |op: Operation| requests.iter().filter(|r| r.operation == Some(op)).count();
    assert_eq!(count(Operation::List), 2, "one page per resource type");
    assert_eq!(count(Operation::ListUsers), 2, "150 users, 100 a page");
    assert_eq!(count(Operation::ListRoles), 1);
    assert_eq!(count(Operation::ListSpaces), 1);
    assert_eq!(count(Operation::ListProjects), 1);
    assert_eq!(requests.len(), 7, "{requests:?}");

    assert_eq!(plan.creates.len(), 2, "{plan}");
    assert_eq!(plan.changes.len(), 1, "{plan}");
    assert_eq!(plan.revokes.len(), 1, "{plan}");
    assert_eq!(plan.revokes[0].binding, RoleBindingId::new(&revoked));
    let text = plan.to_string();
    assert!(
        text.contains(&format!("+ {e0} ({}) gets Admin ({admin})", i.u[0])),
        "{text}"
    );
    assert!(text.contains(&format!("Read Only ({read_only})")), "{text}");
    assert!(text.contains(&e2), "the revoked user by e-mail: {text}");
    assert!(
        text.contains(&format!(
            "project project-1 ({}) in space space-1 ({space1})",
            project1.id
        )),
        "{text}"
    );

    let summary = access::apply(&client, &plan)
        .start()
        .await
        .unwrap()
        .summarize()
        .await;
    assert!(summary.is_complete(), "{summary}");
    let expected: BTreeSet<_> = [
        (i.u[0].clone(), admin.clone(), space1.to_string()),
        (i.u[1].clone(), read_only.clone(), space1.to_string()),
        (i.u[0].clone(), custom.clone(), project1.id.to_string()),
    ]
    .into_iter()
    .collect();
    assert_eq!(state(&server), expected);
    let again = access::plan(&client, &file, &client).await.unwrap();
    assert!(again.in_sync(), "{again}");
}

#[tokio::test]
async fn the_client_loads_only_the_kinds_asked_for() {
    let (server, client) = named_fake(Seed::empty().users(3).roles(1).spaces(1)).await;
    server.clear_requests();
    let catalog = access::Resolver::load(&client, Kinds::NONE.with_roles().with_spaces())
        .await
        .unwrap();
    assert_eq!(catalog.loaded(), Kinds::NONE.with_roles().with_spaces());
    assert_eq!(
        catalog.role("Member").unwrap().name.as_deref(),
        Some("Member")
    );
    assert_eq!(
        catalog.space("space-1").unwrap().name.as_deref(),
        Some("space-1")
    );
    assert_eq!(
        catalog.user("user1@example.com").unwrap_err(),
        access::Unresolved::NeedsDirectory
    );
    let ops: Vec<_> = server.requests().iter().map(|r| r.operation).collect();
    assert_eq!(ops.len(), 2, "{ops:?}");
    assert!(ops.contains(&Some(Operation::ListRoles)));
    assert!(ops.contains(&Some(Operation::ListSpaces)));
}

#[tokio::test]
async fn unknown_and_ambiguous_names_from_the_directory_are_reported_at_once() {
    let (server, client) = named_fake(
        Seed::empty()
            .users(2)
            .roles(1)
            .spaces(2)
            .with_project(SeedProject::default().name("shared").space("space-1"))
            .with_project(SeedProject::default().name("shared").space("space-2"))
            .with_project(SeedProject::default().name("project-1").space("space-1")),
    )
    .await;
    let text = "mode: additive\nscope:\n  spaces: [space-1, spcae-2]\n  projects:\n    - shared\n    - {project: projetc-1, space: space-1}\ngrants:\n  - {user: user1@exmple.com, role: Admn, space: space-1}\n  - {user: user2@example.com, role: Read Only, project: shared, space: space-2}\n";
    let file = yaml(text);
    server.clear_requests();
    let e = match access::plan(&client, &file, &client).await.unwrap_err() {
        PlanError::File(e) => e,
        other => panic!("{other}"),
    };
    let line = |d: &access::Diagnostic| d.position.unwrap().line;
    let d = find(&e, DiagnosticKind::NotFound, "scope.spaces[1]");
    assert_eq!(line(d), 3);
    assert!(
        d.message.contains("did you mean `space-2`"),
        "{}",
        d.message
    );
    let d = find(&e, DiagnosticKind::Ambiguous, "scope.projects[0]");
    assert_eq!(line(d), 5);
    assert!(
        d.message.contains("shared (space space-1)")
            && d.message.contains("shared (space space-2)"),
        "{}",
        d.message
    );
    let d = find(&e, DiagnosticKind::NotFound, "scope.projects[1].project");
    assert_eq!(line(d), 6);
    assert!(
        d.message.contains("did you mean `project-1`"),
        "{}",
        d.message
    );
    let d = find(&e, DiagnosticKind::NotFound, "grants[0].user");
    assert_eq!(line(d), 8);
    assert!(
        d.message
            .contains("did you mean one of `user1@example.com`"),
        "{}",
        d.message
    );
    let d = find(&e, DiagnosticKind::NotFound, "grants[0].role");
    assert_eq!(line(d), 8);
    assert!(d.message.contains("did you mean `Admin`"), "{}", d.message);
    // The grant on `shared` in space-2 is outside the scope (whose
    // `shared` did not resolve): reported with the rest.
    let d = find(&e, DiagnosticKind::OutsideScope, "grants[1].project");
    assert_eq!(line(d), 9);
    assert_eq!(e.diagnostics.len(), 6, "{e}");
    // The rendered error names the file and the lines.
    let shown = e.to_string();
    assert!(shown.contains("access.yaml:8"), "{shown}");
    // One pass per kind, whatever the number of names.
    for op in [
        Operation::ListUsers,
        Operation::ListRoles,
        Operation::ListSpaces,
        Operation::ListProjects,
    ] {
        assert_eq!(server.request_count(op), 1, "{op:?}");
    }
}

#[tokio::test]
async fn export_joins_the_directory_and_its_file_plans_empty() {
    let (server, client) = named_fake(Seed::empty().users(2).roles(1).spaces(2).projects(2)).await;
    let i = ids(&server);
    let member = role_named(&client, "Member").await;
    let space1 = client.spaces().by_name("space-1").await.unwrap().id;
    let project2 = client
        .projects()
        .by_name("project-2", "space-2")
        .await
        .unwrap();
    let on_space = bind(&server, &i.u[0], &member, space1.as_str());
    let on_project = bind_project(&server, &i.u[1], &member, project2.id.as_str());
    let u0 = client.users().get(&UserId::new(&i.u[0])).await.unwrap();
    let u1 = client.users().get(&UserId::new(&i.u[1])).await.unwrap();

    let rows: Vec<_> = access::export(&client, &client, ExportScope::account())
        .await
        .unwrap()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(rows.len(), 2);
    let space_row = rows
        .iter()
        .find(|r| r.binding_id == RoleBindingId::new(&on_space))
        .unwrap();
    assert_eq!(space_row.user_email.as_deref(), Some(u0.email.as_str()));
    assert_eq!(space_row.user_name.as_deref(), Some(u0.name.as_str()));
    assert_eq!(space_row.role_name.as_deref(), Some("Member"));
    assert_eq!(space_row.resource_name.as_deref(), Some("space-1"));
    assert_eq!(space_row.space_id, None);
    let project_row = rows
        .iter()
        .find(|r| r.binding_id == RoleBindingId::new(&on_project))
        .unwrap();
    assert_eq!(project_row.user_email.as_deref(), Some(u1.email.as_str()));
    assert_eq!(project_row.user_name.as_deref(), Some(u1.name.as_str()));
    assert_eq!(project_row.resource_name.as_deref(), Some("project-2"));
    assert_eq!(project_row.space_id.as_ref(), Some(&project2.space_id));
    assert_eq!(project_row.space_name.as_deref(), Some("space-2"));

    // CSV carries the names too.
    let mut csv = Vec::new();
    access::export(&client, &client, ExportScope::account())
        .await
        .unwrap()
        .write_csv(&mut csv)
        .await
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains(&format!("{},{}", u1.email, u1.name)) && csv.contains("project-2"),
        "{csv}"
    );

    // The export's desired state (by IDs) plans empty through the
    // directory, and the plan names what it keeps.
    let state = access::export(&client, &client, ExportScope::account())
        .await
        .unwrap()
        .into_desired_state()
        .await
        .unwrap();
    let plan = access::plan(&client, &state, &client).await.unwrap();
    assert!(plan.in_sync(), "{plan}");
    assert_eq!(plan.unchanged.len(), 2);
    let mut kept: Vec<_> = plan
        .unchanged
        .iter()
        .map(|e| {
            (
                e.user.name.clone(),
                e.role.name.clone(),
                e.resource.name.clone(),
            )
        })
        .collect();
    kept.sort();
    let mut want = vec![
        (
            Some(u0.email.clone()),
            Some("Member".to_owned()),
            Some("space-1".to_owned()),
        ),
        (
            Some(u1.email.clone()),
            Some("Member".to_owned()),
            Some("project-2".to_owned()),
        ),
    ];
    want.sort();
    assert_eq!(kept, want);
    let text = plan.to_string();
    assert!(
        text.contains(&format!(
            "project project-2 ({}) in space space-2 ({})",
            project2.id, project2.space_id
        )),
        "{text}"
    );
}

#[tokio::test]
async fn a_named_export_writes_emails_and_names_and_plans_empty() {
    let (server, client) = named_fake(
        Seed::empty()
            .users(3)
            .roles(1)
            .spaces(2)
            .with_project(SeedProject::default().name("shared").space("space-1"))
            .with_project(SeedProject::default().name("shared").space("space-2"))
            .with_project(SeedProject::default().name("solo").space("space-1")),
    )
    .await;
    let i = ids(&server);
    let member = role_named(&client, "Member").await;
    let custom = role_named(&client, "Custom Role 1").await;
    let space1 = client.spaces().by_name("space-1").await.unwrap().id;
    let shared2 = client
        .projects()
        .by_name("shared", "space-2")
        .await
        .unwrap();
    let solo = client.projects().by_name("solo", "space-1").await.unwrap();
    bind(&server, &i.u[0], &member, space1.as_str());
    bind_project(&server, &i.u[1], &custom, shared2.id.as_str());
    bind_project(&server, &i.u[2], &member, solo.id.as_str());
    let emails = [
        email_of(&client, &i.u[0]).await,
        email_of(&client, &i.u[1]).await,
        email_of(&client, &i.u[2]).await,
    ];

    let state = access::export(&client, &client, ExportScope::account())
        .await
        .unwrap()
        .into_named_desired_state()
        .await
        .unwrap();
    let text = state.to_text(Format::Yaml).unwrap();
    // People's names, not IDs: e-mails, role names, the space by name, a
    // unique project name alone and an ambiguous one with its space.
    for id in i.u.iter().chain([&member, &custom, &space1.to_string()]) {
        assert!(!text.contains(id.as_str()), "{id} in\n{text}");
    }
    assert!(
        !text.contains(shared2.id.as_str()) && !text.contains(solo.id.as_str()),
        "{text}"
    );
    let mut grants: Vec<_> = state
        .grants
        .iter()
        .map(|g| {
            (
                g.user.as_str(),
                g.role.as_str(),
                g.space.as_deref(),
                g.project.as_deref(),
            )
        })
        .collect();
    grants.sort();
    let mut want = vec![
        (emails[0].as_str(), "Member", Some("space-1"), None),
        (
            emails[1].as_str(),
            "Custom Role 1",
            Some("space-2"),
            Some("shared"),
        ),
        (emails[2].as_str(), "Member", None, Some("solo")),
    ];
    want.sort();
    assert_eq!(grants, want, "{text}");
    assert_eq!(
        state.scope.projects,
        vec![
            ProjectRef::in_space("shared", "space-2"),
            ProjectRef::new("solo")
        ],
        "{text}"
    );

    // Read back as the file a team commits, it plans empty.
    let file = yaml(&text);
    let plan = access::plan(&client, &file, &client).await.unwrap();
    assert!(plan.in_sync(), "{plan}");
    assert_eq!(plan.unchanged.len(), 3, "{plan}");

    // Without names to go by (IdsOnly), every reference is an ID, and it
    // still plans empty.
    let by_id = access::export(&client, &IdsOnly, ExportScope::account())
        .await
        .unwrap()
        .into_named_desired_state()
        .await
        .unwrap();
    let text = by_id.to_text(Format::Yaml).unwrap();
    assert!(
        !text.contains('@') && text.contains(shared2.id.as_str()),
        "{text}"
    );
    let plan = access::plan(&client, &yaml(&text), &IdsOnly).await.unwrap();
    assert!(plan.in_sync(), "{plan}");
}

#[tokio::test]
async fn plan_with_progress_counts_every_binding_read_in_order() {
    let (server, client) = fake(150).await;
    let i = ids(&server);
    // 150 space bindings (2 pages of 100) and 150 project bindings.
    for u in &i.u {
        bind(&server, u, &i.r[0], &i.s[0]);
        bind_project(&server, u, &i.r[0], &i.p[0]);
    }
    let file = yaml(&format!(
        "mode: authoritative\nscope:\n  spaces: [{}]\n  projects: [{}]\n  users: all\ngrants: []\n",
        i.s[0], i.p[0]
    ));
    let seen = std::sync::Mutex::new(Vec::new());
    let plan = access::plan_with_progress(&client, &file, &IdsOnly, &|n| {
        seen.lock().unwrap().push(n);
    })
    .await
    .unwrap();
    assert_eq!(plan.revokes.len(), 300, "{plan}");
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen, (1..=300).collect::<Vec<u64>>());
    // And `plan` is the same plan.
    assert_eq!(plan_of(&client, &file).await.revokes.len(), 300);
}
