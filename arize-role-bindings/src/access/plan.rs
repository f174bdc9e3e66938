//! `plan`: what it takes to make the account match a desired state.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use futures::{StreamExt as _, TryStreamExt as _};
use serde::{Deserialize, Serialize};

use super::file::{
    DesiredState, DiagnosticKind, FileError, Mode, Pending, UsersScope, file_error, is_skipped,
};
use super::locate::FieldPath;
use super::resolve::{Catalog, Kinds, Named, Resolver, Unresolved};
use crate::{
    Client, Error, ListQuery, ProjectId, ReadAhead, Resource, ResourceType, RoleBinding,
    RoleBindingId, RoleId, SpaceId, UserId,
};

/// The version of the saved-plan format ([`Plan::version`]).
pub const PLAN_VERSION: u32 = 1;

/// The page size plans, applies and exports list with (the API's maximum).
pub(crate) const PAGE_SIZE: u32 = 100;

/// A resource with its name and, for a project, its space, when known.
///
/// Serialises as `resource_type`, `resource_id`, `name`, `space`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NamedResource {
    /// The resource.
    #[serde(flatten)]
    pub resource: Resource,
    /// Its name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A project's space, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space: Option<Named<SpaceId>>,
}

impl NamedResource {
    /// A resource without names.
    pub fn new(resource: Resource) -> Self {
        Self {
            resource,
            name: None,
            space: None,
        }
    }

    pub(crate) fn describe(resource: &Resource, catalog: &Catalog) -> Self {
        match resource {
            Resource::Space(id) => Self {
                resource: resource.clone(),
                name: catalog.space_name(id),
                space: None,
            },
            Resource::Project(id) => {
                let (name, space) = catalog.describe_project(id);
                Self {
                    resource: resource.clone(),
                    name,
                    space,
                }
            }
        }
    }
}

impl fmt::Display for NamedResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.resource.resource_type() {
            ResourceType::Project => "project",
            _ => "space",
        };
        match &self.name {
            Some(name) => write!(f, "{kind} {name} ({})", self.resource.id())?,
            None => write!(f, "{kind} {}", self.resource.id())?,
        }
        if let Some(space) = &self.space {
            write!(f, " in space {space}")?;
        }
        Ok(())
    }
}

/// The scope of a plan, resolved, as it is printed at the top of every
/// plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlanScope {
    /// Spaces whose space bindings the plan manages.
    pub spaces: Vec<Named<SpaceId>>,
    /// Projects whose project bindings the plan manages.
    pub projects: Vec<NamedResource>,
    /// Whose bindings may be revoked (authoritative mode); `None` for an
    /// additive file, which never revokes.
    pub users: Option<UsersScope>,
    /// Whether the scope was taken from the grants (an additive file with no
    /// scope of its own).
    pub from_grants: bool,
}

/// A binding to create.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Create {
    /// Who.
    pub user: Named<UserId>,
    /// Which role.
    pub role: Named<RoleId>,
    /// Where.
    pub resource: NamedResource,
}

/// A binding whose role changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoleChange {
    /// The binding (as the plan saw it).
    pub binding: RoleBindingId,
    /// Whose.
    pub user: Named<UserId>,
    /// Where.
    pub resource: NamedResource,
    /// The role the plan saw.
    pub from: Named<RoleId>,
    /// The role the file wants.
    pub to: Named<RoleId>,
}

/// A binding to revoke (authoritative mode), or one left as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Existing {
    /// The binding.
    pub binding: RoleBindingId,
    /// Whose.
    pub user: Named<UserId>,
    /// Its role, as the plan saw it.
    pub role: Named<RoleId>,
    /// Where.
    pub resource: NamedResource,
}

/// One change of a plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// Create a binding.
    Create(Create),
    /// Change a binding's role.
    RoleChange(RoleChange),
    /// Delete a binding.
    Revoke(Existing),
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Create(c) => write!(f, "+ {} gets {} on {}", c.user, c.role, c.resource),
            Self::RoleChange(c) => write!(
                f,
                "~ {} on {}: {} -> {}  [binding {}]",
                c.user, c.resource, c.from, c.to, c.binding
            ),
            Self::Revoke(r) => write!(
                f,
                "- {} loses {} on {}  [binding {}]",
                r.user, r.role, r.resource, r.binding
            ),
        }
    }
}

/// What it takes to make the account match a desired state: creates, role
/// changes and revocations, plus what is already right, each with IDs (and
/// names where known), and the scope and mode.
///
/// Serde (JSON) so it can be saved, reviewed and applied later; `Display`
/// prints a diff for people, like `terraform plan`. [`in_sync`](Self::in_sync)
/// is the check for CI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Plan {
    /// The format version ([`PLAN_VERSION`]).
    pub version: u32,
    /// The file the plan was made from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The file's mode.
    pub mode: Mode,
    /// What the plan manages.
    pub scope: PlanScope,
    /// Bindings to create.
    pub creates: Vec<Create>,
    /// Bindings whose role changes.
    pub changes: Vec<RoleChange>,
    /// Bindings to delete.
    pub revokes: Vec<Existing>,
    /// Bindings already as the file wants them.
    pub unchanged: Vec<Existing>,
    /// Bindings in the scope the file does not manage (an additive file, or
    /// users not listed with `users: listed`): left alone.
    pub not_managed: usize,
}

impl Plan {
    /// Whether the plan changes nothing.
    pub fn is_empty(&self) -> bool {
        self.creates.is_empty() && self.changes.is_empty() && self.revokes.is_empty()
    }

    /// Whether the account matches the file (the same as
    /// [`is_empty`](Self::is_empty)): the check for a CI job that detects
    /// drift.
    pub fn in_sync(&self) -> bool {
        self.is_empty()
    }

    /// How many changes the plan makes.
    pub fn len(&self) -> usize {
        self.creates.len() + self.changes.len() + self.revokes.len()
    }

    /// Every change, creates first, then role changes, then revocations.
    pub fn changes(&self) -> impl Iterator<Item = Change> + '_ {
        self.creates
            .iter()
            .cloned()
            .map(Change::Create)
            .chain(self.changes.iter().cloned().map(Change::RoleChange))
            .chain(self.revokes.iter().cloned().map(Change::Revoke))
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = self.source.as_deref().unwrap_or("desired state");
        writeln!(f, "Access plan for {source} (mode: {})", self.mode)?;
        let users = match self.scope.users {
            Some(users) => format!("revokes apply to {users}"),
            None => "additive: nothing is revoked".to_owned(),
        };
        let origin = if self.scope.from_grants {
            " (taken from the grants)"
        } else {
            ""
        };
        writeln!(f, "Scope{origin}: {users}")?;
        for space in &self.scope.spaces {
            let kind = NamedResource {
                resource: Resource::Space(space.id.clone()),
                name: space.name.clone(),
                space: None,
            };
            writeln!(f, "    {kind}")?;
        }
        for project in &self.scope.projects {
            writeln!(f, "    {project}")?;
        }
        if self.scope.spaces.is_empty() && self.scope.projects.is_empty() {
            writeln!(f, "    (no resources)")?;
        }
        writeln!(f)?;
        for change in self.changes() {
            writeln!(f, "  {change}")?;
        }
        if self.is_empty() {
            write!(
                f,
                "No changes: access matches the file ({} unchanged",
                self.unchanged.len()
            )?;
        } else {
            writeln!(f)?;
            write!(
                f,
                "Plan: {} to add, {} to change, {} to revoke ({} unchanged",
                self.creates.len(),
                self.changes.len(),
                self.revokes.len(),
                self.unchanged.len()
            )?;
        }
        if self.not_managed > 0 {
            write!(f, ", {} not managed by this file", self.not_managed)?;
        }
        f.write_str(").")
    }
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The desired state has problems (every one of them, with positions).
    #[error(transparent)]
    File(#[from] FileError),
    /// Listing bindings or loading the directory failed.
    #[error("could not read the current access: {0}")]
    Client(#[from] Error),
}

/// A grant with its references resolved.
struct Resolved {
    index: usize,
    user: Named<UserId>,
    role: Named<RoleId>,
    resource: NamedResource,
}

fn unresolved_message(kind: &str, value: &str, how: &str, why: &Unresolved) -> String {
    match why {
        Unresolved::NotFound { near } => {
            let hint = match near.as_slice() {
                [] => String::new(),
                [one] => format!("; did you mean `{one}`?"),
                many => format!(
                    "; did you mean one of {}?",
                    many.iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            format!("no {kind} {how} `{value}`{hint}")
        }
        Unresolved::Ambiguous { candidates } => format!(
            "the {kind} name `{value}` is ambiguous: {} match ({}); add `space:` to say which, \
             or give the ID",
            candidates.len(),
            candidates.join(", ")
        ),
        Unresolved::NeedsDirectory => format!(
            "`{value}` is not a {kind} ID, and names need the directory: plan with a resolver \
             that loads it (the client: `plan(&client, &state, &client)`), or give the \
             {kind}'s ID (base64 of `{}:...`)",
            match kind {
                "user" => "User",
                "role" => "Role",
                "space" => "Space",
                _ => "Project",
            }
        ),
    }
}

fn kind_of(why: &Unresolved) -> DiagnosticKind {
    match why {
        Unresolved::NotFound { .. } => DiagnosticKind::NotFound,
        Unresolved::Ambiguous { .. } => DiagnosticKind::Ambiguous,
        Unresolved::NeedsDirectory => DiagnosticKind::NeedsDirectory,
    }
}

/// Resolves the scope and the grants, collecting every problem.
fn resolve_all(
    state: &DesiredState,
    catalog: &Catalog,
) -> Result<(PlanScope, Vec<Resolved>), Vec<Pending>> {
    let mut pending = Vec::new();
    let root = FieldPath::default();
    let mut scope = PlanScope {
        spaces: Vec::new(),
        projects: Vec::new(),
        users: match state.mode {
            Mode::Authoritative => state.scope.users,
            Mode::Additive => None,
        },
        from_grants: false,
    };
    let space_path = root.key("scope").key("spaces");
    for (i, value) in state.scope.spaces.iter().enumerate() {
        match catalog.space(value) {
            Ok(space) => scope.spaces.push(space),
            Err(why) => pending.push(Pending::new(
                kind_of(&why),
                space_path.index(i),
                unresolved_message("space", value, "is named", &why),
            )),
        }
    }
    let project_path = root.key("scope").key("projects");
    for (i, project) in state.scope.projects.iter().enumerate() {
        let path = if project.space.is_some() {
            project_path.index(i).key("project")
        } else {
            project_path.index(i)
        };
        match catalog.project(&project.project, project.space.as_deref()) {
            Ok((p, space)) => scope.projects.push(NamedResource {
                resource: Resource::Project(p.id),
                name: p.name,
                space,
            }),
            Err(why) => pending.push(Pending::new(
                kind_of(&why),
                path,
                unresolved_message("project", &project.project, "is named", &why),
            )),
        }
    }

    let mut grants = Vec::new();
    for (index, grant) in state.grants.iter().enumerate() {
        if is_skipped(grant) {
            continue;
        }
        let path = root.key("grants").index(index);
        let user = catalog.user(&grant.user).map_err(|why| {
            Pending::new(
                kind_of(&why),
                path.key("user"),
                unresolved_message("user", &grant.user, "has the e-mail", &why),
            )
        });
        let role = catalog.role(&grant.role).map_err(|why| {
            Pending::new(
                kind_of(&why),
                path.key("role"),
                unresolved_message("role", &grant.role, "is named", &why),
            )
        });
        let resource = match (&grant.project, &grant.space) {
            (Some(project), space) => catalog
                .project(project, space.as_deref())
                .map(|(p, space)| NamedResource {
                    resource: Resource::Project(p.id),
                    name: p.name,
                    space,
                })
                .map_err(|why| {
                    Pending::new(
                        kind_of(&why),
                        path.key("project"),
                        unresolved_message("project", project, "is named", &why),
                    )
                }),
            (None, Some(space)) => catalog
                .space(space)
                .map(|s| NamedResource {
                    resource: Resource::Space(s.id),
                    name: s.name,
                    space: None,
                })
                .map_err(|why| {
                    Pending::new(
                        kind_of(&why),
                        path.key("space"),
                        unresolved_message("space", space, "is named", &why),
                    )
                }),
            // Reported when the file was read.
            (None, None) => continue,
        };
        match (user, role, resource) {
            (Ok(user), Ok(role), Ok(resource)) => grants.push(Resolved {
                index,
                user,
                role,
                resource,
            }),
            (user, role, resource) => {
                pending.extend(user.err());
                pending.extend(role.err());
                pending.extend(resource.err());
            }
        }
    }

    // An additive file without a scope manages the resources it names.
    if state.scope.is_empty() && state.mode == Mode::Additive {
        scope.from_grants = true;
        let mut spaces = BTreeSet::new();
        let mut projects = BTreeMap::new();
        for g in &grants {
            match &g.resource.resource {
                Resource::Space(id) => {
                    if spaces.insert(id.clone()) {
                        scope.spaces.push(Named {
                            id: id.clone(),
                            name: g.resource.name.clone(),
                        });
                    }
                }
                Resource::Project(id) => {
                    projects
                        .entry(id.clone())
                        .or_insert_with(|| g.resource.clone());
                }
            }
        }
        scope.projects = projects.into_values().collect();
    }
    scope.spaces.sort_by(|a, b| a.id.cmp(&b.id));
    scope.spaces.dedup_by(|a, b| a.id == b.id);
    scope.projects.sort_by(|a, b| a.resource.cmp(&b.resource));
    scope.projects.dedup_by(|a, b| a.resource == b.resource);

    // Every grant inside the scope; one role per user and resource.
    let in_scope = ScopeSet::of(&scope);
    let mut seen: HashMap<(&UserId, &Resource), (usize, &RoleId)> = HashMap::new();
    for g in &grants {
        let path = root.key("grants").index(g.index);
        if !in_scope.contains(&g.resource.resource) {
            let (field, list) = match g.resource.resource {
                Resource::Project(_) => ("project", "scope.projects"),
                _ => ("space", "scope.spaces"),
            };
            pending.push(Pending::new(
                DiagnosticKind::OutsideScope,
                path.key(field),
                format!(
                    "{} is outside the file's scope; add it to `{list}` or remove the grant",
                    g.resource
                ),
            ));
        }
        let key = (&g.user.id, &g.resource.resource);
        match seen.get(&key) {
            Some((first, role)) if **role != g.role.id => {
                // Conflicts between identical spellings were reported when
                // the file was read.
                let a = &state.grants[*first];
                let b = &state.grants[g.index];
                let same_spelling =
                    a.user.eq_ignore_ascii_case(&b.user) && a.resource_key() == b.resource_key();
                if !same_spelling {
                    pending.push(Pending::new(
                        DiagnosticKind::Conflict,
                        path.key("role"),
                        format!(
                            "user {} is listed twice on {} with two roles: grants[{first}] \
                             (`{}`) and this one (`{}`); a user holds one role per resource, \
                             keep one grant",
                            g.user, g.resource, a.role, b.role
                        ),
                    ));
                }
            }
            Some(_) => {}
            None => {
                seen.insert(key, (g.index, &g.role.id));
            }
        }
    }
    if pending.is_empty() {
        Ok((scope, grants))
    } else {
        Err(pending)
    }
}

/// The resources of a scope, for membership tests.
#[derive(Default)]
pub(crate) struct ScopeSet {
    spaces: HashSet<SpaceId>,
    projects: HashSet<ProjectId>,
}

impl ScopeSet {
    pub(crate) fn of(scope: &PlanScope) -> Self {
        Self {
            spaces: scope.spaces.iter().map(|s| s.id.clone()).collect(),
            projects: scope
                .projects
                .iter()
                .filter_map(|p| match &p.resource {
                    Resource::Project(id) => Some(id.clone()),
                    _ => None,
                })
                .collect(),
        }
    }

    pub(crate) fn contains(&self, resource: &Resource) -> bool {
        match resource {
            Resource::Space(id) => self.spaces.contains(id),
            Resource::Project(id) => self.projects.contains(id),
        }
    }
}

/// Every binding of one resource type, all pages, one page read ahead.
pub(crate) async fn list_all(
    client: &Client,
    resource_type: ResourceType,
    wanted: bool,
) -> Result<Vec<RoleBinding>, Error> {
    if !wanted {
        return Ok(Vec::new());
    }
    client
        .list(
            ListQuery::new(resource_type)
                .limit(PAGE_SIZE)
                .read_ahead(ReadAhead::OnePage),
        )
        .try_collect()
        .await
}

/// The bindings a plan reads, indexed by resource, then user, as they
/// arrive: a binding's user and resource are moved into the index (the
/// resource once per resource), and only its ID and role kept, so nothing
/// is held twice (no list of every binding next to the index).
#[derive(Default)]
struct Current {
    by_resource: HashMap<Resource, HashMap<UserId, (RoleBindingId, RoleId)>>,
    /// A second binding of one (user, resource), should a server list two:
    /// treated as unlisted.
    extra: Vec<RoleBinding>,
    /// How many bindings the listing returned.
    read: u64,
}

impl Current {
    /// Every binding of the wanted resource types, spaces and projects
    /// listed concurrently (all pages, one page read ahead each).
    async fn read(
        client: &Client,
        spaces: bool,
        projects: bool,
        on_read: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<Self, Error> {
        let listing = |t: ResourceType, wanted: bool| {
            let stream = wanted.then(|| {
                client.list(
                    ListQuery::new(t)
                        .limit(PAGE_SIZE)
                        .read_ahead(ReadAhead::OnePage),
                )
            });
            futures::stream::iter(stream).flatten()
        };
        futures::stream::select(
            listing(ResourceType::Space, spaces),
            listing(ResourceType::Project, projects),
        )
        .try_fold(Self::default(), |mut current, binding| {
            current.insert(binding);
            current.read += 1;
            on_read(current.read);
            futures::future::ready(Ok(current))
        })
        .await
    }

    fn insert(&mut self, binding: RoleBinding) {
        let RoleBinding {
            id,
            role_id,
            user_id,
            resource,
            created_at,
            updated_at,
        } = binding;
        if !self.by_resource.contains_key(&resource) {
            self.by_resource.insert(resource.clone(), HashMap::new());
        }
        let Some(users) = self.by_resource.get_mut(&resource) else {
            return;
        };
        match users.entry(user_id) {
            std::collections::hash_map::Entry::Occupied(first) => self.extra.push(RoleBinding {
                id,
                role_id,
                user_id: first.key().clone(),
                resource,
                created_at,
                updated_at,
            }),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert((id, role_id));
            }
        }
    }

    /// Keeps the bindings on resources of the scope only.
    fn retain(&mut self, in_scope: &ScopeSet) {
        self.by_resource.retain(|r, _| in_scope.contains(r));
        self.extra.retain(|b| in_scope.contains(&b.resource));
    }

    /// Takes the binding of `user` on `resource`: its ID and role.
    fn take(&mut self, user: &UserId, resource: &Resource) -> Option<(RoleBindingId, RoleId)> {
        self.by_resource.get_mut(resource)?.remove(user)
    }

    /// What was not taken (bindings only; their timestamps are not kept).
    fn into_left(self) -> impl Iterator<Item = RoleBinding> {
        self.by_resource
            .into_iter()
            .flat_map(|(resource, users)| {
                users.into_iter().map(move |(user, (id, role))| {
                    RoleBinding::new(id, user, role, resource.clone())
                })
            })
            .chain(self.extra)
    }
}

/// Makes a [`Plan`]: resolves the file's names through `resolver` (one
/// load, each kind in one pass), reads every binding of the scope's
/// resource types (all pages, spaces and projects concurrently, one page
/// read ahead), and compares. Costs the listing pages and the resolver's
/// pages, nothing per grant.
///
/// ```no_run
/// use arize_role_bindings::Client;
/// use arize_role_bindings::access::{self, DesiredState, IdsOnly};
///
/// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let state = DesiredState::from_path("access.yaml")?;
/// let plan = access::plan(&client, &state, &IdsOnly).await?;
/// println!("{plan}");
/// if !plan.in_sync() {
///     std::process::exit(2); // drift, as `terraform plan -detailed-exitcode`
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// [`PlanError::File`] with every problem of the file (names that do not
/// resolve, grants outside the scope, a user with two roles on one
/// resource, and what [`DesiredState::parse`] checks for a state built in
/// code); [`PlanError::Client`] when a listing fails.
pub async fn plan<R: Resolver + ?Sized>(
    client: &Client,
    state: &DesiredState,
    resolver: &R,
) -> Result<Plan, PlanError> {
    plan_with_progress(client, state, resolver, &|_| {}).await
}

/// As [`plan`], calling `on_read` with the number of bindings read so far
/// each time one arrives from the listing (both resource types together),
/// for a progress indicator. It is called on the task that awaits the
/// plan; keep it quick (a counter, an indicatif `set_position`).
///
/// ```no_run
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use arize_role_bindings::Client;
/// use arize_role_bindings::access::{self, DesiredState};
///
/// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let state = DesiredState::from_path("access.yaml")?;
/// let read = AtomicU64::new(0);
/// let plan = access::plan_with_progress(&client, &state, &client, &|n| {
///     read.store(n, Ordering::Relaxed);
/// })
/// .await?;
/// println!("{} bindings read; {plan}", read.load(Ordering::Relaxed));
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// As [`plan`].
pub async fn plan_with_progress<R: Resolver + ?Sized>(
    client: &Client,
    state: &DesiredState,
    resolver: &R,
    on_read: &(dyn Fn(u64) + Send + Sync),
) -> Result<Plan, PlanError> {
    let offline = state.offline_problems();
    if !offline.is_empty() {
        return Err(file_error(state.source.as_ref(), offline).into());
    }
    // Which resource types to read follows from the file as written.
    let from_grants = state.scope.is_empty();
    let wants_spaces = !state.scope.spaces.is_empty()
        || (from_grants && state.grants.iter().any(|g| g.project.is_none()));
    let wants_projects = !state.scope.projects.is_empty()
        || (from_grants && state.grants.iter().any(|g| g.project.is_some()));
    let (catalog, current) = futures::try_join!(
        resolver.load(Kinds::ALL),
        Current::read(client, wants_spaces, wants_projects, on_read),
    )?;
    let (scope, grants) = resolve_all(state, &catalog)
        .map_err(|pending| file_error(state.source.as_ref(), pending))?;
    Ok(diff(state, &catalog, scope, grants, current))
}

fn diff(
    state: &DesiredState,
    catalog: &Catalog,
    scope: PlanScope,
    mut grants: Vec<Resolved>,
    mut current: Current,
) -> Plan {
    current.retain(&ScopeSet::of(&scope));
    let listed: HashSet<UserId> = grants.iter().map(|g| g.user.id.clone()).collect();
    let mut plan = Plan {
        version: PLAN_VERSION,
        source: state.source_name().map(str::to_owned),
        mode: state.mode,
        scope,
        creates: Vec::new(),
        changes: Vec::new(),
        revokes: Vec::new(),
        unchanged: Vec::new(),
        not_managed: 0,
    };
    // By (resource, user); of two grants of one (user, resource) the
    // first counts (a stable sort keeps it first).
    grants.sort_by(|a, b| {
        (&a.resource.resource, &a.user.id).cmp(&(&b.resource.resource, &b.user.id))
    });
    grants.dedup_by(|later, first| {
        later.resource.resource == first.resource.resource && later.user.id == first.user.id
    });
    for g in grants {
        match current.take(&g.user.id, &g.resource.resource) {
            None => plan.creates.push(Create {
                user: g.user,
                role: g.role,
                resource: g.resource,
            }),
            Some((id, role_id)) if role_id == g.role.id => plan.unchanged.push(Existing {
                binding: id,
                user: g.user,
                role: g.role,
                resource: g.resource,
            }),
            Some((id, role_id)) => plan.changes.push(RoleChange {
                binding: id,
                user: g.user,
                resource: g.resource,
                from: Named {
                    name: catalog.role_name(&role_id),
                    id: role_id,
                },
                to: g.role,
            }),
        }
    }
    let mut left: Vec<RoleBinding> = current.into_left().collect();
    left.sort_by(|a, b| (&a.resource, &a.user_id, &a.id).cmp(&(&b.resource, &b.user_id, &b.id)));
    for b in left {
        let revocable = match plan.scope.users {
            Some(UsersScope::All) => true,
            Some(UsersScope::Listed) => listed.contains(&b.user_id),
            None => false,
        };
        if revocable {
            plan.revokes.push(Existing {
                user: Named {
                    name: catalog.user_email(&b.user_id),
                    id: b.user_id,
                },
                role: Named {
                    name: catalog.role_name(&b.role_id),
                    id: b.role_id,
                },
                resource: NamedResource::describe(&b.resource, catalog),
                binding: b.id,
            });
        } else {
            plan.not_managed += 1;
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn named_resource_json_has_flat_fields_and_round_trips() {
        let r = NamedResource {
            resource: Resource::Project(ProjectId::new("UHJvamVjdDo1OmFCY0Q=")),
            name: Some("web".into()),
            space: Some(Named::id(SpaceId::new("U3BhY2U6MTpWNEth"))),
        };
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "resource_type": "PROJECT",
                "resource_id": "UHJvamVjdDo1OmFCY0Q=",
                "name": "web",
                "space": {"id": "U3BhY2U6MTpWNEth"}
            })
        );
        let back: NamedResource = serde_json::from_value(json).unwrap();
        assert_eq!(back, r);
    }
}
