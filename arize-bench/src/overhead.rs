//! Request overhead: sequential `get` calls through the facade, the
//! generated client and raw reqwest + serde_json, against the fake server
//! (a separate process by default) with no latency. The three alternate in rounds (the order
//! rotating every round) so that drift (CPU frequency, other load) hits all
//! of them alike; the ratio is the median of the per-round ratios.

use std::hint::black_box;
use std::path::Path;

use anyhow::ensure;
use arize_api::types::Id;
use arize_role_bindings::RoleBindingId;

use crate::clients::{self, API_KEY};
use crate::report::{Row, Target};
use crate::server::{Placement, Server};
use crate::stats::{Sample, Stopwatch, median, micros_per, min_max, ratios, thousands};
use crate::{Sizes, client_runtime};

/// Bindings the gets cycle through.
const DISTINCT_IDS: usize = 100;
/// Gets per client before measuring (connection set up, caches warm).
const WARMUP: usize = 500;

/// One of the clients under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Raw,
    Generated,
    Facade,
}

const ALL: [Who; 3] = [Who::Raw, Who::Generated, Who::Facade];

struct Clients {
    raw: crate::raw::Raw,
    generated: arize_api::Client,
    facade: arize_role_bindings::Client,
    ids: Vec<String>,
    generated_ids: Vec<Id>,
    facade_ids: Vec<RoleBindingId>,
}

impl Clients {
    /// `n` sequential gets by `who`, cycling through the IDs from `start`;
    /// each answer is checked to be the binding asked for.
    async fn gets(&self, who: Who, start: usize, n: usize) -> anyhow::Result<()> {
        let count = self.ids.len();
        match who {
            Who::Raw => {
                for i in start..start + n {
                    let binding = self.raw.get(&self.ids[i % count]).await?;
                    ensure!(binding.id == self.ids[i % count], "raw: wrong binding");
                    black_box(binding);
                }
            }
            Who::Generated => {
                for i in start..start + n {
                    let id = &self.generated_ids[i % count];
                    let binding = self.generated.get_role_binding(id).await?.into_inner();
                    ensure!(binding.id == *id, "generated: wrong binding");
                    black_box(binding);
                }
            }
            Who::Facade => {
                for i in start..start + n {
                    let id = &self.facade_ids[i % count];
                    let binding = self.facade.get(id).await?;
                    ensure!(binding.id == *id, "facade: wrong binding");
                    black_box(binding);
                }
            }
        }
        Ok(())
    }
}

/// Runs the scenario.
///
/// # Errors
///
/// When the server or a client cannot start, or any get fails or returns
/// the wrong binding.
pub fn run(sizes: &Sizes, placement: Placement, fake_server: &Path) -> anyhow::Result<Vec<Row>> {
    let server = Server::start(placement, fake_server, DISTINCT_IDS)?;
    let ids = server.binding_ids();
    ensure!(ids.len() == DISTINCT_IDS, "seeded {} bindings", ids.len());
    let base = server.base_url();
    let clients = Clients {
        raw: clients::raw(base, API_KEY)?,
        generated: clients::generated(base, API_KEY)?,
        facade: clients::facade(base, API_KEY)?,
        generated_ids: ids.iter().map(|s| Id(s.clone())).collect(),
        facade_ids: ids.iter().map(RoleBindingId::new).collect(),
        ids,
    };
    let rounds = sizes.get_rounds.max(1);
    let per_round = (sizes.gets / rounds).max(1);
    let runtime = client_runtime()?;
    let mut times: [Vec<Sample>; 3] = Default::default();
    runtime.block_on(async {
        for who in ALL {
            clients.gets(who, 0, per_round.min(WARMUP)).await?;
        }
        for round in 0..rounds {
            for k in 0..ALL.len() {
                let who = ALL[(round + k) % ALL.len()];
                let watch = Stopwatch::start();
                clients.gets(who, round * per_round, per_round).await?;
                times[who as usize].push(watch.stop());
            }
            // The fake logs every request; keep its log (and its cost) small.
            server.clear_requests();
        }
        anyhow::Ok(())
    })?;

    let median_us = |who: Who, cpu: bool| -> Option<f64> {
        let per_call: Option<Vec<f64>> = times[who as usize]
            .iter()
            .map(|s| Some(micros_per(if cpu { s.cpu? } else { s.wall }, per_round)))
            .collect();
        per_call.map(|v| median(&v))
    };
    let raw = &times[Who::Raw as usize];
    let (facade_wall, facade_cpu) = ratios(&times[Who::Facade as usize], raw);
    let (generated_wall, generated_cpu) = ratios(&times[Who::Generated as usize], raw);
    let (lo, hi) = min_max(&facade_wall);
    let total = per_round * rounds;
    let us = |who: Who, cpu: bool| {
        median_us(who, cpu).map_or_else(|| "n/a".to_owned(), |v| format!("{v:.1}"))
    };
    let mut rows = vec![
        Row::ratio(
            "Request overhead: facade / raw (wall time)",
            format!(
                "{} sequential gets per client in {rounds} alternating rounds; median µs/call: \
                 raw {}, generated {}, facade {}; per-round ratios {lo:.3}–{hi:.3}",
                thousands(total as f64),
                us(Who::Raw, false),
                us(Who::Generated, false),
                us(Who::Facade, false),
            ),
            median(&facade_wall),
            Target::AtMost(1.10),
        ),
        Row::ratio(
            "Request overhead: generated / raw (wall time)",
            "same run".to_owned(),
            median(&generated_wall),
            Target::Info,
        ),
    ];
    if let (Some(facade_cpu), Some(generated_cpu)) = (facade_cpu, generated_cpu) {
        rows.push(Row::ratio(
            "Request overhead: facade / raw (client CPU time)",
            format!(
                "same run, CPU time of the client thread (all client work: request, hyper, \
                 decoding; excludes the server and waiting for a core); median µs/call: raw {}, \
                 generated {}, facade {}; generated / raw {:.3}",
                us(Who::Raw, true),
                us(Who::Generated, true),
                us(Who::Facade, true),
                median(&generated_cpu),
            ),
            median(&facade_cpu),
            Target::Info,
        ));
    }
    Ok(rows)
}
