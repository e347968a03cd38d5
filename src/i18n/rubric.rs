//! The sentences of rubric errors, in English and Chinese side by side. The rubric reader names
//! what is wrong; the words are here. Keys, key paths and the rubric's own values are quoted
//! as written (in backticks in Chinese), since an author types them as they are.

use crate::rubric::Lang;
use crate::yaml::{Kind, Node};

/// A fixed phrase in the two languages.
fn two(l: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match l {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// A key, value or path as the author typed it: bare in English, in backticks in Chinese.
pub fn typed(l: Lang, s: &str) -> String {
    match l {
        Lang::En => s.to_owned(),
        Lang::Zh => format!("`{s}`"),
    }
}

/// The keys or values one may write: `a, b, c` / `` `a`、`b`、`c` ``.
pub(crate) fn choices(l: Lang, items: &[&str]) -> String {
    let items: Vec<String> = items.iter().map(|s| typed(l, s)).collect();
    super::msg::list(l, &items)
}

/// What a node is, as in `found a list`.
pub fn kind(l: Lang, node: &Node) -> &'static str {
    match node.kind {
        Kind::Null => two(l, "nothing", "空值"),
        Kind::Bool(_) => two(l, "true/false", "true/false"),
        Kind::Num(_) => two(l, "a number", "数字"),
        Kind::Str(_) => two(l, "text", "文字"),
        Kind::Seq(_) => two(l, "a list", "列表"),
        Kind::Map(_) => two(l, "a mapping", "映射"),
    }
}

/// A node as an error quotes it: a scalar's text in quotes, else what it is.
pub fn describe(l: Lang, node: &Node) -> String {
    match (&node.kind, l) {
        (Kind::Str(s) | Kind::Num(s), Lang::En) => format!("\"{s}\""),
        (Kind::Str(s) | Kind::Num(s), Lang::Zh) => format!("“{s}”"),
        _ => kind(l, node).to_owned(),
    }
}

/// What a required key holds, named when it is missing.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    Version,
    Categories,
    CategoryCode,
    Indicators,
    QuarterWeight,
    MonthsWeight,
    FinalWeight,
    PenaltyIndicator,
    PenaltyDeduct,
    GradeName,
    GradeMin,
    IndicatorCode,
    Rule,
    Add,
    Points,
    Deduct,
    Target,
    Bands,
    BandScore,
}

fn need(l: Lang, n: Need) -> &'static str {
    use Need as N;
    match n {
        N::Version => two(l, "the schema version, 1 or 1.1", "细则格式版本，1 或 1.1"),
        N::Categories => two(l, "the list of categories", "类别列表"),
        N::CategoryCode => two(l, "the category's code, such as A", "类别编号，如 A"),
        N::Indicators => two(l, "the list of indicators", "指标列表"),
        N::QuarterWeight => two(
            l,
            "every quarter's weight, Q1 to Q4 (or `final`, the year-end assessment's weight, beside the quarters that count; a quarter not named then weighs 0)",
            "每个季度的权重，Q1 至 Q4（或写 `final` 年终考评权重，未写的季度权重为 0）",
        ),
        N::MonthsWeight => two(
            l,
            "the weight of the months' mean, such as 60",
            "月度平均分的权重，如 60",
        ),
        N::FinalWeight => two(
            l,
            "the weight of the quarterly comprehensive assessment, such as 40",
            "季度综合考核的权重，如 40",
        ),
        N::PenaltyIndicator => two(
            l,
            "the indicator whose records are counted",
            "据以计数的指标",
        ),
        N::PenaltyDeduct => two(
            l,
            "the points subtracted from the year score",
            "从年度得分中扣除的分值",
        ),
        N::GradeName => two(l, "the grade's name, such as 优秀", "等级名称，如 优秀"),
        N::GradeMin => two(
            l,
            "the lowest rounded score of the grade",
            "该等级的最低得分（取整后）",
        ),
        N::IndicatorCode => two(l, "the indicator's code, such as A1", "指标编号，如 A1"),
        N::Rule => two(
            l,
            "per_finding, threshold, bands, required, bonus or veto",
            "`per_finding`、`threshold`、`bands`、`required`、`bonus` 或 `veto`",
        ),
        N::Add => two(l, "the points each record adds", "每条记录的加分"),
        N::Points => two(
            l,
            "the indicator's points, a number > 0",
            "指标分值，大于 0 的数",
        ),
        N::Deduct => two(
            l,
            "a number, or a map of severity → number",
            "一个数，或由程度到数的映射",
        ),
        N::Target => two(l, "the line to meet, a number", "要达到的标准线，一个数"),
        N::Bands => two(
            l,
            "a list of {upto: X, score: S} ending with {score: S}",
            "由 `{upto: X, score: S}` 组成、以 `{score: S}` 结尾的列表",
        ),
        N::BandScore => two(
            l,
            "the indicator's score in this band: points, or a share such as 66%",
            "该档的得分：分值，或 66% 这样的比例",
        ),
    }
}

/// Where a key was found that does not belong there.
#[derive(Debug, Clone, Copy)]
pub enum Place<'a> {
    Top,
    Category,
    Year,
    YearWeights,
    Quarter,
    QuarterWeights,
    Penalty,
    Grade,
    Band,
    Rule(&'a str),
}

fn place(l: Lang, p: Place) -> String {
    let s = match p {
        Place::Top => two(l, "at the top of a rubric", "细则的顶层"),
        Place::Category => two(l, "to a category", "类别"),
        Place::Year => two(l, "to the year section", "年度部分"),
        Place::YearWeights => two(l, "to year weights", "年度权重"),
        Place::Quarter => two(l, "to the quarter section", "季度部分"),
        Place::QuarterWeights => two(l, "to quarter weights", "季度权重"),
        Place::Penalty => two(l, "to a penalty", "年度处罚"),
        Place::Grade => two(l, "to a grade", "等级"),
        Place::Band => two(l, "to a band", "分档"),
        Place::Rule(r) => return say!(l, "to rule {r}", "规则 `{r}`"),
    };
    s.to_owned()
}

/// ` (did you mean `x`?)` for a key or a value, or nothing.
fn mean(l: Lang, s: Option<&str>) -> String {
    match s {
        Some(s) => say!(l, " (did you mean `{s}`?)", "（是否应为 `{s}`？）"),
        None => String::new(),
    }
}

// The shape of the document.

pub fn not_keys(l: Lang, node: &Node) -> String {
    let found = kind(l, node);
    say!(
        l,
        "expected a mapping of keys, found {found}",
        "应为由键组成的映射，实为{found}",
    )
}

pub fn missing_key(l: Lang, key: &str, what: Need) -> String {
    let what = need(l, what);
    say!(
        l,
        "missing key `{key}` ({what})",
        "缺少键 `{key}`（{what}）"
    )
}

/// A near-miss key that most likely hid a required one.
pub fn typo_for_missing(l: Lang, typo: &str, key: &str, what: Need) -> String {
    let missing = missing_key(l, key, what);
    say!(
        l,
        "unknown key `{typo}` (did you mean `{key}`?); {missing}",
        "未知键 `{typo}`（是否应为 `{key}`？）；{missing}",
    )
}

pub fn key_elsewhere(l: Lang, key: &str, p: Place) -> String {
    let p = place(l, p);
    say!(
        l,
        "key `{key}` does not apply {p}",
        "键 `{key}` 不适用于{p}"
    )
}

pub fn unknown_key(l: Lang, key: &str, like: Option<&str>, allowed: &[&str]) -> String {
    let (hint, allowed) = (mean(l, like), choices(l, allowed));
    say!(
        l,
        "unknown key `{key}`{hint}; expected one of: {allowed}",
        "未知键 `{key}`{hint}；应为其中之一：{allowed}",
    )
}

pub fn unknown_value(l: Lang, value: &str, like: Option<&str>, allowed: &[&str]) -> String {
    let (hint, allowed) = (mean(l, like), choices(l, allowed));
    say!(
        l,
        "unknown value \"{value}\"{hint}; expected one of: {allowed}",
        "未知取值“{value}”{hint}；应为其中之一：{allowed}",
    )
}

/// A node of the wrong kind: `expected text`, `a list`, `a mapping`, `true or false`.
pub fn expected(l: Lang, want: Want, node: &Node) -> String {
    let found = match want {
        Want::Bool => describe(l, node),
        _ => kind(l, node).to_owned(),
    };
    match want {
        Want::Text => say!(l, "expected text, found {found}", "应为文字，实为{found}"),
        Want::List => say!(l, "expected a list, found {found}", "应为列表，实为{found}"),
        Want::Map => say!(
            l,
            "expected a mapping, found {found}",
            "应为映射，实为{found}"
        ),
        Want::Bool => say!(
            l,
            "expected true or false, found {found}",
            "应为 true 或 false，实为{found}",
        ),
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Want {
    Text,
    List,
    Map,
    Bool,
}

// Numbers.

pub fn not_a_number(l: Lang, node: &Node) -> String {
    let found = describe(l, node);
    say!(l, "expected a number, found {found}", "应为数，实为{found}")
}

pub fn number_too_fine(l: Lang, max: i64, decimals: u32, found: &str) -> String {
    say!(
        l,
        "expected a number from -{max} to {max} with at most {decimals} decimals, found {found}",
        "应为 -{max} 到 {max} 之间、最多 {decimals} 位小数的数，实为 {found}",
    )
}

pub fn number_out_of_range(l: Lang, max: i64, found: &str) -> String {
    say!(
        l,
        "expected a number from -{max} to {max}, found {found}",
        "应为 -{max} 到 {max} 之间的数，实为 {found}",
    )
}

pub fn too_many_decimals(l: Lang, decimals: u32, found: &str) -> String {
    say!(
        l,
        "expected at most {decimals} decimals, found {found}",
        "最多 {decimals} 位小数，实为 {found}",
    )
}

pub fn negative(l: Lang, found: &str) -> String {
    say!(
        l,
        "expected a number ≥ 0, found {found}",
        "应为不小于 0 的数，实为 {found}",
    )
}

pub fn not_positive(l: Lang, found: &str) -> String {
    say!(
        l,
        "expected a number > 0, found {found}",
        "应为大于 0 的数，实为 {found}",
    )
}

pub fn not_whole(l: Lang, min: u64, found: &str) -> String {
    say!(
        l,
        "expected a whole number ≥ {min}, found {found}",
        "应为不小于 {min} 的整数，实为 {found}",
    )
}

pub fn precision(l: Lang, found: u64) -> String {
    say!(
        l,
        "expected a precision from 0 to 10, found {found}",
        "小数位数应为 0 到 10，实为 {found}",
    )
}

pub fn share(l: Lang, found: &str) -> String {
    say!(
        l,
        "expected a share such as 66%, found \"{found}\"",
        "应为 66% 这样的比例，实为“{found}”",
    )
}

// The whole rubric.

pub fn empty(l: Lang) -> String {
    say!(
        l,
        "the rubric is empty: expected a mapping that starts with `civscore: 1`",
        "细则为空：应为以 `civscore: 1` 开头的映射",
    )
}

pub fn version(l: Lang, node: &Node) -> String {
    let found = describe(l, node);
    say!(
        l,
        "unsupported schema version {found}: this civscore reads versions 1 and 1.1",
        "不支持的细则格式版本 {found}：本版 civscore 只读 1 和 1.1 版",
    )
}

pub fn bad_code(l: Lang, code: &str) -> String {
    say!(
        l,
        "expected a code without spaces or control characters, such as A1, found {code:?}",
        "编号不能含空格或控制字符（如 A1），实为 {code:?}",
    )
}

/// A code used twice; `as_first` is the first code when it was written otherwise.
pub fn code_twice(l: Lang, code: &str, as_first: Option<&str>, line: u64, path: &str) -> String {
    let same = match as_first {
        Some(f) => say!(l, " as \"{f}\"", "与“{f}”"),
        None => String::new(),
    };
    let path = typed(l, path);
    say!(
        l,
        "code \"{code}\" is used twice{same} (first at line {line}, {path}); codes must be unique across the rubric",
        "编号“{code}”{same}重复（首次出现在第 {line} 行，{path}）；整个细则中的编号必须唯一",
    )
}

pub fn no_categories(l: Lang) -> String {
    say!(l, "the rubric has no categories", "细则中没有类别")
}

pub fn no_points(l: Lang) -> String {
    say!(
        l,
        "the rubric's indicators carry no points: nothing to score",
        "细则中的指标都没有分值：无从计分",
    )
}

pub fn full_differs(l: Lang, full: &str, total: &str) -> String {
    say!(
        l,
        "full is {full} but the indicators' points add up to {total}",
        "满分（`full`）为 {full}，但各指标分值合计为 {total}",
    )
}

// Categories and indicators.

pub fn cap_without_bonus(l: Lang) -> String {
    say!(
        l,
        "`cap` applies only to a category with `bonus: true`",
        "`cap` 只适用于 `bonus: true` 的类别",
    )
}

pub fn bonus_category_points(l: Lang) -> String {
    say!(
        l,
        "a bonus category has no points (its `cap` limits the bonus)",
        "加分类别没有分值（加分上限由其 `cap` 规定）",
    )
}

pub fn not_bonus_in_bonus(l: Lang, code: &str, rule: &str) -> String {
    say!(
        l,
        "a bonus category holds only bonus indicators, but {code} has rule {rule}",
        "加分类别只能包含加分指标，但 {code} 的规则是 `{rule}`",
    )
}

pub fn bonus_outside(l: Lang, code: &str) -> String {
    say!(
        l,
        "bonus indicator {code} must be in a category with `bonus: true`",
        "加分指标 {code} 必须放在 `bonus: true` 的类别中",
    )
}

pub fn no_indicators(l: Lang) -> String {
    say!(l, "the category has no indicators", "该类别中没有指标")
}

pub fn category_points(l: Lang, code: &str, declared: &str, sum: &str) -> String {
    say!(
        l,
        "category {code} declares {declared} points but its indicators add up to {sum}",
        "类别 {code} 的分值为 {declared}，但其指标分值合计为 {sum}",
    )
}

pub fn due_day(l: Lang) -> String {
    say!(
        l,
        "expected the day of the month the indicator falls due, a whole number from 1 to 31 (`due: 20`)",
        "应为按月考核指标的到期日（每月第几天），1 到 31 的整数（`due: 20`）",
    )
}

pub fn due_month_day(l: Lang) -> String {
    say!(
        l,
        "expected the day of the year the indicator falls due, written \"MM-DD\" (`due: \"06-30\"`)",
        "应为按季度或按年考核指标的到期日，写作 \"MM-DD\"（`due: \"06-30\"`）",
    )
}

pub fn bonus_monthly(l: Lang) -> String {
    say!(
        l,
        "bonus indicators are judged monthly: `per` must be month",
        "加分指标按月考核：`per` 必须是 `month`",
    )
}

pub fn points_of_rule(l: Lang, rule: &str) -> String {
    say!(
        l,
        "a {rule} indicator has no points",
        "`{rule}` 指标没有分值"
    )
}

pub fn severity_map_empty(l: Lang) -> String {
    say!(l, "the severity map is empty", "程度映射为空")
}

pub fn deduct_without_per_point(l: Lang) -> String {
    say!(
        l,
        "`deduct` applies to a threshold only with `below: per_point`",
        "达标线指标只有在 `below: per_point` 时才用 `deduct`",
    )
}

pub fn per_point_without_deduct(l: Lang) -> String {
    say!(
        l,
        "missing key `deduct` (points lost per unit of distance from the target, with `below: per_point`)",
        "缺少键 `deduct`（`below: per_point` 时，距标准线每差一个单位所扣的分）",
    )
}

pub fn missing_without_value(l: Lang) -> String {
    say!(
        l,
        "`missing` applies to bands only with `measure: value`",
        "分档指标只有在 `measure: value` 时才用 `missing`",
    )
}

// The year section and the grades.

pub fn weights_zero(l: Lang) -> String {
    say!(l, "the quarter weights add up to 0", "各季度权重合计为 0")
}

pub fn quarter_weights_zero(l: Lang) -> String {
    say!(
        l,
        "the weights of the months and of the final add up to 0",
        "月度与季度综合考核的权重合计为 0"
    )
}

pub fn penalty_name(l: Lang, n: usize) -> String {
    say!(l, "penalty {n}", "处罚 {n}")
}

pub fn grades_order(l: Lang, name: &str, min: &str, prev: &str, prev_min: &str) -> String {
    say!(
        l,
        "grades go from highest to lowest, but {name}'s min {min} is not below {prev}'s {prev_min}",
        "等级应从高到低排列，但“{name}”的最低分 {min} 不低于“{prev}”的 {prev_min}",
    )
}

// Bands.

pub fn no_bands(l: Lang) -> String {
    say!(l, "the list of bands is empty", "分档列表为空")
}

pub fn both_bounds(l: Lang) -> String {
    say!(
        l,
        "a band has either `upto` or `from`, not both",
        "一档只能有 `upto` 或 `from` 其中之一",
    )
}

pub fn last_band_bound(l: Lang) -> String {
    say!(
        l,
        "the last band has no bound: it takes every measure left",
        "最后一档没有界限：它承接其余所有情况",
    )
}

pub fn mixed_bounds(l: Lang) -> String {
    say!(
        l,
        "bands use either `upto` (ascending) or `from` (descending), not both",
        "各档只能都用 `upto`（升序）或都用 `from`（降序）",
    )
}

pub fn band_without_bound(l: Lang) -> String {
    say!(
        l,
        "missing key `upto` (or `from`): only the last band has no bound",
        "缺少键 `upto`（或 `from`）：只有最后一档没有界限",
    )
}

pub fn band_score(l: Lang, points: &str, found: &str) -> String {
    say!(
        l,
        "a band's score must be between 0 and the indicator's {points} points, found {found}",
        "每档得分应在 0 到该指标的 {points} 分之间，实为 {found}",
    )
}

// YAML itself.

pub fn duplicate_key(l: Lang, key: &str) -> String {
    say!(
        l,
        "duplicate key `{key}`: each key may appear only once in a mapping",
        "键 `{key}` 重复：同一映射中每个键只能出现一次",
    )
}

pub fn too_large(l: Lang, detail: &str) -> String {
    say!(
        l,
        "refused: the document holds, or expands to, more values than a rubric may ({detail}): at most 50,000 values (some 4,500 indicators), counting what an alias such as *name repeats",
        "已拒绝：文档的值（含 `*name` 这样的别名重复展开的值）超出细则的上限（{detail}）：最多 50,000 个值（约 4,500 个指标）",
    )
}

/// A file of more than one YAML document (a `---` line after the first).
pub fn many_documents(l: Lang) -> String {
    say!(
        l,
        "the file holds more than one YAML document (a line --- after the first): a rubric is one document",
        "文件里有不止一个 YAML 文档（第一个文档之后还有 --- 行）：细则只能是一个文档",
    )
}

pub fn too_deep(l: Lang) -> String {
    say!(
        l,
        "refused: the document is nested too deeply (recursion limit exceeded)",
        "已拒绝：文档嵌套过深",
    )
}

/// Another message of the YAML parser, which speaks English only: wrapped in Chinese.
pub fn syntax(l: Lang, parser: &str) -> String {
    match l {
        Lang::En => parser.to_owned(),
        Lang::Zh => format!("YAML 格式错误（解析器原文：{parser}）"),
    }
}

/// `FILE:LINE:COL: PATH: MESSAGE`, the place as it is in both languages.
pub fn at(l: Lang, place: &str, path: &str, message: &str) -> String {
    match (path.is_empty(), l) {
        (true, Lang::En) => format!("{place}: {message}"),
        (true, Lang::Zh) => format!("{place}：{message}"),
        (false, Lang::En) => format!("{place}: {path}: {message}"),
        (false, Lang::Zh) => format!("{place}：`{path}`：{message}"),
    }
}

/// `--lang` or a project's `lang` that is neither language.
pub fn unknown_lang(l: Lang, found: &str) -> String {
    say!(
        l,
        "unknown language \"{found}\": expected zh or en",
        "未知语言“{found}”：应为 zh 或 en",
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::yaml;

    /// The Latin words of a Chinese sentence, outside what it quotes (“…”), what it shows as
    /// typed (`…`), flags, paths, file names and the words one types as they are.
    pub(crate) fn english(s: &str) -> Vec<String> {
        let (mut quoted, mut typed, mut read) = (false, false, String::new());
        for c in s.chars() {
            match c {
                '“' => quoted = true,
                '”' => quoted = false,
                '`' => typed = !typed,
                c if !quoted && !typed => read.push(c),
                _ => {}
            }
        }
        #[rustfmt::skip]
        const TYPED: &[&str] = &[
            "civscore", "true", "false", "zh", "en", "UTF", "YAML", "table", "json", "csv", "md",
            "xlsx", "html", "auto", "always", "never",
        ];
        read.split(|c: char| c.is_whitespace() || "（）“”：；，、［］".contains(c))
            .filter(|w| !w.starts_with('-') && !w.contains(['.', '/']))
            .flat_map(|w| w.split(|c: char| !c.is_ascii_alphabetic() && c != '_'))
            .filter(|w| w.len() >= 2 && !TYPED.contains(w))
            .map(str::to_owned)
            .collect()
    }

    fn all(l: Lang) -> Vec<String> {
        let text = yaml::parse("甲").unwrap();
        let list = yaml::parse("[1]").unwrap();
        let keys = ["code", "name"];
        let mut out = vec![
            not_keys(l, &list),
            typo_for_missing(l, "dedcut", "deduct", Need::Deduct),
            key_elsewhere(l, "target", Place::Rule("per_finding")),
            unknown_key(l, "dedcut", Some("deduct"), &keys),
            unknown_value(l, "甲", Some("zh"), &["zh", "en"]),
            not_a_number(l, &text),
            number_too_fine(l, 1000, 6, "1e99"),
            number_out_of_range(l, 1000, "2000"),
            too_many_decimals(l, 6, "0.0000001"),
            negative(l, "-1"),
            not_positive(l, "0"),
            not_whole(l, 1, "0.5"),
            precision(l, 11),
            share(l, "甲%"),
            empty(l),
            version(l, &text),
            bad_code(l, "A 1"),
            code_twice(l, "ａ1", Some("A1"), 3, "categories[0].code"),
            no_categories(l),
            no_points(l),
            full_differs(l, "100", "4"),
            cap_without_bonus(l),
            bonus_category_points(l),
            not_bonus_in_bonus(l, "A1", "per_finding"),
            bonus_outside(l, "B1"),
            no_indicators(l),
            category_points(l, "A", "5", "4"),
            bonus_monthly(l),
            points_of_rule(l, "veto"),
            severity_map_empty(l),
            deduct_without_per_point(l),
            per_point_without_deduct(l),
            missing_without_value(l),
            weights_zero(l),
            quarter_weights_zero(l),
            penalty_name(l, 1),
            grades_order(l, "甲", "90", "乙", "80"),
            no_bands(l),
            both_bounds(l),
            last_band_bound(l),
            mixed_bounds(l),
            band_without_bound(l),
            band_score(l, "4", "5"),
            duplicate_key(l, "a"),
            too_large(l, "甲"),
            too_deep(l),
            at(l, "r.yaml:1:2", "categories[0]", "甲"),
            unknown_lang(l, "fr"),
        ];
        for w in [Want::Text, Want::List, Want::Map, Want::Bool] {
            out.push(expected(l, w, &text));
        }
        use Need as N;
        for n in [
            N::Version,
            N::Categories,
            N::CategoryCode,
            N::Indicators,
            N::QuarterWeight,
            N::MonthsWeight,
            N::FinalWeight,
            N::PenaltyIndicator,
            N::PenaltyDeduct,
            N::GradeName,
            N::GradeMin,
            N::IndicatorCode,
            N::Rule,
            N::Add,
            N::Points,
            N::Deduct,
            N::Target,
            N::Bands,
            N::BandScore,
        ] {
            out.push(missing_key(l, "k", n));
        }
        for p in [
            Place::Top,
            Place::Category,
            Place::Year,
            Place::YearWeights,
            Place::Quarter,
            Place::QuarterWeights,
            Place::Penalty,
            Place::Grade,
            Place::Band,
        ] {
            out.push(key_elsewhere(l, "k", p));
        }
        out
    }

    /// Every sentence `all` makes is Chinese in Chinese and differs from its English.
    pub(crate) fn both_languages(all: fn(Lang) -> Vec<String>) {
        for s in all(Lang::Zh) {
            assert!(english(&s).is_empty(), "{s}: {:?}", english(&s));
        }
        for (en, zh) in all(Lang::En).into_iter().zip(all(Lang::Zh)) {
            assert_ne!(en, zh);
        }
    }

    #[test]
    fn every_rubric_error_is_chinese_in_chinese() {
        both_languages(all);
    }

    #[test]
    fn english_stays_as_it_was() {
        assert_eq!(
            typo_for_missing(Lang::En, "dedcut", "deduct", Need::Deduct),
            "unknown key `dedcut` (did you mean `deduct`?); missing key `deduct` (a number, or a map of severity → number)"
        );
        assert_eq!(
            at(Lang::En, "r.yaml:3:7", "full", "甲"),
            "r.yaml:3:7: full: 甲"
        );
    }
}
