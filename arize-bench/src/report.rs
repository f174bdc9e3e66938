//! The result table: one row per ratio, next to its target, with
//! PASS/MISS. Rendered as Markdown, printed and written to
//! `target/bench/report.md`.

use std::fmt::Write as _;

/// What a row's ratio is held to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// The ratio must be at most this.
    AtMost(f64),
    /// The ratio must be at least this.
    AtLeast(f64),
    /// A correctness condition (e.g. "every item ends correct").
    Holds,
    /// Reported for information only.
    Info,
}

/// A row's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The target is met.
    Pass,
    /// The target is missed (not a harness failure).
    Miss,
    /// Nothing to judge.
    Info,
    /// The scenario cannot run yet (e.g. the facade lacks the API).
    Pending,
    /// The scenario failed to run: a harness failure.
    Error,
}

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// What was measured.
    pub scenario: String,
    /// The measurements behind the ratio, in words and numbers.
    pub measured: String,
    /// The ratio, if the row has one.
    pub ratio: Option<f64>,
    /// What the ratio is held to.
    pub target: Target,
    /// The outcome.
    pub verdict: Verdict,
}

impl Row {
    /// A ratio held to `target`.
    pub fn ratio(
        scenario: impl Into<String>,
        measured: impl Into<String>,
        ratio: f64,
        target: Target,
    ) -> Self {
        let verdict = match target {
            Target::AtMost(limit) if ratio.is_finite() && ratio <= limit => Verdict::Pass,
            Target::AtLeast(limit) if ratio.is_finite() && ratio >= limit => Verdict::Pass,
            Target::AtMost(_) | Target::AtLeast(_) | Target::Holds => Verdict::Miss,
            Target::Info => Verdict::Info,
        };
        Self {
            scenario: scenario.into(),
            measured: measured.into(),
            ratio: Some(ratio),
            target,
            verdict,
        }
    }

    /// A correctness condition that held or not.
    pub fn holds(scenario: impl Into<String>, measured: impl Into<String>, ok: bool) -> Self {
        Self {
            scenario: scenario.into(),
            measured: measured.into(),
            ratio: None,
            target: Target::Holds,
            verdict: if ok { Verdict::Pass } else { Verdict::Miss },
        }
    }

    /// A number reported for information.
    pub fn info(scenario: impl Into<String>, measured: impl Into<String>) -> Self {
        Self {
            scenario: scenario.into(),
            measured: measured.into(),
            ratio: None,
            target: Target::Info,
            verdict: Verdict::Info,
        }
    }

    /// A scenario that cannot run yet.
    pub fn pending(scenario: impl Into<String>, why: impl Into<String>, target: Target) -> Self {
        Self {
            scenario: scenario.into(),
            measured: why.into(),
            ratio: None,
            target,
            verdict: Verdict::Pending,
        }
    }

    /// A scenario that failed: a harness failure.
    pub fn error(scenario: impl Into<String>, error: &anyhow::Error) -> Self {
        Self {
            scenario: scenario.into(),
            measured: format!("{error:#}"),
            ratio: None,
            target: Target::Info,
            verdict: Verdict::Error,
        }
    }
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Report {
    /// Lines printed above the table (mode, machine).
    pub header: Vec<String>,
    /// The table.
    pub rows: Vec<Row>,
    /// Lines printed below the table.
    pub notes: Vec<String>,
    /// Quick mode: targets are shown but not meaningful.
    pub quick: bool,
}

fn target_text(target: Target) -> String {
    match target {
        Target::AtMost(t) => format!("≤ {t:.2}"),
        Target::AtLeast(t) => format!("≥ {t:.0}×"),
        Target::Holds => "holds".to_owned(),
        Target::Info => "—".to_owned(),
    }
}

/// Escapes a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

impl Report {
    /// Whether every scenario ran (no [`Verdict::Error`]).
    pub fn harness_ok(&self) -> bool {
        self.rows.iter().all(|r| r.verdict != Verdict::Error)
    }

    /// Rows whose target was missed.
    pub fn misses(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.verdict == Verdict::Miss)
            .count()
    }

    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# arize-rs benchmark report\n");
        for line in &self.header {
            let _ = writeln!(out, "{line}  ");
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "| Scenario | Measured | Ratio | Target | Result |");
        let _ = writeln!(out, "|---|---|---:|---|---|");
        for row in &self.rows {
            let ratio = row
                .ratio
                .map_or_else(|| "—".to_owned(), |r| format!("{r:.3}"));
            let result = match (row.verdict, self.quick) {
                (Verdict::Pass, false) => "PASS",
                (Verdict::Pass, true) if row.target == Target::Holds => "PASS",
                (Verdict::Miss, false) => "**MISS**",
                (Verdict::Pass, true) => "pass (quick: not enforced)",
                (Verdict::Miss, true) if row.target == Target::Holds => "**MISS**",
                (Verdict::Miss, true) => "miss (quick: not enforced)",
                (Verdict::Info, _) => "info",
                (Verdict::Pending, _) => "PENDING",
                (Verdict::Error, _) => "**ERROR**",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&row.scenario),
                cell(&row.measured),
                ratio,
                target_text(row.target),
                result
            );
        }
        if !self.notes.is_empty() {
            let _ = writeln!(out);
            for note in &self.notes {
                let _ = writeln!(out, "- {note}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn verdicts_follow_targets() {
        assert_eq!(
            Row::ratio("a", "", 1.05, Target::AtMost(1.10)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            Row::ratio("a", "", 1.2, Target::AtMost(1.10)).verdict,
            Verdict::Miss
        );
        assert_eq!(
            Row::ratio("a", "", f64::NAN, Target::AtMost(1.10)).verdict,
            Verdict::Miss
        );
        assert_eq!(
            Row::ratio("a", "", 16.0, Target::AtLeast(15.0)).verdict,
            Verdict::Pass
        );
        assert_eq!(
            Row::ratio("a", "", 14.0, Target::AtLeast(15.0)).verdict,
            Verdict::Miss
        );
        assert_eq!(Row::holds("a", "", false).verdict, Verdict::Miss);
        assert_eq!(Row::info("a", "").verdict, Verdict::Info);
    }

    #[test]
    fn markdown_marks_misses_and_errors() {
        let report = Report {
            header: vec!["mode: full".into()],
            rows: vec![
                Row::ratio("overhead", "x | y", 1.2, Target::AtMost(1.1)),
                Row::error("listing", &anyhow::anyhow!("boom")),
            ],
            notes: vec!["n".into()],
            quick: false,
        };
        let md = report.to_markdown();
        assert!(
            md.contains("| overhead | x \\| y | 1.200 | ≤ 1.10 | **MISS** |"),
            "{md}"
        );
        assert!(
            md.contains("| listing | boom | — | — | **ERROR** |"),
            "{md}"
        );
        assert!(!report.harness_ok());
        assert_eq!(report.misses(), 1);
    }
}
