//! The rubric (SPEC §1): categories, indicators and their deduction rules, loaded from YAML with
//! every error placed by file, line, column and key path, and every cross-check made up front so
//! that scoring never meets an inconsistent rubric.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::i18n::rubric::{self as tell, Need, Place, Want};
use crate::i18n::ui;
use crate::suggest;
use crate::yaml::{self, Key, Kind, Node, Pos};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "zh" => Ok(Lang::Zh),
            other => Err(tell::unknown_lang(ui(), other)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    Month,
    Quarter,
    Year,
}

impl Per {
    pub fn as_str(self) -> &'static str {
        match self {
            Per::Month => "month",
            Per::Quarter => "quarter",
            Per::Year => "year",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NaMode {
    Rescale,
    Average,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Deduct {
    Flat(Decimal),
    /// Severity → deduction, in the rubric's order.
    BySeverity(Vec<(String, Decimal)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    AtLeast,
    AtMost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Below {
    Zero,
    Proportional,
    PerPoint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Full,
    Zero,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Count,
    Value,
}

/// One band: `bound` is `upto` (ascending bands) or `from` (descending); the last has none.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub bound: Option<Decimal>,
    /// The indicator's score in points (a share `66%` is already turned into points).
    pub score: Decimal,
    /// The score as written, for display (`66%` or `3`).
    pub written: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    PerFinding {
        deduct: Deduct,
        overdue: Option<Decimal>,
        /// SPEC §7.13: a further deduction per count in every later complete month the record
        /// is still open at the end of.
        overdue_each_month: Option<Decimal>,
        repeat: Option<Decimal>,
        on_spot: Option<Decimal>,
    },
    Threshold {
        target: Decimal,
        direction: Direction,
        below: Below,
        deduct: Option<Decimal>,
        missing: Missing,
    },
    Bands {
        measure: Measure,
        /// true for `from:` bands (higher is better), false for `upto:`.
        from: bool,
        bands: Vec<Band>,
        missing: Missing,
    },
    Required {
        at_least: u64,
        deduct: Option<Decimal>,
    },
    Bonus {
        add: Decimal,
    },
    Veto,
}

impl Rule {
    pub fn name(&self) -> &'static str {
        match self {
            Rule::PerFinding { .. } => "per_finding",
            Rule::Threshold { .. } => "threshold",
            Rule::Bands { .. } => "bands",
            Rule::Required { .. } => "required",
            Rule::Bonus { .. } => "bonus",
            Rule::Veto => "veto",
        }
    }

    /// Whether the rule reads the `value` column.
    pub fn needs_value(&self) -> bool {
        matches!(
            self,
            Rule::Threshold { .. }
                | Rule::Bands {
                    measure: Measure::Value,
                    ..
                }
        )
    }

    pub fn has_points(&self) -> bool {
        !matches!(self, Rule::Bonus { .. } | Rule::Veto)
    }
}

#[derive(Debug, Clone)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    /// Zero for bonus and veto indicators.
    pub points: Decimal,
    pub rule: Rule,
    pub per: Per,
    pub note: Option<String>,
    /// The clause of the work plan the indicator implements (考核依据).
    pub basis: Option<String>,
    /// When the indicator falls due before its period is complete (SPEC §7.2).
    pub due: Option<Due>,
    pub category: usize,
}

/// `due:` (SPEC §7.2): the day of the month of a `per: month` indicator (`due: 20`), or the
/// day of the year of a `per: quarter|year` one (`due: "06-30"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Day 1..=31 of the month (the month's last day when it is shorter).
    Day(u8),
    /// Month 1..=12 and day of the year (29 February is the 28th in a common year).
    MonthDay(u8, u8),
}

impl Due {
    /// The date this falls due in the period that starts with `first` (a month, a quarter or a
    /// year's first month): None for a `MonthDay` outside that period, which is due only when
    /// complete (SPEC §7.11).
    pub fn date_in(self, first: crate::period::Month, months: i32) -> Option<jiff::civil::Date> {
        use crate::period::Month;
        let (m, day) = match self {
            Due::Day(d) => (first, d),
            Due::MonthDay(mm, dd) => (Month::new(first.year(), i32::from(mm)), dd),
        };
        if m < first || m.0 >= first.0 + months {
            return None;
        }
        let last = m.last_day();
        Some(if i8::try_from(day).unwrap_or(i8::MAX) >= last.day() {
            last
        } else {
            jiff::civil::Date::new(last.year(), last.month(), day as i8).unwrap_or(last)
        })
    }
}

impl std::fmt::Display for Due {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Due::Day(d) => write!(f, "{d}"),
            Due::MonthDay(m, d) => write!(f, "{m:02}-{d:02}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub points: Decimal,
    pub assessor: Option<String>,
    /// The clause of the work plan the category implements (考核依据).
    pub basis: Option<String>,
    pub bonus: bool,
    pub cap: Option<Decimal>,
    /// Indices into `Rubric::indicators`.
    pub indicators: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Grade {
    pub name: String,
    pub min: Decimal,
}

#[derive(Debug, Clone)]
pub struct Penalty {
    pub name: String,
    pub indicator: usize,
    pub at_least: u64,
    pub deduct: Decimal,
}

/// `quarter: {weights: {months: N, final: M}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FinalWeights {
    pub months: Decimal,
    pub last: Decimal,
}

#[derive(Debug, Clone)]
pub struct Rubric {
    pub name: String,
    /// Free text about the rubric: its sources, who approved it.
    pub notes: Option<String>,
    pub lang: Lang,
    pub full: Decimal,
    pub precision: u32,
    /// Source → weight; `None` when the rubric declares no sources (every source weighs 1).
    pub sources: Option<Vec<(String, Decimal)>>,
    pub not_applicable: NaMode,
    pub grades: Vec<Grade>,
    /// Weights of Q1..Q4 (beside `final`, a quarter not named weighs 0).
    pub year_weights: [Decimal; 4],
    /// `year.weights.final`: the weight of the year-end assessment (年终考评, SPEC §7.3), whose
    /// score is full − the year-level deductions.
    pub year_final: Option<Decimal>,
    /// `quarter.weights`: the weights of the months' mean and of the quarterly comprehensive
    /// assessment (季度综合考核, SPEC §7.3), whose score is full − the quarter-level deductions.
    pub quarter_weights: Option<FinalWeights>,
    pub penalties: Vec<Penalty>,
    pub categories: Vec<Category>,
    pub indicators: Vec<Indicator>,
    /// Where the rubric came from: a path, or `builtin:NAME`.
    pub origin: String,
    pub sha256: String,
    pub text: String,
    code_index: crate::fxhash::StrMap<usize>,
    /// Indicators by [`code_key`] (NFKC, lower case), for codes as clerks type them.
    key_index: crate::fxhash::StrMap<usize>,
}

impl Rubric {
    pub fn indicator_index(&self, code: &str) -> Option<usize> {
        self.code_index.get(code)
    }

    /// An indicator as a clerk may type its code: exactly, or in another case, with spaces
    /// inside, or in full-width forms (` d1 `, `Ｄ5`). Never ambiguous: codes that compare equal
    /// so are refused in a rubric.
    pub fn find_indicator(&self, written: &str) -> Option<usize> {
        if let Some(i) = self.indicator_index(written) {
            return Some(i);
        }
        let key: String = code_key(written)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        self.key_index.get(&key)
    }

    pub fn source_weight(&self, source: &str) -> Option<Decimal> {
        match &self.sources {
            None => Some(Decimal::ONE),
            Some(list) => list.iter().find(|(k, _)| k == source).map(|(_, w)| *w),
        }
    }

    pub fn category_codes(&self) -> impl Iterator<Item = &str> {
        self.categories.iter().map(|c| c.code.as_str())
    }
}

/// A rubric error: where it is and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RubricError {
    pub file: String,
    pub pos: Pos,
    /// Key path such as `categories[2].indicators[0].deduct` (empty for the document).
    pub path: String,
    pub message: String,
}

impl fmt::Display for RubricError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = self.file.clone();
        if self.pos.line > 0 {
            place = format!("{place}:{}:{}", self.pos.line, self.pos.col);
        }
        f.write_str(&tell::at(ui(), &place, &self.path, &self.message))
    }
}

impl std::error::Error for RubricError {}

/// Every error of a rubric, in the order of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RubricErrors(pub Vec<RubricError>);

impl RubricErrors {
    fn sorted(mut errs: Vec<RubricError>) -> RubricErrors {
        errs.sort_by_key(|e| (e.pos.line, e.pos.col));
        errs.dedup();
        RubricErrors(errs)
    }
}

impl fmt::Display for RubricErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            e.fmt(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for RubricErrors {}

/// Keeps a part's value, or records its error and goes on with `fallback`, so that one run
/// names every error.
fn soft<T>(errs: &mut Vec<RubricError>, r: Res<T>, fallback: T) -> T {
    r.unwrap_or_else(|e| {
        errs.push(e);
        fallback
    })
}

type Res<T> = Result<T, RubricError>;

/// Reads one mapping, tracking which keys were used so that the rest can be refused.
struct Obj<'a> {
    file: &'a str,
    path: String,
    pos: Pos,
    entries: &'a [(Key, Node)],
    used: Vec<bool>,
}

fn err(file: &str, pos: Pos, path: &str, message: impl Into<String>) -> RubricError {
    RubricError {
        file: file.to_owned(),
        pos,
        path: path.to_owned(),
        message: message.into(),
    }
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl<'a> Obj<'a> {
    fn new(file: &'a str, node: &'a Node, path: String) -> Res<Obj<'a>> {
        match &node.kind {
            Kind::Map(entries) => Ok(Obj {
                file,
                path,
                pos: node.pos,
                entries,
                used: vec![false; entries.len()],
            }),
            _ => Err(err(file, node.pos, &path, tell::not_keys(ui(), node))),
        }
    }

    fn get(&mut self, key: &str) -> Option<(&'a Node, String)> {
        let i = self.entries.iter().position(|(k, _)| k.name == key)?;
        self.used[i] = true;
        let node = &self.entries[i].1;
        if matches!(node.kind, Kind::Null) {
            return None;
        }
        Some((node, child(&self.path, key)))
    }

    fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k.name == key)
    }

    fn req(&mut self, key: &str, what: Need) -> Res<(&'a Node, String)> {
        if let Some(found) = self.get(key) {
            return Ok(found);
        }
        // A near-miss key is most likely the typo that hid this one.
        // A key already read (Q1 beside a missing Q4) is not the typo.
        let typo = self
            .entries
            .iter()
            .zip(&self.used)
            .find(|((k, _), used)| !**used && suggest::closest(&k.name, [key]).is_some());
        Err(match typo {
            Some(((k, _), _)) => err(
                self.file,
                k.pos,
                &child(&self.path, &k.name),
                tell::typo_for_missing(ui(), &k.name, key, what),
            ),
            None => err(
                self.file,
                self.pos,
                &self.path,
                tell::missing_key(ui(), key, what),
            ),
        })
    }

    fn key_pos(&self, key: &str) -> Pos {
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(k, _)| k.pos)
            .unwrap_or(self.pos)
    }

    /// Refuses every key not read. `elsewhere` names keys that belong to other rules.
    fn finish(self, allowed: &[&str], context: Place) -> Res<()> {
        for ((k, _), used) in self.entries.iter().zip(&self.used) {
            if *used || allowed.contains(&k.name.as_str()) {
                continue;
            }
            let path = child(&self.path, &k.name);
            let msg = if RULE_KEYS.contains(&k.name.as_str()) {
                tell::key_elsewhere(ui(), &k.name, context)
            } else {
                let s = suggest::closest(&k.name, allowed.iter().copied());
                tell::unknown_key(ui(), &k.name, s, allowed)
            };
            return Err(err(self.file, k.pos, &path, msg));
        }
        Ok(())
    }
}

const RULE_KEYS: &[&str] = &[
    "deduct",
    "overdue",
    "overdue_each_month",
    "repeat",
    "on_spot",
    "target",
    "direction",
    "below",
    "missing",
    "measure",
    "bands",
    "at_least",
    "add",
];

fn text(file: &str, node: &Node, path: &str) -> Res<String> {
    match &node.kind {
        Kind::Str(s) | Kind::Num(s) => Ok(s.clone()),
        _ => Err(err(
            file,
            node.pos,
            path,
            tell::expected(ui(), Want::Text, node),
        )),
    }
}

/// Parses a decimal as written: `2`, `0.5`, `-1.25`, `.5`, `1e3`. Nothing else reads as a
/// number: not `0x10`, `1_000`, `inf` or `1,000`.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if !is_decimal_syntax(s) {
        return None;
    }
    Decimal::from_str_exact(s)
        .ok()
        .or_else(|| Decimal::from_scientific(s).ok())
        .map(|d| d.normalize())
}

/// `[+-]digits[.digits][e[+-]digits]`, with digits on at least one side of the point.
fn is_decimal_syntax(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut n = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The largest magnitude of a rubric number, and of a factor (a source weight, `repeat`,
/// `on_spot`), and the most decimals: with these, no product or sum of the scoring can leave
/// exact decimal arithmetic (4,294,967,295 findings × 10⁶ × 10³ × 10³ × 10³ < 7.9 × 10²⁸, and
/// four factors of 6 decimals keep 24 of the 28 places).
const MAX_NUMBER: i64 = 1_000_000;
const MAX_FACTOR: i64 = 1_000;
const MAX_DECIMALS: u32 = 6;

fn number(file: &str, node: &Node, path: &str) -> Res<Decimal> {
    let expected = || err(file, node.pos, path, tell::not_a_number(ui(), node));
    let d = match &node.kind {
        Kind::Num(s) | Kind::Str(s) if is_decimal_syntax(s.trim()) => {
            parse_decimal(s).ok_or_else(|| {
                let msg = tell::number_too_fine(ui(), MAX_NUMBER, MAX_DECIMALS, s);
                err(file, node.pos, path, msg)
            })?
        }
        _ => return Err(expected()),
    };
    bounded(file, node, path, d, MAX_NUMBER)
}

/// A number within ±`max`, with at most [`MAX_DECIMALS`] decimals.
fn bounded(file: &str, node: &Node, path: &str, d: Decimal, max: i64) -> Res<Decimal> {
    if d.abs() > Decimal::from(max) {
        return Err(err(
            file,
            node.pos,
            path,
            tell::number_out_of_range(ui(), max, &d.to_string()),
        ));
    }
    if d.scale() > MAX_DECIMALS {
        return Err(err(
            file,
            node.pos,
            path,
            tell::too_many_decimals(ui(), MAX_DECIMALS, &d.to_string()),
        ));
    }
    Ok(d)
}

/// A multiplier ≥ 0 (a source weight, `repeat`, `on_spot`): at most [`MAX_FACTOR`].
fn factor(file: &str, node: &Node, path: &str) -> Res<Decimal> {
    let d = non_negative(file, node, path)?;
    bounded(file, node, path, d, MAX_FACTOR)
}

fn non_negative(file: &str, node: &Node, path: &str) -> Res<Decimal> {
    let d = number(file, node, path)?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(err(
            file,
            node.pos,
            path,
            tell::negative(ui(), &d.to_string()),
        ));
    }
    Ok(d)
}

fn positive(file: &str, node: &Node, path: &str) -> Res<Decimal> {
    let d = number(file, node, path)?;
    if d <= Decimal::ZERO {
        return Err(err(
            file,
            node.pos,
            path,
            tell::not_positive(ui(), &d.to_string()),
        ));
    }
    Ok(d)
}

fn whole(file: &str, node: &Node, path: &str, min: u64) -> Res<u64> {
    let d = number(file, node, path)?;
    let ok = d.fract().is_zero() && d >= Decimal::from(min) && d <= Decimal::from(u32::MAX);
    if !ok {
        return Err(err(
            file,
            node.pos,
            path,
            tell::not_whole(ui(), min, &d.to_string()),
        ));
    }
    Ok(u64::try_from(d.mantissa() / 10i128.pow(d.scale())).unwrap_or(0))
}

fn word<'w>(file: &str, node: &Node, path: &str, choices: &[&'w str]) -> Res<&'w str> {
    let t = text(file, node, path)?;
    choices.iter().copied().find(|c| *c == t).ok_or_else(|| {
        let like = suggest::closest(&t, choices.iter().copied());
        let msg = tell::unknown_value(ui(), &t, like, choices);
        err(file, node.pos, path, msg)
    })
}

fn boolean(file: &str, node: &Node, path: &str) -> Res<bool> {
    match &node.kind {
        Kind::Bool(b) => Ok(*b),
        _ => Err(err(
            file,
            node.pos,
            path,
            tell::expected(ui(), Want::Bool, node),
        )),
    }
}

fn seq<'a>(file: &str, node: &'a Node, path: &str) -> Res<&'a [Node]> {
    match &node.kind {
        Kind::Seq(v) => Ok(v),
        _ => Err(err(
            file,
            node.pos,
            path,
            tell::expected(ui(), Want::List, node),
        )),
    }
}

fn map_entries<'a>(file: &str, node: &'a Node, path: &str) -> Res<&'a [(Key, Node)]> {
    match &node.kind {
        Kind::Map(v) => Ok(v),
        _ => Err(err(
            file,
            node.pos,
            path,
            tell::expected(ui(), Want::Map, node),
        )),
    }
}

/// Loads and checks a rubric. `file` is how errors name it.
/// Reads a rubric; every error it holds is reported, not only the first (in the order of the
/// file).
pub fn load(text_src: &str, file: &str) -> Result<Rubric, RubricErrors> {
    let text_src = text_src.strip_prefix('\u{feff}').unwrap_or(text_src);
    let root =
        yaml::parse(text_src).map_err(|e| RubricErrors(vec![err(file, e.pos, "", e.message)]))?;
    let mut errs = Vec::new();
    let built = build(file, &root, &mut errs);
    let mut rubric = match (built, errs.is_empty()) {
        (Ok(r), true) => r,
        (Ok(_), false) => return Err(RubricErrors::sorted(errs)),
        (Err(e), _) => {
            errs.push(e);
            return Err(RubricErrors::sorted(errs));
        }
    };
    rubric.origin = file.to_owned();
    rubric.text = text_src.to_owned();
    rubric.sha256 = sha256_hex(text_src.as_bytes());
    Ok(rubric)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Builds the rubric; errors of independent parts go to `errs` and the reading goes on.
fn build(file: &str, root: &Node, errs: &mut Vec<RubricError>) -> Res<Rubric> {
    if matches!(root.kind, Kind::Null) {
        return Err(err(file, root.pos, "", tell::empty(ui())));
    }
    let mut top = Obj::new(file, root, String::new())?;
    // A rubric of another schema version is not read further: its keys may mean other things.
    version(&mut top)?;
    let head = header(&mut top, errs);
    // Categories and indicators come first: the year section refers to indicator codes.
    let mut codes = Codes::default();
    let before = errs.len();
    let (categories, indicators) = categories(&mut top, &mut codes, errs)?;
    // With an indicator refused, the points cannot be checked against `full`.
    let full = if errs.len() == before {
        soft(errs, full(&mut top, &categories), Decimal::ZERO)
    } else {
        top.get("full");
        Decimal::ZERO
    };
    let mut code_index = crate::fxhash::StrMap::default();
    let mut key_index = crate::fxhash::StrMap::default();
    for (i, ind) in indicators.iter().enumerate() {
        code_index.insert(&ind.code, i);
        key_index.insert(&code_key(&ind.code), i);
    }
    let known = Known {
        indicators: &indicators,
        index: &code_index,
        seen: &codes,
    };
    let (year_weights, penalties) = year(&mut top, &known, errs);
    let quarter_weights = quarter(&mut top, errs);
    top.finish(
        &[
            "civscore",
            "name",
            "notes",
            "lang",
            "full",
            "precision",
            "sources",
            "not_applicable",
            "grades",
            "year",
            "quarter",
            "categories",
        ],
        Place::Top,
    )?;
    Ok(Rubric {
        name: head.name,
        notes: head.notes,
        lang: head.lang,
        full,
        precision: head.precision,
        sources: head.sources,
        not_applicable: head.not_applicable,
        grades: head.grades,
        year_weights: year_weights.quarters,
        year_final: year_weights.last,
        quarter_weights,
        penalties,
        categories,
        indicators,
        origin: String::new(),
        sha256: String::new(),
        text: String::new(),
        code_index,
        key_index,
    })
}

/// An optional key, read by `read` when present.
fn opt<'a, T>(
    o: &mut Obj<'a>,
    key: &str,
    read: impl FnOnce(&'a Node, &str) -> Res<T>,
) -> Res<Option<T>> {
    match o.get(key) {
        Some((n, p)) => Ok(Some(read(n, &p)?)),
        None => Ok(None),
    }
}

/// `civscore: 1`, the schema version.
fn version(top: &mut Obj) -> Res<()> {
    let file = top.file;
    let (v, vp) = top.req("civscore", Need::Version)?;
    let version = number(file, v, &vp).ok();
    if version != Some(Decimal::ONE) && version != Some(Decimal::new(11, 1)) {
        return Err(err(file, v.pos, &vp, tell::version(ui(), v)));
    }
    Ok(())
}

/// The top-level settings before the categories.
struct Header {
    name: String,
    notes: Option<String>,
    lang: Lang,
    precision: u32,
    sources: Option<Vec<(String, Decimal)>>,
    not_applicable: NaMode,
    grades: Vec<Grade>,
}

fn header(top: &mut Obj, errs: &mut Vec<RubricError>) -> Header {
    let file = top.file;
    let name = opt(top, "name", |n, p| text(file, n, p));
    let name = soft(errs, name, None).unwrap_or_else(|| "rubric".into());
    let notes = opt(top, "notes", |n, p| text(file, n, p));
    let notes = soft(errs, notes, None);
    let lang = opt(top, "lang", |n, p| word(file, n, p, &["zh", "en"]));
    let lang = match soft(errs, lang, None) {
        Some("zh") => Lang::Zh,
        _ => Lang::En,
    };
    let precision = opt(top, "precision", |n, p| {
        let v = whole(file, n, p, 0)?;
        if v > 10 {
            return Err(err(file, n.pos, p, tell::precision(ui(), v)));
        }
        Ok(v as u32)
    });
    let precision = soft(errs, precision, None).unwrap_or(2);
    let sources = opt(top, "sources", |n, p| {
        let mut list = Vec::new();
        for (k, v) in map_entries(file, n, p)? {
            let kp = child(p, &k.name);
            list.push((k.name.clone(), factor(file, v, &kp)?));
        }
        Ok(list)
    });
    let sources = soft(errs, sources, None);
    let na = opt(top, "not_applicable", |n, p| {
        word(file, n, p, &["rescale", "average"])
    });
    let not_applicable = match soft(errs, na, None) {
        Some("average") => NaMode::Average,
        _ => NaMode::Rescale,
    };
    let grades = opt(top, "grades", |n, p| grades(file, n, p));
    let grades = soft(errs, grades, None).unwrap_or_default();
    Header {
        name,
        notes,
        lang,
        precision,
        sources,
        not_applicable,
        grades,
    }
}

/// Codes seen so far, by their [`code_key`]: category and indicator codes are unique across the
/// rubric, also when they differ only in full-width forms or case (`Ａ1`, `a1`, `A1`).
#[derive(Default)]
struct Codes(HashMap<String, (Pos, String, String)>);

/// How codes compare: NFKC (full-width letters and digits as ASCII), then lower case.
pub fn code_key(code: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    code.nfkc().collect::<String>().to_lowercase()
}

impl Codes {
    fn check(&mut self, file: &str, code: &str, pos: Pos, path: &str) -> Res<()> {
        if code.trim().is_empty() || code.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(err(file, pos, path, tell::bad_code(ui(), code)));
        }
        let key = code_key(code);
        if let Some((first, first_path, first_code)) = self.0.get(&key) {
            let same = (first_code != code).then_some(first_code.as_str());
            let msg = tell::code_twice(ui(), code, same, first.line, first_path);
            return Err(err(file, pos, path, msg));
        }
        self.0.insert(key, (pos, path.to_owned(), code.to_owned()));
        Ok(())
    }
}

/// Every category with its indicators, which are numbered across the rubric.
fn categories(
    top: &mut Obj,
    codes: &mut Codes,
    errs: &mut Vec<RubricError>,
) -> Res<(Vec<Category>, Vec<Indicator>)> {
    let file = top.file;
    let (cn, cp) = top.req("categories", Need::Categories)?;
    let mut categories = Vec::new();
    let mut indicators: Vec<Indicator> = Vec::new();
    let cat_nodes = seq(file, cn, &cp)?;
    if cat_nodes.is_empty() {
        return Err(err(file, cn.pos, &cp, tell::no_categories(ui())));
    }
    let before = errs.len();
    for (ci, cnode) in cat_nodes.iter().enumerate() {
        let path = format!("{cp}[{ci}]");
        let number = categories.len();
        match category(file, cnode, path, codes, &mut indicators, number, errs) {
            Ok(c) => categories.push(c),
            Err(e) => errs.push(e),
        }
    }
    if errs.len() > before {
        return Ok((categories, indicators));
    }
    let total: Decimal = categories
        .iter()
        .filter(|c| !c.bonus)
        .map(|c| c.points)
        .sum();
    if total <= Decimal::ZERO {
        return Err(err(file, cn.pos, &cp, tell::no_points(ui())));
    }
    Ok((categories, indicators))
}

/// One category; its indicators are appended to `indicators`.
fn category(
    file: &str,
    node: &Node,
    path: String,
    codes: &mut Codes,
    indicators: &mut Vec<Indicator>,
    number: usize,
    errs: &mut Vec<RubricError>,
) -> Res<Category> {
    let mut c = Obj::new(file, node, path)?;
    let head = category_keys(&mut c, codes)?;
    let (inodes, ip) = c.req("indicators", Need::Indicators)?;
    let inodes = seq(file, inodes, &ip)?;
    let (members, refused) =
        category_indicators(file, inodes, &ip, number, head.bonus, codes, errs);
    if inodes.is_empty() {
        return Err(err(file, node.pos, &ip, tell::no_indicators(ui())));
    }
    let sum: Decimal = members.iter().map(|i| i.points).sum();
    if let Some((declared, pos, p)) = head.declared_points
        && declared != sum
        && !refused
    {
        return Err(err(
            file,
            pos,
            &p,
            tell::category_points(ui(), &head.code, &declared.to_string(), &sum.to_string()),
        ));
    }
    c.finish(
        &[
            "code",
            "name",
            "points",
            "assessor",
            "basis",
            "bonus",
            "cap",
            "indicators",
        ],
        Place::Category,
    )?;
    let numbers = (indicators.len()..indicators.len() + members.len()).collect();
    indicators.extend(members);
    Ok(Category {
        code: head.code,
        name: head.name,
        points: sum,
        assessor: head.assessor,
        basis: head.basis,
        bonus: head.bonus,
        cap: head.cap,
        indicators: numbers,
    })
}

/// A category's own keys, read before its indicators.
struct CategoryHead {
    code: String,
    name: String,
    assessor: Option<String>,
    basis: Option<String>,
    bonus: bool,
    cap: Option<Decimal>,
    /// The `points` written, with where they were written.
    declared_points: Option<(Decimal, Pos, String)>,
}

/// Reads a category's keys other than `indicators`: its code (unique in the rubric), name,
/// assessor, basis, and whether it is a bonus category (which has a `cap` but no `points`).
fn category_keys(c: &mut Obj, codes: &mut Codes) -> Res<CategoryHead> {
    let file = c.file;
    let (code_n, code_p) = c.req("code", Need::CategoryCode)?;
    let code = text(file, code_n, &code_p)?;
    codes.check(file, &code, code_n.pos, &code_p)?;
    let name = opt(c, "name", |n, p| text(file, n, p))?.unwrap_or_else(|| code.clone());
    let assessor = opt(c, "assessor", |n, p| text(file, n, p))?;
    let basis = opt(c, "basis", |n, p| text(file, n, p))?;
    let bonus = opt(c, "bonus", |n, p| boolean(file, n, p))?.unwrap_or(false);
    let cap = opt(c, "cap", |n, p| {
        if !bonus {
            return Err(err(file, n.pos, p, tell::cap_without_bonus(ui())));
        }
        non_negative(file, n, p)
    })?;
    let declared_points = opt(c, "points", |n, p| {
        if bonus {
            return Err(err(file, n.pos, p, tell::bonus_category_points(ui())));
        }
        Ok((non_negative(file, n, p)?, n.pos, p.to_owned()))
    })?;
    Ok(CategoryHead {
        code,
        name,
        assessor,
        basis,
        bonus,
        cap,
        declared_points,
    })
}

/// The indicators of a category that are accepted, and whether any was refused: one that does
/// not read, or a bonus rule outside a bonus category (or the reverse). Each refusal's error
/// goes to `errs`.
fn category_indicators(
    file: &str,
    inodes: &[Node],
    ip: &str,
    number: usize,
    bonus: bool,
    codes: &mut Codes,
    errs: &mut Vec<RubricError>,
) -> (Vec<Indicator>, bool) {
    let mut members = Vec::new();
    let mut refused = false;
    for (ii, inode) in inodes.iter().enumerate() {
        let ipath = format!("{ip}[{ii}]");
        let ind = match indicator(file, inode, &ipath, number, codes) {
            Ok(ind) => ind,
            Err(e) => {
                errs.push(e);
                refused = true;
                continue;
            }
        };
        if bonus != matches!(ind.rule, Rule::Bonus { .. }) {
            let msg = if bonus {
                tell::not_bonus_in_bonus(ui(), &ind.code, ind.rule.name())
            } else {
                tell::bonus_outside(ui(), &ind.code)
            };
            errs.push(err(file, inode.pos, &ipath, msg));
            refused = true;
            continue;
        }
        members.push(ind);
    }
    (members, refused)
}

/// `full`, when given, must equal the non-bonus points.
fn full(top: &mut Obj, categories: &[Category]) -> Res<Decimal> {
    let file = top.file;
    let total: Decimal = categories
        .iter()
        .filter(|c| !c.bonus)
        .map(|c| c.points)
        .sum();
    let given = opt(top, "full", |n, p| {
        let f = number(file, n, p)?;
        if f != total {
            return Err(err(
                file,
                n.pos,
                p,
                tell::full_differs(ui(), &f.to_string(), &total.to_string()),
            ));
        }
        Ok(f)
    })?;
    Ok(given.unwrap_or(total))
}

/// The indicators read, for the year section's references to them.
struct Known<'k> {
    indicators: &'k [Indicator],
    index: &'k crate::fxhash::StrMap<usize>,
    /// Every code met, also of indicators refused for an error of their own.
    seen: &'k Codes,
}

/// `year.weights`: the quarters' weights and the year-end assessment's.
#[derive(Debug, Clone, Copy)]
struct YearWeights {
    quarters: [Decimal; 4],
    last: Option<Decimal>,
}

const EQUAL: YearWeights = YearWeights {
    quarters: [Decimal::ONE; 4],
    last: None,
};

/// The year section: quarter weights and penalties (each part's errors recorded).
fn year(top: &mut Obj, known: &Known, errs: &mut Vec<RubricError>) -> (YearWeights, Vec<Penalty>) {
    let file = top.file;
    let mut penalties = Vec::new();
    let Some((yn, yp)) = top.get("year") else {
        return (EQUAL, penalties);
    };
    let mut y = match Obj::new(file, yn, yp) {
        Ok(y) => y,
        Err(e) => {
            errs.push(e);
            return (EQUAL, penalties);
        }
    };
    let weights = match y.get("weights") {
        Some((wn, wp)) => soft(errs, year_weights(file, wn, wp), EQUAL),
        None => EQUAL,
    };
    if let Some((pn, pp)) = y.get("penalties") {
        match seq(file, pn, &pp) {
            Ok(nodes) => {
                for (i, node) in nodes.iter().enumerate() {
                    let path = format!("{pp}[{i}]");
                    match penalty(file, node, path, i, known) {
                        Ok(Some(p)) => penalties.push(p),
                        Ok(None) => {}
                        Err(e) => errs.push(e),
                    }
                }
            }
            Err(e) => errs.push(e),
        }
    }
    soft(errs, y.finish(&["weights", "penalties"], Place::Year), ());
    (weights, penalties)
}

/// `{Q1: …, Q4: …}`, every quarter named; or with `final` (年终考评, SPEC §7.3), the quarters
/// named beside it, the others weighing 0 (前三季度各20% + 年终40%).
fn year_weights(file: &str, wn: &Node, wp: String) -> Res<YearWeights> {
    let mut w = Obj::new(file, wn, wp.clone())?;
    let last = match w.get("final") {
        Some((n, p)) => Some(non_negative(file, n, &p)?),
        None => None,
    };
    let mut quarters = [Decimal::ZERO; 4];
    let mut sum = last.unwrap_or_default();
    let mut missing = None;
    for (q, slot) in quarters.iter_mut().enumerate() {
        let key = format!("Q{}", q + 1);
        match w.get(&key) {
            Some((n, p)) => {
                *slot = non_negative(file, n, &p)?;
                sum += *slot;
            }
            None => missing = missing.or(Some(key)),
        }
    }
    // A typo (`fianl`, `q4`) is named before what it leaves missing.
    w.finish(&["Q1", "Q2", "Q3", "Q4", "final"], Place::YearWeights)?;
    if let (Some(key), None) = (missing, last) {
        let msg = tell::missing_key(ui(), &key, Need::QuarterWeight);
        return Err(err(file, wn.pos, &wp, msg));
    }
    if sum.is_zero() {
        return Err(err(file, wn.pos, &wp, tell::weights_zero(ui())));
    }
    Ok(YearWeights { quarters, last })
}

/// The quarter section: `weights: {months: N, final: M}` (季度综合考核, SPEC §7.3).
fn quarter(top: &mut Obj, errs: &mut Vec<RubricError>) -> Option<FinalWeights> {
    let file = top.file;
    let (qn, qp) = top.get("quarter")?;
    let read = || -> Res<Option<FinalWeights>> {
        let mut q = Obj::new(file, qn, qp.clone())?;
        let weights = match q.get("weights") {
            Some((wn, wp)) => Some(quarter_weights(file, wn, wp)?),
            None => None,
        };
        q.finish(&["weights"], Place::Quarter)?;
        Ok(weights)
    };
    soft(errs, read(), None)
}

fn quarter_weights(file: &str, wn: &Node, wp: String) -> Res<FinalWeights> {
    let mut w = Obj::new(file, wn, wp.clone())?;
    let (mn, mp) = w.req("months", Need::MonthsWeight)?;
    let months = non_negative(file, mn, &mp)?;
    let (fn_, fp) = w.req("final", Need::FinalWeight)?;
    let last = non_negative(file, fn_, &fp)?;
    w.finish(&["months", "final"], Place::QuarterWeights)?;
    if (months + last).is_zero() {
        return Err(err(file, wn.pos, &wp, tell::quarter_weights_zero(ui())));
    }
    Ok(FinalWeights { months, last })
}

/// A year penalty; none (without an error of its own) when it names an indicator that was
/// refused for an error already reported.
fn penalty(file: &str, node: &Node, path: String, i: usize, known: &Known) -> Res<Option<Penalty>> {
    let mut o = Obj::new(file, node, path)?;
    let name = opt(&mut o, "name", |n, p| text(file, n, p))?
        .unwrap_or_else(|| tell::penalty_name(ui(), i + 1));
    let (inn, inp) = o.req("indicator", Need::PenaltyIndicator)?;
    let code = text(file, inn, &inp)?;
    let indicator = match known.index.get(&code) {
        Some(i) => i,
        None if known.seen.0.contains_key(&code_key(&code)) => return Ok(None),
        None => {
            let hint = suggest::hint(suggest::closest(
                &code,
                known.indicators.iter().map(|i| i.code.as_str()),
            ));
            return Err(err(
                file,
                inn.pos,
                &inp,
                crate::i18n::msg::unknown_indicator(ui(), &code, &hint),
            ));
        }
    };
    let at_least = opt(&mut o, "at_least", |n, p| whole(file, n, p, 1))?.unwrap_or(1);
    let (dn, dp) = o.req("deduct", Need::PenaltyDeduct)?;
    let deduct = non_negative(file, dn, &dp)?;
    o.finish(&["name", "indicator", "at_least", "deduct"], Place::Penalty)?;
    Ok(Some(Penalty {
        name,
        indicator,
        at_least,
        deduct,
    }))
}

fn grades(file: &str, node: &Node, path: &str) -> Res<Vec<Grade>> {
    let mut out: Vec<Grade> = Vec::new();
    for (i, g) in seq(file, node, path)?.iter().enumerate() {
        let gp = format!("{path}[{i}]");
        let mut o = Obj::new(file, g, gp.clone())?;
        let (nn, np) = o.req("name", Need::GradeName)?;
        let name = text(file, nn, &np)?;
        let (mn, mp) = o.req("min", Need::GradeMin)?;
        let min = number(file, mn, &mp)?;
        if let Some(prev) = out.last()
            && min >= prev.min
        {
            return Err(err(
                file,
                mn.pos,
                &mp,
                tell::grades_order(
                    ui(),
                    &name,
                    &min.to_string(),
                    &prev.name,
                    &prev.min.to_string(),
                ),
            ));
        }
        o.finish(&["name", "min"], Place::Grade)?;
        out.push(Grade { name, min });
    }
    Ok(out)
}

const COMMON_KEYS: &[&str] = &[
    "code", "name", "points", "rule", "per", "note", "basis", "due",
];

fn indicator(
    file: &str,
    node: &Node,
    path: &str,
    category: usize,
    codes: &mut Codes,
) -> Res<Indicator> {
    let mut o = Obj::new(file, node, path.to_owned())?;
    let (cn, cp) = o.req("code", Need::IndicatorCode)?;
    let code = text(file, cn, &cp)?;
    codes.check(file, &code, cn.pos, &cp)?;
    let name = opt(&mut o, "name", |n, p| text(file, n, p))?.unwrap_or_else(|| code.clone());
    let note = opt(&mut o, "note", |n, p| text(file, n, p))?;
    let basis = opt(&mut o, "basis", |n, p| text(file, n, p))?;
    let per = match opt(&mut o, "per", |n, p| word(file, n, p, &PER))? {
        Some("quarter" | "季" | "季度") => Per::Quarter,
        Some("year" | "年" | "年度") => Per::Year,
        _ => Per::Month,
    };
    let due = opt(&mut o, "due", |n, p| due(file, n, p, per))?;
    let (rn, rp) = o.req("rule", Need::Rule)?;
    let rule_name = word(file, rn, &rp, &RULES)?;
    let points = points(&mut o, path, rule_name)?;
    if rule_name == "bonus" && per != Per::Month {
        return Err(err(
            file,
            o.key_pos("per"),
            &child(path, "per"),
            tell::bonus_monthly(ui()),
        ));
    }
    let (rule, keys): (Rule, &[&str]) = match rule_name {
        "per_finding" => (
            per_finding(&mut o)?,
            &[
                "deduct",
                "overdue",
                "overdue_each_month",
                "repeat",
                "on_spot",
            ],
        ),
        "threshold" => (
            threshold(&mut o, path)?,
            &["target", "direction", "below", "deduct", "missing"],
        ),
        "bands" => (
            bands_rule(&mut o, path, points)?,
            &["measure", "bands", "missing"],
        ),
        "required" => {
            let at_least = opt(&mut o, "at_least", |n, p| whole(file, n, p, 1))?.unwrap_or(1);
            let deduct = opt(&mut o, "deduct", |n, p| non_negative(file, n, p))?;
            (Rule::Required { at_least, deduct }, &["at_least", "deduct"])
        }
        "bonus" => {
            let (an, ap) = o.req("add", Need::Add)?;
            let add = non_negative(file, an, &ap)?;
            (Rule::Bonus { add }, &["add"])
        }
        _ => (Rule::Veto, &[]),
    };
    let mut allowed: Vec<&str> = COMMON_KEYS.to_vec();
    allowed.extend_from_slice(keys);
    o.finish(&allowed, Place::Rule(rule_name))?;
    Ok(Indicator {
        code,
        name,
        points,
        rule,
        per,
        note,
        basis,
        due,
        category,
    })
}

/// `due:` of an indicator judged `per`: a day of the month (`20`) for a monthly one, a day of
/// the year (`"06-30"`, also `6-30`, `06/30`, `6月30日`) for a quarterly or yearly one.
fn due(file: &str, node: &Node, path: &str, per: Per) -> Res<Due> {
    if per == Per::Month {
        let day = whole(file, node, path, 1)
            .ok()
            .filter(|d| *d <= 31)
            .ok_or_else(|| err(file, node.pos, path, tell::due_day(ui())))?;
        return Ok(Due::Day(day as u8));
    }
    let t = text(file, node, path).unwrap_or_default();
    let t = t.trim().trim_end_matches('日');
    let parsed = t.split_once(['-', '/', '月', '.']).and_then(|(m, d)| {
        let digits = |x: &str| {
            (!x.is_empty() && x.len() <= 2 && x.bytes().all(|b| b.is_ascii_digit()))
                .then(|| x.parse::<u8>().ok())
                .flatten()
        };
        let (m, d) = (digits(m)?, digits(d)?);
        // 2024 is a leap year: every day that some year has is accepted.
        let ok = jiff::civil::Date::new(2024, m as i8, d as i8).is_ok();
        ok.then_some(Due::MonthDay(m, d))
    });
    parsed.ok_or_else(|| err(file, node.pos, path, tell::due_month_day(ui())))
}

/// The spellings of `per:`, English and Chinese.
const PER: [&str; 9] = [
    "month", "quarter", "year", "月", "月度", "季", "季度", "年", "年度",
];

const RULES: [&str; 6] = [
    "per_finding",
    "threshold",
    "bands",
    "required",
    "bonus",
    "veto",
];

/// An indicator's points: > 0, except bonus and veto indicators, which have none.
fn points(o: &mut Obj, path: &str, rule_name: &str) -> Res<Decimal> {
    let file = o.file;
    if !matches!(rule_name, "bonus" | "veto") {
        let (pn, pp) = o.req("points", Need::Points)?;
        return positive(file, pn, &pp);
    }
    if o.has("points") {
        return Err(err(
            file,
            o.key_pos("points"),
            &child(path, "points"),
            tell::points_of_rule(ui(), rule_name),
        ));
    }
    Ok(Decimal::ZERO)
}

fn per_finding(o: &mut Obj) -> Res<Rule> {
    let file = o.file;
    let (dn, dp) = o.req("deduct", Need::Deduct)?;
    let deduct = match &dn.kind {
        Kind::Map(entries) => {
            if entries.is_empty() {
                return Err(err(file, dn.pos, &dp, tell::severity_map_empty(ui())));
            }
            let mut list = Vec::new();
            for (k, v) in entries {
                list.push((k.name.clone(), non_negative(file, v, &child(&dp, &k.name))?));
            }
            Deduct::BySeverity(list)
        }
        _ => Deduct::Flat(non_negative(file, dn, &dp)?),
    };
    let overdue = opt(o, "overdue", |n, p| non_negative(file, n, p))?;
    let overdue_each_month = opt(o, "overdue_each_month", |n, p| non_negative(file, n, p))?;
    let repeat = opt(o, "repeat", |n, p| factor(file, n, p))?;
    let on_spot = opt(o, "on_spot", |n, p| factor(file, n, p))?;
    Ok(Rule::PerFinding {
        deduct,
        overdue,
        overdue_each_month,
        repeat,
        on_spot,
    })
}

fn threshold(o: &mut Obj, path: &str) -> Res<Rule> {
    let file = o.file;
    let (tn, tp) = o.req("target", Need::Target)?;
    let target = number(file, tn, &tp)?;
    let direction = match opt(o, "direction", |n, p| {
        word(file, n, p, &["at_least", "at_most"])
    })? {
        Some("at_most") => Direction::AtMost,
        _ => Direction::AtLeast,
    };
    let below = match opt(o, "below", |n, p| {
        word(file, n, p, &["zero", "proportional", "per_point"])
    })? {
        Some("proportional") => Below::Proportional,
        Some("per_point") => Below::PerPoint,
        _ => Below::Zero,
    };
    let deduct = opt(o, "deduct", |n, p| {
        if below != Below::PerPoint {
            return Err(err(file, n.pos, p, tell::deduct_without_per_point(ui())));
        }
        non_negative(file, n, p)
    })?;
    if deduct.is_none() && below == Below::PerPoint {
        return Err(err(file, o.pos, path, tell::per_point_without_deduct(ui())));
    }
    let missing = missing(file, o)?;
    Ok(Rule::Threshold {
        target,
        direction,
        below,
        deduct,
        missing,
    })
}

fn bands_rule(o: &mut Obj, path: &str, points: Decimal) -> Res<Rule> {
    let file = o.file;
    let measure = match opt(o, "measure", |n, p| word(file, n, p, &["count", "value"]))? {
        Some("value") => Measure::Value,
        _ => Measure::Count,
    };
    let (bn, bp) = o.req("bands", Need::Bands)?;
    let (from, bands) = bands(file, bn, &bp, points)?;
    let missing = if measure == Measure::Value {
        missing(file, o)?
    } else {
        if o.has("missing") {
            return Err(err(
                file,
                o.key_pos("missing"),
                &child(path, "missing"),
                tell::missing_without_value(ui()),
            ));
        }
        Missing::Full
    };
    Ok(Rule::Bands {
        measure,
        from,
        bands,
        missing,
    })
}

fn missing(file: &str, o: &mut Obj) -> Res<Missing> {
    Ok(match o.get("missing") {
        Some((n, p)) => match word(file, n, &p, &["full", "zero"])? {
            "zero" => Missing::Zero,
            _ => Missing::Full,
        },
        None => Missing::Full,
    })
}

fn bands(file: &str, node: &Node, path: &str, points: Decimal) -> Res<(bool, Vec<Band>)> {
    let items = seq(file, node, path)?;
    if items.is_empty() {
        return Err(err(file, node.pos, path, tell::no_bands(ui())));
    }
    let mut from: Option<bool> = None;
    let mut out = Vec::new();
    for (i, b) in items.iter().enumerate() {
        let bp = format!("{path}[{i}]");
        let mut o = Obj::new(file, b, bp.clone())?;
        let last = i + 1 == items.len();
        let bound = band_bound(&mut o, b, last, &mut from)?;
        let (score, written) = band_score(&mut o, points)?;
        o.finish(&["upto", "from", "score"], Place::Band)?;
        out.push(Band {
            bound,
            score,
            written: written.trim().to_owned(),
        });
    }
    Ok((from.unwrap_or(false), out))
}

/// A band's bound: `upto` or `from` (the same in every band, `from` remembering which), none
/// in the last band only.
fn band_bound(o: &mut Obj, b: &Node, last: bool, from: &mut Option<bool>) -> Res<Option<Decimal>> {
    let file = o.file;
    let upto = o.get("upto");
    let fromv = o.get("from");
    match (upto, fromv) {
        (Some(_), Some((n, p))) => Err(err(file, n.pos, &p, tell::both_bounds(ui()))),
        (Some((n, p)), None) | (None, Some((n, p))) => {
            let is_from = p.ends_with(".from");
            if last {
                return Err(err(file, n.pos, &p, tell::last_band_bound(ui())));
            }
            if let Some(f) = *from
                && f != is_from
            {
                return Err(err(file, n.pos, &p, tell::mixed_bounds(ui())));
            }
            *from = Some(is_from);
            Ok(Some(number(file, n, &p)?))
        }
        (None, None) => {
            if !last {
                return Err(err(file, b.pos, &o.path, tell::band_without_bound(ui())));
            }
            Ok(None)
        }
    }
}

/// A band's score, in points or as a share of the indicator's `points` (`50%`), with the text
/// written; between 0 and the points.
fn band_score(o: &mut Obj, points: Decimal) -> Res<(Decimal, String)> {
    let file = o.file;
    let (sn, sp) = o.req("score", Need::BandScore)?;
    let written = sn.scalar_text().unwrap_or_default();
    let score = match written.trim().strip_suffix('%') {
        Some(share) => match parse_decimal(share) {
            Some(s) => points * s / Decimal::ONE_HUNDRED,
            None => {
                return Err(err(file, sn.pos, &sp, tell::share(ui(), &written)));
            }
        },
        None => number(file, sn, &sp)?,
    };
    if score < Decimal::ZERO || score > points {
        return Err(err(
            file,
            sn.pos,
            &sp,
            tell::band_score(ui(), &points.to_string(), &written),
        ));
    }
    Ok((score, written))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_ok(y: &str) -> Rubric {
        load(y, "r.yaml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn load_err(y: &str) -> String {
        load(y, "r.yaml").unwrap_err().to_string()
    }

    const MINI: &str = "civscore: 1\nname: t\ncategories:\n  - code: A\n    indicators:\n      - {code: A1, name: x, points: 4, rule: per_finding, deduct: 0.5}\n";

    #[test]
    fn year_and_quarter_finals() {
        // 前三季度各20% + 年终40%: Q4 not named weighs 0.
        let r = load_ok(&format!(
            "{MINI}year: {{weights: {{Q1: 20, Q2: 20, Q3: 20, final: 40}}}}\n"
        ));
        let w: Vec<Decimal> = [20, 20, 20, 0].into_iter().map(Decimal::from).collect();
        assert_eq!(r.year_weights.to_vec(), w);
        assert_eq!(r.year_final, Some(Decimal::from(40)));
        assert_eq!(r.quarter_weights, None);
        let r = load_ok(&format!(
            "{MINI}quarter: {{weights: {{months: 60, final: 40}}}}\n"
        ));
        let q = r.quarter_weights.unwrap();
        assert_eq!((q.months, q.last), (Decimal::from(60), Decimal::from(40)));
        assert_eq!(r.year_final, None);
        // Without `final`, every quarter is named; the missing one is named, not taken for a
        // typo of a quarter that is there.
        let e = load_err(&format!(
            "{MINI}year: {{weights: {{Q1: 20, Q2: 20, Q3: 20}}}}\n"
        ));
        assert!(e.contains("missing key `Q4`"), "{e}");
        assert!(!e.contains("unknown key"), "{e}");
        let cases = [
            ("year: {weights: {Q1: 0, final: 0}}", "add up to 0"),
            ("year: {weights: {Q1: 1, final: -1}}", "year.weights.final"),
            (
                "year: {weights: {Q1: 1, fianl: 1}}",
                "unknown key `fianl`; expected one of: Q1, Q2, Q3, Q4, final",
            ),
            ("quarter: {weights: {months: 60}}", "missing key `final`"),
            ("quarter: {weights: {months: 0, final: 0}}", "add up to 0"),
            ("quarter: {weight: {months: 1, final: 1}}", "quarter.weight"),
        ];
        for (yaml, want) in cases {
            let e = load_err(&format!("{MINI}{yaml}\n"));
            assert!(e.contains(want), "{yaml}: {e}");
        }
    }

    #[test]
    fn every_error_in_one_run_without_errors_that_follow_from_them() {
        // Two bad indicators and a bad year weight: three errors. The refused indicators'
        // points are not then compared with `full` or the category's points, and a penalty on
        // a refused indicator is not reported again.
        let y = "civscore: 1\nfull: 10\nyear: {weights: {Q1: 1, Q2: 1, Q3: 1, Q4: x}, penalties: [{indicator: A2, deduct: 1}]}\ncategories:\n  - code: A\n    points: 10\n    indicators:\n      - {code: A1, points: 4, rule: per_finding, deduct: 0.5}\n      - {code: A2, points: 3, rule: per_finding, deduct: -1}\n      - {code: A3, points: 3, rule: nope}\n";
        let e = load(y, "r.yaml").unwrap_err();
        let lines: Vec<String> = e.0.iter().map(|e| e.path.clone()).collect();
        assert_eq!(
            lines,
            [
                "year.weights.Q4",
                "categories[0].indicators[1].deduct",
                "categories[0].indicators[2].rule"
            ],
            "{e}"
        );
    }

    #[test]
    fn version_1_1_chinese_periods_basis_and_notes() {
        let y = "civscore: 1.1\nnotes: 分值为假设\ncategories:\n  - code: A\n    basis: 篇一\n    indicators:\n      - {code: A1, points: 4, rule: required, per: 季度, basis: 篇一（二）}\n      - {code: A2, points: 3, rule: required, per: 年度}\n      - {code: A3, points: 3, rule: per_finding, deduct: 1, per: 月}\n";
        let r = load_ok(y);
        assert_eq!(r.notes.as_deref(), Some("分值为假设"));
        assert_eq!(r.categories[0].basis.as_deref(), Some("篇一"));
        assert_eq!(r.indicators[0].basis.as_deref(), Some("篇一（二）"));
        let per: Vec<Per> = r.indicators.iter().map(|i| i.per).collect();
        assert_eq!(per, [Per::Quarter, Per::Year, Per::Month]);
        assert!(load_err(&y.replace("1.1", "2")).contains("reads versions 1 and 1.1"));
    }

    #[test]
    fn due_dates_by_level() {
        let y = "civscore: 1.1\ncategories:\n  - code: A\n    indicators:\n      - {code: A1, points: 4, rule: required, due: 20}\n      - {code: A2, points: 3, rule: required, per: 年度, due: \"06-30\"}\n      - {code: A3, points: 3, rule: required, per: quarter, due: 2月29日}\n";
        let r = load_ok(y);
        let due: Vec<Option<Due>> = r.indicators.iter().map(|i| i.due).collect();
        assert_eq!(
            due,
            [
                Some(Due::Day(20)),
                Some(Due::MonthDay(6, 30)),
                Some(Due::MonthDay(2, 29))
            ]
        );
        // Day 31 of a 30-day month is its last day; 29 February of a common year is the 28th.
        let may = crate::period::Month::new(2026, 4);
        assert_eq!(
            Due::Day(31).date_in(may, 1),
            Some(jiff::civil::date(2026, 4, 30))
        );
        let q1 = crate::period::Month::new(2026, 1);
        assert_eq!(
            Due::MonthDay(2, 29).date_in(q1, 3),
            Some(jiff::civil::date(2026, 2, 28))
        );
        // A quarterly due date brings forward only the quarter that contains it.
        assert!(
            Due::MonthDay(3, 31)
                .date_in(q1.quarter().months()[0], 3)
                .is_some()
        );
        assert_eq!(Due::MonthDay(6, 30).date_in(q1, 3), None);
        // Wrong forms for the level: a monthly one takes a day, the others a month and day.
        let e = load_err(&y.replace("due: 20", "due: \"06-30\""));
        assert!(
            e.contains("categories[0].indicators[0].due") && e.contains("1 to 31"),
            "{e}"
        );
        let e = load_err(&y.replace("due: \"06-30\"", "due: 32"));
        assert!(
            e.contains("categories[0].indicators[1].due") && e.contains("MM-DD"),
            "{e}"
        );
        let e = load_err(&y.replace("due: 2月29日", "due: 02-30"));
        assert!(e.contains("categories[0].indicators[2].due"), "{e}");
    }

    #[test]
    fn numbers_are_plain_decimals_within_bounds() {
        let with = |v: &str| MINI.replace("deduct: 0.5", &format!("deduct: {v}"));
        for ok in ["0.5", ".5", "2", "+2", "1e3", "0.000001"] {
            load_ok(&with(ok));
        }
        for (bad, says) in [
            ("0x10", "expected a number, found \"0x10\""),
            ("1_000", "expected a number, found \"1_000\""),
            ("1e23", "expected a number from -1000000 to 1000000, found"),
            ("0.0000001", "expected at most 6 decimals"),
            (
                "0.123456789012345678901234567890",
                "with at most 6 decimals",
            ),
        ] {
            let e = load_err(&with(bad));
            assert!(e.contains(says), "{bad}: {e}");
        }
        // Factors are bounded tighter: 4,294,967,295 × 10⁶ × 10³ × 10³ × 10³ stays exact.
        let e = load_err(&MINI.replace("deduct: 0.5", "deduct: 0.5, repeat: 1001"));
        assert!(e.contains("expected a number from -1000 to 1000"), "{e}");
    }

    #[test]
    fn codes_are_printable_and_unique_whatever_their_width_or_case() {
        let two = |a: &str, b: &str| {
            format!(
                "civscore: 1\ncategories:\n  - code: C\n    indicators:\n      - {{code: \"{a}\", points: 4, rule: per_finding, deduct: 1}}\n      - {{code: \"{b}\", points: 4, rule: per_finding, deduct: 1}}\n"
            )
        };
        load_ok(&two("A1", "A2"));
        let e = load_err(&two("A1", "Ａ1"));
        assert!(e.contains("code \"Ａ1\" is used twice as \"A1\""), "{e}");
        let e = load_err(&two("A1", "a1"));
        assert!(e.contains("is used twice as \"A1\""), "{e}");
        for bad in ["", " ", "A\t1", "A 1"] {
            let e = load_err(&two("A1", bad));
            assert!(e.contains("expected a code without spaces"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn minimal_rubric_defaults() {
        let r = load_ok(MINI);
        assert_eq!(r.full, Decimal::from(4));
        assert_eq!(r.precision, 2);
        assert_eq!(r.lang, Lang::En);
        assert_eq!(r.not_applicable, NaMode::Rescale);
        assert_eq!(r.year_weights, [Decimal::ONE; 4]);
        assert_eq!(r.indicator_index("A1"), Some(0));
        assert_eq!(r.sha256.len(), 64);
    }

    #[test]
    fn typo_key_is_refused_with_place_path_and_suggestion() {
        let y = MINI.replace("deduct: 0.5", "deduct: 0.5, dedcut: 1");
        assert_eq!(
            load_err(&y),
            "r.yaml:6:72: categories[0].indicators[0].dedcut: unknown key `dedcut` (did you mean `deduct`?); expected one of: code, name, points, rule, per, note, basis, due, deduct, overdue, overdue_each_month, repeat, on_spot"
        );
    }

    #[test]
    fn key_of_another_rule_is_named_as_such() {
        let y = MINI.replace("deduct: 0.5", "deduct: 0.5, target: 20");
        assert!(load_err(&y).ends_with("key `target` does not apply to rule per_finding"));
    }

    #[test]
    fn full_must_match_points() {
        let y = MINI.replace("name: t\n", "name: t\nfull: 100\n");
        assert_eq!(
            load_err(&y),
            "r.yaml:3:7: full: full is 100 but the indicators' points add up to 4"
        );
    }

    #[test]
    fn category_points_must_match() {
        let y = MINI.replace("  - code: A\n", "  - code: A\n    points: 5\n");
        assert!(
            load_err(&y).contains("category A declares 5 points but its indicators add up to 4")
        );
    }

    #[test]
    fn codes_are_unique_across_categories_and_indicators() {
        let y = MINI.replace("code: A1", "code: A");
        assert!(load_err(&y).contains("code \"A\" is used twice"));
    }

    #[test]
    fn schema_version_is_required() {
        assert!(load_err("name: x\ncategories: []\n").contains("missing key `civscore`"));
        assert!(
            load_err(&MINI.replace("civscore: 1", "civscore: 2"))
                .contains("unsupported schema version")
        );
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let y = MINI.replace("name: t\n", "name: t\nname: u\n");
        assert!(load_err(&y).starts_with("r.yaml:3:1: duplicate key `name`"));
    }

    #[test]
    fn severity_map_and_factors() {
        let y = MINI.replace(
            "deduct: 0.5",
            "deduct: {一般: 0.5, 严重: 2}, overdue: 1, overdue_each_month: 0.25, repeat: 2, on_spot: 0.5",
        );
        let r = load_ok(&y);
        assert_eq!(
            r.indicators[0].rule,
            Rule::PerFinding {
                deduct: Deduct::BySeverity(vec![
                    ("一般".into(), Decimal::new(5, 1)),
                    ("严重".into(), Decimal::from(2))
                ]),
                overdue: Some(Decimal::ONE),
                overdue_each_month: Some(Decimal::new(25, 2)),
                repeat: Some(Decimal::from(2)),
                on_spot: Some(Decimal::new(5, 1)),
            }
        );
    }

    #[test]
    fn bands_with_shares_and_checks() {
        let y = MINI.replace(
            "rule: per_finding, deduct: 0.5",
            "rule: bands, bands: [{upto: 0, score: 4}, {upto: 2, score: 75%}, {score: 0}]",
        );
        let r = load_ok(&y);
        let Rule::Bands { bands, from, .. } = &r.indicators[0].rule else {
            panic!()
        };
        assert!(!from);
        assert_eq!(bands[1].score, Decimal::from(3));
        let bad = MINI.replace(
            "rule: per_finding, deduct: 0.5",
            "rule: bands, bands: [{upto: 0, score: 5}, {score: 0}]",
        );
        assert!(load_err(&bad).contains("between 0 and the indicator's 4 points"));
        let mixed = MINI.replace(
            "rule: per_finding, deduct: 0.5",
            "rule: bands, bands: [{upto: 0, score: 4}, {from: 2, score: 2}, {score: 0}]",
        );
        assert!(load_err(&mixed).contains("not both"));
    }

    #[test]
    fn bonus_only_in_bonus_categories() {
        let y = format!(
            "{MINI}  - code: B\n    indicators:\n      - {{code: B1, name: y, rule: bonus, add: 1}}\n"
        );
        assert!(
            load_err(&y).contains("bonus indicator B1 must be in a category with `bonus: true`")
        );
        let ok = format!(
            "{MINI}  - code: B\n    bonus: true\n    cap: 2\n    indicators:\n      - {{code: B1, name: y, rule: bonus, add: 1}}\n"
        );
        let r = load_ok(&ok);
        assert_eq!(r.full, Decimal::from(4));
        assert_eq!(r.categories[1].cap, Some(Decimal::from(2)));
    }

    #[test]
    fn year_section() {
        let y = format!(
            "{MINI}year:\n  weights: {{Q1: 20, Q2: 20, Q3: 20, Q4: 40}}\n  penalties:\n    - {{name: p, indicator: A1, at_least: 2, deduct: 3}}\n"
        );
        let r = load_ok(&y);
        assert_eq!(r.year_weights[3], Decimal::from(40));
        assert_eq!(r.penalties[0].at_least, 2);
        let bad = y.replace("indicator: A1", "indicator: A2");
        assert!(load_err(&bad).contains("unknown indicator \"A2\" (did you mean \"A1\"?)"));
        let missing_q = y.replace(", Q4: 40", "");
        assert!(load_err(&missing_q).contains("missing key `Q4`"));
    }

    #[test]
    fn grades_descend() {
        let y = format!("{MINI}grades:\n  - {{name: a, min: 60}}\n  - {{name: b, min: 80}}\n");
        assert!(load_err(&y).contains("grades go from highest to lowest"));
    }

    #[test]
    fn threshold_keys() {
        let y = MINI.replace(
            "rule: per_finding, deduct: 0.5",
            "rule: threshold, target: 20, below: per_point",
        );
        assert!(load_err(&y).contains("missing key `deduct`"));
        let z = MINI.replace(
            "rule: per_finding, deduct: 0.5",
            "rule: threshold, target: 20, deduct: 1",
        );
        assert!(load_err(&z).contains("only with `below: per_point`"));
    }

    #[test]
    fn numbers_are_exact() {
        let y = MINI.replace("deduct: 0.5", "deduct: 0.1");
        let r = load_ok(&y);
        let Rule::PerFinding {
            deduct: Deduct::Flat(d),
            ..
        } = r.indicators[0].rule
        else {
            panic!()
        };
        assert_eq!(
            Decimal::from(100) - d * Decimal::from(3),
            Decimal::new(997, 1)
        );
    }
}
