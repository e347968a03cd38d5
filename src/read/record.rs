//! What reading yields: records, their status, rejected rows with their reasons, and counts.

use std::fmt;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::i18n::{msg, ui};
use crate::period::Month;

use super::check::Checked;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Valid,
    OnSpot,
    Void,
    /// Under appeal (申诉中 / 复核中, SPEC §7.6): the record stands until the office decides.
    Appealed,
}

/// The statuses that say a finding was rectified (已整改).
const RECTIFIED: [&str; 4] = ["rectified", "已整改", "已完成", "整改完成"];

impl Status {
    pub(super) fn parse(s: &str) -> Option<Status> {
        let s = s.trim();
        if s.is_empty() {
            return Some(Status::Valid);
        }
        match s.to_lowercase().as_str() {
            "" | "valid" | "有效" | "open" | "未整改" | "整改中" => Some(Status::Valid),
            "on_spot" | "on-spot" | "当场整改" => Some(Status::OnSpot),
            "void" | "撤销" | "作废" => Some(Status::Void),
            "appealed" | "申诉中" | "复核中" => Some(Status::Appealed),
            // Rectified: an ordinary record, its date in the rectified column.
            s if RECTIFIED.contains(&s) => Some(Status::Valid),
            _ => None,
        }
    }

    /// A status that says the finding was rectified (已整改): its date belongs in 整改日期.
    pub(super) fn says_rectified(s: &str) -> bool {
        RECTIFIED.contains(&s.trim().to_lowercase().as_str())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::OnSpot => "on_spot",
            Status::Void => "void",
            Status::Appealed => "appealed",
        }
    }
}

/// One valid inspection record.
#[derive(Debug, Clone)]
pub struct Record {
    /// Index into the list of input names.
    pub file: u32,
    pub line: u64,
    pub date: Date,
    pub month: Month,
    pub unit: usize,
    pub indicator: usize,
    pub count: u64,
    pub value: Option<Decimal>,
    pub severity: Option<String>,
    /// The severity's index in the deduction map (0 for a flat deduction).
    pub severity_index: usize,
    pub source: Option<String>,
    /// The source's index among the rubric's sources (their number for empty or undeclared).
    pub source_index: usize,
    /// The source's weight (1 for an empty or undeclared source).
    pub weight: Decimal,
    pub deadline: Option<Date>,
    pub rectified: Option<Date>,
    pub status: Status,
    pub id: Option<String>,
    pub note: String,
    pub inspector: String,
}

impl Record {
    /// The checked fields, as the tallies take them.
    pub(crate) fn checked(&self) -> Checked {
        Checked {
            date: self.date,
            month: self.month,
            indicator: self.indicator,
            count: self.count,
            value: self.value,
            severity: self.severity_index,
            source: self.source_index,
            weight: self.weight,
            deadline: self.deadline,
            rectified: self.rectified,
            status: self.status,
        }
    }
}

/// One problem of one row: `FILE:LINE: column "X": what is wrong`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: String,
    pub line: u64,
    /// The column as its header is written in the file.
    pub column: String,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&msg::row_error(
            ui(),
            &self.file,
            self.line,
            &self.column,
            &self.message,
        ))
    }
}

/// A rejected row: its original cells and why.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub file: String,
    pub line: u64,
    pub cells: Vec<String>,
    pub header: Vec<String>,
    pub reasons: Vec<RowError>,
}

/// What the inputs held: `read = scored + void + rejected + skipped`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub read: u64,
    pub scored: u64,
    pub void: u64,
    pub rejected: u64,
    /// Rows that are not records: totals (合计) and rows holding only a sequence number.
    pub totals: u64,
    pub numbered: u64,
    /// Rows left out as double entries (`--dedupe`): equal to a row of an input before them.
    pub doubles: u64,
}

impl Counts {
    pub fn skipped(&self) -> u64 {
        self.totals + self.numbered + self.doubles
    }
}

#[derive(Debug, Default)]
pub struct Loaded {
    /// Each input's columns that no rule reads (with a did-you-mean), for a note.
    pub unused_columns: Vec<(String, Vec<String>)>,
    /// Notes on how the inputs were read (rows above a header, sheets skipped).
    pub notes: Vec<String>,
    /// The records kept (all, or those a command asked for).
    pub records: crate::spill::Kept,
    /// The tallies of every valid record.
    pub store: crate::tally::Store,
    /// Input names, indexed by `Record::file`.
    pub files: Vec<String>,
    pub rejected: Vec<Rejected>,
    pub counts: Counts,
}

impl Loaded {
    /// The notes naming each input's columns that no rule reads.
    pub fn unused_notes(&self) -> Vec<String> {
        use crate::i18n::{msg, ui};
        self.unused_columns
            .iter()
            .map(|(file, columns)| msg::columns_not_used(ui(), file, &msg::list(ui(), columns)))
            .collect()
    }
}
