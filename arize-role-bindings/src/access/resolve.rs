//! Names to IDs and back: the [`Resolver`] seam and the in-memory
//! [`Catalog`] it produces.
//!
//! A plan or an export asks its resolver for a [`Catalog`] **once**, with
//! the kinds it needs; the resolver loads each kind in one pass (one
//! listing of users, one of roles, ...), never one lookup per grant. Every
//! lookup after that is in memory. [`IdsOnly`] loads nothing: files must
//! then use IDs, and a name gives [`DiagnosticKind::NeedsDirectory`]
//! (crate::access::DiagnosticKind::NeedsDirectory). A resolver backed by
//! Arize's directory endpoints fills a catalog from them; a preloaded
//! [`Catalog`] is a resolver too (for tests, or a directory cached by the
//! caller).

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};

use crate::directory::Directory;
use crate::{Client, Error, ProjectId, RoleId, SpaceId, UserId};

/// Which kinds a caller needs from [`Resolver::load`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Kinds {
    /// Users (by e-mail).
    pub users: bool,
    /// Roles (by name).
    pub roles: bool,
    /// Spaces (by name).
    pub spaces: bool,
    /// Projects (by name, within their space).
    pub projects: bool,
}

impl Kinds {
    /// All four kinds.
    pub const ALL: Kinds = Kinds {
        users: true,
        roles: true,
        spaces: true,
        projects: true,
    };
    /// None.
    pub const NONE: Kinds = Kinds {
        users: false,
        roles: false,
        spaces: false,
        projects: false,
    };

    /// These kinds and users.
    #[must_use]
    pub const fn with_users(mut self) -> Self {
        self.users = true;
        self
    }

    /// These kinds and roles.
    #[must_use]
    pub const fn with_roles(mut self) -> Self {
        self.roles = true;
        self
    }

    /// These kinds and spaces.
    #[must_use]
    pub const fn with_spaces(mut self) -> Self {
        self.spaces = true;
        self
    }

    /// These kinds and projects.
    #[must_use]
    pub const fn with_projects(mut self) -> Self {
        self.projects = true;
        self
    }
}

/// The future [`Resolver::load`] returns.
pub type LoadFuture<'a> = Pin<Box<dyn Future<Output = Result<Catalog, Error>> + Send + 'a>>;

/// Where names come from: loads a [`Catalog`] of the kinds asked for, each
/// kind in one pass.
///
/// `plan` and `export` call [`load`](Self::load) once per run. An
/// implementation must not look names up one at a time.
///
/// ```
/// use arize_role_bindings::access::{Catalog, IdsOnly, Kinds, Resolver};
///
/// # async fn demo() -> Result<(), arize_role_bindings::Error> {
/// let catalog: Catalog = IdsOnly.load(Kinds::ALL).await?;
/// assert!(!catalog.knows_names());
/// # Ok(()) }
/// ```
pub trait Resolver: Send + Sync {
    /// Loads the kinds in `kinds` (a kind not asked for may be left
    /// unloaded).
    ///
    /// # Errors
    ///
    /// The client's error when a listing fails.
    fn load(&self, kinds: Kinds) -> LoadFuture<'_>;
}

/// The resolver for IDs only: loads nothing. A file read with it must give
/// every user, role, space and project as an ID; a name is reported as
/// needing the directory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IdsOnly;

impl Resolver for IdsOnly {
    fn load(&self, _kinds: Kinds) -> LoadFuture<'_> {
        Box::pin(async { Ok(Catalog::new()) })
    }
}

impl Resolver for Catalog {
    fn load(&self, _kinds: Kinds) -> LoadFuture<'_> {
        let catalog = self.clone();
        Box::pin(async move { Ok(catalog) })
    }
}

/// Arize's directory: lists the kinds asked for (and only those), each in
/// one pass — every page, 100 per page, one page read ahead — the kinds
/// concurrently, as [`Directory::load`] does. A load costs exactly the
/// pages of those lists, whatever the number of names resolved after it.
///
/// ```no_run
/// use arize_role_bindings::Client;
/// use arize_role_bindings::access::{self, DesiredState};
///
/// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let state = DesiredState::from_path("access.yaml")?; // e-mails and names
/// let plan = access::plan(&client, &state, &client).await?;
/// println!("{plan}");
/// # Ok(()) }
/// ```
impl Resolver for Client {
    fn load(&self, kinds: Kinds) -> LoadFuture<'_> {
        Box::pin(async move {
            let directory = Directory::load_only(
                self,
                [kinds.users, kinds.roles, kinds.spaces, kinds.projects],
            )
            .await?;
            Ok(Catalog::from_directory(&directory, kinds))
        })
    }
}

/// A directory loaded already ([`Directory::load`], or read back from a
/// saved snapshot): every kind, no requests.
impl Resolver for Directory {
    fn load(&self, _kinds: Kinds) -> LoadFuture<'_> {
        let catalog = Catalog::from_directory(self, Kinds::ALL);
        Box::pin(async move { Ok(catalog) })
    }
}

/// An ID and, when the directory knows it, its name (e-mail for a user).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Named<T> {
    /// The ID.
    pub id: T,
    /// The name (a user's e-mail), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl<T> Named<T> {
    /// An ID without a name.
    pub fn id(id: T) -> Self {
        Self { id, name: None }
    }
}

impl<T: fmt::Display> fmt::Display for Named<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name} ({})", self.id),
            None => write!(f, "{}", self.id),
        }
    }
}

/// A user in a [`Catalog`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserEntry {
    /// The user's ID.
    pub id: UserId,
    /// The e-mail address.
    pub email: String,
    /// The display name.
    pub name: String,
}

impl UserEntry {
    /// A user.
    pub fn new(id: UserId, email: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id,
            email: email.into(),
            name: name.into(),
        }
    }
}

/// A role in a [`Catalog`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoleEntry {
    /// The role's ID.
    pub id: RoleId,
    /// Its name (unique in the account).
    pub name: String,
}

impl RoleEntry {
    /// A role.
    pub fn new(id: RoleId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
        }
    }
}

/// A space in a [`Catalog`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SpaceEntry {
    /// The space's ID.
    pub id: SpaceId,
    /// Its name (unique within its organisation).
    pub name: String,
}

impl SpaceEntry {
    /// A space.
    pub fn new(id: SpaceId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
        }
    }
}

/// A project in a [`Catalog`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProjectEntry {
    /// The project's ID.
    pub id: ProjectId,
    /// Its name (unique within its space).
    pub name: String,
    /// The space it belongs to.
    pub space_id: SpaceId,
}

impl ProjectEntry {
    /// A project.
    pub fn new(id: ProjectId, name: impl Into<String>, space_id: SpaceId) -> Self {
        Self {
            id,
            name: name.into(),
            space_id,
        }
    }
}

/// Why a name did not resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unresolved {
    /// Nothing has this name; `near` holds the closest names seen.
    NotFound {
        /// The closest names (up to three).
        near: Vec<String>,
    },
    /// Several things have this name (a project name in two spaces).
    Ambiguous {
        /// What matched, described (`web (space prod)`).
        candidates: Vec<String>,
    },
    /// The value is a name, and this kind was not loaded: names need the
    /// directory.
    NeedsDirectory,
}

/// What a [`Resolver`] loaded: users, roles, spaces and projects, indexed
/// for lookups in both directions.
///
/// Lookups follow Arize's rules: a user by e-mail (exact, any case), a
/// role, space or project by exact name, a project name within its space; a
/// value that decodes to `Type:...` is an ID and is taken as it is (an ID
/// the catalog does not list is still used: the directory may not show
/// every user, e.g. a service key's bot user). A kind that was not loaded
/// resolves IDs only.
///
/// ```
/// use arize_role_bindings::access::{Catalog, RoleEntry, Unresolved};
/// use arize_role_bindings::RoleId;
///
/// let catalog = Catalog::new().with_roles([RoleEntry::new(RoleId::new("Um9sZToxOmFCY0Q="), "Member")]);
/// assert_eq!(catalog.role("Member").unwrap().id, "Um9sZToxOmFCY0Q=");
/// assert_eq!(
///     catalog.role("Membr").unwrap_err(),
///     Unresolved::NotFound { near: vec!["Member".into()] }
/// );
/// ```
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    loaded: Kinds,
    users: Vec<UserEntry>,
    roles: Vec<RoleEntry>,
    spaces: Vec<SpaceEntry>,
    projects: Vec<ProjectEntry>,
    user_by_email: HashMap<String, usize>,
    user_by_id: HashMap<UserId, usize>,
    role_by_name: HashMap<String, usize>,
    role_by_id: HashMap<RoleId, usize>,
    spaces_by_name: HashMap<String, Vec<usize>>,
    space_by_id: HashMap<SpaceId, usize>,
    projects_by_name: HashMap<String, Vec<usize>>,
    project_by_id: HashMap<ProjectId, usize>,
}

impl Catalog {
    /// A catalog that knows nothing (IDs only).
    pub fn new() -> Self {
        Self::default()
    }

    /// The `kinds` of `directory` (the others stay unloaded: IDs only).
    pub fn from_directory(directory: &Directory, kinds: Kinds) -> Self {
        let mut catalog = Self::new();
        if kinds.users {
            catalog = catalog.with_users(
                directory
                    .users()
                    .iter()
                    .map(|u| UserEntry::new(u.id.clone(), &u.email, &u.name)),
            );
        }
        if kinds.roles {
            catalog = catalog.with_roles(
                directory
                    .roles()
                    .iter()
                    .map(|r| RoleEntry::new(r.id.clone(), &r.name)),
            );
        }
        if kinds.spaces {
            catalog = catalog.with_spaces(
                directory
                    .spaces()
                    .iter()
                    .map(|s| SpaceEntry::new(s.id.clone(), &s.name)),
            );
        }
        if kinds.projects {
            catalog = catalog.with_projects(
                directory
                    .projects()
                    .iter()
                    .map(|p| ProjectEntry::new(p.id.clone(), &p.name, p.space_id.clone())),
            );
        }
        catalog
    }

    /// Whether any kind was loaded.
    pub fn knows_names(&self) -> bool {
        self.loaded != Kinds::NONE
    }

    /// The kinds loaded.
    pub fn loaded(&self) -> Kinds {
        self.loaded
    }

    /// Loads users (replacing any).
    #[must_use]
    pub fn with_users(mut self, users: impl IntoIterator<Item = UserEntry>) -> Self {
        self.users = users.into_iter().collect();
        self.user_by_email = self
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.email.to_lowercase(), i))
            .collect();
        self.user_by_id = self
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i))
            .collect();
        self.loaded.users = true;
        self
    }

    /// Loads roles (replacing any).
    #[must_use]
    pub fn with_roles(mut self, roles: impl IntoIterator<Item = RoleEntry>) -> Self {
        self.roles = roles.into_iter().collect();
        self.role_by_name = self
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.clone(), i))
            .collect();
        self.role_by_id = self
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        self.loaded.roles = true;
        self
    }

    /// Loads spaces (replacing any).
    #[must_use]
    pub fn with_spaces(mut self, spaces: impl IntoIterator<Item = SpaceEntry>) -> Self {
        self.spaces = spaces.into_iter().collect();
        self.spaces_by_name = HashMap::new();
        for (i, s) in self.spaces.iter().enumerate() {
            self.spaces_by_name
                .entry(s.name.clone())
                .or_default()
                .push(i);
        }
        self.space_by_id = self
            .spaces
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        self.loaded.spaces = true;
        self
    }

    /// Loads projects (replacing any).
    #[must_use]
    pub fn with_projects(mut self, projects: impl IntoIterator<Item = ProjectEntry>) -> Self {
        self.projects = projects.into_iter().collect();
        self.projects_by_name = HashMap::new();
        for (i, p) in self.projects.iter().enumerate() {
            self.projects_by_name
                .entry(p.name.clone())
                .or_default()
                .push(i);
        }
        self.project_by_id = self
            .projects
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        self.loaded.projects = true;
        self
    }

    /// A user by ID or e-mail.
    ///
    /// # Errors
    ///
    /// [`Unresolved`] when the e-mail is unknown or users were not loaded.
    pub fn user(&self, value: &str) -> Result<Named<UserId>, Unresolved> {
        if is_id(value, super::file::USER_TYPES.0) {
            let id = UserId::new(value);
            return Ok(Named {
                name: self.user_email(&id),
                id,
            });
        }
        if !self.loaded.users {
            return Err(Unresolved::NeedsDirectory);
        }
        match self.user_by_email.get(&value.to_lowercase()) {
            Some(&i) => Ok(Named {
                id: self.users[i].id.clone(),
                name: Some(self.users[i].email.clone()),
            }),
            None => Err(Unresolved::NotFound {
                near: super::file::near_matches(
                    value,
                    self.users.iter().map(|u| u.email.as_str()),
                    3,
                ),
            }),
        }
    }

    /// A role by ID or exact name.
    ///
    /// # Errors
    ///
    /// [`Unresolved`] when the name is unknown or roles were not loaded.
    pub fn role(&self, value: &str) -> Result<Named<RoleId>, Unresolved> {
        if is_id(value, super::file::ROLE_TYPES.0) {
            let id = RoleId::new(value);
            return Ok(Named {
                name: self.role_name(&id),
                id,
            });
        }
        if !self.loaded.roles {
            return Err(Unresolved::NeedsDirectory);
        }
        match self.role_by_name.get(value) {
            Some(&i) => Ok(Named {
                id: self.roles[i].id.clone(),
                name: Some(self.roles[i].name.clone()),
            }),
            None => Err(Unresolved::NotFound {
                near: super::file::near_matches(
                    value,
                    self.roles.iter().map(|r| r.name.as_str()),
                    3,
                ),
            }),
        }
    }

    /// A space by ID or exact name.
    ///
    /// # Errors
    ///
    /// [`Unresolved`] when the name is unknown, names two spaces, or spaces
    /// were not loaded.
    pub fn space(&self, value: &str) -> Result<Named<SpaceId>, Unresolved> {
        if is_id(value, super::file::SPACE_TYPES.0) {
            let id = SpaceId::new(value);
            return Ok(Named {
                name: self.space_name(&id),
                id,
            });
        }
        if !self.loaded.spaces {
            return Err(Unresolved::NeedsDirectory);
        }
        match self.spaces_by_name.get(value).map(Vec::as_slice) {
            Some([i]) => Ok(Named {
                id: self.spaces[*i].id.clone(),
                name: Some(self.spaces[*i].name.clone()),
            }),
            Some(many) if many.len() > 1 => Err(Unresolved::Ambiguous {
                candidates: many
                    .iter()
                    .map(|&i| format!("{} ({})", self.spaces[i].name, self.spaces[i].id))
                    .collect(),
            }),
            _ => Err(Unresolved::NotFound {
                near: super::file::near_matches(
                    value,
                    self.spaces.iter().map(|s| s.name.as_str()),
                    3,
                ),
            }),
        }
    }

    /// A project by ID, or by exact name (within `space`, given by ID or
    /// name, when there is one). Returns the project and, when known, its
    /// space.
    ///
    /// # Errors
    ///
    /// [`Unresolved`] when the name is unknown, exists in several spaces
    /// and no space was given, or projects were not loaded.
    pub fn project(
        &self,
        value: &str,
        space: Option<&str>,
    ) -> Result<(Named<ProjectId>, Option<Named<SpaceId>>), Unresolved> {
        if is_id(value, super::file::PROJECT_TYPES.0) {
            let id = ProjectId::new(value);
            let described = self.describe_project(&id);
            return Ok((
                Named {
                    id,
                    name: described.0,
                },
                described.1,
            ));
        }
        if !self.loaded.projects {
            return Err(Unresolved::NeedsDirectory);
        }
        let space = match space {
            Some(space) => Some(self.space(space)?),
            None => None,
        };
        let candidates: Vec<usize> = self
            .projects_by_name
            .get(value)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| {
                space
                    .as_ref()
                    .is_none_or(|s| self.projects[i].space_id == s.id)
            })
            .collect();
        match candidates.as_slice() {
            [i] => {
                let p = &self.projects[*i];
                Ok((
                    Named {
                        id: p.id.clone(),
                        name: Some(p.name.clone()),
                    },
                    Some(Named {
                        id: p.space_id.clone(),
                        name: self.space_name(&p.space_id),
                    }),
                ))
            }
            [] => Err(Unresolved::NotFound {
                near: super::file::near_matches(
                    value,
                    self.projects
                        .iter()
                        .filter(|p| space.as_ref().is_none_or(|s| p.space_id == s.id))
                        .map(|p| p.name.as_str()),
                    3,
                ),
            }),
            many => Err(Unresolved::Ambiguous {
                candidates: many
                    .iter()
                    .map(|&i| {
                        let p = &self.projects[i];
                        let space = self
                            .space_name(&p.space_id)
                            .unwrap_or_else(|| p.space_id.to_string());
                        format!("{} (space {space})", p.name)
                    })
                    .collect(),
            }),
        }
    }

    /// A user's e-mail, when known.
    pub fn user_email(&self, id: &UserId) -> Option<String> {
        self.user_by_id
            .get(id)
            .map(|&i| self.users[i].email.clone())
    }

    /// A user's entry (e-mail and display name), when known.
    pub fn user_entry(&self, id: &UserId) -> Option<&UserEntry> {
        self.user_by_id.get(id).map(|&i| &self.users[i])
    }

    /// A role's name, when known.
    pub fn role_name(&self, id: &RoleId) -> Option<String> {
        self.role_by_id.get(id).map(|&i| self.roles[i].name.clone())
    }

    /// A space's name, when known.
    pub fn space_name(&self, id: &SpaceId) -> Option<String> {
        self.space_by_id
            .get(id)
            .map(|&i| self.spaces[i].name.clone())
    }

    /// A role's name, borrowed (the CSV writer's lookup: no allocation).
    pub(crate) fn role_name_ref(&self, id: &RoleId) -> Option<&str> {
        self.role_by_id
            .get(id)
            .map(|&i| self.roles[i].name.as_str())
    }

    /// A space's name, borrowed.
    pub(crate) fn space_name_ref(&self, id: &SpaceId) -> Option<&str> {
        self.space_by_id
            .get(id)
            .map(|&i| self.spaces[i].name.as_str())
    }

    /// A project's entry, when known.
    pub(crate) fn project_entry(&self, id: &ProjectId) -> Option<&ProjectEntry> {
        self.project_by_id.get(id).map(|&i| &self.projects[i])
    }

    /// A project's name and its space, when known.
    pub fn describe_project(&self, id: &ProjectId) -> (Option<String>, Option<Named<SpaceId>>) {
        match self.project_by_id.get(id) {
            Some(&i) => {
                let p = &self.projects[i];
                (
                    Some(p.name.clone()),
                    Some(Named {
                        id: p.space_id.clone(),
                        name: self.space_name(&p.space_id),
                    }),
                )
            }
            None => (None, None),
        }
    }
}

fn is_id(value: &str, accepted: &[&str]) -> bool {
    // A wrong-type ID was reported when the file was read; here it counts
    // as an ID so that it is never looked up as a name.
    !matches!(
        super::file::classify(value, accepted),
        super::file::RefClass::Name
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    fn catalog() -> Catalog {
        Catalog::new()
            .with_users([UserEntry::new(
                UserId::new("VXNlcjoxOmE="),
                "Alice@Example.com",
                "Alice",
            )])
            .with_spaces([
                SpaceEntry::new(SpaceId::new("U3BhY2U6MTph"), "prod"),
                SpaceEntry::new(SpaceId::new("U3BhY2U6Mjpi"), "staging"),
            ])
            .with_projects([
                ProjectEntry::new(
                    ProjectId::new("UHJvamVjdDoxOmE="),
                    "web",
                    SpaceId::new("U3BhY2U6MTph"),
                ),
                ProjectEntry::new(
                    ProjectId::new("UHJvamVjdDoyOmI="),
                    "web",
                    SpaceId::new("U3BhY2U6Mjpi"),
                ),
            ])
    }

    #[test]
    fn users_by_email_in_any_case() {
        let c = catalog();
        assert_eq!(c.user("alice@example.com").unwrap().id, "VXNlcjoxOmE=");
        assert_eq!(
            c.user("alise@example.com").unwrap_err(),
            Unresolved::NotFound {
                near: vec!["Alice@Example.com".into()]
            }
        );
        // IDs resolve without a lookup, named when known.
        assert_eq!(
            c.user("VXNlcjoxOmE=").unwrap().name.as_deref(),
            Some("Alice@Example.com")
        );
        assert_eq!(
            Catalog::new().user("x@y").unwrap_err(),
            Unresolved::NeedsDirectory
        );
    }

    #[test]
    fn a_project_name_in_two_spaces_needs_its_space() {
        let c = catalog();
        match c.project("web", None).unwrap_err() {
            Unresolved::Ambiguous { candidates } => {
                assert_eq!(candidates, ["web (space prod)", "web (space staging)"]);
            }
            other => panic!("{other:?}"),
        }
        let (p, s) = c.project("web", Some("staging")).unwrap();
        assert_eq!(p.id, "UHJvamVjdDoyOmI=");
        assert_eq!(s.unwrap().name.as_deref(), Some("staging"));
        assert_eq!(
            c.project("wbe", Some("prod")).unwrap_err(),
            Unresolved::NotFound {
                near: vec!["web".into()]
            }
        );
    }
}
