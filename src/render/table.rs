//! Aligned terminal tables (comfy-table measures Chinese characters as two columns), with colour
//! on a terminal: rank up green ↑, down red ↓, vetoed units red, grades coloured, provisional
//! titles dimmed.

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table as Comfy, presets};

use super::{Col, View};

fn grade_color(view: &View, grade: &str) -> Option<Color> {
    let grades = &view.rubric.grades;
    let i = grades.iter().position(|g| g.name == grade)?;
    Some(if i == 0 {
        Color::Green
    } else if i + 1 == grades.len() {
        Color::Red
    } else if i == 1 {
        Color::Cyan
    } else {
        Color::Yellow
    })
}

pub fn render(view: &View, w: &mut dyn Write) -> io::Result<()> {
    for (i, t) in view.tables.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        let title = view.title(t);
        if view.color && t.provisional {
            let dim = anstyle::Style::new().dimmed();
            writeln!(w, "{dim}{title}{dim:#}")?;
        } else if view.color {
            let bold = anstyle::Style::new().bold();
            writeln!(w, "{bold}{title}{bold:#}")?;
        } else {
            writeln!(w, "{title}")?;
        }
        let cols = view.layout(t);
        let (head, _, avg) = view.columns(t);
        let mut table = Comfy::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(head);
        if view.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        for r in &t.rows {
            let cells: Vec<Cell> = cols
                .iter()
                .map(|c| {
                    let text = view.cell(t, r, *c);
                    let color = match c {
                        Col::Change if r.rank_change.is_some_and(|x| x > 0) => Some(Color::Green),
                        Col::Change if r.rank_change.is_some_and(|x| x < 0) => Some(Color::Red),
                        Col::Unit | Col::Name | Col::Vetoed if r.vetoed => Some(Color::Red),
                        Col::Grade => grade_color(view, &text),
                        _ => None,
                    };
                    match color {
                        Some(col) if view.color => Cell::new(text).fg(col),
                        _ => Cell::new(text),
                    }
                })
                .collect();
            table.add_row(cells);
        }
        table.add_row(avg);
        for (k, c) in cols.iter().enumerate() {
            let left = matches!(
                c,
                Col::Unit | Col::Name | Col::Group | Col::Grade | Col::Vetoed | Col::Trend
            );
            if let Some(col) = table.column_mut(k) {
                col.set_cell_alignment(if left {
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
