//! A document as a workbook: one sheet per table, numbers stored as numbers with their
//! decimals, points lost stored negative, text stored as text (never a formula), a frozen and
//! filtered header, columns wide enough for Chinese text.

use rust_xlsxwriter::{Workbook, XlsxError};

use crate::doc::{Cell, Document, Standing};
use crate::render::xlsx::{Sheet, grade_colors, sheet_name};

pub fn workbook(doc: &Document) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let mut used: Vec<String> = Vec::new();
    for t in &doc.tables {
        let ws = book.add_worksheet();
        ws.set_name(unique(sheet_name(&t.sheet), &mut used))?;
        let cols: Vec<usize> = (0..t.columns.len())
            .filter(|&k| t.columns[k].for_people())
            .collect();
        let mut s = Sheet::new(ws, doc.precision, doc.lang);
        let head: Vec<String> = cols.iter().map(|&k| t.columns[k].header.clone()).collect();
        s.head(0, &head)?;
        let mut r = 0u32;
        for row in t.rows.iter().chain(&t.footer) {
            r += 1;
            for (c, &k) in cols.iter().enumerate() {
                cell(&mut s, r, c as u16, &row[k])?;
            }
        }
        let last = r.saturating_sub(u32::from(t.footer.is_some()));
        for (c, &k) in cols.iter().enumerate() {
            let grades = grades_of(t.rows.iter().map(|row| &row[k]));
            if !grades.is_empty() {
                grade_colors(s.ws, (1, last), c as u16, &grades)?;
            }
        }
        s.finish(last, head.len().saturating_sub(1) as u16)?;
    }
    book.save_to_buffer()
}

fn cell(s: &mut Sheet, r: u32, c: u16, cell: &Cell) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => Ok(()),
        Cell::Int(v) => s.int(r, c, *v),
        Cell::RankChange(v) => s.rank_change(r, c, *v),
        Cell::Number(d, p) => s.number(r, c, *d, *p),
        Cell::Signed(d, p) => s.signed(r, c, *d, *p),
        Cell::Lost(d, p) => s.number(r, c, -*d, *p),
        Cell::Flag(false, _) => Ok(()),
        other => s.text(r, c, &other.for_people()),
    }
}

/// The grades a column holds, each once, with their standing.
fn grades_of<'c>(cells: impl Iterator<Item = &'c Cell>) -> Vec<(String, Standing)> {
    let mut out: Vec<(String, Standing)> = Vec::new();
    for cell in cells {
        if let Cell::Grade(name, Some(standing)) = cell
            && !out.iter().any(|(n, _)| n == name)
        {
            out.push((name.clone(), *standing));
        }
    }
    out
}

/// Excel refuses two sheets of one name (names compare without case): `name (2)`.
fn unique(name: String, used: &mut Vec<String>) -> String {
    let taken =
        |n: &str, used: &[String]| used.iter().any(|u| u.to_lowercase() == n.to_lowercase());
    let mut out = name.clone();
    let mut k = 2;
    while taken(&out, used) {
        let tail = format!(" ({k})");
        let head: String = name.chars().take(31 - tail.chars().count()).collect();
        out = format!("{head}{tail}");
        k += 1;
    }
    used.push(out.clone());
    out
}
