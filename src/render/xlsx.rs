//! Excel workbooks (rust_xlsxwriter): the score tables one sheet each, and the monthly report.
//! Numbers are stored as numbers with the rubric's precision; headers are frozen and filtered;
//! column widths are measured in display columns, so Chinese text fits.

use rust_decimal::Decimal;
use rust_xlsxwriter::{Chart, ChartType, Format, FormatAlign, Workbook, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

use crate::ranking;

pub fn err(e: XlsxError) -> crate::error::Error {
    // The writer's own words (such as a sheet over its row limit) are English only.
    let l = crate::i18n::ui();
    crate::error::Error::Internal(crate::i18n::usage::workbook_failed(l, &e.to_string()))
}

/// A decimal as the f64 Excel stores, rounded to `dp` first (through its text: exact).
pub fn num(d: Decimal, dp: u32) -> f64 {
    ranking::round(d, dp).to_string().parse().unwrap_or(0.0)
}

/// The f64 Excel stores for a number shown with its decimals (`fixed`'s text: exact, and
/// read once rather than formatted twice).
fn stored(fixed: &str) -> f64 {
    fixed.parse().unwrap_or(0.0)
}

/// The digits of a whole number, its sign aside.
fn digits(v: i64) -> usize {
    v.unsigned_abs()
        .checked_ilog10()
        .map_or(1, |d| d as usize + 1)
}

/// The deflate level of every workbook civscore writes: 3 rather than the usual 6 writes a
/// large report in about half the time for a file some 12 % larger.
pub const LEVEL: u8 = 3;

/// A workbook compressed at [`LEVEL`].
/// The most characters Excel holds in a cell.
pub const MAX_CELL_CHARS: usize = 32_767;

/// A text as a cell can hold it: one longer than Excel's 32,767 characters (a unit name of
/// megabytes from the records) is cut there, ending in `…`, instead of failing the workbook.
pub fn fit(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= MAX_CELL_CHARS {
        return std::borrow::Cow::Borrowed(s);
    }
    match s.char_indices().nth(MAX_CELL_CHARS - 1) {
        None => std::borrow::Cow::Borrowed(s),
        Some((at, _)) => std::borrow::Cow::Owned(format!("{}…", &s[..at])),
    }
}

pub fn workbook() -> Workbook {
    let mut book = Workbook::new();
    book.set_zip_compression_level(LEVEL);
    book
}

/// The last data row a sheet can hold (Excel's limit, header included).
pub const MAX_ROW: u32 = 1_048_575;

/// Writes cells and remembers how wide each column must be.
pub struct Sheet<'w> {
    pub ws: &'w mut Worksheet,
    /// The language of the printed page's footer.
    lang: crate::i18n::Lang,
    widths: Vec<usize>,
    number: Format,
    integer: Format,
    /// A rank change: ↑2, ↓1 in red, – for none (the cell stays a number).
    rank_change: Format,
    /// A score change: +7.00, -1.50 (the cell stays a number).
    signed: Format,
    header: Format,
    /// A sheet's title above its table.
    title: Format,
    /// The row of the sheet's header (its first), once written: the rows above are titles.
    head_row: Option<u32>,
    /// Numbers take their format from their column (set by the first number written in it)
    /// rather than each its own: the writer hashes a cell's format to find its style, which a
    /// sheet of a million rows pays for millions of times.
    inherit: bool,
    /// Per column, the number format it was given (`Kind as u8`; 0 for none).
    kinds: Vec<u8>,
}

/// The number formats of [`Sheet`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer = 1,
    Number = 2,
    Signed = 3,
    RankChange = 4,
}

/// Excel forbids `[]:*?/\` in sheet names and cuts them at 31 characters.
pub fn sheet_name(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    clean.chars().take(31).collect()
}

impl<'w> Sheet<'w> {
    pub fn new(ws: &'w mut Worksheet, precision: u32, lang: crate::i18n::Lang) -> Self {
        let [number, integer, signed, rank_change, header, title] = Sheet::formats(precision);
        Sheet {
            ws,
            lang,
            widths: Vec::new(),
            signed,
            number,
            integer,
            rank_change,
            header,
            title,
            head_row: None,
            inherit: false,
            kinds: Vec::new(),
        }
    }

    /// The formats a sheet writes with: numbers, integers, score changes, rank changes, the
    /// header and the title.
    fn formats(precision: u32) -> [Format; 6] {
        let decimals = if precision == 0 {
            "0".to_owned()
        } else {
            format!("0.{}", "0".repeat(precision as usize))
        };
        [
            Format::new().set_num_format(&decimals),
            Format::new().set_num_format("0"),
            Format::new().set_num_format(format!("+{decimals};-{decimals};{decimals}")),
            Format::new().set_num_format("\"↑\"0;[Red]\"↓\"0;\"–\""),
            Format::new()
                .set_bold()
                .set_background_color("#DDEBF7")
                .set_align(FormatAlign::Center),
            Format::new().set_bold().set_font_size(14),
        ]
    }

    /// Gives the workbook the sheets' formats in a fixed order before sheets are written on
    /// several threads: sheets written in constant memory number their formats in one table
    /// as they first use them, so two threads could otherwise number them either way.
    pub fn register_formats(book: &mut Workbook, precision: u32) {
        for f in Sheet::formats(precision) {
            book.register_format(&f);
        }
    }

    /// From now on, a column's numbers of one format take it from the column (set before the
    /// rows that use it are written): the same cells and styles, written faster.
    pub fn inherit_column_formats(&mut self) {
        self.inherit = true;
    }

    /// Writes a number in one of the sheet's formats.
    fn put(&mut self, r: u32, c: u16, v: f64, kind: Kind) -> Result<(), XlsxError> {
        let format = match kind {
            Kind::Integer => &self.integer,
            Kind::Number => &self.number,
            Kind::Signed => &self.signed,
            Kind::RankChange => &self.rank_change,
        };
        if self.inherit {
            let k = c as usize;
            if self.kinds.len() <= k {
                self.kinds.resize(k + 1, 0);
            }
            if self.kinds[k] == 0 {
                self.kinds[k] = kind as u8;
                self.ws.set_column_format(c, format)?;
            }
            if self.kinds[k] == kind as u8 {
                self.ws.write_number(r, c, v)?;
                return Ok(());
            }
        }
        self.ws.write_number_with_format(r, c, v, format)?;
        Ok(())
    }

    /// The language of the printed page (and of a sheet's own notes).
    pub fn lang(&self) -> crate::i18n::Lang {
        self.lang
    }

    fn width(&mut self, c: u16, w: usize) {
        let c = c as usize;
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0);
        }
        self.widths[c] = self.widths[c].max(w);
    }

    pub fn text(&mut self, r: u32, c: u16, s: &str) -> Result<(), XlsxError> {
        let fitted = fit(s);
        let s: &str = &fitted;
        // A text is never wider than its length in UTF-8 bytes: most cells of a long column
        // need no measuring.
        if self.widths.get(c as usize).is_none_or(|&w| s.len() > w) {
            self.width(c, UnicodeWidthStr::width(s));
        }
        if s.is_empty() {
            return Ok(());
        }
        // Text is written as text: a name such as =1+1 never becomes a formula. Without a
        // format (the default one): the writer would otherwise hash the format for every cell.
        self.ws.write_string(r, c, s)?;
        Ok(())
    }

    /// A title line above the table (it does not widen its column).
    pub fn title(&mut self, r: u32, text: &str) -> Result<(), XlsxError> {
        self.ws
            .write_string_with_format(r, 0, fit(text).as_ref(), &self.title)?;
        Ok(())
    }

    pub fn head(&mut self, r: u32, cells: &[String]) -> Result<(), XlsxError> {
        self.head_row.get_or_insert(r);
        for (c, s) in cells.iter().enumerate() {
            self.width(c as u16, UnicodeWidthStr::width(s.as_str()) + 2);
            self.ws
                .write_string_with_format(r, c as u16, s, &self.header)?;
        }
        Ok(())
    }

    pub fn number(&mut self, r: u32, c: u16, d: Decimal, dp: u32) -> Result<(), XlsxError> {
        let text = super::fixed(d, dp);
        self.width(c, text.len());
        self.put(r, c, stored(&text), Kind::Number)
    }

    /// A rank change, shown ↑2 / ↓1 / – and coloured, stored as the number.
    pub fn rank_change(&mut self, r: u32, c: u16, v: i64) -> Result<(), XlsxError> {
        self.width(c, digits(v) + 1);
        self.put(r, c, v as f64, Kind::RankChange)
    }

    /// A change of score with its sign (+7.00), stored as the number.
    pub fn signed(&mut self, r: u32, c: u16, d: Decimal, dp: u32) -> Result<(), XlsxError> {
        let text = super::fixed(d, dp);
        self.width(c, text.len() + 1);
        self.put(r, c, stored(&text), Kind::Signed)
    }

    pub fn int(&mut self, r: u32, c: u16, v: i64) -> Result<(), XlsxError> {
        self.width(c, digits(v) + usize::from(v < 0));
        self.put(r, c, v as f64, Kind::Integer)
    }

    /// Frozen header row, autofilter, column widths, and the printed page: A4 (landscape when
    /// wider than a portrait page), one page wide, the header row on every page, and a footer
    /// with the page number (第 1 页 共 3 页).
    /// The rows above the header (titles) are frozen and printed on every page with it.
    pub fn finish(&mut self, last_row: u32, last_col: u16) -> Result<(), XlsxError> {
        let head = self.head_row.unwrap_or(0);
        self.ws.set_freeze_panes(head + 1, 0)?;
        self.ws.set_repeat_rows(0, head)?;
        if last_row > head {
            self.ws.autofilter(head, 0, last_row, last_col)?;
        }
        self.page()
    }

    /// Ends a sheet of blocks, one a unit, each printed from a page of its own (a page break
    /// after each, Excel allowing 1,023): widths and the printed page as [`Sheet::finish`]
    /// sets them, without a frozen header or a filter (the blocks' headers differ).
    pub fn finish_blocks(&mut self, breaks: &[u32]) -> Result<(), XlsxError> {
        let breaks: Vec<u32> = breaks
            .iter()
            .copied()
            .filter(|&b| b > 0 && b < MAX_ROW)
            .take(1023)
            .collect();
        self.ws.set_page_breaks(&breaks)?;
        self.page()
    }

    /// A4, landscape when wider than a portrait page, one page wide, the page-numbered footer,
    /// the columns' widths.
    fn page(&mut self) -> Result<(), XlsxError> {
        self.ws.set_paper_size(9);
        let width: usize = self.widths.iter().map(|w| w + 2).sum();
        if width > 90 {
            self.ws.set_landscape();
        }
        self.ws.set_print_fit_to_pages(1, 0);
        self.ws.set_footer(crate::i18n::page_footer(self.lang));
        for (c, w) in self.widths.iter().enumerate() {
            let w = (*w as f64 + 2.0).clamp(6.0, 80.0);
            self.ws.set_column_width(c as u16, w)?;
        }
        Ok(())
    }
}

/// Grades coloured by conditional formats over a column's rows, so that the colours follow
/// the cells when the sheet is sorted: the best grade green, the second blue, the last red,
/// the others amber.
pub fn grade_colors(
    ws: &mut Worksheet,
    (first, last): (u32, u32),
    col: u16,
    grades: &[(String, crate::doc::Standing)],
) -> Result<(), XlsxError> {
    use crate::doc::Standing;
    use rust_xlsxwriter::{ConditionalFormatCell, ConditionalFormatCellRule};
    if last < first {
        return Ok(());
    }
    for (name, standing) in grades {
        let (fill, font) = match standing {
            Standing::Best => ("C6EFCE", "006100"),
            Standing::Second => ("DDEBF7", "1F4E78"),
            Standing::Middle => ("FFEB9C", "9C5700"),
            Standing::Last => ("FFC7CE", "9C0006"),
        };
        // A text compared in a formula is quoted, its own quotes doubled.
        let text = format!("\"{}\"", name.replace('"', "\"\""));
        let rule = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::EqualTo(text.as_str()))
            .set_format(
                Format::new()
                    .set_background_color(fill)
                    .set_font_color(font),
            );
        ws.add_conditional_format(first, col, last, col, &rule)?;
    }
    Ok(())
}

/// What a ranking sheet's bar chart shows: where its labels and scores are, and its words.
pub struct ScoreChart<'a> {
    pub sheet: &'a str,
    /// The first and last data rows.
    pub rows: (u32, u32),
    /// The column of the bars' labels (unit names, else codes) and of the scores.
    pub label_col: u16,
    pub score_col: u16,
    pub title: &'a str,
    /// The axis titles: scores, units.
    pub value_title: &'a str,
    pub label_title: &'a str,
    /// The lowest score shown: the value axis starts a little below it.
    pub lowest: Decimal,
}

/// A bar chart of a ranking sheet's scores in rank order: rank 1 at the top, bars growing
/// left to right from a value axis that starts just below the lowest score (a multiple of 5),
/// labelled with the units' names, with axis titles.
pub fn score_chart(c: &ScoreChart) -> Chart {
    let mut chart = Chart::new(ChartType::Bar);
    chart
        .add_series()
        .set_categories((c.sheet, c.rows.0, c.label_col, c.rows.1, c.label_col))
        .set_values((c.sheet, c.rows.0, c.score_col, c.rows.1, c.score_col))
        .set_name(c.title);
    chart.title().set_name(c.title);
    // In a bar chart the y axis holds the categories: reversed, the first row is at the top.
    chart.y_axis().set_reverse().set_name(c.label_title);
    let five = Decimal::from(5);
    let floor = ((c.lowest / five).floor() * five - five).max(Decimal::ZERO);
    chart
        .x_axis()
        .set_name(c.value_title)
        .set_min(num(floor, 0));
    chart.legend().set_hidden();
    chart
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_of_numbers_are_their_digits() {
        for v in [
            0i64,
            7,
            10,
            99,
            100,
            -1,
            -100,
            1_048_575,
            i64::MIN,
            i64::MAX,
        ] {
            assert_eq!(digits(v), v.unsigned_abs().to_string().len(), "{v}");
        }
        // The stored number is the shown one: 99.675 shown 99.68 is stored 99.68.
        assert_eq!(
            stored(&crate::doc::fixed("99.675".parse().unwrap(), 2)),
            99.68
        );
        assert_eq!(
            stored(&crate::doc::fixed("-0.001".parse().unwrap(), 2)),
            0.0
        );
    }
}
