//! Listing throughput: every binding of the fake server (pages of 100), streamed through the facade's binding stream, fetched page by
//! page with the generated client, and by a raw reqwest + serde_json loop.
//! Walks alternate, the order rotating every round; the ratio is the median
//! of the per-round ratios.

use std::hint::black_box;
use std::num::NonZeroU64;
use std::path::Path;

use anyhow::{Context as _, ensure};
use arize_api::types::RoleBindingResourceType;
use arize_role_bindings::{ListQuery, ResourceType};
use futures::TryStreamExt as _;

use crate::clients::{self, API_KEY};
use crate::report::{Row, Target};
use crate::server::{Placement, Server};
use crate::stats::{Sample, Stopwatch, median, min_max, per_second, ratios, thousands};
use crate::{Sizes, client_runtime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Raw,
    Generated,
    Facade,
}

const ALL: [Who; 3] = [Who::Raw, Who::Generated, Who::Facade];

/// What a walk saw: bindings, first and last binding ID.
#[derive(Debug, Default, PartialEq, Eq)]
struct Seen {
    count: usize,
    first: Option<String>,
    last: Option<String>,
}

impl Seen {
    fn add(&mut self, id: &str) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(id.to_owned());
        }
        // Reuses the buffer: no allocation per binding.
        let last = self.last.get_or_insert_with(String::new);
        last.clear();
        last.push_str(id);
    }
}

struct Clients {
    raw: crate::raw::Raw,
    generated: arize_api::Client,
    facade: arize_role_bindings::Client,
    page: usize,
}

impl Clients {
    async fn walk(&self, who: Who) -> anyhow::Result<(Seen, Sample)> {
        let mut seen = Seen::default();
        let watch = Stopwatch::start();
        match who {
            Who::Raw => {
                self.raw
                    .walk(self.page, |b| {
                        seen.add(&b.id);
                        black_box(b);
                    })
                    .await?;
            }
            Who::Generated => {
                let limit = NonZeroU64::new(self.page as u64).context("page size 0")?;
                let mut cursor: Option<String> = None;
                loop {
                    let page = self
                        .generated
                        .list_role_bindings(
                            cursor.as_deref(),
                            Some(limit),
                            RoleBindingResourceType::Space,
                            None,
                        )
                        .await?
                        .into_inner();
                    for binding in &page.role_bindings {
                        seen.add(&binding.id);
                        black_box(binding);
                    }
                    if !page.pagination.has_more {
                        break;
                    }
                    cursor = Some(
                        page.pagination
                            .next_cursor
                            .context("has_more without next_cursor")?,
                    );
                }
            }
            Who::Facade => {
                let limit = u32::try_from(self.page).context("page size")?;
                let mut stream = self
                    .facade
                    .list(ListQuery::new(ResourceType::Space).limit(limit));
                while let Some(binding) = stream.try_next().await? {
                    seen.add(binding.id.as_str());
                    black_box(binding);
                }
            }
        }
        Ok((seen, watch.stop()))
    }
}

/// Runs the scenario.
///
/// # Errors
///
/// When the server or a client cannot start, a page fails, or a walk does
/// not see exactly the seeded bindings (count, first and last ID).
pub fn run(sizes: &Sizes, placement: Placement, fake_server: &Path) -> anyhow::Result<Vec<Row>> {
    let n = sizes.list_bindings;
    let server = Server::start(placement, fake_server, n)?;
    let ids = server.binding_ids();
    ensure!(ids.len() == n, "seeded {} bindings, not {n}", ids.len());
    let expected = Seen {
        count: n,
        first: ids.first().cloned(),
        last: ids.last().cloned(),
    };
    drop(ids);
    let base = server.base_url();
    let clients = Clients {
        raw: clients::raw(base, API_KEY)?,
        generated: clients::generated(base, API_KEY)?,
        facade: clients::facade(base, API_KEY)?,
        page: sizes.page,
    };
    let rounds = sizes.list_rounds.max(1);
    let runtime = client_runtime()?;
    let mut times: [Vec<Sample>; 3] = Default::default();
    runtime.block_on(async {
        for round in 0..rounds {
            for k in 0..ALL.len() {
                let who = ALL[(round + k) % ALL.len()];
                let (seen, elapsed) = clients.walk(who).await?;
                ensure!(
                    seen == expected,
                    "{who:?} walk saw {} bindings (first {:?}, last {:?}), expected {} ({:?}, {:?})",
                    seen.count,
                    seen.first,
                    seen.last,
                    expected.count,
                    expected.first,
                    expected.last
                );
                times[who as usize].push(elapsed);
            }
            server.clear_requests();
        }
        anyhow::Ok(())
    })?;

    let rate = |who: Who| -> f64 {
        median(
            &times[who as usize]
                .iter()
                .map(|s| per_second(n, s.wall))
                .collect::<Vec<_>>(),
        )
    };
    let raw = &times[Who::Raw as usize];
    let (facade_wall, facade_cpu) = ratios(&times[Who::Facade as usize], raw);
    let (generated_wall, generated_cpu) = ratios(&times[Who::Generated as usize], raw);
    let (lo, hi) = min_max(&facade_wall);
    let pages = n.div_ceil(sizes.page);
    let mut rows = vec![
        Row::ratio(
            "Listing throughput: facade stream / raw loop (wall time)",
            format!(
                "{} bindings ({pages} pages of {}), {rounds} alternating walks each; median \
                 bindings/s: raw {}, generated {}, facade {}; per-round ratios {lo:.3}–{hi:.3}",
                thousands(n as f64),
                sizes.page,
                thousands(rate(Who::Raw)),
                thousands(rate(Who::Generated)),
                thousands(rate(Who::Facade)),
            ),
            median(&facade_wall),
            Target::AtMost(1.10),
        ),
        Row::ratio(
            "Listing throughput: generated / raw (wall time)",
            "same run".to_owned(),
            median(&generated_wall),
            Target::Info,
        ),
    ];
    if let (Some(facade_cpu), Some(generated_cpu)) = (facade_cpu, generated_cpu) {
        let cpu_rate = |who: Who| -> String {
            let rates: Option<Vec<f64>> = times[who as usize]
                .iter()
                .map(|s| Some(per_second(n, s.cpu?)))
                .collect();
            rates.map_or_else(|| "n/a".to_owned(), |r| thousands(median(&r)))
        };
        rows.push(Row::ratio(
            "Listing throughput: facade / raw (client CPU time)",
            format!(
                "same run, CPU time of the client thread; median bindings per CPU-second: raw \
                 {}, generated {}, facade {}; generated / raw {:.3}",
                cpu_rate(Who::Raw),
                cpu_rate(Who::Generated),
                cpu_rate(Who::Facade),
                median(&generated_cpu),
            ),
            median(&facade_cpu),
            Target::Info,
        ));
    }
    Ok(rows)
}
