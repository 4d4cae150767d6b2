//! Problems with a configuration, collected so that all of them are reported at once.

use super::wad;
use crate::{
    Error, Result,
    units::{Seconds, Wad},
};

/// Collects problems.
#[derive(Default)]
pub(crate) struct Checks(pub(crate) Vec<String>);

impl Checks {
    /// `Ok` without problems, else every problem, named with the file they came from.
    pub(crate) fn into_result(self, file: &str) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Config { file: file.to_string(), problems: self.0 })
        }
    }

    pub(crate) fn push(&mut self, problem: String) {
        self.0.push(problem);
    }

    pub(crate) fn range_wad(&mut self, name: &str, value: Wad, min: &str, max: &str) {
        let (lo, hi) = (wad(min), wad(max));
        if value < lo || value > hi {
            self.push(format!("{name} = {value} must be between {lo} and {hi}"));
        }
    }

    pub(crate) fn range_secs(&mut self, name: &str, value: Seconds, min: Seconds, max: Seconds) {
        if value < min || value > max {
            self.push(format!("{name} = {value} must be between {min} and {max}"));
        }
    }

    pub(crate) fn at_least(
        &mut self,
        name: &str,
        value: Seconds,
        other: &str,
        other_value: Seconds,
    ) {
        if value < other_value {
            self.push(format!("{name} = {value} must be at least {other} = {other_value}"));
        }
    }
}
