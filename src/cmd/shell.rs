//! `civscore completions SHELL` and `civscore man`: what a shell and `man` need.

use crate::error::Error;
use crate::i18n::{Lang, ui};

pub fn completions(shell: clap_complete::Shell) -> Result<(), Error> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut crate::cli::command(ui()), "civscore", &mut buf);
    crate::cmd::print(&String::from_utf8_lossy(&buf))
}

/// One roff page: the program, then every subcommand with its synopsis, options and examples.
pub fn man_page(lang: Lang) -> Result<String, std::io::Error> {
    let cmd = crate::cli::command(lang);
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf)?;
    // clap's own `help` subcommand, there once the command is built, has no page of its own.
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("civscore {}", sub.get_name());
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        buf.extend_from_slice(format!(".SH \"{}\"\n{about}\n", name.to_uppercase()).as_bytes());
        let page = clap_mangen::Man::new(sub.clone().bin_name(name));
        let mut part = Vec::new();
        page.render_synopsis_section(&mut part)?;
        page.render_options_section(&mut part)?;
        page.render_extra_section(&mut part)?;
        let part = String::from_utf8_lossy(&part).replace(".SH ", ".SS ");
        buf.extend_from_slice(part.as_bytes());
    }
    let page = String::from_utf8_lossy(&buf).into_owned();
    Ok(match lang {
        Lang::En => page,
        Lang::Zh => crate::i18n::help::man_headings(&page),
    })
}

pub fn man() -> Result<(), Error> {
    let page = man_page(ui()).map_err(|e| Error::Internal(e.to_string()))?;
    crate::cmd::print(&page)
}
