//! Access as code: plan → apply → plan with the committed
//! `examples/access.yaml`, then drift after a hand change and an export.
//!
//! `cargo run -p arize-role-bindings --example access`
//!
//! Runs against the embedded fake server, seeded with `rng_seed(12)` so that
//! its content is the same on every run. The YAML file names users by
//! e-mail and roles, spaces and projects by name; the client resolves them
//! through the directory (`access::plan(&client, &file, &client)`: one
//! listing per kind). Against the real API, build the client with
//! `Client::from_env()` and write your own names in the file.
#![allow(clippy::print_stdout)]

mod common;

use arize_api::types::RoleBindingResourceType;
use arize_fake_server::Seed;
use arize_role_bindings::access::{self, DesiredState, ExportScope, Format};
use futures::StreamExt as _;

/// The fake's content: users `user1@example.com` … `user4@example.com`,
/// roles "Custom Role 1" … "Custom Role 3" (and the predefined "Admin",
/// "Member", "Read Only", "Annotator"), spaces `space-1`, `space-2`,
/// projects `project-1` (in `space-1`), `project-2` (in `space-2`), and 5
/// bindings, all reproducible.
fn seed() -> Seed {
    Seed::empty()
        .users(4)
        .roles(3)
        .spaces(2)
        .projects(2)
        .bindings(5)
        .rng_seed(12)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (server, client) = common::fake(seed()).await?;
    let path = "examples/access.yaml";
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/access.yaml"))?;
    let file = DesiredState::parse(&text, Format::Yaml, path)?;
    println!("== plan ==");
    let plan = access::plan(&client, &file, &client).await?;
    println!("{plan}");
    println!(
        "(cost: {} request(s): the bindings' pages and the directory's, one listing per kind)\n",
        server.requests().len()
    );

    println!("== apply ==");
    server.clear_requests();
    let mut results = access::apply(&client, &plan).concurrency(8).start().await?;
    let mut summary = access::ApplySummary::default();
    while let Some(item) = results.next().await {
        println!("  {item}");
        summary.record(&item);
    }
    println!("{summary}");
    println!(
        "(cost: {} request(s) for {} change(s), the refresh's listing included)\n",
        server.requests().len(),
        plan.len()
    );

    println!("== plan again ==");
    let again = access::plan(&client, &file, &client).await?;
    println!("{again}\n");
    if !again.in_sync() {
        return Err("the account did not converge".into());
    }

    println!("== someone grants access by hand; CI plans the unchanged file ==");
    let users = server.users();
    let roles = server.roles();
    let projects = server.projects();
    server.create_binding(
        &users[3],
        &roles[2],
        RoleBindingResourceType::Project,
        &projects[0],
    )?;
    let drift = access::plan(&client, &file, &client).await?;
    println!("{drift}");
    println!("in sync: {} (a CI job would fail here)\n", drift.in_sync());

    println!("== export (CSV) ==");
    let stdout = std::io::stdout();
    let rows = access::export(&client, &client, ExportScope::account())
        .await?
        .write_csv(stdout.lock())
        .await?;
    println!("({rows} binding(s))");
    Ok(())
}
