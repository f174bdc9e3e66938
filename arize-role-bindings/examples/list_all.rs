//! List every role binding on spaces, across pages, as one stream — and the
//! same listing page by page.
//!
//! `cargo run -p arize-role-bindings --example list_all`
#![allow(clippy::print_stdout)]

mod common;

use arize_fake_server::Seed;
use arize_role_bindings::{ListQuery, ReadAhead, ResourceType, RoleBinding};
use futures::TryStreamExt as _;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 65 users on 2 spaces: 130 bindings.
    let (server, client) =
        common::fake(Seed::empty().users(65).roles(2).spaces(2).bindings(130)).await?;

    // Every binding, fetched lazily 25 at a time; the next page is fetched
    // while this one is being consumed.
    let query = ListQuery::new(ResourceType::Space)
        .limit(25)
        .read_ahead(ReadAhead::OnePage);
    let all: Vec<RoleBinding> = client.list(query.clone()).try_collect().await?;
    println!("{} space bindings", all.len());
    for binding in all.iter().take(3) {
        println!(
            "  {} holds {} on {}",
            binding.user_id, binding.role_id, binding.resource
        );
    }

    // The same, page by page.
    let mut pages = client.pages(query);
    while let Some(page) = pages.try_next().await? {
        println!(
            "page {:>2}: {} bindings, more: {}",
            pages.pages_received(),
            page.bindings().len(),
            page.has_more()
        );
    }
    assert_eq!(all.len(), 130);

    // Bindings serialise to the API's JSON (to_dict / to_json).
    println!("{}", serde_json::to_string_pretty(&all[0])?);
    server.shutdown().await;
    Ok(())
}
