//! A document as a workbook: one sheet per table, numbers stored as numbers with their
//! decimals, points lost stored negative, text stored as text (never a formula), a frozen and
//! filtered header, columns wide enough for Chinese text.

use rust_xlsxwriter::{Workbook, XlsxError};

use crate::doc::{Cell, Document, Standing, Table};
use crate::render::xlsx::{MAX_ROW, Sheet, grade_colors, sheet_name};

pub fn workbook(doc: &Document) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let mut used: Vec<String> = Vec::new();
    for t in &doc.tables {
        let ws = book.add_worksheet();
        ws.set_name(unique(sheet_name(&t.sheet), &mut used))?;
        let mut s = Sheet::new(ws, doc.precision, doc.lang);
        let placed = put(&mut s, t, 0)?;
        s.finish(placed.last, placed.last_col)?;
    }
    book.save_to_buffer()
}

/// Where a table went on its sheet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placed {
    /// The last row of the table's body (its header's row when it has none; the footer after).
    pub last: u32,
    /// The row after the table, footer included.
    pub next: u32,
    /// The last column people read.
    pub last_col: u16,
}

/// The columns of a table that people read, in order.
pub(crate) fn people_columns(t: &Table) -> Vec<usize> {
    (0..t.columns.len())
        .filter(|&k| t.columns[k].for_people())
        .collect()
}

/// Writes a table on a sheet with its header at row `top`: its rows, its footer, its grades
/// coloured. Rows past Excel's limit are not written: the last row says how many.
pub(crate) fn put(s: &mut Sheet, t: &Table, top: u32) -> Result<Placed, XlsxError> {
    let mut rows = Rows::new(s, t, top, t.rows.len())?;
    for row in &t.rows {
        if !rows.push(row)? {
            break;
        }
    }
    let last = rows.r;
    let last_col = rows.last_col();
    if let Some(f) = &t.footer {
        rows.push(f)?;
    }
    let next = rows.r + 1;
    for (c, &k) in people_columns(t).iter().enumerate() {
        let grades = grades_of(t.rows.iter().map(|row| &row[k]));
        if !grades.is_empty() {
            grade_colors(s.ws, (top + 1, last), c as u16, &grades)?;
        }
    }
    Ok(Placed {
        last,
        next,
        last_col,
    })
}

/// A table's rows written as they come (a ledger of a million rows is never held whole):
/// the header first, then each row under the last, up to Excel's limit.
pub(crate) struct Rows<'s, 'w> {
    s: &'s mut Sheet<'w>,
    cols: Vec<usize>,
    /// The last row written.
    r: u32,
    /// The rows to come, for the note when they do not fit.
    left: usize,
}

impl<'s, 'w> Rows<'s, 'w> {
    /// Writes the header of `t` at row `top`; `total` rows are to come.
    pub(crate) fn new(
        s: &'s mut Sheet<'w>,
        t: &Table,
        top: u32,
        total: usize,
    ) -> Result<Self, XlsxError> {
        let cols = people_columns(t);
        let head: Vec<String> = cols.iter().map(|&k| t.columns[k].header.clone()).collect();
        s.head(top, &head)?;
        s.inherit_column_formats();
        Ok(Rows {
            s,
            cols,
            r: top,
            left: total,
        })
    }

    /// Writes a row (cells in the table's column order); false once the sheet is full (its
    /// last row then says how many rows were left out).
    pub(crate) fn push(&mut self, row: &[Cell]) -> Result<bool, XlsxError> {
        if self.r + 1 >= MAX_ROW {
            if self.r + 1 == MAX_ROW {
                self.r += 1;
                let lang = self.s.lang();
                self.s
                    .text(self.r, 0, &crate::i18n::rows_not_shown(lang, self.left))?;
            }
            return Ok(false);
        }
        self.r += 1;
        self.left = self.left.saturating_sub(1);
        for (c, &k) in self.cols.iter().enumerate() {
            if let Some(v) = row.get(k) {
                cell(self.s, self.r, c as u16, v)?;
            }
        }
        Ok(true)
    }

    /// The last row written (the header's before any).
    pub(crate) fn row(&self) -> u32 {
        self.r
    }

    pub(crate) fn last_col(&self) -> u16 {
        self.cols.len().saturating_sub(1) as u16
    }

    /// Ends a sheet that holds this table alone: frozen header, filter over the rows written
    /// (not the note of rows left out), widths and the printed page.
    pub(crate) fn finish(self) -> Result<(), XlsxError> {
        let last = self.r.min(MAX_ROW - 1);
        let last_col = self.last_col();
        self.s.finish(last, last_col)
    }
}

/// Writes one cell of a table.
pub(crate) fn cell(s: &mut Sheet, r: u32, c: u16, cell: &Cell) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => Ok(()),
        Cell::Int(v) => s.int(r, c, *v),
        Cell::RankChange(v) => s.rank_change(r, c, *v),
        Cell::Number(d, p) => s.number(r, c, *d, *p),
        Cell::Signed(d, p) => s.signed(r, c, *d, *p),
        Cell::Lost(d, p) => s.number(r, c, -*d, *p),
        Cell::Flag(false, _) => Ok(()),
        Cell::Flag(true, w) => s.text(r, c, w),
        Cell::Text(t) | Cell::Words(t) | Cell::Grade(t, _) | Cell::Alert(t) | Cell::Pending(t) => {
            s.text(r, c, t)
        }
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
