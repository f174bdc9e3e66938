//! Walk a long listing in batches: stop, save the cursor (here as JSON, as
//! a job would persist it), and resume later from where it stopped.
//!
//! `cargo run -p arize-role-bindings --example resume_from_cursor`
#![allow(clippy::print_stdout)]

mod common;

use arize_fake_server::Seed;
use arize_role_bindings::{Client, Cursor, ListQuery, ResourceType};
use futures::TryStreamExt as _;

/// Processes at most `max_pages` pages starting at `start`; returns the
/// bindings seen and where to resume (None: the listing is complete).
async fn run_batch(
    client: &Client,
    start: Option<Cursor>,
    max_pages: u64,
) -> Result<(usize, Option<Cursor>), arize_role_bindings::Error> {
    let mut query = ListQuery::new(ResourceType::Project).limit(10);
    if let Some(cursor) = start {
        query = query.cursor(cursor);
    }
    let mut pages = client.pages(query);
    let mut seen = 0;
    while let Some(page) = pages.try_next().await? {
        seen += page.bindings().len();
        // Exactly where the next batch must start (None after the last page).
        let resume = page.next_cursor().cloned();
        if resume.is_none() || pages.pages_received() == max_pages {
            return Ok((seen, resume));
        }
    }
    Ok((seen, None))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 40 users on 2 projects and a model: 120 project bindings.
    let seed = Seed::empty()
        .users(40)
        .roles(1)
        .projects(2)
        .models(1)
        .bindings(120);
    let (server, client) = common::fake(seed).await?;

    let mut saved: Option<String> = None; // what a job would persist
    let mut total = 0;
    let mut batches = 0;
    loop {
        let start = saved
            .as_deref()
            .map(serde_json::from_str::<Cursor>)
            .transpose()?;
        let (seen, resume) = run_batch(&client, start, 4).await?;
        batches += 1;
        total += seen;
        println!("batch {batches}: {seen} bindings");
        match resume {
            Some(cursor) => saved = Some(serde_json::to_string(&cursor)?),
            None => break,
        }
    }
    println!("{total} bindings in {batches} batches");
    assert_eq!(total, 120);
    server.shutdown().await;
    Ok(())
}
