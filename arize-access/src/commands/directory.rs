//! `users|roles|spaces|projects list|get`: the account's directory, with
//! the API's filters, one page or every page (`--all`), a record by ID or
//! by name (an e-mail address for a user).

use arize_role_bindings::directory::{
    DirectoryPage, ProjectQuery, Record, RoleKind, RoleQuery, SpaceQuery, UserQuery, UserStatus,
};
use arize_role_bindings::{
    Error as SdkError, OrganizationId, ProjectId, ReadAhead, RoleId, SpaceId, SpaceRef, UserId,
};
use clap::{Args, Subcommand, ValueEnum};
use futures::{Stream, StreamExt as _};

use crate::commands::Context;
use crate::exit::CliError;
use crate::output::Row;
use crate::progress::Progress;
use crate::refs::{Resolver, is_global_id, name_the_spaces, parse_id};

/// `--limit`, `--cursor`, `--all`.
#[derive(Debug, Args)]
pub struct Paging {
    /// Records per page, 1-100 (with --all: the page size)
    #[arg(short, long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: u32,

    /// Start from this cursor (printed on stderr after a page that has more)
    #[arg(short, long)]
    pub cursor: Option<String>,

    /// Every page, streamed (from --cursor when given)
    #[arg(long)]
    pub all: bool,
}

/// `users`.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List users (by default those ACTIVE, INVITED or EXPIRED, as the API)
    #[command(after_help = "Examples:\n  \
        arize-access users list\n  \
        arize-access users list --email @example.com --status invited --status expired\n  \
        arize-access users list --all --output csv > users.csv")]
    List(UserListArgs),

    /// Show one user, by ID or by e-mail address (ignoring case)
    #[command(after_help = "Examples:\n  \
        arize-access users get alice@example.com\n  \
        arize-access users get VXNlcjoxMjM0NQ== --output json")]
    Get(GetArgs),
}

/// `users list`.
#[derive(Debug, Args)]
pub struct UserListArgs {
    /// Only users whose e-mail contains this, ignoring case
    #[arg(long, value_name = "TEXT")]
    pub email: Option<String>,

    /// Only users with this status; repeat for several [default: ACTIVE,
    /// INVITED and EXPIRED]
    #[arg(long, value_enum, ignore_case = true, value_name = "STATUS")]
    pub status: Vec<StatusArg>,

    #[command(flatten)]
    pub paging: Paging,
}

/// A user's status, for `--status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// ACTIVE
    Active,
    /// INVITED
    Invited,
    /// EXPIRED
    Expired,
}

impl From<StatusArg> for UserStatus {
    fn from(status: StatusArg) -> Self {
        match status {
            StatusArg::Active => Self::Active,
            StatusArg::Invited => Self::Invited,
            StatusArg::Expired => Self::Expired,
        }
    }
}

/// `roles`.
#[derive(Debug, Subcommand)]
pub enum RolesCommand {
    /// List roles, predefined and custom (the table counts the
    /// permissions; JSON and CSV list them)
    #[command(after_help = "Examples:\n  \
        arize-access roles list\n  \
        arize-access roles list --custom --output json\n  \
        arize-access roles list --predefined --all --output csv")]
    List(RoleListArgs),

    /// Show one role, by ID or by exact name
    #[command(after_help = "Examples:\n  \
        arize-access roles get Member --output json\n  \
        arize-access roles get Um9sZToxOmFCY0Q=")]
    Get(GetArgs),
}

/// `roles list`.
#[derive(Debug, Args)]
pub struct RoleListArgs {
    /// Only predefined roles (is_predefined=true)
    #[arg(long, conflicts_with = "custom")]
    pub predefined: bool,

    /// Only custom roles (is_predefined=false)
    #[arg(long)]
    pub custom: bool,

    #[command(flatten)]
    pub paging: Paging,
}

/// `spaces`.
#[derive(Debug, Subcommand)]
pub enum SpacesCommand {
    /// List the spaces the key can see
    #[command(after_help = "Examples:\n  \
        arize-access spaces list\n  \
        arize-access spaces list --name prod\n  \
        arize-access spaces list --org-id T3JnYW5pemF0aW9uOjE= --all --output ndjson")]
    List(SpaceListArgs),

    /// Show one space, by ID or by exact name
    #[command(after_help = "Examples:\n  \
        arize-access spaces get prod\n  \
        arize-access spaces get U3BhY2U6MTIzNDU= --output json")]
    Get(GetArgs),
}

/// `spaces list`.
#[derive(Debug, Args)]
pub struct SpaceListArgs {
    /// Only spaces whose name contains this, ignoring case
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,

    /// Only spaces of this organization
    #[arg(long, value_name = "ID")]
    pub org_id: Option<String>,

    #[command(flatten)]
    pub paging: Paging,
}

/// `projects`.
#[derive(Debug, Subcommand)]
pub enum ProjectsCommand {
    /// List the projects the key can see
    #[command(after_help = "Examples:\n  \
        arize-access projects list\n  \
        arize-access projects list --space prod --name churn\n  \
        arize-access projects list --space-name prod --all --output csv")]
    List(ProjectListArgs),

    /// Show one project, by ID or by exact name (in --space, else in
    /// whichever space has it)
    #[command(after_help = "Examples:\n  \
        arize-access projects get churn --space prod\n  \
        arize-access projects get UHJvamVjdDoxMjM0NQ== --output json")]
    Get(ProjectGetArgs),
}

/// `projects list`.
#[derive(Debug, Args)]
pub struct ProjectListArgs {
    /// Only projects of this space, by global ID
    #[arg(long, value_name = "ID", conflicts_with = "space")]
    pub space_id: Option<String>,

    /// Only projects of this space: its ID or exact name
    #[arg(long, value_name = "SPACE")]
    pub space: Option<String>,

    /// Only projects of spaces whose name contains this, ignoring case
    #[arg(long, value_name = "TEXT")]
    pub space_name: Option<String>,

    /// Only projects whose name contains this, ignoring case
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,

    #[command(flatten)]
    pub paging: Paging,
}

/// `users|roles|spaces get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// The ID, or the name (an e-mail address for a user)
    #[arg(value_name = "ID|NAME")]
    pub value: String,
}

/// `projects get`.
#[derive(Debug, Args)]
pub struct ProjectGetArgs {
    /// The project's ID, or its exact name
    #[arg(value_name = "ID|NAME")]
    pub value: String,

    /// The project's space (ID or exact name), for a project name
    #[arg(long, value_name = "SPACE")]
    pub space: Option<String>,
}

/// Runs a `users` subcommand.
///
/// # Errors
///
/// The SDK's errors; [`CliError::Lookup`] for an e-mail no user has.
pub async fn users(command: &UsersCommand, ctx: &mut Context) -> Result<(), CliError> {
    match command {
        UsersCommand::List(args) => {
            let mut query = UserQuery::new().limit(args.paging.limit);
            if let Some(email) = &args.email {
                query = query.email(email.as_str());
            }
            for status in &args.status {
                query = query.status((*status).into());
            }
            if let Some(cursor) = &args.paging.cursor {
                query = query.cursor(cursor.as_str());
            }
            if args.paging.all {
                let pages = ctx
                    .client
                    .users()
                    .pages(query.read_ahead(ReadAhead::OnePage));
                print_all(ctx, "users", pages).await
            } else {
                let page = ctx.client.users().list_page(&query).await?;
                print_page(ctx, "users", &page)
            }
        }
        UsersCommand::Get(args) => {
            let user = if is_global_id(&args.value) {
                let id: UserId = parse_id(&args.value, "the user")?;
                ctx.client.users().get(&id).await?
            } else {
                ctx.client.users().by_email(&args.value).await?
            };
            ctx.printer.record(&user)
        }
    }
}

/// Runs a `roles` subcommand.
///
/// # Errors
///
/// The SDK's errors; [`CliError::Lookup`] for a name no role has.
pub async fn roles(command: &RolesCommand, ctx: &mut Context) -> Result<(), CliError> {
    match command {
        RolesCommand::List(args) => {
            let mut query = RoleQuery::new().limit(args.paging.limit);
            if args.predefined {
                query = query.kind(RoleKind::Predefined);
            } else if args.custom {
                query = query.kind(RoleKind::Custom);
            }
            if let Some(cursor) = &args.paging.cursor {
                query = query.cursor(cursor.as_str());
            }
            if args.paging.all {
                let pages = ctx
                    .client
                    .roles()
                    .pages(query.read_ahead(ReadAhead::OnePage));
                print_all(ctx, "roles", pages).await
            } else {
                let page = ctx.client.roles().list_page(&query).await?;
                print_page(ctx, "roles", &page)
            }
        }
        RolesCommand::Get(args) => {
            let role = if is_global_id(&args.value) {
                let id: RoleId = parse_id(&args.value, "the role")?;
                ctx.client.roles().get(&id).await?
            } else {
                ctx.client.roles().by_name(&args.value).await?
            };
            ctx.printer.record(&role)
        }
    }
}

/// Runs a `spaces` subcommand.
///
/// # Errors
///
/// The SDK's errors; [`CliError::Lookup`] for a name no space has.
pub async fn spaces(command: &SpacesCommand, ctx: &mut Context) -> Result<(), CliError> {
    match command {
        SpacesCommand::List(args) => {
            let mut query = SpaceQuery::new().limit(args.paging.limit);
            if let Some(name) = &args.name {
                query = query.name(name.as_str());
            }
            if let Some(org) = &args.org_id {
                query = query.org(parse_id::<OrganizationId>(org, "--org-id")?);
            }
            if let Some(cursor) = &args.paging.cursor {
                query = query.cursor(cursor.as_str());
            }
            if args.paging.all {
                let pages = ctx
                    .client
                    .spaces()
                    .pages(query.read_ahead(ReadAhead::OnePage));
                print_all(ctx, "spaces", pages).await
            } else {
                let page = ctx.client.spaces().list_page(&query).await?;
                print_page(ctx, "spaces", &page)
            }
        }
        SpacesCommand::Get(args) => {
            let space = if is_global_id(&args.value) {
                let id: SpaceId = parse_id(&args.value, "the space")?;
                ctx.client.spaces().get(&id).await?
            } else {
                ctx.client.spaces().by_name(&args.value).await?
            };
            ctx.printer.record(&space)
        }
    }
}

/// Runs a `projects` subcommand.
///
/// # Errors
///
/// The SDK's errors; [`CliError::Lookup`] for a space or project name that
/// does not resolve (or a project name several spaces have).
pub async fn projects(command: &ProjectsCommand, ctx: &mut Context) -> Result<(), CliError> {
    match command {
        ProjectsCommand::List(args) => {
            let mut query = ProjectQuery::new().limit(args.paging.limit);
            if let Some(id) = &args.space_id {
                query = query.space(parse_id::<SpaceId>(id, "--space-id")?);
            }
            if let Some(space) = &args.space {
                let id = Resolver::new(&ctx.client).space(space, "--space").await?;
                query = query.space(id);
            }
            if let Some(name) = &args.space_name {
                query = query.space_name(name.as_str());
            }
            if let Some(name) = &args.name {
                query = query.name(name.as_str());
            }
            if let Some(cursor) = &args.paging.cursor {
                query = query.cursor(cursor.as_str());
            }
            if args.paging.all {
                let pages = ctx
                    .client
                    .projects()
                    .pages(query.read_ahead(ReadAhead::OnePage));
                print_all(ctx, "projects", pages).await
            } else {
                let page = ctx.client.projects().list_page(&query).await?;
                print_page(ctx, "projects", &page)
            }
        }
        ProjectsCommand::Get(args) => {
            let projects = ctx.client.projects();
            let project = if is_global_id(&args.value) {
                if args.space.is_some() {
                    return Err(CliError::Usage(format!(
                        "`{}` is a project ID: --space only says where to look for a project \
                         *name*; drop it",
                        args.value
                    )));
                }
                let id: ProjectId = parse_id(&args.value, "the project")?;
                projects.get(&id).await?
            } else {
                match &args.space {
                    Some(space) => {
                        projects
                            .by_name(&args.value, SpaceRef::parse(space))
                            .await?
                    }
                    None => match projects.by_name_in_any_space(&args.value).await {
                        Ok(project) => project,
                        Err(e) => return Err(name_the_spaces(&ctx.client, e.into()).await),
                    },
                }
            };
            ctx.printer.record(&project)
        }
    }
}

/// Prints one page, and on stderr the cursor of the next one.
fn print_page<T: Row + Record>(
    ctx: &mut Context,
    noun: &str,
    page: &DirectoryPage<T>,
) -> Result<(), CliError> {
    let mut list = ctx.printer.list::<T>()?;
    for record in page.items() {
        list.push(record)?;
    }
    list.finish()?;
    if let Some(cursor) = page.next_cursor() {
        ctx.hint(&format!(
            "more {noun}: add --cursor {} for the next page, or --all for every page",
            cursor.as_str()
        ));
    }
    Ok(())
}

/// Prints every page as it arrives, with a progress indicator on a
/// terminal.
async fn print_all<T: Row + Record>(
    ctx: &mut Context,
    noun: &'static str,
    mut pages: impl Stream<Item = Result<DirectoryPage<T>, SdkError>> + Unpin,
) -> Result<(), CliError> {
    let mut progress = Progress::new(ctx.quiet, noun);
    let mut list = ctx.printer.list::<T>()?;
    while let Some(page) = pages.next().await {
        let page = page?;
        for record in page.items() {
            list.push(record)?;
        }
        list.flush()?;
        progress.page(page.items().len());
    }
    progress.finish();
    list.finish()?;
    Ok(())
}
