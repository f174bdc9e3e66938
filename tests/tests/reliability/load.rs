//! Load: 64 tasks share one client and run a fixed number of mixed calls
//! (ensure, revoke, update, list; and ensures racing on shared bindings)
//! against the fake server while it injects 429s (`Retry-After: 1`) and
//! 503s. Waits go to a recording sleeper, so nothing really waits.
//!
//! Each task works on its own user and keeps a model of that user's
//! bindings, updated only by successful calls. Every result is checked
//! against the model as it happens (ensure's outcome, revoke's answer,
//! each listing), every call ends as a success or a typed 429/503 error,
//! and afterwards the server's state equals the models: no binding lost or
//! duplicated. The shared bindings end with exactly one binding each, and
//! exactly one `Created` among the racing ensures.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use arize_api::types::RoleBindingResourceType;
use arize_fake_server::{FakeServer, Fault, FaultRule, RetryAfter, Seed};
use arize_role_bindings::{
    Client, EnsureOutcome, Error, ListQuery, ProjectId, Resource, ResourceType, Revoked,
    RoleBindingId, RoleId, SpaceId, UserId,
};
use futures::TryStreamExt as _;

use crate::support::*;

const TASKS: usize = 64;
const CALLS_PER_TASK: usize = 30;
const LIMIT: Duration = Duration::from_secs(180);

pub fn names() -> Vec<String> {
    vec!["load::mixed".to_owned()]
}

pub async fn run(selected: &(dyn Fn(&str) -> bool + Sync), report: &mut Report) {
    if selected("load::mixed") {
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let result = bounded(LIMIT, mixed(counted)).await;
        report.load_calls += calls.load(Ordering::SeqCst);
        report.push("load::mixed", result);
    }
}

/// A small deterministic generator (xorshift64*), one per task.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

/// One user's bindings: resource -> (binding ID, role).
type Model = BTreeMap<Resource, (String, String)>;

#[derive(Debug, Default)]
struct Tally {
    ok: usize,
    rate_limited: usize,
    unavailable: usize,
}

/// Shared across tasks: per shared space, how many ensures succeeded and
/// how many of them created the binding.
#[derive(Debug, Default)]
struct SharedTally {
    ok: Vec<usize>,
    created: Vec<usize>,
}

struct Env {
    client: Client,
    roles: Vec<String>,
    resources: Vec<Resource>,
    shared_user: String,
    shared_spaces: Vec<String>,
    shared: std::sync::Mutex<SharedTally>,
}

async fn mixed(calls: Arc<AtomicUsize>) -> Result<(), String> {
    let server = FakeServer::builder()
        .api_key(KEY)
        .seed(
            Seed::empty()
                .users(TASKS + 1)
                .roles(3)
                .spaces(4)
                .projects(2),
        )
        .start()
        .await
        .map_err(|e| e.to_string())?;
    let users = server.users();
    let spaces = server.spaces();
    let mut resources: Vec<Resource> = spaces
        .iter()
        .map(|s| Resource::Space(SpaceId::new(s.clone())))
        .collect();
    resources.extend(
        server
            .projects()
            .into_iter()
            .map(|p| Resource::Project(ProjectId::new(p))),
    );
    server
        .faults()
        .inject(FaultRule::new(Fault::RateLimited(RetryAfter::Seconds(1))).every(7));
    server
        .faults()
        .inject(FaultRule::new(Fault::Status(503)).every(11));
    server.faults().set_latency(None, Duration::from_millis(2));

    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(server.base_url(), &sleeper)
        .build()
        .map_err(|e| e.to_string())?;
    let env = Arc::new(Env {
        client,
        roles: server.roles(),
        resources,
        shared_user: users[TASKS].clone(),
        shared_spaces: spaces.clone(),
        shared: std::sync::Mutex::new(SharedTally {
            ok: vec![0; spaces.len()],
            created: vec![0; spaces.len()],
        }),
    });

    let mut tasks = tokio::task::JoinSet::new();
    for (t, user) in users.iter().take(TASKS).enumerate() {
        let env = env.clone();
        let user = user.clone();
        let calls = calls.clone();
        tasks.spawn(async move { worker(t, user, env, calls).await });
    }
    let mut models = Vec::new();
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok((user, model, t))) => {
                tally.ok += t.ok;
                tally.rate_limited += t.rate_limited;
                tally.unavailable += t.unavailable;
                models.push((user, model));
            }
            Ok(Err(e)) => failures.push(e),
            Err(join) if join.is_panic() => {
                PANICS.fetch_add(1, Ordering::SeqCst);
                failures.push("a task panicked".to_owned());
            }
            Err(join) => failures.push(join.to_string()),
        }
    }
    if let Some(first) = failures.first() {
        return Err(format!("{} task(s) failed; first: {first}", failures.len()));
    }
    server.faults().clear();

    // Every call is accounted for.
    let total = calls.load(Ordering::SeqCst);
    check(
        total == TASKS * CALLS_PER_TASK
            && tally.ok + tally.rate_limited + tally.unavailable == total,
        || format!("{total} calls, tally {tally:?}"),
    )?;

    // The server's state is exactly the models.
    let bindings = server.bindings();
    for (user, model) in &models {
        let mut actual = Model::new();
        for b in bindings.iter().filter(|b| b.user_id.0 == *user) {
            let resource = match b.resource_type {
                RoleBindingResourceType::Space => {
                    Resource::Space(SpaceId::new(b.resource_id.0.clone()))
                }
                RoleBindingResourceType::Project => {
                    Resource::Project(ProjectId::new(b.resource_id.0.clone()))
                }
            };
            if actual
                .insert(resource.clone(), (b.id.0.clone(), b.role_id.0.clone()))
                .is_some()
            {
                return Err(format!("duplicate binding for {user} on {resource}"));
            }
        }
        check(actual == *model, || {
            format!("user {user}: server {actual:?}, model {model:?}")
        })?;
    }
    let shared = env.shared.lock().unwrap();
    for (k, space) in env.shared_spaces.iter().enumerate() {
        let held: Vec<_> = bindings
            .iter()
            .filter(|b| b.user_id.0 == env.shared_user && b.resource_id.0 == *space)
            .collect();
        let want = usize::from(shared.ok[k] > 0);
        check(
            held.len() == want
                && shared.created[k] == want
                && held.iter().all(|b| b.role_id.0 == env.roles[0]),
            || {
                format!(
                    "shared space {k}: {} binding(s), {} ensures ok, {} created",
                    held.len(),
                    shared.ok[k],
                    shared.created[k]
                )
            },
        )?;
    }
    let requests = server.requests();
    let faulted = requests.iter().filter(|r| r.fault.is_some()).count();
    check(faulted > 0 && tally.ok > 0, || {
        "no fault was injected".into()
    })?;
    check(server.peak_in_flight() >= 2, || {
        format!("peak in flight {}", server.peak_in_flight())
    })?;
    println!(
        "load: {total} calls by {TASKS} tasks: {} ok, {} typed 429, {} typed 503; {} requests, {} with an injected fault; {} waits recorded; peak {} in flight",
        tally.ok,
        tally.rate_limited,
        tally.unavailable,
        requests.len(),
        faulted,
        sleeper.delays().len(),
        server.peak_in_flight()
    );
    Ok(())
}

/// Classifies an error: only a 429 or 503 that outlasted the retries is
/// acceptable under this load.
fn typed(err: &Error, tally: &mut Tally) -> Result<(), String> {
    error_without_key(err)?;
    match err {
        Error::Api { status, .. } if status.as_u16() == 429 => tally.rate_limited += 1,
        Error::Api { status, .. } if status.as_u16() == 503 => tally.unavailable += 1,
        other => return Err(format!("unexpected error under load: {other:?}")),
    }
    Ok(())
}

async fn worker(
    t: usize,
    user: String,
    env: Arc<Env>,
    calls: Arc<AtomicUsize>,
) -> Result<(String, Model, Tally), String> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (t as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let mut model = Model::new();
    let mut tally = Tally::default();
    let uid = UserId::new(user.clone());
    let client = &env.client;
    for _ in 0..CALLS_PER_TASK {
        calls.fetch_add(1, Ordering::SeqCst);
        let resource = env.resources[rng.below(env.resources.len())].clone();
        let role = env.roles[rng.below(env.roles.len())].clone();
        let dice = match rng.below(100) {
            // An update needs a binding: ensure one instead.
            55..70 if model.is_empty() => 0,
            dice => dice,
        };
        if dice < 35 {
            // ensure
            match client
                .ensure(&uid, &RoleId::new(role.clone()), &resource)
                .await
            {
                Ok(e) => {
                    let expected = match model.get(&resource) {
                        None => EnsureOutcome::Created,
                        Some((_, r)) if *r == role => EnsureOutcome::Unchanged,
                        Some((_, r)) => EnsureOutcome::Updated {
                            previous_role: RoleId::new(r.clone()),
                        },
                    };
                    check(e.outcome == expected && e.binding.role_id == *role, || {
                        format!("ensure on {resource}: {e:?}, expected {expected:?}")
                    })?;
                    if let Some((id, _)) = model.get(&resource) {
                        check(e.binding.id == **id, || {
                            format!("ensure changed the ID: {e:?}")
                        })?;
                    }
                    model.insert(resource, (e.binding.id.into_string(), role));
                    tally.ok += 1;
                }
                Err(e) => typed(&e, &mut tally)?,
            }
        } else if dice < 55 {
            // revoke
            match client.revoke(&uid, &resource).await {
                Ok(Revoked::Removed(b)) => {
                    let held = model.remove(&resource);
                    check(held.as_ref().is_some_and(|(id, _)| b.id == **id), || {
                        format!("revoke removed {b:?}, model had {held:?}")
                    })?;
                    tally.ok += 1;
                }
                Ok(Revoked::NotFound) => {
                    check(!model.contains_key(&resource), || {
                        format!("revoke found nothing on {resource}, model has it")
                    })?;
                    tally.ok += 1;
                }
                Err(e) => typed(&e, &mut tally)?,
            }
        } else if dice < 70 {
            // update an existing binding
            let index = rng.below(model.len());
            let (resource, (id, _)) = model
                .iter()
                .nth(index)
                .map(|(r, v)| (r.clone(), v.clone()))
                .ok_or("empty model")?;
            match client
                .update(&RoleBindingId::new(id.clone()), &RoleId::new(role.clone()))
                .await
            {
                Ok(b) => {
                    check(b.id == *id && b.role_id == *role, || {
                        format!("update: {b:?}")
                    })?;
                    model.insert(resource, (id, role));
                    tally.ok += 1;
                }
                Err(e) => typed(&e, &mut tally)?,
            }
        } else if dice < 90 {
            // list, two per page: exactly the model
            let kind = if rng.below(2) == 0 {
                ResourceType::Space
            } else {
                ResourceType::Project
            };
            let listed: Result<Vec<_>, _> = client
                .list(ListQuery::new(kind).user(uid.clone()).limit(2))
                .try_collect()
                .await;
            match listed {
                Ok(list) => {
                    let got: BTreeMap<_, _> = list
                        .iter()
                        .map(|b| {
                            (
                                b.resource.clone(),
                                (b.id.as_str().to_owned(), b.role_id.as_str().to_owned()),
                            )
                        })
                        .collect();
                    let want: BTreeMap<_, _> = model
                        .iter()
                        .filter(|(r, _)| r.resource_type() == kind)
                        .map(|(r, v)| (r.clone(), v.clone()))
                        .collect();
                    check(got.len() == list.len() && got == want, || {
                        format!("listing {kind}: {got:?}, model {want:?}")
                    })?;
                    tally.ok += 1;
                }
                Err(e) => typed(&e, &mut tally)?,
            }
        } else {
            // everyone ensures the same role on a shared binding
            let k = rng.below(env.shared_spaces.len());
            let shared = Resource::Space(SpaceId::new(env.shared_spaces[k].clone()));
            let result = client
                .ensure(
                    &UserId::new(env.shared_user.clone()),
                    &RoleId::new(env.roles[0].clone()),
                    &shared,
                )
                .await;
            match result {
                Ok(e) => {
                    check(
                        matches!(e.outcome, EnsureOutcome::Created | EnsureOutcome::Unchanged)
                            && e.binding.role_id == *env.roles[0],
                        || format!("shared ensure: {e:?}"),
                    )?;
                    let mut s = env.shared.lock().unwrap();
                    s.ok[k] += 1;
                    if e.outcome == EnsureOutcome::Created {
                        s.created[k] += 1;
                    }
                    tally.ok += 1;
                }
                Err(e) => typed(&e, &mut tally)?,
            }
        }
    }
    Ok((user, model, tally))
}
