//! Printing results: tables for people, JSON, NDJSON and CSV for scripts.
//!
//! - **table**: aligned columns without borders (comfy-table), the header in
//!   bold on a terminal; columns are as wide as their widest cell, never
//!   wrapped, so IDs stay whole for copying. A table needs every row before
//!   it can be printed.
//! - **json**: one document, 2-space indented. A list is an array of
//!   records (bindings, users, roles, spaces, projects) with the API's
//!   field names (for a binding: `id`, `role_id`, `user_id`,
//!   `resource_type`, `resource_id`, `created_at`, `updated_at`), written
//!   element by element as pages arrive.
//! - **ndjson**: one compact JSON object per line, as pages arrive.
//! - **csv**: a header line with the field names ([`Row::FIELDS`]), then
//!   one row each (RFC 4180 quoting), as pages arrive; nested values are
//!   flattened (a user's account role as `MEMBER` or `CUSTOM:<role ID>`, a
//!   role's permissions joined by spaces).
//!
//! Only the table has colour; [`anstream`] strips it when stdout is not a
//! terminal, under `NO_COLOR` or `--color never`.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use arize_role_bindings::directory::{AccountRole, Project, Role, Space, User};
use arize_role_bindings::{EnsureOutcome, Ensured, Resource, RoleBinding, UserId};
use chrono::SecondsFormat;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::exit::CliError;

/// A record that prints as a row: a binding, a user, a role, a space, a
/// project. Its JSON is its `Serialize` (the API's field names); CSV and
/// table columns are [`FIELDS`](Row::FIELDS) and
/// [`HEADERS`](Row::HEADERS).
pub trait Row: Serialize {
    /// The CSV header: the JSON field names.
    const FIELDS: &'static [&'static str];
    /// The table header.
    const HEADERS: &'static [&'static str];
    /// What an empty table says ("No role bindings.").
    const NONE: &'static str;
    /// The CSV values, in [`FIELDS`](Row::FIELDS) order, as in the JSON.
    fn fields(&self) -> Vec<String>;
    /// The table cells, in [`HEADERS`](Row::HEADERS) order (times to the
    /// second).
    fn cells(&self) -> Vec<String>;
}

/// Where results go, in which format.
pub struct Printer {
    format: OutputFormat,
    out: Box<dyn Write>,
    /// The header style: bold for stdout (which strips it off a terminal),
    /// plain for a file.
    header: anstyle::Style,
    /// For `--output FILE`: the file being written, moved into place by
    /// [`Printer::commit`].
    file: Option<(tempfile::TempPath, PathBuf)>,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Printer")
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl Printer {
    /// A printer to stdout.
    pub fn stdout(format: OutputFormat) -> Self {
        let out: Box<dyn Write> = match format {
            // Styled: anstream strips the styles where they do not belong.
            OutputFormat::Table => Box::new(BufWriter::new(anstream::stdout())),
            _ => Box::new(BufWriter::new(io::stdout())),
        };
        Self {
            format,
            out,
            header: anstyle::Style::new().bold(),
            file: None,
        }
    }

    /// A printer to `path`, written next to it first and moved into place
    /// by [`commit`](Self::commit): a failed command leaves the file as it
    /// was.
    ///
    /// # Errors
    ///
    /// [`CliError::Io`] when the file cannot be created there.
    pub fn file(path: &Path, format: OutputFormat) -> Result<Self, CliError> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".arize-access-")
            .tempfile_in(dir)
            .map_err(|e| {
                CliError::Io(io::Error::new(
                    e.kind(),
                    format!("cannot create a file in {}: {e}", dir.display()),
                ))
            })?;
        let (file, temp_path) = temp.into_parts();
        Ok(Self {
            format,
            out: Box::new(BufWriter::new(file)),
            header: anstyle::Style::new(),
            file: Some((temp_path, path.to_owned())),
        })
    }

    /// Finishes the output: flushes it, and moves an `--output FILE` into
    /// place.
    ///
    /// # Errors
    ///
    /// [`CliError::Io`] when the file cannot be written or renamed.
    pub fn commit(&mut self) -> Result<(), CliError> {
        self.out.flush()?;
        if let Some((temp, path)) = self.file.take() {
            temp.persist(&path).map_err(|e| {
                CliError::Io(io::Error::new(
                    e.error.kind(),
                    format!("cannot write {}: {}", path.display(), e.error),
                ))
            })?;
        }
        Ok(())
    }

    /// A sink for a list of records, written as they come (a table at
    /// [`List::finish`]).
    pub fn list<T: Row>(&mut self) -> Result<List<'_, T>, CliError> {
        let out: &mut dyn Write = &mut self.out;
        let state = match self.format {
            OutputFormat::Table => ListState::Table(out, self.header, Vec::new()),
            OutputFormat::Json => ListState::Json { out, first: true },
            OutputFormat::Ndjson => ListState::Ndjson(out),
            OutputFormat::Csv => {
                let mut csv = csv::Writer::from_writer(out);
                csv.write_record(T::FIELDS)?;
                ListState::Csv(Box::new(csv))
            }
        };
        Ok(List {
            state,
            _row: std::marker::PhantomData,
        })
    }

    /// A sink for a list of bindings.
    pub fn bindings(&mut self) -> Result<List<'_, RoleBinding>, CliError> {
        self.list()
    }

    /// One record (get, create, update): a JSON object, or a one-row
    /// table or CSV.
    pub fn record<T: Row>(&mut self, record: &T) -> Result<(), CliError> {
        match self.format {
            OutputFormat::Json => self.json(record, Layout::Pretty)?,
            OutputFormat::Ndjson => self.json(record, Layout::Compact)?,
            OutputFormat::Table | OutputFormat::Csv => {
                let mut list = self.list::<T>()?;
                list.push(record)?;
                list.finish()?;
            }
        }
        self.flush()
    }

    /// One binding (get, create, update).
    pub fn binding(&mut self, binding: &RoleBinding) -> Result<(), CliError> {
        self.record(binding)
    }

    /// The result of `ensure`.
    pub fn ensured(&mut self, ensured: &Ensured) -> Result<(), CliError> {
        let (outcome, previous) = match &ensured.outcome {
            EnsureOutcome::Created => ("created", None),
            EnsureOutcome::Updated { previous_role } => ("updated", Some(previous_role.as_str())),
            EnsureOutcome::Unchanged => ("unchanged", None),
        };
        let record = OutcomeRecord {
            outcome,
            previous_role_id: Some(previous),
            binding: Some(&ensured.binding),
        };
        self.outcome(&record, &["OUTCOME", "PREVIOUS ROLE"], |r| {
            vec![
                r.outcome.to_owned(),
                r.previous_role_id.flatten().unwrap_or("").to_owned(),
            ]
        })
    }

    /// The result of `revoke`: the binding removed, if there was one.
    pub fn revoked(
        &mut self,
        removed: Option<&RoleBinding>,
        user: &UserId,
        resource: &Resource,
    ) -> Result<(), CliError> {
        if removed.is_none() && self.format == OutputFormat::Table {
            writeln!(
                self.out,
                "Nothing to revoke: user {user} has no role binding on {resource}."
            )?;
            return self.flush();
        }
        let record = OutcomeRecord {
            outcome: if removed.is_some() {
                "removed"
            } else {
                "not_found"
            },
            previous_role_id: None,
            binding: removed,
        };
        self.outcome(&record, &["OUTCOME"], |r| vec![r.outcome.to_owned()])
    }

    /// The result of `delete`.
    pub fn deleted(&mut self, id: &str) -> Result<(), CliError> {
        #[derive(Serialize)]
        struct Deleted<'a> {
            deleted: bool,
            id: &'a str,
        }
        let record = Deleted { deleted: true, id };
        match self.format {
            OutputFormat::Json => self.json(&record, Layout::Pretty)?,
            OutputFormat::Ndjson => self.json(&record, Layout::Compact)?,
            OutputFormat::Csv => {
                let mut csv = csv::Writer::from_writer(Vec::new());
                csv.write_record(["deleted", "id"])?;
                csv.write_record(["true", id])?;
                self.out.write_all(&csv_bytes(csv)?)?;
            }
            OutputFormat::Table => writeln!(self.out, "Deleted role binding {id}.")?,
        }
        self.flush()
    }

    /// An outcome (ensure, revoke): JSON `{"outcome", …, "binding"}`, or the
    /// binding's row with the outcome columns in front.
    fn outcome(
        &mut self,
        record: &OutcomeRecord<'_>,
        headers: &[&str],
        cells: impl Fn(&OutcomeRecord<'_>) -> Vec<String>,
    ) -> Result<(), CliError> {
        match self.format {
            OutputFormat::Json => self.json(record, Layout::Pretty)?,
            OutputFormat::Ndjson => self.json(record, Layout::Compact)?,
            OutputFormat::Csv => {
                let mut csv = csv::Writer::from_writer(Vec::new());
                let fields: Vec<&str> = match headers.len() {
                    1 => vec!["outcome"],
                    _ => vec!["outcome", "previous_role_id"],
                };
                csv.write_record(fields.iter().chain(RoleBinding::FIELDS.iter()))?;
                let mut row = cells(record);
                row.extend(match record.binding {
                    Some(b) => b.fields(),
                    None => vec![String::new(); RoleBinding::FIELDS.len()],
                });
                csv.write_record(&row)?;
                self.out.write_all(&csv_bytes(csv)?)?;
            }
            OutputFormat::Table => {
                let mut table = new_table(headers.iter().chain(RoleBinding::HEADERS.iter()));
                let mut row = cells(record);
                row.extend(match record.binding {
                    Some(b) => b.cells(),
                    None => vec![String::new(); RoleBinding::HEADERS.len()],
                });
                table.add_row(row);
                write_table(&mut self.out, self.header, &table)?;
            }
        }
        self.flush()
    }

    fn json<T: Serialize + ?Sized>(&mut self, value: &T, layout: Layout) -> Result<(), CliError> {
        match layout {
            Layout::Pretty => serde_json::to_writer_pretty(&mut self.out, value),
            Layout::Compact => serde_json::to_writer(&mut self.out, value),
        }
        .map_err(io::Error::from)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    /// The output itself, for a command that writes its own text (`export`
    /// to a file, `plan`, `apply`).
    pub fn writer(&mut self) -> &mut dyn Write {
        &mut self.out
    }

    /// Flushes what was written.
    pub fn flush(&mut self) -> Result<(), CliError> {
        self.out.flush()?;
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum Layout {
    Pretty,
    Compact,
}

/// `ensure` and `revoke` results, in JSON.
#[derive(Serialize)]
struct OutcomeRecord<'a> {
    /// `created`, `updated`, `unchanged`; `removed`, `not_found`.
    outcome: &'static str,
    /// `ensure` only (`null` unless the role was changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_role_id: Option<Option<&'a str>>,
    binding: Option<&'a RoleBinding>,
}

/// A list of records being printed.
pub struct List<'p, T> {
    state: ListState<'p>,
    _row: std::marker::PhantomData<fn(&T)>,
}

enum ListState<'p> {
    Table(&'p mut dyn Write, anstyle::Style, Vec<Vec<String>>),
    Json { out: &'p mut dyn Write, first: bool },
    Ndjson(&'p mut dyn Write),
    Csv(Box<csv::Writer<&'p mut dyn Write>>),
}

impl<T: Row> List<'_, T> {
    /// Adds a record.
    pub fn push(&mut self, record: &T) -> Result<(), CliError> {
        match &mut self.state {
            ListState::Table(_, _, rows) => rows.push(record.cells()),
            ListState::Json { out, first } => {
                out.write_all(if *first { b"[\n  " } else { b",\n  " })?;
                *first = false;
                let text = serde_json::to_string_pretty(record).map_err(io::Error::from)?;
                out.write_all(text.replace('\n', "\n  ").as_bytes())?;
            }
            ListState::Ndjson(out) => {
                serde_json::to_writer(&mut *out, record).map_err(io::Error::from)?;
                out.write_all(b"\n")?;
            }
            ListState::Csv(csv) => csv.write_record(record.fields())?,
        }
        Ok(())
    }

    /// Hands what was written so far to stdout (after each page).
    pub fn flush(&mut self) -> Result<(), CliError> {
        match &mut self.state {
            ListState::Table(out, _, _) | ListState::Json { out, .. } | ListState::Ndjson(out) => {
                out.flush()?;
            }
            ListState::Csv(csv) => csv.flush()?,
        }
        Ok(())
    }

    /// Ends the list: closes the JSON array, prints the table.
    pub fn finish(mut self) -> Result<(), CliError> {
        match &mut self.state {
            ListState::Table(out, header, rows) => {
                if rows.is_empty() {
                    writeln!(out, "{}", T::NONE)?;
                } else {
                    let mut table = new_table(T::HEADERS.iter());
                    for row in rows.drain(..) {
                        table.add_row(row);
                    }
                    write_table(*out, *header, &table)?;
                }
            }
            ListState::Json { out, first: true } => out.write_all(b"[]\n")?,
            ListState::Json { out, first: false } => out.write_all(b"\n]\n")?,
            ListState::Ndjson(_) | ListState::Csv(_) => {}
        }
        self.flush()
    }
}

fn csv_bytes(csv: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, CliError> {
    csv.into_inner()
        .map_err(|e| CliError::Io(io::Error::other(e.to_string())))
}

/// A time as in the API's JSON.
fn json_time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A time in a table: to the second.
fn table_time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Row for RoleBinding {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "user_id",
        "role_id",
        "resource_type",
        "resource_id",
        "created_at",
        "updated_at",
    ];
    const HEADERS: &'static [&'static str] = &[
        "ID", "USER", "ROLE", "TYPE", "RESOURCE", "CREATED", "UPDATED",
    ];
    const NONE: &'static str = "No role bindings.";

    fn fields(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.user_id.to_string(),
            self.role_id.to_string(),
            self.resource.resource_type().to_string(),
            self.resource.id().to_owned(),
            json_time(&self.created_at),
            json_time(&self.updated_at),
        ]
    }

    fn cells(&self) -> Vec<String> {
        let mut cells = self.fields();
        cells[5] = table_time(&self.created_at);
        cells[6] = table_time(&self.updated_at);
        cells
    }
}

/// A user's account role in one cell: `ADMIN`, `MEMBER`, `ANNOTATOR`, or
/// `CUSTOM:<role ID>`.
fn account_role(role: &AccountRole) -> String {
    match role {
        AccountRole::Predefined { name } => name.to_string(),
        AccountRole::Custom { id, .. } => format!("CUSTOM:{id}"),
        // A kind of account role this version does not know.
        other => format!("{other:?}"),
    }
}

impl Row for User {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "name",
        "email",
        "status",
        "role",
        "is_developer",
        "created_at",
    ];
    const HEADERS: &'static [&'static str] = &[
        "ID",
        "NAME",
        "EMAIL",
        "STATUS",
        "ACCOUNT ROLE",
        "DEVELOPER",
        "CREATED",
    ];
    const NONE: &'static str = "No users.";

    fn fields(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone(),
            self.email.clone(),
            self.status.to_string(),
            account_role(&self.role),
            self.is_developer.to_string(),
            json_time(&self.created_at),
        ]
    }

    fn cells(&self) -> Vec<String> {
        let mut cells = self.fields();
        cells[5] = if self.is_developer { "yes" } else { "no" }.to_owned();
        cells[6] = table_time(&self.created_at);
        cells
    }
}

impl Row for Role {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "name",
        "is_predefined",
        "description",
        "permissions",
        "created_at",
        "updated_at",
    ];
    /// The table counts the permissions (JSON and CSV list them).
    const HEADERS: &'static [&'static str] = &[
        "ID",
        "NAME",
        "KIND",
        "PERMISSIONS",
        "DESCRIPTION",
        "UPDATED",
    ];
    const NONE: &'static str = "No roles.";

    /// `permissions` is the list joined by spaces.
    fn fields(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone(),
            self.is_predefined.to_string(),
            self.description.clone().unwrap_or_default(),
            permissions(self),
            json_time(&self.created_at),
            json_time(&self.updated_at),
        ]
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone(),
            if self.is_predefined {
                "predefined"
            } else {
                "custom"
            }
            .to_owned(),
            self.permissions.len().to_string(),
            self.description.clone().unwrap_or_default(),
            table_time(&self.updated_at),
        ]
    }
}

fn permissions(role: &Role) -> String {
    role.permissions
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Row for Space {
    const FIELDS: &'static [&'static str] = &["id", "name", "description", "created_at"];
    const HEADERS: &'static [&'static str] = &["ID", "NAME", "DESCRIPTION", "CREATED"];
    const NONE: &'static str = "No spaces.";

    fn fields(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone(),
            self.description.clone(),
            json_time(&self.created_at),
        ]
    }

    fn cells(&self) -> Vec<String> {
        let mut cells = self.fields();
        cells[3] = table_time(&self.created_at);
        cells
    }
}

impl Row for Project {
    const FIELDS: &'static [&'static str] = &["id", "name", "space_id", "created_at"];
    const HEADERS: &'static [&'static str] = &["ID", "NAME", "SPACE", "CREATED"];
    const NONE: &'static str = "No projects.";

    fn fields(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone(),
            self.space_id.to_string(),
            json_time(&self.created_at),
        ]
    }

    fn cells(&self) -> Vec<String> {
        let mut cells = self.fields();
        cells[3] = table_time(&self.created_at);
        cells
    }
}

/// A borderless table, two spaces between columns, nothing wrapped.
fn new_table<'a>(headers: impl Iterator<Item = &'a &'a str>) -> Table {
    let mut table = Table::new();
    table
        .load_preset(comfy_table::presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(headers.copied().collect::<Vec<_>>());
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    table
}

/// Prints a table, the header line in `header` style.
fn write_table(out: &mut dyn Write, header: anstyle::Style, table: &Table) -> Result<(), CliError> {
    for (i, line) in table.lines().enumerate() {
        let line = line.trim_end();
        if i == 0 {
            writeln!(out, "{header}{line}{header:#}")?;
        } else {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}
