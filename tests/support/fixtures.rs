//! Where the real-archive corpus is, for the tests that need it. It lives beside this
//! repository (`../shared/fixtures/real`), never inside it; `OTASITE_FIXTURES` points
//! elsewhere (an empty folder proves a clone without the corpus still passes `cargo test`).

use std::path::PathBuf;

/// Why a test is ignored by default; keep it identical on every such test.
pub const CORPUS: &str = "needs ../shared/fixtures (the real-archive corpus)";

/// The corpus folder (holding `expected.json`, `ipa/`, `profiles/`). A test only calls
/// this when it runs, so a missing corpus fails it with a clear message instead of
/// passing without having looked at anything.
pub fn real_fixtures() -> PathBuf {
    let dir = match std::env::var_os("OTASITE_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/real"),
    };
    assert!(
        dir.join("expected.json").is_file(),
        "the real-archive corpus is missing: {} has no expected.json (this test {CORPUS}; \
         set OTASITE_FIXTURES to the folder holding it)",
        dir.display()
    );
    dir
}
