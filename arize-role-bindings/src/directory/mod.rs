//! The account's directory — users, roles, spaces, projects — and names
//! instead of opaque IDs.
//!
//! - [`Client::users`](crate::Client::users),
//!   [`roles`](crate::Client::roles), [`spaces`](crate::Client::spaces) and
//!   [`projects`](crate::Client::projects) read the directory: `get`, a
//!   lazy `list` stream (with the API's filters, resumable, with read-ahead
//!   and the loop guards of [`pagination`](crate::pagination)), and lookups
//!   by what people know — a user by e-mail, a role, space or project by
//!   name.
//! - A [`Directory`] loads all four in one pass each and then resolves any
//!   number of names from memory: the way to resolve many grants.
//! - A name that matches nothing is [`LookupError::NotFound`] with the
//!   closest names the lookup saw; one that matches several (a project
//!   name in two spaces) is [`LookupError::Ambiguous`].
//! - Every lookup is bounded as a whole, as [`Client::ensure`]'s is: its
//!   pages share one deadline (the client's, from the lookup's start) and it
//!   reads at most [`MAX_LOOKUP_PAGES`](crate::MAX_LOOKUP_PAGES) pages
//!   ([`PaginationError::TooManyPages`] after that). The `list` streams and
//!   [`Directory::load`] are listings, bounded per page as any stream.
//!
//! ```no_run
//! use arize_role_bindings::Client;
//! use arize_role_bindings::directory::{Directory, UserQuery, UserStatus};
//! use futures::TryStreamExt as _;
//!
//! # async fn demo(client: Client) -> Result<(), arize_role_bindings::Error> {
//! let alice = client.users().by_email("Alice@Example.com").await?;
//! let member = client.roles().by_name("Member").await?;
//! println!("{} {} / {} {}", alice.email, alice.id, member.name, member.id);
//!
//! let invited: Vec<_> = client
//!     .users()
//!     .list(UserQuery::new().status(UserStatus::Invited))
//!     .try_collect()
//!     .await?;
//! println!("{} invited", invited.len());
//!
//! // Many names: load once, resolve from memory.
//! let directory = Directory::load(&client).await?;
//! let prod = directory.space_named("prod")?;
//! println!("prod is {}", prod.id);
//! # Ok(())
//! # }
//! ```

/// The four reads every directory resource has — `get`, `list`, `pages` and
/// `list_page` — for its handle, on the module's `get` function (`$get`)
/// and its query (whose `request` is the module's `ListRequest`).
macro_rules! reads {
    ($handle:ident, $get:ident, $id:ty, $record:ident, $query:ident, $stream:ident, $pages:ident,
     $noun:literal, $plural:literal, $get_errors:literal) => {
        impl $handle {
            #[doc = concat!("Reads a ", $noun, ".")]
            ///
            /// # Errors
            ///
            #[doc = $get_errors]
            pub async fn get(&self, id: &$id) -> Result<$record, Error> {
                $get(&self.exec, id).await
            }

            #[doc = concat!("A lazy stream of every ", $noun, " matching `query`, across pages.")]
            pub fn list(&self, query: $query) -> $stream {
                ItemStream::new(self.pages(query))
            }

            /// A lazy stream of the pages matching `query`.
            pub fn pages(&self, query: $query) -> $pages {
                PageStream::new(self.exec.clone(), query.request, query.stream)
            }

            #[doc = concat!("One page of ", $plural, ".")]
            ///
            /// # Errors
            ///
            #[doc = concat!("As [`", stringify!($query), "::validate`];")]
            /// [`Error::Api`] and transport errors.
            pub async fn list_page(&self, query: &$query) -> Result<DirectoryPage<$record>, Error> {
                pagination::one_page(&self.exec, &query.request, &query.stream).await
            }
        }
    };
}
use reads;

mod lookup;
mod projects;
mod roles;
mod spaces;
mod users;

use std::collections::HashMap;

use futures::TryStreamExt as _;
use serde::{Deserialize, Serialize};

pub use crate::records::{
    AccountRole, DirectoryPage, Permission, PredefinedAccountRole, Project, Record, Role, RoleKind,
    Space, User, UserStatus,
};
pub use lookup::{Candidate, Kind, LookupError};
pub use projects::{ProjectPages, ProjectQuery, ProjectStream, Projects};
pub use roles::{RolePages, RoleQuery, RoleStream, Roles};
pub use spaces::{SpacePages, SpaceQuery, SpaceStream, Spaces};
pub use users::{UserPages, UserQuery, UserStream, Users};

use crate::bulk::{Grant, Revocation};
use crate::client::Client;
use std::sync::Arc;

use crate::error::{Error, PaginationError};
use crate::exec::Executor;
use crate::ids::{RoleId, SpaceId, UserId};
use crate::pagination::{CursorPage, ListRequest, PageStream};
use crate::refs::{ResourceRef, RoleRef, SpaceRef, UserRef};
use crate::types::{ReadAhead, Resource, StreamOptions};

/// The page size lookups and [`Directory::load`] list with: the largest
/// the API allows, for the fewest requests.
pub(crate) const LOOKUP_PAGE_SIZE: u32 = 100;

/// The records a lookup lists, bounded as a whole as
/// [`Client::ensure`]'s lookup is: the pages share one deadline (the
/// client's, from the lookup's start) and at most
/// [`MAX_LOOKUP_PAGES`](crate::client::MAX_LOOKUP_PAGES) pages are read
/// ([`PaginationError::TooManyPages`] after that). Stops after the page
/// with a record for which `found` is true.
pub(crate) async fn lookup<P: CursorPage>(
    exec: &Arc<Executor>,
    request: impl ListRequest<Page = P>,
    found: impl Fn(&P::Item) -> bool,
) -> Result<Vec<P::Item>, Error> {
    let stream = StreamOptions {
        until: exec.clock.now().checked_add(exec.deadline),
        ..StreamOptions::default()
    };
    let mut pages = PageStream::new(exec.clone(), request, stream);
    let mut items = Vec::new();
    while let Some(page) = pages.try_next().await? {
        let hit = page.items().iter().any(&found);
        items.extend(page.into_items());
        if hit {
            break;
        }
        if pages.pages_received() >= crate::client::MAX_LOOKUP_PAGES && !pages.is_done() {
            return Err(PaginationError::TooManyPages {
                pages: pages.pages_received(),
            }
            .into());
        }
    }
    Ok(items)
}

/// Every user, role, space and project of the account, loaded once
/// ([`Directory::load`]), to resolve names from memory.
///
/// Loading lists the four kinds concurrently, each in one pass of 100-item
/// pages with read-ahead: it costs exactly the pages of those lists, and
/// every lookup afterwards costs nothing. Users are those the API lists by
/// default (ACTIVE, INVITED, EXPIRED). A snapshot: it does not see changes
/// made after it was loaded (load again to refresh).
///
/// Serialises (serde) as `{"users": [...], "roles": [...], "spaces":
/// [...], "projects": [...]}` of the API's records, so it can be saved and
/// read back.
///
/// ```no_run
/// use arize_role_bindings::{Client, Grant, ResourceRef};
/// use arize_role_bindings::directory::Directory;
/// use futures::StreamExt as _;
///
/// # async fn demo(client: Client, emails: Vec<String>) -> Result<(), arize_role_bindings::Error> {
/// let directory = Directory::load(&client).await?;
/// let grants = emails
///     .iter()
///     .map(|email| Grant::new(email.as_str(), "Member", ResourceRef::space_named("prod")));
/// let mut results = client.bulk().directory(directory).ensure(grants);
/// while let Some(item) = results.next().await {
///     if let Err(e) = &item.result {
///         eprintln!("#{}: {e}", item.index);
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Snapshot", into = "Snapshot")]
pub struct Directory {
    users: Vec<User>,
    roles: Vec<Role>,
    spaces: Vec<Space>,
    projects: Vec<Project>,
    /// Lower-cased e-mail → indexes into `users`.
    by_email: HashMap<String, Vec<usize>>,
    /// Role name → indexes into `roles`.
    role_by_name: HashMap<String, Vec<usize>>,
    /// Space name → indexes into `spaces`.
    space_by_name: HashMap<String, Vec<usize>>,
    /// Project name → indexes into `projects`.
    project_by_name: HashMap<String, Vec<usize>>,
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    users: Vec<User>,
    roles: Vec<Role>,
    spaces: Vec<Space>,
    projects: Vec<Project>,
}

impl From<Snapshot> for Directory {
    fn from(s: Snapshot) -> Self {
        Self::from_records(s.users, s.roles, s.spaces, s.projects)
    }
}

impl From<Directory> for Snapshot {
    fn from(d: Directory) -> Self {
        Self {
            users: d.users,
            roles: d.roles,
            spaces: d.spaces,
            projects: d.projects,
        }
    }
}

fn index<T>(items: &[T], key: impl Fn(&T) -> String) -> HashMap<String, Vec<usize>> {
    let mut map: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        map.entry(key(item)).or_default().push(i);
    }
    map
}

impl Directory {
    /// Loads every user, role, space and project, the four lists
    /// concurrently (one pass each, 100 per page, one page read ahead).
    ///
    /// # Errors
    ///
    /// The first error of any of the four listings (after the client's
    /// retries), e.g. [`Error::Api`] with 403 when the key may not list
    /// users.
    pub async fn load(client: &Client) -> Result<Self, Error> {
        Self::load_only(client, [true; 4]).await
    }

    /// Loads only the kinds `[users, roles, spaces, projects]` marked
    /// `true`, concurrently (one pass each, 100 per page, one page read
    /// ahead); the others stay empty.
    pub(crate) async fn load_only(client: &Client, kinds: [bool; 4]) -> Result<Self, Error> {
        let [want_users, want_roles, want_spaces, want_projects] = kinds;
        let users = async {
            if !want_users {
                return Ok(Vec::new());
            }
            client
                .users()
                .list(
                    UserQuery::new()
                        .limit(LOOKUP_PAGE_SIZE)
                        .read_ahead(ReadAhead::OnePage),
                )
                .try_collect::<Vec<_>>()
                .await
        };
        let roles = async {
            if !want_roles {
                return Ok(Vec::new());
            }
            client
                .roles()
                .list(
                    RoleQuery::new()
                        .limit(LOOKUP_PAGE_SIZE)
                        .read_ahead(ReadAhead::OnePage),
                )
                .try_collect::<Vec<_>>()
                .await
        };
        let spaces = async {
            if !want_spaces {
                return Ok(Vec::new());
            }
            client
                .spaces()
                .list(
                    SpaceQuery::new()
                        .limit(LOOKUP_PAGE_SIZE)
                        .read_ahead(ReadAhead::OnePage),
                )
                .try_collect::<Vec<_>>()
                .await
        };
        let projects = async {
            if !want_projects {
                return Ok(Vec::new());
            }
            client
                .projects()
                .list(
                    ProjectQuery::new()
                        .limit(LOOKUP_PAGE_SIZE)
                        .read_ahead(ReadAhead::OnePage),
                )
                .try_collect::<Vec<_>>()
                .await
        };
        let (users, roles, spaces, projects) = futures::try_join!(users, roles, spaces, projects)?;
        Ok(Self::from_records(users, roles, spaces, projects))
    }

    /// A directory of these records (for example read from elsewhere, or
    /// built in a test).
    pub fn from_records(
        users: Vec<User>,
        roles: Vec<Role>,
        spaces: Vec<Space>,
        projects: Vec<Project>,
    ) -> Self {
        Self {
            by_email: index(&users, |u| u.email.to_lowercase()),
            role_by_name: index(&roles, |r| r.name.clone()),
            space_by_name: index(&spaces, |s| s.name.clone()),
            project_by_name: index(&projects, |p| p.name.clone()),
            users,
            roles,
            spaces,
            projects,
        }
    }

    /// Every user loaded.
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// Every role loaded.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// Every space loaded.
    pub fn spaces(&self) -> &[Space] {
        &self.spaces
    }

    /// Every project loaded.
    pub fn projects(&self) -> &[Project] {
        &self.projects
    }

    /// The user with this e-mail address, ignoring case.
    ///
    /// # Errors
    ///
    /// [`LookupError::NotFound`] (with the closest addresses) or
    /// [`LookupError::Ambiguous`].
    pub fn user_by_email(&self, email: &str) -> Result<&User, LookupError> {
        match self.by_email.get(&email.to_lowercase()).map(Vec::as_slice) {
            Some([one]) => Ok(&self.users[*one]),
            Some(many) if !many.is_empty() => Err(ambiguous(
                Kind::User,
                email,
                many.iter().map(|&i| (&self.users[i].id, None)),
            )),
            _ => Err(LookupError::not_found(
                Kind::User,
                email,
                self.users.iter().map(|u| u.email.as_str()),
            )),
        }
    }

    /// The role with exactly this name (case included).
    ///
    /// # Errors
    ///
    /// [`LookupError::NotFound`] (with the closest names) or
    /// [`LookupError::Ambiguous`].
    pub fn role_named(&self, name: &str) -> Result<&Role, LookupError> {
        match self.role_by_name.get(name).map(Vec::as_slice) {
            Some([one]) => Ok(&self.roles[*one]),
            Some(many) if !many.is_empty() => Err(ambiguous(
                Kind::Role,
                name,
                many.iter().map(|&i| (&self.roles[i].id, None)),
            )),
            _ => Err(LookupError::not_found(
                Kind::Role,
                name,
                self.roles.iter().map(|r| r.name.as_str()),
            )),
        }
    }

    /// The space with exactly this name (case included).
    ///
    /// # Errors
    ///
    /// [`LookupError::NotFound`] (with the closest names) or
    /// [`LookupError::Ambiguous`] (two organizations each have one).
    pub fn space_named(&self, name: &str) -> Result<&Space, LookupError> {
        match self.space_by_name.get(name).map(Vec::as_slice) {
            Some([one]) => Ok(&self.spaces[*one]),
            Some(many) if !many.is_empty() => Err(ambiguous(
                Kind::Space,
                name,
                many.iter().map(|&i| (&self.spaces[i].id, None)),
            )),
            _ => Err(LookupError::not_found(
                Kind::Space,
                name,
                self.spaces.iter().map(|s| s.name.as_str()),
            )),
        }
    }

    /// The project named exactly `name` in `space` (an ID or a space name).
    ///
    /// # Errors
    ///
    /// [`LookupError::NotFound`] for the space or the project (with the
    /// closest names of the space's projects).
    pub fn project_named(
        &self,
        name: &str,
        space: impl Into<SpaceRef>,
    ) -> Result<&Project, LookupError> {
        let space = self.space_id(&space.into())?;
        let found: Vec<usize> = self
            .project_by_name
            .get(name)
            .map(|all| {
                all.iter()
                    .copied()
                    .filter(|&i| self.projects[i].space_id == space)
                    .collect()
            })
            .unwrap_or_default();
        match found.as_slice() {
            [one] => Ok(&self.projects[*one]),
            [] => Err(LookupError::not_found(
                Kind::Project,
                name,
                self.projects
                    .iter()
                    .filter(|p| p.space_id == space)
                    .map(|p| p.name.as_str()),
            )),
            many => Err(ambiguous(
                Kind::Project,
                name,
                many.iter().map(|&i| (&self.projects[i].id, None)),
            )),
        }
    }

    /// The project named exactly `name`, in whichever space has it.
    ///
    /// # Errors
    ///
    /// [`LookupError::Ambiguous`] when several spaces have a project of
    /// that name (the candidates name their spaces), or
    /// [`LookupError::NotFound`].
    pub fn project_named_in_any_space(&self, name: &str) -> Result<&Project, LookupError> {
        match self.project_by_name.get(name).map(Vec::as_slice) {
            Some([one]) => Ok(&self.projects[*one]),
            Some(many) if !many.is_empty() => Err(ambiguous(
                Kind::Project,
                name,
                many.iter().map(|&i| {
                    let p = &self.projects[i];
                    (&p.id, Some(format!("in space {}", p.space_id)))
                }),
            )),
            _ => Err(LookupError::not_found(
                Kind::Project,
                name,
                self.projects.iter().map(|p| p.name.as_str()),
            )),
        }
    }

    fn space_id(&self, space: &SpaceRef) -> Result<SpaceId, LookupError> {
        match space {
            SpaceRef::Id(id) => Ok(id.clone()),
            SpaceRef::Name(name) => Ok(self.space_named(name)?.id.clone()),
        }
    }

    /// The ID of `user`: as given, or looked up by e-mail.
    ///
    /// # Errors
    ///
    /// As [`user_by_email`](Self::user_by_email).
    pub fn resolve_user(&self, user: &UserRef) -> Result<UserId, LookupError> {
        match user {
            UserRef::Id(id) => Ok(id.clone()),
            UserRef::Email(email) => Ok(self.user_by_email(email)?.id.clone()),
        }
    }

    /// The ID of `role`: as given, or looked up by name.
    ///
    /// # Errors
    ///
    /// As [`role_named`](Self::role_named).
    pub fn resolve_role(&self, role: &RoleRef) -> Result<RoleId, LookupError> {
        match role {
            RoleRef::Id(id) => Ok(id.clone()),
            RoleRef::Name(name) => Ok(self.role_named(name)?.id.clone()),
        }
    }

    /// The resource `resource` names: as given, or looked up by name.
    ///
    /// # Errors
    ///
    /// As [`space_named`](Self::space_named) and
    /// [`project_named`](Self::project_named).
    pub fn resolve_resource(&self, resource: &ResourceRef) -> Result<Resource, LookupError> {
        match resource {
            ResourceRef::Id(resource) => Ok(resource.clone()),
            ResourceRef::SpaceNamed(name) => {
                Ok(Resource::Space(self.space_named(name)?.id.clone()))
            }
            ResourceRef::ProjectNamed { name, space } => Ok(Resource::Project(
                self.project_named(name, space.clone())?.id.clone(),
            )),
        }
    }

    /// The grant with every name replaced by its ID.
    ///
    /// # Errors
    ///
    /// The first name that does not resolve.
    pub fn resolve_grant(&self, grant: &Grant) -> Result<Grant, LookupError> {
        Ok(Grant::new(
            self.resolve_user(&grant.user)?,
            self.resolve_role(&grant.role)?,
            self.resolve_resource(&grant.resource)?,
        ))
    }

    /// The revocation with every name replaced by its ID.
    ///
    /// # Errors
    ///
    /// The first name that does not resolve.
    pub fn resolve_revocation(&self, revocation: &Revocation) -> Result<Revocation, LookupError> {
        Ok(Revocation::new(
            self.resolve_user(&revocation.user)?,
            self.resolve_resource(&revocation.resource)?,
        ))
    }
}

/// The one record of `seen` that `is_it` picks: [`LookupError::NotFound`]
/// with the closest of `seen`'s names (`label`) when none is, or
/// [`LookupError::Ambiguous`] with each candidate's ID and `context` when
/// several are. The by-name and by-e-mail lookups of the handles share it.
pub(crate) fn pick_one<'a, T: Record>(
    kind: Kind,
    name: &str,
    seen: &'a [T],
    label: impl Fn(&T) -> &str,
    is_it: impl Fn(&T) -> bool,
    context: impl Fn(&T) -> Option<String>,
) -> Result<&'a T, Error> {
    let mut exact = seen.iter().filter(|r| is_it(r));
    match (exact.next(), exact.next()) {
        (Some(record), None) => Ok(record),
        (None, _) => Err(LookupError::not_found(kind, name, seen.iter().map(label)).into()),
        (Some(_), Some(_)) => Err(ambiguous(
            kind,
            name,
            seen.iter()
                .filter(|r| is_it(r))
                .map(|r| (r.id_str(), context(r))),
        )
        .into()),
    }
}

fn ambiguous<'a, I: fmt::Display + ?Sized + 'a>(
    kind: Kind,
    name: &str,
    candidates: impl Iterator<Item = (&'a I, Option<String>)>,
) -> LookupError {
    LookupError::Ambiguous {
        kind,
        name: name.to_owned(),
        candidates: candidates
            .map(|(id, context)| Candidate {
                id: id.to_string(),
                context,
            })
            .collect(),
    }
}

use std::fmt;
