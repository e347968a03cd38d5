//! The writers: a [`Document`](crate::doc::Document) as a terminal table, CSV, Markdown, HTML
//! or a workbook, and the one place that creates output files (`file`). Escaping belongs here:
//! terminal, Markdown and HTML text is made inert (control characters shown escaped), Markdown
//! cells escape `|` and line breaks, HTML escapes markup, and CSV text cells that a spreadsheet
//! would read as a formula are defused.

pub mod bulletin;
pub mod csv;
pub mod file;
pub mod html;
pub mod md;
pub mod table;
pub mod xlsx;

use std::io::{self, Write};

use crate::doc::Document;
use crate::render::Format;

/// How a terminal table is drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminal {
    /// Colour (rank changes, vetoes, grades, provisional titles).
    pub color: bool,
}

/// Writes a document in a human-facing format (JSON is each command's own shape).
pub fn write(
    format: Format,
    doc: &Document,
    terminal: Terminal,
    w: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Table => table::write(doc, terminal, w),
        Format::Csv => csv::write(doc, w),
        Format::Md => md::write(doc, w),
        Format::Html => html::write(doc, w),
        Format::Xlsx => {
            let bytes = xlsx::workbook(doc).map_err(io::Error::other)?;
            w.write_all(&bytes)
        }
        Format::Json => Err(io::Error::other("JSON is written by each command")),
    }
}

/// Text from the inputs made harmless on a terminal: control characters (escape sequences,
/// bells, carriage returns) are shown as `\u{1b}` instead of acting.
pub fn inert(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| match c {
            c if c.is_control() => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// The longest line civscore prints on stderr: a message quoting a file's content (a 200 MB
/// header line, a binary file) is cut there.
pub const MAX_MESSAGE: usize = 1000;

/// A line for stderr: inert (control characters shown escaped) and at most [`MAX_MESSAGE`]
/// characters, with what was cut counted.
pub fn message(s: &str) -> String {
    let s = inert(s);
    match s.char_indices().nth(MAX_MESSAGE) {
        None => s,
        Some((at, _)) => {
            let rest = s[at..].chars().count();
            let cut = crate::i18n::usage::cut(crate::i18n::ui(), rest);
            format!("{}{cut}", &s[..at])
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn messages_are_bounded_and_inert() {
        assert_eq!(
            super::message("unit \"a\u{1b}[2J\""),
            "unit \"a\\u{1b}[2J\""
        );
        let long = "x".repeat(5000);
        let m = super::message(&long);
        assert!(
            m.ends_with("… (4000 more characters)"),
            "{}",
            &m[m.len() - 40..]
        );
        assert_eq!(
            m.chars().count(),
            1000 + "… (4000 more characters)".chars().count()
        );
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(super::inert("和平社区"), "和平社区");
        assert_eq!(super::inert("a\u{1b}]0;x\u{7}b"), "a\\u{1b}]0;x\\u{7}b");
        assert_eq!(super::inert("a\nb"), "a\\u{a}b");
    }
}
