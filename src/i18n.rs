//! Every human-facing word in one catalogue, in Chinese and English side by side: table
//! headers, titles, step names, rule names, and the sentences of an audit trail. Nothing else
//! in the crate chooses words by language; it names a [`W`] or calls a sentence here. Which
//! language is spoken is decided in [`lang`]; the words of `--help` are in [`help`], those of
//! notes, summary lines and errors in [`msg`], those of rubric errors in [`rubric`], those
//! of the command line and output files (clap's errors included) in [`usage`].

/// One sentence in two languages: `say!(l, "English {x}", "中文 {x}")`, both formatted with
/// the caller's variables.
macro_rules! say {
    ($l:expr, $en:literal, $zh:literal $(,)?) => {
        match $l {
            $crate::rubric::Lang::En => format!($en),
            $crate::rubric::Lang::Zh => format!($zh),
        }
    };
}

pub mod bulletin;
pub mod help;
pub mod lang;
pub mod msg;
pub mod rubric;
pub mod usage;

pub use lang::ui;

use rust_decimal::Decimal;

use crate::explain::{Detail, Entry, Finding, How, Measured, Step};
use crate::ranking::Kind;
pub use crate::rubric::Lang;
use crate::rubric::{Band, Below, Deduct, Direction, Measure, Missing, NaMode, Per, Rule};

/// Declares the words of the catalogue: each with its English and Chinese spelling side by
/// side, the enum that names them, and the list of them all (for tests).
macro_rules! words {
    ($($w:ident => ($en:literal, $zh:literal),)*) => {
        /// A word or short phrase of the catalogue.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum W {
            $($w,)*
        }

        /// The two spellings of a word: (English, Chinese).
        const fn pair(w: W) -> (&'static str, &'static str) {
            match w {
                $(W::$w => ($en, $zh),)*
            }
        }

        /// Every word, in the order declared.
        #[cfg(test)]
        const ALL: &[W] = &[$(W::$w,)*];
    };
}

words! {
    Rank => ("Rank", "排名"),
    GroupRank => ("Group rank", "组内排名"),
    RankChange => ("Change", "升降"),
    ScoreChange => ("Score Δ", "分差"),
    Unit => ("Unit", "单位"),
    Name => ("Name", "名称"),
    Group => ("Group", "类别"),
    Score => ("Score", "得分"),
    Deducted => ("Deducted", "扣分"),
    Bonus => ("Bonus", "加分"),
    Grade => ("Grade", "等级"),
    Vetoed => ("Vetoed", "一票否决"),
    Average => ("Average", "平均分"),
    Yes => ("yes", "是"),
    MonthTitle => ("Month", "月度排名"),
    QuarterTitle => ("Quarter", "季度排名"),
    YearTitle => ("Year", "年度排名"),
    Provisional => ("provisional", "暂定"),
    Trend => ("Trend", "走势"),
    StepCol => ("Step", "步骤"),
    Where => ("Where", "出处"),
    Date => ("Date", "日期"),
    Indicator => ("Indicator", "指标"),
    Detail => ("Detail", "说明"),
    Points => ("Points", "分值"),
    OldRank => ("Old rank", "原排名"),
    OldScore => ("Old score", "原得分"),
    OldGrade => ("Old grade", "原等级"),
    NewRank => ("New rank", "新排名"),
    NewScore => ("New score", "新得分"),
    NewGrade => ("New grade", "新等级"),
    RankMove => ("Rank change", "名次变化"),
    RevisionTitle => ("rubric revision", "细则修订对比"),
    Sources => ("sources", "检查方式"),
    Grades => ("grades", "等级"),
    YearWeights => ("year weights", "年度权重"),
    QuarterWeightsWord => ("quarter weights", "季度权重"),
    MonthsPart => ("months", "月度平均"),
    YearFinal => ("Year-end", "年终考评"),
    QuarterFinal => ("Quarterly", "季度综合考核"),
    HalfTitle => ("Half-year", "半年排名"),
    Basis => ("basis", "依据"),
    Due => ("due", "到期日"),
    Pending => ("pending", "待考核"),
    Notes => ("notes", "说明"),
    // The monthly report's sheets and columns.
    MonthToDate => ("Month", "月度排名"),
    QuarterToDate => ("Quarter to date", "季度累计"),
    HalfToDate => ("Half-year to date", "半年累计"),
    YearToDate => ("Year to date", "年度累计"),
    TrendSheet => ("Trend", "得分走势"),
    ScoresChart => ("Scores", "得分"),
    MonthlyScores => ("Monthly scores", "月度得分走势"),
    Ledger => ("Ledger", "扣分明细"),
    OverdueList => ("Overdue list", "督办单"),
    IndicatorName => ("Indicator name", "指标名称"),
    RecordId => ("Id", "编号"),
    Inspector => ("Inspector", "检查人"),
    Count => ("Count", "数量"),
    Source => ("Source", "检查方式"),
    Factors => ("Factors", "计算"),
    Deduction => ("Deduction", "扣分"),
    OverdueExtra => ("Overdue extra", "逾期加扣"),
    Status => ("Status", "状态"),
    Note => ("Note", "问题描述"),
    StatusVoid => ("void", "撤销"),
    StatusNotApplicable => ("not applicable", "不适用"),
    StatusOnSpot => ("on the spot", "当场整改"),
    StatusValid => ("valid", "有效"),
    StatusAppealed => ("under appeal", "申诉中"),
    Appealed => ("Under appeal", "申诉中"),
    MergedInto => ("Merged into", "并入"),
    Completeness => ("Completeness", "完整性提示"),
    Level => ("Level", "督办级别"),
    DaysOverdue => ("Days overdue", "逾期天数"),
    InspectionDate => ("Date", "检查日期"),
    Deadline => ("Deadline", "整改期限"),
    RectifiedOn => ("Rectified", "整改日期"),
    ClosedLate => ("closed late", "已逾期整改"),
    LevelRed => ("red", "红色督办"),
    LevelYellow => ("yellow", "黄色督办"),
    LevelOverdue => ("overdue", "逾期"),
    LevelOpen => ("open", "未到期"),
    DeductionStats => ("Deductions", "扣分统计"),
    CategoryScores => ("Category scores", "分项得分"),
    Category => ("Category", "类别"),
    CategoryName => ("Category name", "类别名称"),
    PointsLost => ("Points lost", "扣分合计"),
    SharePct => ("Share %", "占比 %"),
    LostByCategory => ("Points lost by category", "各类别扣分"),
    Findings => ("Findings", "问题数"),
    UnitsAffected => ("Units affected", "涉及单位"),
    RedBlackLists => ("Red and black lists", "红黑榜"),
    List => ("List", "榜单"),
    RedList => ("red", "红榜"),
    BlackList => ("black", "黑榜"),
    RubricSheet => ("Rubric", "考核细则"),
    Code => ("Code", "编号"),
    RuleCol => ("Rule", "规则"),
    PerCol => ("Per", "考核周期"),
    HowCol => ("How", "扣分办法"),
    Assessor => ("Assessor", "牵头考核"),
    Item => ("Item", "项目"),
    Value => ("Value", "内容"),
    RubricName => ("Rubric", "细则"),
    Origin => ("Source", "来源"),
    AsOf => ("As of", "截至"),
    RubricText => ("Text", "原文"),
    // The ledger's lines that are not records, and its check against the ranking.
    Counted => ("Counted", "计入扣分"),
    LineCap => ("cap", "封顶调整"),
    LineRule => ("indicator rule", "指标扣分"),
    LineNaAverage => ("not applicable: mean", "不适用取平均"),
    LineRescale => ("rescale", "不适用折算"),
    LineBonus => ("bonus (not a deduction)", "加分（不计入扣分）"),
    LineRounding => ("rounding", "舍入差"),
    LineOverdue => ("overdue, booked when it became late", "逾期加扣（逾期发生时计入）"),
    CheckSheet => ("Check", "核对"),
    LedgerRecords => ("Records", "记录扣分"),
    LedgerLines => ("Adjustments", "调整扣分"),
    LedgerTotal => ("Ledger total", "明细合计"),
    RankingDeducted => ("Deducted in ranking", "排名扣分"),
    Difference => ("Difference", "差额"),
    CheckResult => ("Check", "核对结果"),
    CheckOk => ("agrees", "一致"),
    CheckBad => ("differs", "不符"),
    // The notices (督办单) and the result sheets (成绩单), unit by unit.
    NoticeTitle => ("Rectification notice", "督办通知单"),
    Requirement => ("Requirement", "整改要求"),
    LevelClosed => ("closed", "已销号"),
    SignedBy => ("Received by (signature):", "签收人（签字）："),
    SignedOn => ("Date received:", "签收日期："),
    ResultSheet => ("Results", "成绩单"),
    Period => ("Period", "期间"),
    Total => ("Total", "合计"),
    NoNotices => ("No item open, late or closed this month.", "本月无未整改、逾期或销号的问题。"),
}

/// A word in a language.
pub fn t(lang: Lang, w: W) -> &'static str {
    let (en, zh) = pair(w);
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// Picks between the two spellings of a sentence built here.
fn pick(lang: Lang, en: String, zh: String) -> String {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// The last row of a sheet that had to stop at Excel's limit.
pub fn rows_not_shown(lang: Lang, more: usize) -> String {
    match lang {
        Lang::Zh => format!("……另有 {more} 行未列出（Excel 每表最多 1,048,576 行）"),
        Lang::En => format!("… {more} more rows not shown (Excel holds 1,048,576 rows a sheet)"),
    }
}

/// `Month 2026-11` / `2026-11 月度排名`, with the provisional mark.
pub fn title(lang: Lang, kind: Kind, period: &str, provisional: bool) -> String {
    let which = match kind {
        Kind::Month => W::MonthTitle,
        Kind::Quarter => W::QuarterTitle,
        Kind::Half => W::HalfTitle,
        Kind::Year => W::YearTitle,
    };
    let base = pick(
        lang,
        format!("{} {period}", t(lang, which)),
        format!("{period} {}", t(lang, which)),
    );
    self::provisional(lang, base, provisional)
}

/// A title with the provisional mark when the period is not complete: `… (provisional)` /
/// `…（暂定）`.
pub fn provisional(lang: Lang, title: String, provisional: bool) -> String {
    match (provisional, lang) {
        (false, _) => title,
        (true, Lang::En) => format!("{title} (provisional)"),
        (true, Lang::Zh) => format!("{title}（暂定）"),
    }
}

/// A period's kind as a word: `month` / `月度`.
pub fn kind(lang: Lang, kind: Kind) -> &'static str {
    match (lang, kind) {
        (Lang::En, k) => k.as_str(),
        (Lang::Zh, Kind::Month) => "月度",
        (Lang::Zh, Kind::Quarter) => "季度",
        (Lang::Zh, Kind::Half) => "半年",
        (Lang::Zh, Kind::Year) => "年度",
    }
}

/// The name of a step of the audit trail.
pub fn step(lang: Lang, s: Step) -> &'static str {
    let zh = match s {
        Step::Record => "记录",
        Step::Indicator => "指标",
        Step::Category => "小计",
        Step::Adjustment => "调整",
        Step::Bonus => "加分",
        Step::Veto => "否决",
        Step::Part => "分项",
        Step::Mean => "平均",
        Step::Penalty => "处罚",
        Step::Total => "合计",
    };
    match lang {
        Lang::En => s.as_str(),
        Lang::Zh => zh,
    }
}

/// A rule's name: `per_finding` (the rubric's own key, in English) / `逐项扣分`.
pub fn rule(lang: Lang, r: &Rule) -> &'static str {
    let zh = match r {
        Rule::PerFinding { .. } => "逐项扣分",
        Rule::Threshold { .. } => "达标线",
        Rule::Bands { .. } => "分档计分",
        Rule::Required { .. } => "规定动作",
        Rule::Bonus { .. } => "加分",
        Rule::Veto => "一票否决",
    };
    match lang {
        Lang::En => r.name(),
        Lang::Zh => zh,
    }
}

/// A period of judgement: `month` / `按月`.
pub fn per(lang: Lang, p: Per) -> &'static str {
    match (lang, p) {
        (Lang::En, p) => p.as_str(),
        (Lang::Zh, Per::Month) => "按月",
        (Lang::Zh, Per::Quarter) => "按季度",
        (Lang::Zh, Per::Year) => "按年度",
    }
}

/// A decimal as written in a sentence: no trailing zeros.
fn n(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Ten decimals at most, for means and rescaled sums.
fn n10(d: Decimal) -> String {
    n(d.round_dp(10))
}

/// `a vetoed unit` mark appended to a total.
fn vetoed(lang: Lang, v: bool) -> &'static str {
    match (v, lang) {
        (false, _) => "",
        (true, Lang::En) => "; vetoed (一票否决)",
        (true, Lang::Zh) => "；一票否决",
    }
}

/// The sentence of one step of the audit trail, with the record's note and the level it is
/// judged at.
pub fn entry(lang: Lang, e: &Entry) -> String {
    let mut s = detail(lang, &e.detail);
    if let Some(p) = e.per {
        s = pick(
            lang,
            format!("{s} (judged per {})", p.as_str()),
            format!("{s}（{}考核）", per(lang, p)),
        );
    }
    if !e.note.is_empty() {
        s = format!("{s} — {}", e.note);
    }
    s
}

/// The sentence of a step's detail. Long because it is the catalogue of every kind of step, one
/// sentence an arm; the arms of more than a sentence each call a function below.
fn detail(lang: Lang, d: &Detail) -> String {
    use Detail as D;
    let l = lang;
    match d {
        D::None => String::new(),
        D::Void => say!(l, "void (withdrawn): no effect", "已撤销：不扣分"),
        D::NotJudged => say!(
            l,
            "not applicable to this unit: not judged",
            "该单位不适用此指标：不考核"
        ),
        D::NothingFound => say!(
            l,
            "count 0: the inspection found nothing",
            "数量 0：本次检查未发现问题"
        ),
        D::Finding(f) => finding(l, f),
        D::Overdue {
            from,
            open_at,
            extra,
        } => {
            let x = n(*extra);
            match open_at {
                None => say!(
                    l,
                    "overdue: late from {from}: + {x} (booked when it became late)",
                    "逾期整改：自 {from} 起逾期，加扣 {x}（逾期发生时计入）"
                ),
                Some(m) => say!(
                    l,
                    "overdue: still open at the end of {m} (late from {from}): + {x}",
                    "逾期整改：{m} 月末仍未整改（自 {from} 起逾期），再扣 {x}"
                ),
            }
        }
        D::Value(v) => {
            let v = v.map(n).unwrap_or_default();
            say!(l, "value {v}", "测量值 {v}")
        }
        D::Count(c) => say!(l, "count {c}", "数量 {c}"),
        D::BonusRecord { add, count } => {
            let (add, total) = (n(*add), n(*add * Decimal::from(*count)));
            format!("+{add} × {count} = +{total}")
        }
        D::VetoRecord { month } => say!(
            l,
            "veto (一票否决): the unit is vetoed for {month}",
            "一票否决：该单位 {month} 被否决"
        ),
        D::Indicator {
            code,
            name,
            rule: r,
            how,
            basis,
        } => indicator_step(l, code, name, r, how, basis.as_deref()),
        D::Subtotal { code, name } => say!(l, "{code} {name}: subtotal", "{code} {name}：小计"),
        D::Rescale {
            full,
            applicable,
            before,
            after,
        } => rescale_step(l, *full, *applicable, *before, *after),
        D::BonusCategory {
            code,
            name,
            sum,
            cap,
        } => bonus_category_step(l, code, name, *sum, *cap),
        D::MonthTotal {
            full,
            deducted,
            bonus,
            score,
            vetoed: v,
        } => {
            let (full, deducted, bonus, score) = (n(*full), n10(*deducted), n(*bonus), n10(*score));
            format!("{full} − {deducted} + {bonus} = {score}{}", vetoed(l, *v))
        }
        D::MonthPart { month } => say!(l, "month {month}", "{month} 月度得分"),
        D::QuarterPart { quarter, weight } => {
            let weight = n(*weight);
            say!(l, "{quarter}, weight {weight}", "{quarter}，权重 {weight}")
        }
        D::Mean { months, value } => {
            let value = n10(*value);
            say!(
                l,
                "mean of {months} assessed month(s) = {value}",
                "{months} 个已考核月份的平均分 = {value}"
            )
        }
        D::WeightedMean { quarters, value } => {
            let value = n10(*value);
            say!(
                l,
                "weighted mean of {quarters} assessed quarter(s) = {value}",
                "{quarters} 个已考核季度的加权平均分 = {value}"
            )
        }
        D::Penalty {
            name,
            count,
            indicator,
            year,
            at_least,
        } => say!(
            l,
            "{name}: {count} findings of {indicator} in {year} (at least {at_least})",
            "{name}：{year} 年 {indicator} 共 {count} 处（{at_least} 处及以上）"
        ),
        D::Final {
            year,
            weight,
            full,
            deducted,
            score,
        } => {
            let what = t(l, if *year { W::YearFinal } else { W::QuarterFinal });
            let weight = n(*weight);
            match score {
                Some(f) => {
                    let (full, deducted, f) = (n(*full), n10(*deducted), n10(*f));
                    say!(
                        l,
                        "{what} assessment, weight {weight}: {full} − {deducted} = {f}",
                        "{what}，权重 {weight}：{full} − {deducted} = {f}"
                    )
                }
                None => say!(
                    l,
                    "{what} assessment, weight {weight}: pending until the period is complete; the parts alone count",
                    "{what}，权重 {weight}：待考核（期满后评定），暂按各分项计算"
                ),
            }
        }
        D::FinalMean {
            year,
            months,
            value,
        } => {
            let what = t(l, if *year { W::YearFinal } else { W::QuarterFinal });
            let value = n10(*value);
            match months {
                Some(w) => {
                    let w = n(*w);
                    say!(
                        l,
                        "weighted mean of the months' mean (weight {w}) and the {what} assessment = {value}",
                        "月度平均分（权重 {w}）与{what}的加权平均分 = {value}"
                    )
                }
                None => say!(
                    l,
                    "weighted mean with the {what} assessment = {value}",
                    "含{what}的加权平均分 = {value}"
                ),
            }
        }
        D::RollTotal {
            base,
            deducted,
            score,
            vetoed: v,
        } => {
            let (base, deducted, score) = (n10(*base), n10(*deducted), n10(*score));
            format!("{base} − {deducted} = {score}{}", vetoed(l, *v))
        }
    }
}

/// `A1 name [per_finding]: Σ 3 of 5 points (basis: …)`: an indicator's deduction and how it
/// came about.
fn indicator_step(
    l: Lang,
    code: &str,
    name: &str,
    r: &Rule,
    how: &How,
    basis: Option<&str>,
) -> String {
    let how = indicator_how(l, how);
    let how = match basis {
        Some(b) => format!("{how}{}", paren(l, &labelled(l, W::Basis, b))),
        None => how,
    };
    let r = rule(l, r);
    say!(
        l,
        "{code} {name} [{r}]: {how}",
        "{code} {name}［{r}］：{how}"
    )
}

/// The not-applicable rescale of a month's deductions: `× full / applicable: before → after`.
fn rescale_step(
    l: Lang,
    full: Decimal,
    applicable: Decimal,
    before: Decimal,
    after: Decimal,
) -> String {
    let (full, applicable, before, after) = (n(full), n(applicable), n(before), n10(after));
    say!(
        l,
        "not applicable indicators: deductions rescaled × {full} / {applicable} (full / applicable points): {before} → {after}",
        "有不适用指标：扣分按 {full} / {applicable}（满分 / 适用指标分值）折算：{before} → {after}"
    )
}

/// A bonus category's sum, with its cap: `X name: +2, capped at 1.5`.
fn bonus_category_step(
    l: Lang,
    code: &str,
    name: &str,
    sum: Decimal,
    cap: Option<Decimal>,
) -> String {
    let cap = match cap.map(n) {
        None => String::new(),
        Some(c) => say!(l, ", capped at {c}", "，封顶 {c}"),
    };
    let sum = n(sum);
    say!(
        l,
        "{code} {name}: +{sum}{cap}",
        "{code} {name}：+{sum}{cap}"
    )
}

/// `2 × 0.5 (major) × 2 (暗访) × 1.5 (repeat of 2026-10) × 0.5 (on the spot) = 1.5; …`
fn finding(l: Lang, f: &Finding) -> String {
    let sev = f
        .severity
        .as_ref()
        .map(|s| pick(l, format!(" ({s})"), format!("（{s}）")))
        .unwrap_or_default();
    let mut parts = vec![f.count.to_string(), format!("{}{sev}", n(f.deduct))];
    if let Some((w, source)) = &f.source {
        let source = match source {
            Some(s) => s.as_str(),
            None => pick_str(l, "source", "检查方式"),
        };
        parts.push(pick(
            l,
            format!("{} ({source})", n(*w)),
            format!("{}（{source}）", n(*w)),
        ));
    }
    if let Some((r, month)) = &f.repeat {
        parts.push(pick(
            l,
            format!("{} (repeat of {month})", n(*r)),
            format!("{}（{month} 已有同类问题，反弹）", n(*r)),
        ));
    }
    if let Some(s) = f.on_spot {
        parts.push(pick(
            l,
            format!("{} (on the spot)", n(s)),
            format!("{}（当场整改）", n(s)),
        ));
    }
    let mut s = format!("{} = {}", parts.join(" × "), n(f.base));
    if let Some((days, extra)) = f.late {
        s.push_str(&match (extra.is_zero(), l) {
            (true, Lang::En) => format!("; rectification {days} days late"),
            (true, Lang::Zh) => format!("；整改逾期 {days} 天"),
            (false, Lang::En) => {
                format!("; rectification {days} days late: + {} overdue", n(extra))
            }
            (false, Lang::Zh) => format!("；整改逾期 {days} 天：逾期加扣 {}", n(extra)),
        });
    }
    if f.appealed {
        s.push_str(pick_str(
            l,
            "; under appeal: stands until the office decides",
            "；申诉中：复核结论出来前照常扣分",
        ));
    }
    s
}

fn pick_str(l: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match l {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// How an indicator's deduction came about. Long because it is the catalogue of every way, one
/// sentence an arm; the arms of more than a sentence each call a function below.
fn indicator_how(l: Lang, how: &How) -> String {
    match how {
        How::Nothing => String::new(),
        How::Capped { sum, points } => {
            let (sum, points) = (n(*sum), n(*points));
            say!(
                l,
                "Σ {sum} capped at its {points} points (扣完为止)",
                "合计 {sum}，以该项分值 {points} 为限（扣完为止）"
            )
        }
        How::Within { sum, points } => {
            let (sum, points) = (n(*sum), n(*points));
            say!(
                l,
                "Σ {sum} of {points} points",
                "合计 {sum}（该项分值 {points}）"
            )
        }
        How::NoValue(Missing::Full) => say!(
            l,
            "no measured value: keeps its points (missing: full)",
            "无测量值：不扣分（缺测按满分）"
        ),
        How::NoValue(Missing::Zero) => say!(
            l,
            "no measured value: loses its points (missing: zero)",
            "无测量值：该项不得分（缺测按零分）"
        ),
        How::Threshold {
            mean,
            values,
            at_most,
            target,
            kept,
            points,
        } => threshold_how(l, *mean, *values, *at_most, *target, *kept, *points),
        How::Bands {
            measured,
            kept,
            points,
        } => bands_how(l, measured, *kept, *points),
        How::BandsNoValue => say!(l, "no measured value", "无测量值"),
        How::Required {
            held,
            at_least,
            each,
        } => {
            let (missing, each) = (at_least.saturating_sub(*held), n(*each));
            say!(
                l,
                "held {held} of at least {at_least}: {missing} missing × {each}",
                "应至少开展 {at_least} 次，实际 {held} 次：缺 {missing} 次 × {each}"
            )
        }
        How::NaAverage => say!(
            l,
            "not applicable: the mean deduction of the units it applies to (not_applicable: average)",
            "不适用：取适用单位的平均扣分"
        ),
        How::NaRescale => say!(
            l,
            "not applicable: not judged (the others are rescaled)",
            "不适用：不考核（其余指标折算）"
        ),
        How::Pending {
            held: Some((held, at_least)),
            due,
        } => say!(
            l,
            "pending (not due until {due}): held {held} of at least {at_least} so far, no deduction yet",
            "待考核（{due} 到期）：目前已开展 {held} 次（应至少 {at_least} 次），暂不扣分"
        ),
        How::Pending { held: None, due } => say!(
            l,
            "pending (not due until {due}): no measured value yet, no deduction yet",
            "待考核（{due} 到期）：尚无测量值，暂不扣分"
        ),
    }
}

/// A threshold's judgement: `mean 15 of 2 value(s) against ≥ 20: scores 3 of 4`.
fn threshold_how(
    l: Lang,
    mean: Decimal,
    values: u64,
    at_most: bool,
    target: Decimal,
    kept: Decimal,
    points: Decimal,
) -> String {
    let op = if at_most { "≤" } else { "≥" };
    let (mean, target, kept, points) = (n10(mean), n(target), n10(kept), n(points));
    say!(
        l,
        "mean {mean} of {values} value(s) against {op} {target}: scores {kept} of {points}",
        "{values} 个测量值平均 {mean}，标准 {op} {target}：得 {kept}（该项分值 {points}）"
    )
}

/// The band a measure falls in: `count 2: band scores 3 of 6`.
fn bands_how(l: Lang, measured: &Measured, kept: Decimal, points: Decimal) -> String {
    let m = match measured {
        Measured::Count(c) => say!(l, "count {c}", "数量 {c}"),
        Measured::Mean(v) => {
            let v = n10(*v);
            say!(l, "mean value {v}", "平均测量值 {v}")
        }
    };
    let (kept, points) = (n(kept), n(points));
    say!(
        l,
        "{m}: band scores {kept} of {points}",
        "{m}：按分档得 {kept}（该项分值 {points}）"
    )
}

/// The heading of one explained period: `迎春社区 (U1) — month 2026-01: 16.00`.
pub fn explain_heading(
    lang: Lang,
    who: &str,
    kind_: Kind,
    period: &str,
    score: &str,
    vetoed: bool,
) -> String {
    let mark = match (vetoed, lang) {
        (false, _) => "",
        (true, Lang::En) => ", vetoed (一票否决)",
        (true, Lang::Zh) => "（一票否决）",
    };
    pick(
        lang,
        format!("{who} — {} {period}: {score}{mark}", kind(lang, kind_)),
        format!("{who} — {period} {}得分：{score}{mark}", kind(lang, kind_)),
    )
}

/// The title of one table of `compare`.
pub fn revision_title(lang: Lang, kind_: Kind, period: &str, old: &str, new: &str) -> String {
    pick(
        lang,
        format!("{} {period}: {old} → {new}", kind_.as_str()),
        format!("{period} {}：{old} → {new}", t(lang, W::RevisionTitle)),
    )
}

/// A grade with the veto mark, as `compare` shows it: `合格 (vetoed)` / `合格（否决）`.
pub fn vetoed_grade(lang: Lang, grade: &str) -> String {
    pick(
        lang,
        format!("{grade} (vetoed)"),
        format!("{grade}（否决）"),
    )
}

/// `basis: text` / `依据：text`.
pub fn labelled(lang: Lang, label: W, text: &str) -> String {
    format!("{}{}{text}", t(lang, label), colon(lang))
}

/// A printed page's footer (Excel's codes: &C centre, &P page, &N pages).
pub fn page_footer(lang: Lang) -> String {
    format!("&C{}", page_number(lang))
}

/// The page number on a printed page: `Page &P of &N` / `第 &P 页 共 &N 页`.
pub fn page_number(lang: Lang) -> &'static str {
    pick_str(lang, "Page &P of &N", "第 &P 页 共 &N 页")
}

/// `as of 2026-11-30` / `截至 2026-11-30`.
/// The title line above a report sheet's table: `2026-11 月度排名｜细则｜截至 2026-11-30`.
pub fn sheet_title(lang: Lang, sheet: &str, rubric: &str, date: &str) -> String {
    pick(
        lang,
        format!("{sheet} | {rubric} | as of {date}"),
        format!("{sheet}｜{rubric}｜截至 {date}"),
    )
}

/// The sentence a unit's 督办单 opens with.
pub fn notice_intro(lang: Lang, unit: &str, date: &str) -> String {
    pick(
        lang,
        format!(
            "{unit}: as of {date}, the problems below are to be rectified as required; \
             items closed this month are listed after them. Please sign on receipt."
        ),
        format!(
            "{unit}：截至 {date}，下列问题请按整改要求限期整改，本月已销号问题列于其后。请签收。"
        ),
    )
}

/// A unit's block title: `督办通知单｜U01 迎春社区`.
pub fn unit_title(lang: Lang, what: W, code: &str, name: Option<&str>) -> String {
    let unit = match name {
        Some(n) => format!("{code} {n}"),
        None => code.to_owned(),
    };
    pick(
        lang,
        format!("{} | {unit}", t(lang, what)),
        format!("{}｜{unit}", t(lang, what)),
    )
}

pub fn as_of(lang: Lang, date: &str) -> String {
    pick(lang, format!("as of {date}"), format!("截至 {date}"))
}

/// Between the items of a list: `, ` / `、`.
pub fn list_sep(lang: Lang) -> &'static str {
    pick_str(lang, ", ", "、")
}

/// The colon after a label: `: ` / `：`.
pub fn colon(lang: Lang) -> &'static str {
    pick_str(lang, ": ", "：")
}

/// Text in parentheses: ` (x)` / `（x）`.
pub fn paren(lang: Lang, x: &str) -> String {
    pick(lang, format!(" ({x})"), format!("（{x}）"))
}

/// `origin: builtin:community  sha256: …`
pub fn rubric_origin(lang: Lang, origin: &str, sha256: &str) -> String {
    pick(
        lang,
        format!("origin: {origin}  sha256: {sha256}"),
        format!("来源：{origin}  SHA-256：{sha256}"),
    )
}

/// `full 100 · precision 2 · not applicable: rescale`
pub fn rubric_basics(lang: Lang, full: Decimal, precision: u32, na: NaMode) -> String {
    let (en, zh) = match na {
        NaMode::Rescale => ("rescale", "按适用分值折算"),
        NaMode::Average => ("average", "取适用单位平均扣分"),
    };
    pick(
        lang,
        format!(
            "full {} · precision {precision} · not applicable: {en}",
            n(full)
        ),
        format!(
            "满分 {} · 保留 {precision} 位小数 · 不适用指标：{zh}",
            n(full)
        ),
    )
}

/// A year penalty: `name — 2 or more findings of F2: −3`.
pub fn penalty_rule(lang: Lang, name: &str, at_least: u64, code: &str, deduct: Decimal) -> String {
    pick(
        lang,
        format!(
            "year penalty: {name} — {at_least} or more findings of {code}: −{}",
            n(deduct)
        ),
        format!(
            "年度处罚：{name} — 年内 {code} 达 {at_least} 处及以上：扣 {}",
            n(deduct)
        ),
    )
}

/// A category's points: `10 points`, `bonus, up to +3`.
pub fn category_points(lang: Lang, bonus: bool, cap: Option<Decimal>, points: Decimal) -> String {
    match (bonus, cap) {
        (true, Some(c)) => pick(
            lang,
            format!("bonus, up to +{}", n(c)),
            format!("加分，最多 +{}", n(c)),
        ),
        (true, None) => pick(lang, "bonus".into(), "加分".into()),
        (false, _) => pick(
            lang,
            format!("{} points", n(points)),
            format!("{} 分", n(points)),
        ),
    }
}

/// An indicator's points: `4 pts` / `4 分`.
pub fn points(lang: Lang, p: Decimal) -> String {
    pick(lang, format!("{} pts", n(p)), format!("{} 分", n(p)))
}

/// A rule's name with the level it is judged at: `required per quarter` / `规定动作（按季度）`.
pub fn rule_per(lang: Lang, r: &Rule, p: Per) -> String {
    match (p, lang) {
        (Per::Month, _) => rule(lang, r).to_owned(),
        (p, Lang::En) => format!("{} per {}", r.name(), p.as_str()),
        (p, Lang::Zh) => format!("{}（{}）", rule(lang, r), per(lang, p)),
    }
}

/// `3 categories, 12 indicators, 100 points`
pub fn rubric_summary(lang: Lang, categories: usize, indicators: usize, full: Decimal) -> String {
    pick(
        lang,
        format!(
            "{categories} categories, {indicators} indicators, {} points",
            n(full)
        ),
        format!(
            "共 {categories} 个类别、{indicators} 个指标，满分 {}",
            n(full)
        ),
    )
}

/// What a rule does, in one line: `−1 per finding; overdue −0.5 more`.
pub fn describe(lang: Lang, r: &Rule) -> String {
    match r {
        Rule::PerFinding {
            deduct,
            overdue,
            overdue_each_month,
            repeat,
            on_spot,
        } => describe_per_finding(
            lang,
            deduct,
            (*overdue, *overdue_each_month),
            *repeat,
            *on_spot,
        ),
        Rule::Threshold {
            target,
            direction,
            below,
            deduct,
            missing,
        } => describe_threshold(lang, *target, direction, below, *deduct, missing),
        Rule::Bands {
            measure,
            from,
            bands,
            ..
        } => describe_bands(lang, measure, *from, bands),
        Rule::Required { at_least, deduct } => match deduct {
            Some(d) => pick(
                lang,
                format!("at least {at_least}, −{} per missing", n(*d)),
                format!("至少 {at_least} 次，每缺 1 次扣 {}", n(*d)),
            ),
            None => pick(
                lang,
                format!("at least {at_least}, else all points"),
                format!("至少 {at_least} 次，否则扣除该项全部分值"),
            ),
        },
        Rule::Bonus { add } => pick(
            lang,
            format!("+{} per record", n(*add)),
            format!("每条记录加 {}", n(*add)),
        ),
        Rule::Veto => pick(
            lang,
            "any record vetoes the unit (一票否决)".into(),
            "有记录即一票否决".into(),
        ),
    }
}

/// A threshold rule: `mean value ≥ 20, else −0.5 per point off; no measure: 0`.
fn describe_threshold(
    lang: Lang,
    target: Decimal,
    direction: &Direction,
    below: &Below,
    deduct: Option<Decimal>,
    missing: &Missing,
) -> String {
    let op = match direction {
        Direction::AtLeast => "≥",
        Direction::AtMost => "≤",
    };
    let b = match below {
        Below::Zero => pick(lang, "else 0".into(), "否则得 0 分".into()),
        Below::Proportional => pick(lang, "else proportional".into(), "否则按比例得分".into()),
        Below::PerPoint => {
            let d = n(deduct.unwrap_or_default());
            pick(
                lang,
                format!("else −{d} per point off"),
                format!("否则每差 1 个点扣 {d}"),
            )
        }
    };
    let m = match missing {
        Missing::Full => String::new(),
        Missing::Zero => pick(lang, "; no measure: 0".into(), "；无测量值得 0 分".into()),
    };
    let sep = pick_str(lang, ", ", "，");
    pick(
        lang,
        format!("mean value {op} {}{sep}{b}{m}", n(target)),
        format!("平均测量值 {op} {}{sep}{b}{m}", n(target)),
    )
}

/// A bands rule, each band as written: `findings: ≤0 → 6, ≤2 → 50%, else 0`.
fn describe_bands(lang: Lang, measure: &Measure, from: bool, bands: &[Band]) -> String {
    let what = match measure {
        Measure::Count => pick_str(lang, "findings", "问题数"),
        Measure::Value => pick_str(lang, "mean value", "平均测量值"),
    };
    let parts: Vec<String> = bands
        .iter()
        .map(|b| match b.bound {
            Some(x) if from => format!("≥{} → {}", n(x), b.written),
            Some(x) => format!("≤{} → {}", n(x), b.written),
            None => format!("{} {}", pick_str(lang, "else", "其余"), b.written),
        })
        .collect();
    format!("{what}{}{}", colon(lang), parts.join(list_sep(lang)))
}

fn describe_per_finding(
    lang: Lang,
    deduct: &Deduct,
    (overdue, each_month): (Option<Decimal>, Option<Decimal>),
    repeat: Option<Decimal>,
    on_spot: Option<Decimal>,
) -> String {
    let mut s = match deduct {
        Deduct::Flat(d) => pick(
            lang,
            format!("−{} per finding", n(*d)),
            format!("每处扣 {}", n(*d)),
        ),
        Deduct::BySeverity(m) => {
            let list = m
                .iter()
                .map(|(k, d)| format!("{k} −{}", n(*d)))
                .collect::<Vec<_>>()
                .join(list_sep(lang));
            pick(
                lang,
                format!("per finding by severity: {list}"),
                format!("按问题程度每处扣分：{list}"),
            )
        }
    };
    let sep = pick_str(lang, "; ", "；");
    if let Some(x) = overdue {
        s += sep;
        s += &pick(
            lang,
            format!("overdue −{} more", n(x)),
            format!("逾期整改再扣 {}", n(x)),
        );
    }
    if let Some(x) = each_month {
        s += sep;
        s += &pick(
            lang,
            format!("still open at a month's end −{} more each month", n(x)),
            format!("逾期未整改每月再扣 {}", n(x)),
        );
    }
    if let Some(f) = repeat {
        s += sep;
        s += &pick(lang, format!("repeat ×{}", n(f)), format!("反弹 ×{}", n(f)));
    }
    if let Some(f) = on_spot {
        s += sep;
        s += &pick(
            lang,
            format!("on the spot ×{}", n(f)),
            format!("当场整改 ×{}", n(f)),
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chinese text that a Chinese reader would see as English: a run of two or more Latin
    /// letters (codes such as `P1` are one letter and digits).
    pub fn english_words(s: &str) -> Vec<String> {
        s.split(|c: char| !c.is_ascii_alphabetic() && c != '_')
            .filter(|w| w.len() >= 2)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_word_has_two_spellings() {
        for &w in ALL {
            let (en, zh) = pair(w);
            assert!(!en.is_empty() && !zh.is_empty(), "{w:?}");
            assert!(english_words(zh).is_empty(), "{w:?}: {zh}");
            assert!(!zh.is_ascii(), "{w:?}");
            assert!(
                !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{w:?}"
            );
        }
    }

    #[test]
    fn a_final_assessment_reads_in_both_languages() {
        let f = |score| Detail::Final {
            year: true,
            weight: Decimal::from(40),
            full: Decimal::from(100),
            deducted: Decimal::from(6),
            score,
        };
        let done = f(Some(Decimal::from(94)));
        assert_eq!(
            detail(Lang::En, &done),
            "Year-end assessment, weight 40: 100 − 6 = 94"
        );
        assert_eq!(detail(Lang::Zh, &done), "年终考评，权重 40：100 − 6 = 94");
        assert!(detail(Lang::Zh, &f(None)).contains("待考核"));
        let mean = Detail::FinalMean {
            year: false,
            months: Some(Decimal::from(60)),
            value: Decimal::new(93, 1),
        };
        assert_eq!(
            detail(Lang::Zh, &mean),
            "月度平均分（权重 60）与季度综合考核的加权平均分 = 9.3"
        );
    }

    #[test]
    fn a_finding_reads_in_both_languages() {
        let f = Finding {
            count: 2,
            deduct: Decimal::new(5, 1),
            severity: None,
            source: Some((Decimal::TWO, Some("暗访".into()))),
            repeat: None,
            on_spot: None,
            base: Decimal::TWO,
            late: Some((5, Decimal::new(5, 1))),
            appealed: false,
        };
        let d = Detail::Finding(f);
        assert_eq!(
            detail(Lang::En, &d),
            "2 × 0.5 × 2 (暗访) = 2; rectification 5 days late: + 0.5 overdue"
        );
        let zh = detail(Lang::Zh, &d);
        assert_eq!(zh, "2 × 0.5 × 2（暗访） = 2；整改逾期 5 天：逾期加扣 0.5");
        assert!(english_words(&zh).is_empty());
    }
}
