//! References by name or ID: what [`Client::ensure`], [`Client::revoke`],
//! [`Client::create`] and the bulk runs take for the user, the role and the
//! resource.
//!
//! Each is either a typed ID or a name (an e-mail address for a user). The
//! typed IDs convert into them (`From<UserId>`, `From<&UserId>`, ...), so
//! calls that pass IDs compile unchanged. A plain string is taken as an ID
//! or a name by Arize's own rule ([`looks_like_id`]: base64 that decodes to
//! text containing `:`). Names are resolved before the call — by a lookup
//! each ([`Client::users`] and friends), or from memory with a loaded
//! [`Directory`](crate::directory::Directory).
//!
//! ```no_run
//! use arize_role_bindings::{Client, ResourceRef, RoleRef, UserRef};
//!
//! # async fn demo(client: Client) -> Result<(), arize_role_bindings::Error> {
//! client
//!     .ensure(
//!         UserRef::email("alice@example.com"),
//!         RoleRef::name("Member"),
//!         ResourceRef::space_named("prod"),
//!     )
//!     .await?;
//! // Strings work too: this one is a name by Arize's rule, that one an ID.
//! client.ensure("bob@example.com", "Um9sZToxOmFCY0Q=", ResourceRef::project_named("churn", "prod")).await?;
//! # Ok(())
//! # }
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Error;
use crate::ids::{ProjectId, RoleId, SpaceId, UserId, looks_like_id};
use crate::types::{Resource, ResourceType};

#[cfg(doc)]
use crate::ids::looks_like_id as _;

/// A user, by ID or by e-mail address.
///
/// Serialises as a plain string (the ID, or the name) and reads one back
/// by Arize's rule ([`looks_like_id`]); a string that is an ID is checked
/// as `parse()` checks it, so an ID of another type is refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
#[non_exhaustive]
pub enum UserRef {
    /// By ID.
    Id(UserId),
    /// By e-mail address (compared ignoring case).
    Email(String),
}

impl UserRef {
    /// The ID, or the e-mail address as given.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Id(id) => id.as_str(),
            Self::Email(value) => value,
        }
    }

    /// The user with this e-mail address.
    pub fn email(email: impl Into<String>) -> Self {
        Self::Email(email.into())
    }

    /// The user with this ID.
    pub fn id(id: impl Into<UserId>) -> Self {
        Self::Id(id.into())
    }

    /// An ID or an e-mail address, by Arize's rule ([`looks_like_id`]).
    pub fn parse(value: &str) -> Self {
        if looks_like_id(value) {
            Self::Id(UserId::new(value))
        } else {
            Self::Email(value.to_owned())
        }
    }

    /// The ID, when given by ID.
    pub fn as_id(&self) -> Option<&UserId> {
        match self {
            Self::Id(id) => Some(id),
            Self::Email(_) => None,
        }
    }
}

/// A role, by ID or by exact name.
///
/// Serialises as a plain string (the ID, or the name) and reads one back
/// by Arize's rule ([`looks_like_id`]); a string that is an ID is checked
/// as `parse()` checks it, so an ID of another type is refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
#[non_exhaustive]
pub enum RoleRef {
    /// By ID.
    Id(RoleId),
    /// By exact name (case included), predefined or custom.
    Name(String),
}

impl RoleRef {
    /// The ID, or the name as given.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Id(id) => id.as_str(),
            Self::Name(value) => value,
        }
    }

    /// The role with this exact name.
    pub fn name(name: impl Into<String>) -> Self {
        Self::Name(name.into())
    }

    /// The role with this ID.
    pub fn id(id: impl Into<RoleId>) -> Self {
        Self::Id(id.into())
    }

    /// An ID or a name, by Arize's rule ([`looks_like_id`]).
    pub fn parse(value: &str) -> Self {
        if looks_like_id(value) {
            Self::Id(RoleId::new(value))
        } else {
            Self::Name(value.to_owned())
        }
    }

    /// The ID, when given by ID.
    pub fn as_id(&self) -> Option<&RoleId> {
        match self {
            Self::Id(id) => Some(id),
            Self::Name(_) => None,
        }
    }
}

/// A space, by ID or by exact name.
///
/// Serialises as a plain string (the ID, or the name) and reads one back
/// by Arize's rule ([`looks_like_id`]); a string that is an ID is checked
/// as `parse()` checks it, so an ID of another type is refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
#[non_exhaustive]
pub enum SpaceRef {
    /// By ID.
    Id(SpaceId),
    /// By exact name (case included).
    Name(String),
}

impl SpaceRef {
    /// The ID, or the name as given.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Id(id) => id.as_str(),
            Self::Name(value) => value,
        }
    }

    /// The space with this exact name.
    pub fn name(name: impl Into<String>) -> Self {
        Self::Name(name.into())
    }

    /// An ID or a name, by Arize's rule ([`looks_like_id`]).
    pub fn parse(value: &str) -> Self {
        if looks_like_id(value) {
            Self::Id(SpaceId::new(value))
        } else {
            Self::Name(value.to_owned())
        }
    }
}

/// A resource — a space or a project — by ID or by name. A project name is
/// only unique within its space, so it comes with its space.
///
/// Serialises by ID as a [`Resource`] does
/// (`{"resource_type": "SPACE", "resource_id": ...}`), a space by name as
/// `{"space_name": "prod"}`, a project as
/// `{"project_name": "churn", "space": "prod"}`.
///
/// Reads those, and also `{"resource_type": ..., "resource_id": ...}` with a
/// name in `resource_id` (Arize's rule, [`looks_like_id`]; an ID is checked
/// as `parse()` checks it), a project's name with its `"space"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResourceRef {
    /// By ID (a [`Resource`]).
    Id(Resource),
    /// A space by exact name.
    SpaceNamed(String),
    /// A project by exact name, in a space.
    ProjectNamed {
        /// The project's name.
        name: String,
        /// Its space.
        space: SpaceRef,
    },
}

impl ResourceRef {
    /// The space with this exact name.
    pub fn space_named(name: impl Into<String>) -> Self {
        Self::SpaceNamed(name.into())
    }

    /// A space given by ID or name, by Arize's rule ([`looks_like_id`]).
    pub fn space(value: &str) -> Self {
        match SpaceRef::parse(value) {
            SpaceRef::Id(id) => Self::Id(Resource::Space(id)),
            SpaceRef::Name(name) => Self::SpaceNamed(name),
        }
    }

    /// The project named exactly `name` in `space` (a [`SpaceId`], a
    /// [`SpaceRef`], or a string: an ID or a name by Arize's rule).
    pub fn project_named(name: impl Into<String>, space: impl Into<SpaceRef>) -> Self {
        Self::ProjectNamed {
            name: name.into(),
            space: space.into(),
        }
    }

    /// The resource, when given by ID.
    pub fn as_resource(&self) -> Option<&Resource> {
        match self {
            Self::Id(resource) => Some(resource),
            _ => None,
        }
    }
}

/// The JSON of a [`ResourceRef`]: one of its three forms.
#[derive(Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
struct ResourceRefJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resource_type: Option<ResourceType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resource_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    space_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    project_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    space: Option<SpaceRef>,
}

/// The object of its three forms (see [`ResourceRef`]).
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for ResourceRef {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ResourceRef".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        ResourceRefJson::json_schema(generator)
    }
}

impl Serialize for ResourceRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let json = match self {
            Self::Id(resource) => ResourceRefJson {
                resource_type: Some(resource.resource_type()),
                resource_id: Some(resource.id().to_owned()),
                ..ResourceRefJson::default()
            },
            Self::SpaceNamed(name) => ResourceRefJson {
                space_name: Some(name.clone()),
                ..ResourceRefJson::default()
            },
            Self::ProjectNamed { name, space } => ResourceRefJson {
                project_name: Some(name.clone()),
                space: Some(space.clone()),
                ..ResourceRefJson::default()
            },
        };
        json.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ResourceRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let json = ResourceRefJson::deserialize(deserializer)?;
        match json {
            ResourceRefJson {
                resource_type: Some(resource_type),
                resource_id: Some(value),
                space_name: None,
                project_name: None,
                space,
            } => {
                let id_like = looks_like_id(&value);
                match resource_type {
                    ResourceType::Space if space.is_none() => {
                        if id_like {
                            let id = value.parse::<SpaceId>().map_err(D::Error::custom)?;
                            Ok(Self::Id(Resource::Space(id)))
                        } else {
                            Ok(Self::SpaceNamed(value))
                        }
                    }
                    ResourceType::Space => Err(D::Error::custom(
                        "`space` goes with a PROJECT given by name, not with a SPACE",
                    )),
                    ResourceType::Project if id_like => {
                        if space.is_some() {
                            return Err(D::Error::custom(
                                "`space` goes with a PROJECT given by name, not by ID",
                            ));
                        }
                        let id = value.parse::<ProjectId>().map_err(D::Error::custom)?;
                        Ok(Self::Id(Resource::Project(id)))
                    }
                    ResourceType::Project => match space {
                        Some(space) => Ok(Self::ProjectNamed { name: value, space }),
                        None => Err(D::Error::custom(format!(
                            "the PROJECT `{value}` is given by name: add its `space` (an ID or a name); \
                             a project name is only unique within its space"
                        ))),
                    },
                }
            }
            ResourceRefJson {
                resource_type: None,
                resource_id: None,
                space_name: Some(name),
                project_name: None,
                space: None,
            } => Ok(Self::SpaceNamed(name)),
            ResourceRefJson {
                resource_type: None,
                resource_id: None,
                space_name: None,
                project_name: Some(name),
                space: Some(space),
            } => Ok(Self::ProjectNamed { name, space }),
            _ => Err(D::Error::custom(
                "expected a resource as `resource_type` and `resource_id` (an ID or a name; \
                 a project by name also with `space`), or `space_name`, or `project_name` and `space`",
            )),
        }
    }
}

macro_rules! conversions {
    ($ref:ident, $id:ident, $variant:ident) => {
        impl From<$id> for $ref {
            fn from(id: $id) -> Self {
                Self::$variant(id)
            }
        }

        impl From<&$id> for $ref {
            fn from(id: &$id) -> Self {
                Self::$variant(id.clone())
            }
        }

        impl From<&$ref> for $ref {
            fn from(r: &$ref) -> Self {
                r.clone()
            }
        }

        /// Taken as an ID or a name by Arize's rule ([`looks_like_id`]).
        impl From<&str> for $ref {
            fn from(value: &str) -> Self {
                Self::parse(value)
            }
        }

        /// Taken as an ID or a name by Arize's rule ([`looks_like_id`]).
        impl From<String> for $ref {
            fn from(value: String) -> Self {
                Self::parse(&value)
            }
        }

        /// Reads a string by Arize's rule ([`looks_like_id`]); an ID is
        /// checked as `parse()` checks it.
        impl<'de> Deserialize<'de> for $ref {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                if looks_like_id(&value) {
                    let id = value.parse::<$id>().map_err(serde::de::Error::custom)?;
                    Ok(Self::$variant(id))
                } else {
                    Ok(Self::parse(&value))
                }
            }
        }

        impl From<$ref> for String {
            fn from(r: $ref) -> Self {
                r.as_str().to_owned()
            }
        }

        /// A string: the ID, or the name / e-mail address.
        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $ref {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($ref).into()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                <String as schemars::JsonSchema>::json_schema(generator)
            }
        }

        impl PartialEq<$ref> for $id {
            fn eq(&self, other: &$ref) -> bool {
                matches!(other, $ref::$variant(id) if id == self)
            }
        }
    };
}

conversions!(UserRef, UserId, Id);
conversions!(RoleRef, RoleId, Id);
conversions!(SpaceRef, SpaceId, Id);

impl From<Resource> for ResourceRef {
    fn from(resource: Resource) -> Self {
        Self::Id(resource)
    }
}

impl From<&Resource> for ResourceRef {
    fn from(resource: &Resource) -> Self {
        Self::Id(resource.clone())
    }
}

impl From<&ResourceRef> for ResourceRef {
    fn from(r: &ResourceRef) -> Self {
        r.clone()
    }
}

impl From<SpaceId> for ResourceRef {
    fn from(id: SpaceId) -> Self {
        Self::Id(Resource::Space(id))
    }
}

impl From<ProjectId> for ResourceRef {
    fn from(id: ProjectId) -> Self {
        Self::Id(Resource::Project(id))
    }
}

impl PartialEq<ResourceRef> for Resource {
    fn eq(&self, other: &ResourceRef) -> bool {
        matches!(other, ResourceRef::Id(r) if r == self)
    }
}

impl fmt::Display for UserRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => id.fmt(f),
            Self::Email(email) => f.write_str(email),
        }
    }
}

impl fmt::Display for RoleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => id.fmt(f),
            Self::Name(name) => write!(f, "role `{name}`"),
        }
    }
}

impl fmt::Display for SpaceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => id.fmt(f),
            Self::Name(name) => write!(f, "space `{name}`"),
        }
    }
}

impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(resource) => resource.fmt(f),
            Self::SpaceNamed(name) => write!(f, "SPACE `{name}`"),
            Self::ProjectNamed { name, space } => write!(f, "PROJECT `{name}` in {space}"),
        }
    }
}

/// Resolution by one lookup per name, through the client.
impl Client {
    /// The ID of `user`: as given, or looked up by e-mail
    /// ([`Users::by_email`](crate::directory::Users::by_email)).
    ///
    /// # Errors
    ///
    /// [`Error::Lookup`] when no user (or several) has the e-mail; as
    /// [`Users::list`](crate::directory::Users::list) otherwise.
    pub async fn resolve_user(&self, user: impl Into<UserRef>) -> Result<UserId, Error> {
        match user.into() {
            UserRef::Id(id) => Ok(id),
            UserRef::Email(email) => Ok(self.users().by_email(&email).await?.id),
        }
    }

    /// The ID of `role`: as given, or looked up by exact name
    /// ([`Roles::by_name`](crate::directory::Roles::by_name)).
    ///
    /// # Errors
    ///
    /// [`Error::Lookup`] when no role has the name; as
    /// [`Roles::list`](crate::directory::Roles::list) otherwise.
    pub async fn resolve_role(&self, role: impl Into<RoleRef>) -> Result<RoleId, Error> {
        match role.into() {
            RoleRef::Id(id) => Ok(id),
            RoleRef::Name(name) => Ok(self.roles().by_name(&name).await?.id),
        }
    }

    /// The resource `resource` names: as given, or looked up by name
    /// ([`Spaces::by_name`](crate::directory::Spaces::by_name),
    /// [`Projects::by_name`](crate::directory::Projects::by_name)).
    ///
    /// # Errors
    ///
    /// [`Error::Lookup`] when the space or project does not resolve; as the
    /// listings otherwise.
    pub async fn resolve_resource(
        &self,
        resource: impl Into<ResourceRef>,
    ) -> Result<Resource, Error> {
        match resource.into() {
            ResourceRef::Id(resource) => Ok(resource),
            ResourceRef::SpaceNamed(name) => {
                Ok(Resource::Space(self.spaces().by_name(&name).await?.id))
            }
            ResourceRef::ProjectNamed { name, space } => Ok(Resource::Project(
                self.projects().by_name(&name, space).await?.id,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn refs_round_trip_serde() {
        let user = UserRef::email("alice@example.com");
        assert_eq!(
            serde_json::to_string(&user).unwrap(),
            r#""alice@example.com""#
        );
        let id: UserRef = serde_json::from_str(r#""VXNlcjo0MjphQmNE""#).unwrap();
        assert_eq!(id, UserRef::Id(UserId::new("VXNlcjo0MjphQmNE")));
        let role: RoleRef = serde_json::from_str(r#""Member""#).unwrap();
        assert_eq!(role, RoleRef::name("Member"));
        for resource in [
            ResourceRef::from(SpaceId::new("U3BhY2U6MTpWNEth")),
            ResourceRef::space_named("prod"),
            ResourceRef::project_named("churn", "prod"),
            ResourceRef::project_named("churn", SpaceId::new("U3BhY2U6MTpWNEth")),
        ] {
            let json = serde_json::to_string(&resource).unwrap();
            assert_eq!(
                serde_json::from_str::<ResourceRef>(&json).unwrap(),
                resource,
                "{json}"
            );
        }
        assert_eq!(
            serde_json::to_string(&ResourceRef::from(SpaceId::new("U3BhY2U6MTpWNEth"))).unwrap(),
            serde_json::to_string(&Resource::Space(SpaceId::new("U3BhY2U6MTpWNEth"))).unwrap(),
        );
        assert_eq!(
            serde_json::to_string(&ResourceRef::project_named("churn", "prod")).unwrap(),
            r#"{"project_name":"churn","space":"prod"}"#
        );
    }
}
