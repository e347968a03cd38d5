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

/// A column, its English name and its Chinese headers.
type Named = (Col, &'static str, &'static [&'static str]);

/// Each column's English name and the Chinese headers offices write for it (matched after NFKC,
/// case folding and removing spaces: `检 查 日 期`, `ＤＡＴＥ`).
const COLUMNS: &[Named] = &[
    (
        Col::Date,
        "date",
        &[
            "日期",
            "检查日期",
            "检查时间",
            "督查日期",
            "督查时间",
            "时间",
            "发现日期",
            "发现时间",
            "巡查日期",
            "考核日期",
        ],
    ),
    (
        Col::Unit,
        "unit",
        &[
            "单位",
            "责任单位",
            "被检查单位",
            "单位名称",
            "社区",
            "被检单位",
            "被督查单位",
            "社区名称",
            "责任主体",
        ],
    ),
    (
        Col::Indicator,
        "indicator",
        &[
            "指标",
            "指标编号",
            "指标代码",
            "考核指标",
            "扣分项目",
            "测评指标",
            "考核项目",
            "扣分指标",
        ],
    ),
    (
        Col::Count,
        "count",
        &[
            "数量",
            "问题数",
            "问题数量",
            "处数",
            "问题处数",
            "个数",
            "发现问题数",
        ],
    ),
    (
        Col::Value,
        "value",
        &[
            "数值",
            "测量值",
            "测评值",
            "实测值",
            "检测值",
            "比例",
            "比率",
        ],
    ),
    (
        Col::Severity,
        "severity",
        &["程度", "问题程度", "严重程度", "问题等级", "严重等级"],
    ),
    (
        Col::Source,
        "source",
        &[
            "方式",
            "检查方式",
            "检查类型",
            "检查形式",
            "问题来源",
            "来源",
            "督查方式",
            "发现方式",
        ],
    ),
    (
        Col::Deadline,
        "deadline",
        &[
            "整改期限",
            "整改时限",
            "限期",
            "整改截止日期",
            "限期整改",
            "整改限期",
            "限期整改日期",
            "要求整改日期",
            "要求整改时间",
            "整改截止时间",
            "应整改日期",
        ],
    ),
    (
        Col::Rectified,
        "rectified",
        &[
            "整改日期",
            "整改完成日期",
            "整改时间",
            "销号日期",
            "实际整改日期",
            "整改完成时间",
            "完成整改日期",
            "实际完成日期",
            "销号时间",
        ],
    ),
    (
        Col::Status,
        "status",
        &[
            "状态",
            "记录状态",
            "整改情况",
            "整改状态",
            "整改结果",
            "处理状态",
            "办理状态",
        ],
    ),
    (Col::Id, "id", &["编号", "记录编号", "问题编号", "工单号"]),
    (
        Col::Note,
        "note",
        &[
            "问题描述",
            "备注",
            "问题",
            "情况说明",
            "描述",
            "问题内容",
            "存在问题",
            "具体问题",
        ],
    ),
    (
        Col::Inspector,
        "inspector",
        &["检查人", "检查人员", "督查人", "督查人员", "记录人"],
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

/// The column a header cell names: by its name or a Chinese header, also with a bracketed
/// qualifier after it (`数量（处）`, `数值(%)`, `日期【年月日】`: the unit a clerk writes in the
/// header), so that no column is left unread for it.
pub(super) fn column_of(cell: &str) -> Option<Col> {
    let key = input::header_key(cell);
    let named = |key: &str| {
        COLUMNS
            .iter()
            .find(|(_, name, aliases)| *name == key || aliases.contains(&key))
            .map(|(c, _, _)| *c)
    };
    named(&key).or_else(|| {
        let bare = [('(', ')'), ('[', ']'), ('【', '】')]
            .iter()
            .find_map(|&(open, close)| key.strip_suffix(close)?.rsplit_once(open))
            .map(|(bare, _)| bare)?;
        named(bare).filter(|_| !bare.is_empty())
    })
}

/// The optional columns whose cells change scores: a header without one of them reads every
/// row as without it.
const SCORING: &[Col] = &[
    Col::Count,
    Col::Value,
    Col::Severity,
    Col::Source,
    Col::Deadline,
    Col::Rectified,
    Col::Status,
];

/// A header cell that names no column but looks like a scoring column the header lacks (it ends
/// in one of its names of three characters or more: `实际整改完成日期`), with that column: left
/// unread, every row would be scored as without it.
fn looks_like_missing<'h>(
    header: &'h [String],
    cols: &HashMap<u8, usize>,
) -> Option<(&'h str, &'static Named)> {
    let absent = COLUMNS
        .iter()
        .filter(|(c, _, _)| SCORING.contains(c) && !cols.contains_key(&(*c as u8)));
    header
        .iter()
        .enumerate()
        .filter(|(i, h)| {
            let key = input::header_key(h);
            !cols.values().any(|u| u == i) && !key.is_empty() && !IGNORABLE.contains(&key.as_str())
        })
        .find_map(|(_, h)| {
            let key = input::header_key(h);
            absent
                .clone()
                .find(|(_, name, aliases)| {
                    // A Chinese header ends in its head noun: 实际整改完成日期 is a 整改完成日期,
                    // 整改情况说明 is a 说明. Two-character names end unrelated headers (方式 in
                    // 联系方式), and edits are no guide (分值 is one from 数值, 发现问题 from 发现问题数).
                    std::iter::once(*name)
                        .chain(aliases.iter().copied())
                        .any(|n| !n.is_ascii() && n.chars().count() >= 3 && key.ends_with(n))
                })
                .map(|entry| (h.as_str(), entry))
        })
}

/// Whether `time` is the time of day of the date `date` heads: 检查时间 beside 检查日期, 时间
/// beside 日期 (the same words before 时间 and 日期). 检查时间 beside a report's 日期 is not: that
/// is two dates, and which is meant is not guessed.
fn time_of(time: &str, date: &str) -> bool {
    let (time, date) = (input::header_key(time), input::header_key(date));
    time.strip_suffix("时间")
        .zip(date.strip_suffix("日期"))
        .is_some_and(|(a, b)| a == b)
}

/// Whether a row names every required column: a records header.
pub(super) fn names_required(header: &[String]) -> bool {
    REQUIRED
        .iter()
        .all(|col| header.iter().any(|h| column_of(h) == Some(*col)))
}

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
            let Some(col) = column_of(h) else {
                continue;
            };
            match cols.get(&(col as u8)) {
                None => {
                    cols.insert(col as u8, i);
                }
                // A date beside its time of day (检查日期 and 检查时间, 整改日期 and 整改时间):
                // the date is read, the time is a column not used.
                Some(&first) if time_of(&head.header[first], h) => {
                    cols.insert(col as u8, i);
                }
                Some(&first) if time_of(h, &head.header[first]) => {}
                // Two cells naming a column scores read (a report date beside the inspection
                // date, a stale hidden 数量 beside 问题数): which is meant is not for the order
                // of the columns to decide. Two note, inspector or id columns: the first is read
                // (a wrong id column shows as repeats, never as a score).
                Some(&first) if !matches!(col, Col::Note | Col::Inspector | Col::Id) => {
                    return Err(Error::Invalid(msg::column_twice(
                        ui(),
                        &format!("{}:{}", head.name, head.header_line),
                        input::trim_cell(&head.header[first]),
                        input::trim_cell(h),
                        &msg::column_names(ui(), COLUMNS[col as usize].1, COLUMNS[col as usize].2),
                    )));
                }
                Some(_) => {}
            }
        }
        let missing: Vec<String> = COLUMNS
            .iter()
            .filter(|(c, _, _)| REQUIRED.contains(c) && !cols.contains_key(&(*c as u8)))
            .map(|(_, name, aliases)| msg::column_names(ui(), name, aliases))
            .collect();
        if let Some((cell, (_, name, aliases))) = looks_like_missing(&head.header, &cols) {
            return Err(Error::Invalid(msg::column_looks_like(
                ui(),
                &format!("{}:{}", head.name, head.header_line),
                input::trim_cell(cell),
                &msg::column_names(ui(), name, aliases),
            )));
        }
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

/// Whether a cell sums up: 合计, 汇总, total, and 10月小计 / 本月合计： / 小计(10月) (a short
/// cell holding 合计, 小计 or 总计).
pub(super) fn is_total_cell(c: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    let c: String = c
        .nfkc()
        .filter(|c| !c.is_whitespace() && !":：".contains(*c))
        .collect::<String>()
        .to_lowercase();
    matches!(c.as_str(), "total" | "subtotal" | "汇总")
        || (c.chars().count() <= 12 && ["合计", "小计", "总计"].iter().any(|t| c.contains(t)))
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
    let total = |c: &&str| is_total_cell(c);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_name_is_one_columns_and_brackets_are_read_past() {
        let mut seen = std::collections::HashMap::new();
        for (i, (col, _, _)) in COLUMNS.iter().enumerate() {
            assert_eq!(*col as usize, i, "COLUMNS is in the order of Col");
        }
        for (col, name, aliases) in COLUMNS {
            for n in std::iter::once(name).chain(aliases.iter()) {
                let key = input::header_key(n);
                assert_eq!(&key, n, "{n} is not in its header form");
                if let Some(other) = seen.insert(key, *col) {
                    panic!("{n} names {other:?} and {col:?}");
                }
            }
        }
        assert_eq!(column_of("数量（处）"), Some(Col::Count));
        assert_eq!(column_of("数值 (%)"), Some(Col::Value));
        assert_eq!(column_of("日期【年月日】"), Some(Col::Date));
        assert_eq!(column_of("（处）"), None);
        assert_eq!(column_of("扣分"), None);
    }

    /// The README's table of columns lists every name the reader takes, and only those.
    #[test]
    fn the_readme_lists_every_column_name() {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
        for (_, name, aliases) in COLUMNS {
            let row = format!("| `{name}` | {} |", aliases.join(", "));
            assert!(readme.contains(&row), "README.md lacks the row {row}");
        }
    }

    #[test]
    fn a_header_that_looks_like_a_missing_scoring_column_is_found() {
        let header =
            |cells: &[&str]| -> Vec<String> { cells.iter().map(|c| c.to_string()).collect() };
        let cols_of = |h: &[String]| -> HashMap<u8, usize> {
            h.iter()
                .enumerate()
                .filter_map(|(i, c)| column_of(c).map(|col| (col as u8, i)))
                .collect()
        };
        let found = |cells: &[&str]| {
            let h = header(cells);
            looks_like_missing(&h, &cols_of(&h)).map(|(cell, (col, _, _))| (cell.to_owned(), *col))
        };
        // A header ending in a name of a missing scoring column.
        assert_eq!(
            found(&["日期", "单位", "指标", "实际整改完成日期"]),
            Some(("实际整改完成日期".into(), Col::Rectified))
        );
        // Not when the column is there, nor for headers that only start with a name, are near
        // one or end in a short one.
        assert_eq!(
            found(&["日期", "单位", "指标", "整改日期", "实际整改完成日期"]),
            None
        );
        for other in [
            "分值",
            "联系方式",
            "序号",
            "扣分",
            "发现问题",
            "整改情况说明",
            "整改完成情况",
            "检查形态",
        ] {
            assert_eq!(found(&["日期", "单位", "指标", other]), None, "{other}");
        }
    }
}
