//! `apply`: runs a [`Plan`], one request per change, with bounded
//! concurrency, never forcing a change the account no longer expects.

use std::collections::HashMap;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{Stream, StreamExt as _};
use serde::{Deserialize, Serialize};

use super::plan::{Change, PAGE_SIZE, Plan, list_all};
use crate::{
    Client, Error, ListQuery, Resource, ResourceType, RoleBinding, RoleBindingId, RoleId,
    TransportPhase, UserId,
};

/// The default number of changes in flight: 16.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// How [`apply`] checks that the account is still as the plan saw it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Recheck {
    /// Before changing anything, read the bindings of the resource types the
    /// plan changes once more (listing pages only, spaces and projects
    /// concurrently) and check every change against them: a change whose
    /// binding moved is reported [`Outcome::Drifted`] (or
    /// [`Outcome::AlreadyDone`]) without a request. The default: the only
    /// way to notice a role changed by hand, which a `PATCH` cannot tell.
    #[default]
    Refresh,
    /// Trust the plan (made a moment ago, in this process): no listing, one
    /// request per change. Races that the answers show (a create's 409, a
    /// 404 on update or delete) are still re-checked.
    TrustPlan,
}

/// Settings of an apply run; from [`apply`].
#[derive(Debug)]
pub struct Apply<'p> {
    client: Client,
    plan: &'p Plan,
    concurrency: usize,
    recheck: Recheck,
}

/// Runs `plan`: see [`Apply::start`].
///
/// ```no_run
/// use arize_role_bindings::Client;
/// use arize_role_bindings::access::{self, ApplySummary, Plan};
/// use futures::StreamExt as _;
///
/// # async fn demo(client: Client, plan: Plan) -> Result<(), arize_role_bindings::Error> {
/// let mut results = access::apply(&client, &plan).concurrency(32).start().await?;
/// let mut summary = ApplySummary::default();
/// while let Some(item) = results.next().await {
///     println!("{}", item);
///     summary.record(&item);
/// }
/// println!("{summary}");
/// # Ok(()) }
/// ```
pub fn apply<'p>(client: &Client, plan: &'p Plan) -> Apply<'p> {
    Apply {
        client: client.clone(),
        plan,
        concurrency: DEFAULT_CONCURRENCY,
        recheck: Recheck::default(),
    }
}

/// The account as a refresh saw it.
#[derive(Default)]
struct Seen {
    by_id: HashMap<RoleBindingId, RoleBinding>,
    by_pair: HashMap<(UserId, Resource), RoleBinding>,
}

impl Seen {
    fn pair(&self, user: &UserId, resource: &Resource) -> Option<&RoleBinding> {
        self.by_pair.get(&(user.clone(), resource.clone()))
    }
}

impl<'p> Apply<'p> {
    /// At most `limit` changes in flight (default [`DEFAULT_CONCURRENCY`]);
    /// zero is taken as 1.
    #[must_use]
    pub fn concurrency(mut self, limit: usize) -> Self {
        self.concurrency = limit.max(1);
        self
    }

    /// How the run checks the plan against the account (default
    /// [`Recheck::Refresh`]).
    #[must_use]
    pub fn recheck(mut self, recheck: Recheck) -> Self {
        self.recheck = recheck;
        self
    }

    /// Starts the run: refreshes (unless [`Recheck::TrustPlan`]), then
    /// returns the stream of results, one [`Applied`] per change of the plan
    /// **as it completes**, every change exactly once; a failure of one
    /// never stops the others. Each change is one request (`create`,
    /// `update` or `delete` with the binding ID the plan knows) under the
    /// client's retries and shared back-pressure; when its answer shows
    /// that the account moved (409 on create, 404 on update, a create whose
    /// answer was lost), one listing of that user's bindings decides
    /// whether it is done, was done already, or drifted. Dropping the
    /// stream cancels the changes in flight.
    ///
    /// # Errors
    ///
    /// The listing error when the refresh fails (nothing was changed).
    pub async fn start(self) -> Result<ApplyResults, Error> {
        let seen = match self.recheck {
            Recheck::TrustPlan => None,
            Recheck::Refresh => {
                let spaces = self
                    .plan
                    .changes()
                    .any(|c| resource_of(&c).resource_type() == ResourceType::Space);
                let projects = self
                    .plan
                    .changes()
                    .any(|c| resource_of(&c).resource_type() == ResourceType::Project);
                let (a, b) = futures::try_join!(
                    list_all(&self.client, ResourceType::Space, spaces),
                    list_all(&self.client, ResourceType::Project, projects),
                )?;
                let mut seen = Seen::default();
                for binding in a.into_iter().chain(b) {
                    seen.by_pair
                        .entry((binding.user_id.clone(), binding.resource.clone()))
                        .or_insert_with(|| binding.clone());
                    seen.by_id.insert(binding.id.clone(), binding);
                }
                Some(seen)
            }
        };
        let seen = std::sync::Arc::new(seen);
        let client = self.client.clone();
        let changes: Vec<Change> = self.plan.changes().collect();
        let stream = futures::stream::iter(changes.into_iter().enumerate())
            .map(move |(index, change)| {
                let client = client.clone();
                let seen = seen.clone();
                async move {
                    let result = run(&client, &change, seen.as_ref().as_ref()).await;
                    Applied {
                        index,
                        change,
                        result,
                    }
                }
            })
            .buffer_unordered(self.concurrency);
        Ok(ApplyResults {
            stream: Box::pin(stream),
            concurrency: self.concurrency,
        })
    }
}

fn resource_of(change: &Change) -> &Resource {
    match change {
        Change::Create(c) => &c.resource.resource,
        Change::RoleChange(c) => &c.resource.resource,
        Change::Revoke(r) => &r.resource.resource,
    }
}

/// What happened to one change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// The change was made.
    Done,
    /// The account was already as the file wants (someone made the same
    /// change, or an earlier, interrupted run did); nothing was written.
    AlreadyDone,
    /// The account moved since the plan, in a way the file does not
    /// settle; the change was **not** made. Plan again to review it.
    Drifted(Drift),
}

/// How the account moved under a change that was left alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "drift", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Drift {
    /// A create found the user already holding another role on the
    /// resource.
    Exists {
        /// The binding found.
        binding: RoleBindingId,
        /// Its role.
        role: RoleId,
    },
    /// The binding to change is gone; `now` is the user's binding on the
    /// resource made meanwhile, if any.
    Gone {
        /// A binding that took its place, with its role.
        now: Option<(RoleBindingId, RoleId)>,
    },
    /// The binding's role is no longer the one the plan saw.
    RoleChanged {
        /// The role it has now.
        now: RoleId,
    },
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exists { binding, role } => write!(
                f,
                "the user already holds role {role} there (binding {binding}), made after the plan"
            ),
            Self::Gone { now: None } => f.write_str("the binding was deleted after the plan"),
            Self::Gone {
                now: Some((binding, role)),
            } => write!(
                f,
                "the binding was replaced after the plan by binding {binding} with role {role}"
            ),
            Self::RoleChanged { now } => {
                write!(f, "the binding's role was changed to {now} after the plan")
            }
        }
    }
}

/// One change of an apply run, with what happened to it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Applied {
    /// The change's position in the plan (creates, then role changes, then
    /// revocations, as [`Plan::changes`]).
    pub index: usize,
    /// The change.
    pub change: Change,
    /// What happened, or the error of its request.
    pub result: Result<Outcome, Error>,
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.result {
            Ok(Outcome::Done) => write!(f, "done: {}", self.change),
            Ok(Outcome::AlreadyDone) => write!(f, "already in place: {}", self.change),
            Ok(Outcome::Drifted(d)) => write!(f, "drifted, not changed: {} — {d}", self.change),
            Err(e) => write!(f, "failed: {} — {e}", self.change),
        }
    }
}

/// The stream of an apply run: one [`Applied`] per change, as they
/// complete. `Send`, `Unpin`, `'static`; dropping it cancels the changes in
/// flight.
#[must_use = "streams do nothing unless polled"]
pub struct ApplyResults {
    stream: Pin<Box<dyn Stream<Item = Applied> + Send>>,
    concurrency: usize,
}

impl ApplyResults {
    /// The bound on changes in flight.
    pub fn max_in_flight(&self) -> usize {
        self.concurrency
    }

    /// Runs the stream to its end and sums it up.
    pub async fn summarize(mut self) -> ApplySummary {
        let mut summary = ApplySummary::default();
        while let Some(item) = self.next().await {
            summary.record(&item);
        }
        summary
    }
}

impl Stream for ApplyResults {
    type Item = Applied;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Applied>> {
        self.stream.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.stream.size_hint()
    }
}

impl fmt::Debug for ApplyResults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplyResults")
            .field("max_in_flight", &self.concurrency)
            .finish_non_exhaustive()
    }
}

/// The sum of an apply run: what was done, what was in place already, what
/// drifted (and was left alone) and what failed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApplySummary {
    /// Changes made.
    pub done: usize,
    /// Changes found already in place.
    pub already_done: usize,
    /// Changes left alone because the account moved: the change and how.
    pub drifted: Vec<(Change, Drift)>,
    /// Changes whose request failed: the change and the error's message.
    pub failed: Vec<(Change, String)>,
}

impl ApplySummary {
    /// Adds one result.
    pub fn record(&mut self, item: &Applied) {
        match &item.result {
            Ok(Outcome::Done) => self.done += 1,
            Ok(Outcome::AlreadyDone) => self.already_done += 1,
            Ok(Outcome::Drifted(d)) => self.drifted.push((item.change.clone(), d.clone())),
            Err(e) => self.failed.push((item.change.clone(), e.to_string())),
        }
    }

    /// Whether every change is now in place (nothing drifted or failed).
    pub fn is_complete(&self) -> bool {
        self.drifted.is_empty() && self.failed.is_empty()
    }
}

impl fmt::Display for ApplySummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Apply: {} done, {} already in place, {} drifted (left as they are), {} failed.",
            self.done,
            self.already_done,
            self.drifted.len(),
            self.failed.len()
        )?;
        for (change, drift) in &self.drifted {
            write!(f, "\n  drifted: {change} — {drift}")?;
        }
        for (change, error) in &self.failed {
            write!(f, "\n  failed:  {change} — {error}")?;
        }
        if !self.drifted.is_empty() {
            f.write_str("\nPlan again to review the drifted changes.")?;
        }
        Ok(())
    }
}

/// Whether a failed create may nevertheless have created the binding.
fn may_have_created(error: &Error) -> bool {
    match error {
        Error::Timeout { .. } => true,
        Error::Transport { phase, .. } => *phase == TransportPhase::AfterSend,
        Error::Api { status, .. } => matches!(status.as_u16(), 502 | 504),
        _ => false,
    }
}

/// The user's binding on the resource now: one listing of the user's
/// bindings of that type.
async fn find(
    client: &Client,
    user: &UserId,
    resource: &Resource,
) -> Result<Option<RoleBinding>, Error> {
    let mut pages = client.pages(
        ListQuery::new(resource.resource_type())
            .user(user.clone())
            .limit(PAGE_SIZE),
    );
    while let Some(page) = pages.next().await {
        if let Some(found) = page?
            .into_iter()
            .find(|b| b.resource == *resource && b.user_id == *user)
        {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

async fn run(client: &Client, change: &Change, seen: Option<&Seen>) -> Result<Outcome, Error> {
    match change {
        Change::Create(c) => {
            let (user, role, resource) = (&c.user.id, &c.role.id, &c.resource.resource);
            if let Some(seen) = seen
                && let Some(b) = seen.pair(user, resource)
            {
                return Ok(existing_for_create(b, role));
            }
            match client.create(user, role, resource).await {
                Ok(_) => Ok(Outcome::Done),
                Err(e) if e.is_conflict() => match find(client, user, resource).await? {
                    Some(b) => Ok(existing_for_create(&b, role)),
                    None => Err(e),
                },
                Err(e) if may_have_created(&e) => match find(client, user, resource).await? {
                    Some(b) if b.role_id == *role => Ok(Outcome::Done),
                    Some(b) => Ok(existing_for_create(&b, role)),
                    // Not applied: creating is still safe.
                    None => client
                        .create(user, role, resource)
                        .await
                        .map(|_| Outcome::Done),
                },
                Err(e) => Err(e),
            }
        }
        Change::RoleChange(c) => {
            if let Some(seen) = seen {
                match seen.by_id.get(&c.binding) {
                    Some(b) if b.role_id == c.to.id => return Ok(Outcome::AlreadyDone),
                    Some(b) if b.role_id != c.from.id => {
                        return Ok(Outcome::Drifted(Drift::RoleChanged {
                            now: b.role_id.clone(),
                        }));
                    }
                    Some(_) => {}
                    None => {
                        return Ok(gone(seen.pair(&c.user.id, &c.resource.resource), &c.to.id));
                    }
                }
            }
            match client.update(&c.binding, &c.to.id).await {
                Ok(_) => Ok(Outcome::Done),
                Err(e) if e.is_not_found() => {
                    let now = find(client, &c.user.id, &c.resource.resource).await?;
                    Ok(gone(now.as_ref(), &c.to.id))
                }
                Err(e) => Err(e),
            }
        }
        Change::Revoke(r) => {
            if let Some(seen) = seen {
                match seen.by_id.get(&r.binding) {
                    None => return Ok(Outcome::AlreadyDone),
                    Some(b) if b.role_id != r.role.id => {
                        return Ok(Outcome::Drifted(Drift::RoleChanged {
                            now: b.role_id.clone(),
                        }));
                    }
                    Some(_) => {}
                }
            }
            match client.delete(&r.binding).await {
                Ok(()) => Ok(Outcome::Done),
                Err(e) if e.is_not_found() => Ok(Outcome::AlreadyDone),
                Err(e) => Err(e),
            }
        }
    }
}

fn existing_for_create(b: &RoleBinding, role: &RoleId) -> Outcome {
    if b.role_id == *role {
        Outcome::AlreadyDone
    } else {
        Outcome::Drifted(Drift::Exists {
            binding: b.id.clone(),
            role: b.role_id.clone(),
        })
    }
}

fn gone(now: Option<&RoleBinding>, to: &RoleId) -> Outcome {
    match now {
        Some(b) if b.role_id == *to => Outcome::AlreadyDone,
        Some(b) => Outcome::Drifted(Drift::Gone {
            now: Some((b.id.clone(), b.role_id.clone())),
        }),
        None => Outcome::Drifted(Drift::Gone { now: None }),
    }
}
