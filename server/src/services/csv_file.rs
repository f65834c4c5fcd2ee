//! One way to write a CSV download (a user's export, the audit log, the disclosure report).
//!
//! The `csv` crate does the quoting of RFC 4180; what it cannot know is that these files are
//! opened in spreadsheets, which run a cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return as a formula ("CSV injection"). Every cell is therefore defused here with a
//! leading `'` before it is written. Rows end in CRLF, as RFC 4180 and spreadsheets expect.

use std::borrow::Cow;

/// A CSV file being written in memory.
pub struct CsvFile {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for CsvFile {
    fn default() -> Self {
        CsvFile::new()
    }
}

impl CsvFile {
    /// An empty file.
    pub fn new() -> Self {
        CsvFile {
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .flexible(true)
                .from_writer(Vec::new()),
        }
    }

    /// Appends one row, each cell defused.
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| defuse(c.as_ref()).into_owned())
            .collect();
        // Writing to memory cannot fail; a failure would be a bug in the writer.
        if let Err(e) = self.writer.write_record(&cells) {
            tracing::error!("writing a CSV row failed: {e}");
        }
    }

    /// The finished file.
    pub fn finish(self) -> String {
        // Flushing into memory cannot fail, and every cell was a `str`, so the bytes are UTF-8.
        let bytes = self.writer.into_inner().unwrap_or_else(|e| {
            tracing::error!("finishing a CSV file failed: {}", e.error());
            Vec::new()
        });
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// A cell a spreadsheet will show as text: a leading `'` before anything it would run as a
/// formula.
pub fn defuse(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::CsvFile;

    #[test]
    fn cells_are_quoted_when_needed_and_formulas_are_defused() {
        let cases = [
            ("plain", "plain", "nothing to quote"),
            ("a,b", "\"a,b\"", "a comma"),
            ("say \"hi\"", "\"say \"\"hi\"\"\"", "quotes are doubled"),
            ("line\nbreak", "\"line\nbreak\"", "a line break"),
            (
                "=HYPERLINK(\"x\")",
                "\"'=HYPERLINK(\"\"x\"\")\"",
                "a formula, quoted too",
            ),
            ("+31 6", "'+31 6", "a plus"),
            ("-1", "'-1", "a minus"),
            ("@SUM(A1)", "'@SUM(A1)", "an at sign"),
            ("\tx", "'\tx", "a leading tab"),
            ("\rx", "\"'\rx\"", "a leading carriage return, quoted too"),
        ];
        for (input, expected, why) in cases {
            let mut file = CsvFile::new();
            file.row(["first", input]);
            assert_eq!(file.finish(), format!("first,{expected}\r\n"), "{why}");
        }
    }
}
