//! One module per command group. A group gets a [`Context`] (the SDK
//! client, the printer, the global options it needs) and returns a
//! [`CliError`](crate::exit::CliError); adding a group is a module here, a
//! variant of [`crate::cli::Command`] and a line in [`crate::run`].

use std::io::{IsTerminal as _, Write as _};

use arize_role_bindings::Client;

use crate::output::Printer;

pub mod access;
pub mod completions;
pub mod directory;
pub mod role_bindings;

/// What a command that talks to the API works with.
#[derive(Debug)]
pub struct Context {
    /// The SDK client.
    pub client: Client,
    /// Where results go.
    pub printer: Printer,
    /// `--quiet`: no progress, no hints.
    pub quiet: bool,
    /// `--output` as given (`None`: the default), for the commands that
    /// choose their own default (`export`, `plan`, `apply`).
    pub output: Option<crate::cli::Output>,
}

impl Context {
    /// A note on stderr (not with `--quiet`).
    pub fn hint(&self, message: &str) {
        if !self.quiet {
            note("hint", message);
        }
    }

    /// Whether a question can be asked: stdin and stderr are terminals.
    pub fn can_prompt(&self) -> bool {
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }
}

/// Writes `label: message` to stderr, the label dimmed on a terminal.
pub fn note(label: &str, message: &str) {
    let style = anstyle::Style::new().dimmed();
    // Nothing sensible to do when stderr itself is gone.
    let _ = writeln!(anstream::stderr(), "{style}{label}:{style:#} {message}");
}
