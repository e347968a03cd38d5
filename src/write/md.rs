//! Markdown tables, for pasting into a bulletin: `|` and line breaks inside a cell are escaped,
//! control characters made inert.

use std::io::{self, Write};

use super::inert;
use crate::doc::Document;

/// A cell's text that cannot break the table: `|` escaped, line breaks as `<br>`.
pub fn escape(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let s: Vec<String> = s.split('\n').map(inert).collect();
    s.join("<br>").replace('|', "\\|")
}

pub fn write(doc: &Document, w: &mut dyn Write) -> io::Result<()> {
    for (i, t) in doc.tables.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        writeln!(w, "### {}", escape(&t.title))?;
        writeln!(w)?;
        let cols: Vec<usize> = (0..t.columns.len())
            .filter(|&k| t.columns[k].for_people())
            .collect();
        let line = |cells: Vec<String>| format!("| {} |", cells.join(" | "));
        writeln!(
            w,
            "{}",
            line(cols.iter().map(|&k| escape(&t.columns[k].header)).collect())
        )?;
        writeln!(w, "|{}", "---|".repeat(cols.len()))?;
        for row in t.rows.iter().chain(&t.footer) {
            let cells = cols.iter().map(|&k| escape(&row[k].for_people())).collect();
            writeln!(w, "{}", line(cells))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cell_cannot_break_its_row() {
        assert_eq!(super::escape("a|b"), "a\\|b");
        assert_eq!(
            super::escape("line 1\nline 2\r\nline 3"),
            "line 1<br>line 2<br>line 3"
        );
        assert_eq!(super::escape("x\u{1b}[31m"), "x\\u{1b}[31m");
    }
}
