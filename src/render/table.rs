//! Aligned terminal tables (comfy-table measures Chinese characters as two columns).

use std::io::{self, Write};

use comfy_table::{CellAlignment, ContentArrangement, Table as Comfy, presets};

use super::View;

pub fn render(view: &View, w: &mut dyn Write) -> io::Result<()> {
    for (i, t) in view.tables.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        writeln!(w, "{}", view.title(t))?;
        let (head, rows, avg) = view.columns(t);
        let mut table = Comfy::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(head.clone());
        for r in rows {
            table.add_row(r);
        }
        table.add_row(avg);
        for (k, h) in head.iter().enumerate() {
            if let Some(col) = table.column_mut(k) {
                col.set_cell_alignment(if is_text_column(view, h) {
                    CellAlignment::Left
                } else {
                    CellAlignment::Right
                });
            }
        }
        writeln!(w, "{table}")?;
    }
    Ok(())
}

fn is_text_column(view: &View, head: &str) -> bool {
    use crate::labels::L;
    [L::Unit, L::Name, L::Group, L::Grade, L::Vetoed]
        .iter()
        .any(|l| view.label(*l) == head)
}
