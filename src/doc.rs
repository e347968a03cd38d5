//! One document model: what a command shows, as titled tables of typed cells, already in the
//! reader's words but not yet in any format. Every human-facing writer (`write::table`,
//! `write::csv`, `write::md`, `write::xlsx`, `write::html`) formats a [`Document`]; the choices of escaping,
//! alignment, colour and formula defusing belong to the writers alone.

use rust_decimal::Decimal;

use crate::i18n::{self, Lang, W};

/// Titled tables, in order.
#[derive(Debug, Clone)]
pub struct Document {
    pub tables: Vec<Table>,
    /// The language of its words (an HTML page says so).
    pub lang: Lang,
    /// Decimals of the numbers a workbook stores (the rubric's precision).
    pub precision: u32,
    /// CSV only: begin with a UTF-8 BOM (so that Excel reads Chinese text).
    pub bom: bool,
}

/// One titled table.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub title: String,
    /// A short name for a workbook's sheet.
    pub sheet: String,
    /// The table is provisional (a terminal shows its title dimmed).
    pub provisional: bool,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// A closing row (the average), shown to people as rows are.
    pub footer: Option<Vec<Cell>>,
    /// The closing row as machine formats carry it (CSV), where it differs.
    pub machine_footer: Option<Vec<Cell>>,
}

impl Table {
    /// A table without a closing row, not provisional.
    pub fn new(title: String, sheet: String, columns: Vec<Column>, rows: Vec<Vec<Cell>>) -> Table {
        Table {
            title,
            sheet,
            provisional: false,
            columns,
            rows,
            footer: None,
            machine_footer: None,
        }
    }
}

/// Which writers show a column: people (table, md, xlsx), machines (csv), or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    Both,
    People,
    Machines,
}

#[derive(Debug, Clone)]
pub struct Column {
    /// The header people read, in the document's language.
    pub header: String,
    /// The stable header of machine formats (CSV).
    pub key: &'static str,
    pub show: Show,
}

impl Column {
    pub fn new(lang: Lang, word: W, key: &'static str) -> Column {
        Column {
            header: i18n::t(lang, word).to_owned(),
            key,
            show: Show::Both,
        }
    }

    /// A column only machine formats carry (its header is its key).
    pub fn machine(key: &'static str) -> Column {
        Column {
            header: key.to_owned(),
            key,
            show: Show::Machines,
        }
    }

    pub fn people(mut self) -> Column {
        self.show = Show::People;
        self
    }

    pub fn for_people(&self) -> bool {
        self.show != Show::Machines
    }

    pub fn for_machines(&self) -> bool {
        self.show != Show::People
    }
}

/// How a grade stands among the rubric's grades, for colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Best,
    Second,
    Middle,
    Last,
}

/// A typed cell. Text from the inputs is [`Cell::Text`]; the writers escape or defuse it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    /// Text from the inputs or the rubric (names, notes, codes).
    Text(String),
    /// Words of the catalogue or built from it (no escaping needed, none harmful).
    Words(String),
    Int(i64),
    /// A number shown with a number of decimals.
    Number(Decimal, u32),
    /// Points lost, shown as `−2.00` (and stored negative in a workbook).
    Lost(Decimal, u32),
    /// A change of score: `+7.00`, `-1.00`.
    Signed(Decimal, u32),
    /// A change of rank: `↑2`, `↓1`, `–` for people; `2`, `-1`, `0` for machines.
    RankChange(i64),
    Grade(String, Option<Standing>),
    /// A yes/no fact: a word (or nothing) for people, `true`/`false` for machines.
    Flag(bool, &'static str),
    /// A mark that people see coloured as a warning (vetoed).
    Alert(String),
    /// Words for people (待考核) where machine formats carry nothing: a figure not given yet.
    Pending(String),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }

    pub fn opt_text(s: Option<&str>) -> Cell {
        s.map_or(Cell::Empty, Cell::text)
    }

    /// Right-aligned on a terminal.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Cell::Int(_)
                | Cell::Number(..)
                | Cell::Lost(..)
                | Cell::Signed(..)
                | Cell::RankChange(_)
        )
    }

    /// The cell as people read it.
    pub fn for_people(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s)
            | Cell::Words(s)
            | Cell::Grade(s, _)
            | Cell::Alert(s)
            | Cell::Pending(s) => s.clone(),
            Cell::Int(v) => v.to_string(),
            Cell::Number(d, p) => fixed(*d, *p),
            Cell::Lost(d, p) => lost(*d, *p),
            Cell::Signed(d, p) => signed(fixed(*d, *p)),
            Cell::RankChange(c) => rank_change(*c),
            Cell::Flag(true, word) => (*word).to_owned(),
            Cell::Flag(false, _) => String::new(),
        }
    }

    /// The cell as machine formats carry it.
    pub fn for_machines(&self) -> String {
        match self {
            Cell::Lost(d, p) => fixed(*d, *p),
            Cell::Signed(d, p) => fixed(*d, *p),
            Cell::RankChange(c) => c.to_string(),
            Cell::Flag(b, _) => b.to_string(),
            Cell::Pending(_) => String::new(),
            other => other.for_people(),
        }
    }
}

/// A decimal rounded half away from zero and shown with exactly `dp` decimals.
pub fn fixed(d: Decimal, dp: u32) -> String {
    let mut r = crate::ranking::round(d, dp);
    r.rescale(dp);
    if r.is_zero() {
        r.set_sign_positive(true);
    }
    r.to_string()
}

/// Points lost: `−2.00`, and `0.00` when nothing is lost at this precision.
fn lost(d: Decimal, dp: u32) -> String {
    let s = fixed(d, dp);
    if s == fixed(Decimal::ZERO, dp) {
        s
    } else {
        format!("−{s}")
    }
}

/// `+7.00` for a rise; a fall or nothing as it is.
pub fn signed(s: String) -> String {
    if s.starts_with('-') || s.chars().all(|c| c == '0' || c == '.') {
        s
    } else {
        format!("+{s}")
    }
}

/// `↑2`, `↓1`, `–` for no change.
pub fn rank_change(c: i64) -> String {
    match c {
        0 => "–".into(),
        n if n > 0 => format!("↑{n}"),
        n => format!("↓{}", n.unsigned_abs()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn cells_for_people_and_for_machines() {
        // The same cell, two readings.
        let cases = [
            (Cell::Lost(d("2"), 2), "−2.00", "2.00"),
            (Cell::Lost(d("0.001"), 2), "0.00", "0.00"),
            (Cell::Signed(d("7"), 2), "+7.00", "7.00"),
            (Cell::Signed(d("-1"), 2), "-1.00", "-1.00"),
            (Cell::RankChange(2), "↑2", "2"),
            (Cell::RankChange(-1), "↓1", "-1"),
            (Cell::RankChange(0), "–", "0"),
            (Cell::Flag(true, "是"), "是", "true"),
            (Cell::Flag(false, "是"), "", "false"),
            (Cell::Number(d("99.675"), 2), "99.68", "99.68"),
        ];
        for (cell, people, machines) in cases {
            assert_eq!(cell.for_people(), people, "{cell:?}");
            assert_eq!(cell.for_machines(), machines, "{cell:?}");
        }
    }

    #[test]
    fn fixed_decimals_round_half_away_from_zero() {
        assert_eq!(fixed(d("99.7"), 2), "99.70");
        assert_eq!(fixed(d("99.675"), 2), "99.68");
        assert_eq!(fixed(d("-0.001"), 2), "0.00");
        assert_eq!(fixed(d("100"), 0), "100");
    }
}
