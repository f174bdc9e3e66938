//! The in-memory state and the rules of the five operations.
//!
//! Everything here is synchronous and runs under one mutex, so each
//! operation — in particular the one-binding-per-(user, resource) check and
//! the insert — is atomic.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::ops::Bound;
use std::sync::Arc;

use arize_api::types::{
    CreateRoleBindingRequest, Id, ListRoleBindingsResponse, PaginationMetadata, RoleBinding,
    RoleBindingResourceType, UpdateRoleBindingRequest,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

use crate::ids::{definite_type, encode_global_id, random_suffix};
use crate::problem::Rejection;
use crate::seed::{Seed, SeedError};

/// The clock the store stamps `created_at`/`updated_at` with.
pub(crate) type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The default clock: now, truncated to milliseconds.
pub(crate) fn system_clock() -> Clock {
    Arc::new(|| {
        let now = Utc::now();
        DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
    })
}

/// How many cursors the server remembers before forgetting the oldest.
pub(crate) const DEFAULT_MAX_CURSORS: usize = 100_000;

/// One kind of seeded entity.
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

/// Where a cursor resumes and which filters it was issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CursorState {
    after_seq: u64,
    resource_type: RoleBindingResourceType,
    user_id: Option<String>,
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
    pub(crate) resource_type: RoleBindingResourceType,
    pub(crate) user_id: Option<String>,
    pub(crate) limit: usize,
    pub(crate) cursor: Option<String>,
}

/// The store.
pub(crate) struct Store {
    rng: StdRng,
    clock: Clock,
    users: Entities,
    roles: Entities,
    spaces: Entities,
    projects: Entities,
    models: Entities,
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
            .field("users", &self.users.ids.len())
            .field("roles", &self.roles.ids.len())
            .field("spaces", &self.spaces.ids.len())
            .field("projects", &self.projects.ids.len())
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
            users: Entities::new("User"),
            roles: Entities::new("Role"),
            spaces: Entities::new("Space"),
            projects: Entities::new("Project"),
            models: Entities::new("Model"),
            bindings: BTreeMap::new(),
            by_id: HashMap::new(),
            pairs: HashSet::new(),
            next_seq: 1,
            cursors: HashMap::new(),
            cursor_order: VecDeque::new(),
            max_cursors: max_cursors.max(1),
        };
        let kinds: [(&mut Entities, usize, &Vec<String>); 5] = [
            (&mut store.users, seed.users, &seed.explicit_users),
            (&mut store.roles, seed.roles, &seed.explicit_roles),
            (&mut store.spaces, seed.spaces, &seed.explicit_spaces),
            (&mut store.projects, seed.projects, &seed.explicit_projects),
            (&mut store.models, seed.models, &seed.explicit_models),
        ];
        for (entities, count, explicit) in kinds {
            for id in explicit {
                entities.add(id.clone())?;
            }
            for _ in 0..count {
                entities.generate(&mut store.rng);
            }
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
        store.generate_bindings(seed.bindings)?;
        Ok(store)
    }

    fn generate_bindings(&mut self, wanted: usize) -> Result<(), SeedError> {
        if wanted == 0 {
            return Ok(());
        }
        if self.roles.ids.is_empty() {
            return Err(SeedError::NoRoles);
        }
        let resources: Vec<(RoleBindingResourceType, String)> = self
            .spaces
            .ids
            .iter()
            .map(|id| (RoleBindingResourceType::Space, id.clone()))
            .chain(
                self.projects
                    .ids
                    .iter()
                    .chain(&self.models.ids)
                    .map(|id| (RoleBindingResourceType::Project, id.clone())),
            )
            .collect();
        let mut candidates = Vec::new();
        for (resource_type, resource_id) in &resources {
            for user in &self.users.ids {
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
            let role = self.roles.ids[i % self.roles.ids.len()].clone();
            self.insert(user, role, resource_type, resource_id);
        }
        Ok(())
    }

    // ----- accessors -----

    pub(crate) fn users(&self) -> Vec<String> {
        self.users.ids.clone()
    }
    pub(crate) fn roles(&self) -> Vec<String> {
        self.roles.ids.clone()
    }
    pub(crate) fn spaces(&self) -> Vec<String> {
        self.spaces.ids.clone()
    }
    pub(crate) fn projects(&self) -> Vec<String> {
        self.projects.ids.clone()
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

    pub(crate) fn add_user(&mut self) -> String {
        self.users.generate(&mut self.rng)
    }
    pub(crate) fn add_role(&mut self) -> String {
        self.roles.generate(&mut self.rng)
    }
    pub(crate) fn add_space(&mut self) -> String {
        self.spaces.generate(&mut self.rng)
    }
    pub(crate) fn add_project(&mut self) -> String {
        self.projects.generate(&mut self.rng)
    }
    pub(crate) fn add_model(&mut self) -> String {
        self.models.generate(&mut self.rng)
    }

    // ----- operations -----

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
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

    /// `GET /v2/role-bindings`: bindings in insertion order, resuming after
    /// the sequence number the cursor remembers.
    pub(crate) fn list(
        &mut self,
        params: &ListParams,
        mode: ListMode,
    ) -> Result<ListRoleBindingsResponse, Rejection> {
        // A `user_id` of another type (a `Space:` ID, say) is not a user of
        // the account: the 404 below, as for an unknown user.
        if let Some(user) = &params.user_id {
            check_not_empty("user_id", user)?;
        }
        let after_seq = match &params.cursor {
            None => 0,
            Some(token) => {
                let state = self
                    .cursors
                    .get(token)
                    .ok_or_else(|| Rejection::bad_request("cursor is invalid or has expired"))?;
                if state.resource_type != params.resource_type || state.user_id != params.user_id {
                    return Err(Rejection::bad_request(
                        "cursor was issued for different filters (resource_type, user_id)",
                    ));
                }
                state.after_seq
            }
        };
        if let Some(user) = &params.user_id
            && !self.users.contains(user)
        {
            return Err(Rejection::not_found("User not found"));
        }
        let filters = |after_seq| CursorState {
            after_seq,
            resource_type: params.resource_type,
            user_id: params.user_id.clone(),
        };
        if mode == ListMode::EndlessEmptyPages {
            let next = self.issue_cursor(filters(after_seq));
            return Ok(ListRoleBindingsResponse {
                pagination: PaginationMetadata {
                    has_more: true,
                    next_cursor: Some(next),
                },
                role_bindings: Vec::new(),
            });
        }
        let mut page: Vec<(u64, RoleBinding)> = self
            .bindings
            .range((Bound::Excluded(after_seq), Bound::Unbounded))
            .filter(|(_, b)| {
                b.resource_type == params.resource_type
                    && params.user_id.as_ref().is_none_or(|u| b.user_id.0 == *u)
            })
            .take(params.limit.saturating_add(1))
            .map(|(seq, b)| (*seq, b.clone()))
            .collect();
        let has_more = page.len() > params.limit;
        page.truncate(params.limit);
        let last_seq = page.last().map_or(after_seq, |(seq, _)| *seq);
        let role_bindings = page.into_iter().map(|(_, b)| b).collect();
        let pagination = match mode {
            ListMode::Normal | ListMode::EndlessEmptyPages => {
                if has_more {
                    PaginationMetadata {
                        has_more: true,
                        next_cursor: Some(self.issue_cursor(filters(last_seq))),
                    }
                } else {
                    PaginationMetadata {
                        has_more: false,
                        next_cursor: None,
                    }
                }
            }
            ListMode::RepeatCursor => {
                // The first page has no cursor to repeat: it hands out a
                // real one, which the next page then repeats.
                let repeated = match &params.cursor {
                    Some(c) => c.clone(),
                    None => self.issue_cursor(filters(last_seq)),
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
        Ok(ListRoleBindingsResponse {
            pagination,
            role_bindings,
        })
    }
}
