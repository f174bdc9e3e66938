//! What the store holds when the server starts.

use std::path::Path;

use arize_api::types::RoleBindingResourceType;
use serde::Deserialize;

/// The initial content of the fake's store: users, roles, spaces, projects,
/// models (accepted as `PROJECT` resources, like Arize does) and bindings.
///
/// Each kind is given as a count (IDs are generated, `User:1:xXxX` …) and/or
/// as explicit IDs. Generated bindings pair users with resources
/// deterministically, one binding per (user, resource), cycling through the
/// roles.
///
/// ```
/// use arize_fake_server::Seed;
///
/// let seed = Seed::empty()
///     .users(5)
///     .roles(2)
///     .spaces(2)
///     .projects(1)
///     .with_user("VXNlcjo0MjphQmNE")
///     .bindings(3);
/// # let _ = seed;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    pub(crate) users: usize,
    pub(crate) roles: usize,
    pub(crate) spaces: usize,
    pub(crate) projects: usize,
    pub(crate) models: usize,
    pub(crate) bindings: usize,
    pub(crate) explicit_users: Vec<String>,
    pub(crate) explicit_roles: Vec<String>,
    pub(crate) explicit_spaces: Vec<String>,
    pub(crate) explicit_projects: Vec<String>,
    pub(crate) explicit_models: Vec<String>,
    pub(crate) explicit_bindings: Vec<SeedBinding>,
    pub(crate) rng_seed: Option<u64>,
}

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
    /// second binding for the same (user, resource), or an explicit ID is
    /// listed twice.
    #[error("invalid seed: {0}")]
    Invalid(String),
}

impl Default for Seed {
    /// Three users, three roles, two spaces, two projects, one model, no
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

/// Seed file field: a count or a list of explicit IDs.
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
    users: Option<CountOrIds>,
    roles: Option<CountOrIds>,
    spaces: Option<CountOrIds>,
    projects: Option<CountOrIds>,
    models: Option<CountOrIds>,
    bindings: Option<CountOrBindings>,
    rng_seed: Option<u64>,
}

fn split(field: Option<CountOrIds>) -> (usize, Vec<String>) {
    match field {
        None => (0, Vec::new()),
        Some(CountOrIds::Count(n)) => (n, Vec::new()),
        Some(CountOrIds::Ids(ids)) => (0, ids),
    }
}

impl Seed {
    /// A seed with nothing in it.
    #[must_use]
    pub fn empty() -> Self {
        Self {
            users: 0,
            roles: 0,
            spaces: 0,
            projects: 0,
            models: 0,
            bindings: 0,
            explicit_users: Vec::new(),
            explicit_roles: Vec::new(),
            explicit_spaces: Vec::new(),
            explicit_projects: Vec::new(),
            explicit_models: Vec::new(),
            explicit_bindings: Vec::new(),
            rng_seed: None,
        }
    }

    /// Generate `n` users (`User:1:…` to `User:n:…`).
    #[must_use]
    pub fn users(mut self, n: usize) -> Self {
        self.users = n;
        self
    }
    /// Generate `n` roles.
    #[must_use]
    pub fn roles(mut self, n: usize) -> Self {
        self.roles = n;
        self
    }
    /// Generate `n` spaces (`SPACE` resources).
    #[must_use]
    pub fn spaces(mut self, n: usize) -> Self {
        self.spaces = n;
        self
    }
    /// Generate `n` projects (`PROJECT` resources).
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
    /// Add a user with an explicit global ID.
    #[must_use]
    pub fn with_user(mut self, id: impl Into<String>) -> Self {
        self.explicit_users.push(id.into());
        self
    }
    /// Add a role with an explicit global ID.
    #[must_use]
    pub fn with_role(mut self, id: impl Into<String>) -> Self {
        self.explicit_roles.push(id.into());
        self
    }
    /// Add a space with an explicit global ID.
    #[must_use]
    pub fn with_space(mut self, id: impl Into<String>) -> Self {
        self.explicit_spaces.push(id.into());
        self
    }
    /// Add a project with an explicit global ID.
    #[must_use]
    pub fn with_project(mut self, id: impl Into<String>) -> Self {
        self.explicit_projects.push(id.into());
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

    /// Parses a seed from JSON. Every field is optional; each entity kind is
    /// a count or a list of IDs, `bindings` a count or a list of
    /// [`SeedBinding`]s:
    ///
    /// ```
    /// let seed = arize_fake_server::Seed::from_json(r#"{
    ///     "users": ["VXNlcjo0MjphQmNE"],
    ///     "roles": 2,
    ///     "spaces": ["U3BhY2U6MTpWNEth"],
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
        let (models, explicit_models) = split(file.models);
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
