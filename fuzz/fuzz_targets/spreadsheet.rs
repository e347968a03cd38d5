#![no_main]
use libfuzzer_sys::fuzz_target;

// As the binary does (src/main.rs): a panic inside the spreadsheet library is caught by the
// reader and becomes "the file is damaged", so it must not abort here either. A panic that
// escapes civscore is still a crash: the outer catch aborts.
fuzz_target!(
    init: std::panic::set_hook(Box::new(|_| {})),
    |data: &[u8]| {
        if std::panic::catch_unwind(|| civscore::fuzz::spreadsheet(data)).is_err() {
            std::process::abort();
        }
    }
);
