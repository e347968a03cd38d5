//! The words of `--help`, the man page and the completion scripts, in English and Chinese side
//! by side. The command line's shape (flags, values, conflicts) is declared in `cli.rs`; every
//! sentence a reader sees about it is here, put on the built clap command by [`localise`].

use clap::builder::Str;
use clap::{Arg, Command};

use crate::rubric::Lang;

/// What a command does, and its examples: the command line (padded to where its comment
/// starts), then its comment in English and in Chinese (empty for none).
struct About {
    /// The command's name; empty for the program itself.
    cmd: &'static str,
    about: (&'static str, &'static str),
    examples: &'static [(&'static str, &'static str, &'static str)],
}

#[rustfmt::skip]
const COMMANDS: &[About] = &[
    About { cmd: "",
        about: ("Score civilized-city (文明城市) creation assessments: rubric in YAML, inspection records in CSV, ranked results",
                "文明城市创建测评计分：细则用 YAML 编写，检查记录用 CSV 登记，输出排名结果"),
        examples: &[] },
    About { cmd: "score",
        about: ("Ranked tables: the latest assessed month and its quarter to date, or any period",
                "排名表：最近一个已考核月份及其所在季度（截至该月），或任一期间"),
        examples: &[
            ("civscore score examples/inspections.csv", "", ""),
            ("civscore score examples/inspections.csv --units examples/units.csv --period 2026Q3", "", ""),
            ("civscore score records.csv --all --format json -o scores.json", "", ""),
        ] },
    About { cmd: "explain",
        about: ("The audit trail of one unit's score: every record, rule, factor and cap behind it",
                "一个单位得分的计算明细：背后的每条记录、规则、系数和封顶"),
        examples: &[
            ("civscore explain examples/inspections.csv --unit 桥南社区", "", ""),
            ("civscore explain examples/inspections.csv --units examples/units.csv --unit U03 --period 2026Q3", "", ""),
            ("civscore explain records.csv --unit U01 --period 2026-11 --format json", "", ""),
        ] },
    About { cmd: "report",
        about: ("The monthly publication workbook (rankings, ledger, overdue list, statistics, charts) or HTML bulletin",
                "月度通报工作簿（排名、台账、逾期清单、统计和图表）或 HTML 通报"),
        examples: &[
            ("civscore report examples/inspections.csv --units examples/units.csv -o 2026-11.xlsx", "", ""),
            ("civscore report records.csv --period 2026-10 --top 5 --yellow 5 --red 10 -o 2026-10.xlsx", "", ""),
            ("civscore report examples/inspections.csv --units examples/units.csv -o 2026-11.html",
             "the bulletin as one HTML page",
             "通报：一个独立的 HTML 页面"),
            ("civscore report records.csv          ",
             "with civscore.toml: writes OUTPUT_DIR/2026-11.xlsx",
             "有 civscore.toml 时：写入其 output_dir 目录下的 2026-11.xlsx"),
        ] },
    About { cmd: "check",
        about: ("Validate a rubric and print its tree of categories, indicators, rules and points",
                "校验细则，并打印其类别、指标、规则和分值的树"),
        examples: &[
            ("civscore check                     ", "the built-in default rubric", "内置的默认细则"),
            ("civscore check my-rubric.yaml", "", ""),
            ("civscore check city-management", "", ""),
        ] },
    About { cmd: "validate",
        about: ("Validate records (and a roster) against the rubric without scoring",
                "按细则校验检查记录（及单位名册），不计分"),
        examples: &[
            ("civscore validate examples/inspections.csv", "", ""),
            ("civscore validate november.csv --units units.csv --rubric my-rubric.yaml", "", ""),
        ] },
    About { cmd: "config",
        about: ("Print the effective settings (civscore.toml, flags, defaults) and where each came from",
                "打印生效的设置（来自 civscore.toml、命令行选项或默认值）及各自的来源"),
        examples: &[
            ("civscore config", "", ""),
            ("civscore config --rubric city-management", "", ""),
        ] },
    About { cmd: "init",
        about: ("Scaffold a working folder: rubric, civscore.toml, roster and records templates, monthly.sh",
                "建立工作目录：细则、civscore.toml、单位名册和检查记录模板、monthly.sh"),
        examples: &[
            ("civscore init 2027-street --rubric community", "", ""),
            ("civscore init . --rubric school", "", ""),
        ] },
    About { cmd: "compare",
        about: ("Show how every unit's score, rank and grade would change under a revised rubric",
                "显示细则修订后每个单位的得分、排名和等级将如何变化"),
        examples: &[
            ("civscore compare examples/inspections.csv --rubric community --against my-revision.yaml", "", ""),
            ("civscore compare records.csv --rubric old.yaml --against new.yaml --period 2026Q3 --format md", "", ""),
        ] },
    About { cmd: "completions",
        about: ("Print a shell completion script (bash, zsh, fish, powershell, elvish)",
                "打印命令行补全脚本（bash、zsh、fish、powershell、elvish）"),
        examples: &[
            ("civscore completions bash > ~/.local/share/bash-completion/completions/civscore", "", ""),
            ("civscore completions zsh > ~/.zfunc/_civscore", "", ""),
            ("civscore completions fish > ~/.config/fish/completions/civscore.fish", "", ""),
        ] },
    About { cmd: "man",
        about: ("Print the manual page (roff), with every subcommand",
                "打印手册页（roff 格式），含全部子命令"),
        examples: &[
            ("civscore man > ~/.local/share/man/man1/civscore.1 && man civscore", "", ""),
            ("civscore man | man -l -", "", ""),
        ] },
    About { cmd: "rubrics",
        about: ("List the built-in rubrics, or print one as a template to start from",
                "列出内置细则，或打印其中一份作为起步模板"),
        examples: &[
            ("civscore rubrics", "", ""),
            ("civscore rubrics show community > my-rubric.yaml", "", ""),
        ] },
    About { cmd: "show",
        about: ("Print a built-in rubric as YAML", "以 YAML 打印一份内置细则"),
        examples: &[] },
    About { cmd: "help",
        about: ("Print this message or the help of the given subcommand(s)",
                "打印本帮助，或指定子命令的帮助"),
        examples: &[] },
];

/// An argument's help: the command (empty: any command without its own entry), the argument's
/// id, English, Chinese.
#[rustfmt::skip]
const ARGS: &[(&str, &str, &str, &str)] = &[
    ("", "records",
     "Inspection record files (CSV, TSV, .xlsx, .xls, .ods); `-` reads standard input; none: the `records` patterns of civscore.toml",
     "检查记录文件（CSV、TSV、.xlsx、.xls、.ods）；`-` 表示读标准输入；不写时按 civscore.toml 中的记录文件模式读取"),
    ("", "rubric", "Rubric file or built-in name [default: community]",
     "细则文件或内置细则名称（默认：community）"),
    ("", "units", "Roster of units (code, name, group, not_applicable, aliases)",
     "单位名册（编号、名称、类别、不适用、别名）"),
    ("", "units_sheet", "The roster's sheet when --units is a workbook [default: a sheet named like a roster, else one with code and name columns, else the first]",
     "名册为工作簿时名册所在的工作表（默认：名为“名册”等的工作表，其次是有编号和名称列的工作表，再次是第一个工作表）"),
    ("", "as_of", "The as-of date: which periods are complete and which indicators are due; a lateness it has reached is booked in the month it happened [default: the latest month's end, never after today (`CIVSCORE_TODAY`)]",
     "截止日期：据此判定哪些期间已完整、哪些指标已到期，已到的逾期计入逾期发生的月份（默认：最近考核月的月末，但不晚于今天（`CIVSCORE_TODAY`））"),
    ("", "strict_columns", "A column of the records that no rule reads is an error, not a note",
     "记录中有工具用不上的列时报错（而不只是提示）"),
    ("", "dedupe", "Rows equal in unit, date, indicator, count, value and note in more than one input count once: the first input's are kept (without it each counts, with a note)",
     "多个输入中单位、日期、指标、处数、数值和说明都相同的行只计一次：保留最先给出的输入中的行（不加此项时每行都计分，并给出提示）"),
    ("", "skip_invalid", "Score the valid rows and report the invalid ones instead of failing",
     "只对有效行计分，列出无效行，而不是整体失败"),
    ("", "rejects", "Write rejected rows (with file, line and reason) to this CSV file",
     "把被拒的行（含文件、行号和原因）写入这个 CSV 文件"),
    ("", "encoding", "Text encoding of the inputs: auto, utf-8, gbk, gb18030, utf-16le, utf-16be",
     "输入文件的文本编码：auto、utf-8、gbk、gb18030、utf-16le、utf-16be"),
    ("", "lossy", "With --encoding: replace bytes that are not text in it with U+FFFD (and say so) instead of failing",
     "与 --encoding 同用：把不属于该编码的字节替换为“\u{FFFD}”（并提示），而不是报错"),
    ("", "sheet", "Read only this sheet of a workbook [default: every sheet with a records header]",
     "只读取工作簿的这一张工作表（默认：读取每张带有记录表头的工作表）"),
    ("", "header_row", "The header's row number [default: the first of the first ten rows that names the required columns]",
     "表头所在的行号（默认：前十行中第一行列出必需列的行）"),
    ("", "jobs", "Workers that read the records at once [default: the machine's cores]",
     "同时读取记录的线程数（默认：本机的处理器核数）"),
    ("", "quiet", "No notes on stderr (errors are still shown)",
     "不在标准错误输出上打印提示（错误照常显示）"),
    ("", "period", "The period: a month (2026-11), a quarter (2026Q4), a half-year (2026H2) or a year (2026)",
     "期间：月份（2026-11）、季度（2026Q4）、半年（2026H2 或 2026下半年）或年度（2026）"),
    ("", "all", "Every month, quarter, half-year and year in the data", "数据中的每个月份、季度、半年和年度"),
    ("score", "by", "category: each category's score as a column",
     "分项：每个类别的得分各占一列（分项得分；写 --by 分项 即可）"),
    ("", "format", "Output format: table, json, csv, md, xlsx or html [default: from -o's extension, else table]",
     "输出格式：table、json、csv、md、xlsx 或 html（默认：按 -o 文件的扩展名，否则 table）"),
    ("", "output", "Write to this file (atomically) instead of standard output",
     "写入这个文件（整体替换），而不是标准输出"),
    ("", "lang",
     "Language: zh or en [default: civscore.toml's; else tables follow the rubric, messages LC_ALL/LANG]",
     "语言：zh 或 en（默认：civscore.toml 的设置；否则表格随细则，帮助和提示随 LC_ALL/LANG）"),
    ("", "bom", "Start CSV output with a UTF-8 BOM so that Excel reads Chinese text",
     "CSV 输出以 UTF-8 BOM 开头，使 Excel 正确读出中文"),
    ("", "color",
     "Colour: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it), always, never",
     "颜色：auto（输出到终端时着色，设置了 NO_COLOR 则不着色；CLICOLOR_FORCE 强制着色）、always、never"),
    ("", "help", "Print help", "打印帮助"),
    ("", "version", "Print version", "打印版本号"),
    ("explain", "unit", "The unit, by code or name", "单位，编号或名称均可"),
    ("report", "period", "The month to report [default: the latest assessed month]",
     "通报的月份（默认：最近一个已考核月份）"),
    ("report", "output",
     "The workbook (.xlsx) or HTML bulletin (.html) to write [default: MONTH.xlsx in the project's output_dir, or here]",
     "要写入的工作簿（.xlsx）或 HTML 通报（.html）（默认：项目 output_dir 目录下的“月份.xlsx”，否则写在当前目录）"),
    ("report", "format",
     "xlsx (the workbook) or html (the bulletin) [default: from -o's extension, else xlsx]",
     "xlsx（工作簿）或 html（通报）（默认：按 -o 文件的扩展名，否则 xlsx）"),
    ("report", "top", "Units on the red list (best) and on the black list (worst) [default: 3]",
     "红榜（最好）和黑榜（最差）各列的单位数（默认：3）"),
    ("report", "yellow", "Days overdue after which a rectification is escalated yellow [default: 7]",
     "整改逾期超过多少天升级为黄色督办（默认：7）"),
    ("report", "red", "Days overdue after which a rectification is escalated red [default: 15]",
     "整改逾期超过多少天升级为红色督办（默认：15）"),
    ("check", "rubric", "A rubric file or a built-in name (default: community)",
     "细则文件或内置细则名称（默认：community）"),
    ("config", "rubric", "Rubric file or built-in name", "细则文件或内置细则名称"),
    ("config", "units", "Roster of units", "单位名册"),
    ("init", "dir", "The folder [default: here]", "目录（默认：当前目录）"),
    ("init", "rubric", "The built-in rubric to start from", "作为起点的内置细则"),
    ("compare", "against", "The revised rubric to compare with --rubric",
     "与 --rubric 对比的修订版细则"),
    ("completions", "shell", "The shell", "命令行外壳"),
    ("show", "name", "The built-in rubric's name", "内置细则的名称"),
];

/// The placeholders of values, in Chinese.
const VALUE_NAMES: &[(&str, &str)] = &[
    ("RECORDS", "记录文件"),
    ("FILE", "文件"),
    ("FILE|NAME", "文件|名称"),
    ("DATE", "日期"),
    ("ENCODING", "编码"),
    ("NAME", "名称"),
    ("SHEET", "工作表"),
    ("PERIOD", "期间"),
    ("FORMAT", "格式"),
    ("WHEN", "何时"),
    ("UNIT", "单位"),
    ("BY", "分项"),
    ("LANG", "语言"),
    ("TOP", "个数"),
    ("YELLOW", "天数"),
    ("RED", "天数"),
    ("RUBRIC", "细则"),
    ("DIR", "目录"),
    ("SHELL", "外壳"),
    ("COMMAND", "命令"),
];

/// clap's help layout with its one English heading, `Usage:`, in Chinese; the other headings are
/// set per argument and command.
const ZH_TEMPLATE: &str = "\
{before-help}{about-with-newline}
用法：{usage}

{all-args}{after-help}";

fn pick<'a>(l: Lang, (en, zh): (&'a str, &'a str)) -> &'a str {
    match l {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// Puts the words of a language on the command line's commands and arguments. In Chinese also on
/// those clap adds itself (`--help`, `--version`, `help`), which it writes in English: the
/// command is built first so that they are there to be worded.
pub fn localise(mut cmd: Command, l: Lang) -> Command {
    match l {
        Lang::En => words(cmd, l, true),
        Lang::Zh => {
            cmd.build();
            usage(words(cmd, l, true))
        }
    }
}

fn words(mut cmd: Command, l: Lang, root: bool) -> Command {
    let key = if root { "" } else { cmd.get_name() }.to_owned();
    if let Some(a) = COMMANDS.iter().find(|a| a.cmd == key) {
        cmd = cmd.about(pick(l, a.about));
        if !a.examples.is_empty() {
            cmd = cmd.after_help(examples(l, a.examples));
        }
    }
    cmd = cmd.mut_args(|a| arg(a, l, &key));
    if l == Lang::Zh {
        cmd = cmd
            .help_template(ZH_TEMPLATE)
            .subcommand_help_heading("命令")
            .subcommand_value_name("命令");
    }
    cmd.mut_subcommands(|s| words(s, l, false))
}

/// `Examples:` and the command lines, with their comments in the language.
fn examples(l: Lang, lines: &[(&str, &str, &str)]) -> String {
    let mut s = pick(l, ("Examples:", "示例：")).to_owned();
    for (line, en, zh) in lines {
        s.push_str("\n  ");
        s.push_str(line);
        let comment = pick(l, (en, zh));
        if !comment.is_empty() {
            s.push_str("# ");
            s.push_str(comment);
        }
    }
    s
}

/// An argument's help in a command, from its own entry or the shared one.
fn arg_help(cmd: &str, id: &str) -> Option<(&'static str, &'static str)> {
    let find = |c: &str| {
        ARGS.iter()
            .find(|(k, i, _, _)| *k == c && *i == id)
            .map(|(_, _, en, zh)| (*en, *zh))
    };
    find(cmd).or_else(|| find(""))
}

fn arg(mut a: Arg, l: Lang, cmd: &str) -> Arg {
    if let Some(words) = arg_help(cmd, a.get_id().as_str()) {
        a = a.help(pick(l, words));
    }
    if l == Lang::En {
        return a;
    }
    let heading = if a.is_positional() {
        "参数"
    } else {
        "选项"
    };
    let mut extra = String::new();
    let shown = !a.is_hide_default_value_set() && a.get_action().takes_values();
    if shown && !a.get_default_values().is_empty() {
        let values: Vec<_> = a
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy())
            .collect();
        extra.push_str(&format!("（默认：{}）", values.join("、")));
        a = a.hide_default_value(true);
    }
    let possible: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    if !possible.is_empty() && !a.is_hide_possible_values_set() {
        extra.push_str(&format!("：{}", possible.join("、")));
        a = a.hide_possible_values(true);
    }
    if !extra.is_empty() {
        let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
        a = a.help(format!("{help}{extra}"));
    }
    if let Some(names) = a.get_value_names() {
        let names: Vec<Str> = names.iter().map(value_name).collect();
        a = a.value_names(names);
    }
    a.help_heading(heading)
}

fn value_name(en: &Str) -> Str {
    VALUE_NAMES
        .iter()
        .find(|(e, _)| *e == en.as_str())
        .map_or_else(|| en.clone(), |(_, zh)| Str::from(*zh))
}

/// Chinese usage lines: clap writes `[OPTIONS]` itself, so each command's usage is rendered
/// once and kept with the placeholder in Chinese.
fn usage(mut cmd: Command) -> Command {
    let line = cmd.render_usage().to_string();
    let line = line.strip_prefix("Usage: ").unwrap_or(&line);
    let line = line.replace("[OPTIONS]", "[选项]");
    cmd.override_usage(line).mut_subcommands(usage)
}

/// The man page's section headings, which clap_mangen writes in English: (English, Chinese).
const MAN_HEADINGS: &[(&str, &str)] = &[
    ("NAME", "名称"),
    ("SHEET", "工作表"),
    ("SYNOPSIS", "用法"),
    ("DESCRIPTION", "说明"),
    ("OPTIONS", "选项"),
    ("SUBCOMMANDS", "子命令"),
    ("EXTRA", "补充"),
    ("VERSION", "版本"),
];

/// A roff page with its section headings (`.SH NAME`, `.SS OPTIONS`) and clap_mangen's own
/// placeholder `<subcommands>` in Chinese.
pub fn man_headings(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    for line in page.split_inclusive('\n') {
        let heading = line
            .strip_prefix(".SH ")
            .map(|h| (".SH ", h))
            .or_else(|| line.strip_prefix(".SS ").map(|h| (".SS ", h)));
        let zh = heading.and_then(|(tag, h)| {
            MAN_HEADINGS
                .iter()
                .find(|(en, _)| *en == h.trim_end())
                .map(|(_, zh)| format!("{tag}{zh}\n"))
        });
        match zh {
            Some(z) => out.push_str(&z),
            None => out.push_str(&line.replace("<\\fIsubcommands\\fR>", "<\\fI子命令\\fR>")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Latin words a Chinese reader is expected to meet: names of formats, files, values,
    /// environment variables and settings, which are typed as they are.
    #[rustfmt::skip]
    const ALLOWED: &[&str] = &[
        "civscore", "yaml", "csv", "tsv", "xlsx", "xls", "ods", "json", "md", "html", "table",
        "roff", "utf", "bom", "excel", "auto", "always", "never", "gbk", "gb", "le", "be", "zh",
        "en", "community", "school", "city", "management", "bash", "zsh", "fish", "powershell",
        "elvish", "lc_all", "lang", "no_color", "clicolor_force", "output_dir", "civscore_today",
    ];

    /// The Latin words of a Chinese text that are not flags, paths, file names or allowed.
    fn foreign(s: &str) -> Vec<String> {
        s.split(|c: char| c.is_whitespace() || "（）、，：；`“”".contains(c))
            .filter(|w| !w.starts_with('-') && !w.contains(['.', '/', '~']))
            .flat_map(|w| w.split(|c: char| !c.is_ascii_alphabetic() && c != '_'))
            .filter(|w| w.len() >= 2 && !ALLOWED.contains(&w.to_ascii_lowercase().as_str()))
            .map(str::to_owned)
            .collect()
    }

    /// Every command and argument of the built command line, with its path.
    fn walk(cmd: &Command, path: &str, seen: &mut Vec<(String, String)>) {
        let about = cmd.get_about().map(|s| s.to_string()).unwrap_or_default();
        seen.push((format!("{path}: about"), about));
        if let Some(a) = cmd.get_after_help() {
            seen.push((format!("{path}: examples"), a.to_string()));
        }
        for a in cmd.get_arguments() {
            let help = a.get_help().map(|s| s.to_string()).unwrap_or_default();
            seen.push((format!("{path} {}", a.get_id()), help));
            let values = a
                .get_value_names()
                .filter(|_| a.get_action().takes_values());
            for v in values.unwrap_or_default() {
                seen.push((format!("{path} {} value", a.get_id()), v.to_string()));
            }
        }
        for s in cmd.get_subcommands() {
            walk(s, &format!("{path} {}", s.get_name()), seen);
        }
    }

    fn all(l: Lang) -> Vec<(String, String)> {
        let mut seen = Vec::new();
        walk(&crate::cli::command(l), "civscore", &mut seen);
        seen
    }

    #[test]
    fn every_help_text_is_in_chinese() {
        for (place, text) in all(Lang::Zh) {
            // The command lines of the examples are typed as they are; their comments are read.
            let read: String = text
                .lines()
                .map(|line| match line.strip_prefix("  civscore") {
                    Some(rest) => rest.split_once('#').map_or("", |(_, c)| c),
                    None => line,
                })
                .collect::<Vec<_>>()
                .join("\n");
            assert!(!text.is_empty(), "{place}: no help");
            let f = foreign(&read);
            assert!(f.is_empty(), "{place}: {text:?} has English words {f:?}");
        }
    }

    #[test]
    fn every_help_text_has_its_english() {
        for (place, text) in all(Lang::En) {
            assert!(!text.is_empty(), "{place}: no help");
            assert!(text.is_ascii() || text.contains("文明城市") || text.contains("桥南社区"));
        }
    }

    #[test]
    fn every_entry_is_used() {
        // Built in Chinese, with the arguments and the subcommand clap adds.
        let cmd = crate::cli::command(Lang::Zh);
        let mut names = vec![String::new()];
        let mut ids: Vec<(String, String)> = Vec::new();
        fn visit(c: &Command, names: &mut Vec<String>, ids: &mut Vec<(String, String)>) {
            for a in c.get_arguments() {
                ids.push((c.get_name().to_owned(), a.get_id().to_string()));
            }
            for s in c.get_subcommands() {
                names.push(s.get_name().to_owned());
                visit(s, names, ids);
            }
        }
        visit(&cmd, &mut names, &mut ids);
        for a in COMMANDS {
            assert!(names.iter().any(|n| n == a.cmd), "{}", a.cmd);
        }
        for (c, id, _, _) in ARGS {
            let used = ids.iter().any(|(k, i)| i == id && (c.is_empty() || k == c));
            assert!(used, "{c} {id}");
        }
    }

    #[test]
    fn foreign_words_are_found() {
        assert_eq!(foreign("打印 help 说明"), ["help"]);
        assert!(foreign("写入 --output 的 a.csv（CSV、json）").is_empty());
    }
}
