//! What the store holds when the server starts.

use std::path::Path;

use arize_api::types::{RoleBindingResourceType, UserRole, UserRoleAssignment, UserStatus};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The initial content of the fake's store: users, roles, spaces, projects,
/// models (accepted as `PROJECT` resources, like Arize does) and bindings.
///
/// Each kind is given as a count (generated entries) and/or as explicit
/// entries ([`SeedUser`], [`SeedRole`], [`SeedSpace`], [`SeedProject`]; a
/// plain string is an entry with that global ID). Generated and unnamed
/// entries get readable names from their number `n` — the `n` of their ID
/// `Type:n:suffix`: users "User n" with `usern@example.com` (ACTIVE,
/// account role MEMBER, developer), spaces `space-n`, projects
/// `project-n` (in the spaces in turn), custom roles "Custom Role k" for
/// the k-th custom role. Arize's four predefined roles — "Admin",
/// "Member", "Read Only" and "Annotator", named after Arize's predefined
/// space roles `ADMIN`, `MEMBER`, `READ_ONLY`, `ANNOTATOR`, with the same
/// fixed IDs on every server (base64 of `Role:0:ADMIN` …) — follow the
/// custom roles unless [`Seed::predefined_roles`] turns them off. Projects
/// seeded while no space is, get a space named `default` (not used by
/// generated bindings). Generated bindings pair users with resources
/// deterministically, one binding per (user, resource), cycling through
/// the custom roles (the predefined ones when there is no custom role).
/// A given `rng_seed` generates the same IDs as before the directory had
/// names. Seeded records without a `created_at` are dated
/// 2020-01-01T00:00:00Z plus one second per record, in seeding order
/// (seeding never reads the server's clock, so the bindings' times are
/// what an injected clock makes them); records added to a running server
/// take the clock's time.
///
/// ```
/// use arize_fake_server::{Seed, SeedProject, SeedUser};
///
/// let seed = Seed::empty()
///     .users(5)
///     .roles(2)
///     .spaces(2)
///     .projects(1)
///     .with_user("VXNlcjo0MjphQmNE")
///     .with_user(SeedUser::default().email("alice@example.com").name("Alice"))
///     .with_project(SeedProject::default().name("shared").space("space-1"))
///     .with_project(SeedProject::default().name("shared").space("space-2"))
///     .bindings(3);
/// # let _ = seed;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Seed {
    pub(crate) users: usize,
    pub(crate) roles: usize,
    pub(crate) spaces: usize,
    pub(crate) projects: usize,
    pub(crate) models: usize,
    pub(crate) bindings: usize,
    pub(crate) predefined_roles: bool,
    pub(crate) explicit_users: Vec<SeedUser>,
    pub(crate) explicit_roles: Vec<SeedRole>,
    pub(crate) explicit_spaces: Vec<SeedSpace>,
    pub(crate) explicit_projects: Vec<SeedProject>,
    pub(crate) explicit_models: Vec<String>,
    pub(crate) explicit_bindings: Vec<SeedBinding>,
    pub(crate) rng_seed: Option<u64>,
}

/// A user's account role in a seed: `"ADMIN"`, `"MEMBER"`, `"ANNOTATOR"`,
/// or the wire form (`{"type": "PREDEFINED", "name": "ADMIN"}`,
/// `{"type": "CUSTOM", "id": ...}`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
enum SeedAccountRole {
    Predefined(UserRole),
    Assignment(UserRoleAssignment),
}

fn account_role<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<UserRoleAssignment>, D::Error> {
    Ok(
        Option::<SeedAccountRole>::deserialize(deserializer)?.map(|role| match role {
            SeedAccountRole::Predefined(name) => UserRoleAssignment::Predefined { name },
            SeedAccountRole::Assignment(assignment) => assignment,
        }),
    )
}

/// A user to seed. Every field is optional: what is left out is generated
/// (see [`Seed`]). In a seed file: `{"email": "alice@example.com",
/// "name": "Alice", "status": "INVITED", "role": "ADMIN"}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    /// The global ID (default `User:n:suffix`).
    pub id: Option<String>,
    /// The name (default "User n").
    pub name: Option<String>,
    /// The e-mail address (default `usern@example.com`); unique,
    /// ignoring case.
    pub email: Option<String>,
    /// ACTIVE (default), INVITED or EXPIRED.
    pub status: Option<UserStatus>,
    /// The account role (default predefined MEMBER).
    #[serde(default, deserialize_with = "account_role")]
    pub role: Option<UserRoleAssignment>,
    /// Whether the user may use the API (default true).
    pub is_developer: Option<bool>,
    /// When the user was created (default: see [`Seed`]). Users are listed
    /// oldest first.
    pub created_at: Option<DateTime<Utc>>,
}

/// A custom role to seed (`is_predefined: false`). In a seed file:
/// `{"name": "Auditor", "permissions": ["ROLE_BINDING_READ"]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRole {
    /// The global ID (default `Role:n:suffix`).
    pub id: Option<String>,
    /// The name, unique in the account (default "Custom Role k").
    pub name: Option<String>,
    /// The description (default: none).
    pub description: Option<String>,
    /// The permissions (default `SPACE_READ`, `PROJECT_READ`); any string
    /// is accepted, as Arize's set is open.
    pub permissions: Option<Vec<String>>,
    /// When the role was created and last updated (default: see [`Seed`]).
    pub created_at: Option<DateTime<Utc>>,
}

/// A space to seed. In a seed file: `{"name": "prod", "description":
/// "Production"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSpace {
    /// The global ID (default `Space:n:suffix`).
    pub id: Option<String>,
    /// The name, unique in the organization (default `space-n`).
    pub name: Option<String>,
    /// The description (default empty).
    pub description: Option<String>,
    /// When the space was created (default: see [`Seed`]).
    pub created_at: Option<DateTime<Utc>>,
}

/// A project to seed. In a seed file: `{"name": "shared", "space":
/// "space-2"}`; two projects in different spaces may share a name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedProject {
    /// The global ID (default `Project:n:suffix`).
    pub id: Option<String>,
    /// The name, unique within its space (default `project-n`).
    pub name: Option<String>,
    /// Its space, by global ID or by name (default: the seeded spaces in
    /// turn).
    pub space: Option<String>,
    /// When the project was created (default: see [`Seed`]).
    pub created_at: Option<DateTime<Utc>>,
}

macro_rules! setters {
    ($ty:ident { $($(#[$doc:meta])* $field:ident: $value:ty;)* }) => {
        impl $ty {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $field(mut self, value: impl Into<$value>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
        }
        impl From<&str> for $ty {
            /// An entry with this global ID; the rest is generated.
            fn from(id: &str) -> Self {
                Self::default().id(id)
            }
        }
        impl From<String> for $ty {
            /// An entry with this global ID; the rest is generated.
            fn from(id: String) -> Self {
                Self::default().id(id)
            }
        }
    };
}

setters!(SeedUser {
    /// Sets the global ID.
    id: String;
    /// Sets the name.
    name: String;
    /// Sets the e-mail address.
    email: String;
    /// Sets the status.
    status: UserStatus;
    /// Sets the account role.
    role: UserRoleAssignment;
    /// Sets whether the user may use the API.
    is_developer: bool;
    /// Sets the creation time.
    created_at: DateTime<Utc>;
});
setters!(SeedRole {
    /// Sets the global ID.
    id: String;
    /// Sets the name.
    name: String;
    /// Sets the description.
    description: String;
    /// Sets the permissions.
    permissions: Vec<String>;
    /// Sets the creation time.
    created_at: DateTime<Utc>;
});
setters!(SeedSpace {
    /// Sets the global ID.
    id: String;
    /// Sets the name.
    name: String;
    /// Sets the description.
    description: String;
    /// Sets the creation time.
    created_at: DateTime<Utc>;
});
setters!(SeedProject {
    /// Sets the global ID.
    id: String;
    /// Sets the name.
    name: String;
    /// Sets the space (global ID or name).
    space: String;
    /// Sets the creation time.
    created_at: DateTime<Utc>;
});

/// One binding to create at start, by the IDs of existing seeded entities.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedBinding {
    /// The user's global ID.
    pub user_id: String,
    /// The role's global ID.
    pub role_id: String,
    /// `SPACE` or `PROJECT`.
    pub resource_type: RoleBindingResourceType,
    /// The space's, project's or model's global ID.
    pub resource_id: String,
}

/// Why a seed could not be loaded or applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The seed file could not be read.
    #[error("cannot read seed file {path}: {source}")]
    Read {
        /// The file's path.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The seed JSON is malformed or has unknown fields.
    #[error("invalid seed JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// More generated bindings were asked for than (user, resource) pairs
    /// exist.
    #[error("cannot generate {wanted} bindings: only {available} (user, resource) pairs exist")]
    TooManyBindings {
        /// Bindings asked for.
        wanted: usize,
        /// Distinct (user, resource) pairs available.
        available: usize,
    },
    /// Generated bindings need at least one role.
    #[error("cannot generate bindings without any role")]
    NoRoles,
    /// An explicit binding names an entity that is not seeded, or is a
    /// second binding for the same (user, resource); an explicit ID is
    /// listed twice; two users share an e-mail address (ignoring case), two
    /// roles or two spaces a name, two projects a name in one space; a
    /// project names a space that is not seeded; a given ID or name is
    /// empty.
    #[error("invalid seed: {0}")]
    Invalid(String),
}

impl Default for Seed {
    /// Three users, Arize's four predefined roles and three custom roles,
    /// two spaces, two projects (one in each space), one model, no
    /// bindings.
    fn default() -> Self {
        Self::empty()
            .users(3)
            .roles(3)
            .spaces(2)
            .projects(2)
            .models(1)
    }
}

/// Seed file field: a count or a list of entries, each an ID or an object.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum CountOrList<T> {
    Count(usize),
    List(Vec<Entry<T>>),
}

/// One entry of a seed file list: a global ID, or the full object.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Entry<T> {
    Id(String),
    Full(T),
}

/// Seed file field `models`: a count or a list of IDs.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum CountOrIds {
    Count(usize),
    Ids(Vec<String>),
}

/// Seed file `bindings` field: a count or explicit bindings.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum CountOrBindings {
    Count(usize),
    Bindings(Vec<SeedBinding>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    users: Option<CountOrList<SeedUser>>,
    roles: Option<CountOrList<SeedRole>>,
    predefined_roles: Option<bool>,
    spaces: Option<CountOrList<SeedSpace>>,
    projects: Option<CountOrList<SeedProject>>,
    models: Option<CountOrIds>,
    bindings: Option<CountOrBindings>,
    rng_seed: Option<u64>,
}

fn split<T: From<String>>(field: Option<CountOrList<T>>) -> (usize, Vec<T>) {
    match field {
        None => (0, Vec::new()),
        Some(CountOrList::Count(n)) => (n, Vec::new()),
        Some(CountOrList::List(entries)) => (
            0,
            entries
                .into_iter()
                .map(|entry| match entry {
                    Entry::Id(id) => T::from(id),
                    Entry::Full(full) => full,
                })
                .collect(),
        ),
    }
}

impl Seed {
    /// A seed with nothing in it but Arize's four predefined roles (which
    /// every account has; [`Seed::predefined_roles`] drops them).
    #[must_use]
    pub fn empty() -> Self {
        Self {
            users: 0,
            roles: 0,
            spaces: 0,
            projects: 0,
            models: 0,
            bindings: 0,
            predefined_roles: true,
            explicit_users: Vec::new(),
            explicit_roles: Vec::new(),
            explicit_spaces: Vec::new(),
            explicit_projects: Vec::new(),
            explicit_models: Vec::new(),
            explicit_bindings: Vec::new(),
            rng_seed: None,
        }
    }

    /// Generate `n` users (`User:1:…` to `User:n:…`, "User 1" with
    /// `user1@example.com` …).
    #[must_use]
    pub fn users(mut self, n: usize) -> Self {
        self.users = n;
        self
    }
    /// Generate `n` custom roles ("Custom Role 1" …), besides the
    /// predefined ones.
    #[must_use]
    pub fn roles(mut self, n: usize) -> Self {
        self.roles = n;
        self
    }
    /// Whether Arize's predefined roles ("Admin", "Member", "Read Only",
    /// "Annotator"; `is_predefined: true`) are seeded, after the custom
    /// ones (default true).
    #[must_use]
    pub fn predefined_roles(mut self, yes: bool) -> Self {
        self.predefined_roles = yes;
        self
    }
    /// Generate `n` spaces (`SPACE` resources, `space-1` …).
    #[must_use]
    pub fn spaces(mut self, n: usize) -> Self {
        self.spaces = n;
        self
    }
    /// Generate `n` projects (`PROJECT` resources, `project-1` …, in the
    /// spaces in turn).
    #[must_use]
    pub fn projects(mut self, n: usize) -> Self {
        self.projects = n;
        self
    }
    /// Generate `n` models (`Model:` IDs, accepted as `PROJECT` resources).
    #[must_use]
    pub fn models(mut self, n: usize) -> Self {
        self.models = n;
        self
    }
    /// Generate `n` bindings over the seeded users and resources (spaces,
    /// then projects, then models), one per (user, resource), roles in
    /// turn. Starting the server fails with [`SeedError::TooManyBindings`]
    /// when there are fewer pairs than `n`.
    #[must_use]
    pub fn bindings(mut self, n: usize) -> Self {
        self.bindings = n;
        self
    }
    /// Add a user: a global ID (`"VXNlcjo0MjphQmNE"`) or a [`SeedUser`].
    /// Explicit entries come before generated ones.
    #[must_use]
    pub fn with_user(mut self, user: impl Into<SeedUser>) -> Self {
        self.explicit_users.push(user.into());
        self
    }
    /// Add a custom role: a global ID or a [`SeedRole`].
    #[must_use]
    pub fn with_role(mut self, role: impl Into<SeedRole>) -> Self {
        self.explicit_roles.push(role.into());
        self
    }
    /// Add a space: a global ID or a [`SeedSpace`].
    #[must_use]
    pub fn with_space(mut self, space: impl Into<SeedSpace>) -> Self {
        self.explicit_spaces.push(space.into());
        self
    }
    /// Add a project: a global ID or a [`SeedProject`].
    #[must_use]
    pub fn with_project(mut self, project: impl Into<SeedProject>) -> Self {
        self.explicit_projects.push(project.into());
        self
    }
    /// Add a model (a `PROJECT` resource) with an explicit global ID.
    #[must_use]
    pub fn with_model(mut self, id: impl Into<String>) -> Self {
        self.explicit_models.push(id.into());
        self
    }
    /// Add an explicit binding; its entities must be explicit seed entries.
    #[must_use]
    pub fn with_binding(mut self, binding: SeedBinding) -> Self {
        self.explicit_bindings.push(binding);
        self
    }
    /// Make generated ID suffixes (and binding IDs created later)
    /// reproducible. Without it every server draws fresh random suffixes.
    #[must_use]
    pub fn rng_seed(mut self, seed: u64) -> Self {
        self.rng_seed = Some(seed);
        self
    }

    /// Parses a seed from JSON. Every field is optional; `users`, `roles`,
    /// `spaces` and `projects` are each a count or a list whose entries are
    /// a global ID or an object ([`SeedUser`], [`SeedRole`], [`SeedSpace`],
    /// [`SeedProject`], same field names), `models` a count or a list of
    /// IDs, `bindings` a count or a list of [`SeedBinding`]s,
    /// `predefined_roles` a boolean (default true):
    ///
    /// ```
    /// let seed = arize_fake_server::Seed::from_json(r#"{
    ///     "users": ["VXNlcjo0MjphQmNE", {"email": "alice@example.com", "status": "INVITED"}],
    ///     "roles": [{"name": "Auditor", "permissions": ["ROLE_BINDING_READ"]}],
    ///     "spaces": ["U3BhY2U6MTpWNEth", {"name": "prod", "description": "Production"}],
    ///     "projects": [{"name": "shared", "space": "prod"}, {"name": "shared", "space": "U3BhY2U6MTpWNEth"}],
    ///     "bindings": [],
    ///     "rng_seed": 7
    /// }"#)?;
    /// # let _ = seed;
    /// # Ok::<(), arize_fake_server::SeedError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`SeedError::Json`] when the text is not such a document.
    pub fn from_json(text: &str) -> Result<Self, SeedError> {
        let file: SeedFile = serde_json::from_str(text)?;
        let (users, explicit_users) = split(file.users);
        let (roles, explicit_roles) = split(file.roles);
        let (spaces, explicit_spaces) = split(file.spaces);
        let (projects, explicit_projects) = split(file.projects);
        let (models, explicit_models) = match file.models {
            None => (0, Vec::new()),
            Some(CountOrIds::Count(n)) => (n, Vec::new()),
            Some(CountOrIds::Ids(ids)) => (0, ids),
        };
        let (bindings, explicit_bindings) = match file.bindings {
            None => (0, Vec::new()),
            Some(CountOrBindings::Count(n)) => (n, Vec::new()),
            Some(CountOrBindings::Bindings(b)) => (0, b),
        };
        Ok(Self {
            users,
            roles,
            spaces,
            projects,
            models,
            bindings,
            predefined_roles: file.predefined_roles.unwrap_or(true),
            explicit_users,
            explicit_roles,
            explicit_spaces,
            explicit_projects,
            explicit_models,
            explicit_bindings,
            rng_seed: file.rng_seed,
        })
    }

    /// Reads a seed file (see [`Seed::from_json`]).
    ///
    /// # Errors
    ///
    /// [`SeedError::Read`] when the file cannot be read, [`SeedError::Json`]
    /// when its content is not a seed document.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, SeedError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text)
    }
}
