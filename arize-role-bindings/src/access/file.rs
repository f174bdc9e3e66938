//! The desired-state file: grants, scope and mode, read from YAML, JSON or
//! TOML, with every problem of a file reported at once, each with its line,
//! column and field.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::locate::{self, FieldPath, Position};

/// The syntax of a desired-state file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Format {
    /// YAML (`.yaml`, `.yml`).
    Yaml,
    /// JSON (`.json`).
    Json,
    /// TOML (`.toml`).
    Toml,
}

impl Format {
    /// The format a file name's extension says: `.yaml`/`.yml`, `.json`,
    /// `.toml` (any case); `None` for anything else.
    pub fn from_path(path: impl AsRef<Path>) -> Option<Self> {
        let ext = path.as_ref().extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "yaml" | "yml" => Some(Self::Yaml),
            "json" => Some(Self::Json),
            "toml" => Some(Self::Toml),
            _ => None,
        }
    }

    /// `yaml`, `json` or `toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yaml => "yaml",
            Self::Json => "json",
            Self::Toml => "toml",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Ok(Self::Yaml),
            "json" => Ok(Self::Json),
            "toml" => Ok(Self::Toml),
            _ => Err(format!(
                "`{s}` is not a file format; use yaml, json or toml"
            )),
        }
    }
}

/// Whether a file may revoke.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Mode {
    /// Grants what the file lists, changes roles that differ, and **never
    /// revokes** (the default).
    #[default]
    Additive,
    /// As additive, and also revokes every binding inside the scope that the
    /// file does not list. Needs an explicit, non-empty scope.
    Authoritative,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Additive => "additive",
            Self::Authoritative => "authoritative",
        })
    }
}

/// Which users an authoritative file manages on the resources of its scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum UsersScope {
    /// Every user: a binding on a resource of the scope that the file does
    /// not list is revoked, whoever holds it.
    All,
    /// Only the users the file lists in its grants ("authoritative per
    /// member"): other users' bindings are never touched.
    Listed,
}

impl fmt::Display for UsersScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::All => "all users",
            Self::Listed => "only the users listed in the grants",
        })
    }
}

/// A project in a file: by ID, or by name with (optionally) its space.
///
/// Written as a plain string (`"UHJvamVjdDo1OmFCY0Q="`, `"web"`) or as a map
/// (`{project: web, space: prod}`) when the name needs its space.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectRef {
    /// The project's ID or name.
    pub project: String,
    /// The project's space (ID or name), needed when a project name exists
    /// in more than one space.
    pub space: Option<String>,
}

impl ProjectRef {
    /// A project by ID or name, without its space.
    pub fn new(project: impl Into<String>) -> Self {
        Self {
            project: project.into(),
            space: None,
        }
    }

    /// A project by name within a space.
    pub fn in_space(project: impl Into<String>, space: impl Into<String>) -> Self {
        Self {
            project: project.into(),
            space: Some(space.into()),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum ProjectRefRepr {
    Plain(String),
    Full {
        project: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        space: Option<String>,
    },
}

impl Serialize for ProjectRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.space {
            None => ProjectRefRepr::Plain(self.project.clone()).serialize(s),
            Some(space) => ProjectRefRepr::Full {
                project: self.project.clone(),
                space: Some(space.clone()),
            }
            .serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for ProjectRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match ProjectRefRepr::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "expected a project ID or name, or a map `{project: NAME, space: SPACE}`",
            )
        })? {
            ProjectRefRepr::Plain(project) => Ok(Self::new(project)),
            ProjectRefRepr::Full { project, space } => Ok(Self { project, space }),
        }
    }
}

/// What a file manages: the resources whose bindings it may change (and, in
/// authoritative mode, revoke), and which users there.
///
/// A grant on a resource outside a non-empty scope is an error. An additive
/// file may leave the scope empty: its scope is then the resources its
/// grants name. An authoritative file must list its scope and say
/// [`users`](Self::users). Every plan prints the scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Spaces (ID or name) whose space bindings the file manages. A space
    /// here does not include its projects: list those under
    /// [`projects`](Self::projects).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spaces: Vec<String>,
    /// Projects whose project bindings the file manages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projects: Vec<ProjectRef>,
    /// Whose bindings an authoritative file revokes: every user's, or only
    /// those of the users it lists. Required in authoritative mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<UsersScope>,
}

impl Scope {
    /// Whether the scope names no resource.
    pub fn is_empty(&self) -> bool {
        self.spaces.is_empty() && self.projects.is_empty()
    }
}

/// One grant: `user` should hold `role` on a space or a project.
///
/// Each value is an ID or a name: a value that decodes (base64) to
/// `Type:...` is an ID, as Arize's own SDK decides; anything else is a name
/// — an e-mail for a user, the exact name of a role, space or project. A
/// project grant may also give `space`: the project's space, to tell apart
/// projects of the same name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantSpec {
    /// The user: a User ID or an e-mail address.
    pub user: String,
    /// The role: a Role ID or a role name.
    pub role: String,
    /// A space grant: the space (ID or name). With `project`: the project's
    /// space.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space: Option<String>,
    /// A project grant: the project (ID or name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
}

impl GrantSpec {
    /// `user` holds `role` on a space.
    pub fn space(
        user: impl Into<String>,
        role: impl Into<String>,
        space: impl Into<String>,
    ) -> Self {
        Self {
            user: user.into(),
            role: role.into(),
            space: Some(space.into()),
            project: None,
        }
    }

    /// `user` holds `role` on a project (by ID, or by name with no space).
    pub fn project(
        user: impl Into<String>,
        role: impl Into<String>,
        project: impl Into<String>,
    ) -> Self {
        Self {
            user: user.into(),
            role: role.into(),
            space: None,
            project: Some(project.into()),
        }
    }

    /// The resource as the file names it, for messages and duplicate checks.
    pub(crate) fn resource_key(&self) -> Option<ResourceKey> {
        match (&self.project, &self.space) {
            (Some(project), space) => Some(ResourceKey::Project(ProjectRef {
                project: project.clone(),
                space: space.clone(),
            })),
            (None, Some(space)) => Some(ResourceKey::Space(space.clone())),
            (None, None) => None,
        }
    }
}

/// A resource as a file names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum ResourceKey {
    Space(String),
    Project(ProjectRef),
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Space(s) => write!(f, "space `{s}`"),
            Self::Project(ProjectRef {
                project,
                space: None,
            }) => write!(f, "project `{project}`"),
            Self::Project(ProjectRef {
                project,
                space: Some(space),
            }) => write!(f, "project `{project}` in space `{space}`"),
        }
    }
}

/// Where a desired state came from: for positions in messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Source {
    pub(crate) name: String,
    pub(crate) format: Format,
    pub(crate) text: String,
}

/// The desired state of access: a [`Mode`], a [`Scope`] and grants.
///
/// Read one with [`from_path`](Self::from_path) or [`parse`](Self::parse),
/// build one with [`new`](Self::new), write one with
/// [`to_text`](Self::to_text). A file looks like this (YAML; JSON and TOML
/// have the same fields):
///
/// ```yaml
/// mode: authoritative        # or additive (the default): never revokes
/// scope:
///   spaces: [U3BhY2U6MTpWNEth]               # space bindings managed here
///   projects:
///     - UHJvamVjdDo1OmFCY0Q=                 # by ID
///     - { project: web, space: prod }         # by name, with its space
///   users: all                                # or: listed
/// grants:
///   - { user: VXNlcjo0MjphQmNE, role: Um9sZToxOmFCY0Q=, space: U3BhY2U6MTpWNEth }
///   - { user: alice@example.com, role: Member, project: web, space: prod }
/// ```
///
/// ```
/// use arize_role_bindings::access::{DesiredState, Format, Mode};
///
/// let state = DesiredState::parse(
///     "mode: additive\ngrants:\n  - {user: VXNlcjo0MjphQmNE, role: Um9sZToxOmFCY0Q=, space: U3BhY2U6MTpWNEth}\n",
///     Format::Yaml,
///     "access.yaml",
/// )?;
/// assert_eq!(state.mode, Mode::Additive);
/// assert_eq!(state.grants.len(), 1);
///
/// // Every problem at once, each with its file, line and field.
/// let err = DesiredState::parse(
///     "mode: authoritative\ngrants:\n  - {usr: VXNlcjo0MjphQmNE, role: Um9sZToxOmFCY0Q=, space: U3BhY2U6MTpWNEth}\n",
///     Format::Yaml,
///     "access.yaml",
/// )
/// .unwrap_err();
/// let text = err.to_string();
/// assert!(text.contains("access.yaml:3:"), "{text}");
/// assert!(text.contains("did you mean `user`"), "{text}");
/// assert!(text.contains("empty scope"), "{text}");
/// # Ok::<(), arize_role_bindings::access::FileError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredState {
    /// Whether the file may revoke.
    #[serde(default)]
    pub mode: Mode,
    /// What the file manages.
    #[serde(default)]
    pub scope: Scope,
    /// The grants.
    #[serde(default)]
    pub grants: Vec<GrantSpec>,
    #[serde(skip)]
    pub(crate) source: Option<Source>,
}

/// The kind of problem a [`Diagnostic`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// The file could not be read.
    Io,
    /// The text is not valid YAML, JSON or TOML.
    Syntax,
    /// A value has the wrong type, or a required field is missing.
    Invalid,
    /// A field this format does not have (with the closest known field).
    UnknownField,
    /// An ID of the wrong kind (a Space ID given as a user, say).
    WrongIdType,
    /// A user listed twice on one resource with two different roles.
    Conflict,
    /// An authoritative file without a scope, or without `scope.users`.
    Scope,
    /// A grant on a resource outside the file's scope.
    OutsideScope,
    /// A name that matches nothing (with the closest names).
    NotFound,
    /// A name that matches several things (a project name in two spaces).
    Ambiguous,
    /// A name given where only IDs can be used (no directory to look names
    /// up in).
    NeedsDirectory,
}

/// One problem in a desired-state file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// What kind of problem.
    pub kind: DiagnosticKind,
    /// The field, e.g. `grants[3].user` (`(top level)` for the document).
    pub field: String,
    /// Where in the file, when known.
    pub position: Option<Position>,
    /// What is wrong and what to do.
    pub message: String,
}

/// A desired-state file with problems: every problem found, not only the
/// first, each naming the file, the line and the field.
///
/// `Display` prints one line per problem, `file:line:column: field:
/// message`, as compilers do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FileError {
    /// The file's name as given (or `<input>`).
    pub file: String,
    /// The problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl FileError {
    /// Whether any problem is of this kind.
    pub fn has(&self, kind: DiagnosticKind) -> bool {
        self.diagnostics.iter().any(|d| d.kind == kind)
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.diagnostics.len();
        write!(
            f,
            "{}: {n} problem{} in the desired-state file",
            self.file,
            if n == 1 { "" } else { "s" }
        )?;
        for d in &self.diagnostics {
            f.write_str("\n")?;
            match d.position {
                Some(p) => write!(f, "{}:{p}: ", self.file)?,
                None => write!(f, "{}: ", self.file)?,
            }
            write!(f, "{}: {}", d.field, d.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for FileError {}

/// A problem found before its position is known.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    pub(crate) kind: DiagnosticKind,
    pub(crate) path: FieldPath,
    pub(crate) message: String,
    /// The position, when the parser gave it already.
    pub(crate) position: Option<Position>,
}

impl Pending {
    pub(crate) fn new(kind: DiagnosticKind, path: FieldPath, message: impl Into<String>) -> Self {
        Self {
            kind,
            path,
            message: message.into(),
            position: None,
        }
    }
}

/// Turns pending problems into a [`FileError`], locating each in the
/// source (a path that is not in the file is located at its nearest
/// ancestor that is).
pub(crate) fn file_error(source: Option<&Source>, mut pending: Vec<Pending>) -> FileError {
    let name = source.map_or_else(|| "<input>".to_owned(), |s| s.name.clone());
    let mut diagnostics: Vec<Diagnostic> = pending
        .drain(..)
        .map(|p| {
            let position = p.position.or_else(|| {
                let source = source?;
                let mut path = p.path.clone();
                loop {
                    if let Some(pos) = locate::locate(&source.text, source.format, &path) {
                        return Some(pos);
                    }
                    path.0.pop()?;
                }
            });
            Diagnostic {
                kind: p.kind,
                field: p.path.to_string(),
                position,
                message: p.message,
            }
        })
        .collect();
    diagnostics.sort_by_key(|d| {
        d.position
            .map_or((usize::MAX, usize::MAX), |p| (p.line, p.column))
    });
    FileError {
        file: name,
        diagnostics,
    }
}

/// The fields of a file, of its scope and of a grant.
const TOP_FIELDS: &[&str] = &["mode", "scope", "grants"];
const SCOPE_FIELDS: &[&str] = &["spaces", "projects", "users"];
const GRANT_FIELDS: &[&str] = &["user", "role", "space", "project"];

/// The closest of `candidates` to `word`, if it is close enough to be a
/// likely typo.
pub(crate) fn near_matches<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Vec<String> {
    // A likely typo: a few edits away (transpositions count as one), or the
    // word is part of the name (as the API's substring filters match).
    let lower = word.to_lowercase();
    let allowed = (lower.chars().count() / 4).max(1);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let other = c.to_lowercase();
            let distance = strsim::damerau_levenshtein(&lower, &other);
            if distance <= allowed {
                Some((distance, c))
            } else if !lower.is_empty() && other.contains(&lower) {
                Some((allowed + 1, c))
            } else {
                None
            }
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(max)
        .map(|(_, c)| c.to_owned())
        .collect()
}

fn did_you_mean(near: &[String]) -> String {
    match near {
        [] => String::new(),
        [one] => format!("; did you mean `{one}`?"),
        many => format!(
            "; did you mean one of {}?",
            many.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Removes the keys of `obj` that are not `known`, reporting each.
fn check_keys(
    obj: &mut serde_json::Map<String, Value>,
    known: &[&str],
    path: &FieldPath,
    pending: &mut Vec<Pending>,
) {
    let unknown: Vec<String> = obj
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        obj.remove(&key);
        let near = near_matches(&key, known.iter().copied(), 1);
        pending.push(Pending::new(
            DiagnosticKind::UnknownField,
            path.key(&key),
            format!(
                "unknown field `{key}`{}; the fields here are {}",
                did_you_mean(&near),
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
}

/// Deserialises `value` at `path`, reporting a failure with its inner path.
fn from_value<T: serde::de::DeserializeOwned>(
    value: Value,
    path: &FieldPath,
    pending: &mut Vec<Pending>,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Some(v),
        Err(e) => {
            let inner = path.join(e.path());
            pending.push(Pending::new(
                DiagnosticKind::Invalid,
                inner,
                e.into_inner().to_string(),
            ));
            None
        }
    }
}

/// What kind of value a reference is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RefClass {
    /// An ID (of an accepted type, or an opaque global ID).
    Id,
    /// A name or e-mail.
    Name,
    /// A global ID of another, known type.
    WrongType(String),
}

/// The type names this crate knows (an ID of another known type where one
/// of these is expected is a definite mistake).
const KNOWN_TYPES: &[&str] = &["RoleBinding", "Role", "User", "Space", "Project", "Model"];

/// Tells an ID from a name as Arize's SDK does: a value that decodes
/// (base64) to `Type:...` is an ID.
pub(crate) fn classify(value: &str, accepted: &[&str]) -> RefClass {
    // The public decoding of the ID types (any of them decodes the same).
    match crate::UserId::new(value).encoded_type() {
        None => RefClass::Name,
        Some(t) if accepted.contains(&t.as_str()) => RefClass::Id,
        Some(t) if KNOWN_TYPES.contains(&t.as_str()) => RefClass::WrongType(t),
        Some(_) => RefClass::Id,
    }
}

/// The ID types each kind of reference accepts, and how to say it.
pub(crate) const USER_TYPES: (&[&str], &str) = (&["User"], "a user (a User ID or an e-mail)");
pub(crate) const ROLE_TYPES: (&[&str], &str) = (&["Role"], "a role (a Role ID or a role name)");
pub(crate) const SPACE_TYPES: (&[&str], &str) =
    (&["Space"], "a space (a Space ID or a space name)");
pub(crate) const PROJECT_TYPES: (&[&str], &str) = (
    &["Project", "Model"],
    "a project (a Project or Model ID, or a project name)",
);

fn check_ref(
    value: &str,
    (accepted, expected): (&[&str], &str),
    path: FieldPath,
    pending: &mut Vec<Pending>,
) {
    if value.trim().is_empty() {
        pending.push(Pending::new(
            DiagnosticKind::Invalid,
            path,
            format!("is empty; give {expected}"),
        ));
        return;
    }
    if let RefClass::WrongType(t) = classify(value, accepted) {
        pending.push(Pending::new(
            DiagnosticKind::WrongIdType,
            path,
            format!("`{value}` is a {t} ID, but {expected} is expected here"),
        ));
    }
}

impl DesiredState {
    /// A desired state built in code (no file: problems have no position).
    pub fn new(mode: Mode, scope: Scope, grants: Vec<GrantSpec>) -> Self {
        Self {
            mode,
            scope,
            grants,
            source: None,
        }
    }

    /// Reads a file; the format comes from its extension (`.yaml`, `.yml`,
    /// `.json`, `.toml`).
    ///
    /// # Errors
    ///
    /// A [`FileError`] when the file cannot be read, its extension says no
    /// format, or it has problems (all of them; see [`parse`](Self::parse)).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, FileError> {
        let path = path.as_ref();
        let Some(format) = Format::from_path(path) else {
            return Err(io_error(
                path,
                "cannot tell the format from the extension; name the file .yaml, .yml, .json \
                 or .toml, or use DesiredState::from_path_as",
            ));
        };
        Self::from_path_as(path, format)
    }

    /// Reads a file in the given format, whatever its extension.
    ///
    /// # Errors
    ///
    /// As [`from_path`](Self::from_path).
    pub fn from_path_as(path: impl AsRef<Path>, format: Format) -> Result<Self, FileError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| io_error(path, &format!("cannot read the file: {e}")))?;
        Self::parse(&text, format, &path.display().to_string())
    }

    /// Parses a desired state; `name` is used in messages (a file name).
    ///
    /// Checks, all reported at once: syntax, field types, unknown fields
    /// (with the closest known one), a grant without a resource, IDs of the
    /// wrong kind (a Space ID as a user), a user listed twice on one
    /// resource with two roles, an authoritative file with an empty scope or
    /// without `scope.users`. Names are checked when a plan resolves them.
    ///
    /// # Errors
    ///
    /// A [`FileError`] with every problem found.
    pub fn parse(text: &str, format: Format, name: &str) -> Result<Self, FileError> {
        let source = Source {
            name: name.to_owned(),
            format,
            text: text.to_owned(),
        };
        let parsed: Result<Value, (String, Option<Position>)> = match format {
            Format::Yaml => serde_yaml::from_str(text)
                .map_err(|e| (e.to_string(), locate::yaml_error_position(&e))),
            Format::Json => serde_json::from_str(text)
                .map_err(|e| (e.to_string(), locate::json_error_position(&e))),
            Format::Toml => toml::from_str(text).map_err(|e| {
                (
                    e.message().to_owned(),
                    locate::toml_error_position(text, &e),
                )
            }),
        };
        let value = match parsed {
            Ok(v) => v,
            Err((message, position)) => {
                let mut p = Pending::new(
                    DiagnosticKind::Syntax,
                    FieldPath::default(),
                    format!("not valid {}: {message}", format.as_str().to_uppercase()),
                );
                p.position = position;
                return Err(file_error(Some(&source), vec![p]));
            }
        };
        let mut pending = Vec::new();
        let mut state = Self::from_json_value(value, &mut pending);
        state.source = Some(source);
        pending.extend(state.offline_problems());
        if pending.is_empty() {
            Ok(state)
        } else {
            Err(file_error(state.source.as_ref(), pending))
        }
    }

    fn from_json_value(value: Value, pending: &mut Vec<Pending>) -> Self {
        let root = FieldPath::default();
        let mut state = Self::new(Mode::default(), Scope::default(), Vec::new());
        let mut obj = match value {
            Value::Object(obj) => obj,
            Value::Null => {
                pending.push(Pending::new(
                    DiagnosticKind::Invalid,
                    root,
                    "the file is empty; it needs at least `grants` (and `mode`, `scope`)",
                ));
                return state;
            }
            other => {
                pending.push(Pending::new(
                    DiagnosticKind::Invalid,
                    root,
                    format!(
                        "expected a map with `mode`, `scope` and `grants`, found {}",
                        kind_of(&other)
                    ),
                ));
                return state;
            }
        };
        check_keys(&mut obj, TOP_FIELDS, &root, pending);
        if let Some(mode) = obj.remove("mode")
            && let Some(mode) = from_value(mode, &root.key("mode"), pending)
        {
            state.mode = mode;
        }
        if let Some(scope) = obj.remove("scope") {
            let path = root.key("scope");
            match scope {
                Value::Object(mut scope) => {
                    check_keys(&mut scope, SCOPE_FIELDS, &path, pending);
                    if let Some(scope) = from_value(Value::Object(scope), &path, pending) {
                        state.scope = scope;
                    }
                }
                Value::Null => {}
                other => pending.push(Pending::new(
                    DiagnosticKind::Invalid,
                    path,
                    format!(
                        "expected a map with `spaces`, `projects` and `users`, found {}",
                        kind_of(&other)
                    ),
                )),
            }
        }
        match obj.remove("grants") {
            None | Some(Value::Null) => {}
            Some(Value::Array(grants)) => {
                for (i, grant) in grants.into_iter().enumerate() {
                    let path = root.key("grants").index(i);
                    match grant {
                        Value::Object(mut grant) => {
                            check_keys(&mut grant, GRANT_FIELDS, &path, pending);
                            if let Some(grant) = from_value(Value::Object(grant), &path, pending) {
                                state.grants.push(grant);
                            } else {
                                // Keep indices aligned with the file.
                                state.grants.push(GrantSpec {
                                    user: String::new(),
                                    role: String::new(),
                                    space: None,
                                    project: None,
                                });
                                skip_marker(&mut state.grants);
                            }
                        }
                        other => {
                            pending.push(Pending::new(
                                DiagnosticKind::Invalid,
                                path,
                                format!(
                                    "expected a grant (a map with `user`, `role` and `space` or \
                                     `project`), found {}",
                                    kind_of(&other)
                                ),
                            ));
                            state.grants.push(GrantSpec {
                                user: String::new(),
                                role: String::new(),
                                space: None,
                                project: None,
                            });
                            skip_marker(&mut state.grants);
                        }
                    }
                }
            }
            Some(other) => pending.push(Pending::new(
                DiagnosticKind::Invalid,
                root.key("grants"),
                format!("expected a list of grants, found {}", kind_of(&other)),
            )),
        }
        state
    }

    /// The problems that need no directory: missing resources, IDs of the
    /// wrong kind, conflicting duplicates, an authoritative file without a
    /// scope.
    pub(crate) fn offline_problems(&self) -> Vec<Pending> {
        let mut pending = Vec::new();
        let root = FieldPath::default();
        let scope_path = root.key("scope");
        for (i, space) in self.scope.spaces.iter().enumerate() {
            check_ref(
                space,
                SPACE_TYPES,
                scope_path.key("spaces").index(i),
                &mut pending,
            );
        }
        for (i, project) in self.scope.projects.iter().enumerate() {
            let path = scope_path.key("projects").index(i);
            if project.space.is_some() {
                check_ref(
                    &project.project,
                    PROJECT_TYPES,
                    path.key("project"),
                    &mut pending,
                );
            } else {
                check_ref(&project.project, PROJECT_TYPES, path.clone(), &mut pending);
            }
            if let Some(space) = &project.space {
                check_ref(space, SPACE_TYPES, path.key("space"), &mut pending);
            }
        }
        if self.mode == Mode::Authoritative {
            if self.scope.is_empty() {
                pending.push(Pending::new(
                    DiagnosticKind::Scope,
                    scope_path.clone(),
                    "an authoritative file with an empty scope would manage nothing or, worse, \
                     everything: list the spaces and projects it manages under `scope.spaces` \
                     and `scope.projects`",
                ));
            }
            if self.scope.users.is_none() {
                pending.push(Pending::new(
                    DiagnosticKind::Scope,
                    scope_path.key("users"),
                    "an authoritative file must say whose bindings it revokes: `users: all` \
                     (everyone's on the scope's resources) or `users: listed` (only the users \
                     in its grants)",
                ));
            }
        }
        // Conflicting duplicates, by the values as written.
        let mut seen: BTreeMap<(String, ResourceKey), (usize, &str)> = BTreeMap::new();
        for (i, grant) in self.grants.iter().enumerate() {
            if is_skipped(grant) {
                continue;
            }
            let path = root.key("grants").index(i);
            check_ref(&grant.user, USER_TYPES, path.key("user"), &mut pending);
            check_ref(&grant.role, ROLE_TYPES, path.key("role"), &mut pending);
            if let Some(space) = &grant.space {
                check_ref(space, SPACE_TYPES, path.key("space"), &mut pending);
            }
            if let Some(project) = &grant.project {
                check_ref(project, PROJECT_TYPES, path.key("project"), &mut pending);
            }
            let Some(resource) = grant.resource_key() else {
                pending.push(Pending::new(
                    DiagnosticKind::Invalid,
                    path,
                    "a grant needs a `space` or a `project`",
                ));
                continue;
            };
            let key = (grant.user.to_lowercase(), resource);
            match seen.get(&key) {
                Some((first, role)) if *role != grant.role => {
                    pending.push(Pending::new(
                        DiagnosticKind::Conflict,
                        path.key("role"),
                        format!(
                            "user `{}` is listed twice on {} with two roles: `{role}` (grants[{first}]) \
                             and `{}`; a user holds one role per resource, keep one grant",
                            grant.user, key.1, grant.role
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    seen.insert(key, (i, &grant.role));
                }
            }
        }
        pending
    }

    /// Writes the desired state as a file in `format`.
    ///
    /// # Errors
    ///
    /// The serialiser's message (it cannot fail for a state this crate
    /// built).
    pub fn to_text(&self, format: Format) -> Result<String, String> {
        match format {
            Format::Yaml => serde_yaml::to_string(self).map_err(|e| e.to_string()),
            Format::Json => serde_json::to_string_pretty(self)
                .map(|mut s| {
                    s.push('\n');
                    s
                })
                .map_err(|e| e.to_string()),
            Format::Toml => toml::to_string(self).map_err(|e| e.to_string()),
        }
    }

    /// The file name this state was read from, if any.
    pub fn source_name(&self) -> Option<&str> {
        self.source.as_ref().map(|s| s.name.as_str())
    }
}

/// Grants that failed to parse are kept as placeholders (so indices match
/// the file) with this marker, and skipped by every later check.
const SKIPPED: &str = "\u{0}skipped";

fn skip_marker(grants: &mut [GrantSpec]) {
    if let Some(last) = grants.last_mut() {
        last.user = SKIPPED.to_owned();
    }
}

pub(crate) fn is_skipped(grant: &GrantSpec) -> bool {
    grant.user == SKIPPED
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

fn io_error(path: &Path, message: &str) -> FileError {
    FileError {
        file: path.display().to_string(),
        diagnostics: vec![Diagnostic {
            kind: DiagnosticKind::Io,
            field: "(file)".to_owned(),
            position: None,
            message: message.to_owned(),
        }],
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    const U: &str = "VXNlcjo0MjphQmNE";
    const R: &str = "Um9sZToxOmFCY0Q=";
    const S: &str = "U3BhY2U6MTpWNEth";
    const P: &str = "UHJvamVjdDo1OmFCY0Q=";

    #[test]
    fn classify_follows_arizes_rule() {
        assert_eq!(classify(U, USER_TYPES.0), RefClass::Id);
        assert_eq!(classify("alice@example.com", USER_TYPES.0), RefClass::Name);
        assert_eq!(classify("prod", SPACE_TYPES.0), RefClass::Name);
        assert_eq!(
            classify(S, PROJECT_TYPES.0),
            RefClass::WrongType("Space".into())
        );
        assert_eq!(classify("TW9kZWw6MTpGdmxM", PROJECT_TYPES.0), RefClass::Id);
        // An opaque global ID of a type this crate does not know is an ID.
        assert_eq!(classify("RW50aXR5OjEyMzQ1", USER_TYPES.0), RefClass::Id);
    }

    #[test]
    fn the_three_formats_read_the_same_state() {
        let yaml = format!(
            "mode: authoritative\nscope:\n  spaces: [{S}]\n  projects:\n    - {P}\n    - {{project: web, space: prod}}\n  users: all\ngrants:\n  - {{user: {U}, role: {R}, space: {S}}}\n"
        );
        let json = format!(
            r#"{{"mode":"authoritative","scope":{{"spaces":["{S}"],"projects":["{P}",{{"project":"web","space":"prod"}}],"users":"all"}},"grants":[{{"user":"{U}","role":"{R}","space":"{S}"}}]}}"#
        );
        let toml = format!(
            "mode = \"authoritative\"\n[scope]\nspaces = [\"{S}\"]\nprojects = [\"{P}\", {{project = \"web\", space = \"prod\"}}]\nusers = \"all\"\n[[grants]]\nuser = \"{U}\"\nrole = \"{R}\"\nspace = \"{S}\"\n"
        );
        let a = DesiredState::parse(&yaml, Format::Yaml, "a.yaml").unwrap();
        let b = DesiredState::parse(&json, Format::Json, "a.json").unwrap();
        let c = DesiredState::parse(&toml, Format::Toml, "a.toml").unwrap();
        assert_eq!(a.grants, b.grants);
        assert_eq!(a.scope, c.scope);
        assert_eq!(b.mode, Mode::Authoritative);
        assert_eq!(a.scope.projects[1], ProjectRef::in_space("web", "prod"));
        // And written back, each format reads again to the same state.
        for format in [Format::Yaml, Format::Json, Format::Toml] {
            let text = a.to_text(format).unwrap();
            let again = DesiredState::parse(&text, format, "x").unwrap();
            assert_eq!(
                (again.mode, &again.scope, &again.grants),
                (a.mode, &a.scope, &a.grants)
            );
        }
    }

    #[test]
    fn format_from_extension() {
        assert_eq!(Format::from_path("a/b.YML"), Some(Format::Yaml));
        assert_eq!(Format::from_path("b.json"), Some(Format::Json));
        assert_eq!(Format::from_path("b.toml"), Some(Format::Toml));
        assert_eq!(Format::from_path("b.txt"), None);
        let err = DesiredState::from_path("nowhere.txt").unwrap_err();
        assert!(err.to_string().contains("extension"), "{err}");
    }

    #[test]
    fn near_matches_find_typos() {
        assert_eq!(
            near_matches("usr", GRANT_FIELDS.iter().copied(), 1),
            vec!["user"]
        );
        assert!(near_matches("zzzz", GRANT_FIELDS.iter().copied(), 1).is_empty());
    }
}
