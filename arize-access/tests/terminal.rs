//! The binary in a real terminal (tmux): the confirmation prompts of
//! `delete` and `apply`, the progress indicators of `list --all`, `export`,
//! `plan` and `apply`, the table as the
//! default and its bold header (none with `NO_COLOR`) — what only happens
//! when there is a terminal. `.ci/run` installs tmux; where it is missing
//! the checks say so and pass without running (they cannot run at all).
//!
//! Each test uses its own tmux server (`tmux -L <unique socket>`), killed at
//! the end. Waiting for the screen is polling with a generous bound, never
//! an assertion about time.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use arize_fake_server::{Operation, Seed};
use common::{Fake, KEY};

/// A tmux server of our own with one session running a shell command.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// `None` when tmux is not installed.
    fn start(name: &str, command: &str) -> Option<Self> {
        if Command::new("tmux").arg("-V").output().is_err() {
            // CI installs tmux (`.ci/run`): there a missing tmux is a failure,
            // not a skip. A developer without tmux is told what did not run.
            assert!(
                std::env::var_os("CI").is_none(),
                "tmux is not installed but CI is set: install it (`.ci/run` does) so the terminal check `{name}` runs"
            );
            eprintln!("tmux is not installed: the terminal check `{name}` cannot run");
            return None;
        }
        let socket = format!("arize-access-{name}-{}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "200",
                "-y",
                "50",
            ])
            .args(["-s", name, command])
            .status()
            .unwrap();
        assert!(status.success(), "tmux new-session failed");
        Some(Self { socket })
    }

    fn screen(&self) -> String {
        self.capture(&[])
    }

    /// The screen with its escape sequences (`capture-pane -e`).
    fn styled_screen(&self) -> String {
        self.capture(&["-e"])
    }

    fn capture(&self, extra: &[&str]) -> String {
        let output = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-J"])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Polls the screen until `predicate` holds (60 s at most).
    fn wait_for(&self, what: &str, mut predicate: impl FnMut(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if predicate(&screen) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(60) {
                panic!("the terminal never showed {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn send(&self, keys: &str) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", keys])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

/// The shell command: the binary with a clean environment, then its exit
/// code on the screen, then a pause so the screen can be read.
fn shell(fake: &Fake, args: &str) -> String {
    shell_with(fake, "NO_COLOR=1", args)
}

/// As [`shell`], with `env` (`NAME=value ...`) instead of `NO_COLOR=1`.
fn shell_with(fake: &Fake, env: &str, args: &str) -> String {
    format!(
        "env -i HOME=/nonexistent {env} TERM=xterm ARIZE_API_KEY={KEY} '{}' --base-url {} {args}; \
         echo EXIT=$?; sleep 600",
        assert_cmd::cargo::cargo_bin("arize-access").display(),
        fake.server.base_url()
    )
}

#[test]
fn delete_asks_on_a_terminal_and_no_keeps_the_binding() {
    let fake = Fake::with(2, |b| b);
    let id = fake.server.bindings()[0].id.0.clone();

    let Some(tmux) = Tmux::start("delete-no", &shell(&fake, &format!("rb delete {id}"))) else {
        return;
    };
    tmux.wait_for("the question", |s| {
        s.contains(&format!("Delete role binding {id}?"))
    });
    assert_eq!(fake.server.request_count(Operation::Delete), 0);
    tmux.send("n");
    let screen = tmux.wait_for("the exit code", |s| s.contains("EXIT="));
    assert!(screen.contains("EXIT=1"), "{screen}");
    assert!(screen.contains("not deleted"), "{screen}");
    assert!(fake.server.binding(&id).is_some());
    assert_eq!(fake.server.request_count(Operation::Delete), 0);
    drop(tmux);

    let tmux = Tmux::start(
        "delete-yes",
        &shell(&fake, &format!("rb delete {id} -o table")),
    )
    .unwrap();
    tmux.wait_for("the question", |s| {
        s.contains(&format!("Delete role binding {id}?"))
    });
    tmux.send("y");
    let screen = tmux.wait_for("the exit code", |s| s.contains("EXIT="));
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(
        screen.contains(&format!("Deleted role binding {id}.")),
        "{screen}"
    );
    assert!(fake.server.binding(&id).is_none());
}

#[test]
fn list_all_shows_progress_on_a_terminal_and_clears_it() {
    // Six pages, each answered after 300 ms: long enough to be seen.
    let fake = Fake::with(6, |b| {
        b.latency(Some(Operation::List), Duration::from_millis(300))
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let args = format!(
        "rb list --resource-type space --all --limit 1 -o csv > '{}'",
        out.display()
    );

    let Some(tmux) = Tmux::start("progress", &shell(&fake, &args)) else {
        return;
    };
    let screen = tmux.wait_for("the progress indicator", |s| {
        s.contains(" bindings, ") && s.contains(" page")
    });
    assert!(!screen.contains("EXIT="), "{screen}");
    let screen = tmux.wait_for("the exit code", |s| s.contains("EXIT="));
    assert!(screen.contains("EXIT=0"), "{screen}");
    // Cleared once done: only the exit line is left.
    assert!(!screen.contains(" bindings, "), "{screen}");
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 7);
    drop(tmux);

    // With --quiet: nothing on the terminal but the exit code, at any time.
    let out = dir.path().join("quiet.csv");
    let args = format!(
        "-q rb list --resource-type space --all --limit 1 -o csv > '{}'",
        out.display()
    );
    let tmux = Tmux::start("progress-quiet", &shell(&fake, &args)).unwrap();
    let mut seen = Vec::new();
    let screen = tmux.wait_for("the exit code", |s| {
        if !s.trim().is_empty() && !s.contains("EXIT=") {
            seen.push(s.to_owned());
        }
        s.contains("EXIT=")
    });
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert_eq!(screen.trim(), "EXIT=0", "{screen}");
    assert!(seen.is_empty(), "{seen:?}");
}

#[test]
fn a_terminal_gets_a_table_with_a_bold_header_unless_no_color() {
    let fake = Fake::with(2, |b| b);
    // No --output: a table, because stdout is a terminal.
    let Some(tmux) = Tmux::start(
        "colour",
        &shell_with(&fake, "", "rb list --resource-type space"),
    ) else {
        return;
    };
    tmux.wait_for("the exit code", |s| s.contains("EXIT="));
    let styled = tmux.styled_screen();
    assert!(styled.contains("EXIT=0"), "{styled}");
    assert!(styled.contains("\x1b[1mID "), "{styled:?}");
    drop(tmux);

    let tmux = Tmux::start("no-colour", &shell(&fake, "rb list --resource-type space")).unwrap();
    tmux.wait_for("the exit code", |s| s.contains("EXIT="));
    let styled = tmux.styled_screen();
    assert!(styled.contains("EXIT=0"), "{styled}");
    assert!(styled.starts_with("ID "), "{styled:?}");
    assert!(!styled.contains('\x1b'), "{styled:?}");
}

/// An authoritative file for the default seed (see `tests/access.rs`): 4
/// changes, 2 of them revocations.
const ACCESS_YAML: &str = "\
mode: authoritative
scope:
  spaces: [space-1]
  projects:
    - { project: project-1, space: space-1 }
  users: all
grants:
  - { user: user1@example.com, role: Custom Role 1, space: space-1 }
  - { user: user2@example.com, role: Admin, space: space-1 }
  - { user: user1@example.com, role: Custom Role 1, project: project-1, space: space-1 }
  - { user: user3@example.com, role: Read Only, project: project-1, space: space-1 }
";

#[test]
fn apply_shows_the_plan_and_the_revocations_then_asks() {
    // Deletes answered after 1 s: the bar of changes can be seen meanwhile.
    let fake = Fake::with(8, |b| {
        b.latency(Some(Operation::Delete), Duration::from_secs(1))
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("access.yaml");
    std::fs::write(&file, ACCESS_YAML).unwrap();
    let before = fake.server.bindings().len();

    let args = format!("apply -f '{}'", file.display());
    let Some(tmux) = Tmux::start("apply-no", &shell(&fake, &args)) else {
        return;
    };
    let screen = tmux.wait_for("the question", |s| {
        s.contains("Apply 4 changes to the account?")
    });
    assert!(
        screen.contains("Plan: 1 to add, 1 to change, 2 to revoke"),
        "{screen}"
    );
    assert!(
        screen.contains("this authoritative plan revokes 2 bindings (of 4 changes)"),
        "{screen}"
    );
    assert_eq!(fake.writes(), 0);
    tmux.send("n");
    let screen = tmux.wait_for("the exit code", |s| s.contains("EXIT="));
    assert!(screen.contains("EXIT=1"), "{screen}");
    assert!(
        screen.contains("not applied: nothing was changed"),
        "{screen}"
    );
    assert_eq!(fake.writes(), 0);
    assert_eq!(fake.server.bindings().len(), before);
    drop(tmux);

    let tmux = Tmux::start("apply-yes", &shell(&fake, &args)).unwrap();
    tmux.wait_for("the question", |s| {
        s.contains("Apply 4 changes to the account?")
    });
    tmux.send("y");
    let screen = tmux.wait_for("the bar of changes", |s| s.contains("/4 changes ("));
    assert!(!screen.contains("EXIT="), "{screen}");
    let screen = tmux.wait_for("the exit code", |s| s.contains("EXIT="));
    assert!(screen.contains("EXIT=0"), "{screen}");
    // Cleared once done.
    assert!(!screen.contains("/4 changes ("), "{screen}");
    assert!(
        screen
            .contains("Apply: 4 done, 0 already in place, 0 drifted (left as they are), 0 failed."),
        "{screen}"
    );
    assert_eq!(screen.matches("  done: ").count(), 4, "{screen}");
    assert_eq!(fake.writes(), 4);
}

#[test]
fn export_and_plan_show_progress_on_a_terminal_and_clear_it() {
    // 400 bindings over 100 users: 2 pages of spaces and 2 of projects, each
    // answered after 400 ms: long enough to be seen.
    let fake = Fake::with(0, |b| {
        b.seed(Seed::default().users(100).bindings(400).rng_seed(7))
            .latency(Some(Operation::List), Duration::from_millis(400))
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let args = format!("export > '{}'", out.display());
    let Some(tmux) = Tmux::start("export-progress", &shell(&fake, &args)) else {
        return;
    };
    let screen = tmux.wait_for("the export's progress", |s| {
        s.contains("Exporting: ") && s.contains(" lines written (")
    });
    assert!(!screen.contains("EXIT="), "{screen}");
    let screen = tmux.wait_for("the exit code", |s| s.contains("EXIT="));
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(!screen.contains("lines written"), "{screen}");
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 401);
    drop(tmux);

    // The desired state of that export, planned: a spinner counting the
    // bindings read while the listing runs.
    let state = dir.path().join("state.yaml");
    let export = std::process::Command::new(assert_cmd::cargo::cargo_bin("arize-access"))
        .env_clear()
        .env("ARIZE_API_KEY", KEY)
        .args([
            "--base-url",
            fake.server.base_url(),
            "export",
            "--desired-state",
            "-o",
        ])
        .arg(&state)
        .output()
        .unwrap();
    assert!(export.status.success(), "{export:?}");
    let args = format!("plan -f '{}' > /dev/null", state.display());
    let tmux = Tmux::start("plan-progress", &shell(&fake, &args)).unwrap();
    let screen = tmux.wait_for("the plan's count of bindings read", |s| {
        s.contains("Planning ")
            && s.contains(": reading the account: ")
            && s.contains(" bindings read (")
            && !s.contains(": 0 bindings read")
    });
    assert!(!screen.contains("EXIT="), "{screen}");
    let screen = tmux.wait_for("the exit code", |s| s.contains("EXIT="));
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(!screen.contains("Planning "), "{screen}");
    drop(tmux);

    // With --quiet: nothing but the exit code.
    let args = format!("-q export > '{}'", out.display());
    let tmux = Tmux::start("export-quiet", &shell(&fake, &args)).unwrap();
    let mut seen = Vec::new();
    let screen = tmux.wait_for("the exit code", |s| {
        if !s.trim().is_empty() && !s.contains("EXIT=") {
            seen.push(s.to_owned());
        }
        s.contains("EXIT=")
    });
    assert_eq!(screen.trim(), "EXIT=0", "{screen}");
    assert!(seen.is_empty(), "{seen:?}");
}
