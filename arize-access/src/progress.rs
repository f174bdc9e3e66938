//! A progress indicator on stderr for long work (`list --all`): drawn only
//! when stderr is a terminal and `--quiet` is not given.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Counts items and pages while a listing runs.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    pages: u64,
}

impl Progress {
    /// A spinner counting `noun`s, or a hidden one.
    pub fn new(quiet: bool, noun: &'static str) -> Self {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(&format!(
                "{{spinner}} {{human_pos}} {noun}, {{msg}} ({{elapsed}})"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            bar.set_message("0 pages");
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        };
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
