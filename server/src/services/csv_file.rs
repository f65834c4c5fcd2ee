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

/// What makes a spreadsheet run a cell as a formula when it starts with it.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
/// What a spreadsheet may split a line on: the comma, the `;` that Dutch and other locales use,
/// the tab and the pipe. A file opened with another separator than it was written with (or
/// pasted into a sheet) splits inside a cell, and the piece after the separator is a cell of
/// its own.
const SEPARATORS: [char; 6] = [',', ';', '\t', '|', '\n', '\r'];

/// Blank space a spreadsheet may skip before a formula (a trigger itself, like the tab, is
/// not skipped: it is caught as a trigger).
fn skippable(c: char) -> bool {
    c.is_whitespace() && !TRIGGERS.contains(&c)
}

/// A cell a spreadsheet will show as text, however it splits the line: a leading `'` before
/// anything it would run as a formula, at the start of the cell and after any separator or
/// line break (blank space between them counts as nothing), so `x;=cmd|…` is written
/// `x;'=cmd|…`.
pub fn defuse(value: &str) -> Cow<'_, str> {
    let armed = |rest: &str| rest.trim_start_matches(skippable).starts_with(TRIGGERS);
    let needs = armed(value)
        || value
            .char_indices()
            .any(|(i, c)| SEPARATORS.contains(&c) && armed(&value[i + c.len_utf8()..]));
    if !needs {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 4);
    // At the start of the cell, or after a separator and any spaces.
    let mut at_start = true;
    for c in value.chars() {
        if at_start && TRIGGERS.contains(&c) {
            out.push('\'');
            at_start = false;
        } else if !skippable(c) {
            at_start = false;
        }
        out.push(c);
        if SEPARATORS.contains(&c) {
            at_start = true;
        }
    }
    Cow::Owned(out)
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
            (
                "x;=cmd|' /C calc'!A0",
                "x;'=cmd|' /C calc'!A0",
                "a formula after a ;",
            ),
            ("a; -1", "a; '-1", "after a separator and a space"),
            ("a|@x", "a|'@x", "after a pipe"),
            ("a,=1", "\"a,'=1\"", "after a comma, quoted too"),
            ("a;b", "a;b", "a separator alone changes nothing"),
            (
                "2026-12-03",
                "2026-12-03",
                "a minus inside a cell is no formula",
            ),
            ("  =1", "  '=1", "after leading spaces"),
            ("a;\u{a0}=1", "a;\u{a0}'=1", "after a no-break space"),
            (
                "a;\u{3000}+1",
                "a;\u{3000}'+1",
                "after an ideographic space",
            ),
            ("x\n=cmd", "\"x\n'=cmd\"", "after a line break, quoted too"),
        ];
        for (input, expected, why) in cases {
            let mut file = CsvFile::new();
            file.row(["first", input]);
            assert_eq!(file.finish(), format!("first,{expected}\r\n"), "{why}");
        }
    }
}
