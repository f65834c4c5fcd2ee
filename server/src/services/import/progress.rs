//! Graph timestamps as stored times, and the progress bar of the command line.

use super::*;

/// UTC epoch milliseconds of a parsed RFC 3339 timestamp; fractions below a millisecond are
/// dropped. `None` only for a form [`Timestamp::parse`] never produces.
pub(super) fn epoch_ms(timestamp: &Timestamp) -> Option<i64> {
    let text = timestamp.as_str();
    let number = |range: std::ops::Range<usize>| -> Option<i64> { text.get(range)?.parse().ok() };
    let days = app::time::days_from_civil(number(0..4)?, number(5..7)?, number(8..10)?);
    let seconds = number(11..13)? * 3600 + number(14..16)? * 60 + number(17..19)?;
    let mut rest = text.get(19..)?;
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        let first_three: String = fraction
            .get(..digits)?
            .chars()
            .chain(std::iter::repeat('0'))
            .take(3)
            .collect();
        millis = first_three.parse::<i64>().ok()?;
        rest = fraction.get(digits..)?;
    }
    let offset_seconds = match rest {
        "Z" => 0,
        _ => {
            let sign = match rest.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let hours: i64 = rest.get(1..3)?.parse().ok()?;
            let minutes: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    Some(days * DAY_MS + (seconds - offset_seconds) * 1000 + millis)
}

// ---------------------------------------------------------------------------------------
// Progress.
// ---------------------------------------------------------------------------------------

/// A one-line progress bar on stderr, redrawn in place, only when stderr is a terminal (a log
/// file or a pipe gets no control characters).
pub(super) struct ProgressBar {
    pub(super) total: u64,
    pub(super) enabled: bool,
    pub(super) shown_permille: Option<u64>,
    /// The line is ended once everything is read, so that what is printed next (the last
    /// batch's log lines, the summary) starts on a line of its own.
    pub(super) ended: bool,
}

impl ProgressBar {
    const WIDTH: u64 = 30;

    pub(super) fn new(total: u64, enabled: bool) -> ProgressBar {
        ProgressBar {
            total,
            enabled,
            shown_permille: None,
            ended: false,
        }
    }

    pub(super) fn show(&mut self, read: u64) {
        if !self.enabled || self.ended {
            return;
        }
        let permille = (read.min(self.total) * 1000)
            .checked_div(self.total)
            .unwrap_or(1000);
        // Redrawn only when the figure changes: a million lines do not need a million writes.
        if self.shown_permille == Some(permille) {
            return;
        }
        self.shown_permille = Some(permille);
        let filled = permille * Self::WIDTH / 1000;
        let bar: String = (0..Self::WIDTH)
            .map(|i| if i < filled { '#' } else { '-' })
            .collect();
        let mut stderr = std::io::stderr().lock();
        // Progress is a courtesy: a terminal that cannot be written to must not stop the import.
        let _ = write!(
            stderr,
            "\r[{bar}] {:>3}.{}%  {read} / {} bytes",
            permille / 10,
            permille % 10,
            self.total
        );
        if permille == 1000 {
            let _ = writeln!(stderr);
            self.ended = true;
        }
        let _ = stderr.flush();
    }

    /// Ends the line when the import stopped before the end of the file.
    pub(super) fn finish(&mut self) {
        if self.enabled && self.shown_permille.is_some() && !self.ended {
            eprintln!();
            self.ended = true;
        }
    }
}
