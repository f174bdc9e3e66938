//! Data types: role bindings, resources, pages, list queries and the
//! outcomes of `ensure` and `revoke`.
//!
//! Every data type serialises to and from the API's own JSON (the Python
//! SDK's `to_dict`/`to_json`/`from_json`):
//!
//! ```
//! use arize_role_bindings::{Resource, RoleBinding};
//!
//! let json = r#"{"id":"Um9sZUJpbmRpbmc6MTphQmNE","role_id":"Um9sZToxOmFCY0Q=",
//!   "user_id":"VXNlcjo0MjphQmNE","resource_type":"SPACE","resource_id":"U3BhY2U6MTpWNEth",
//!   "created_at":"2024-06-01T10:00:00Z","updated_at":"2024-06-01T10:00:00Z"}"#;
//! let binding: RoleBinding = serde_json::from_str(json)?;
//! assert!(matches!(binding.resource, Resource::Space(_)));
//! let again: RoleBinding = serde_json::from_str(&serde_json::to_string(&binding)?)?;
//! assert_eq!(again, binding);
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use arize_api::types as wire;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{ProjectId, RoleBindingId, RoleId, SpaceId, UserId};

/// The kind of resource a binding is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub enum ResourceType {
    /// A space (`SPACE`).
    #[serde(rename = "SPACE")]
    Space,
    /// A project (`PROJECT`); the ID may be a Project or a Model ID.
    #[serde(rename = "PROJECT")]
    Project,
}

impl ResourceType {
    /// The API's name: `SPACE` or `PROJECT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Space => "SPACE",
            Self::Project => "PROJECT",
        }
    }

    pub(crate) fn to_wire(self) -> wire::RoleBindingResourceType {
        match self {
            Self::Space => wire::RoleBindingResourceType::Space,
            Self::Project => wire::RoleBindingResourceType::Project,
        }
    }
}

/// The generated client's (and the fake server's) resource type.
impl From<ResourceType> for wire::RoleBindingResourceType {
    fn from(t: ResourceType) -> Self {
        t.to_wire()
    }
}

/// From the generated client's (and the fake server's) resource type.
impl From<wire::RoleBindingResourceType> for ResourceType {
    fn from(t: wire::RoleBindingResourceType) -> Self {
        match t {
            wire::RoleBindingResourceType::Space => Self::Space,
            wire::RoleBindingResourceType::Project => Self::Project,
        }
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`ResourceType`] from a string other than
/// `SPACE` or `PROJECT` (any case).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a resource type; use SPACE or PROJECT")]
pub struct ParseResourceTypeError(String);

impl FromStr for ResourceType {
    type Err = ParseResourceTypeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("SPACE") {
            Ok(Self::Space)
        } else if s.eq_ignore_ascii_case("PROJECT") {
            Ok(Self::Project)
        } else {
            Err(ParseResourceTypeError(s.to_owned()))
        }
    }
}

/// The resource a binding is on: its kind and ID in one value, so they
/// cannot disagree.
///
/// Serialises as the API's two fields, `resource_type` and `resource_id`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(tag = "resource_type", content = "resource_id")]
#[non_exhaustive]
pub enum Resource {
    /// A space.
    #[serde(rename = "SPACE")]
    Space(SpaceId),
    /// A project (a Project or Model ID).
    #[serde(rename = "PROJECT")]
    Project(ProjectId),
}

impl Resource {
    /// The resource's kind.
    pub fn resource_type(&self) -> ResourceType {
        match self {
            Self::Space(_) => ResourceType::Space,
            Self::Project(_) => ResourceType::Project,
        }
    }

    /// The resource's ID as sent to the API.
    pub fn id(&self) -> &str {
        match self {
            Self::Space(id) => id.as_str(),
            Self::Project(id) => id.as_str(),
        }
    }

    /// The resource's ID as the generated client takes it.
    pub(crate) fn wire_id(&self) -> &wire::Id {
        match self {
            Self::Space(id) => id.as_wire(),
            Self::Project(id) => id.as_wire(),
        }
    }

    /// Checks the ID against the kind (a Space ID for a space; a Project or
    /// Model ID for a project; opaque IDs pass).
    ///
    /// # Errors
    ///
    /// [`ValidationError::IdTypeMismatch`] or [`ValidationError::EmptyId`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Self::Space(id) => id.validate(),
            Self::Project(id) => id.validate(),
        }
    }

    fn from_wire(resource_type: wire::RoleBindingResourceType, id: wire::Id) -> Self {
        match resource_type {
            wire::RoleBindingResourceType::Space => Self::Space(SpaceId::new(id.0)),
            wire::RoleBindingResourceType::Project => Self::Project(ProjectId::new(id.0)),
        }
    }
}

impl From<SpaceId> for Resource {
    fn from(id: SpaceId) -> Self {
        Self::Space(id)
    }
}

impl From<ProjectId> for Resource {
    fn from(id: ProjectId) -> Self {
        Self::Project(id)
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.resource_type(), self.id())
    }
}

/// A role binding: `user_id` holds `role_id` on `resource`.
///
/// Serialises as the API's JSON: the resource as its two fields,
/// `resource_type` and `resource_id`. (Hand-written, not derived: the
/// binding's own IDs are checked when read, its resource ID is not — a
/// binding the API returns on a mismatched resource must still be read.)
// The schema describes the JSON of the hand-written `Serialize` and
// `Deserialize` below: `resource` flattened to `resource_type`/`resource_id`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct RoleBinding {
    /// The binding's ID.
    pub id: RoleBindingId,
    /// The role granted.
    pub role_id: RoleId,
    /// The user it is granted to.
    pub user_id: UserId,
    /// The resource it is granted on.
    #[cfg_attr(feature = "schemars", schemars(flatten))]
    pub resource: Resource,
    /// When the binding was created.
    pub created_at: DateTime<Utc>,
    /// When the binding was last updated.
    pub updated_at: DateTime<Utc>,
}

impl RoleBinding {
    /// A binding built by hand: for unit tests and fixtures of your own code
    /// (a real one comes from the API). Both timestamps are the Unix epoch;
    /// set them with [`with_timestamps`](Self::with_timestamps).
    ///
    /// ```
    /// use arize_role_bindings::{Resource, RoleBinding, RoleBindingId, RoleId, SpaceId, UserId};
    ///
    /// let binding = RoleBinding::new(
    ///     RoleBindingId::new("Um9sZUJpbmRpbmc6MTphQmNE"),
    ///     UserId::new("VXNlcjo0MjphQmNE"),
    ///     RoleId::new("Um9sZToxOmFCY0Q="),
    ///     Resource::Space(SpaceId::new("U3BhY2U6MTpWNEth")),
    /// )
    /// .with_timestamps("2024-06-01T10:00:00Z".parse()?, "2024-06-02T10:00:00Z".parse()?);
    /// assert_eq!(binding.user_id, "VXNlcjo0MjphQmNE");
    /// assert!(binding.updated_at > binding.created_at);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn new(id: RoleBindingId, user_id: UserId, role_id: RoleId, resource: Resource) -> Self {
        Self {
            id,
            role_id,
            user_id,
            resource,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        }
    }

    /// Sets `created_at` and `updated_at`.
    #[must_use]
    pub fn with_timestamps(mut self, created_at: DateTime<Utc>, updated_at: DateTime<Utc>) -> Self {
        self.created_at = created_at;
        self.updated_at = updated_at;
        self
    }
}

/// The API's JSON shape of a binding, used for deserialisation.
#[derive(Deserialize)]
struct RoleBindingJson<R> {
    id: RoleBindingId,
    role_id: RoleId,
    user_id: UserId,
    #[serde(flatten)]
    resource: R,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Serialize for RoleBinding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("RoleBinding", 7)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("role_id", &self.role_id)?;
        s.serialize_field("user_id", &self.user_id)?;
        s.serialize_field("resource_type", &self.resource.resource_type())?;
        s.serialize_field("resource_id", self.resource.id())?;
        s.serialize_field("created_at", &self.created_at)?;
        s.serialize_field("updated_at", &self.updated_at)?;
        s.end()
    }
}

impl<'de> Deserialize<'de> for RoleBinding {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Flat {
            resource_type: ResourceType,
            resource_id: String,
        }
        let json = RoleBindingJson::<Flat>::deserialize(deserializer)?;
        let resource = match json.resource.resource_type {
            ResourceType::Space => Resource::Space(SpaceId::new(json.resource.resource_id)),
            ResourceType::Project => Resource::Project(ProjectId::new(json.resource.resource_id)),
        };
        Ok(Self {
            id: json.id,
            role_id: json.role_id,
            user_id: json.user_id,
            resource,
            created_at: json.created_at,
            updated_at: json.updated_at,
        })
    }
}

impl From<wire::RoleBinding> for RoleBinding {
    fn from(b: wire::RoleBinding) -> Self {
        Self {
            id: RoleBindingId::new(b.id.0),
            role_id: RoleId::new(b.role_id.0),
            user_id: UserId::new(b.user_id.0),
            resource: Resource::from_wire(b.resource_type, b.resource_id),
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

/// Into the generated client's (and the fake server's) binding.
impl From<RoleBinding> for wire::RoleBinding {
    fn from(b: RoleBinding) -> Self {
        let resource_type = b.resource.resource_type().to_wire();
        let resource_id = b.resource.wire_id().clone();
        Self {
            id: b.id.as_wire().clone(),
            role_id: b.role_id.as_wire().clone(),
            user_id: b.user_id.as_wire().clone(),
            resource_type,
            resource_id,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

/// An opaque pagination cursor: a page's `next_cursor`. Save it to resume a
/// listing later with [`ListQuery::cursor`]; never parse or build one.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(String);

impl Cursor {
    /// Wraps a cursor saved from a previous page.
    pub fn new(cursor: impl Into<String>) -> Self {
        Self(cursor.into())
    }

    /// The cursor as sent to the API.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the inner string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Cursor").field(&self.0).finish()
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Cursor {
    fn from(cursor: String) -> Self {
        Self(cursor)
    }
}

impl From<&str> for Cursor {
    fn from(cursor: &str) -> Self {
        Self(cursor.to_owned())
    }
}

impl FromStr for Cursor {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// One page of a listing.
///
/// Serialises as the API's `ListRoleBindingsResponse`
/// (`{"role_bindings": [...], "pagination": {"has_more": ..., "next_cursor": ...}}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "PageJson", into = "PageJson")]
#[non_exhaustive]
pub struct Page {
    /// The bindings on this page (possibly none).
    pub bindings: Vec<RoleBinding>,
    /// The cursor of the next page, when there is one. Save it to resume
    /// later with [`ListQuery::cursor`].
    pub next_cursor: Option<Cursor>,
    /// Whether the server has more results after this page.
    pub has_more: bool,
}

impl Page {
    /// The bindings on this page.
    pub fn bindings(&self) -> &[RoleBinding] {
        &self.bindings
    }

    /// Takes the bindings out of the page.
    pub fn into_bindings(self) -> Vec<RoleBinding> {
        self.bindings
    }

    /// The cursor of the next page.
    pub fn next_cursor(&self) -> Option<&Cursor> {
        self.next_cursor.as_ref()
    }

    /// Whether there are more results after this page.
    pub fn has_more(&self) -> bool {
        self.has_more
    }

    pub(crate) fn from_wire(page: wire::ListRoleBindingsResponse) -> Self {
        Self {
            bindings: page
                .role_bindings
                .into_iter()
                .map(RoleBinding::from)
                .collect(),
            next_cursor: page.pagination.next_cursor.map(Cursor),
            has_more: page.pagination.has_more,
        }
    }
}

impl IntoIterator for Page {
    type Item = RoleBinding;
    type IntoIter = std::vec::IntoIter<RoleBinding>;

    fn into_iter(self) -> Self::IntoIter {
        self.bindings.into_iter()
    }
}

#[derive(Serialize, Deserialize)]
struct PageJson {
    role_bindings: Vec<RoleBinding>,
    pagination: PaginationJson,
}

#[derive(Serialize, Deserialize)]
struct PaginationJson {
    has_more: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next_cursor: Option<Cursor>,
}

impl From<PageJson> for Page {
    fn from(json: PageJson) -> Self {
        Self {
            bindings: json.role_bindings,
            next_cursor: json.pagination.next_cursor,
            has_more: json.pagination.has_more,
        }
    }
}

impl From<Page> for PageJson {
    fn from(page: Page) -> Self {
        Self {
            role_bindings: page.bindings,
            pagination: PaginationJson {
                has_more: page.has_more,
                next_cursor: page.next_cursor,
            },
        }
    }
}

/// Whether a listing stream fetches the next page while the caller is
/// still consuming the current one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReadAhead {
    /// Fetch a page only when the caller asks for it (the default).
    #[default]
    Off,
    /// Fetch page *n + 1* in the background as soon as page *n* is handed
    /// out. Never more than one extra page is in flight or buffered; dropping
    /// the stream cancels it.
    OnePage,
}

/// The default for [`ListQuery::max_empty_pages`].
pub const DEFAULT_MAX_EMPTY_PAGES: u32 = 10;

/// The options of a stream, kept out of the request: where it starts,
/// read-ahead and the empty-page guard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StreamOptions {
    pub(crate) cursor: Option<Cursor>,
    pub(crate) read_ahead: ReadAhead,
    pub(crate) max_empty_pages: u32,
    /// The deadline of every page's request, when it is not the client's
    /// deadline from the request's start (a lookup bounded as a whole).
    pub(crate) until: Option<tokio::time::Instant>,
}

impl Default for StreamOptions {
    fn default() -> Self {
        Self {
            cursor: None,
            read_ahead: ReadAhead::Off,
            max_empty_pages: DEFAULT_MAX_EMPTY_PAGES,
            until: None,
        }
    }
}

impl StreamOptions {
    /// Checks the starting cursor.
    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        if self.cursor.as_ref().is_some_and(|c| c.as_str().is_empty()) {
            return Err(ValidationError::EmptyCursor);
        }
        Ok(())
    }
}

/// What to list: the resource type (required) and optional filters.
///
/// Every filter is re-sent with every page. `limit` is checked (`1..=100`)
/// when a request is made: an out-of-range limit fails with
/// [`ValidationError::LimitOutOfRange`] and nothing is sent.
///
/// ```
/// use arize_role_bindings::{ListQuery, ReadAhead, ResourceType, UserId};
///
/// let query = ListQuery::new(ResourceType::Project)
///     .user(UserId::new("VXNlcjo0MjphQmNE"))
///     .limit(100)
///     .read_ahead(ReadAhead::OnePage);
/// # let _ = query;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    /// What is sent: the filters and the page size.
    pub(crate) request: ListRoleBindings,
    /// How the stream runs: never sent (the cursor is sent per page).
    pub(crate) stream: StreamOptions,
}

/// The request of `list_role_bindings` without its cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListRoleBindings {
    pub(crate) resource_type: ResourceType,
    pub(crate) user: Option<UserId>,
    pub(crate) limit: Option<u32>,
}

impl ListRoleBindings {
    /// The limit range, and the user ID.
    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        check_limit(self.limit)?;
        if let Some(user) = &self.user {
            user.validate()?;
        }
        Ok(())
    }
}

/// A page size is `1..=100` for every list operation of the API.
pub(crate) fn check_limit(limit: Option<u32>) -> Result<(), ValidationError> {
    match limit {
        Some(limit) if !(1..=100).contains(&limit) => {
            Err(ValidationError::LimitOutOfRange { limit })
        }
        _ => Ok(()),
    }
}

/// The builder methods and getters of a list query's [`StreamOptions`]
/// (`cursor`, `read_ahead`, `max_empty_pages`, `start_cursor`), for a
/// query struct with a `stream: StreamOptions` field.
macro_rules! stream_options {
    () => {
        /// Start at this cursor (a previous page's `next_cursor`).
        #[must_use]
        pub fn cursor(mut self, cursor: impl Into<$crate::Cursor>) -> Self {
            self.stream.cursor = Some(cursor.into());
            self
        }

        /// Fetch the next page in the background; see
        /// [`ReadAhead`](crate::ReadAhead).
        #[must_use]
        pub fn read_ahead(mut self, read_ahead: $crate::ReadAhead) -> Self {
            self.stream.read_ahead = read_ahead;
            self
        }

        /// How many consecutive empty pages that still claim `has_more` a
        /// stream accepts before it stops with
        /// [`PaginationError::TooManyEmptyPages`](crate::PaginationError::TooManyEmptyPages).
        /// Default [`DEFAULT_MAX_EMPTY_PAGES`](crate::DEFAULT_MAX_EMPTY_PAGES).
        #[must_use]
        pub fn max_empty_pages(mut self, max: u32) -> Self {
            self.stream.max_empty_pages = max;
            self
        }

        /// The starting cursor, if set.
        pub fn start_cursor(&self) -> Option<&$crate::Cursor> {
            self.stream.cursor.as_ref()
        }
    };
}

// For the query types of the facade modules (`directory/<resource>.rs`).
#[allow(unused_imports)]
pub(crate) use stream_options;

impl ListQuery {
    /// Lists bindings on resources of this type.
    pub fn new(resource_type: ResourceType) -> Self {
        Self {
            request: ListRoleBindings {
                resource_type,
                user: None,
                limit: None,
            },
            stream: StreamOptions::default(),
        }
    }

    /// Only this user's bindings.
    #[must_use]
    pub fn user(mut self, user: UserId) -> Self {
        self.request.user = Some(user);
        self
    }

    /// Page size, `1..=100` (the server's default is 50). Checked when a
    /// request is made.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.request.limit = Some(limit);
        self
    }

    stream_options!();

    /// The resource type listed.
    pub fn resource_type(&self) -> ResourceType {
        self.request.resource_type
    }

    /// The user filter, if any.
    pub fn user_id(&self) -> Option<&UserId> {
        self.request.user.as_ref()
    }

    /// The page size, if set.
    pub fn page_size(&self) -> Option<u32> {
        self.request.limit
    }

    /// Checks the query as a request would: the limit range, the cursor and
    /// the user ID.
    ///
    /// # Errors
    ///
    /// [`ValidationError::LimitOutOfRange`], [`ValidationError::EmptyCursor`]
    /// or an ID error for the user filter.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_limit(self.request.limit)?;
        self.stream.validate()?;
        if let Some(user) = &self.request.user {
            user.validate()?;
        }
        Ok(())
    }
}

/// What [`Client::ensure`](crate::Client::ensure) did.
///
/// Serialises as `{"outcome": "created"}`, `{"outcome": "updated",
/// "previous_role": "..."}` or `{"outcome": "unchanged"}` (a report of a
/// provisioning run, say).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EnsureOutcome {
    /// The binding did not exist and was created.
    Created,
    /// The user had a binding on the resource with another role; its role
    /// was changed.
    Updated {
        /// The role the binding had before.
        previous_role: RoleId,
    },
    /// The user already had exactly this role on the resource.
    Unchanged,
}

/// The result of [`Client::ensure`](crate::Client::ensure): what happened
/// and the binding as it now is.
///
/// Serialises as the outcome's fields next to `binding`:
/// `{"outcome": "updated", "previous_role": "...", "binding": {...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Ensured {
    /// What was done.
    #[serde(flatten)]
    pub outcome: EnsureOutcome,
    /// The binding after the call.
    pub binding: RoleBinding,
}

impl Ensured {
    /// A result built by hand, for tests of your own code.
    pub fn new(outcome: EnsureOutcome, binding: RoleBinding) -> Self {
        Self { outcome, binding }
    }

    /// Whether anything was changed on the server.
    pub fn changed(&self) -> bool {
        !matches!(self.outcome, EnsureOutcome::Unchanged)
    }

    /// Takes the binding.
    pub fn into_binding(self) -> RoleBinding {
        self.binding
    }
}

/// The result of [`Client::revoke`](crate::Client::revoke).
///
/// Serialises as `{"removed": {...the binding...}}` or `"not_found"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[must_use]
pub enum Revoked {
    /// The user's binding on the resource was deleted; this is it as it
    /// was.
    Removed(RoleBinding),
    /// The user had no binding on the resource (or it was deleted by
    /// someone else meanwhile); nothing was changed.
    NotFound,
}

impl Revoked {
    /// The binding that was removed, if any.
    pub fn removed(&self) -> Option<&RoleBinding> {
        match self {
            Self::Removed(b) => Some(b),
            Self::NotFound => None,
        }
    }

    /// Whether a binding was removed.
    pub fn was_removed(&self) -> bool {
        matches!(self, Self::Removed(_))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    const BINDING: &str = r#"{"id":"Um9sZUJpbmRpbmc6MTphQmNE","role_id":"Um9sZToxOmFCY0Q=","user_id":"VXNlcjo0MjphQmNE","resource_type":"PROJECT","resource_id":"TW9kZWw6MTpGdmxM","created_at":"2024-06-01T10:00:00Z","updated_at":"2024-06-02T10:00:00Z"}"#;

    #[test]
    fn binding_round_trips_api_json() {
        let b: RoleBinding = serde_json::from_str(BINDING).unwrap();
        assert_eq!(
            b.resource,
            Resource::Project(ProjectId::new("TW9kZWw6MTpGdmxM"))
        );
        let v = serde_json::to_value(&b).unwrap();
        assert_eq!(
            v,
            serde_json::from_str::<serde_json::Value>(BINDING).unwrap()
        );
        // The same JSON through the generated type gives the same value.
        let w: wire::RoleBinding = serde_json::from_str(BINDING).unwrap();
        assert_eq!(RoleBinding::from(w), b);
    }

    #[test]
    fn serde_keeps_the_field_order_and_ignores_unknown_fields() {
        let b: RoleBinding = serde_json::from_str(BINDING).unwrap();
        // Byte for byte the API's order: resource_type and resource_id
        // between user_id and created_at.
        assert_eq!(serde_json::to_string(&b).unwrap(), BINDING);
        // A field the API adds later does not break decoding.
        let newer = BINDING.replacen('{', r#"{"etag":"x","#, 1);
        assert_eq!(serde_json::from_str::<RoleBinding>(&newer).unwrap(), b);
        let page = r#"{"role_bindings":[],"pagination":{"has_more":false,"total":0},"extra":1}"#;
        assert!(serde_json::from_str::<Page>(page).is_ok());
        // A resource type the API does not have is an error.
        let org = BINDING.replace("PROJECT", "ORG");
        assert!(serde_json::from_str::<RoleBinding>(&org).is_err());
    }

    #[test]
    fn page_round_trips_api_json() {
        let json = format!(
            r#"{{"role_bindings":[{BINDING}],"pagination":{{"has_more":true,"next_cursor":"abc"}}}}"#
        );
        let page: Page = serde_json::from_str(&json).unwrap();
        assert_eq!(page.next_cursor(), Some(&Cursor::new("abc")));
        assert!(page.has_more());
        let v = serde_json::to_value(&page).unwrap();
        assert_eq!(v, serde_json::from_str::<serde_json::Value>(&json).unwrap());

        let last = r#"{"role_bindings":[],"pagination":{"has_more":false}}"#;
        let page: Page = serde_json::from_str(last).unwrap();
        assert_eq!(serde_json::to_string(&page).unwrap(), last);
    }

    #[test]
    fn resource_serialises_as_two_fields() {
        let r = Resource::Space(SpaceId::new("U3BhY2U6MTpWNEth"));
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"resource_type":"SPACE","resource_id":"U3BhY2U6MTpWNEth"}"#
        );
        assert_eq!(r.to_string(), "SPACE U3BhY2U6MTpWNEth");
        assert_eq!(
            "project".parse::<ResourceType>().unwrap(),
            ResourceType::Project
        );
        assert!("ORG".parse::<ResourceType>().is_err());
    }

    #[test]
    fn list_query_checks_limit_and_cursor() {
        let q = ListQuery::new(ResourceType::Space);
        assert!(q.clone().limit(1).validate().is_ok());
        assert!(q.clone().limit(100).validate().is_ok());
        assert_eq!(
            q.clone().limit(0).validate(),
            Err(ValidationError::LimitOutOfRange { limit: 0 })
        );
        assert_eq!(
            q.clone().limit(101).validate(),
            Err(ValidationError::LimitOutOfRange { limit: 101 })
        );
        assert_eq!(
            q.clone().cursor("").validate(),
            Err(ValidationError::EmptyCursor)
        );
        assert!(q.user(UserId::new("Um9sZToxOmFCY0Q=")).validate().is_err());
    }
}
