//! Record columns: each column's English name and the Chinese headers offices write for it,
//! a header read into which cell holds which column, and rows that are not records.

use std::collections::HashMap;

use crate::error::Error;
use crate::i18n::{msg, ui};
use crate::input::{self, Row};
use crate::suggest;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Col {
    Date,
    Unit,
    Indicator,
    Count,
    Value,
    Severity,
    Source,
    Deadline,
    Rectified,
    Status,
    Id,
    Note,
    Inspector,
}

/// Each column's English name and the Chinese headers offices write for it (matched after NFKC,
/// case folding and removing spaces: `检 查 日 期`, `ＤＡＴＥ`).
const COLUMNS: &[(Col, &str, &[&str])] = &[
    (
        Col::Date,
        "date",
        &["日期", "检查日期", "检查时间", "督查日期", "时间"],
    ),
    (
        Col::Unit,
        "unit",
        &["单位", "责任单位", "被检查单位", "单位名称", "社区"],
    ),
    (
        Col::Indicator,
        "indicator",
        &["指标", "指标编号", "指标代码", "考核指标", "扣分项目"],
    ),
    (Col::Count, "count", &["数量", "问题数", "问题数量", "处数"]),
    (Col::Value, "value", &["数值", "测量值", "测评值"]),
    (Col::Severity, "severity", &["程度", "问题程度", "严重程度"]),
    (
        Col::Source,
        "source",
        &["方式", "检查方式", "检查类型", "检查形式"],
    ),
    (
        Col::Deadline,
        "deadline",
        &["整改期限", "整改时限", "限期", "整改截止日期"],
    ),
    (
        Col::Rectified,
        "rectified",
        &["整改日期", "整改完成日期", "整改时间", "销号日期"],
    ),
    (
        Col::Status,
        "status",
        &["状态", "记录状态", "整改情况", "整改状态"],
    ),
    (Col::Id, "id", &["编号", "记录编号"]),
    (
        Col::Note,
        "note",
        &["问题描述", "备注", "问题", "情况说明", "描述"],
    ),
    (
        Col::Inspector,
        "inspector",
        &["检查人", "检查人员", "督查人"],
    ),
];

/// Columns offices keep that civscore has no use for and names in no note: a row's sequence
/// number.
const IGNORABLE: &[&str] = &["序号", "no", "no.", "#"];

const REQUIRED: &[Col] = &[Col::Date, Col::Unit, Col::Indicator];

/// Which cell holds which column.
pub(super) struct Columns {
    /// The header's columns that no rule reads, named for a note (`整改情况 (did you mean 状态?)`).
    pub unused: Vec<String>,
    cols: HashMap<u8, usize>,
    header: Vec<String>,
}

/// The header's cells that name no column and are not ignorable, each with the nearest column
/// name when one is near.
/// The most columns a records header may have: as many as an Excel sheet.
pub const MAX_COLUMNS: usize = 16_384;

fn unused(header: &[String], cols: &HashMap<u8, usize>) -> Vec<String> {
    let used: Vec<usize> = cols.values().copied().collect();
    let names = COLUMNS
        .iter()
        .flat_map(|(_, name, aliases)| std::iter::once(*name).chain(aliases.iter().copied()));
    header
        .iter()
        .enumerate()
        .filter(|(i, h)| {
            let key = input::header_key(h);
            !used.contains(i) && !key.is_empty() && !IGNORABLE.contains(&key.as_str())
        })
        .map(|(_, h)| {
            let h = input::trim_cell(h);
            let hint = msg::hint(ui(), suggest::closest(h, names.clone()));
            format!("{h}{hint}")
        })
        .collect()
}

/// Whether a row names every required column: a records header.
pub(super) fn names_required(header: &[String]) -> bool {
    REQUIRED.iter().all(|col| {
        header.iter().any(|h| {
            let key = input::header_key(h);
            COLUMNS.iter().any(|(c, name, aliases)| {
                c == col && (*name == key || aliases.contains(&key.as_str()))
            })
        })
    })
}

/// How many of the first rows may stand above the header (titles, 填报单位…).
pub(super) const HEADER_WITHIN: usize = 10;

impl Columns {
    pub(super) fn of(head: &input::Head) -> Result<Columns, Error> {
        // Every column no rule reads is looked up among the known names, for a hint: a header
        // of millions of columns (16 MiB of "a,") took minutes. Excel's own limit is the bound.
        if head.header.len() > MAX_COLUMNS {
            let at = format!("{}:{}", head.name, head.header_line);
            return Err(Error::Invalid(msg::too_many_columns(
                ui(),
                &at,
                head.header.len(),
                MAX_COLUMNS,
            )));
        }
        let mut cols = HashMap::new();
        for (i, h) in head.header.iter().enumerate() {
            let key = input::header_key(h);
            if let Some((col, _, _)) = COLUMNS
                .iter()
                .find(|(_, name, aliases)| *name == key || aliases.contains(&key.as_str()))
            {
                cols.entry(*col as u8).or_insert(i);
            }
        }
        let missing: Vec<String> = COLUMNS
            .iter()
            .filter(|(c, _, _)| REQUIRED.contains(c) && !cols.contains_key(&(*c as u8)))
            .map(|(_, name, aliases)| msg::column_names(ui(), name, aliases))
            .collect();
        if !missing.is_empty() {
            return Err(Error::Invalid(msg::missing_columns(
                ui(),
                &format!("{}:{}", head.name, head.header_line),
                &missing,
                &head.header,
            )));
        }
        Ok(Columns {
            unused: unused(&head.header, &cols),
            cols,
            header: head.header.clone(),
        })
    }

    pub(super) fn cell<'r>(&self, row: &'r Row, col: Col) -> &'r str {
        self.cols
            .get(&(col as u8))
            .and_then(|i| row.cells.get(*i))
            .map(String::as_str)
            .unwrap_or("")
    }

    pub(super) fn name(&self, col: Col) -> String {
        self.name_of(col)
    }

    /// The index of a column's cell, when the header has it.
    pub(super) fn index(&self, col: Col) -> Option<usize> {
        self.cols.get(&(col as u8)).copied()
    }

    fn name_of(&self, col: Col) -> String {
        self.cols
            .get(&(col as u8))
            .and_then(|i| self.header.get(*i))
            .cloned()
            .unwrap_or_else(|| {
                COLUMNS
                    .iter()
                    .find(|(c, _, _)| *c == col)
                    .map(|(_, n, _)| n.to_string())
                    .unwrap_or_default()
            })
    }
}

pub(super) const ALL_COLS: [Col; 13] = [
    Col::Date,
    Col::Unit,
    Col::Indicator,
    Col::Count,
    Col::Value,
    Col::Severity,
    Col::Source,
    Col::Deadline,
    Col::Rectified,
    Col::Status,
    Col::Id,
    Col::Note,
    Col::Inspector,
];

/// A row of an office ledger that is not a record (SPEC §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NotARecord {
    /// 合计/小计/总计 in a row without record content (no date, no indicator).
    Total,
    /// A row whose only content is a sequence number (pre-numbered blank rows).
    Numbered,
}

/// Whether a row the checks refuse is not a record at all: a total row, or a row holding only
/// a sequence number. Such rows are skipped and counted, never scored.
pub(super) fn not_a_record(l: &Columns, row: &Row) -> Option<NotARecord> {
    use unicode_normalization::UnicodeNormalization;
    let filled: Vec<&str> = row
        .cells
        .iter()
        .map(|c| input::trim_cell(c))
        .filter(|c| !c.is_empty())
        .collect();
    if let [only] = filled[..]
        && only.nfkc().all(|c| c.is_ascii_digit())
        && l.cell(row, Col::Date).is_empty()
    {
        return Some(NotARecord::Numbered);
    }
    let total = |c: &&str| {
        let c: String = c
            .nfkc()
            .filter(|c| !c.is_whitespace() && !":：".contains(*c))
            .collect();
        matches!(
            c.to_lowercase().as_str(),
            "合计" | "小计" | "总计" | "total" | "subtotal"
        )
    };
    // No record content: no date and no indicator (a record whose note says 合计 is a record).
    // A 合计 merged over the first columns fills the indicator's cell too: that is no content.
    let dated = crate::period::parse_date(l.cell(row, Col::Date)).is_ok();
    let indicator = l.cell(row, Col::Indicator);
    let content = dated || !(indicator.is_empty() || total(&indicator));
    (filled.iter().any(total) && !content).then_some(NotARecord::Total)
}

pub(super) fn is_header_again(header: &[String], row: &Row) -> bool {
    let key = |s: &String| input::header_key(s);
    header.len() == row.cells.len() && header.iter().map(key).eq(row.cells.iter().map(key))
}
