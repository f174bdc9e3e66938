//! `role-bindings list|get|create|update|delete|ensure|revoke`: `ax
//! role-bindings` with its flags, plus every page (`--all`) and the SDK's
//! idempotent `ensure` and `revoke`.

use arize_role_bindings::{ListQuery, ReadAhead, ResourceType, RoleBindingId};
use clap::{Args, Subcommand};
use futures::StreamExt as _;

use crate::cli::parse_resource_type;
use crate::commands::Context;
use crate::exit::CliError;
use crate::progress::Progress;
use crate::refs::{Resolver, ResourceArg, RoleArg, UserArg, UserFilter};

/// The `role-bindings` subcommands.
#[derive(Debug, Subcommand)]
pub enum RoleBindingsCommand {
    /// List role bindings on spaces or on projects (one page, or --all)
    #[command(after_help = "Examples:\n  \
        arize-access role-bindings list --resource-type SPACE\n  \
        arize-access role-bindings list --resource-type PROJECT --user-id VXNlcjoxMjM0NQ== --limit 20\n  \
        arize-access role-bindings list --resource-type SPACE --user alice@example.com\n  \
        arize-access role-bindings list --resource-type SPACE --cursor <CURSOR>\n  \
        arize-access role-bindings list --resource-type SPACE --all --output csv > bindings.csv")]
    List(ListArgs),

    /// Show one role binding
    #[command(after_help = "Example:\n  \
        arize-access role-bindings get Um9sZUJpbmRpbmc6MTphQmNE")]
    Get(GetArgs),

    /// Grant a role: create a binding (a user has at most one per resource;
    /// a second is an API error, exit 4 — see `ensure`)
    #[command(after_help = "Examples:\n  \
        arize-access role-bindings create --user alice@example.com --role Member --space prod\n  \
        arize-access role-bindings create --user-id VXNlcjoxMjM0NQ== \\\n      \
        --role-id Um9sZToxOmFCY0Q= --space-id U3BhY2U6MTIzNDU=\n  \
        arize-access role-bindings create --user-id VXNlcjoxMjM0NQ== \\\n      \
        --role-id Um9sZToxOmFCY0Q= --resource-type PROJECT --resource-id UHJvamVjdDoxMjM0NQ==")]
    Create(GrantArgs),

    /// Change the role of a binding
    #[command(after_help = "Examples:\n  \
        arize-access role-bindings update Um9sZUJpbmRpbmc6MTphQmNE --role-id Um9sZToyOmFCY0Q=\n  \
        arize-access role-bindings update Um9sZUJpbmRpbmc6MTphQmNE --role Admin")]
    Update(UpdateArgs),

    /// Delete a binding (asks first on a terminal; --force to skip)
    #[command(after_help = "Examples:\n  \
        arize-access role-bindings delete Um9sZUJpbmRpbmc6MTphQmNE\n  \
        arize-access role-bindings delete Um9sZUJpbmRpbmc6MTphQmNE --force    # no question (scripts)")]
    Delete(DeleteArgs),

    /// Make sure a user holds a role on a resource: create, or change the
    /// role of the existing binding, or nothing (idempotent)
    #[command(after_help = "Examples:\n  \
        arize-access role-bindings ensure --user alice@example.com --role Member \\\n      \
        --project churn --space prod\n  \
        arize-access role-bindings ensure --user-id VXNlcjoxMjM0NQ== \\\n      \
        --role-id Um9sZToxOmFCY0Q= --space-id U3BhY2U6MTIzNDU=\n  \
        arize-access role-bindings ensure --user VXNlcjoxMjM0NQ== \\\n      \
        --role Um9sZToxOmFCY0Q= --project UHJvamVjdDoxMjM0NQ==\n\
        The outcome is `created`, `updated` (with the previous role) or `unchanged`.")]
    Ensure(GrantArgs),

    /// Remove a user's binding on a resource, if there is one (idempotent)
    #[command(after_help = "Examples:\n  \
        arize-access role-bindings revoke --user alice@example.com --space prod\n  \
        arize-access role-bindings revoke --user-id VXNlcjoxMjM0NQ== --space-id U3BhY2U6MTIzNDU=\n\
        The outcome is `removed` (with the binding) or `not_found`; both exit 0.")]
    Revoke(RevokeArgs),
}

/// `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// SPACE or PROJECT (any case)
    #[arg(long, value_parser = parse_resource_type, value_name = "TYPE")]
    pub resource_type: ResourceType,

    #[command(flatten)]
    pub user: UserFilter,

    /// Bindings per page, 1-100 (with --all: the page size)
    #[arg(short, long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: u32,

    /// Start from this cursor (printed on stderr after a page that has more)
    #[arg(short, long)]
    pub cursor: Option<String>,

    /// Every page, streamed (from --cursor when given)
    #[arg(long)]
    pub all: bool,
}

/// `get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// The binding's ID
    pub binding_id: String,
}

/// `create` and `ensure`: who, what, where.
#[derive(Debug, Args)]
pub struct GrantArgs {
    #[command(flatten)]
    pub user: UserArg,
    #[command(flatten)]
    pub role: RoleArg,
    #[command(flatten)]
    pub resource: ResourceArg,
    /// SPACE or PROJECT, with --resource-id (as `ax`)
    #[arg(long, value_parser = parse_resource_type, value_name = "TYPE", requires = "resource_id")]
    pub resource_type: Option<ResourceType>,
}

/// `revoke`: who, where.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    #[command(flatten)]
    pub user: UserArg,
    #[command(flatten)]
    pub resource: ResourceArg,
    /// SPACE or PROJECT, with --resource-id (as `ax`)
    #[arg(long, value_parser = parse_resource_type, value_name = "TYPE", requires = "resource_id")]
    pub resource_type: Option<ResourceType>,
}

/// `update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The binding's ID
    pub binding_id: String,
    #[command(flatten)]
    pub role: RoleArg,
}

/// `delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The binding's ID
    pub binding_id: String,
    /// Do not ask (required when there is no terminal to ask on)
    #[arg(short, long, visible_alias = "yes")]
    pub force: bool,
}

/// Runs a `role-bindings` subcommand.
///
/// # Errors
///
/// The SDK's errors; [`CliError::Usage`] for values that cannot be used.
pub async fn run(command: &RoleBindingsCommand, ctx: &mut Context) -> Result<(), CliError> {
    match command {
        RoleBindingsCommand::List(args) => list(args, ctx).await,
        RoleBindingsCommand::Get(args) => {
            let id = binding_id(&args.binding_id)?;
            let binding = ctx.client.get(&id).await?;
            ctx.printer.binding(&binding)
        }
        RoleBindingsCommand::Create(args) => {
            let resolver = Resolver::new(&ctx.client);
            let user = resolver.user(&args.user).await?;
            let role = resolver.role(&args.role).await?;
            let resource = resolver
                .resource(&args.resource, args.resource_type)
                .await?;
            let binding = ctx.client.create(&user, &role, &resource).await?;
            ctx.printer.binding(&binding)
        }
        RoleBindingsCommand::Update(args) => {
            let id = binding_id(&args.binding_id)?;
            let role = Resolver::new(&ctx.client).role(&args.role).await?;
            let binding = ctx.client.update(&id, &role).await?;
            ctx.printer.binding(&binding)
        }
        RoleBindingsCommand::Delete(args) => {
            let id = binding_id(&args.binding_id)?;
            if !args.force && !confirm_delete(ctx, &id)? {
                return Err(CliError::Declined(format!(
                    "not deleted: role binding {id} was kept"
                )));
            }
            ctx.client.delete(&id).await?;
            ctx.printer.deleted(id.as_str())
        }
        RoleBindingsCommand::Ensure(args) => {
            let resolver = Resolver::new(&ctx.client);
            let user = resolver.user(&args.user).await?;
            let role = resolver.role(&args.role).await?;
            let resource = resolver
                .resource(&args.resource, args.resource_type)
                .await?;
            let ensured = ctx.client.ensure(&user, &role, &resource).await?;
            ctx.printer.ensured(&ensured)
        }
        RoleBindingsCommand::Revoke(args) => {
            let resolver = Resolver::new(&ctx.client);
            let user = resolver.user(&args.user).await?;
            let resource = resolver
                .resource(&args.resource, args.resource_type)
                .await?;
            let revoked = ctx.client.revoke(&user, &resource).await?;
            ctx.printer.revoked(revoked.removed(), &user, &resource)
        }
    }
}

async fn list(args: &ListArgs, ctx: &mut Context) -> Result<(), CliError> {
    let user = Resolver::new(&ctx.client).user_filter(&args.user).await?;
    let mut query = ListQuery::new(args.resource_type).limit(args.limit);
    if let Some(user) = user {
        query = query.user(user);
    }
    if let Some(cursor) = &args.cursor {
        query = query.cursor(cursor.as_str());
    }

    if args.all {
        let mut progress = Progress::new(ctx.quiet, "bindings");
        let mut pages = ctx.client.pages(query.read_ahead(ReadAhead::OnePage));
        let mut list = ctx.printer.bindings()?;
        while let Some(page) = pages.next().await {
            let page = page?;
            for binding in page.bindings() {
                list.push(binding)?;
            }
            list.flush()?;
            progress.page(page.bindings().len());
        }
        progress.finish();
        list.finish()?;
        return Ok(());
    }

    let page = ctx.client.list_page(&query).await?;
    let mut list = ctx.printer.bindings()?;
    for binding in page.bindings() {
        list.push(binding)?;
    }
    list.finish()?;
    if let Some(cursor) = page.next_cursor() {
        ctx.hint(&format!(
            "more bindings: add --cursor {} for the next page, or --all for every page",
            cursor.as_str()
        ));
    }
    Ok(())
}

/// A binding ID, checked by the SDK (a usage error when it is of another
/// type, e.g. a user ID).
fn binding_id(value: &str) -> Result<RoleBindingId, CliError> {
    value
        .parse::<RoleBindingId>()
        .map_err(|e| CliError::Usage(format!("binding ID: {e}")))
}

/// Asks on the terminal; without one, refuses (`--force` skips the question).
fn confirm_delete(ctx: &Context, id: &RoleBindingId) -> Result<bool, CliError> {
    if !ctx.can_prompt() {
        return Err(CliError::Usage(format!(
            "refusing to delete role binding {id} without confirmation: there is no terminal \
             to ask on; pass --force (or --yes) to delete it"
        )));
    }
    dialoguer::Confirm::new()
        .with_prompt(format!("Delete role binding {id}? This cannot be undone"))
        .default(false)
        .interact()
        .map_err(|e| match e {
            dialoguer::Error::IO(io) => CliError::Io(io),
        })
}
