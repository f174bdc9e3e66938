//! Export: every binding of a scope, joined with the directory, as CSV,
//! NDJSON, JSON or a desired-state file.

use std::collections::BTreeSet;
use std::fmt;
use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};

use chrono::{DateTime, Datelike as _, SecondsFormat, Timelike as _, Utc};
use futures::{Stream, StreamExt as _};
use serde::{Deserialize, Serialize};

use super::file::{DesiredState, GrantSpec, Mode, ProjectRef, Scope, UsersScope};
use super::plan::PAGE_SIZE;
use super::resolve::{Catalog, Kinds, Resolver};
use crate::{
    Client, Error, ListQuery, ProjectId, ReadAhead, Resource, ResourceType, RoleBinding,
    RoleBindingId, RoleId, SpaceId, UserId,
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
    /// The bindings of the scope; joined with `catalog` into an
    /// [`ExportRow`] as they are polled, or written straight from the
    /// binding and the catalog by [`write_csv`](Self::write_csv).
    bindings: Pin<Box<dyn Stream<Item = Result<RoleBinding, Error>> + Send>>,
    catalog: std::sync::Arc<Catalog>,
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

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        this.bindings
            .as_mut()
            .poll_next(cx)
            .map(|item| item.map(|b| b.map(|b| ExportRow::new(b, &this.catalog))))
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
    let bindings =
        futures::stream::select(listing(ResourceType::Space), listing(ResourceType::Project))
            .filter(move |item| {
                futures::future::ready(match item {
                    Ok(b) => filter.contains(&b.resource),
                    Err(_) => true,
                })
            });
    Ok(Export {
        bindings: Box::pin(bindings),
        catalog,
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
    pub async fn write_csv<W: Write>(self, out: W) -> Result<usize, ExportError> {
        let Self {
            mut bindings,
            catalog,
            ..
        } = self;
        let mut csv = CsvRows::new(out).map_err(csv_error)?;
        let mut n = 0;
        while let Some(binding) = bindings.next().await {
            csv.write(&binding?, &catalog).map_err(csv_error)?;
            n += 1;
        }
        csv.finish()?;
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
    /// adopt access as code on an existing account. For a file people
    /// review, [`into_named_desired_state`](Self::into_named_desired_state)
    /// writes e-mails and names instead.
    ///
    /// # Errors
    ///
    /// The listing error.
    pub async fn into_desired_state(self) -> Result<DesiredState, Error> {
        self.collect_state(false).await
    }

    /// As [`into_desired_state`](Self::into_desired_state), but each user,
    /// role, space and project is written the way people know it — an
    /// e-mail, a role name, a space name, a project name (with its space
    /// when the name alone is ambiguous) — wherever that name resolves back
    /// to exactly the same record through the same rules a plan uses; an ID
    /// otherwise (a name the resolver does not know, a space name two
    /// spaces share, a name that would read as an ID). A plan of it right
    /// away is empty too. With [`IdsOnly`](super::IdsOnly) as the export's
    /// resolver every reference is an ID.
    ///
    /// ```no_run
    /// use arize_role_bindings::Client;
    /// use arize_role_bindings::access::{self, ExportScope, Format};
    ///
    /// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let state = access::export(&client, &client, ExportScope::account())
    ///     .await?
    ///     .into_named_desired_state()
    ///     .await?;
    /// std::fs::write("access.yaml", state.to_text(Format::Yaml)?)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The listing error.
    pub async fn into_named_desired_state(self) -> Result<DesiredState, Error> {
        self.collect_state(true).await
    }

    async fn collect_state(mut self, by_name: bool) -> Result<DesiredState, Error> {
        let catalog = std::sync::Arc::clone(&self.catalog);
        let labels = Labels {
            catalog: &catalog,
            by_name,
        };
        let mut spaces: BTreeSet<String> = BTreeSet::new();
        let mut projects: BTreeSet<ProjectRef> = BTreeSet::new();
        for r in self.scope.resources.iter().flatten() {
            match r {
                Resource::Project(id) => projects.insert(labels.project(id)),
                _ => spaces.insert(labels.space(&SpaceId::new(r.id()))),
            };
        }
        let mut grants = Vec::new();
        while let Some(binding) = self.bindings.next().await {
            let b = binding?;
            let user = labels.user(&b.user_id);
            let role = labels.role(&b.role_id);
            let grant = match &b.resource {
                Resource::Project(id) => {
                    let project = labels.project(id);
                    projects.insert(project.clone());
                    GrantSpec {
                        user,
                        role,
                        space: project.space,
                        project: Some(project.project),
                    }
                }
                other => {
                    let space = labels.space(&SpaceId::new(other.id()));
                    spaces.insert(space.clone());
                    GrantSpec::space(user, role, space)
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
                projects: projects.into_iter().collect(),
                users: Some(UsersScope::All),
            },
            grants,
        ))
    }
}

/// How [`Export::collect_state`] writes a reference: the record's name when
/// asked for and the catalog resolves that name back to the same ID, the ID
/// otherwise.
struct Labels<'c> {
    catalog: &'c Catalog,
    by_name: bool,
}

impl Labels<'_> {
    fn user(&self, id: &UserId) -> String {
        self.name(self.catalog.user_email(id), |email| {
            self.catalog.user(email).is_ok_and(|u| &u.id == id)
        })
        .unwrap_or_else(|| id.to_string())
    }

    fn role(&self, id: &RoleId) -> String {
        self.name(self.catalog.role_name(id), |name| {
            self.catalog.role(name).is_ok_and(|r| &r.id == id)
        })
        .unwrap_or_else(|| id.to_string())
    }

    fn space(&self, id: &SpaceId) -> String {
        self.name(self.catalog.space_name(id), |name| {
            self.catalog.space(name).is_ok_and(|s| &s.id == id)
        })
        .unwrap_or_else(|| id.to_string())
    }

    /// The project's name alone when it is unique, with its space (by name
    /// or ID) when that tells it apart, else its ID.
    fn project(&self, id: &ProjectId) -> ProjectRef {
        let resolves_to = |name: &str, space: Option<&str>| {
            self.catalog
                .project(name, space)
                .is_ok_and(|(p, _)| &p.id == id)
        };
        let entry = if self.by_name {
            self.catalog.project_entry(id)
        } else {
            None
        };
        match entry {
            Some(p) if resolves_to(&p.name, None) => ProjectRef::new(p.name.clone()),
            Some(p) => {
                let space = self.space(&p.space_id);
                if resolves_to(&p.name, Some(&space)) {
                    ProjectRef::in_space(p.name.clone(), space)
                } else {
                    ProjectRef::new(id.to_string())
                }
            }
            None => ProjectRef::new(id.to_string()),
        }
    }

    fn name(&self, name: Option<String>, resolves: impl Fn(&str) -> bool) -> Option<String> {
        name.filter(|n| self.by_name && resolves(n))
    }
}

/// The CSV writer of [`Export::write_csv`]: the same bytes as
/// `csv::Writer::serialize` of each [`ExportRow`] (header from its field
/// names, `None` as an empty field, timestamps as chrono serializes them),
/// written field by field from the binding and the catalog's borrowed
/// names. Profiled (callgrind, 100,000 rows), serializing each row through
/// serde cost three quarters of the instructions of listing it: an
/// `ExportRow` built and dropped per binding (six `String`s), and each
/// timestamp formatted by chrono one character at a time into a fresh
/// `String` (over half of it).
struct CsvRows<W: Write> {
    writer: csv::Writer<W>,
    stamp: Stamp,
}

impl<W: Write> CsvRows<W> {
    /// A writer that has written the header.
    fn new(out: W) -> csv::Result<Self> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(CSV_HEADER)?;
        Ok(Self {
            writer,
            stamp: Stamp::default(),
        })
    }

    /// One row, in [`CSV_HEADER`]'s order.
    fn write(&mut self, b: &RoleBinding, catalog: &Catalog) -> csv::Result<()> {
        let user = catalog.user_entry(&b.user_id);
        let (resource_name, space_id, space_name) = match &b.resource {
            Resource::Space(id) => (catalog.space_name_ref(id), None, None),
            Resource::Project(id) => match catalog.project_entry(id) {
                Some(p) => (
                    Some(p.name.as_str()),
                    Some(p.space_id.as_str()),
                    catalog.space_name_ref(&p.space_id),
                ),
                None => (None, None, None),
            },
        };
        let w = &mut self.writer;
        w.write_field(b.id.as_str())?;
        w.write_field(b.user_id.as_str())?;
        w.write_field(user.map_or("", |u| u.email.as_str()))?;
        w.write_field(user.map_or("", |u| u.name.as_str()))?;
        w.write_field(b.role_id.as_str())?;
        w.write_field(catalog.role_name_ref(&b.role_id).unwrap_or(""))?;
        w.write_field(b.resource.resource_type().as_str())?;
        w.write_field(b.resource.id())?;
        w.write_field(resource_name.unwrap_or(""))?;
        w.write_field(space_id.unwrap_or(""))?;
        w.write_field(space_name.unwrap_or(""))?;
        w.write_field(self.stamp.format(&b.created_at))?;
        w.write_field(self.stamp.format(&b.updated_at))?;
        w.write_record(None::<&[u8]>)
    }

    fn finish(mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

/// Formats a timestamp exactly as chrono's `Serialize` does (RFC 3339 with
/// `Z`, a fraction of 0, 3, 6 or 9 digits: `SecondsFormat::AutoSi`) into a
/// buffer it reuses. Years outside 0..=9999 and leap seconds take chrono's
/// own (slower) path.
#[derive(Debug, Default)]
struct Stamp {
    buf: [u8; 30],
    other: String,
}

impl Stamp {
    fn format(&mut self, t: &DateTime<Utc>) -> &[u8] {
        // Once: each accessor of a `DateTime` adds the (zero) offset again.
        let t = t.naive_utc();
        let nanos = t.nanosecond();
        let year = match u32::try_from(t.year()) {
            Ok(year) if year <= 9999 && nanos < 1_000_000_000 => year,
            _ => {
                self.other = t.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true);
                return self.other.as_bytes();
            }
        };
        let b = &mut self.buf;
        digits(&mut b[0..4], year);
        b[4] = b'-';
        digits(&mut b[5..7], t.month());
        b[7] = b'-';
        digits(&mut b[8..10], t.day());
        b[10] = b'T';
        digits(&mut b[11..13], t.hour());
        b[13] = b':';
        digits(&mut b[14..16], t.minute());
        b[16] = b':';
        digits(&mut b[17..19], t.second());
        let (width, fraction) = if nanos == 0 {
            (0, 0)
        } else if nanos.is_multiple_of(1_000_000) {
            (3, nanos / 1_000_000)
        } else if nanos.is_multiple_of(1_000) {
            (6, nanos / 1_000)
        } else {
            (9, nanos)
        };
        let mut end = 19;
        if width > 0 {
            b[19] = b'.';
            digits(&mut b[20..20 + width], fraction);
            end = 20 + width;
        }
        b[end] = b'Z';
        &b[..=end]
    }
}

/// `value`'s last `out.len()` decimal digits, zero-padded.
fn digits(out: &mut [u8], mut value: u32) {
    for d in out.iter_mut().rev() {
        // `value % 10` is below 10.
        *d = b'0' + (value % 10) as u8;
        value /= 10;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::{NaiveDate, TimeZone as _};

    use super::super::resolve::{ProjectEntry, RoleEntry, SpaceEntry, UserEntry};
    use super::*;
    use crate::ProjectId;

    /// Timestamps of every shape chrono serializes differently: no
    /// fraction, 3, 6 and 9 digits, a leap second, years of 1 to 5 digits
    /// and before year 0.
    fn timestamps() -> Vec<DateTime<Utc>> {
        let mut all = vec![
            DateTime::UNIX_EPOCH,
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
        ];
        for nanos in [
            0,
            1,
            999,
            1_000,
            120_000,
            7_000_000,
            999_999_999,
            123_456_789,
        ] {
            for secs in [
                -62_198_755_200_i64,
                -1,
                0,
                59,
                1_717_236_000,
                253_402_300_799,
                253_402_300_800,
            ] {
                all.push(DateTime::from_timestamp(secs, nanos).unwrap());
            }
        }
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_250_000_000)
            .unwrap();
        all.push(Utc.from_utc_datetime(&leap));
        all
    }

    #[test]
    fn stamps_are_formatted_as_chrono_serializes_them() {
        let mut stamp = Stamp::default();
        for t in timestamps() {
            let chrono = serde_json::to_value(t).unwrap();
            let ours = std::str::from_utf8(stamp.format(&t)).unwrap().to_owned();
            assert_eq!(Some(ours.as_str()), chrono.as_str(), "{t:?}");
        }
    }

    /// The field-by-field writer gives the bytes serde gives for the same
    /// rows (header included): names known and unknown, names that need
    /// quoting, both resource types, every timestamp shape.
    #[test]
    fn csv_rows_are_the_bytes_of_serializing_export_rows() {
        let catalog = Catalog::new()
            .with_users([UserEntry::new(
                UserId::new("VXNlcjoxOmFh"),
                "ann@example.com",
                "Ann \"the admin\", ops",
            )])
            .with_roles([RoleEntry::new(RoleId::new("Um9sZToxOmFh"), "Member\nplus")])
            .with_spaces([SpaceEntry::new(SpaceId::new("U3BhY2U6MTphYQ=="), "prod")])
            .with_projects([ProjectEntry::new(
                ProjectId::new("UHJvamVjdDoxOmFh"),
                "web",
                SpaceId::new("U3BhY2U6MTphYQ=="),
            )]);
        let users = [UserId::new("VXNlcjoxOmFh"), UserId::new("VXNlcjoyOmJi")];
        let roles = [RoleId::new("Um9sZToxOmFh"), RoleId::new("Um9sZToyOmJi")];
        let resources = [
            Resource::Space(SpaceId::new("U3BhY2U6MTphYQ==")),
            Resource::Space(SpaceId::new("U3BhY2U6MjpiYg==")),
            Resource::Project(ProjectId::new("UHJvamVjdDoxOmFh")),
            Resource::Project(ProjectId::new("UHJvamVjdDoyOmJi")),
        ];
        let stamps = timestamps();
        let bindings: Vec<RoleBinding> = (0..stamps.len())
            .map(|i| {
                RoleBinding::new(
                    RoleBindingId::new(format!("Um9sZUJpbmRpbmc6{i}")),
                    users[i % 2].clone(),
                    roles[i / 2 % 2].clone(),
                    resources[i % 4].clone(),
                )
                .with_timestamps(stamps[i], stamps[stamps.len() - 1 - i])
            })
            .collect();

        let mut expected = csv::Writer::from_writer(Vec::new());
        for b in &bindings {
            expected
                .serialize(ExportRow::new(b.clone(), &catalog))
                .unwrap();
        }
        let expected = expected.into_inner().unwrap();

        let mut ours = CsvRows::new(Vec::new()).unwrap();
        for b in &bindings {
            ours.write(b, &catalog).unwrap();
        }
        let ours = ours.writer.into_inner().unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }
}
