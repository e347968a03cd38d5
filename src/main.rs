use std::process::ExitCode;

fn main() -> ExitCode {
    // A panic is a bug, never an answer to input: no stack trace, one `error:` line, exit 1.
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(|| {
        let cli = match civscore::cli::parse() {
            Ok(cli) => cli,
            Err(e) => {
                // clap speaks English; its errors are put in the interface language here.
                match civscore::i18n::usage::clap_error(civscore::i18n::ui(), &e) {
                    Some(text) => eprint!("{text}"),
                    None => {
                        let _ = e.print();
                    }
                }
                return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
            }
        };
        match civscore::run(cli) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                for line in e.lines() {
                    eprintln!("error: {}", civscore::write::message(&line));
                }
                ExitCode::from(e.exit_code())
            }
        }
    });
    outcome.unwrap_or_else(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let lang = civscore::i18n::ui();
        let msg = civscore::i18n::msg::internal(lang, &msg);
        eprintln!("error: {}", civscore::write::message(&msg));
        ExitCode::from(1)
    })
}
