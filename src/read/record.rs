//! Inspection records (SPEC §2): column matching with Chinese aliases, and the validation of
//! every row, so that every bad row is named and nothing is dropped silently.

use std::collections::HashMap;
use std::fmt;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::error::Error;
use crate::fxhash::ByteKeys;
use crate::i18n::msg::{self, Empty};
use crate::i18n::ui;
use crate::input::{self, Row};
use crate::period::{Month, parse_date};
use crate::rubric::{Deduct, Rubric, Rule, parse_decimal};
use crate::suggest;
use crate::units::Units;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Valid,
    OnSpot,
    Void,
}

/// The statuses that say a finding was rectified (已整改).
const RECTIFIED: [&str; 4] = ["rectified", "已整改", "已完成", "整改完成"];

impl Status {
    pub fn parse(s: &str) -> Option<Status> {
        let s = s.trim();
        if s.is_empty() {
            return Some(Status::Valid);
        }
        match s.to_lowercase().as_str() {
            "" | "valid" | "有效" | "open" | "未整改" | "整改中" => Some(Status::Valid),
            "on_spot" | "on-spot" | "当场整改" => Some(Status::OnSpot),
            "void" | "撤销" | "作废" => Some(Status::Void),
            // Rectified: an ordinary record, its date in the rectified column.
            s if RECTIFIED.contains(&s) => Some(Status::Valid),
            _ => None,
        }
    }

    /// A status that says the finding was rectified (已整改): its date belongs in 整改日期.
    pub fn says_rectified(s: &str) -> bool {
        RECTIFIED.contains(&s.trim().to_lowercase().as_str())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::OnSpot => "on_spot",
            Status::Void => "void",
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
    pub fn checked(&self) -> Checked {
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
}

impl Counts {
    pub fn skipped(&self) -> u64 {
        self.totals + self.numbered
    }
}

/// A row of an office ledger that is not a record (SPEC §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotARecord {
    /// 合计/小计/总计 in a row without record content (no date, no indicator).
    Total,
    /// A row whose only content is a sequence number (pre-numbered blank rows).
    Numbered,
}

/// Whether a row the checks refuse is not a record at all: a total row, or a row holding only
/// a sequence number. Such rows are skipped and counted, never scored.
pub fn not_a_record(l: &Layout, row: &Row) -> Option<NotARecord> {
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
    let dated = crate::period::parse_date(l.cell(row, Col::Date)).is_ok();
    let content = dated || !l.cell(row, Col::Indicator).is_empty();
    (filled.iter().any(total) && !content).then_some(NotARecord::Total)
}

#[derive(Debug, Default)]
pub struct Loaded {
    /// Each input's columns that no rule reads (with a did-you-mean), for a note.
    pub unused_columns: Vec<(String, Vec<String>)>,
    /// The records kept (all, or those a command asked for).
    pub records: Vec<Record>,
    /// The tallies of every valid record.
    pub store: crate::tally::Store,
    /// Input names, indexed by `Record::file`.
    pub files: Vec<String>,
    pub rejected: Vec<Rejected>,
    pub counts: Counts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
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
pub struct Layout {
    /// The header's columns that no rule reads, named for a note (`整改情况 (did you mean 状态?)`).
    pub unused: Vec<String>,
    cols: HashMap<u8, usize>,
    header: Vec<String>,
}

/// The header's cells that name no column and are not ignorable, each with the nearest column
/// name when one is near.
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

impl Layout {
    pub fn of(head: &input::Head) -> Result<Layout, Error> {
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
        Ok(Layout {
            unused: unused(&head.header, &cols),
            cols,
            header: head.header.clone(),
        })
    }

    pub fn cell<'r>(&self, row: &'r Row, col: Col) -> &'r str {
        self.cols
            .get(&(col as u8))
            .and_then(|i| row.cells.get(*i))
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn name(&self, col: Col) -> String {
        self.name_of(col)
    }

    /// The index of a column's cell, when the header has it.
    pub fn index(&self, col: Col) -> Option<usize> {
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

/// The largest count accepted: larger numbers are almost surely typing accidents.
const MAX_COUNT: u64 = 1_000_000;

/// What is wrong with a row but its id, which depends on the rows before it: the header
/// again, its fields ([`check`]) and its unit (empty, or not in the roster). Every reader
/// rejects a row for these reasons, in this order. `Err`: the row repeats the header, the one
/// reason given for it.
pub(crate) type Problems = Result<(Option<Checked>, Vec<RowError>), Vec<RowError>>;

pub(crate) fn problems(
    rubric: &Rubric,
    l: &Layout,
    head: &input::Head,
    row: &Row,
    units: &Units,
) -> Problems {
    let mut errs = Vec::new();
    let mut fail = |col: Col, message: String| {
        errs.push(RowError {
            file: head.name.clone(),
            line: row.line,
            column: l.name(col),
            message,
        });
    };
    if is_header_again(&head.header, row) {
        // Two exports pasted together: one clear reason, not one per column.
        return Err(vec![RowError {
            file: head.name.clone(),
            line: row.line,
            column: head.header.first().cloned().unwrap_or_default(),
            message: msg::header_again(ui()),
        }]);
    }
    let cell = |col: Col| l.cell(row, col);
    let checked = check(rubric, &cell, &mut fail);
    let unit_s = cell(Col::Unit);
    if unit_s.is_empty() {
        fail(Col::Unit, msg::empty(ui(), Empty::Unit));
    } else if !units.accepts(unit_s) {
        let hint = msg::hint(ui(), units.suggestion(unit_s));
        fail(Col::Unit, msg::unit_not_in_roster(ui(), unit_s, &hint));
    }
    Ok((checked, errs))
}

/// A row's fields checked against the rubric (all but the unit and the id, which depend on the
/// roster and on the other rows).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checked {
    pub date: Date,
    pub month: Month,
    pub indicator: usize,
    pub count: u64,
    pub value: Option<Decimal>,
    /// The severity's index in the indicator's deduction map (0 for a flat deduction).
    pub severity: usize,
    /// The source's index among the rubric's sources; their number for an empty or undeclared
    /// source.
    pub source: usize,
    pub weight: Decimal,
    pub deadline: Option<Date>,
    pub rectified: Option<Date>,
    pub status: Status,
}

/// Checks every field of a row but the unit and the id, calling `fail` for each problem.
pub fn check<'c>(
    rubric: &Rubric,
    cell: &dyn Fn(Col) -> &'c str,
    fail: &mut dyn FnMut(Col, String),
) -> Option<Checked> {
    let mut ok = true;
    let mut fail = |col: Col, message: String| {
        ok = false;
        fail(col, message);
    };
    let date_s = cell(Col::Date);
    let date = if date_s.is_empty() {
        fail(Col::Date, msg::empty(ui(), Empty::Date));
        None
    } else {
        parse_date(date_s).map_err(|e| fail(Col::Date, e)).ok()
    };

    let ind_s = cell(Col::Indicator);
    let indicator = if ind_s.is_empty() {
        fail(Col::Indicator, msg::empty(ui(), Empty::Indicator));
        None
    } else {
        let i = rubric.find_indicator(ind_s);
        if i.is_none() {
            fail(Col::Indicator, unknown_indicator(rubric, ind_s));
        }
        i
    };

    let count_s = cell(Col::Count);
    let count = if count_s.is_empty() {
        Some(1)
    } else if let Some(n) = small_whole(count_s.as_bytes()) {
        Some(n)
    } else {
        match parse_decimal(count_s) {
            Some(d)
                if d.fract().is_zero() && d >= Decimal::ZERO && d <= Decimal::from(MAX_COUNT) =>
            {
                u64::try_from(d.trunc().mantissa()).ok()
            }
            Some(d) if d.fract().is_zero() && d > Decimal::from(MAX_COUNT) => {
                fail(Col::Count, msg::count_too_large(ui(), count_s, MAX_COUNT));
                None
            }
            _ => {
                fail(Col::Count, msg::bad_count(ui(), count_s));
                None
            }
        }
    };

    let value_s = cell(Col::Value);
    // A count of 0 (an inspection that found nothing) is no measurement: no value is needed.
    let needs_value =
        count != Some(0) && indicator.is_some_and(|i| rubric.indicators[i].rule.needs_value());
    let value = if value_s.is_empty() {
        if needs_value {
            let code = indicator
                .map(|i| rubric.indicators[i].code.as_str())
                .unwrap_or("");
            fail(Col::Value, msg::value_missing(ui(), code));
        }
        None
    } else {
        let v = parse_decimal(value_s.strip_suffix('%').unwrap_or(value_s).trim());
        if v.is_none() && needs_value {
            fail(Col::Value, msg::bad_value(ui(), value_s));
        }
        v
    };

    let sev_s = cell(Col::Severity);
    let severity = match indicator.map(|i| &rubric.indicators[i].rule) {
        Some(Rule::PerFinding {
            deduct: Deduct::BySeverity(map),
            ..
        }) => {
            let keys = map.iter().map(|(k, _)| k.as_str());
            if sev_s.is_empty() {
                fail(
                    Col::Severity,
                    msg::severity_missing(
                        ui(),
                        indicator
                            .map(|i| rubric.indicators[i].code.as_str())
                            .unwrap_or(""),
                        &keys.collect::<Vec<_>>(),
                    ),
                );
                None
            } else if let Some(k) = map.iter().position(|(k, _)| k == sev_s) {
                Some(k)
            } else {
                let hint = msg::hint(ui(), suggest::closest(sev_s, keys.clone()));
                fail(
                    Col::Severity,
                    msg::unknown_severity(ui(), sev_s, &hint, &keys.collect::<Vec<_>>()),
                );
                None
            }
        }
        _ => Some(0),
    };

    let src_s = cell(Col::Source);
    let declared = rubric.sources.as_ref().map_or(0, Vec::len);
    let (source, weight) = if src_s.is_empty() {
        (declared, Decimal::ONE)
    } else {
        match &rubric.sources {
            None => (declared, Decimal::ONE),
            Some(list) => match list.iter().position(|(k, _)| k == src_s) {
                Some(k) => (k, list[k].1),
                None => {
                    let keys: Vec<&str> = list.iter().map(|(k, _)| k.as_str()).collect();
                    let hint = msg::hint(ui(), suggest::closest(src_s, keys.iter().copied()));
                    fail(Col::Source, msg::unknown_source(ui(), src_s, &hint, &keys));
                    (declared, Decimal::ONE)
                }
            },
        }
    };

    let mut opt_date = |col: Col| {
        let s = cell(col);
        if s.is_empty() {
            return None;
        }
        parse_date(s).map_err(|e| fail(col, e)).ok()
    };
    let deadline = opt_date(Col::Deadline);
    let rectified = opt_date(Col::Rectified);

    let status_s = cell(Col::Status);
    let status = Status::parse(status_s);
    if status.is_none() {
        fail(Col::Status, msg::unknown_status(ui(), status_s));
    } else if Status::says_rectified(status_s) && cell(Col::Rectified).is_empty() {
        // 已整改 without the date it was rectified: lateness cannot be judged.
        fail(Col::Status, msg::rectified_without_date(ui(), status_s));
    }
    let (Some(date), Some(indicator), Some(count), Some(severity), Some(status)) =
        (date, indicator, count, severity, status)
    else {
        return None;
    };
    ok.then_some(Checked {
        date,
        month: Month::of(date),
        indicator,
        count,
        value,
        severity,
        source,
        weight,
        deadline,
        rectified,
        status,
    })
}

/// The common forms of a row's cells read as bytes, for the streaming reader: a date written
/// `2026-11-03`, a count of plain digits, codes, severities and sources written exactly as the
/// rubric spells them, no measured value. For a row in those forms it answers what [`check`]
/// answers for the same (trimmed) cells, without UTF-8 checks, trimming or allocation; for any
/// other row it answers `None`, and the row goes to [`check`], which reads every form and names
/// every problem. Exact matching is enough to skip trimming and UTF-8 checks: only keys that are
/// valid, trimmed text are matched, so a cell equal to one is too.
pub struct Quick {
    indicators: Codes,
    /// Per indicator: it needs a measured value (the quick path leaves those to `check`).
    needs_value: Vec<bool>,
    /// Per indicator: its severity keys, when it deducts by severity (`None` for a key that is
    /// not trimmed text, which no trimmed cell can equal).
    severities: Vec<Option<ByteKeys>>,
    sources: Option<ByteKeys>,
    dates: Dates,
}

/// The indicators by code: by a perfect hash when there are few, else by a hash table.
enum Codes {
    Few(ByteKeys),
    Many(crate::fxhash::ByteMap),
}

fn trimmed_key(k: &str) -> Option<Vec<u8>> {
    (!k.is_empty() && input::trim_cell(k) == k).then(|| k.as_bytes().to_vec())
}

fn keys<'k>(keys: impl Iterator<Item = &'k String>) -> ByteKeys {
    let trimmed: Vec<Option<Vec<u8>>> = keys.map(|k| trimmed_key(k)).collect();
    ByteKeys::new(trimmed.iter().map(Option::as_deref))
}

impl Quick {
    pub fn new(rubric: &Rubric) -> Quick {
        // Each code once, as the rubric finds it (a code that is not trimmed text, none).
        let codes: Vec<Option<Vec<u8>>> = rubric
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| {
                trimmed_key(&ind.code).filter(|_| rubric.indicator_index(&ind.code) == Some(i))
            })
            .collect();
        let indicators = if codes.len() <= 64 {
            Codes::Few(ByteKeys::new(codes.iter().map(Option::as_deref)))
        } else {
            let mut map = crate::fxhash::ByteMap::default();
            for (i, k) in codes.iter().enumerate() {
                if let Some(k) = k {
                    map.insert(k, i as u32);
                }
            }
            Codes::Many(map)
        };
        Quick {
            indicators,
            needs_value: rubric
                .indicators
                .iter()
                .map(|i| i.rule.needs_value())
                .collect(),
            severities: rubric
                .indicators
                .iter()
                .map(|i| match &i.rule {
                    Rule::PerFinding {
                        deduct: Deduct::BySeverity(map),
                        ..
                    } => Some(keys(map.iter().map(|(k, _)| k))),
                    _ => None,
                })
                .collect(),
            sources: rubric
                .sources
                .as_ref()
                .map(|list| keys(list.iter().map(|(k, _)| k))),
            dates: Dates::default(),
        }
    }

    pub fn check<'c>(
        &mut self,
        rubric: &Rubric,
        cell: impl Fn(Col) -> &'c [u8],
    ) -> Option<Checked> {
        let date = self.dates.get(cell(Col::Date))?;
        let code = cell(Col::Indicator);
        let indicator = match &self.indicators {
            Codes::Few(keys) => keys.position(code)?,
            Codes::Many(map) => map.get(code)? as usize,
        };
        let count = match cell(Col::Count) {
            [] => 1,
            c => small_whole(c)?,
        };
        if self.needs_value[indicator] || !cell(Col::Value).is_empty() {
            return None;
        }
        let sev = cell(Col::Severity);
        let severity = match &self.severities[indicator] {
            Some(keys) => keys.position(sev)?,
            None if sev.is_empty() => 0,
            // Not read, but `check` sees it as text.
            None => std::str::from_utf8(sev).map(|_| 0).ok()?,
        };
        let src = cell(Col::Source);
        let declared = rubric.sources.as_ref().map_or(0, Vec::len);
        let (source, weight) = match (&self.sources, &rubric.sources) {
            _ if src.is_empty() => (declared, Decimal::ONE),
            (Some(keys), Some(list)) => {
                let k = keys.position(src)?;
                (k, list[k].1)
            }
            _ => std::str::from_utf8(src)
                .map(|_| (declared, Decimal::ONE))
                .ok()?,
        };
        let deadline = self.dates.optional(cell(Col::Deadline))?;
        let rectified = self.dates.optional(cell(Col::Rectified))?;
        let status = match cell(Col::Status) {
            [] => Status::Valid,
            s => {
                let s = input::trim_cell(std::str::from_utf8(s).ok()?);
                // 已整改 needs its date: `check` says so when it is missing.
                if Status::says_rectified(s) {
                    return None;
                }
                Status::parse(s)?
            }
        };
        Some(Checked {
            date,
            month: Month::of(date),
            indicator,
            count,
            value: None,
            severity,
            source,
            weight,
            deadline,
            rectified,
            status,
        })
    }
}

/// Dates written `2026-11-03`, remembered: a year of records holds a few hundred distinct dates.
struct Dates {
    /// The cell's first eight bytes and last two, and its date (8 KB: small enough to stay in
    /// the processor's nearest cache).
    slots: Box<[(u64, u16, Date); 512]>,
}

impl Default for Dates {
    fn default() -> Self {
        // A key of zero bytes matches no cell of the form (it needs its dashes).
        Dates {
            slots: Box::new([(0, 0, Date::default()); 512]),
        }
    }
}

impl Dates {
    #[inline]
    fn get(&mut self, b: &[u8]) -> Option<Date> {
        let (Some(h), Some(t)) = (b.first_chunk::<8>(), b.get(8..)) else {
            return None;
        };
        let head = u64::from_le_bytes(*h);
        let tail = u16::from_le_bytes(t.try_into().ok()?);
        // Dashes at bytes 4 and 7.
        const DASHES: u64 = 0xff00_00ff_0000_0000;
        if head & DASHES != u64::from_le_bytes(*b"\0\0\0\0-\0\0-") {
            return None;
        }
        let slot = Dates::slot(head, tail);
        let (h, t, d) = self.slots[slot];
        if h == head && t == tail {
            return Some(d);
        }
        self.parse(b, slot, head, tail)
    }

    /// Where a date's key goes: by month (counted from year 0) and day, so that the dates of
    /// any sixteen months in a row never share a slot. Two digits `ab` (a in the low byte)
    /// make 10a + b by one multiplication.
    #[inline]
    fn slot(head: u64, tail: u16) -> usize {
        let two = |x: u64| (((x & 0x0f0f) * 0x0a01) >> 8) as usize & 0xff;
        let months = two(head >> 16) * 12 + two(head >> 40);
        (months * 32 + two(u64::from(tail))) & 511
    }

    /// A date not in the cache: checked and parsed, then remembered.
    #[cold]
    #[inline(never)]
    fn parse(&mut self, b: &[u8], slot: usize, head: u64, tail: u16) -> Option<Date> {
        let form = b
            .iter()
            .enumerate()
            .all(|(k, c)| k == 4 || k == 7 || c.is_ascii_digit());
        let date = form
            .then(|| std::str::from_utf8(b).ok())
            .flatten()
            .and_then(|s| parse_date(s).ok())?;
        self.slots[slot] = (head, tail, date);
        Some(date)
    }

    /// An empty cell is no date; `None` when the cell is not of the quick form.
    fn optional(&mut self, b: &[u8]) -> Option<Option<Date>> {
        if b.is_empty() {
            Some(None)
        } else {
            self.get(b).map(Some)
        }
    }
}

/// A count written as plain digits (the common case: up to seven of them), without the decimal
/// parser.
fn small_whole(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 7 {
        return None;
    }
    let n = b.iter().try_fold(0u64, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0'))
    })?;
    (0..=MAX_COUNT).contains(&n).then_some(n)
}

fn is_header_again(header: &[String], row: &Row) -> bool {
    let key = |s: &String| input::header_key(s);
    header.len() == row.cells.len() && header.iter().map(key).eq(row.cells.iter().map(key))
}

/// `unknown indicator "X"` with the best suggestion: a near-miss code, the code of an indicator
/// whose name was written, or a note that a category code is not an indicator.
fn unknown_indicator(rubric: &Rubric, s: &str) -> String {
    if let Some(ind) = rubric.indicators.iter().find(|i| i.name == s) {
        return msg::indicator_by_name(ui(), s, &ind.code);
    }
    if rubric.category_codes().any(|c| c == s) {
        return msg::indicator_is_category(ui(), s);
    }
    let by_code = suggest::closest(s, rubric.indicators.iter().map(|i| i.code.as_str()));
    let by_name = || {
        suggest::closest(s, rubric.indicators.iter().map(|i| i.name.as_str()))
            .and_then(|n| rubric.indicators.iter().find(|i| i.name == n))
            .map(|i| i.code.as_str())
    };
    msg::unknown_indicator(ui(), s, &msg::hint(ui(), by_code.or_else(by_name)))
}

/// What was read, or the error that stops the run: every invalid row (unless `skip_invalid`),
/// or no record at all.
pub fn finish(loaded: Loaded, paths: &[String], skip_invalid: bool) -> Result<Loaded, Error> {
    if !loaded.rejected.is_empty() && !skip_invalid {
        let errors: Vec<RowError> = loaded
            .rejected
            .iter()
            .flat_map(|r| r.reasons.iter().cloned())
            .collect();
        let summary = msg::rows_invalid(ui(), loaded.counts.rejected, loaded.counts.read);
        return Err(Error::Rows { errors, summary });
    }
    if loaded.counts.scored + loaded.counts.void == 0 {
        return Err(Error::Invalid(if loaded.counts.read == 0 {
            msg::no_records(ui(), Some(&paths.join(", ")))
        } else {
            msg::no_valid_record(ui(), loaded.counts.read)
        }));
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rubric() -> Rubric {
        let text = include_str!("../../tests/data/hand/rubric.yaml");
        crate::rubric::load(text, "hand.yaml").unwrap()
    }

    /// The same with keys in white space, which no trimmed cell can equal.
    fn spaced_rubric() -> Rubric {
        let text = include_str!("../../tests/data/hand/rubric.yaml")
            .replace("暗访: 2", "\" 暗访\": 2")
            .replace("major: 2", "\"major \": 2");
        crate::rubric::load(&text, "spaced.yaml").unwrap()
    }

    const DATES: &[&str] = &[
        "2026-11-03",
        "2026-02-28",
        "2026-02-30",
        "2026-1a-03",
        "+026-11-03",
        "2026/11/3",
        " 2026-11-03",
        "2026-11-03\u{3000}",
        "20261103",
        "",
    ];
    const INDICATORS: &[&str] = &[
        "P1",
        "P2",
        "T1",
        "B1",
        "R1",
        "R2",
        "V1",
        "X1",
        "P",
        " P1",
        "p1",
        "P1\u{3000}",
        "",
    ];
    const COUNTS: &[&str] = &[
        "", "1", "3", "0", "007", "1000000", "1000001", "2.0", " 2", "x",
    ];
    const VALUES: &[&str] = &["", "3", "18.5%", "x"];
    const SEVERITIES: &[&str] = &["", "minor", "major", " major", "major ", "Major", "x"];
    const SOURCES: &[&str] = &[
        "",
        "暗访",
        "现场考核",
        " 暗访",
        "\u{3000}暗访",
        "暗访 ",
        "other",
    ];
    const OPT_DATES: &[&str] = &["", "2026-11-10", "2026-13-01", "2026-11-1", "2026/11/10"];
    const STATUSES: &[&str] = &["", "有效", "void", " VOID ", "当场整改", "x"];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever the quick path accepts, `check` accepts with the same answer (on the cells
        /// trimmed, as the readers hand them to it); the quick path may only decline.
        #[test]
        fn the_quick_path_agrees_with_check(
            picks in prop::collection::vec(0usize..16, 9),
            spaced in any::<bool>(),
        ) {
            let rubric = if spaced { spaced_rubric() } else { rubric() };
            let pick = |list: &[&'static str], k: usize| list[picks[k] % list.len()];
            let cells: Vec<(Col, &str)> = vec![
                (Col::Date, pick(DATES, 0)),
                (Col::Indicator, pick(INDICATORS, 1)),
                (Col::Count, pick(COUNTS, 2)),
                (Col::Value, pick(VALUES, 3)),
                (Col::Severity, pick(SEVERITIES, 4)),
                (Col::Source, pick(SOURCES, 5)),
                (Col::Deadline, pick(OPT_DATES, 6)),
                (Col::Rectified, pick(OPT_DATES, 7)),
                (Col::Status, pick(STATUSES, 8)),
            ];
            let get = |col: Col| cells.iter().find(|(c, _)| *c == col).map_or("", |(_, s)| *s);
            let mut quick = Quick::new(&rubric);
            // Twice: the second answer comes from the date cache.
            for _ in 0..2 {
                let fast = quick.check(&rubric, |c| get(c).as_bytes());
                if let Some(fast) = fast {
                    let trimmed = |c: Col| input::trim_cell(get(c));
                    let mut bad = false;
                    let slow = check(&rubric, &trimmed, &mut |_, _| bad = true);
                    prop_assert!(!bad);
                    prop_assert_eq!(Some(fast), slow);
                }
            }
        }
    }

    #[test]
    fn dates_of_sixteen_months_take_distinct_slots() {
        let mut day = Date::constant(2029, 9, 1);
        let end = Date::constant(2031, 1, 1);
        while day < end {
            // Sixteen months from the first of each month (across a decade).
            let mut taken = std::collections::HashMap::new();
            let last = day.checked_add(jiff::Span::new().months(16)).unwrap();
            let mut d = day;
            while d < last {
                let text = d.to_string();
                let b = text.as_bytes();
                let head = u64::from_le_bytes(b[..8].try_into().unwrap());
                let tail = u16::from_le_bytes(b[8..].try_into().unwrap());
                if let Some(other) = taken.insert(Dates::slot(head, tail), d) {
                    panic!("{d} and {other} share a slot");
                }
                d = d.tomorrow().unwrap();
            }
            day = day.checked_add(jiff::Span::new().months(1)).unwrap();
        }
    }

    #[test]
    fn the_quick_path_takes_the_usual_row() {
        let rubric = rubric();
        let row = |col: Col| -> &[u8] {
            match col {
                Col::Date => b"2026-11-03",
                Col::Indicator => b"P2",
                Col::Severity => b"major",
                Col::Source => "暗访".as_bytes(),
                Col::Deadline => b"2026-11-10",
                _ => b"",
            }
        };
        let c = Quick::new(&rubric).check(&rubric, row).unwrap();
        assert_eq!(c.date, jiff::civil::date(2026, 11, 3));
        assert_eq!((c.indicator, c.count, c.severity, c.source), (1, 1, 1, 1));
        assert_eq!(c.weight, Decimal::from(2));
        assert_eq!(c.deadline, Some(jiff::civil::date(2026, 11, 10)));
        assert_eq!(c.status, Status::Valid);
    }

    #[test]
    fn the_quick_path_finds_codes_of_a_large_rubric() {
        // 70 indicators: more than the perfect hash takes, so codes go through the hash table.
        let mut text = String::from("civscore: 1\ncategories:\n  - code: C\n    indicators:\n");
        for i in 0..70 {
            text.push_str(&format!(
                "      - {{code: K{i}, name: k{i}, points: 1, rule: per_finding, deduct: 0.5}}\n"
            ));
        }
        let rubric = crate::rubric::load(&text, "big.yaml").unwrap();
        let mut quick = Quick::new(&rubric);
        assert!(matches!(quick.indicators, Codes::Many(_)));
        for (code, want) in [
            ("K0", Some(0)),
            ("K69", Some(69)),
            ("K70", None),
            ("k1", None),
        ] {
            let row = |col: Col| -> &[u8] {
                match col {
                    Col::Date => b"2026-11-03",
                    Col::Indicator => code.as_bytes(),
                    _ => b"",
                }
            };
            assert_eq!(
                quick.check(&rubric, row).map(|c| c.indicator),
                want,
                "{code}"
            );
        }
    }
}
