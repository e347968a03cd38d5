//! The size of the sheets of an .ods workbook, read from its `content.xml` before the
//! spreadsheet library parses it: that library builds a sheet whole, as the box from its first to
//! its last row with content and as wide as its widest row (with repeated rows and cells written
//! out, and a formula string beside every cell), so an 8 KB file repeating one cell over a
//! million rows asks for gigabytes. This streams the XML once, counting what that box would be.
//! [`unshown`] streams it again for what the library reads otherwise than shown (percentages,
//! formulas without a value, merged regions), placing each cell where the library places it.

use std::io::{BufReader, Cursor};

use quick_xml::events::{BytesStart, Event};

/// The cells of the largest sheet's box; `None` when the bytes are not a zip holding a readable
/// `content.xml` (the library then reports what is wrong).
pub(crate) fn largest_sheet(bytes: &[u8]) -> Option<u64> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let content = zip.by_name("content.xml").ok()?;
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut box_of = Extent::default();
    let mut largest = 0u64;
    loop {
        let (e, open) = match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(e) => {
                match e.name().as_ref() {
                    "table:table-row" => box_of.end_row(),
                    "table:table" => largest = largest.max(std::mem::take(&mut box_of).cells()),
                    _ => {}
                }
                buf.clear();
                continue;
            }
            Event::Eof => return Some(largest),
            _ => {
                buf.clear();
                continue;
            }
        };
        match e.name().as_ref() {
            "table:table" => box_of = Extent::default(),
            "table:table-row" => {
                box_of.start_row(repeated(&e, "table:number-rows-repeated"));
                if !open {
                    box_of.end_row();
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                // A cell with a value, or with content inside it, is not empty.
                let valued = e
                    .try_get_attribute("office:value-type")
                    .ok()
                    .flatten()
                    .is_some();
                box_of.cell(
                    repeated(&e, "table:number-columns-repeated"),
                    open || valued,
                );
            }
            _ => {}
        }
        buf.clear();
    }
}

/// A repeat count attribute (1 when absent or unreadable).
fn repeated(e: &BytesStart<'_>, name: &str) -> u64 {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.value.trim().parse().ok())
        .unwrap_or(1)
}

/// One sheet's box so far: rows seen, the first and the end of the rows with content, the widest
/// row; and the row being read.
#[derive(Default)]
struct Extent {
    rows: u64,
    first: Option<u64>,
    end: u64,
    width: u64,
    repeats: u64,
    column: u64,
    row_width: u64,
}

impl Extent {
    fn start_row(&mut self, repeats: u64) {
        self.repeats = repeats;
        self.column = 0;
        self.row_width = 0;
    }

    fn cell(&mut self, repeats: u64, filled: bool) {
        self.column = self.column.saturating_add(repeats);
        if filled {
            self.row_width = self.column;
        }
    }

    fn end_row(&mut self) {
        if self.row_width > 0 {
            self.first.get_or_insert(self.rows);
            self.end = self.rows.saturating_add(self.repeats);
            self.width = self.width.max(self.row_width);
        }
        self.rows = self.rows.saturating_add(self.repeats);
        self.row_width = 0;
    }

    fn cells(&self) -> u64 {
        let rows = self.end - self.first.unwrap_or(self.end);
        rows.saturating_mul(self.width)
    }
}

/// Cells of one table of an .ods that the spreadsheet library reads otherwise than they are
/// shown, as (row, column) the way the library places them: rows and cells repeated counted
/// out, capped at the library's last row and column.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Unshown {
    /// Cells of value type `percentage` (the library gives 0.225 for 22.5 %), sorted.
    pub percent: Vec<(u32, u32)>,
    /// Formula cells without a stored value (the library gives an empty cell), in order.
    pub no_value: Vec<(u32, u32)>,
    /// Merged regions (`table:number-rows-spanned`, `table:number-columns-spanned`), from
    /// their first cell to their last, in order; the library gives the value to the first cell
    /// only.
    pub merges: Vec<calamine::Dimensions>,
    /// The first cell merged in a way that cannot be placed exactly: over rows in a row
    /// repeated (each repeat would start a region over the next), over columns in a cell
    /// repeated, or with a span that is not a whole number.
    pub unplaced: Option<(u32, u32)>,
    /// Covered cells of a merged region that keep text of their own (merged with "keep the
    /// contents of hidden cells"): not shown, the region's value is; sorted.
    pub hidden: Vec<(u32, u32)>,
}

/// The most cells [`unshown`] lists: more is no ledger (and not read).
const MAX_LISTED: usize = 4_000_000;
/// The library's last row and column, past which it places no cell.
const MAX_ROWS: u64 = 1_048_576;
const MAX_COLUMNS: u64 = 16_384;

/// Each named table of an .ods (as the library names its sheets) with its [`Unshown`] cells;
/// `None` when the bytes are not a zip holding a readable `content.xml`, or list too many.
pub(crate) fn unshown(bytes: &[u8]) -> Option<Vec<(String, Unshown)>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let content = zip.by_name("content.xml").ok()?;
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut tables: Vec<(String, Unshown)> = Vec::new();
    // Inside a named table (its depth of nested tables), its row and the row's repeats, the
    // column, and how many cells are listed.
    let mut depth = 0usize;
    let (mut row, mut repeats, mut column, mut listed) = (0u64, 1u64, 0u64, 0usize);
    // The regions of the table not yet passed: by first column, their last column and row.
    let mut live: std::collections::BTreeMap<u64, (u64, u64)> = Default::default();
    loop {
        let (e, open) = match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(e) => {
                match e.name().as_ref() {
                    "table:table" => depth = depth.saturating_sub(1),
                    "table:table-row" if depth == 1 => row += repeats,
                    _ => {}
                }
                buf.clear();
                continue;
            }
            Event::Eof => {
                for (_, t) in &mut tables {
                    t.percent.sort_unstable();
                    t.hidden.sort_unstable();
                }
                return Some(tables);
            }
            _ => {
                buf.clear();
                continue;
            }
        };
        match e.name().as_ref() {
            "table:table" if depth > 0 => depth += usize::from(open),
            "table:table" => {
                let name = e.try_get_attribute("table:name").ok().flatten();
                if let (Some(name), true) = (name, open) {
                    let name = quick_xml::escape::unescape(&name.value).ok()?.into_owned();
                    tables.push((name, Unshown::default()));
                    (depth, row) = (1, 0);
                    live.clear();
                }
            }
            "table:table-row" if depth == 1 => {
                let n = repeated(&e, "table:number-rows-repeated");
                repeats = n.min(MAX_ROWS.saturating_sub(row));
                column = 0;
                if !open {
                    row += repeats;
                }
            }
            "table:table-cell" | "table:covered-table-cell" if depth == 1 => {
                let n = repeated(&e, "table:number-columns-repeated");
                let n = n.min(MAX_COLUMNS.saturating_sub(column));
                let attr = |k: &str| e.try_get_attribute(k).ok().flatten();
                let percent =
                    attr("office:value-type").is_some_and(|a| a.value.as_ref() == "percentage");
                let valued = [
                    "office:value",
                    "office:date-value",
                    "office:time-value",
                    "office:boolean-value",
                    "office:string-value",
                ]
                .iter()
                .any(|k| attr(k).is_some())
                    || attr("office:value-type").is_some_and(|a| a.value.as_ref() == "string");
                let no_value = attr("table:formula").is_some() && !valued;
                // A merged region starts at this cell (a covered cell spans nothing).
                let span = |k: &str| match attr(k) {
                    None => Some(1),
                    Some(a) => a.value.trim().parse::<u64>().ok().filter(|&v| v > 0),
                };
                if let (true, Some((_, t))) =
                    (e.name().as_ref() == "table:table-cell", tables.last_mut())
                {
                    let spans =
                        span("table:number-rows-spanned").zip(span("table:number-columns-spanned"));
                    match spans {
                        Some((1, 1)) => {}
                        Some((down, across))
                            if (down == 1 || repeats <= 1) && (across == 1 || n <= 1) =>
                        {
                            if let Some(rows) = repeats.checked_sub(1) {
                                let last_row = row.saturating_add(rows.max(down - 1));
                                let last_column = column.saturating_add(n.max(across) - 1);
                                live.insert(column, (last_column, last_row));
                            }
                            for r in row..row + repeats {
                                for c in column..column + n {
                                    listed += 1;
                                    if listed > MAX_LISTED {
                                        return None;
                                    }
                                    let last = |at: u64, by: u64, max: u64| {
                                        at.saturating_add(by - 1).min(max - 1)
                                    };
                                    t.merges.push(calamine::Dimensions {
                                        start: (u32::try_from(r).ok()?, u32::try_from(c).ok()?),
                                        end: (
                                            u32::try_from(last(r, down, MAX_ROWS)).ok()?,
                                            u32::try_from(last(c, across, MAX_COLUMNS)).ok()?,
                                        ),
                                    });
                                }
                            }
                        }
                        // Placed only where the library places a cell at all.
                        _ if repeats > 0 && n > 0 => {
                            let at = (u32::try_from(row).ok()?, u32::try_from(column).ok()?);
                            t.unplaced.get_or_insert(at);
                        }
                        _ => {}
                    }
                }
                // A covered cell with text of its own, inside a region: its text is not shown.
                let covered = e.name().as_ref() == "table:covered-table-cell";
                if let (true, true, Some((_, t))) = (covered, open || valued, tables.last_mut()) {
                    let inside = loop {
                        let Some((&first, &(last_column, last_row))) =
                            live.range(..=column).next_back()
                        else {
                            break false;
                        };
                        if last_row < row {
                            live.remove(&first);
                            continue;
                        }
                        break column.saturating_add(n.saturating_sub(1)) <= last_column
                            && row.saturating_add(repeats.max(1) - 1) <= last_row;
                    };
                    for r in (row..row + repeats).filter(|_| inside) {
                        for c in column..column + n {
                            listed += 1;
                            if listed > MAX_LISTED {
                                return None;
                            }
                            t.hidden
                                .push((u32::try_from(r).ok()?, u32::try_from(c).ok()?));
                        }
                    }
                }
                if let (true, Some((_, t))) = (percent || no_value, tables.last_mut()) {
                    let list = match percent {
                        true => &mut t.percent,
                        false => &mut t.no_value,
                    };
                    for r in row..row + repeats {
                        for c in column..column + n {
                            listed += 1;
                            if listed > MAX_LISTED {
                                return None;
                            }
                            list.push((u32::try_from(r).ok()?, u32::try_from(c).ok()?));
                        }
                    }
                }
                column += n;
            }
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    /// An .ods of one sheet whose table holds `rows` (XML of table rows).
    fn ods(rows: &str) -> Vec<u8> {
        let content = format!(
            "<?xml version=\"1.0\"?><office:document-content xmlns:office=\"o\" xmlns:table=\"t\" xmlns:text=\"x\"><office:body><office:spreadsheet><table:table table:name=\"S\">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"
        );
        let mut out = Vec::new();
        {
            let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
            let o = zip::write::SimpleFileOptions::default();
            z.start_file("mimetype", o).unwrap();
            z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
                .unwrap();
            z.start_file("content.xml", o).unwrap();
            z.write_all(content.as_bytes()).unwrap();
            z.finish().unwrap();
        }
        out
    }

    const CELL: &str =
        "<table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell>";

    #[test]
    fn the_box_counts_repeated_rows_and_cells_between_the_first_and_last_filled_row() {
        // 2 rows of 3 cells, then one row of a cell repeated 4 times, repeated 1000 rows:
        // rows 0..1002 with content, widest 4: 1002 × 4 = 4008.
        let rows = format!(
            "<table:table-row>{CELL}{CELL}{CELL}</table:table-row><table:table-row>{CELL}</table:table-row>\
             <table:table-row table:number-rows-repeated=\"1000\"><table:table-cell table:number-columns-repeated=\"4\" office:value-type=\"string\"><text:p>y</text:p></table:table-cell></table:table-row>"
        );
        assert_eq!(super::largest_sheet(&ods(&rows)), Some(1002 * 4));
    }

    #[test]
    fn trailing_empty_rows_and_cells_count_for_nothing() {
        // Formatting runs as LibreOffice writes them: empty cells repeated to the sheet's edge,
        // empty rows repeated to its end. The box is the one filled row of 2 cells.
        let rows = format!(
            "<table:table-row>{CELL}{CELL}<table:table-cell table:number-columns-repeated=\"16382\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048575\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>"
        );
        assert_eq!(super::largest_sheet(&ods(&rows)), Some(2));
    }

    #[test]
    fn percent_and_formula_cells_are_placed_as_the_library_places_them() {
        // Row 1: two repeated empty cells, a percent cell at C1; a covered cell, a formula
        // without a value at E1. Rows 2–3 (one row repeated): a percent cell at B2 and B3.
        let pct = r#"<table:table-cell office:value-type="percentage" office:value="0.5"/>"#;
        let rows = format!(
            r#"<table:table-row><table:table-cell table:number-columns-repeated="2"/>{pct}<table:covered-table-cell/><table:table-cell table:formula="of:=1"/><table:table-cell table:formula="of:=2" office:value-type="float" office:value="2"/></table:table-row><table:table-row table:number-rows-repeated="2">{CELL}{pct}</table:table-row>"#
        );
        let got = super::unshown(&ods(&rows)).unwrap();
        let want = super::Unshown {
            percent: vec![(0, 2), (1, 1), (2, 1)],
            no_value: vec![(0, 4)],
            ..Default::default()
        };
        assert_eq!(got, vec![("S".to_owned(), want)]);
    }

    #[test]
    fn merged_regions_are_placed_as_the_library_places_cells() {
        use calamine::Dimensions;
        let d = |start, end| Dimensions { start, end };
        // Row 1: two repeated empty cells, then C1 merged over three rows. Rows 2–3 (one row
        // repeated): a covered cell under C1 at C, then D merged over D:E in each. Rows 4–5:
        // A4 merged over A4:B5, covered cells below it. The covered cells under C1 keep text of
        // their own, hidden; a covered cell at A6 outside any region is not.
        let rows = format!(
            r#"<table:table-row><table:table-cell table:number-columns-repeated="2"/><table:table-cell table:number-rows-spanned="3">{p}</table:table-cell></table:table-row><table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="2"/><table:covered-table-cell office:value-type="string">{p}</table:covered-table-cell><table:table-cell table:number-columns-spanned="2">{p}</table:table-cell><table:covered-table-cell/></table:table-row><table:table-row><table:table-cell table:number-rows-spanned="2" table:number-columns-spanned="2">{p}</table:table-cell><table:covered-table-cell/></table:table-row><table:table-row><table:covered-table-cell table:number-columns-repeated="2"/></table:table-row><table:table-row><table:covered-table-cell>{p}</table:covered-table-cell></table:table-row>"#,
            p = "<text:p>x</text:p>"
        );
        let got = super::unshown(&ods(&rows)).unwrap();
        let want = vec![
            d((0, 2), (2, 2)),
            d((1, 3), (1, 4)),
            d((2, 3), (2, 4)),
            d((3, 0), (4, 1)),
        ];
        assert_eq!(got[0].1.merges, want);
        assert_eq!(got[0].1.unplaced, None);
        assert_eq!(got[0].1.hidden, vec![(1, 2), (2, 2)]);
    }

    #[test]
    fn a_region_that_cannot_be_placed_is_named() {
        // B1 merged over two rows in a row repeated twice: each repeat would start a region
        // over the next. Likewise a cell repeated and merged over columns, or a span "x".
        let cases = [
            r#"<table:table-row table:number-rows-repeated="2"><table:table-cell/><table:table-cell table:number-rows-spanned="2"/></table:table-row>"#,
            r#"<table:table-row><table:table-cell/><table:table-cell table:number-columns-repeated="2" table:number-columns-spanned="2"/></table:table-row>"#,
            r#"<table:table-row><table:table-cell/><table:table-cell table:number-rows-spanned="x"/></table:table-row>"#,
        ];
        for rows in cases {
            let got = super::unshown(&ods(rows)).unwrap();
            assert_eq!(got[0].1.unplaced, Some((0, 1)), "{rows}");
            assert!(got[0].1.merges.is_empty(), "{rows}");
        }
        // A region over rows in a row not repeated, and over one row in a repeated row, is placed.
        let rows = r#"<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="1"/></table:table-row>"#;
        let got = super::unshown(&ods(rows)).unwrap();
        assert_eq!(got[0].1.unplaced, None);
        assert_eq!(got[0].1.merges.len(), 2);
    }

    #[test]
    fn not_an_ods_is_left_to_the_library() {
        assert_eq!(super::largest_sheet(b"date,unit\n"), None);
    }
}
