//! Idempotent provisioning with `ensure`, safe under concurrency, and
//! `revoke`.
//!
//! `cargo run -p arize-role-bindings --example ensure`
#![allow(clippy::print_stdout)]

mod common;

use arize_fake_server::Seed;
use arize_role_bindings::{EnsureOutcome, ProjectId, Resource, Revoked, RoleId, UserId};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (server, client) = common::fake(Seed::default()).await?;
    let user: UserId = server.users()[0].parse()?;
    let viewer: RoleId = server.roles()[0].parse()?;
    let editor: RoleId = server.roles()[1].parse()?;
    // Arize accepts Project and Model IDs as PROJECT resources.
    let project = Resource::Project(server.models()[0].parse::<ProjectId>()?);

    for role in [&viewer, &viewer, &editor] {
        let ensured = client.ensure(&user, role, &project).await?;
        match &ensured.outcome {
            EnsureOutcome::Created => println!("created {}", ensured.binding.id),
            EnsureOutcome::Updated { previous_role } => {
                println!(
                    "changed the role from {previous_role} to {}",
                    ensured.binding.role_id
                );
            }
            EnsureOutcome::Unchanged => println!("already in place"),
        }
    }

    // Sixteen workers provisioning the same assignment at once: one creates,
    // the others find it.
    let other: UserId = server.users()[1].parse()?;
    let workers: Vec<_> = (0..16)
        .map(|_| {
            let (client, user, role, resource) = (
                client.clone(),
                other.clone(),
                viewer.clone(),
                project.clone(),
            );
            tokio::spawn(async move { client.ensure(&user, &role, &resource).await })
        })
        .collect();
    let mut created = 0;
    for worker in workers {
        if worker.await??.outcome == EnsureOutcome::Created {
            created += 1;
        }
    }
    let bindings = server
        .bindings()
        .iter()
        .filter(|b| b.user_id.0 == other.as_str())
        .count();
    println!("16 concurrent ensures: {created} created, {bindings} binding on the server");
    assert_eq!((created, bindings), (1, 1));

    // Revoke is idempotent too.
    match client.revoke(&user, &project).await? {
        Revoked::Removed(binding) => println!("revoked {}", binding.id),
        Revoked::NotFound => println!("nothing to revoke"),
    }
    assert_eq!(client.revoke(&user, &project).await?, Revoked::NotFound);
    println!("second revoke: nothing to do");
    server.shutdown().await;
    Ok(())
}
