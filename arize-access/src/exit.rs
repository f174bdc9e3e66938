//! Exit codes, and the one error type every command returns.
//!
//! The codes are documented in `--help` (see [`crate::cli`]) and the
//! README; a test of the binary checks each.

use std::process::ExitCode;

use arize_role_bindings::directory::Kind;
use arize_role_bindings::{ConfigError, Error as SdkError, LookupError};

/// The exit codes, as documented in `--help` and the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Code {
    /// Success.
    Success = 0,
    /// Any other failure: writing the output, an undecodable response, a
    /// listing stopped by a pagination guard.
    Failure = 1,
    /// A usage error: bad flags or values (clap exits with 2 as well).
    Usage = 2,
    /// `plan --detailed-exitcode` found changes pending (as `terraform plan
    /// -detailed-exitcode`, which uses 2; 2 is clap's usage code here).
    ChangesPending = 3,
    /// The API answered with an error status (as `ax`), or a name matched
    /// no record or several.
    Api = 4,
    /// The client could not be configured (key, profile, endpoint).
    Config = 5,
    /// No answer from the API: connection failed, timeout, deadline.
    Network = 6,
}

impl From<Code> for ExitCode {
    fn from(code: Code) -> Self {
        ExitCode::from(code as u8)
    }
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The SDK's error, shown with its `Display`.
    #[error("{0}")]
    Sdk(SdkError),

    /// A name (e-mail, role, space or project name) that matched no record
    /// or several: the SDK's [`LookupError`], told in this tool's terms.
    #[error("{}", lookup_message(.0))]
    Lookup(LookupError),

    /// A project name that several spaces have, the candidates named by
    /// their spaces ([`crate::refs::name_the_spaces`]).
    #[error(
        "the project name `{name}` is ambiguous: {} spaces have a project of that name ({})",
        spaces.len(),
        spaces.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    )]
    ProjectInSpaces {
        /// The name given.
        name: String,
        /// Where it is.
        spaces: Vec<ProjectInSpace>,
    },

    /// A project name several spaces have, where `--space` does not say
    /// which (`export`'s `--space` widens the scope): the candidates, to be
    /// named by ID.
    #[error(
        "the project name `{name}` is ambiguous: {} spaces have a project of that name ({})",
        spaces.len(),
        spaces.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    )]
    ProjectIdNeeded {
        /// The name given.
        name: String,
        /// Where it is.
        spaces: Vec<ProjectInSpace>,
    },

    /// A value was given where the tool cannot use it yet, or at all.
    #[error("{0}")]
    Usage(String),

    /// The user answered no at a prompt.
    #[error("{0}")]
    Declined(String),

    /// A desired-state file with problems: the SDK's message, one line per
    /// problem with its `FILE:LINE:COLUMN`.
    #[error("{0}")]
    File(arize_role_bindings::access::FileError),

    /// A saved plan that cannot be read or used.
    #[error("{0}")]
    PlanFile(String),

    /// `plan --detailed-exitcode` with changes pending: not an error to
    /// print, only an exit code.
    #[error("changes pending")]
    ChangesPending,

    /// An apply run with changes that failed or drifted (the summary says
    /// which).
    #[error("{0}")]
    Incomplete(String),

    /// A configuration problem the tool found itself (profiles, stdin key).
    #[error("{0}")]
    Config(String),

    /// Writing the output failed.
    #[error("could not write the output: {0}")]
    Io(#[from] std::io::Error),

    /// Writing CSV failed.
    #[error("could not write CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// One of the projects an ambiguous project name could mean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectInSpace {
    /// The project's ID.
    pub project: String,
    /// Its space's name.
    pub space: String,
    /// Its space's ID.
    pub space_id: String,
}

impl std::fmt::Display for ProjectInSpace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` has {} (space ID {})",
            self.space, self.project, self.space_id
        )
    }
}

/// A plan's errors: the file's problems, or the SDK's.
impl From<arize_role_bindings::access::PlanError> for CliError {
    fn from(error: arize_role_bindings::access::PlanError) -> Self {
        use arize_role_bindings::access::PlanError;
        match error {
            PlanError::File(file) => Self::File(file),
            PlanError::Client(sdk) => sdk.into(),
            // A kind this version does not know: its message.
            other => Self::PlanFile(other.to_string()),
        }
    }
}

/// An export's errors: the SDK's, or writing the output.
impl From<arize_role_bindings::access::ExportError> for CliError {
    fn from(error: arize_role_bindings::access::ExportError) -> Self {
        use arize_role_bindings::access::ExportError;
        match error {
            ExportError::Client(sdk) => sdk.into(),
            ExportError::Write(io) => Self::Io(io),
            other => Self::Io(std::io::Error::other(other.to_string())),
        }
    }
}

/// The SDK's errors; a lookup error becomes [`CliError::Lookup`].
impl From<SdkError> for CliError {
    fn from(error: SdkError) -> Self {
        match error {
            SdkError::Lookup(lookup) => Self::Lookup(lookup),
            other => Self::Sdk(other),
        }
    }
}

impl CliError {
    /// The exit code for this error.
    pub fn code(&self) -> Code {
        match self {
            Self::Sdk(e) => sdk_code(e),
            Self::Lookup(_) | Self::ProjectInSpaces { .. } | Self::ProjectIdNeeded { .. } => {
                Code::Api
            }
            Self::Usage(_) | Self::File(_) | Self::PlanFile(_) => Code::Usage,
            Self::ChangesPending => Code::ChangesPending,
            Self::Config(_) => Code::Config,
            Self::Io(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Code::Success,
            Self::Csv(e) if is_broken_pipe(e) => Code::Success,
            Self::Io(_) | Self::Csv(_) | Self::Declined(_) | Self::Incomplete(_) => Code::Failure,
        }
    }

    /// Whether this is the reader of our output going away (`| head`):
    /// not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Self::Io(e) => e.kind() == std::io::ErrorKind::BrokenPipe,
            Self::Csv(e) => is_broken_pipe(e),
            _ => false,
        }
    }

    /// Extra lines after the one-line message: the problem details the
    /// `Display` leaves out, and what to do in terms of this tool.
    pub fn details(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Self::Lookup(e) = self {
            lines.push(format!("hint: {}", lookup_hint(e)));
            return lines;
        }
        if let Self::ProjectInSpaces { name, spaces } = self {
            let options: Vec<String> = spaces
                .iter()
                .map(|s| format!("--space {}", shell_word(&s.space)))
                .collect();
            lines.push(format!(
                "hint: say which space's `{name}` you mean ({}), or use the project's ID",
                options.join(" or ")
            ));
            return lines;
        }
        if let Self::ProjectIdNeeded { spaces, .. } = self {
            let options: Vec<String> = spaces
                .iter()
                .map(|s| format!("--project {} (in `{}`)", s.project, s.space))
                .collect();
            lines.push(format!(
                "hint: name the project by its ID: {}",
                options.join(" or ")
            ));
            return lines;
        }
        let Self::Sdk(e) = self else {
            return lines;
        };
        if let Some(problem) = e.problem() {
            let mut fields = vec![format!("status {}", problem.status)];
            if let Some(type_) = &problem.type_ {
                fields.push(format!("type {type_}"));
            }
            if let Some(instance) = &problem.instance {
                fields.push(format!("instance {instance}"));
            }
            lines.push(format!("problem: {}", fields.join(", ")));
        }
        if e.is_conflict() {
            lines.push(
                "hint: `arize-access role-bindings ensure` assigns the role whether or not a \
                 binding exists"
                    .to_owned(),
            );
        }
        if matches!(e, SdkError::Config(ConfigError::MissingApiKey)) {
            lines.push(
                "hint: set ARIZE_API_KEY, pass --profile NAME (an `ax` profile with [auth] \
                 api_key), pipe the key to --api-key-stdin, or try --demo"
                    .to_owned(),
            );
        }
        lines
    }
}

fn is_broken_pipe(e: &csv::Error) -> bool {
    matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// The exit code for an SDK error: where the failure happened.
pub fn sdk_code(error: &SdkError) -> Code {
    match error {
        // A redirect is an answer with a (3xx) status; a client paused by an
        // earlier 429 past the call's deadline reports that 429.
        SdkError::Api { .. } | SdkError::Redirect { .. } | SdkError::RateLimited { .. } => {
            Code::Api
        }
        SdkError::Validation(_) => Code::Usage,
        SdkError::Config(_) => Code::Config,
        SdkError::Transport { .. } | SdkError::Timeout { .. } | SdkError::Deadline { .. } => {
            Code::Network
        }
        _ => Code::Failure,
    }
}

/// What kind of record, in this tool's words.
fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::User => "user",
        Kind::Role => "role",
        Kind::Space => "space",
        Kind::Project => "project",
        _ => "record",
    }
}

/// The one-line message of a lookup error: what was not found (and the
/// near names), or what the candidates are.
fn lookup_message(error: &LookupError) -> String {
    match error {
        LookupError::NotFound { kind, name, near } => {
            let key = if *kind == Kind::User {
                "e-mail"
            } else {
                "name"
            };
            let mut text = format!("no {} with the {key} `{name}`", noun(*kind));
            if !near.is_empty() {
                let near: Vec<String> = near.iter().map(|n| format!("`{n}`")).collect();
                text.push_str(&format!("; did you mean {}?", near.join(" or ")));
            }
            text
        }
        LookupError::Ambiguous {
            kind,
            name,
            candidates,
        } => {
            let list: Vec<String> = candidates.iter().map(ToString::to_string).collect();
            format!(
                "the {noun} name `{name}` is ambiguous: {} {noun}s have it ({})",
                candidates.len(),
                list.join(", "),
                noun = noun(*kind),
            )
        }
        // A lookup error of a kind this version does not know: the SDK's words.
        other => other.to_string(),
    }
}

/// What to do about a lookup error, in terms of this tool's commands.
fn lookup_hint(error: &LookupError) -> String {
    match error {
        LookupError::NotFound { kind, name, .. } => match kind {
            Kind::User => format!(
                "e-mail addresses are compared ignoring case, among ACTIVE, INVITED and EXPIRED \
                 users; `arize-access users list --email {}` lists the partial matches",
                shell_word(name)
            ),
            Kind::Role => "role names are compared exactly, case included; `arize-access roles \
                           list` lists them"
                .to_owned(),
            Kind::Space => format!(
                "space names are compared exactly, case included; `arize-access spaces list \
                 --name {}` lists the partial matches",
                shell_word(name)
            ),
            _ => format!(
                "project names are compared exactly, case included, within the space given \
                 (--space NAME|ID), else in every space; `arize-access projects list --name {}` \
                 lists the partial matches with their spaces",
                shell_word(name)
            ),
        },
        LookupError::Ambiguous { kind, .. } => match kind {
            Kind::Project => "name the project's space too (--project NAME --space NAME|ID), or \
                              pass --project-id"
                .to_owned(),
            Kind::User => "pass the user's ID with --user-id".to_owned(),
            Kind::Role => "pass the role's ID with --role-id".to_owned(),
            Kind::Space => "pass the space's ID with --space-id".to_owned(),
            _ => "pass the ID instead".to_owned(),
        },
        _ => "pass the ID instead of the name".to_owned(),
    }
}

/// `value` as one shell word: quoted unless it is plain.
fn shell_word(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@._-+/:=,".contains(c));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_quote_a_name_for_the_shell_when_it_needs_it() {
        assert_eq!(shell_word("alice@example.com"), "alice@example.com");
        assert_eq!(shell_word("my space"), "'my space'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
