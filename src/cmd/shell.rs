//! `civscore completions SHELL` and `civscore man`: what a shell and `man` need.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Error;

pub fn completions(shell: clap_complete::Shell) -> Result<(), Error> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "civscore", &mut buf);
    crate::cmd::print(&String::from_utf8_lossy(&buf))
}

/// One roff page: the program, then every subcommand with its synopsis, options and examples.
pub fn man_page() -> Result<String, std::io::Error> {
    let cmd = Cli::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut buf)?;
    for sub in cmd.get_subcommands() {
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
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

pub fn man() -> Result<(), Error> {
    let page = man_page().map_err(|e| Error::Internal(e.to_string()))?;
    crate::cmd::print(&page)
}
