//! Graph timestamps as stored times, and the progress bar of the command line.

use super::*;

/// UTC epoch milliseconds of a parsed RFC 3339 timestamp (chrono reads it); fractions below a
/// millisecond are dropped. `None` only for a form [`Timestamp::parse`] never produces.
pub(super) fn epoch_ms(timestamp: &Timestamp) -> Option<i64> {
    crate::clock::parse_rfc3339(timestamp.as_str()).ok()
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
