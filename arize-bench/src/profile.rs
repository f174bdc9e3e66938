//! `arize-bench client-loop`: one client doing one kind of work against a
//! running fake server, nothing else — the unit to profile with
//! `valgrind --tool=callgrind` or `perf`, whose counts are not disturbed by
//! other load on the machine. Run it twice (`--count K` and `--count 2K`)
//! and subtract to get the cost of K units without the setup:
//!
//! ```text
//! target/release/arize-fake-server --port 0 --api-key arize-bench-key \
//!     --users 10 --spaces 100 --projects 0 --models 0 --bindings 1000 &
//! valgrind --tool=callgrind target/release/arize-bench client-loop \
//!     --base-url http://127.0.0.1:PORT --client facade --op get --count 2000
//! ```

use std::hint::black_box;
use std::num::NonZeroU64;

use anyhow::{Context as _, ensure};
use arize_api::types::{Id, RoleBindingResourceType};
use arize_role_bindings::{ListQuery, ResourceType, RoleBindingId};
use futures::TryStreamExt as _;

use crate::client_runtime;
use crate::clients;

/// Which client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LoopClient {
    /// Raw reqwest + serde_json.
    Raw,
    /// The generated `arize_api::Client`.
    Generated,
    /// The facade.
    Facade,
}

/// What to repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LoopOp {
    /// `count` sequential gets over the first page's IDs.
    Get,
    /// `count` walks over every `SPACE` binding, pages of 100.
    List,
}

/// Runs the loop; returns how many bindings were received.
///
/// # Errors
///
/// A failing request, or a walk that sees a different number of bindings
/// than the first.
pub fn client_loop(
    base_url: &str,
    api_key: &str,
    client: LoopClient,
    op: LoopOp,
    count: usize,
) -> anyhow::Result<usize> {
    let runtime = client_runtime()?;
    runtime.block_on(async {
        let raw = clients::raw(base_url, api_key)?;
        let generated = clients::generated(base_url, api_key)?;
        let facade = clients::facade(base_url, api_key)?;
        let mut received = 0usize;
        match op {
            LoopOp::Get => {
                let ids: Vec<String> = raw
                    .list_page(100, None)
                    .await?
                    .role_bindings
                    .into_iter()
                    .map(|b| b.id)
                    .collect();
                ensure!(!ids.is_empty(), "the server has no SPACE bindings");
                let generated_ids: Vec<Id> = ids.iter().map(|s| Id(s.clone())).collect();
                let facade_ids: Vec<RoleBindingId> = ids.iter().map(RoleBindingId::new).collect();
                for i in 0..count {
                    let k = i % ids.len();
                    match client {
                        LoopClient::Raw => {
                            black_box(raw.get(&ids[k]).await?);
                        }
                        LoopClient::Generated => {
                            black_box(generated.get_role_binding(&generated_ids[k]).await?);
                        }
                        LoopClient::Facade => {
                            black_box(facade.get(&facade_ids[k]).await?);
                        }
                    }
                    received += 1;
                }
            }
            LoopOp::List => {
                let mut per_walk = None;
                for _ in 0..count {
                    let mut n = 0usize;
                    match client {
                        LoopClient::Raw => {
                            raw.walk(100, |b| {
                                n += 1;
                                black_box(b);
                            })
                            .await?;
                        }
                        LoopClient::Generated => {
                            let limit = NonZeroU64::new(100).context("100 is not zero")?;
                            let mut cursor: Option<String> = None;
                            loop {
                                let page = generated
                                    .list_role_bindings(
                                        cursor.as_deref(),
                                        Some(limit),
                                        RoleBindingResourceType::Space,
                                        None,
                                    )
                                    .await?
                                    .into_inner();
                                n += page.role_bindings.len();
                                black_box(&page);
                                if !page.pagination.has_more {
                                    break;
                                }
                                cursor = page.pagination.next_cursor;
                            }
                        }
                        LoopClient::Facade => {
                            let mut stream =
                                facade.list(ListQuery::new(ResourceType::Space).limit(100));
                            while let Some(b) = stream.try_next().await? {
                                n += 1;
                                black_box(b);
                            }
                        }
                    }
                    ensure!(
                        *per_walk.get_or_insert(n) == n,
                        "walks saw different counts"
                    );
                    received += n;
                }
            }
        }
        anyhow::Ok(received)
    })
}
