//! Progress on stderr for long work: a spinner counting pages (`list
//! --all`), a spinner counting rows written (`export`), a spinner with what
//! is being done (`plan`, the refresh of `apply`) and a bar of changes done
//! (`apply`). Drawn only when stderr is a terminal and `--quiet` is not
//! given; hidden otherwise (nothing is written).

use std::io::{IsTerminal as _, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Counts items and pages while a listing runs.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    pages: u64,
}

/// Whether to draw: stderr is a terminal and not `--quiet`.
fn visible(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// A ticking indicator with `template` (indicatif's syntax), or a hidden
/// one.
fn drawn(quiet: bool, length: Option<u64>, template: &str) -> ProgressBar {
    if !visible(quiet) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(length, ProgressDrawTarget::stderr());
    let fallback = if length.is_some() {
        ProgressStyle::default_bar()
    } else {
        ProgressStyle::default_spinner()
    };
    bar.set_style(ProgressStyle::with_template(template).unwrap_or(fallback));
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

impl Progress {
    /// A spinner counting `noun`s and pages, or a hidden one.
    pub fn new(quiet: bool, noun: &'static str) -> Self {
        let bar = drawn(
            quiet,
            None,
            &format!("{{spinner}} {{human_pos}} {noun}, {{msg}} ({{elapsed}})"),
        );
        bar.set_message("0 pages");
        Self { bar, pages: 0 }
    }

    /// A spinner that says what is being done (`message`), with the time
    /// taken.
    pub fn working(quiet: bool, message: impl Into<String>) -> Self {
        let bar = drawn(quiet, None, "{spinner} {msg} ({elapsed})");
        bar.set_message(message.into());
        Self { bar, pages: 0 }
    }

    /// A spinner counting the lines written to `out` (rows of an export),
    /// with `message`; see [`Progress::lines`].
    pub fn counting(quiet: bool, message: &str) -> Self {
        let bar = drawn(
            quiet,
            None,
            &format!("{{spinner}} {message}: {{human_pos}} lines written ({{elapsed}})"),
        );
        Self { bar, pages: 0 }
    }

    /// A spinner with `message` and a count of `noun`s read so far, set by
    /// [`Progress::read`].
    pub fn reading(quiet: bool, message: &str, noun: &'static str) -> Self {
        let bar = drawn(
            quiet,
            None,
            &format!("{{spinner}} {message}: {{human_pos}} {noun} read ({{elapsed}})"),
        );
        Self { bar, pages: 0 }
    }

    /// `n` read so far (see [`Progress::reading`]).
    pub fn read(&self, n: u64) {
        self.bar.set_position(n);
    }

    /// A bar of `total` steps (`noun`s), or a hidden one.
    pub fn bar(quiet: bool, total: usize, noun: &'static str) -> Self {
        let bar = drawn(
            quiet,
            Some(total as u64),
            &format!("{{spinner}} [{{bar:30}}] {{pos}}/{{len}} {noun} ({{elapsed}})"),
        );
        Self { bar, pages: 0 }
    }

    /// A page of `items` arrived.
    pub fn page(&mut self, items: usize) {
        self.pages += 1;
        self.bar.inc(items as u64);
        self.bar.set_message(format!(
            "{} page{}",
            self.pages,
            if self.pages == 1 { "" } else { "s" }
        ));
    }

    /// One more step done.
    pub fn step(&self) {
        self.bar.inc(1);
    }

    /// Runs `f` with the indicator out of the way (for printing to the
    /// same terminal).
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// `out`, counting its lines on this indicator as they are written.
    pub fn lines<W: Write>(&self, out: W) -> LineCounter<W> {
        LineCounter {
            out,
            bar: self.bar.clone(),
        }
    }

    /// Removes the indicator.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// A writer that counts the newlines going through it on a progress
/// indicator (an export's rows, one per line).
#[derive(Debug)]
pub struct LineCounter<W> {
    out: W,
    bar: ProgressBar,
}

impl<W: Write> Write for LineCounter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        let lines = buf[..n].iter().filter(|&&b| b == b'\n').count();
        if lines > 0 {
            self.bar.inc(lines as u64);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
