//! The units being scored (SPEC §3.1): from a roster when one is given, otherwise the distinct
//! `unit` values of the records.

use std::collections::HashMap;

use crate::error::Error;
use crate::fxhash::StrMap;
use crate::i18n::{msg, ui};
use crate::input::{self, ReadOptions, Sheet};
use crate::period::Month;
use crate::read::RowError;
use crate::rubric::Rubric;
use crate::suggest;

#[derive(Debug, Clone)]
pub struct Unit {
    pub code: String,
    pub name: Option<String>,
    pub group: Option<String>,
    /// Indices of the indicators not applicable to this unit.
    pub not_applicable: Vec<usize>,
    /// The first month it is assessed in (`from` / 起始月份), inclusive (SPEC §7.12).
    pub from: Option<Month>,
    /// The last month it is assessed in (`until` / 截止月份), inclusive.
    pub until: Option<Month>,
    /// The roster code of the unit it was merged into (`merged_into` / 并入): shown, it
    /// changes no number.
    pub merged_into: Option<String>,
}

impl Unit {
    /// Whether the unit is assessed in a month: within its span (SPEC §7.12).
    #[inline]
    pub fn active(&self, m: Month) -> bool {
        self.from.is_none_or(|f| f <= m) && self.until.is_none_or(|u| m <= u)
    }

    /// Why a record of this unit dated in `m` is outside its span, or None when it is not.
    pub fn outside(&self, m: Month) -> Option<String> {
        let (code, month) = (&self.code, m.to_string());
        if let Some(f) = self.from.filter(|f| m < *f) {
            return Some(msg::unit_not_yet(ui(), code, &f.to_string(), &month));
        }
        let u = self.until.filter(|u| m > *u)?;
        Some(match &self.merged_into {
            Some(into) => msg::unit_merged(ui(), code, into, &u.to_string(), &month),
            None => msg::unit_ended(ui(), code, &u.to_string(), &month),
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct Units {
    pub list: Vec<Unit>,
    by_code: StrMap<usize>,
    by_name: StrMap<usize>,
    /// Aliases (别名) and former names (曾用名) from the roster.
    by_alias: StrMap<usize>,
    /// Names, aliases and former names without their common suffixes ([`stem`]), each kept
    /// only when it leads to one unit.
    by_stem: StrMap<usize>,
    /// True when the units come from a roster (records may then name only these units).
    pub from_roster: bool,
    /// Notes on how the roster was read (the rows above its header, skipped).
    pub notes: Vec<String>,
}

impl Units {
    /// Finds a unit by code, then by name, then by alias or former name, then (a roster's
    /// units only) by its name without a common suffix such as 居委会 or （…）, when that
    /// leads to one unit.
    pub fn find(&self, key: &str) -> Option<usize> {
        self.by_code
            .get(key)
            .or_else(|| self.by_name.get(key))
            .or_else(|| self.by_alias.get(key))
            .or_else(|| match self.from_roster {
                true => self.by_stem.get(stem(key)?),
                false => None,
            })
    }

    /// Whether `key` is a unit's code or current name exactly (not an alias, a former name or
    /// a name without its ending).
    pub fn by_code_or_name(&self, key: &str) -> bool {
        self.by_code.get(key).is_some() || self.by_name.get(key).is_some()
    }

    /// Without a roster, a unit seen for the first time is added.
    pub fn find_or_add(&mut self, key: &str) -> Option<usize> {
        if let Some(i) = self.find(key) {
            return Some(i);
        }
        if self.from_roster {
            return None;
        }
        Some(self.add(key))
    }

    fn add(&mut self, key: &str) -> usize {
        let i = self.list.len();
        self.list.push(Unit {
            code: key.to_owned(),
            name: None,
            group: None,
            not_applicable: Vec::new(),
            from: None,
            until: None,
            merged_into: None,
        });
        self.by_code.insert(key, i);
        i
    }

    /// Whether a record may name this unit: any unit without a roster, else a roster unit.
    pub fn accepts(&self, key: &str) -> bool {
        !self.from_roster || self.find(key).is_some()
    }

    pub fn suggestion(&self, key: &str) -> Option<&str> {
        let names = self.list.iter().filter_map(|u| u.name.as_deref());
        suggest::closest(key, self.list.iter().map(|u| u.code.as_str()).chain(names))
    }

    /// Without a roster, the units met whose names differ only by a common suffix (桥北社区 and
    /// 桥北社区居委会): probably one unit written two ways, scored as two.
    pub fn look_alike(&self) -> Vec<(String, String)> {
        let mut by_stem: HashMap<&str, &str> = HashMap::new();
        let mut pairs = Vec::new();
        for u in &self.list {
            let Some(st) = stem(&u.code) else { continue };
            match by_stem.get(st) {
                Some(first) => pairs.push(((*first).to_owned(), u.code.clone())),
                None => {
                    by_stem.insert(st, &u.code);
                }
            }
        }
        pairs
    }

    /// Whether a unit is assessed in a month (SPEC §7.12): always, without a span.
    #[inline]
    pub fn active(&self, unit: usize, m: Month) -> bool {
        self.list.get(unit).is_none_or(|u| u.active(m))
    }

    /// Whether any unit has a span (`from` or `until`).
    pub fn has_spans(&self) -> bool {
        self.list
            .iter()
            .any(|u| u.from.is_some() || u.until.is_some())
    }

    /// Whether any unit was merged into another.
    pub fn has_merged(&self) -> bool {
        self.list.iter().any(|u| u.merged_into.is_some())
    }

    pub fn has_groups(&self) -> bool {
        self.list.iter().any(|u| u.group.is_some())
    }

    /// Units met in the records (no roster) renumbered in code order, so that their order
    /// depends neither on the order rows were read in nor on the worker that met them first;
    /// with the new number of each old one. A roster keeps its own order (an empty map).
    pub fn in_code_order(self) -> (Units, Vec<u32>) {
        if self.from_roster {
            return (self, Vec::new());
        }
        let mut order: Vec<usize> = (0..self.list.len()).collect();
        order.sort_unstable_by(|a, b| self.list[*a].code.cmp(&self.list[*b].code));
        let mut map = vec![0u32; order.len()];
        let mut units = Units::default();
        for (new, &old) in order.iter().enumerate() {
            map[old] = new as u32;
            units.add(&self.list[old].code);
        }
        (units, map)
    }
}

const CODE: &[&str] = &["code", "编号", "单位编号"];
const NAME: &[&str] = &["name", "名称", "单位名称"];
const GROUP: &[&str] = &["group", "类别", "分组"];
const NA: &[&str] = &["not_applicable", "不适用"];
const ALIASES: &[&str] = &["aliases", "alias", "别名", "简称"];
const FORMERLY: &[&str] = &["formerly", "曾用名", "原名"];
const FROM: &[&str] = &["from", "起始月份", "起始月", "开始月份"];
const UNTIL: &[&str] = &["until", "截止月份", "截止月", "终止月份"];
const MERGED_INTO: &[&str] = &["merged_into", "并入", "并入单位"];

/// Endings that offices add to or leave off a unit's name: 桥北社区, 桥北社区居委会, 桥北居委会
/// and 桥北社区（居委会） all have the stem 桥北. `None` when nothing would be left.
pub fn stem(name: &str) -> Option<&str> {
    let mut s = name.trim();
    // A bracketed ending: （居委会）, (原桥北村)
    for (open, close) in [('（', '）'), ('(', ')')] {
        if s.ends_with(close)
            && let Some(i) = s.rfind(open)
        {
            s = s[..i].trim_end();
        }
    }
    for ending in [
        "社区居民委员会",
        "居民委员会",
        "社区居委会",
        "居委会",
        "村民委员会",
        "村委会",
    ] {
        if let Some(rest) = s.strip_suffix(ending) {
            s = rest;
            break;
        }
    }
    let s = s.strip_suffix("社区").unwrap_or(s).trim_end();
    (!s.is_empty()).then_some(s)
}

fn column(sheet: &Sheet, names: &[&str]) -> Option<usize> {
    sheet
        .header
        .iter()
        .position(|h| names.contains(&input::header_key(h).as_str()))
}

/// Loads a roster file and checks it against the rubric.
/// Loads a roster file and checks it against the rubric. In a workbook (which may be the
/// records' own), the roster is the sheet `sheet` names (`--units-sheet`), else the first sheet
/// named like a roster (名册, 单位名册, roster, units …), else the first with code and name
/// columns, else the first sheet. The records' `--sheet` never applies to it.
pub fn load_roster(
    path: &str,
    rubric: &Rubric,
    opts: &ReadOptions,
    sheet: Option<&str>,
) -> Result<Units, Error> {
    let lower = path.to_ascii_lowercase();
    // A workbook by its name or its first bytes; only then is it read whole (and bounded). A
    // binary file (`/dev/zero`) is refused from its first bytes, not after a gigabyte.
    let mut head = Vec::new();
    if path != "-"
        && let Ok(f) = std::fs::File::open(path)
    {
        use std::io::Read;
        let _ = f.take(1 << 16).read_to_end(&mut head);
    }
    let spreadsheet = path != "-" && input::is_spreadsheet(&lower, &head);
    if !spreadsheet && input::binary(&head) {
        return Err(Error::Invalid(msg::binary_input(ui(), path)));
    }
    if !spreadsheet {
        let opts = ReadOptions {
            sheet: None,
            ..opts.clone()
        };
        return from_found(input::read_table(path, &opts)?, rubric);
    }
    let sheets = input::read_workbook(path, input::read_whole(path)?, sheet)?;
    let named_like_a_roster = |s: &Sheet| {
        let tab = s
            .name
            .rsplit_once('[')
            .map_or("", |(_, t)| t.trim_end_matches(']'));
        ROSTER_SHEETS.contains(&input::header_key(tab).as_str())
    };
    let has_columns = |s: &Sheet| s.header_at(None, names_roster).is_some();
    let chosen = sheets
        .iter()
        .position(|(s, _)| named_like_a_roster(s))
        .or_else(|| sheets.iter().position(|(s, _)| has_columns(s)))
        .unwrap_or(0);
    let Some((roster, _)) = sheets.into_iter().nth(chosen) else {
        return Err(Error::Invalid(msg::roster_empty(ui(), path)));
    };
    from_found(roster, rubric)
}

/// A roster read from its header, found as the records' is (SPEC §2.1): the first of the first
/// rows with text that names the code and name columns; the rows above it (a title merged over
/// the columns, 填报单位…) are skipped and named in a note. Without such a row, the first row
/// with text is the header, to say what it lacks.
fn from_found(sheet: Sheet, rubric: &Rubric) -> Result<Units, Error> {
    let k = sheet.header_at(None, names_roster).unwrap_or(0);
    let (sheet, note) = sheet.from_header(k);
    let mut units = from_sheet(&sheet, rubric)?;
    units.notes.extend(note);
    Ok(units)
}

/// Whether a row names a roster's required columns (code and name).
fn names_roster(cells: &[String]) -> bool {
    let has = |names: &[&str]| {
        cells
            .iter()
            .any(|h| names.contains(&input::header_key(h).as_str()))
    };
    has(CODE) && has(NAME)
}

/// The names a roster's sheet goes by.
const ROSTER_SHEETS: &[&str] = &["名册", "单位名册", "花名册", "单位", "roster", "units"];

pub fn from_sheet(sheet: &Sheet, rubric: &Rubric) -> Result<Units, Error> {
    let cols = Columns::find(sheet)?;
    let header = |i: usize| sheet.header.get(i).cloned().unwrap_or_default();
    let mut units = Units {
        from_roster: true,
        ..Units::default()
    };
    let mut errors = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut name_count: HashMap<String, usize> = HashMap::new();
    // Each alias or former name with the line it was first given on.
    let mut aliases: Vec<(String, usize, u64, usize)> = Vec::new();
    for row in sheet.rows.iter().filter(|r| !r.is_blank()) {
        match roster_row(row, &cols, rubric, &first_line) {
            Ok((unit, names)) => {
                first_line.insert(unit.code.clone(), row.line);
                if let Some(name) = &unit.name {
                    *name_count.entry(name.clone()).or_default() += 1;
                }
                let i = units.list.len();
                aliases.extend(names.into_iter().map(|(a, col)| (a, i, row.line, col)));
                units.by_code.insert(&unit.code, i);
                units.list.push(unit);
            }
            Err(faults) => errors.extend(faults.into_iter().map(|(col, message)| RowError {
                file: sheet.name.clone(),
                line: row.line,
                column: header(col),
                message,
            })),
        }
    }
    // An alias names one unit, and is no other unit's code or name.
    let mut alias_of: HashMap<&str, usize> = HashMap::new();
    for (a, i, line, col) in &aliases {
        let other = units
            .by_code
            .get(a)
            .or_else(|| units.list.iter().position(|u| u.name.as_deref() == Some(a)))
            .or_else(|| alias_of.get(a.as_str()).copied())
            .filter(|o| o != i);
        match other {
            Some(o) => errors.push(RowError {
                file: sheet.name.clone(),
                line: *line,
                column: header(*col),
                message: msg::alias_taken(ui(), a, &units.list[o].code),
            }),
            None => {
                alias_of.insert(a, *i);
            }
        }
    }
    // A unit is merged into another unit of the roster.
    for u in &units.list {
        if let (Some(into), Some(c)) = (&u.merged_into, cols.merged_into)
            && units.by_code.get(into).is_none()
        {
            let hint = msg::hint(ui(), units.suggestion(into));
            errors.push(RowError {
                file: sheet.name.clone(),
                line: first_line.get(&u.code).copied().unwrap_or(0),
                column: header(c),
                message: msg::merged_into_unknown(ui(), into, &hint),
            });
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        let n = errors.len();
        return Err(Error::Rows {
            errors,
            summary: msg::roster_rows_invalid(ui(), &sheet.name, n),
        });
    }
    for (a, i) in &alias_of {
        units.by_alias.insert(a, *i);
    }
    if units.list.is_empty() {
        return Err(Error::Invalid(msg::roster_empty(ui(), &sheet.name)));
    }
    // A name finds its unit only when it is unambiguous and not another unit's code.
    for (i, u) in units.list.iter().enumerate() {
        if let Some(n) = &u.name
            && name_count.get(n) == Some(&1)
            && units.by_code.get(n).is_none()
        {
            units.by_name.insert(n, i);
        }
    }
    // A stem finds its unit only when no other unit has it.
    let mut stems: HashMap<&str, Option<usize>> = HashMap::new();
    let named = units.list.iter().enumerate().flat_map(|(i, u)| {
        let own = [Some(u.code.as_str()), u.name.as_deref()];
        own.into_iter().flatten().map(move |n| (n, i))
    });
    let all = named.chain(aliases.iter().map(|(a, i, _, _)| (a.as_str(), *i)));
    for (n, i) in all {
        if let Some(st) = stem(n) {
            let e = stems.entry(st).or_insert(Some(i));
            if *e != Some(i) {
                *e = None;
            }
        }
    }
    for (st, i) in stems {
        if let Some(i) = i {
            units.by_stem.insert(st, i);
        }
    }
    Ok(units)
}

/// Where a roster's columns are.
struct Columns {
    code: usize,
    name: usize,
    group: Option<usize>,
    na: Option<usize>,
    /// 别名 and 曾用名: other names records may give.
    aliases: Vec<usize>,
    from: Option<usize>,
    until: Option<usize>,
    merged_into: Option<usize>,
}

impl Columns {
    /// The roster's columns, or an error naming the required ones it lacks.
    fn find(sheet: &Sheet) -> Result<Columns, Error> {
        let missing: Vec<&str> = [("code", CODE), ("name", NAME)]
            .iter()
            .filter(|(_, names)| column(sheet, names).is_none())
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            let place = format!("{}:{}", sheet.name, sheet.header_line);
            let msg = crate::i18n::usage::roster_columns(
                crate::i18n::ui(),
                &place,
                &missing,
                &sheet.header,
            );
            return Err(Error::Invalid(msg));
        }
        Ok(Columns {
            code: column(sheet, CODE).unwrap_or(0),
            name: column(sheet, NAME).unwrap_or(0),
            group: column(sheet, GROUP),
            na: column(sheet, NA),
            aliases: [column(sheet, ALIASES), column(sheet, FORMERLY)]
                .into_iter()
                .flatten()
                .collect(),
            from: column(sheet, FROM),
            until: column(sheet, UNTIL),
            merged_into: column(sheet, MERGED_INTO),
        })
    }
}

/// An alias or former name, with the column it was given in.
type OtherName = (String, usize);
/// What is wrong with a roster row: the column, and the message.
type Fault = (usize, String);

/// One roster row's unit with its other names and their columns, or what is wrong with it:
/// (column, message) in column order. `first_line` holds the line of each code already read.
fn roster_row(
    row: &input::Row,
    cols: &Columns,
    rubric: &Rubric,
    first_line: &HashMap<String, u64>,
) -> Result<(Unit, Vec<OtherName>), Vec<Fault>> {
    let cell = |i: usize| row.cells.get(i).map(String::as_str).unwrap_or("");
    let mut faults = Vec::new();
    let code = cell(cols.code);
    let name = cell(cols.name);
    if code.is_empty() {
        faults.push((cols.code, msg::empty_unit_field(ui(), false)));
    } else if let Some(first) = first_line.get(code) {
        faults.push((cols.code, msg::unit_code_repeats(ui(), code, *first)));
    }
    if name.is_empty() {
        faults.push((cols.name, msg::empty_unit_field(ui(), true)));
    }
    let mut na = Vec::new();
    if let Some(c) = cols.na {
        match not_applicable(cell(c), rubric) {
            Ok(list) => na = list,
            Err(messages) => faults.extend(messages.into_iter().map(|m| (c, m))),
        }
    }
    let mut month_of = |col: Option<usize>| {
        let c = col?;
        let text = cell(c);
        if text.is_empty() {
            return None;
        }
        match roster_month(text) {
            Some(m) => Some(m),
            None => {
                faults.push((c, msg::roster_bad_month(ui(), text)));
                None
            }
        }
    };
    let from = month_of(cols.from);
    let until = month_of(cols.until);
    if let (Some(f), Some(u), Some(c)) = (from, until, cols.until)
        && u < f
    {
        faults.push((
            c,
            msg::roster_until_before_from(ui(), &u.to_string(), &f.to_string()),
        ));
    }
    let merged_into = cols
        .merged_into
        .map(cell)
        .filter(|m| !m.is_empty())
        .map(str::to_owned);
    if let (Some(into), Some(c)) = (&merged_into, cols.merged_into) {
        if into == code {
            faults.push((c, msg::merged_into_itself(ui(), code)));
        } else if until.is_none() {
            faults.push((c, msg::merged_without_until(ui(), into)));
        }
    }
    if !faults.is_empty() {
        faults.sort_by_key(|(c, _)| *c);
        return Err(faults);
    }
    na.sort_unstable();
    na.dedup();
    let names = cols
        .aliases
        .iter()
        .flat_map(|&c| list(cell(c)).map(move |a| (a.to_owned(), c)))
        .filter(|(a, _)| a != code && a != name)
        .collect();
    let unit = Unit {
        code: code.to_owned(),
        name: Some(name.to_owned()),
        group: cols
            .group
            .map(cell)
            .filter(|g| !g.is_empty())
            .map(str::to_owned),
        not_applicable: na,
        from,
        until,
        merged_into,
    };
    Ok((unit, names))
}

/// A roster's month: `2026-08`, `2026/8`, `2026年8月`, or a date in it (`2026-08-01`, as a
/// spreadsheet may show a month).
fn roster_month(text: &str) -> Option<Month> {
    match text.parse::<crate::period::Period>() {
        Ok(crate::period::Period::Month(m)) => Some(m),
        Ok(_) => None,
        Err(_) => crate::period::parse_date(text).ok().map(Month::of),
    }
}

/// The items of a list cell, split on `;` `,` `、` in either width.
fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split([';', '；', ',', '，', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The indicators a roster's `not_applicable` cell lists (split on `;` `,` `、` in either
/// width), or a message for each code the rubric does not have.
fn not_applicable(text: &str, rubric: &Rubric) -> Result<Vec<usize>, Vec<String>> {
    let mut na = Vec::new();
    let mut unknown = Vec::new();
    for item in list(text) {
        match rubric.indicator_index(item) {
            Some(i) => na.push(i),
            None => {
                let codes = rubric.indicators.iter().map(|i| i.code.as_str());
                let hint = msg::hint(ui(), suggest::closest(item, codes));
                unknown.push(msg::unknown_indicator(ui(), item, &hint));
            }
        }
    }
    if unknown.is_empty() {
        Ok(na)
    } else {
        Err(unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Row;

    fn roster(header: &[&str], rows: &[&[&str]]) -> Result<Units, Error> {
        let sheet = Sheet {
            name: "units.csv".into(),
            header: header.iter().map(|h| h.to_string()).collect(),
            header_line: 1,
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| Row {
                    line: i as u64 + 2,
                    cells: r.iter().map(|c| c.to_string()).collect(),
                })
                .collect(),
        };
        let rubric = crate::builtin::load_rubric(None).unwrap();
        from_sheet(&sheet, &rubric)
    }

    #[test]
    fn stems_drop_the_endings_offices_add_or_leave_off() {
        for name in [
            "桥北社区",
            "桥北社区居委会",
            "桥北居委会",
            "桥北社区（居委会）",
            "桥北社区(居委会)",
            "桥北社区居民委员会",
            " 桥北 ",
        ] {
            assert_eq!(stem(name), Some("桥北"), "{name}");
        }
        assert_eq!(stem("桥北村"), Some("桥北村"));
        assert_eq!(stem("社区"), None);
        assert_eq!(stem("（居委会）"), None);
    }

    #[test]
    fn records_may_name_a_unit_by_alias_former_name_or_its_name_with_another_ending() {
        let u = roster(
            &["编号", "名称", "别名", "曾用名"],
            &[
                &["U01", "桥北社区", "北桥", ""],
                &["U02", "光明社区", "", "光明村、老光明"],
            ],
        )
        .unwrap();
        assert_eq!(u.find("U01"), Some(0));
        assert_eq!(u.find("北桥"), Some(0));
        assert_eq!(u.find("桥北社区居委会"), Some(0));
        assert_eq!(u.find("桥北"), Some(0));
        assert_eq!(u.find("老光明"), Some(1));
        assert_eq!(u.find("光明村"), Some(1));
        assert_eq!(u.find("光明居委会"), Some(1));
        assert_eq!(u.find("东风社区"), None);
    }

    #[test]
    fn a_span_is_inclusive_and_read_in_the_forms_offices_write() {
        let u = roster(
            &["编号", "名称", "起始月份", "截止月份", "并入"],
            &[
                &["U1", "一科", "2026年8月", "", ""],
                &["U2", "二科", "", "2026/10", "U1"],
                &["U3", "三科", "2026-03-01", "2026-03", ""],
            ],
        )
        .unwrap();
        let m = |k| Month::new(2026, k);
        assert!(!u.active(0, m(7)) && u.active(0, m(8)) && u.active(0, m(12)));
        assert!(u.active(1, m(1)) && u.active(1, m(10)) && !u.active(1, m(11)));
        assert!(!u.active(2, m(2)) && u.active(2, m(3)) && !u.active(2, m(4)));
        assert_eq!(u.list[1].merged_into.as_deref(), Some("U1"));
        assert!(u.list[1].outside(m(10)).is_none());
        let why = u.list[1].outside(m(11)).unwrap();
        assert!(why.contains("merged into U1"), "{why}");
        assert!(u.has_spans() && u.has_merged());
    }

    #[test]
    fn a_stem_two_units_share_finds_neither() {
        // 桥北社区 and 桥北社区居委会 are two units here: the stem 桥北 is ambiguous, exact
        // names still find theirs.
        let u = roster(
            &["code", "name"],
            &[&["U01", "桥北社区"], &["U02", "桥北社区居委会"]],
        )
        .unwrap();
        assert_eq!(u.find("桥北社区"), Some(0));
        assert_eq!(u.find("桥北社区居委会"), Some(1));
        assert_eq!(u.find("桥北居委会"), None);
    }

    #[test]
    fn an_alias_that_names_another_unit_is_an_error_on_its_line() {
        let e = roster(
            &["编号", "名称", "别名"],
            &[&["U01", "桥北社区", ""], &["U02", "光明社区", "桥北社区"]],
        )
        .unwrap_err();
        let lines = e.lines();
        assert!(lines[0].contains("units.csv:3"), "{lines:?}");
        assert!(lines[0].contains("U01"), "{lines:?}");
    }

    #[test]
    fn without_a_roster_look_alike_names_are_named() {
        let mut u = Units::default();
        for k in ["桥北社区", "光明社区", "桥北社区居委会"] {
            u.find_or_add(k);
        }
        assert_eq!(
            u.look_alike(),
            vec![("桥北社区".to_owned(), "桥北社区居委会".to_owned())]
        );
        // and they stay two units: nothing is merged without a roster
        assert_eq!(u.find("桥北居委会"), None);
    }
}
