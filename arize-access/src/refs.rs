//! Where a command takes a user, a role or a resource: an ID, or a name.
//!
//! Each comes as two flags: `--user VALUE` takes an ID *or* a name (an
//! e-mail address for a user), `--user-id ID` takes an ID as it is (as
//! `ax`). A value counts as an ID when it is an Arize global ID, base64 of
//! `Type:...` (the rule of Arize's Python SDK); anything else is a name.
//!
//! Names are looked up through the SDK's directory (one lookup each:
//! `client.resolve_user`, `resolve_role`, `spaces().by_name`,
//! `projects().by_name` / `by_name_in_any_space`); [`Resolver`] is the one
//! place that does it. A name that matches nothing or several records is
//! the SDK's `LookupError`, reported as [`CliError::Lookup`] (exit 4).
//! A project name is unique only within its space: `--project NAME
//! --space NAME|ID` (or `--space-id ID`) names the space; a project name
//! alone is looked up in every space, and one that two spaces have is
//! ambiguous.

use arize_role_bindings::directory::Kind;
use arize_role_bindings::{
    Client, LookupError, ProjectId, Resource, ResourceType, RoleId, RoleRef, SpaceId, SpaceRef,
    UserId, UserRef,
};
use clap::Args;

use crate::exit::{CliError, ProjectInSpace};

/// `--user` / `--user-id`, one of them required.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub struct UserArg {
    /// The user: a user ID or an e-mail address (ignoring case)
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
    /// Only this user's bindings: a user ID or an e-mail address
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
    /// The role: a role ID or its exact name (`Member`, `Custom Role 1`)
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// The role's global ID, taken as it is
    #[arg(long, value_name = "ID")]
    pub role_id: Option<String>,
}

/// The resource: `--space`, `--space-id`, `--project` (with `--space` or
/// `--space-id` for the project's space), `--project-id`, or `ax`'s
/// `--resource-type T --resource-id ID`.
#[derive(Debug, Clone, Args)]
#[group(id = "resource", required = true, multiple = true)]
pub struct ResourceArg {
    /// A space: a space ID or its exact name; with --project, the
    /// project's space
    #[arg(long, value_name = "SPACE", conflicts_with_all = ["space_id", "project_id", "resource_id"])]
    pub space: Option<String>,
    /// A space's global ID, taken as it is; with --project, the project's
    /// space
    #[arg(long, value_name = "ID", conflicts_with_all = ["project_id", "resource_id"])]
    pub space_id: Option<String>,
    /// A project: a project or model ID, or its exact name (in the space
    /// of --space/--space-id, else in whichever space has it)
    #[arg(long, value_name = "PROJECT", conflicts_with_all = ["project_id", "resource_id"])]
    pub project: Option<String>,
    /// A project's (or model's) global ID, taken as it is
    #[arg(long, value_name = "ID", conflicts_with = "resource_id")]
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

/// Turns the ID-or-name arguments into typed IDs: an ID is checked and
/// kept, a name is looked up through the SDK.
#[derive(Debug)]
pub struct Resolver<'a> {
    client: &'a Client,
}

impl<'a> Resolver<'a> {
    /// A resolver that looks names up through `client`.
    pub fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// The user of `--user` / `--user-id`.
    ///
    /// # Errors
    ///
    /// [`CliError::Usage`] for an ID of another type; [`CliError::Lookup`]
    /// for an e-mail no user (or several) has; the SDK's errors of the
    /// lookup.
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
            (_, Some(id)) => Ok(Some(parse_id::<UserId>(id, "--user-id")?)),
            (Some(value), None) if is_global_id(value) => {
                Ok(Some(parse_id::<UserId>(value, "--user")?))
            }
            (Some(email), None) => Ok(Some(self.client.resolve_user(UserRef::email(email)).await?)),
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
            (_, Some(id)) => parse_id::<RoleId>(id, "--role-id"),
            (Some(value), None) if is_global_id(value) => parse_id::<RoleId>(value, "--role"),
            (Some(name), None) => Ok(self.client.resolve_role(RoleRef::name(name)).await?),
            (None, None) => Err(CliError::Usage("give --role or --role-id".into())),
        }
    }

    /// A space given as an ID or a name (`--space`).
    ///
    /// # Errors
    ///
    /// As [`user`](Self::user).
    pub async fn space(&self, value: &str, flag: &str) -> Result<SpaceId, CliError> {
        if is_global_id(value) {
            return parse_id(value, flag);
        }
        Ok(self.client.spaces().by_name(value).await?.id)
    }

    /// A project given as an ID or a name, in `space` when one is given
    /// (an ID or a name), else in whichever space has it.
    ///
    /// # Errors
    ///
    /// As [`user`](Self::user); [`CliError::ProjectInSpaces`] for a name
    /// that several spaces have, when no space is given.
    pub async fn project(
        &self,
        value: &str,
        flag: &str,
        space: Option<SpaceRef>,
    ) -> Result<ProjectId, CliError> {
        if is_global_id(value) {
            if space.is_some() {
                return Err(CliError::Usage(format!(
                    "{flag} `{value}` is a project ID: --space and --space-id only say where to \
                     look for a project *name*; drop them"
                )));
            }
            return parse_id(value, flag);
        }
        let projects = self.client.projects();
        let project = match space {
            Some(space) => projects.by_name(value, space).await?,
            None => match projects.by_name_in_any_space(value).await {
                Ok(project) => project,
                Err(e) => return Err(name_the_spaces(self.client, e.into()).await),
            },
        };
        Ok(project.id)
    }

    /// The resource of `--space`, `--space-id`, `--project` (with the
    /// project's `--space`/`--space-id`), `--project-id` or
    /// `--resource-type` with `--resource-id`.
    ///
    /// # Errors
    ///
    /// As [`user`](Self::user).
    pub async fn resource(
        &self,
        arg: &ResourceArg,
        resource_type: Option<ResourceType>,
    ) -> Result<Resource, CliError> {
        if let Some(project) = &arg.project {
            let space = match (&arg.space, &arg.space_id) {
                (Some(space), _) => Some(SpaceRef::parse(space)),
                (None, Some(id)) => Some(SpaceRef::Id(parse_id(id, "--space-id")?)),
                (None, None) => None,
            };
            return Ok(Resource::Project(
                self.project(project, "--project", space).await?,
            ));
        }
        if let Some(id) = &arg.space_id {
            return Ok(Resource::Space(parse_id(id, "--space-id")?));
        }
        if let Some(value) = &arg.space {
            return Ok(Resource::Space(self.space(value, "--space").await?));
        }
        if let Some(id) = &arg.project_id {
            return Ok(Resource::Project(parse_id(id, "--project-id")?));
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

/// A project name several spaces have: the error, its candidates named by
/// their spaces (one `get` of each project and of its space, on this error
/// path only), so the hint can say which `--space` to add. Any other error,
/// or one of those reads failing, is returned as it is.
pub async fn name_the_spaces(client: &Client, error: CliError) -> CliError {
    let CliError::Lookup(LookupError::Ambiguous {
        kind: Kind::Project,
        name,
        candidates,
    }) = &error
    else {
        return error;
    };
    let mut spaces = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        let Ok(project) = client
            .projects()
            .get(&ProjectId::new(candidate.id.as_str()))
            .await
        else {
            return error;
        };
        let Ok(space) = client.spaces().get(&project.space_id).await else {
            return error;
        };
        spaces.push(ProjectInSpace {
            project: project.id.to_string(),
            space_id: space.id.to_string(),
            space: space.name,
        });
    }
    CliError::ProjectInSpaces {
        name: name.clone(),
        spaces,
    }
}

/// Parses an ID with the SDK's check (not empty, not a global ID of
/// another type), naming the flag in the error.
pub fn parse_id<T>(value: &str, flag: &str) -> Result<T, CliError>
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
