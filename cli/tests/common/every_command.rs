//! Every `smarthd` command, with the arguments `tests/json.rs` runs it with (`--json`, against a
//! real sandbox). A unit test in `src/main.rs` walks the clap tree and fails when a command is
//! missing here, so a new command cannot go without its `--json` check.
//!
//! `{name}` is replaced by what the test prepared (a dossier's id or code, a file, a slot…).

/// How a command is driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // The unit test reads the paths only.
pub enum Drive {
    /// Runs to its end.
    Run,
    /// Waits for a browser: the test logs in on the page the `open_url` notice names.
    LogIn,
    /// Waits for a browser: the test pays on the gateway page the `open_url` notice names.
    PayAtGateway,
    /// Serves until stopped: the test reads the first document, then stops it.
    Serve,
}

/// (command path, arguments after it, how to drive it), in the order the test runs them.
pub const EVERY_COMMAND: &[(&str, &[&str], Drive)] = &[
    ("login", &["--level", "2"], Drive::LogIn),
    ("whoami", &[], Drive::Run),
    ("catalog sync", &[], Drive::Run),
    ("catalog search", &["khai sinh", "--limit", "3"], Drive::Run),
    ("catalog suggest", &["dang k"], Drive::Run),
    ("catalog show", &["Đăng ký khai sinh"], Drive::Run),
    ("catalog fields", &[], Drive::Run),
    ("catalog agencies", &[], Drive::Run),
    ("dossier new", &["1.001193.H19", "--for", "child"], Drive::Run),
    ("dossier set", &["{draft}", "tre_ho_ten", "Nguyễn Văn Bình"], Drive::Run),
    ("dossier attach", &["{draft}", "{file}"], Drive::Run),
    ("dossier submit", &["{filled}"], Drive::Run),
    ("dossier list", &[], Drive::Run),
    ("dossier show", &["{code}"], Drive::Run),
    ("dossier delete", &["{draft}"], Drive::Run),
    ("dossier withdraw", &["{to_withdraw}", "--reason", "Nộp nhầm"], Drive::Run),
    ("dossier result", &["{code}", "--out", "{out}/ket-qua.pdf"], Drive::Run),
    ("dossier rate", &["{code}", "--verdict", "satisfied", "--score", "dung_han=2"], Drive::Run),
    ("dossier track", &["{code}"], Drive::Run),
    ("sync", &[], Drive::Run),
    ("pay", &["{fee_dossier}"], Drive::PayAtGateway),
    ("payments", &[], Drive::Run),
    ("receipts", &[], Drive::Run),
    ("receipt verify", &["{receipt}"], Drive::Run),
    ("documents", &["giay khai sinh"], Drive::Run),
    ("appointment counters", &["--unit", "10507"], Drive::Run),
    ("appointment slots", &["--procedure", "1.001193.H19", "--unit", "10507"], Drive::Run),
    ("appointment book", &["{slot}", "--procedure", "1.001193.H19"], Drive::Run),
    ("appointments", &[], Drive::Run),
    ("appointment ticket", &["{booking}"], Drive::Run),
    ("appointment cancel", &["{booking}"], Drive::Run),
    ("officer list", &[], Drive::Run),
    ("officer show", &["{officer_code}"], Drive::Run),
    ("officer supplement", &["{officer_code}", "--message", "Bổ sung", "--document", "Bản sao CCCD"], Drive::Run),
    ("officer result", &["{officer_code}", "--name", "Giấy xác nhận"], Drive::Run),
    ("officer status", &["{officer_code}", "result_ready"], Drive::Run),
    (
        "officer alert",
        &["--severity", "emergency", "--commune", "10507", "--title", "Bão số 3", "--body", "Ở trong nhà"],
        Drive::Run,
    ),
    ("report categories", &[], Drive::Run),
    (
        "report new",
        &["--category", "chieu_sang", "--lat", "20.82", "--lon", "106.22", "--text", "Đèn hỏng", "--photo", "{photo}"],
        Drive::Run,
    ),
    ("report photo", &["{report}", "{photo2}"], Drive::Run),
    ("report submit", &["{report}"], Drive::Run),
    ("reports", &[], Drive::Run),
    ("report show", &["{report}"], Drive::Run),
    ("report rate", &["{handled_report}", "--verdict", "not-satisfied"], Drive::Run),
    ("feed", &["--near", "20.82,106.22", "--radius", "1000"], Drive::Run),
    ("officer reports list", &["--status", "waiting"], Drive::Run),
    ("officer reports show", &["{ioc_report}"], Drive::Run),
    ("officer reports accept", &["{ioc_report}"], Drive::Run),
    ("officer reports assign", &["{ioc_report}", "--agency", "Công ty Chiếu sáng đô thị"], Drive::Run),
    ("officer reports answer", &["{ioc_report}", "--message", "Đã thay bóng đèn", "--photo", "{proof}"], Drive::Run),
    ("officer reports reject", &["{ioc_report_to_reject}", "--reason", "unclear"], Drive::Run),
    ("inbox", &[], Drive::Run),
    // The sandbox numbers alerts from TB-000001: the one just published.
    ("inbox read", &["TB-000001"], Drive::Run),
    ("vietqr encode", &["--bin", "970436", "--account", "0011001234567", "--amount", "50000"], Drive::Run),
    ("vietqr decode", &["{vietqr}"], Drive::Run),
    ("completions", &["bash"], Drive::Run),
    ("man", &["--dir", "{out}/man"], Drive::Run),
    ("sandbox serve", &["--addr", "127.0.0.1:0", "--db", "{out}/serve.db", "--catalog-size", "20"], Drive::Serve),
    ("demo", &[], Drive::Run),
    ("logout", &[], Drive::Run),
];
