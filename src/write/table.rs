//! Aligned terminal tables (comfy-table measures Chinese characters as two columns), with colour
//! on a terminal: rank up green ↑, down red ↓, alerts (vetoed units) red, grades coloured,
//! provisional titles dimmed. Text from the inputs is made inert.

use std::io::{self, Write};

use comfy_table::{Cell as Comfy, CellAlignment, Color, ContentArrangement, Table, presets};

use super::{Terminal, inert};
use crate::doc::{self, Cell, Document, Standing};

fn color(cell: &Cell) -> Option<Color> {
    match cell {
        Cell::RankChange(c) if *c > 0 => Some(Color::Green),
        Cell::RankChange(c) if *c < 0 => Some(Color::Red),
        Cell::Alert(_) => Some(Color::Red),
        Cell::Grade(_, Some(s)) => Some(match s {
            Standing::Best => Color::Green,
            Standing::Second => Color::Cyan,
            Standing::Middle => Color::Yellow,
            Standing::Last => Color::Red,
        }),
        _ => None,
    }
}

fn title(t: &doc::Table, term: Terminal) -> String {
    let title = inert(&t.title);
    match (term.color, t.provisional) {
        (false, _) => title,
        (true, true) => {
            let dim = anstyle::Style::new().dimmed();
            format!("{dim}{title}{dim:#}")
        }
        (true, false) => {
            let bold = anstyle::Style::new().bold();
            format!("{bold}{title}{bold:#}")
        }
    }
}

/// The most characters of a cell a terminal table shows: the table lays out its cells in time
/// that grows faster than their length (a 50 MB unit name from a workbook took over 60 s), and
/// no screen shows more; JSON, CSV, Markdown and workbooks keep the whole text.
pub const MAX_CELL_SHOWN: usize = 1000;

/// A cell's text as the table shows it: at most [`MAX_CELL_SHOWN`] characters, then `…`.
fn shown(s: &str) -> String {
    match s.char_indices().nth(MAX_CELL_SHOWN) {
        None => s.to_owned(),
        Some((at, _)) => format!("{}…", &s[..at]),
    }
}

pub fn write(doc: &Document, term: Terminal, w: &mut dyn Write) -> io::Result<()> {
    for (i, t) in doc.tables.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        writeln!(w, "{}", title(t, term))?;
        let cols: Vec<usize> = (0..t.columns.len())
            .filter(|&k| t.columns[k].for_people())
            .collect();
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(cols.iter().map(|&k| inert(&t.columns[k].header)));
        if term.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        for row in t.rows.iter().chain(&t.footer) {
            table.add_row(cols.iter().map(|&k| {
                let cell = Comfy::new(shown(&inert(&row[k].for_people())));
                match color(&row[k]) {
                    Some(c) if term.color => cell.fg(c),
                    _ => cell,
                }
            }));
        }
        for (at, &k) in cols.iter().enumerate() {
            let numeric = t.rows.iter().any(|r| r[k].is_numeric());
            if let Some(col) = table.column_mut(at) {
                col.set_cell_alignment(if numeric {
                    CellAlignment::Right
                } else {
                    CellAlignment::Left
                });
            }
        }
        writeln!(w, "{table}")?;
    }
    Ok(())
}
