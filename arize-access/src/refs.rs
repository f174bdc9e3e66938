//! Where a command takes a user, a role or a resource: an ID, or a name.
//!
//! Each comes as two flags: `--user VALUE` takes an ID *or* a name (an
//! e-mail address for a user), `--user-id ID` takes an ID as it is (as
//! `ax`). A value counts as an ID when it is an Arize global ID, base64 of
//! `Type:...` (the rule of Arize's Python SDK); anything else is a name.
//!
//! Looking names up needs the directory endpoints (users, roles, spaces,
//! projects), which this version does not have yet: a name is refused with
//! an error that says so and names the `--…-id` flag to use. [`Resolver`]
//! is the one place where name lookups will go.

use arize_role_bindings::{Client, ProjectId, Resource, ResourceType, RoleId, SpaceId, UserId};
use clap::Args;

use crate::exit::CliError;

/// `--user` / `--user-id`, one of them required.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct UserArg {
    /// The user: a user ID, or (with the directory, coming) an e-mail address
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// The user's global ID, taken as it is
    #[arg(long, value_name = "ID")]
    pub user_id: Option<String>,
}

/// `--user` / `--user-id` as an optional filter.
#[derive(Debug, Clone, Args)]
#[group(required = false, multiple = false)]
pub struct UserFilter {
    /// Only this user's bindings: a user ID, or (coming) an e-mail address
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Only this user's bindings, by global ID (as `ax`)
    #[arg(long, value_name = "ID")]
    pub user_id: Option<String>,
}

/// `--role` / `--role-id`, one of them required.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct RoleArg {
    /// The role: a role ID, or (with the directory, coming) its name
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// The role's global ID, taken as it is
    #[arg(long, value_name = "ID")]
    pub role_id: Option<String>,
}

/// The resource: `--space`, `--space-id`, `--project`, `--project-id`, or
/// `ax`'s `--resource-type T --resource-id ID`; exactly one.
#[derive(Debug, Clone, Args)]
#[group(id = "resource", required = true, multiple = false)]
pub struct ResourceArg {
    /// A space: a space ID, or (with the directory, coming) its name
    #[arg(long, value_name = "SPACE")]
    pub space: Option<String>,
    /// A space's global ID, taken as it is
    #[arg(long, value_name = "ID")]
    pub space_id: Option<String>,
    /// A project: a project or model ID, or (with the directory, coming) its
    /// name
    #[arg(long, value_name = "PROJECT")]
    pub project: Option<String>,
    /// A project's (or model's) global ID, taken as it is
    #[arg(long, value_name = "ID")]
    pub project_id: Option<String>,
    /// The resource's global ID, with --resource-type (as `ax`)
    #[arg(long, value_name = "ID", requires = "resource_type")]
    pub resource_id: Option<String>,
}

/// Whether `value` is an Arize global ID (base64 of `Type:...`), which is
/// how a value given to `--user`, `--role`, `--space` or `--project` is
/// told apart from a name.
pub fn is_global_id(value: &str) -> bool {
    UserId::new(value).encoded_type().is_some()
}

/// Turns the ID-or-name arguments into typed IDs.
///
/// Today it only accepts IDs; with the directory it will look names up
/// (one listing per kind, then a map), and it already holds the client
/// for that.
#[derive(Debug)]
pub struct Resolver<'a> {
    #[allow(dead_code)]
    client: &'a Client,
}

/// What is being looked up, for the messages.
#[derive(Clone, Copy, Debug)]
struct Kind {
    /// "user"
    noun: &'static str,
    /// "an e-mail address"
    name: &'static str,
    /// "--user"
    flag: &'static str,
    /// "--user-id"
    id_flag: &'static str,
}

const USER: Kind = Kind {
    noun: "user",
    name: "e-mail address",
    flag: "--user",
    id_flag: "--user-id",
};
const ROLE: Kind = Kind {
    noun: "role",
    name: "role name",
    flag: "--role",
    id_flag: "--role-id",
};
const SPACE: Kind = Kind {
    noun: "space",
    name: "space name",
    flag: "--space",
    id_flag: "--space-id",
};
const PROJECT: Kind = Kind {
    noun: "project",
    name: "project name",
    flag: "--project",
    id_flag: "--project-id",
};

impl<'a> Resolver<'a> {
    /// A resolver that will look names up through `client`.
    pub fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// The user of `--user` / `--user-id`.
    ///
    /// # Errors
    ///
    /// [`CliError::Usage`] for a name (not looked up yet) or an ID of
    /// another type.
    pub async fn user(&self, arg: &UserArg) -> Result<UserId, CliError> {
        self.user_value(arg.user.as_deref(), arg.user_id.as_deref())
            .await?
            .ok_or_else(|| CliError::Usage("give --user or --user-id".into()))
    }

    /// The optional user filter.
    ///
    /// # Errors
    ///
    /// As [`user`](Self::user).
    pub async fn user_filter(&self, arg: &UserFilter) -> Result<Option<UserId>, CliError> {
        self.user_value(arg.user.as_deref(), arg.user_id.as_deref())
            .await
    }

    async fn user_value(
        &self,
        value: Option<&str>,
        id: Option<&str>,
    ) -> Result<Option<UserId>, CliError> {
        match (value, id) {
            (_, Some(id)) => Ok(Some(parse_id::<UserId>(id, USER.id_flag)?)),
            (Some(value), None) => {
                id_or_name(value, USER)?;
                Ok(Some(parse_id::<UserId>(value, USER.flag)?))
            }
            (None, None) => Ok(None),
        }
    }

    /// The role of `--role` / `--role-id`.
    ///
    /// # Errors
    ///
    /// As [`user`](Self::user).
    pub async fn role(&self, arg: &RoleArg) -> Result<RoleId, CliError> {
        match (arg.role.as_deref(), arg.role_id.as_deref()) {
            (_, Some(id)) => parse_id::<RoleId>(id, ROLE.id_flag),
            (Some(value), None) => {
                id_or_name(value, ROLE)?;
                parse_id::<RoleId>(value, ROLE.flag)
            }
            (None, None) => Err(CliError::Usage("give --role or --role-id".into())),
        }
    }

    /// The resource of `--space`, `--space-id`, `--project`,
    /// `--project-id` or `--resource-type` with `--resource-id`.
    ///
    /// # Errors
    ///
    /// As [`user`](Self::user).
    pub async fn resource(
        &self,
        arg: &ResourceArg,
        resource_type: Option<ResourceType>,
    ) -> Result<Resource, CliError> {
        if let Some(id) = &arg.space_id {
            return Ok(Resource::Space(parse_id(id, SPACE.id_flag)?));
        }
        if let Some(value) = &arg.space {
            id_or_name(value, SPACE)?;
            return Ok(Resource::Space(parse_id(value, SPACE.flag)?));
        }
        if let Some(id) = &arg.project_id {
            return Ok(Resource::Project(parse_id(id, PROJECT.id_flag)?));
        }
        if let Some(value) = &arg.project {
            id_or_name(value, PROJECT)?;
            return Ok(Resource::Project(parse_id(value, PROJECT.flag)?));
        }
        match (&arg.resource_id, resource_type) {
            (Some(id), Some(ResourceType::Space)) => {
                Ok(Resource::Space(parse_id::<SpaceId>(id, "--resource-id")?))
            }
            (Some(id), Some(ResourceType::Project)) => Ok(Resource::Project(
                parse_id::<ProjectId>(id, "--resource-id")?,
            )),
            (Some(_), _) => Err(CliError::Usage(
                "--resource-id needs --resource-type SPACE or PROJECT".into(),
            )),
            (None, _) => Err(CliError::Usage(
                "give the resource: --space, --space-id, --project, --project-id, or \
                 --resource-type with --resource-id"
                    .into(),
            )),
        }
    }
}

/// Refuses a value that is not a global ID: names need the directory.
fn id_or_name(value: &str, kind: Kind) -> Result<(), CliError> {
    if is_global_id(value) {
        return Ok(());
    }
    Err(CliError::Usage(format!(
        "{flag} `{value}` is not a {noun} ID, and looking a {noun} up by {name} needs the \
         directory (users, roles, spaces, projects), which this version of arize-access does \
         not have yet; pass the {noun}'s global ID with {flag} or {id_flag} (an opaque ID that is \
         not base64 of `Type:...` goes to {id_flag})",
        flag = kind.flag,
        noun = kind.noun,
        name = kind.name,
        id_flag = kind.id_flag,
    )))
}

/// Parses an ID with the SDK's check (not empty, not a global ID of
/// another type), naming the flag in the error.
fn parse_id<T>(value: &str, flag: &str) -> Result<T, CliError>
where
    T: std::str::FromStr<Err = arize_role_bindings::ValidationError>,
{
    value
        .parse::<T>()
        .map_err(|e| CliError::Usage(format!("{flag}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_are_ids_and_the_rest_are_names() {
        for id in [
            "VXNlcjoxMjM0NQ==",
            "Um9sZToxOmFCY0Q=",
            "U3BhY2U6MTIzNDU=",
            "UHJvamVjdDoxMjM0NQ==",
        ] {
            assert!(is_global_id(id), "{id}");
        }
        for name in [
            "alice@example.com",
            "Member",
            "prod",
            "production",
            "Admin",
            "",
        ] {
            assert!(!is_global_id(name), "{name}");
        }
    }
}
