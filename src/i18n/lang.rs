//! Which language civscore speaks, decided in one place. Tables follow `--lang`, then
//! `civscore.toml`, then the rubric's `lang`; everything else (help, notes, errors, summary
//! lines) follows `--lang`, then `civscore.toml`, then the locale (`LC_ALL`, `LC_MESSAGES`,
//! `LANG`). The interface language is decided once, before the command line is parsed (help
//! needs it), and kept for the process: the places that build messages deep in the reader
//! read it here rather than have it passed through every call.

use std::ffi::OsString;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::rubric::Lang;

/// The interface language of this process (English until [`set_ui`] is called).
static UI: AtomicU8 = AtomicU8::new(0);

/// The interface language: the language of help, notes, errors and summary lines.
pub fn ui() -> Lang {
    match UI.load(Ordering::Relaxed) {
        1 => Lang::Zh,
        _ => Lang::En,
    }
}

/// Sets the interface language for the rest of the process.
pub fn set_ui(lang: Lang) {
    UI.store(u8::from(lang == Lang::Zh), Ordering::Relaxed);
}

/// The interface language from its sources, first found wins: `--lang`, the project file's
/// `lang`, then the locale.
pub fn interface(
    flag: Option<Lang>,
    project: impl FnOnce() -> Option<Lang>,
    env: impl Fn(&str) -> Option<String>,
) -> Lang {
    flag.or_else(project).unwrap_or_else(|| locale(env))
}

/// The language of tables: `--lang`, then the project file's `lang`, then the rubric's.
pub fn table(flag: Option<Lang>, project: Option<Lang>, rubric: Lang) -> Lang {
    flag.or(project).unwrap_or(rubric)
}

/// The locale's language: the first non-empty of `LC_ALL`, `LC_MESSAGES`, `LANG`; Chinese
/// for `zh…` (`zh_CN.UTF-8`, `zh_TW`, `zh`), English for anything else or nothing.
pub fn locale(env: impl Fn(&str) -> Option<String>) -> Lang {
    let chosen = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(env)
        .find(|v| !v.is_empty());
    match chosen {
        Some(v) if v.to_ascii_lowercase().starts_with("zh") => Lang::Zh,
        _ => Lang::En,
    }
}

/// The value of `--lang` on a raw command line (`--lang zh`, `--lang=zh`), before clap has
/// parsed it; `None` when absent or not a language (clap and the command report that later).
pub fn flag_in(args: &[OsString]) -> Option<Lang> {
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        let value = match a.strip_prefix("--lang") {
            Some("") => it.next().map(|v| v.into_owned()),
            Some(rest) => match rest.strip_prefix('=') {
                Some(v) => Some(v.to_owned()),
                None => continue,
            },
            None => continue,
        };
        return value.and_then(|v| v.parse().ok());
    }
    None
}

/// The interface language of this run, from its raw command line, the project file above the
/// working folder (ignored here when unreadable: the command reports it) and the environment.
pub fn detect(args: &[OsString]) -> Lang {
    interface(
        flag_in(args),
        || crate::config::load().ok().and_then(|p| p.lang),
        |k| std::env::var(k).ok(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_locale_is_read_in_order() {
        assert_eq!(locale(env(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(locale(env(&[("LANG", "C.UTF-8")])), Lang::En);
        assert_eq!(locale(env(&[])), Lang::En);
        // LC_ALL before LC_MESSAGES before LANG; an empty one does not count.
        let v = [("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")];
        assert_eq!(locale(env(&v)), Lang::En);
        let v = [("LC_ALL", ""), ("LC_MESSAGES", "zh_TW"), ("LANG", "C")];
        assert_eq!(locale(env(&v)), Lang::Zh);
        let v = [("LC_MESSAGES", "en_US"), ("LANG", "zh_CN")];
        assert_eq!(locale(env(&v)), Lang::En);
    }

    #[test]
    fn the_flag_wins_then_the_project_then_the_locale() {
        let zh = [("LANG", "zh_CN.UTF-8")];
        assert_eq!(interface(Some(Lang::En), || None, env(&zh)), Lang::En);
        assert_eq!(interface(None, || Some(Lang::En), env(&zh)), Lang::En);
        assert_eq!(interface(None, || None, env(&zh)), Lang::Zh);
        assert_eq!(table(None, None, Lang::Zh), Lang::Zh);
        assert_eq!(table(None, Some(Lang::En), Lang::Zh), Lang::En);
        assert_eq!(table(Some(Lang::Zh), Some(Lang::En), Lang::En), Lang::Zh);
    }

    #[test]
    fn the_flag_is_found_on_a_raw_command_line() {
        let args = |s: &str| -> Vec<OsString> { s.split(' ').map(OsString::from).collect() };
        assert_eq!(
            flag_in(&args("civscore score a.csv --lang zh")),
            Some(Lang::Zh)
        );
        assert_eq!(flag_in(&args("civscore --lang=en --help")), Some(Lang::En));
        assert_eq!(flag_in(&args("civscore score --lang")), None);
        assert_eq!(flag_in(&args("civscore score --lang xx")), None);
        assert_eq!(flag_in(&args("civscore score --language zh")), None);
        assert_eq!(flag_in(&args("civscore score -- --lang zh")), None);
    }
}
