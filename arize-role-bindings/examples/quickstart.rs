//! A five-minute tour of `arize-role-bindings`.
//!
//! ```text
//! cargo run --example quickstart            # against an embedded fake server
//! cargo run --example quickstart -- --live  # against the real Arize API
//! ```
//!
//! By default this starts the project's fake Arize server in-process on
//! 127.0.0.1 and walks through: grant a role by its name to a user by
//! e-mail on a space by name (printing the IDs they resolve to), hit the 409 and let
//! `ensure` resolve it, get, list everything as a stream over several pages,
//! update, revoke and delete, and one typed error. Nothing leaves the
//! machine.
//!
//! `--live` runs the same tour against the real API and is never implied: it
//! needs `ARIZE_API_KEY` (and optionally `ARIZE_REGION` etc., see the README)
//! plus a *test* user, two roles and a space to play with, each by name or
//! ID (Arize's rule tells them apart): `ARIZE_QUICKSTART_USER` (an e-mail
//! address), `ARIZE_QUICKSTART_ROLE`, `ARIZE_QUICKSTART_OTHER_ROLE` (role
//! names), `ARIZE_QUICKSTART_SPACE` (a space name). It refuses
//! to start if that user already has a binding on that space, so it never
//! changes access somebody relies on, and it removes what it created.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use arize_fake_server::{FakeServer, Seed, SeedSpace, SeedUser};
use arize_role_bindings::{
    Client, EnsureOutcome, Error, ListQuery, ProjectId, ReadAhead, Resource, ResourceRef,
    ResourceType, RoleRef, UserRef,
};
use futures::TryStreamExt as _;

/// What the tour works on: names (or IDs), as people know them.
struct Tour {
    client: Client,
    user: UserRef,
    role: RoleRef,
    other_role: RoleRef,
    space: ResourceRef,
    /// Kept alive for the whole tour (the fake server stops on drop).
    _server: Option<FakeServer>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let live = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--live") => true,
        Some(other) => {
            eprintln!("unknown argument {other:?}; usage: quickstart [--live]");
            std::process::exit(2);
        }
    };
    let tour = if live {
        live_tour()?
    } else {
        fake_tour().await?
    };
    run(&tour).await?;
    println!("\nDone in {:.1?}.", started.elapsed());
    Ok(())
}

/// The embedded fake server, seeded with 40 users, Arize's predefined roles
/// ("Admin", "Member", ...), 3 spaces and enough existing space bindings for
/// several pages; then Alice and the space "prod", without any binding yet.
async fn fake_tour() -> Result<Tour, Box<dyn std::error::Error>> {
    let server = FakeServer::builder()
        .api_key("quickstart-key")
        .seed(Seed::default().users(40).spaces(3).bindings(100))
        .start()
        .await?;
    println!("Started the fake Arize server at {}", server.base_url());
    server.insert_user(SeedUser::default().email("alice@example.com").name("Alice"))?;
    server.insert_space(SeedSpace::default().name("prod"))?;
    let client = Client::builder()
        .api_key("quickstart-key")
        .base_url(server.base_url())
        .build()?;
    Ok(Tour {
        client,
        user: UserRef::email("alice@example.com"),
        role: RoleRef::name("Member"),
        other_role: RoleRef::name("Admin"),
        space: ResourceRef::space_named("prod"),
        _server: Some(server),
    })
}

/// The real API, only on explicit request.
fn live_tour() -> Result<Tour, Box<dyn std::error::Error>> {
    fn var(name: &str) -> Result<String, Box<dyn std::error::Error>> {
        std::env::var(name).map_err(|_| format!("--live needs {name} to be set").into())
    }
    let client = Client::from_env()?;
    println!(
        "Running against the real Arize API at {}",
        client.base_url()
    );
    Ok(Tour {
        client,
        user: var("ARIZE_QUICKSTART_USER")?.into(),
        role: var("ARIZE_QUICKSTART_ROLE")?.into(),
        other_role: var("ARIZE_QUICKSTART_OTHER_ROLE")?.into(),
        space: ResourceRef::space(&var("ARIZE_QUICKSTART_SPACE")?),
        _server: None,
    })
}

async fn run(tour: &Tour) -> Result<(), Box<dyn std::error::Error>> {
    let client = &tour.client;

    println!(
        "\n0. Names, not IDs: {}, {}, {}",
        tour.user, tour.role, tour.space
    );
    // One lookup each (a `Directory` resolves many names at once).
    let user = &client.resolve_user(&tour.user).await?;
    let role = &client.resolve_role(&tour.role).await?;
    let other_role = &client.resolve_role(&tour.other_role).await?;
    let space = &client.resolve_resource(&tour.space).await?;
    println!("   user {} is {user}", tour.user);
    println!(
        "   {} is {role}, {} is {other_role}",
        tour.role, tour.other_role
    );
    println!("   {} is {}", tour.space, space.id());

    // Never touch access that exists already.
    let existing: Vec<_> = client
        .list(ListQuery::new(ResourceType::Space).user(user.clone()))
        .try_filter(|b| futures::future::ready(b.resource == *space))
        .try_collect()
        .await?;
    if !existing.is_empty() {
        return Err(format!(
            "user {user} already has a binding on {}; pick a user without one",
            space.id()
        )
        .into());
    }

    println!(
        "\n1. Create: grant {} to {} on {} — by name",
        tour.role, tour.user, tour.space
    );
    let binding = client.create(&tour.user, &tour.role, &tour.space).await?;
    println!(
        "   created binding {} at {}: user {}, role {}, space {}",
        binding.id,
        binding.created_at,
        binding.user_id,
        binding.role_id,
        binding.resource.id()
    );

    println!(
        "\n2. Create again with another role: the API allows one binding per user and resource"
    );
    match client.create(user, other_role, space).await {
        Err(err) if err.is_conflict() => println!("   409 Conflict, as expected: {err}"),
        Err(err) => return Err(err.into()),
        Ok(b) => return Err(format!("expected a 409, got binding {}", b.id).into()),
    }
    let ensured = client.ensure(user, other_role, space).await?;
    match &ensured.outcome {
        EnsureOutcome::Updated { previous_role } => println!(
            "   ensure() found the existing binding and changed its role {previous_role} -> {}",
            ensured.binding.role_id
        ),
        other => println!("   ensure(): {other:?}"),
    }
    let again = client.ensure(user, other_role, space).await?;
    println!("   ensure() once more: {:?} (idempotent)", again.outcome);

    println!("\n3. Get it back by ID");
    let fetched = client.get(&binding.id).await?;
    println!(
        "   {} -> user {} has role {} on {:?} {}",
        fetched.id,
        fetched.user_id,
        fetched.role_id,
        fetched.resource.resource_type(),
        fetched.resource.id()
    );

    println!("\n4. List every space binding as a stream (25 per page, reading one page ahead)");
    let mut pages = client.pages(
        ListQuery::new(ResourceType::Space)
            .limit(25)
            .read_ahead(ReadAhead::OnePage),
    );
    let (mut count, mut page_count) = (0usize, 0usize);
    while let Some(page) = pages.try_next().await? {
        page_count += 1;
        count += page.bindings().len();
        let next = page.next_cursor().map_or_else(
            || "none: last page".to_owned(),
            |c| format!("{}…", c.as_str().chars().take(12).collect::<String>()),
        );
        println!(
            "   page {page_count}: {} binding(s), next cursor {next}",
            page.bindings().len()
        );
    }
    println!("   {count} binding(s) in {page_count} page(s)");

    println!("\n5. Update the role directly");
    let updated = client.update(&binding.id, role).await?;
    println!(
        "   role is now {} (updated_at {})",
        updated.role_id, updated.updated_at
    );

    println!("\n6. Revoke: remove the user's binding on the space, whatever its ID");
    let revoked = client.revoke(user, space).await?;
    println!("   removed: {}", revoked.was_removed());
    let again = client.revoke(user, space).await?;
    println!(
        "   revoke again: removed = {} (nothing left)",
        again.was_removed()
    );

    println!("\n7. Typed errors");
    match client.delete(&binding.id).await {
        Err(err) if err.is_not_found() => println!(
            "   delete of a removed binding: status {:?}, problem title {:?}\n   {err}",
            err.status().map(|s| s.as_u16()),
            err.problem().map(|p| p.title.as_str())
        ),
        Err(err) => return Err(err.into()),
        Ok(()) => return Err("expected a 404".into()),
    }
    // Arize's documented invalid example: a Space ID given as a PROJECT.
    let not_a_project = Resource::Project(ProjectId::new("U3BhY2U6MTp1Rk4x"));
    match client.create(user, role, &not_a_project).await {
        Err(err @ Error::Validation(_)) => {
            println!("   rejected before any request was sent:\n   {err}")
        }
        Err(err) => return Err(err.into()),
        Ok(b) => return Err(format!("expected a validation error, got {}", b.id).into()),
    }
    // A misspelt name: nothing is sent to create; the error names the
    // closest names the lookup saw.
    match client
        .ensure(&tour.user, RoleRef::name("Membr"), &tour.space)
        .await
    {
        Err(err @ Error::Lookup(_)) => println!("   a name that does not resolve:\n   {err}"),
        Err(err) => return Err(err.into()),
        Ok(e) => return Err(format!("expected a lookup error, got {:?}", e.outcome).into()),
    }
    Ok(())
}
