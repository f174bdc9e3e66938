//! The directory's typed records — [`User`], [`Role`], [`Space`],
//! [`Project`] — and the page type of their listings.
//!
//! Each serialises as the API's own JSON (field names, the tagged account
//! role, RFC 3339 timestamps) and reads it back, ignoring fields added
//! later. Strings the API may extend — a user's status, the account role,
//! permissions — are open: a value this crate does not know is kept as
//! `Other(..)` / a plain [`Permission`], never an error.
//!
//! One limit: responses are decoded by the generated client first, whose
//! `UserStatus` and account role follow the API document's closed enums
//! (`Permission` is an open string there too). A status the document does
//! not list fails that response with [`Error::Decode`](crate::Error::Decode)
//! until the document lists it; the `Other` fallback covers JSON read
//! with serde, such as a saved [`Directory`](crate::Directory).

use std::fmt;

use arize_api::types as wire;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ProjectId, RoleId, SpaceId, UserId};
use crate::pagination::{CursorPage, sealed};
use crate::types::Cursor;

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        ///
        /// Serialises as the API's upper-case string; a value this crate
        /// does not know reads as `Other` with the string as sent.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value the API sent that this crate does not know yet.
            Other(String),
        }

        impl $name {
            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Other(other) => other,
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $($wire => Self::$variant,)+
                    _ => Self::Other(value),
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from(value.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                match value {
                    $name::Other(other) => other,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_enum! {
    /// A user's status in the account.
    UserStatus {
        /// An active user.
        Active = "ACTIVE",
        /// Invited, not yet joined.
        Invited = "INVITED",
        /// The invitation expired.
        Expired = "EXPIRED",
    }
}

open_enum! {
    /// A predefined account-level role.
    PredefinedAccountRole {
        /// Account administrator.
        Admin = "ADMIN",
        /// Account member.
        Member = "MEMBER",
        /// Annotator.
        Annotator = "ANNOTATOR",
    }
}

impl UserStatus {
    pub(crate) fn to_wire(&self) -> Option<wire::UserStatus> {
        match self {
            Self::Active => Some(wire::UserStatus::Active),
            Self::Invited => Some(wire::UserStatus::Invited),
            Self::Expired => Some(wire::UserStatus::Expired),
            Self::Other(_) => None,
        }
    }
}

impl From<wire::UserStatus> for UserStatus {
    fn from(status: wire::UserStatus) -> Self {
        match status {
            wire::UserStatus::Active => Self::Active,
            wire::UserStatus::Invited => Self::Invited,
            wire::UserStatus::Expired => Self::Expired,
        }
    }
}

/// A user's account-level role (not a role binding): predefined, or a
/// custom role.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type")]
#[non_exhaustive]
pub enum AccountRole {
    /// One of the predefined account roles.
    #[serde(rename = "PREDEFINED")]
    Predefined {
        /// Which one.
        name: PredefinedAccountRole,
    },
    /// A custom role ("reserved for future use" by Arize).
    #[serde(rename = "CUSTOM")]
    Custom {
        /// The role's ID.
        id: RoleId,
        /// The role's name, when sent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
}

impl From<wire::UserRoleAssignment> for AccountRole {
    fn from(role: wire::UserRoleAssignment) -> Self {
        match role {
            wire::UserRoleAssignment::Predefined { name } => Self::Predefined {
                name: PredefinedAccountRole::from(match name {
                    wire::UserRole::Admin => "ADMIN",
                    wire::UserRole::Member => "MEMBER",
                    wire::UserRole::Annotator => "ANNOTATOR",
                }),
            },
            wire::UserRoleAssignment::Custom { id, name } => Self::Custom {
                id: RoleId::new(id.0),
                name,
            },
        }
    }
}

/// A permission a role grants, e.g. `ROLE_BINDING_CREATE`. An open set:
/// Arize adds permissions over time, and any string is kept as sent.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Permission(String);

impl Permission {
    /// A permission by its API name.
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    /// The API name, e.g. `SPACE_READ`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Permission").field(&self.0).finish()
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Permission {
    fn from(name: &str) -> Self {
        Self::new(name)
    }
}

impl PartialEq<&str> for Permission {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// A user of the account.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The user's ID.
    pub id: UserId,
    /// The display name.
    pub name: String,
    /// The e-mail address (unique, ignoring case).
    pub email: String,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
    /// Active, invited or expired.
    pub status: UserStatus,
    /// The account-level role (not a role binding).
    pub role: AccountRole,
    /// Whether the user may use the API.
    pub is_developer: bool,
}

impl From<wire::User> for User {
    fn from(user: wire::User) -> Self {
        Self {
            id: UserId::new(user.id.0),
            name: user.name,
            email: user.email,
            created_at: user.created_at,
            status: user.status.into(),
            role: user.role.into(),
            is_developer: user.is_developer,
        }
    }
}

/// A role: a named set of permissions, predefined or custom.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Role {
    /// The role's ID.
    pub id: RoleId,
    /// The name, unique within the account.
    pub name: String,
    /// What it is for, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The permissions it grants.
    pub permissions: Vec<Permission>,
    /// Predefined by Arize (cannot be changed) or custom.
    pub is_predefined: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

impl Role {
    /// Predefined or custom.
    pub fn kind(&self) -> RoleKind {
        if self.is_predefined {
            RoleKind::Predefined
        } else {
            RoleKind::Custom
        }
    }

    /// Whether the role grants `permission`.
    pub fn grants(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p.as_str() == permission)
    }
}

impl From<wire::Role> for Role {
    fn from(role: wire::Role) -> Self {
        Self {
            id: RoleId::new(role.id.0),
            name: role.name,
            description: role.description,
            permissions: role
                .permissions
                .into_iter()
                .map(|p| Permission(p.0))
                .collect(),
            is_predefined: role.is_predefined,
            created_at: role.created_at,
            updated_at: role.updated_at,
        }
    }
}

/// Predefined (by Arize) or custom: the `is_predefined` filter of
/// [`RoleQuery::kind`](crate::directory::RoleQuery::kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RoleKind {
    /// Arize's predefined roles.
    Predefined,
    /// The account's own roles.
    Custom,
}

/// A space.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Space {
    /// The space's ID.
    pub id: SpaceId,
    /// The name, unique within its organization.
    pub name: String,
    /// The description (may be empty).
    #[serde(default)]
    pub description: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<wire::Space> for Space {
    fn from(space: wire::Space) -> Self {
        Self {
            id: SpaceId::new(space.id.0),
            name: space.name,
            description: space.description,
            created_at: space.created_at,
        }
    }
}

/// A project, in a space.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Project {
    /// The project's ID.
    pub id: ProjectId,
    /// The name, unique within its space.
    pub name: String,
    /// The space it belongs to.
    pub space_id: SpaceId,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<wire::Project> for Project {
    fn from(project: wire::Project) -> Self {
        Self {
            id: ProjectId::new(project.id.0),
            name: project.name,
            space_id: SpaceId::new(project.space_id.0),
            created_at: project.created_at,
        }
    }
}

/// A directory record: what every listed item has.
pub trait Record: sealed::Sealed + Clone + fmt::Debug + Send + Sync + Unpin + 'static {
    /// The record's ID, as a string.
    fn id_str(&self) -> &str;
}

macro_rules! record {
    ($($ty:ty),+) => {$(
        impl sealed::Sealed for $ty {}
        impl Record for $ty {
            fn id_str(&self) -> &str {
                self.id.as_str()
            }
        }
    )+};
}

record!(User, Role, Space, Project);

/// One page of a directory listing (users, roles, spaces or projects).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DirectoryPage<T> {
    /// The records on this page (possibly none).
    pub items: Vec<T>,
    /// The cursor of the next page, when there is one.
    pub next_cursor: Option<Cursor>,
    /// Whether the server has more results after this page.
    pub has_more: bool,
}

impl<T> DirectoryPage<T> {
    /// The records on this page.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The cursor of the next page.
    pub fn next_cursor(&self) -> Option<&Cursor> {
        self.next_cursor.as_ref()
    }

    /// Builds a page from a wire list's items and pagination.
    pub(crate) fn from_wire<W: Into<T>>(
        items: Vec<W>,
        pagination: wire::PaginationMetadata,
    ) -> Self {
        Self {
            items: items.into_iter().map(Into::into).collect(),
            next_cursor: pagination.next_cursor.map(Cursor::new),
            has_more: pagination.has_more,
        }
    }
}

impl<T> IntoIterator for DirectoryPage<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<T: Record> sealed::Sealed for DirectoryPage<T> {}

impl<T: Record> CursorPage for DirectoryPage<T> {
    type Item = T;

    fn items(&self) -> &[T] {
        &self.items
    }

    fn into_items(self) -> Vec<T> {
        self.items
    }

    fn next_cursor(&self) -> Option<&Cursor> {
        self.next_cursor.as_ref()
    }

    fn has_more(&self) -> bool {
        self.has_more
    }

    fn item_key(item: &T) -> &str {
        item.id_str()
    }
}
