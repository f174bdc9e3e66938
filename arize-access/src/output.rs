//! Printing results: tables for people, JSON, NDJSON and CSV for scripts.
//!
//! - **table**: aligned columns without borders (comfy-table), the header in
//!   bold on a terminal; columns are as wide as their widest cell, never
//!   wrapped, so IDs stay whole for copying. A table needs every row before
//!   it can be printed.
//! - **json**: one document, 2-space indented. A list is an array of
//!   bindings with the API's field names (`id`, `role_id`, `user_id`,
//!   `resource_type`, `resource_id`, `created_at`, `updated_at`), written
//!   element by element as pages arrive.
//! - **ndjson**: one compact JSON object per line, as pages arrive.
//! - **csv**: a header line with the same field names, then one row each
//!   (RFC 4180 quoting), as pages arrive.
//!
//! Only the table has colour; [`anstream`] strips it when stdout is not a
//! terminal, under `NO_COLOR` or `--color never`.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use arize_role_bindings::{EnsureOutcome, Ensured, Resource, RoleBinding, UserId};
use chrono::SecondsFormat;
use comfy_table::{ContentArrangement, Table};
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::exit::CliError;

/// The column names of a binding, as the API's JSON fields.
const BINDING_FIELDS: [&str; 7] = [
    "id",
    "user_id",
    "role_id",
    "resource_type",
    "resource_id",
    "created_at",
    "updated_at",
];

/// The table headers of a binding.
const BINDING_HEADERS: [&str; 7] = [
    "ID", "USER", "ROLE", "TYPE", "RESOURCE", "CREATED", "UPDATED",
];

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

    /// A sink for a list of bindings, written as they come (a table at
    /// [`BindingList::finish`]).
    pub fn bindings(&mut self) -> Result<BindingList<'_>, CliError> {
        let out: &mut dyn Write = &mut self.out;
        let state = match self.format {
            OutputFormat::Table => ListState::Table(out, self.header, Vec::new()),
            OutputFormat::Json => ListState::Json { out, first: true },
            OutputFormat::Ndjson => ListState::Ndjson(out),
            OutputFormat::Csv => {
                let mut csv = csv::Writer::from_writer(out);
                csv.write_record(BINDING_FIELDS)?;
                ListState::Csv(Box::new(csv))
            }
        };
        Ok(BindingList { state })
    }

    /// One binding (get, create, update).
    pub fn binding(&mut self, binding: &RoleBinding) -> Result<(), CliError> {
        match self.format {
            OutputFormat::Json => self.json(binding, Layout::Pretty)?,
            OutputFormat::Ndjson => self.json(binding, Layout::Compact)?,
            OutputFormat::Table | OutputFormat::Csv => {
                let mut list = self.bindings()?;
                list.push(binding)?;
                list.finish()?;
            }
        }
        self.flush()
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
                csv.write_record(fields.iter().chain(BINDING_FIELDS.iter()))?;
                let mut row = cells(record);
                row.extend(match record.binding {
                    Some(b) => binding_fields(b).to_vec(),
                    None => vec![String::new(); BINDING_FIELDS.len()],
                });
                csv.write_record(&row)?;
                self.out.write_all(&csv_bytes(csv)?)?;
            }
            OutputFormat::Table => {
                let mut table = new_table(headers.iter().chain(BINDING_HEADERS.iter()));
                let mut row = cells(record);
                row.extend(match record.binding {
                    Some(b) => binding_cells(b).to_vec(),
                    None => vec![String::new(); BINDING_HEADERS.len()],
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

/// A list of bindings being printed.
pub struct BindingList<'p> {
    state: ListState<'p>,
}

enum ListState<'p> {
    Table(&'p mut dyn Write, anstyle::Style, Vec<[String; 7]>),
    Json { out: &'p mut dyn Write, first: bool },
    Ndjson(&'p mut dyn Write),
    Csv(Box<csv::Writer<&'p mut dyn Write>>),
}

impl BindingList<'_> {
    /// Adds a binding.
    pub fn push(&mut self, binding: &RoleBinding) -> Result<(), CliError> {
        match &mut self.state {
            ListState::Table(_, _, rows) => rows.push(binding_cells(binding)),
            ListState::Json { out, first } => {
                out.write_all(if *first { b"[\n  " } else { b",\n  " })?;
                *first = false;
                let text = serde_json::to_string_pretty(binding).map_err(io::Error::from)?;
                out.write_all(text.replace('\n', "\n  ").as_bytes())?;
            }
            ListState::Ndjson(out) => {
                serde_json::to_writer(&mut *out, binding).map_err(io::Error::from)?;
                out.write_all(b"\n")?;
            }
            ListState::Csv(csv) => csv.write_record(binding_fields(binding))?,
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
                    writeln!(out, "No role bindings.")?;
                } else {
                    let mut table = new_table(BINDING_HEADERS.iter());
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

/// A binding's values in [`BINDING_FIELDS`] order, as in its JSON.
fn binding_fields(b: &RoleBinding) -> [String; 7] {
    [
        b.id.to_string(),
        b.user_id.to_string(),
        b.role_id.to_string(),
        b.resource.resource_type().to_string(),
        b.resource.id().to_owned(),
        b.created_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        b.updated_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
    ]
}

/// A binding's table cells in [`BINDING_HEADERS`] order: times to the
/// second.
fn binding_cells(b: &RoleBinding) -> [String; 7] {
    [
        b.id.to_string(),
        b.user_id.to_string(),
        b.role_id.to_string(),
        b.resource.resource_type().to_string(),
        b.resource.id().to_owned(),
        b.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        b.updated_at.to_rfc3339_opts(SecondsFormat::Secs, true),
    ]
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
