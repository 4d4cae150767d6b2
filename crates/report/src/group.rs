//! Runs grouped by scenario and policy, in the order they ran.

use crate::model::{Metrics, Report, Run};

/// One scenario's runs.
pub(crate) struct Scenario<'a> {
    pub(crate) name: &'a str,
    pub(crate) title: &'a str,
    /// The scenario's description (its first run's), possibly empty.
    pub(crate) description: &'a str,
    pub(crate) scale: f64,
    pub(crate) runs: Vec<&'a Run>,
}

impl<'a> Scenario<'a> {
    /// The policies, in the order of their first run.
    pub(crate) fn policies(&self) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        for run in &self.runs {
            if !out.contains(&run.policy.as_str()) {
                out.push(&run.policy);
            }
        }
        out
    }

    /// The first run (lowest seed index) of each policy: the one the charts draw.
    pub(crate) fn first_runs(&self) -> Vec<&'a Run> {
        self.policies()
            .into_iter()
            .filter_map(|p| self.runs.iter().copied().find(|r| r.policy == p))
            .collect()
    }

    /// Whether some policy ran with more than one seed.
    pub(crate) fn multi_seed(&self) -> bool {
        self.runs.len() > self.policies().len()
    }

    /// The mean of one figure over a policy's seeds, if the policy ran.
    pub(crate) fn mean(&self, policy: &str, f: impl Fn(&Metrics) -> f64) -> Option<f64> {
        let values: Vec<f64> =
            self.runs.iter().filter(|r| r.policy == policy).map(|r| f(&r.metrics)).collect();
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    }
}

/// The report's scenarios, in the order of their first run.
pub(crate) fn scenarios(report: &Report) -> Vec<Scenario<'_>> {
    let mut out: Vec<Scenario<'_>> = Vec::new();
    for run in &report.runs {
        match out.iter_mut().find(|s| s.name == run.scenario) {
            Some(s) => s.runs.push(run),
            None => out.push(Scenario {
                name: &run.scenario,
                title: &run.title,
                description: &run.description,
                scale: run.scale,
                runs: vec![run],
            }),
        }
    }
    out
}
