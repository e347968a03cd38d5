//! Markdown tables, for pasting into a bulletin.

use std::io::{self, Write};

use super::View;

fn escape(s: &str) -> String {
    s.replace('|', "\\|")
}

pub fn render(view: &View, w: &mut dyn Write) -> io::Result<()> {
    for (i, t) in view.tables.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        writeln!(w, "### {}", view.title(t))?;
        writeln!(w)?;
        let (head, rows, avg) = view.columns(t);
        writeln!(
            w,
            "| {} |",
            head.iter()
                .map(|h| escape(h))
                .collect::<Vec<_>>()
                .join(" | ")
        )?;
        writeln!(w, "|{}", "---|".repeat(head.len()))?;
        for r in rows.iter().chain(std::iter::once(&avg)) {
            writeln!(
                w,
                "| {} |",
                r.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | ")
            )?;
        }
    }
    Ok(())
}
