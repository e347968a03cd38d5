//! Table headers and report labels in the rubric's language (SPEC §1 `lang`).

use crate::rubric::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L {
    Rank,
    GroupRank,
    RankChange,
    ScoreChange,
    Unit,
    Name,
    Group,
    Score,
    Deducted,
    Bonus,
    Grade,
    Vetoed,
    Average,
    Yes,
    MonthTitle,
    QuarterTitle,
    YearTitle,
    Provisional,
    Trend,
}

pub fn t(lang: Lang, l: L) -> &'static str {
    use L::*;
    match (lang, l) {
        (Lang::En, Rank) => "Rank",
        (Lang::Zh, Rank) => "排名",
        (Lang::En, GroupRank) => "Group rank",
        (Lang::Zh, GroupRank) => "组内排名",
        (Lang::En, RankChange) => "Change",
        (Lang::Zh, RankChange) => "升降",
        (Lang::En, ScoreChange) => "Score Δ",
        (Lang::Zh, ScoreChange) => "分差",
        (Lang::En, Unit) => "Unit",
        (Lang::Zh, Unit) => "单位",
        (Lang::En, Name) => "Name",
        (Lang::Zh, Name) => "名称",
        (Lang::En, Group) => "Group",
        (Lang::Zh, Group) => "类别",
        (Lang::En, Score) => "Score",
        (Lang::Zh, Score) => "得分",
        (Lang::En, Deducted) => "Deducted",
        (Lang::Zh, Deducted) => "扣分",
        (Lang::En, Bonus) => "Bonus",
        (Lang::Zh, Bonus) => "加分",
        (Lang::En, Grade) => "Grade",
        (Lang::Zh, Grade) => "等级",
        (Lang::En, Vetoed) => "Vetoed",
        (Lang::Zh, Vetoed) => "一票否决",
        (Lang::En, Average) => "Average",
        (Lang::Zh, Average) => "平均分",
        (Lang::En, Yes) => "yes",
        (Lang::Zh, Yes) => "是",
        (Lang::En, MonthTitle) => "Month",
        (Lang::Zh, MonthTitle) => "月度排名",
        (Lang::En, QuarterTitle) => "Quarter",
        (Lang::Zh, QuarterTitle) => "季度排名",
        (Lang::En, YearTitle) => "Year",
        (Lang::Zh, YearTitle) => "年度排名",
        (Lang::En, Provisional) => "provisional",
        (Lang::Zh, Provisional) => "暂定",
        (Lang::En, Trend) => "Trend",
        (Lang::Zh, Trend) => "走势",
    }
}

/// `Month 2026-11` / `2026-11 月度排名`, with the provisional mark.
pub fn title(lang: Lang, kind: crate::ranking::Kind, period: &str, provisional: bool) -> String {
    use crate::ranking::Kind;
    let which = match kind {
        Kind::Month => L::MonthTitle,
        Kind::Quarter => L::QuarterTitle,
        Kind::Year => L::YearTitle,
    };
    let base = match lang {
        Lang::En => format!("{} {period}", t(lang, which)),
        Lang::Zh => format!("{period} {}", t(lang, which)),
    };
    if !provisional {
        return base;
    }
    match lang {
        Lang::En => format!("{base} (provisional)"),
        Lang::Zh => format!("{base}（暂定）"),
    }
}
