//! The in-memory state and the rules of the operations: the role
//! bindings, the directory they point into (users, roles, spaces,
//! projects; see `directory.rs`) and the cursors of every list.
//!
//! Everything here is synchronous and runs under one mutex, so each
//! operation — in particular the one-binding-per-(user, resource) check and
//! the insert — is atomic.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use arize_api::types::{
    CreateRoleBindingRequest, Id, ListProjectsResponse, ListRoleBindingsResponse,
    ListRolesResponse, ListSpacesResponse, ListUsersResponse, PaginationMetadata, Project, Role,
    RoleBinding, RoleBindingResourceType, Space, UpdateRoleBindingRequest, User, UserRole,
    UserRoleAssignment, UserStatus,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

use crate::directory::{
    DEFAULT_CUSTOM_PERMISSIONS, Key, PREDEFINED_ROLES, Table, contains_ci, id, page_of, permissions,
};
use crate::ids::{definite_type, encode_global_id, random_suffix};
use crate::problem::Rejection;
use crate::seed::{Seed, SeedError, SeedProject, SeedRole, SeedSpace, SeedUser};

/// The clock the store stamps `created_at`/`updated_at` with.
pub(crate) type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The default clock: now, truncated to milliseconds.
pub(crate) fn system_clock() -> Clock {
    Arc::new(|| {
        let now = Utc::now();
        DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
    })
}

/// When the seeded directory records were created, unless the seed says:
/// 2020-01-01T00:00:00Z (then one second per record).
pub(crate) const SEEDED_AT: i64 = 1_577_836_800;

/// How many cursors the server remembers before forgetting the oldest.
pub(crate) const DEFAULT_MAX_CURSORS: usize = 100_000;

/// Models: IDs only (no directory operation reads them).
#[derive(Debug, Default)]
struct Entities {
    type_name: &'static str,
    ids: Vec<String>,
    set: HashSet<String>,
    next_n: u64,
}

impl Entities {
    fn new(type_name: &'static str) -> Self {
        Self {
            type_name,
            next_n: 1,
            ..Self::default()
        }
    }

    fn generate(&mut self, rng: &mut StdRng) -> String {
        loop {
            let id = encode_global_id(self.type_name, self.next_n, &random_suffix(rng));
            self.next_n += 1;
            if self.set.insert(id.clone()) {
                self.ids.push(id.clone());
                return id;
            }
        }
    }

    fn add(&mut self, id: String) -> Result<(), SeedError> {
        if !self.set.insert(id.clone()) {
            return Err(SeedError::Invalid(format!(
                "{} ID {id} is listed twice",
                self.type_name
            )));
        }
        self.ids.push(id);
        Ok(())
    }

    fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }
}

/// The filters of one list call; a cursor is good only for the same list
/// with the same filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ListFilter {
    RoleBindings {
        resource_type: RoleBindingResourceType,
        user_id: Option<String>,
    },
    Users {
        /// Lower-cased.
        email: Option<String>,
        status: BTreeSet<UserStatus>,
    },
    Roles {
        is_predefined: Option<bool>,
    },
    Spaces {
        org_id: Option<String>,
        /// Lower-cased.
        name: Option<String>,
    },
    Projects {
        space_id: Option<String>,
        /// Lower-cased.
        space_name: Option<String>,
        /// Lower-cased.
        name: Option<String>,
    },
}

impl ListFilter {
    /// The filters' names, for the "other filters" problem.
    fn names(&self) -> &'static str {
        match self {
            ListFilter::RoleBindings { .. } => "resource_type, user_id",
            ListFilter::Users { .. } => "email, status",
            ListFilter::Roles { .. } => "is_predefined",
            ListFilter::Spaces { .. } => "org_id, name",
            ListFilter::Projects { .. } => "space_id, space_name, name",
        }
    }
}

/// Where a list resumes: at the start, after this binding sequence
/// number, or after this directory key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Start,
    Seq(u64),
    Key(Key),
}

/// Where a cursor resumes and which filters it was issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CursorState {
    after: Position,
    filter: ListFilter,
}

/// How a list answer misbehaves (pagination faults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListMode {
    Normal,
    /// `next_cursor` is the cursor the client sent (the first page hands out
    /// a real one): following it, the same page comes back.
    RepeatCursor,
    /// A real page with `has_more: true` and no `next_cursor`.
    HasMoreWithoutCursor,
    /// An empty page with `has_more: true` and a fresh cursor, forever.
    EndlessEmptyPages,
}

/// Validated list parameters.
#[derive(Debug, Clone)]
pub(crate) struct ListParams {
    pub(crate) filter: ListFilter,
    pub(crate) limit: usize,
    pub(crate) cursor: Option<String>,
}

/// The store.
pub(crate) struct Store {
    rng: StdRng,
    clock: Clock,
    users: Table<User>,
    roles: Table<Role>,
    spaces: Table<Space>,
    projects: Table<Project>,
    models: Entities,
    /// Lower-cased e-mail addresses of the users.
    emails: HashSet<String>,
    role_names: HashSet<String>,
    /// Space name → ID.
    space_names: HashMap<String, String>,
    /// (space ID, project name).
    project_names: HashSet<(String, String)>,
    /// How many custom roles were added (for "Custom Role k").
    custom_roles: u64,
    /// While seeding: how many directory records got a seeded time.
    seeding: Option<i64>,
    /// Bindings by their monotonic insertion sequence number.
    bindings: BTreeMap<u64, RoleBinding>,
    by_id: HashMap<String, u64>,
    /// (user, resource type, resource) pairs that have a binding.
    pairs: HashSet<(String, RoleBindingResourceType, String)>,
    next_seq: u64,
    cursors: HashMap<String, CursorState>,
    cursor_order: VecDeque<String>,
    max_cursors: usize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("users", &self.users.len())
            .field("roles", &self.roles.len())
            .field("spaces", &self.spaces.len())
            .field("projects", &self.projects.len())
            .field("models", &self.models.ids.len())
            .field("bindings", &self.bindings.len())
            .field("cursors", &self.cursors.len())
            .finish_non_exhaustive()
    }
}

fn check_not_empty(field: &str, value: &str) -> Result<(), Rejection> {
    if value.is_empty() {
        Err(Rejection::bad_request(format!("{field} must not be empty")))
    } else {
        Ok(())
    }
}

/// 422 when a body ID decodes to a known type other than the expected ones.
fn check_body_type(field: &str, value: &str, expected: &[&str]) -> Result<(), Rejection> {
    match definite_type(value) {
        Some(found) if !expected.contains(&found) => Err(Rejection::unprocessable(format!(
            "{field} must encode a {} ID, but encodes a {found} ID",
            expected.join(" or ")
        ))),
        _ => Ok(()),
    }
}

impl Store {
    pub(crate) fn new(seed: &Seed, clock: Clock, max_cursors: usize) -> Result<Self, SeedError> {
        let rng = match seed.rng_seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_rng(&mut rand::rng()),
        };
        let mut store = Self {
            rng,
            clock,
            users: Table::new("User"),
            roles: Table::new("Role"),
            spaces: Table::new("Space"),
            projects: Table::new("Project"),
            models: Entities::new("Model"),
            emails: HashSet::new(),
            role_names: HashSet::new(),
            space_names: HashMap::new(),
            project_names: HashSet::new(),
            custom_roles: 0,
            seeding: Some(0),
            bindings: BTreeMap::new(),
            by_id: HashMap::new(),
            pairs: HashSet::new(),
            next_seq: 1,
            cursors: HashMap::new(),
            cursor_order: VecDeque::new(),
            max_cursors: max_cursors.max(1),
        };
        let invalid = |r: Rejection| SeedError::Invalid(r.detail);
        // The order of the kinds and one random suffix per generated ID
        // keep the IDs of a given `rng_seed` what they were before the
        // directory had names: users, custom roles, spaces, projects,
        // models. The predefined roles have fixed IDs (no draw) and come
        // after the custom ones.
        for user in seed
            .explicit_users
            .iter()
            .cloned()
            .chain(std::iter::repeat_n(SeedUser::default(), seed.users))
        {
            store.insert_user(&user).map_err(invalid)?;
        }
        for role in seed
            .explicit_roles
            .iter()
            .cloned()
            .chain(std::iter::repeat_n(SeedRole::default(), seed.roles))
        {
            store.insert_role(&role).map_err(invalid)?;
        }
        let custom_roles = store.roles.ids();
        if seed.predefined_roles {
            store.add_predefined_roles().map_err(invalid)?;
        }
        for space in seed
            .explicit_spaces
            .iter()
            .cloned()
            .chain(std::iter::repeat_n(SeedSpace::default(), seed.spaces))
        {
            store.insert_space(&space).map_err(invalid)?;
        }
        // Generated bindings use the spaces asked for, not the `default`
        // space made for projects seeded without any.
        let binding_spaces = store.spaces.ids();
        for project in seed
            .explicit_projects
            .iter()
            .cloned()
            .chain(std::iter::repeat_n(SeedProject::default(), seed.projects))
        {
            store.insert_project(&project).map_err(invalid)?;
        }
        store.seeding = None;
        for id in &seed.explicit_models {
            store.models.add(id.clone())?;
        }
        for _ in 0..seed.models {
            store.models.generate(&mut store.rng);
        }
        for b in &seed.explicit_bindings {
            let request = CreateRoleBindingRequest {
                resource_id: Id(b.resource_id.clone()),
                resource_type: b.resource_type,
                role_id: Id(b.role_id.clone()),
                user_id: Id(b.user_id.clone()),
            };
            store
                .create(&request)
                .map_err(|r| SeedError::Invalid(format!("binding {b:?}: {}", r.detail)))?;
        }
        // Generated bindings cycle through the custom roles; through the
        // predefined ones only when there is no custom role.
        let binding_roles = if custom_roles.is_empty() {
            store.roles.ids()
        } else {
            custom_roles
        };
        store.generate_bindings(seed.bindings, &binding_spaces, &binding_roles)?;
        Ok(store)
    }

    /// Arize's predefined roles, with the same fixed IDs on every server
    /// (`Role:0:ADMIN`, `Role:0:MEMBER`, `Role:0:READ_ONLY`,
    /// `Role:0:ANNOTATOR`, base64).
    fn add_predefined_roles(&mut self) -> Result<(), Rejection> {
        for (slug, name, description, names) in PREDEFINED_ROLES {
            let role_id = encode_global_id("Role", 0, slug);
            let now = self.record_time();
            self.put_role(Role {
                created_at: now,
                description: Some(description.to_owned()),
                id: id(&role_id),
                is_predefined: true,
                name: name.to_owned(),
                permissions: permissions(names),
                updated_at: now,
            })?;
        }
        Ok(())
    }

    fn put_role(&mut self, role: Role) -> Result<Role, Rejection> {
        if self.role_names.contains(&role.name) {
            return Err(Rejection::conflict(format!(
                "a role named {:?} already exists",
                role.name
            )));
        }
        self.roles
            .insert(role.clone())
            .map_err(Rejection::conflict)?;
        self.role_names.insert(role.name.clone());
        Ok(role)
    }

    /// An explicit ID, or the next generated one; with the number for the
    /// default name.
    fn next_id<T: crate::directory::Record>(
        table: &mut Table<T>,
        rng: &mut StdRng,
        explicit: Option<&String>,
    ) -> Result<(u64, String), Rejection> {
        match explicit {
            Some(given) => {
                check_not_empty("id", given)?;
                if table.contains(given) {
                    return Err(Rejection::conflict(format!(
                        "{} ID {given} is listed twice",
                        table.type_name()
                    )));
                }
                // "User 42" for `User:42:…`, so that generated numbers (and
                // IDs) stay as they were; a number from the counter for an
                // ID that does not decode to one.
                let n = crate::ids::decode_global_id(given)
                    .and_then(|text| text.split(':').nth(1)?.parse::<u64>().ok())
                    .unwrap_or_else(|| table.take_number());
                Ok((n, given.clone()))
            }
            None => Ok(table.fresh_id(rng)),
        }
    }

    /// Adds a custom role; what `spec` leaves out is generated.
    pub(crate) fn insert_role(&mut self, spec: &SeedRole) -> Result<Role, Rejection> {
        let (_, role_id) = Self::next_id(&mut self.roles, &mut self.rng, spec.id.as_ref())?;
        let name = match &spec.name {
            Some(name) => name.clone(),
            None => loop {
                self.custom_roles += 1;
                let name = format!("Custom Role {}", self.custom_roles);
                if !self.role_names.contains(&name) {
                    break name;
                }
            },
        };
        check_not_empty("name", &name)?;
        let at = spec.created_at.unwrap_or_else(|| self.record_time());
        let names: Vec<&str> = match &spec.permissions {
            Some(given) => given.iter().map(String::as_str).collect(),
            None => DEFAULT_CUSTOM_PERMISSIONS.to_vec(),
        };
        self.put_role(Role {
            created_at: at,
            description: spec.description.clone(),
            id: id(&role_id),
            is_predefined: false,
            name,
            permissions: permissions(&names),
            updated_at: at,
        })
    }

    /// Adds a user; what `spec` leaves out is generated.
    pub(crate) fn insert_user(&mut self, spec: &SeedUser) -> Result<User, Rejection> {
        if let Some(email) = &spec.email
            && self.emails.contains(&email.to_lowercase())
        {
            return Err(Rejection::conflict(format!(
                "a user with e-mail {email} already exists"
            )));
        }
        let (user_id, email, n) = loop {
            let (n, user_id) = Self::next_id(&mut self.users, &mut self.rng, spec.id.as_ref())?;
            let email = spec
                .email
                .clone()
                .unwrap_or_else(|| format!("user{n}@example.com"));
            if !self.emails.contains(&email.to_lowercase()) {
                break (user_id, email, n);
            }
        };
        check_not_empty("email", &email)?;
        let name = spec.name.clone().unwrap_or_else(|| format!("User {n}"));
        let user = User {
            created_at: spec.created_at.unwrap_or_else(|| self.record_time()),
            email,
            id: id(&user_id),
            is_developer: spec.is_developer.unwrap_or(true),
            name,
            role: spec.role.clone().unwrap_or(UserRoleAssignment::Predefined {
                name: UserRole::Member,
            }),
            status: spec.status.unwrap_or(UserStatus::Active),
        };
        self.users
            .insert(user.clone())
            .map_err(Rejection::conflict)?;
        self.emails.insert(user.email.to_lowercase());
        Ok(user)
    }

    /// Adds a space; what `spec` leaves out is generated.
    pub(crate) fn insert_space(&mut self, spec: &SeedSpace) -> Result<Space, Rejection> {
        if let Some(name) = &spec.name
            && self.space_names.contains_key(name)
        {
            return Err(Rejection::conflict(format!(
                "a space named {name:?} already exists"
            )));
        }
        let (space_id, name) = loop {
            let (n, space_id) = Self::next_id(&mut self.spaces, &mut self.rng, spec.id.as_ref())?;
            let name = spec.name.clone().unwrap_or_else(|| format!("space-{n}"));
            if !self.space_names.contains_key(&name) {
                break (space_id, name);
            }
        };
        check_not_empty("name", &name)?;
        let space = Space {
            created_at: spec.created_at.unwrap_or_else(|| self.record_time()),
            description: spec.description.clone().unwrap_or_default(),
            id: id(&space_id),
            name,
        };
        self.spaces
            .insert(space.clone())
            .map_err(Rejection::conflict)?;
        self.space_names
            .insert(space.name.clone(), space.id.0.clone());
        Ok(space)
    }

    /// Adds a project; what `spec` leaves out is generated. Its space is
    /// given by ID or name, else the spaces in turn; with no space at all,
    /// a space named `default` is created for it.
    pub(crate) fn insert_project(&mut self, spec: &SeedProject) -> Result<Project, Rejection> {
        let space_id = match &spec.space {
            Some(given) if self.spaces.contains(given) => given.clone(),
            Some(given) => self.space_names.get(given).cloned().ok_or_else(|| {
                Rejection::not_found(format!("no space with ID or name {given:?}"))
            })?,
            None => {
                if self.spaces.len() == 0 {
                    // A fixed ID: no random draw, so the projects' IDs stay
                    // what they were before projects had a space.
                    self.insert_space(
                        &SeedSpace::default()
                            .id(encode_global_id("Space", 0, "default"))
                            .name("default")
                            .description(
                                "Made by the fake server for projects seeded without a space",
                            ),
                    )?;
                }
                let spaces = self.spaces.ids();
                let turn = self.projects.len() % spaces.len().max(1);
                spaces.get(turn).cloned().unwrap_or_default()
            }
        };
        if let Some(name) = &spec.name
            && self
                .project_names
                .contains(&(space_id.clone(), name.clone()))
        {
            return Err(Rejection::conflict(format!(
                "a project named {name:?} already exists in that space"
            )));
        }
        let (project_id, name) = loop {
            let (n, project_id) =
                Self::next_id(&mut self.projects, &mut self.rng, spec.id.as_ref())?;
            let name = spec.name.clone().unwrap_or_else(|| format!("project-{n}"));
            if !self
                .project_names
                .contains(&(space_id.clone(), name.clone()))
            {
                break (project_id, name);
            }
        };
        check_not_empty("name", &name)?;
        let project = Project {
            created_at: spec.created_at.unwrap_or_else(|| self.record_time()),
            id: id(&project_id),
            name,
            space_id: id(&space_id),
        };
        self.projects
            .insert(project.clone())
            .map_err(Rejection::conflict)?;
        self.project_names.insert((space_id, project.name.clone()));
        Ok(project)
    }

    fn generate_bindings(
        &mut self,
        wanted: usize,
        spaces: &[String],
        roles: &[String],
    ) -> Result<(), SeedError> {
        if wanted == 0 {
            return Ok(());
        }
        if roles.is_empty() {
            return Err(SeedError::NoRoles);
        }
        let projects = self.projects.ids();
        let users = self.users.ids();
        let resources: Vec<(RoleBindingResourceType, String)> = spaces
            .iter()
            .map(|id| (RoleBindingResourceType::Space, id.clone()))
            .chain(
                projects
                    .iter()
                    .chain(&self.models.ids)
                    .map(|id| (RoleBindingResourceType::Project, id.clone())),
            )
            .collect();
        let mut candidates = Vec::new();
        for (resource_type, resource_id) in &resources {
            for user in &users {
                if !self
                    .pairs
                    .contains(&(user.clone(), *resource_type, resource_id.clone()))
                {
                    candidates.push((user.clone(), *resource_type, resource_id.clone()));
                }
            }
        }
        if candidates.len() < wanted {
            return Err(SeedError::TooManyBindings {
                wanted,
                available: candidates.len(),
            });
        }
        for (i, (user, resource_type, resource_id)) in
            candidates.into_iter().take(wanted).enumerate()
        {
            let role = roles[i % roles.len()].clone();
            self.insert(user, role, resource_type, resource_id);
        }
        Ok(())
    }

    // ----- accessors -----

    pub(crate) fn users(&self) -> Vec<String> {
        self.users.ids()
    }
    pub(crate) fn roles(&self) -> Vec<String> {
        self.roles.ids()
    }
    pub(crate) fn spaces(&self) -> Vec<String> {
        self.spaces.ids()
    }
    pub(crate) fn projects(&self) -> Vec<String> {
        self.projects.ids()
    }
    pub(crate) fn user_records(&self) -> Vec<User> {
        self.users.in_insertion_order()
    }
    pub(crate) fn role_records(&self) -> Vec<Role> {
        self.roles.in_insertion_order()
    }
    pub(crate) fn space_records(&self) -> Vec<Space> {
        self.spaces.in_insertion_order()
    }
    pub(crate) fn project_records(&self) -> Vec<Project> {
        self.projects.in_insertion_order()
    }
    pub(crate) fn models(&self) -> Vec<String> {
        self.models.ids.clone()
    }
    pub(crate) fn bindings(&self) -> Vec<RoleBinding> {
        self.bindings.values().cloned().collect()
    }
    pub(crate) fn binding(&self, id: &str) -> Option<RoleBinding> {
        self.by_id
            .get(id)
            .and_then(|seq| self.bindings.get(seq))
            .cloned()
    }
    pub(crate) fn cursor_count(&self) -> usize {
        self.cursors.len()
    }

    // A generated entry never collides (numbers and names are skipped
    // until free), so these cannot fail; the empty string is unreachable.
    pub(crate) fn add_user(&mut self) -> String {
        self.insert_user(&SeedUser::default())
            .map(|u| u.id.0)
            .unwrap_or_default()
    }
    pub(crate) fn add_role(&mut self) -> String {
        self.insert_role(&SeedRole::default())
            .map(|r| r.id.0)
            .unwrap_or_default()
    }
    pub(crate) fn add_space(&mut self) -> String {
        self.insert_space(&SeedSpace::default())
            .map(|s| s.id.0)
            .unwrap_or_default()
    }
    pub(crate) fn add_project(&mut self) -> String {
        self.insert_project(&SeedProject::default())
            .map(|p| p.id.0)
            .unwrap_or_default()
    }
    pub(crate) fn add_model(&mut self) -> String {
        self.models.generate(&mut self.rng)
    }

    // ----- operations -----

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// The `created_at` of a directory record that names none: while
    /// seeding, [`SEEDED_AT`] plus one second per record (so seeded
    /// records are older than anything added later, listed in seeding
    /// order, and seeding never reads the clock — bindings' times stay
    /// what an injected clock makes them); afterwards the clock.
    fn record_time(&mut self) -> DateTime<Utc> {
        match &mut self.seeding {
            Some(k) => {
                *k += 1;
                DateTime::from_timestamp(SEEDED_AT + *k - 1, 0).unwrap_or_default()
            }
            None => self.now(),
        }
    }

    fn insert(
        &mut self,
        user_id: String,
        role_id: String,
        resource_type: RoleBindingResourceType,
        resource_id: String,
    ) -> RoleBinding {
        let seq = self.next_seq;
        self.next_seq += 1;
        let id = encode_global_id("RoleBinding", seq, &random_suffix(&mut self.rng));
        let now = self.now();
        let binding = RoleBinding {
            created_at: now,
            id: Id(id.clone()),
            resource_id: Id(resource_id.clone()),
            resource_type,
            role_id: Id(role_id),
            updated_at: now,
            user_id: Id(user_id.clone()),
        };
        self.pairs.insert((user_id, resource_type, resource_id));
        self.by_id.insert(id, seq);
        self.bindings.insert(seq, binding.clone());
        binding
    }

    /// `POST /v2/role-bindings`. Checks, in order: empty IDs (400); IDs of a
    /// definite wrong type (422); the resource (403); the user, then the
    /// role (404); an existing binding for (user, resource) (409).
    pub(crate) fn create(
        &mut self,
        request: &CreateRoleBindingRequest,
    ) -> Result<RoleBinding, Rejection> {
        let user_id = request.user_id.0.as_str();
        let role_id = request.role_id.0.as_str();
        let resource_id = request.resource_id.0.as_str();
        check_not_empty("user_id", user_id)?;
        check_not_empty("role_id", role_id)?;
        check_not_empty("resource_id", resource_id)?;
        check_body_type("user_id", user_id, &["User"])?;
        check_body_type("role_id", role_id, &["Role"])?;
        let resource_exists = match request.resource_type {
            RoleBindingResourceType::Space => {
                check_body_type("resource_id", resource_id, &["Space"]).map_err(|_| {
                    Rejection::unprocessable(
                        "resource_id must encode a SPACE ID when resource_type is SPACE",
                    )
                })?;
                self.spaces.contains(resource_id)
            }
            RoleBindingResourceType::Project => {
                check_body_type("resource_id", resource_id, &["Project", "Model"]).map_err(
                    |_| {
                        Rejection::unprocessable(
                            "resource_id must encode a PROJECT ID when resource_type is PROJECT",
                        )
                    },
                )?;
                self.projects.contains(resource_id) || self.models.contains(resource_id)
            }
        };
        if !resource_exists {
            return Err(Rejection::forbidden(
                "Missing permission ROLE_BINDING_CREATE on the resource",
            ));
        }
        if !self.users.contains(user_id) {
            return Err(Rejection::not_found("User not found"));
        }
        if !self.roles.contains(role_id) {
            return Err(Rejection::not_found("Role not found"));
        }
        let key = (
            user_id.to_owned(),
            request.resource_type,
            resource_id.to_owned(),
        );
        if self.pairs.contains(&key) {
            return Err(Rejection::conflict(
                "The user already has a role binding on this resource",
            ));
        }
        Ok(self.insert(
            user_id.to_owned(),
            role_id.to_owned(),
            request.resource_type,
            resource_id.to_owned(),
        ))
    }

    /// Resolves a path `binding_id`: 404 when unknown. IDs are opaque to the
    /// service, so one that decodes to another type (a `Space:` ID, say) is
    /// just a binding that does not exist: the same 404.
    fn seq_of(&self, binding_id: &str) -> Result<u64, Rejection> {
        self.by_id
            .get(binding_id)
            .copied()
            .ok_or_else(|| Rejection::not_found("Role binding not found"))
    }

    pub(crate) fn get(&self, binding_id: &str) -> Result<RoleBinding, Rejection> {
        let seq = self.seq_of(binding_id)?;
        self.bindings
            .get(&seq)
            .cloned()
            .ok_or_else(|| Rejection::not_found("Role binding not found"))
    }

    /// `PATCH`: 404 for the binding, then 400 (empty), 422 (wrong type)
    /// and 404 (unknown) for the role. Changes only `role_id` and
    /// `updated_at`.
    pub(crate) fn update(
        &mut self,
        binding_id: &str,
        request: &UpdateRoleBindingRequest,
    ) -> Result<RoleBinding, Rejection> {
        let seq = self.seq_of(binding_id)?;
        let role_id = request.role_id.0.as_str();
        check_not_empty("role_id", role_id)?;
        check_body_type("role_id", role_id, &["Role"])?;
        if !self.roles.contains(role_id) {
            return Err(Rejection::not_found("Role not found"));
        }
        let now = self.now();
        let binding = self
            .bindings
            .get_mut(&seq)
            .ok_or_else(|| Rejection::not_found("Role binding not found"))?;
        binding.role_id = Id(role_id.to_owned());
        binding.updated_at = now.max(binding.created_at);
        Ok(binding.clone())
    }

    pub(crate) fn delete(&mut self, binding_id: &str) -> Result<RoleBinding, Rejection> {
        let seq = self.seq_of(binding_id)?;
        let binding = self
            .bindings
            .remove(&seq)
            .ok_or_else(|| Rejection::not_found("Role binding not found"))?;
        self.by_id.remove(binding_id);
        self.pairs.remove(&(
            binding.user_id.0.clone(),
            binding.resource_type,
            binding.resource_id.0.clone(),
        ));
        Ok(binding)
    }

    fn issue_cursor(&mut self, state: CursorState) -> String {
        let mut bytes = [0u8; 18];
        self.rng.fill_bytes(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        while self.cursor_order.len() >= self.max_cursors {
            if let Some(old) = self.cursor_order.pop_front() {
                self.cursors.remove(&old);
            }
        }
        self.cursors.insert(token.clone(), state);
        self.cursor_order.push_back(token.clone());
        token
    }

    /// Where a list resumes: `None` for the first page; 400 for a cursor
    /// that is unknown, expired or was issued for another list or other
    /// filters.
    fn resume(&self, params: &ListParams) -> Result<Option<Position>, Rejection> {
        let Some(token) = &params.cursor else {
            return Ok(None);
        };
        let state = self
            .cursors
            .get(token)
            .ok_or_else(|| Rejection::bad_request("cursor is invalid or has expired"))?;
        if state.filter != params.filter {
            return Err(Rejection::bad_request(format!(
                "cursor was issued for a different list or different filters ({})",
                params.filter.names()
            )));
        }
        Ok(Some(state.after))
    }

    /// The pagination of a page (and, for [`ListMode::EndlessEmptyPages`],
    /// the empty page instead): the one cursor rule of every list. `after`
    /// is where this page started, `last` where it ended.
    fn paginate<T>(
        &mut self,
        params: &ListParams,
        mode: ListMode,
        page: (Vec<T>, bool, Option<Position>),
        after: Option<Position>,
    ) -> (Vec<T>, PaginationMetadata) {
        let (items, has_more, last) = page;
        let state = |after: Position| CursorState {
            after,
            filter: params.filter.clone(),
        };
        let start = after.unwrap_or(Position::Start);
        let end = last.or(after).unwrap_or(start);
        let pagination = match mode {
            ListMode::EndlessEmptyPages => {
                let next = self.issue_cursor(state(start));
                return (
                    Vec::new(),
                    PaginationMetadata {
                        has_more: true,
                        next_cursor: Some(next),
                    },
                );
            }
            ListMode::Normal if has_more => PaginationMetadata {
                has_more: true,
                next_cursor: Some(self.issue_cursor(state(end))),
            },
            ListMode::Normal => PaginationMetadata {
                has_more: false,
                next_cursor: None,
            },
            ListMode::RepeatCursor => {
                // The first page has no cursor to repeat: it hands out a
                // real one, which the next page then repeats.
                let repeated = match &params.cursor {
                    Some(c) => c.clone(),
                    None => self.issue_cursor(state(end)),
                };
                PaginationMetadata {
                    has_more: true,
                    next_cursor: Some(repeated),
                }
            }
            ListMode::HasMoreWithoutCursor => PaginationMetadata {
                has_more: true,
                next_cursor: None,
            },
        };
        (items, pagination)
    }

    /// A directory list: resume, page through `table` with `keep`, paginate.
    fn list_table<T: crate::directory::Record>(
        &mut self,
        params: &ListParams,
        mode: ListMode,
        table: impl Fn(&Self) -> &Table<T>,
        keep: impl Fn(&Self, &T) -> bool,
    ) -> Result<(Vec<T>, PaginationMetadata), Rejection> {
        let after = self.resume(params)?;
        let after_key = match after {
            None | Some(Position::Start) => None,
            Some(Position::Key(key)) => Some(key),
            // A bindings cursor has bindings filters: refused by `resume`.
            Some(Position::Seq(_)) => {
                return Err(Rejection::bad_request("cursor is invalid or has expired"));
            }
        };
        let (items, has_more, last) = table(self).page(after_key, params.limit, |t| keep(self, t));
        let page = (items, has_more, last.map(Position::Key));
        Ok(self.paginate(params, mode, page, after))
    }

    /// `GET /v2/role-bindings`: bindings in insertion order, resuming after
    /// the sequence number the cursor remembers.
    pub(crate) fn list(
        &mut self,
        params: &ListParams,
        mode: ListMode,
    ) -> Result<ListRoleBindingsResponse, Rejection> {
        let ListFilter::RoleBindings {
            resource_type,
            user_id,
        } = &params.filter
        else {
            return Err(Rejection::bad_request("not a role-binding list"));
        };
        // A `user_id` of another type (a `Space:` ID, say) is not a user of
        // the account: the 404 below, as for an unknown user.
        if let Some(user) = user_id {
            check_not_empty("user_id", user)?;
        }
        let after = self.resume(params)?;
        let after_seq = match after {
            None | Some(Position::Start) => None,
            Some(Position::Seq(seq)) => Some(seq),
            Some(Position::Key(_)) => {
                return Err(Rejection::bad_request("cursor is invalid or has expired"));
            }
        };
        if let Some(user) = user_id
            && !self.users.contains(user)
        {
            return Err(Rejection::not_found("User not found"));
        }
        let (items, has_more, last) = page_of(&self.bindings, after_seq, params.limit, |b| {
            b.resource_type == *resource_type && user_id.as_ref().is_none_or(|u| b.user_id.0 == *u)
        });
        let page = (items, has_more, last.map(Position::Seq));
        let (role_bindings, pagination) = self.paginate(params, mode, page, after);
        Ok(ListRoleBindingsResponse {
            pagination,
            role_bindings,
        })
    }

    /// `GET /v2/users`: oldest first; `email` a case-insensitive partial
    /// match, `status` one of the given.
    pub(crate) fn list_users(
        &mut self,
        params: &ListParams,
        mode: ListMode,
    ) -> Result<ListUsersResponse, Rejection> {
        let ListFilter::Users { email, status } = params.filter.clone() else {
            return Err(Rejection::bad_request("not a user list"));
        };
        let (users, pagination) = self.list_table(
            params,
            mode,
            |s| &s.users,
            |_, u| {
                status.contains(&u.status)
                    && email.as_ref().is_none_or(|e| contains_ci(&u.email, e))
            },
        )?;
        Ok(ListUsersResponse { pagination, users })
    }

    /// `GET /v2/roles`: predefined, custom or both.
    pub(crate) fn list_roles(
        &mut self,
        params: &ListParams,
        mode: ListMode,
    ) -> Result<ListRolesResponse, Rejection> {
        let ListFilter::Roles { is_predefined } = params.filter.clone() else {
            return Err(Rejection::bad_request("not a role list"));
        };
        let (roles, pagination) = self.list_table(
            params,
            mode,
            |s| &s.roles,
            |_, r| is_predefined.is_none_or(|p| r.is_predefined == p),
        )?;
        Ok(ListRolesResponse { pagination, roles })
    }

    /// `GET /v2/spaces`: `name` a case-insensitive substring; `org_id`
    /// accepted (the fake has one organization).
    pub(crate) fn list_spaces(
        &mut self,
        params: &ListParams,
        mode: ListMode,
    ) -> Result<ListSpacesResponse, Rejection> {
        let ListFilter::Spaces { name, .. } = params.filter.clone() else {
            return Err(Rejection::bad_request("not a space list"));
        };
        let (spaces, pagination) = self.list_table(
            params,
            mode,
            |s| &s.spaces,
            |_, sp| name.as_ref().is_none_or(|n| contains_ci(&sp.name, n)),
        )?;
        Ok(ListSpacesResponse { pagination, spaces })
    }

    /// `GET /v2/projects`: `space_id` (404 when unknown), `space_name` and
    /// `name` case-insensitive substrings.
    pub(crate) fn list_projects(
        &mut self,
        params: &ListParams,
        mode: ListMode,
    ) -> Result<ListProjectsResponse, Rejection> {
        let ListFilter::Projects {
            space_id,
            space_name,
            name,
        } = params.filter.clone()
        else {
            return Err(Rejection::bad_request("not a project list"));
        };
        if let Some(space) = &space_id
            && self.resume(params).is_ok()
            && !self.spaces.contains(space)
        {
            return Err(Rejection::not_found("Space not found"));
        }
        let (projects, pagination) = self.list_table(
            params,
            mode,
            |s| &s.projects,
            |s, p| {
                space_id.as_ref().is_none_or(|id| p.space_id.0 == *id)
                    && name.as_ref().is_none_or(|n| contains_ci(&p.name, n))
                    && space_name.as_ref().is_none_or(|n| {
                        s.spaces
                            .get(&p.space_id.0)
                            .is_some_and(|sp| contains_ci(&sp.name, n))
                    })
            },
        )?;
        Ok(ListProjectsResponse {
            pagination,
            projects,
        })
    }

    pub(crate) fn get_user(&self, user_id: &str) -> Result<User, Rejection> {
        self.users
            .get(user_id)
            .cloned()
            .ok_or_else(|| Rejection::not_found("User not found"))
    }
    pub(crate) fn get_role(&self, role_id: &str) -> Result<Role, Rejection> {
        self.roles
            .get(role_id)
            .cloned()
            .ok_or_else(|| Rejection::not_found("Role not found"))
    }
    pub(crate) fn get_space(&self, space_id: &str) -> Result<Space, Rejection> {
        self.spaces
            .get(space_id)
            .cloned()
            .ok_or_else(|| Rejection::not_found("Space not found"))
    }
    pub(crate) fn get_project(&self, project_id: &str) -> Result<Project, Rejection> {
        self.projects
            .get(project_id)
            .cloned()
            .ok_or_else(|| Rejection::not_found("Project not found"))
    }
}
