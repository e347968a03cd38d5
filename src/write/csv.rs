//! CSV: one header of stable English keys, then every table's rows; safe to open in Excel.

use std::io::{self, Write};

use crate::doc::{Cell, Document};

/// Text cells that a spreadsheet would read as a formula get a leading `'`: those that begin
/// with `=`, `+`, `-`, `@`, a tab or a carriage return, or their full-width forms.
pub fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

pub fn write(doc: &Document, w: &mut dyn Write) -> io::Result<()> {
    if doc.bom {
        w.write_all("\u{feff}".as_bytes())?;
    }
    let mut out = csv::Writer::from_writer(w);
    if let Some(first) = doc.tables.first() {
        let keys = first.columns.iter().filter(|c| c.for_machines());
        out.write_record(keys.map(|c| c.key))?;
    }
    for t in &doc.tables {
        let rows = t.rows.iter().chain(&t.machine_footer);
        for row in rows {
            let cells = t.columns.iter().zip(row).filter(|(c, _)| c.for_machines());
            out.write_record(cells.map(|(_, cell)| machine_text(cell)))?;
        }
    }
    out.flush()
}

fn machine_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) | Cell::Alert(s) | Cell::Grade(s, _) => defuse(s),
        other => other.for_machines(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(super::defuse("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(super::defuse("-x"), "'-x");
        assert_eq!(super::defuse("＝1+1"), "'＝1+1");
        assert_eq!(super::defuse("迎春社区"), "迎春社区");
    }
}
