//! Small statistics over repeated measurements.

use std::time::Duration;

/// The median of `values` (the mean of the middle two for an even count);
/// `NaN` for none.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

/// The smallest and largest of `values`.
pub fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

/// Microseconds per item.
pub fn micros_per(elapsed: Duration, items: usize) -> f64 {
    elapsed.as_secs_f64() * 1e6 / items.max(1) as f64
}

/// Items per second.
pub fn per_second(items: usize, elapsed: Duration) -> f64 {
    items as f64 / elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
}

/// `1234567.8` → `"1,234,568"`.
pub fn thousands(value: f64) -> String {
    let rounded = value.round();
    if !rounded.is_finite() {
        return format!("{value}");
    }
    let digits = format!("{}", rounded.abs() as u64);
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if rounded < 0.0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(1_234_567.8), "1,234,568");
        assert_eq!(thousands(-12_345.0), "-12,345");
    }

    #[test]
    fn min_max_and_rates() {
        assert_eq!(min_max(&[2.0, -1.0, 5.0]), (-1.0, 5.0));
        assert_eq!(micros_per(Duration::from_millis(3), 1000), 3.0);
        assert_eq!(per_second(500, Duration::from_millis(250)), 2000.0);
    }
}

/// CPU time of the calling thread so far (Linux: `/proc/thread-self/schedstat`,
/// nanoseconds on a CPU); `None` elsewhere. Unlike wall time it does not
/// count time the thread waited for a core, so it is robust against other
/// load on the machine. On a current-thread runtime it is the whole
/// client's cost: request building, hyper, decoding.
pub fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Wall and (when available) CPU time of one measured run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Wall-clock time.
    pub wall: Duration,
    /// CPU time of the measuring thread.
    pub cpu: Option<Duration>,
}

/// Measures wall and thread CPU time from [`Stopwatch::start`] to
/// [`Stopwatch::stop`].
#[derive(Debug, Clone, Copy)]
pub struct Stopwatch {
    wall: std::time::Instant,
    cpu: Option<Duration>,
}

impl Stopwatch {
    /// Starts measuring.
    pub fn start() -> Self {
        Self {
            cpu: thread_cpu(),
            wall: std::time::Instant::now(),
        }
    }

    /// The time since [`Stopwatch::start`].
    pub fn stop(self) -> Sample {
        let wall = self.wall.elapsed();
        let cpu = match (self.cpu, thread_cpu()) {
            (Some(a), Some(b)) => b.checked_sub(a),
            _ => None,
        };
        Sample { wall, cpu }
    }
}

/// Per-round ratios `a / b` of the wall times, and of the CPU times when
/// every sample has one.
pub fn ratios(a: &[Sample], b: &[Sample]) -> (Vec<f64>, Option<Vec<f64>>) {
    let wall = a
        .iter()
        .zip(b)
        .map(|(x, y)| x.wall.as_secs_f64() / y.wall.as_secs_f64())
        .collect();
    let cpu = a
        .iter()
        .zip(b)
        .map(|(x, y)| Some(x.cpu?.as_secs_f64() / y.cpu?.as_secs_f64()))
        .collect();
    (wall, cpu)
}

#[cfg(test)]
mod cpu_tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn thread_cpu_advances_with_work() {
        let watch = Stopwatch::start();
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        let sample = watch.stop();
        assert!(sample.cpu.is_some_and(|c| c > Duration::ZERO), "{sample:?}");
    }

    #[test]
    fn ratios_pair_rounds() {
        let s = |w: u64, c: Option<u64>| Sample {
            wall: Duration::from_millis(w),
            cpu: c.map(Duration::from_millis),
        };
        let (wall, cpu) = ratios(
            &[s(20, Some(10)), s(30, Some(8))],
            &[s(10, Some(5)), s(10, Some(4))],
        );
        assert_eq!(wall, [2.0, 3.0]);
        assert_eq!(cpu, Some(vec![2.0, 2.0]));
        let (_, cpu) = ratios(&[s(20, None)], &[s(10, Some(5))]);
        assert_eq!(cpu, None);
    }
}
