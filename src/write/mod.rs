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
    let s = short_quotes(&inert(s));
    match s.char_indices().nth(MAX_MESSAGE) {
        None => s,
        Some((at, _)) => {
            let rest = s[at..].chars().count();
            let cut = crate::i18n::usage::cut(crate::i18n::ui(), rest);
            format!("{}{cut}", &s[..at])
        }
    }
}

/// The most characters of one quotation in a message: what is quoted is a file's content (a
/// cell, a header, a value), and a message shows no more of it than this.
pub const MAX_QUOTED: usize = 200;

/// Each quotation (`"…"` or `“…”`) longer than [`MAX_QUOTED`] characters cut there, with `…`.
fn short_quotes(s: &str) -> String {
    if s.len() <= MAX_QUOTED {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len().min(4 * MAX_MESSAGE));
    // The closing mark of the quotation we are in, and how many of its characters are shown.
    let mut open: Option<(char, usize)> = None;
    for c in s.chars() {
        match open {
            None => {
                out.push(c);
                match c {
                    '"' => open = Some(('"', 0)),
                    '“' => open = Some(('”', 0)),
                    _ => {}
                }
            }
            Some((close, _)) if c == close => {
                out.push(c);
                open = None;
            }
            Some((close, n)) => {
                if n < MAX_QUOTED {
                    out.push(c);
                } else if n == MAX_QUOTED {
                    out.push('…');
                }
                open = Some((close, n + 1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// A cell of 5,000 characters is quoted by its first 200 (issue 16); the words around it
    /// and short quotations stay whole.
    #[test]
    fn quotations_are_cut_at_200_characters() {
        let cell = "Z".repeat(5000);
        let m = super::message(&format!(
            "a.csv:2: unknown indicator \"{cell}\" (did you mean \"A1\"?)"
        ));
        assert_eq!(
            m,
            format!(
                "a.csv:2: unknown indicator \"{}…\" (did you mean \"A1\"?)",
                "Z".repeat(200)
            )
        );
        let m = super::message(&format!("未知指标“{cell}”"));
        assert_eq!(m, format!("未知指标“{}…”", "Z".repeat(200)));
    }

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
