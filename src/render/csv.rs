//! CSV: one row per unit per table, with stable English column names, safe to open in Excel.

use std::io::{self, Write};

use super::View;

/// Text cells that Excel would read as a formula get a leading `'`.
pub fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

pub const HEADER: &[&str] = &[
    "kind",
    "period",
    "provisional",
    "rank",
    "group_rank",
    "rank_change",
    "unit",
    "name",
    "group",
    "parts",
    "deducted",
    "bonus",
    "score",
    "score_change",
    "grade",
    "vetoed",
];

pub fn render(view: &View, w: &mut dyn Write) -> io::Result<()> {
    if view.bom {
        w.write_all("\u{feff}".as_bytes())?;
    }
    let mut out = csv::Writer::from_writer(w);
    out.write_record(HEADER)?;
    for t in &view.tables {
        for r in &t.rows {
            let parts = t
                .parts
                .iter()
                .zip(&r.parts)
                .filter_map(|(l, p)| p.map(|d| format!("{l}={}", view.fmt(d))))
                .collect::<Vec<_>>()
                .join(";");
            out.write_record([
                t.kind.as_str().to_owned(),
                t.period.clone(),
                t.provisional.to_string(),
                r.rank.to_string(),
                r.group_rank.map(|g| g.to_string()).unwrap_or_default(),
                r.rank_change.map(|c| c.to_string()).unwrap_or_default(),
                defuse(view.code(r)),
                defuse(view.name(r).unwrap_or_default()),
                defuse(view.group(r).unwrap_or_default()),
                parts,
                view.fmt(r.deducted),
                r.bonus.map(|b| view.fmt(b)).unwrap_or_default(),
                view.fmt(r.score),
                r.score_change.map(|d| view.fmt(d)).unwrap_or_default(),
                defuse(r.grade.as_deref().unwrap_or_default()),
                r.vetoed.to_string(),
            ])?;
        }
        let mut avg = vec![String::new(); HEADER.len()];
        avg[0] = t.kind.as_str().to_owned();
        avg[1] = t.period.clone();
        avg[2] = t.provisional.to_string();
        avg[7] = "(average)".to_owned();
        avg[12] = view.fmt(t.average);
        out.write_record(&avg)?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(super::defuse("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(super::defuse("-x"), "'-x");
        assert_eq!(super::defuse("迎春社区"), "迎春社区");
    }
}
