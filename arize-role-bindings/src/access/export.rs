//! Export: every binding of a scope, joined with the directory, as CSV,
//! NDJSON, JSON or a desired-state file.

use std::collections::BTreeSet;
use std::fmt;
use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};

use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt as _};
use serde::{Deserialize, Serialize};

use super::file::{DesiredState, GrantSpec, Mode, ProjectRef, Scope, UsersScope};
use super::plan::PAGE_SIZE;
use super::resolve::{Catalog, Kinds, Resolver};
use crate::{
    Client, Error, ListQuery, ReadAhead, Resource, ResourceType, RoleBinding, RoleBindingId,
    RoleId, SpaceId, UserId,
};

/// What to export: by default every binding of the account, spaces and
/// projects.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportScope {
    only_type: Option<ResourceType>,
    resources: Option<BTreeSet<Resource>>,
}

impl ExportScope {
    /// The whole account, both resource types (the default).
    pub fn account() -> Self {
        Self::default()
    }

    /// Only bindings on resources of this type.
    #[must_use]
    pub fn resource_type(mut self, resource_type: ResourceType) -> Self {
        self.only_type = Some(resource_type);
        self
    }

    /// Only bindings on these resources.
    #[must_use]
    pub fn resources(mut self, resources: impl IntoIterator<Item = Resource>) -> Self {
        self.resources = Some(resources.into_iter().collect());
        self
    }

    fn wants_type(&self, t: ResourceType) -> bool {
        self.only_type.is_none_or(|only| only == t)
            && self
                .resources
                .as_ref()
                .is_none_or(|set| set.iter().any(|r| r.resource_type() == t))
    }

    fn contains(&self, resource: &Resource) -> bool {
        self.only_type
            .is_none_or(|only| only == resource.resource_type())
            && self
                .resources
                .as_ref()
                .is_none_or(|set| set.contains(resource))
    }
}

/// One exported binding, joined with the directory: flat fields, so that a
/// CSV row and a JSON object carry the same columns. Names are empty
/// (`None`) where the resolver does not know them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportRow {
    /// The binding's ID.
    pub binding_id: RoleBindingId,
    /// The user's ID.
    pub user_id: UserId,
    /// The user's e-mail.
    pub user_email: Option<String>,
    /// The user's display name.
    pub user_name: Option<String>,
    /// The role's ID.
    pub role_id: RoleId,
    /// The role's name.
    pub role_name: Option<String>,
    /// `SPACE` or `PROJECT`.
    pub resource_type: ResourceType,
    /// The space's or project's ID.
    pub resource_id: String,
    /// The space's or project's name.
    pub resource_name: Option<String>,
    /// A project's space: its ID ...
    pub space_id: Option<SpaceId>,
    /// ... and its name.
    pub space_name: Option<String>,
    /// When the binding was created.
    pub created_at: DateTime<Utc>,
    /// When it was last updated.
    pub updated_at: DateTime<Utc>,
}

impl ExportRow {
    fn new(b: RoleBinding, catalog: &Catalog) -> Self {
        let user = catalog.user_entry(&b.user_id);
        let (resource_name, space) = match &b.resource {
            Resource::Space(id) => (catalog.space_name(id), None),
            Resource::Project(id) => catalog.describe_project(id),
        };
        Self {
            user_email: user.map(|u| u.email.clone()),
            user_name: user.map(|u| u.name.clone()),
            role_name: catalog.role_name(&b.role_id),
            resource_type: b.resource.resource_type(),
            resource_id: b.resource.id().to_owned(),
            resource_name,
            space_id: space.as_ref().map(|s| s.id.clone()),
            space_name: space.and_then(|s| s.name),
            binding_id: b.id,
            user_id: b.user_id,
            role_id: b.role_id,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }

    /// The binding's resource.
    pub fn resource(&self) -> Resource {
        match self.resource_type {
            ResourceType::Project => Resource::Project(self.resource_id.as_str().into()),
            _ => Resource::Space(self.resource_id.as_str().into()),
        }
    }
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Listing bindings or loading the directory failed.
    #[error("export stopped: {0}")]
    Client(#[from] Error),
    /// Writing the output failed.
    #[error("export stopped: could not write the output: {0}")]
    Write(#[from] std::io::Error),
}

/// The stream of an export: one row per binding in the scope, spaces and
/// projects listed concurrently (one page read ahead each), rows in the
/// order pages arrive. Nothing is held beyond the pages in flight, so
/// writing CSV or NDJSON as rows come keeps memory flat.
#[must_use = "streams do nothing unless polled"]
pub struct Export {
    stream: Pin<Box<dyn Stream<Item = Result<ExportRow, Error>> + Send>>,
    scope: ExportScope,
}

impl fmt::Debug for Export {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Export")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl Stream for Export {
    type Item = Result<ExportRow, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

/// Exports every binding of `scope`, joined with what `resolver` knows
/// (one load, each kind in one pass).
///
/// ```no_run
/// use arize_role_bindings::Client;
/// use arize_role_bindings::access::{self, ExportScope, IdsOnly};
///
/// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let out = std::io::BufWriter::new(std::fs::File::create("access.csv")?);
/// let rows = access::export(&client, &IdsOnly, ExportScope::account())
///     .await?
///     .write_csv(out)
///     .await?;
/// println!("{rows} bindings");
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// The resolver's error. Listing errors come through the stream.
pub async fn export<R: Resolver + ?Sized>(
    client: &Client,
    resolver: &R,
    scope: ExportScope,
) -> Result<Export, Error> {
    let catalog = std::sync::Arc::new(resolver.load(Kinds::ALL).await?);
    let listing = |t: ResourceType| {
        let wanted = scope.wants_type(t);
        let stream = client.list(
            ListQuery::new(t)
                .limit(PAGE_SIZE)
                .read_ahead(ReadAhead::OnePage),
        );
        futures::stream::iter(wanted.then_some(stream)).flatten()
    };
    let filter = scope.clone();
    let stream =
        futures::stream::select(listing(ResourceType::Space), listing(ResourceType::Project))
            .filter_map(move |item| {
                let keep = match &item {
                    Ok(b) => filter.contains(&b.resource),
                    Err(_) => true,
                };
                let row = item.map(|b| ExportRow::new(b, &catalog));
                futures::future::ready(keep.then_some(row))
            });
    Ok(Export {
        stream: Box::pin(stream),
        scope,
    })
}

impl Export {
    /// Writes CSV (a header row, then one row per binding; empty fields for
    /// unknown names) as rows arrive; returns the number of rows.
    ///
    /// # Errors
    ///
    /// [`ExportError`]: the listing or the writer failed (rows before it
    /// are written).
    pub async fn write_csv<W: Write>(mut self, out: W) -> Result<usize, ExportError> {
        let mut writer = csv::Writer::from_writer(out);
        let mut n = 0;
        while let Some(row) = self.next().await {
            writer.serialize(row?).map_err(csv_error)?;
            n += 1;
        }
        if n == 0 {
            // Still a header, so that the file says what it holds.
            writer.write_record(CSV_HEADER).map_err(csv_error)?;
        }
        writer.flush()?;
        Ok(n)
    }

    /// Writes NDJSON (one JSON object per line) as rows arrive; returns the
    /// number of rows.
    ///
    /// # Errors
    ///
    /// As [`write_csv`](Self::write_csv).
    pub async fn write_ndjson<W: Write>(mut self, mut out: W) -> Result<usize, ExportError> {
        let mut n = 0;
        while let Some(row) = self.next().await {
            serde_json::to_writer(&mut out, &row?).map_err(std::io::Error::other)?;
            out.write_all(b"\n")?;
            n += 1;
        }
        out.flush()?;
        Ok(n)
    }

    /// Writes one JSON array, row by row as they arrive; returns the number
    /// of rows.
    ///
    /// # Errors
    ///
    /// As [`write_csv`](Self::write_csv).
    pub async fn write_json<W: Write>(mut self, mut out: W) -> Result<usize, ExportError> {
        let mut n = 0;
        out.write_all(b"[")?;
        while let Some(row) = self.next().await {
            out.write_all(if n == 0 { b"\n  " } else { b",\n  " })?;
            serde_json::to_writer(&mut out, &row?).map_err(std::io::Error::other)?;
            n += 1;
        }
        out.write_all(if n == 0 { b"]\n" } else { b"\n]\n" })?;
        out.flush()?;
        Ok(n)
    }

    /// Collects the export into an **authoritative** desired state that
    /// reproduces today's access exactly: one grant per binding (by ID), the
    /// scope every resource seen (and every resource the export scope
    /// named), `users: all`. A plan of it right away is empty: the way to
    /// adopt access as code on an existing account.
    ///
    /// # Errors
    ///
    /// The listing error.
    pub async fn into_desired_state(mut self) -> Result<DesiredState, Error> {
        let mut spaces: BTreeSet<String> = BTreeSet::new();
        let mut projects: BTreeSet<String> = BTreeSet::new();
        for r in self.scope.resources.iter().flatten() {
            match r {
                Resource::Project(id) => projects.insert(id.to_string()),
                _ => spaces.insert(r.id().to_owned()),
            };
        }
        let mut grants = Vec::new();
        while let Some(row) = self.next().await {
            let row = row?;
            let grant = match row.resource_type {
                ResourceType::Project => {
                    projects.insert(row.resource_id.clone());
                    GrantSpec::project(row.user_id.as_str(), row.role_id.as_str(), &row.resource_id)
                }
                _ => {
                    spaces.insert(row.resource_id.clone());
                    GrantSpec::space(row.user_id.as_str(), row.role_id.as_str(), &row.resource_id)
                }
            };
            grants.push(grant);
        }
        grants
            .sort_by(|a, b| (&a.project, &a.space, &a.user).cmp(&(&b.project, &b.space, &b.user)));
        Ok(DesiredState::new(
            Mode::Authoritative,
            Scope {
                spaces: spaces.into_iter().collect(),
                projects: projects.into_iter().map(ProjectRef::new).collect(),
                users: Some(UsersScope::All),
            },
            grants,
        ))
    }
}

/// The CSV columns, as [`ExportRow`]'s fields.
const CSV_HEADER: [&str; 13] = [
    "binding_id",
    "user_id",
    "user_email",
    "user_name",
    "role_id",
    "role_name",
    "resource_type",
    "resource_id",
    "resource_name",
    "space_id",
    "space_name",
    "created_at",
    "updated_at",
];

fn csv_error(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}
