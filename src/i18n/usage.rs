//! The sentences of the command line and of output files, in English and Chinese side by side:
//! clap's own errors in Chinese (clap speaks English only), civscore's usage errors, the
//! output files it refuses, and the list of built-in rubrics.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::rubric::Lang;

// clap's errors.

/// clap's error in the interface language, laid out as clap lays it out; `None` when clap's own
/// text is the one to print (English, help, version, kinds not listed here).
pub fn clap_error(l: Lang, e: &clap::Error) -> Option<String> {
    if l == Lang::En || !e.use_stderr() {
        return None;
    }
    let mut out = format!("error: {}\n", clap_head(e)?);
    let tips = clap_tips(e);
    if !tips.is_empty() {
        out.push('\n');
        for t in tips {
            out.push_str(&format!("  提示：{t}\n"));
        }
    }
    if let Some(ContextValue::StyledStr(usage)) = e.get(ContextKind::Usage) {
        let usage = usage.to_string();
        let usage = usage.strip_prefix("Usage: ").unwrap_or(&usage);
        out.push_str(&format!("\n用法：{usage}\n"));
    }
    out.push_str("\n更多信息请试试“--help”。\n");
    Some(out)
}

fn text(e: &clap::Error, k: ContextKind) -> Option<&str> {
    match e.get(k) {
        Some(ContextValue::String(s)) => Some(s),
        _ => None,
    }
}

fn texts(e: &clap::Error, k: ContextKind) -> Vec<String> {
    match e.get(k) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        _ => Vec::new(),
    }
}

fn number(e: &clap::Error, k: ContextKind) -> Option<isize> {
    match e.get(k) {
        Some(ContextValue::Number(n)) => Some(*n),
        _ => None,
    }
}

/// Items in Chinese quotes, on one line.
fn quoted(items: &[String]) -> String {
    let v: Vec<String> = items.iter().map(|s| format!("“{s}”")).collect();
    v.join("、")
}

/// The first line (and the lines that list arguments) of a clap error, in Chinese.
fn clap_head(e: &clap::Error) -> Option<String> {
    use ContextKind as K;
    let arg = || text(e, K::InvalidArg);
    let value = || text(e, K::InvalidValue);
    Some(match e.kind() {
        ErrorKind::UnknownArgument => format!("意外的参数“{}”", arg()?),
        ErrorKind::InvalidSubcommand => {
            format!("没有“{}”这个命令", text(e, K::InvalidSubcommand)?)
        }
        ErrorKind::InvalidValue => {
            let (arg, value) = (arg()?, value()?);
            let mut s = match value.is_empty() {
                true => format!("“{arg}”需要一个值，但没有给出"),
                false => format!("“{value}”不是“{arg}”的有效值"),
            };
            let valid = texts(e, K::ValidValue);
            if !valid.is_empty() {
                s.push_str(&format!("\n  ［可选值：{}］", valid.join("、")));
            }
            s
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e).map(|s| range(&s.to_string()));
            format!(
                "“{}”不是“{}”的有效值{}",
                value()?,
                arg()?,
                why.unwrap_or_default()
            )
        }
        ErrorKind::MissingRequiredArgument => {
            let mut s = "缺少以下必需的参数：".to_owned();
            for a in texts(e, K::InvalidArg) {
                s.push_str(&format!("\n  {a}"));
            }
            s
        }
        ErrorKind::ArgumentConflict => conflict(e)?,
        ErrorKind::TooManyValues => format!("“{}”多给了一个值“{}”", arg()?, value()?),
        ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            let want = number(e, K::ExpectedNumValues).or(number(e, K::MinValues))?;
            let got = number(e, K::ActualNumValues)?;
            format!("“{}”需要 {want} 个值，实际给出 {got} 个", arg()?)
        }
        ErrorKind::NoEquals => format!("给“{}”赋值时要用等号", arg()?),
        ErrorKind::MissingSubcommand => {
            format!("“{}”后面要跟一个命令", text(e, K::InvalidSubcommand)?)
        }
        ErrorKind::InvalidUtf8 => "命令行参数中有不是 UTF-8 的字符".to_owned(),
        _ => return None,
    })
}

/// Why a number was refused, from clap's English (`0 is not in 1..=65535`, `invalid digit found
/// in string`): the range when there is one, else that a whole number is expected.
fn range(why: &str) -> String {
    match why.split_once(" is not in ") {
        Some((_, r)) => match r.split_once("..=") {
            Some((a, b)) => format!("：应为 {a} 到 {b} 之间的整数"),
            None => "：超出范围".to_owned(),
        },
        None => "：应为整数".to_owned(),
    }
}

/// `the argument '--all' cannot be used with '--period <PERIOD>'`, in Chinese.
fn conflict(e: &clap::Error) -> Option<String> {
    let arg = text(e, ContextKind::InvalidArg)?;
    let prior = texts(e, ContextKind::PriorArg);
    Some(match prior.as_slice() {
        [p] if p == arg => format!("参数“{arg}”只能用一次"),
        [] => format!("参数“{arg}”不能与其他已给的参数同时使用"),
        _ => format!("参数“{arg}”不能与{}同时使用", quoted(&prior)),
    })
}

/// clap's suggestions, in Chinese: similar commands, flags or values, and how to pass a value
/// that looks like a flag.
fn clap_tips(e: &clap::Error) -> Vec<String> {
    let mut tips = Vec::new();
    for (k, what) in [
        (ContextKind::SuggestedSubcommand, "命令"),
        (ContextKind::SuggestedArg, "参数"),
        (ContextKind::SuggestedValue, "值"),
    ] {
        let similar = texts(e, k);
        if !similar.is_empty() {
            tips.push(format!("有相近的{what}：{}", quoted(&similar)));
        }
    }
    if let Some(ContextValue::StyledStrs(list)) = e.get(ContextKind::Suggested) {
        for tip in list {
            // clap's one tip of this kind: "to pass 'X' as a value, use 'Y'".
            let tip = tip.to_string();
            let parts: Vec<&str> = tip.split('\'').collect();
            if let [head, x, mid, y, ..] = parts.as_slice()
                && head.starts_with("to pass")
                && mid.contains("as a value")
            {
                tips.push(format!("如要把“{x}”作为值传入，请写“{y}”"));
            }
        }
    }
    tips
}

// civscore's own usage errors.

/// `--flag: what is wrong with its value`.
pub fn flag(l: Lang, flag: &str, message: &str) -> String {
    say!(l, "{flag}: {message}", "{flag}：{message}")
}

pub fn rejects_without_skip(l: Lang) -> String {
    say!(
        l,
        "--rejects goes with --skip-invalid (without it, invalid rows stop the run)",
        "--rejects 须与 --skip-invalid 同用（不加 --skip-invalid 时，无效行会使运行停止）",
    )
}

pub fn workbook_needs_file(l: Lang) -> String {
    say!(
        l,
        "a workbook is written to a file: give -o FILE.xlsx",
        "工作簿只能写入文件：请用 -o 文件.xlsx",
    )
}

pub fn unknown_color(l: Lang, value: &str) -> String {
    say!(
        l,
        "--color: unknown value \"{value}\": expected auto, always or never",
        "--color：未知取值“{value}”：应为 auto、always 或 never",
    )
}

pub fn unknown_format(l: Lang, value: &str) -> String {
    say!(
        l,
        "unknown format \"{value}\": expected table, json, csv, md, xlsx or html",
        "未知格式“{value}”：应为 table、json、csv、md、xlsx 或 html",
    )
}

pub fn unknown_by(l: Lang, value: &str) -> String {
    say!(
        l,
        "unknown --by \"{value}\": expected category",
        "未知的 --by “{value}”：应为 category（分项）",
    )
}

pub fn yellow_above_red(l: Lang, yellow: i64, red: i64) -> String {
    say!(
        l,
        "yellow ({yellow}) is above red ({red}): yellow comes first",
        "黄色预警线（{yellow}）高于红色预警线（{red}）：黄色应在前",
    )
}

// Output files.

/// `-o report.pdf`: a kind of file civscore does not write.
pub fn foreign_extension(l: Lang, path: &str, ext: &str) -> String {
    say!(
        l,
        "-o {path}: civscore does not write .{ext} files (it writes .xlsx, .csv, .json, .md, .html and text)",
        "-o {path}：civscore 不写 .{ext} 文件（可写 .xlsx、.csv、.json、.md、.html 和纯文本）",
    )
}

/// `-o a.csv --format json`.
pub fn extension_contradicts(l: Lang, path: &str, ext: &str, format: &str, want: &str) -> String {
    say!(
        l,
        "-o {path}: a .{ext} name for {format} output: name it .{want}",
        "-o {path}：{format} 格式的输出却用了 .{ext} 文件名：请改为 .{want}",
    )
}

pub fn workbook_extension(l: Lang, path: &str, ext: &str) -> String {
    say!(
        l,
        "-o {path}: a workbook's name ends in .xlsx, not .{ext}",
        "-o {path}：工作簿的文件名应以 .xlsx 结尾，而不是 .{ext}",
    )
}

pub fn report_format(l: Lang, format: &str) -> String {
    say!(
        l,
        "report writes a workbook (xlsx) or a bulletin (html), not {format}",
        "report 只生成工作簿（xlsx）或通报（html），不生成 {format}",
    )
}

pub fn is_a_folder(l: Lang) -> String {
    say!(l, "is a folder", "是文件夹")
}

pub fn read_only(l: Lang, path: &str) -> String {
    say!(
        l,
        "{path}: the file is read-only: refusing to replace it",
        "{path}：文件是只读的：不予覆盖",
    )
}

pub fn output_twice(l: Lang, path: &str, other: &str) -> String {
    say!(
        l,
        "{path}: the same file as {other}, another output of this run: refusing to write both to it",
        "{path}：与本次运行的另一个输出 {other} 是同一个文件：不能把两者都写入其中",
    )
}

pub fn output_is_input(l: Lang, path: &str, input: &str) -> String {
    say!(
        l,
        "{path}: the same file as {input}, an input of this run: refusing to write over it",
        "{path}：与本次运行的输入 {input} 是同一个文件：不予覆盖",
    )
}

pub fn disk_full(l: Lang) -> String {
    say!(l, "no space left on the device", "磁盘空间不足")
}

pub fn read_only_disk(l: Lang) -> String {
    say!(l, "the file system is read-only", "文件系统是只读的")
}

pub fn not_a_file_name(l: Lang) -> String {
    say!(l, "not a file name", "不是文件名")
}

/// The xlsx writer failed: its own message, in English, quoted.
pub fn workbook_failed(l: Lang, why: &str) -> String {
    say!(
        l,
        "cannot build the workbook: {why}",
        "无法生成工作簿（写入器原文：{why}）"
    )
}

pub fn symlink_loop(l: Lang) -> String {
    say!(l, "too many levels of symbolic links", "符号链接层数过多")
}

/// The end of a line cut at its length limit.
pub fn cut(l: Lang, rest: usize) -> String {
    say!(l, "… ({rest} more characters)", "…（另有 {rest} 个字符）")
}

/// `report --period` given a quarter or a year.
pub fn report_for_a_month(l: Lang, period: &str) -> String {
    say!(
        l,
        "--period {period}: a report is made for a month (such as 2026-11)",
        "--period {period}：月报只能按月制作（例如 2026-11）",
    )
}

/// The note when a file was written: `wrote report.xlsx (2026-11, as of 2026-12-01)`.
pub fn wrote(l: Lang, path: &str, period: &str, as_of: &str) -> String {
    say!(
        l,
        "wrote {path} ({period}, as of {as_of})",
        "已写入 {path}（{period}，截至 {as_of}）",
    )
}

// Rubrics and the project file.

pub fn no_builtin(l: Lang, name: &str, hint: &str) -> String {
    say!(
        l,
        "no built-in rubric \"{name}\"{hint}; see `civscore rubrics`",
        "没有名为“{name}”的内置细则{hint}；见 `civscore rubrics`",
    )
}

pub fn init_no_builtin(l: Lang, name: &str, names: &[&str]) -> String {
    let names = super::rubric::choices(l, names);
    say!(
        l,
        "--rubric: no built-in rubric \"{name}\" (built-in: {names})",
        "--rubric：没有名为“{name}”的内置细则（内置细则：{names}）",
    )
}

pub fn rubric_is_folder(l: Lang) -> String {
    say!(
        l,
        "is a folder, not a rubric file",
        "是文件夹，不是细则文件"
    )
}

pub fn no_rubric(l: Lang, names: &[&str]) -> String {
    let names = super::rubric::choices(l, names);
    say!(
        l,
        "no such file, and no built-in rubric of that name (built-in: {names})",
        "文件不存在，也没有这个名字的内置细则（内置细则：{names}）",
    )
}

pub fn rubric_not_utf8(l: Lang, spec: &str) -> String {
    say!(
        l,
        "{spec}: a rubric must be UTF-8 text",
        "{spec}：细则必须是 UTF-8 文本"
    )
}

/// A line of `civscore rubrics`: name, size, and whether it is the default; then what it is.
/// `about` is the built-in's own line, `中文名称 (English gloss)`: Chinese keeps the name.
pub fn builtin_line(
    l: Lang,
    name: &str,
    indicators: usize,
    full: &str,
    default: bool,
    about: &str,
) -> String {
    let (mark, about) = match l {
        Lang::En => (if default { " (default)" } else { "" }, about),
        Lang::Zh => (
            if default { "（默认）" } else { "" },
            about.split(" (").next().unwrap_or(about),
        ),
    };
    let head = say!(
        l,
        "{indicators} indicators, full {full}{mark}",
        "{indicators} 项指标，满分 {full}{mark}",
    );
    format!("{name:<16} {head}\n{:<16} {about}\n", "")
}

/// The project file cannot be read as TOML: the parser's message, which is English, quoted.
pub fn project_syntax(l: Lang, place: &str, parser: &str) -> String {
    say!(
        l,
        "{place}: {parser}",
        "{place}：设置文件格式错误（解析器原文：{parser}）"
    )
}

pub fn project_jobs_zero(l: Lang, file: &str) -> String {
    say!(
        l,
        "{file}: jobs: at least one worker is needed",
        "{file}：`jobs`：至少要有一个工作线程",
    )
}

/// A setting of the project file with a bad value: `FILE: KEY: what is wrong`.
pub fn project_setting(l: Lang, file: &str, key: &str, message: &str) -> String {
    say!(l, "{file}: {key}: {message}", "{file}：`{key}`：{message}")
}

/// A roster without its code or name column; `missing` holds `code` and/or `name`.
pub fn roster_columns(l: Lang, place: &str, missing: &[&str], found: &[String]) -> String {
    let found = super::msg::found_columns(l, found);
    match l {
        Lang::En => {
            let v: Vec<String> = missing.iter().map(|m| format!("\"{m}\"")).collect();
            let missing = v.join(" or ");
            format!(
                "{place}: the roster has no column {missing} (expected code/编号 and name/名称); columns found: {found}"
            )
        }
        Lang::Zh => {
            let v: Vec<&str> = missing
                .iter()
                .map(|m| {
                    if *m == "code" {
                        "“编号”"
                    } else {
                        "“名称”"
                    }
                })
                .collect();
            let missing = v.join("或");
            format!(
                "{place}：名册缺少{missing}列（应有 编号/code 和 名称/name）；已有的列：{found}"
            )
        }
    }
}

// Inputs. These serve the reader (`input.rs`, `stream.rs`), which is being rewritten: it is to
// call them in place of its English strings.

pub fn unknown_encoding(l: Lang, value: &str) -> String {
    say!(
        l,
        "unknown encoding \"{value}\": expected utf-8, gbk, gb18030, utf-16le or utf-16be",
        "未知编码“{value}”：应为 `utf-8`、`gbk`、`gb18030`、`utf-16le` 或 `utf-16be`",
    )
}

pub fn input_is_folder(l: Lang) -> String {
    say!(l, "is a folder, not a file", "是文件夹，不是文件")
}

/// `--sheet NAME` names no sheet of the workbook; `sheets` lists those it has.
pub fn no_such_sheet(l: Lang, file: &str, sheet: &str, sheets: &[String]) -> String {
    let sheets = super::msg::list(l, sheets);
    say!(
        l,
        "--sheet: {file} has no sheet \"{sheet}\" (sheets: {sheets})",
        "--sheet：{file} 中没有工作表“{sheet}”（已有的工作表：{sheets}）",
    )
}

pub fn workbook_without_sheets(l: Lang, file: &str) -> String {
    say!(
        l,
        "{file}: the workbook has no sheet",
        "{file}：工作簿中没有工作表"
    )
}

/// A spreadsheet so damaged that the spreadsheet library gave up on it.
pub fn damaged_spreadsheet(l: Lang, file: &str) -> String {
    say!(
        l,
        "{file}: cannot read the spreadsheet: the file is damaged",
        "{file}：无法读取电子表格：文件已损坏",
    )
}

/// A row of a text the CSV reader cannot read (`at` is `FILE:LINE`): its own words, quoted.
pub fn unreadable_row(l: Lang, at: &str, why: &str) -> String {
    say!(
        l,
        "{at}: cannot read the row: {why}",
        "{at}：无法读取这一行（读取器原文：{why}）",
    )
}

/// A spreadsheet (or one of its sheets) the reader cannot open: its own words, quoted.
pub fn unreadable_sheet(l: Lang, place: &str, sheet: bool, why: &str) -> String {
    match sheet {
        false => say!(
            l,
            "{place}: cannot read the spreadsheet: {why}",
            "{place}：无法读取电子表格（读取器原文：{why}）",
        ),
        true => say!(
            l,
            "{place}: cannot read the sheet: {why}",
            "{place}：无法读取工作表（读取器原文：{why}）",
        ),
    }
}

/// `--lossy` without `--encoding`: which encoding's bad bytes to replace is not guessed.
pub fn lossy_needs_encoding(l: Lang) -> String {
    say!(
        l,
        "--lossy needs --encoding: name the encoding whose invalid bytes may be replaced",
        "--lossy 需要同时给出 --encoding：请指明哪种编码的无效字节可以替换",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> clap::Error {
        crate::cli::command(Lang::Zh)
            .try_get_matches_from(args)
            .unwrap_err()
    }

    #[test]
    fn clap_errors_are_chinese_in_chinese_and_clap_s_own_in_english() {
        let e = parse(&["civscore", "score", "--bogus", "a.csv"]);
        assert!(clap_error(Lang::En, &e).is_none());
        let zh = clap_error(Lang::Zh, &e).unwrap();
        assert!(zh.starts_with("error: 意外的参数“--bogus”\n"), "{zh}");
        assert!(zh.contains("\n用法：civscore score [选项]"), "{zh}");
        assert!(zh.ends_with("\n更多信息请试试“--help”。\n"), "{zh}");
        let zh = clap_error(Lang::Zh, &parse(&["civscore", "scor"])).unwrap();
        assert!(
            zh.contains("提示：有相近的命令：“compare”、“score”\n"),
            "{zh}"
        );
        let e = parse(&["civscore", "score", "a.csv", "--all", "--period", "2026-01"]);
        let zh = clap_error(Lang::Zh, &e).unwrap();
        assert!(zh.starts_with("error: 参数“--all”不能与“--period"), "{zh}");
        let e = parse(&["civscore", "completions", "tcsh"]);
        let zh = clap_error(Lang::Zh, &e).unwrap();
        assert!(zh.contains("“tcsh”不是“<"), "{zh}");
        assert!(zh.contains("［可选值：bash、"), "{zh}");
        let zh = clap_error(Lang::Zh, &parse(&["civscore", "score", "-j", "0", "a.csv"])).unwrap();
        assert!(
            zh.contains("“0”不是“--jobs <N>”的有效值：应为 1 到 65535 之间的整数"),
            "{zh}"
        );
    }

    fn all(l: Lang) -> Vec<String> {
        let names = ["community", "school"];
        vec![
            flag(l, "--lang", "甲"),
            rejects_without_skip(l),
            workbook_needs_file(l),
            unknown_color(l, "甲"),
            unknown_format(l, "甲"),
            yellow_above_red(l, 9, 3),
            foreign_extension(l, "a.pdf", "pdf"),
            extension_contradicts(l, "a.csv", "csv", "json", "json"),
            workbook_extension(l, "a.txt", "txt"),
            is_a_folder(l),
            read_only(l, "a.csv"),
            output_twice(l, "a.csv", "b.csv"),
            output_is_input(l, "a.csv", "b.csv"),
            disk_full(l),
            read_only_disk(l),
            not_a_file_name(l),
            workbook_failed(l, "甲"),
            symlink_loop(l),
            cut(l, 9),
            wrote(l, "a.xlsx", "2026-11", "2026-12-01"),
            no_builtin(l, "甲", ""),
            init_no_builtin(l, "甲", &names),
            rubric_is_folder(l),
            no_rubric(l, &names),
            rubric_not_utf8(l, "a.yaml"),
            builtin_line(l, "甲", 3, "100", true, "甲 (x y)"),
            project_syntax(l, "civscore.toml:1", "甲"),
            project_jobs_zero(l, "civscore.toml"),
            project_setting(l, "civscore.toml", "lang", "甲"),
            roster_columns(l, "u.csv:1", &["code", "name"], &["甲".into()]),
            unknown_encoding(l, "甲"),
            input_is_folder(l),
            no_such_sheet(l, "a.xlsx", "甲", &["乙".into()]),
            workbook_without_sheets(l, "a.xlsx"),
            unreadable_sheet(l, "a.xlsx", false, "甲"),
            unreadable_sheet(l, "a.xlsx[甲]", true, "甲"),
            damaged_spreadsheet(l, "a.xlsx"),
            unreadable_row(l, "a.csv:3", "甲"),
            lossy_needs_encoding(l),
        ]
    }

    #[test]
    fn every_sentence_is_chinese_in_chinese() {
        crate::i18n::rubric::tests::both_languages(all);
    }

    #[test]
    fn help_and_version_stay_clap_s() {
        let e = parse(&["civscore", "--help"]);
        assert!(clap_error(Lang::Zh, &e).is_none());
    }
}
