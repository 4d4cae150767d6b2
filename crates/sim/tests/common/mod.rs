//! What the scenario-file tests share: editing a fixture and reading the rejection of the result.

use breakwater_sim::Scenario;

/// `text` with `from` replaced by `to` (which must change it).
pub(crate) fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "fixture lacks {from:?}");
    text.replacen(from, to, 1)
}

/// The problems reported for `text`, as one line naming the file first.
pub(crate) fn rejected(text: &str) -> String {
    match Scenario::from_toml(text, "bad.toml") {
        Ok(_) => panic!("accepted"),
        Err(e) => {
            assert_eq!(e.file, "bad.toml");
            let line = e.to_string();
            assert!(line.starts_with("bad.toml: "), "{line}");
            line
        }
    }
}
