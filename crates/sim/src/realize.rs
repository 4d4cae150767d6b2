//! From a scenario with distributions to the concrete scenario of one path: where each uncertain
//! field lives in [`Scenario`], the checks a distribution must pass when the file is loaded
//! (every value it can draw is valid, drawn event times cannot fall out of order), and
//! [`Scenario::realize`].

use breakwater_chain::units::Seconds;

use crate::{
    scenario::{Draw, Scenario, ScenarioError},
    uncertain::Uncertain,
};

/// Where an uncertain field's value goes.
enum Slot<'a> {
    Real(&'a mut f64),
    /// A crowd parameter (number or per-agent range): a path's draw makes it one number.
    Draw(&'a mut Draw),
    Count(&'a mut u32),
    Time(&'a mut Seconds),
}

impl Slot<'_> {
    fn set(self, x: f64) {
        match self {
            Self::Real(v) => *v = x,
            Self::Draw(v) => *v = Draw::Fixed(x),
            // Whole-number fields are drawn rounded; a negative draw is a problem the
            // validation of the lowest values reports, not a value to wrap.
            Self::Count(v) => *v = x.max(0.0) as u32,
            Self::Time(v) => *v = Seconds(x.max(0.0) as u64),
        }
    }
}

/// What may be uncertain, for the message naming a field that may not.
const WHAT_MAY_BE: &str = "an event's `at` and its size (loss, gain, intensity, fraction, error, price, exposure, refill, utilization); a crowd group's `count` and `capital`, the sellers' `holdings`, the informed traders' `noise` and `lag`";

impl Scenario {
    /// The concrete scenario of the path whose seed is `path_seed`: every distribution replaced
    /// by its draw for that path, then validated again. Without distributions, a copy.
    pub fn realize(&self, path_seed: u64) -> Result<Scenario, ScenarioError> {
        let mut s = self.clone();
        s.uncertain.clear();
        for u in &self.uncertain {
            s.set(&u.field, u.draw(path_seed));
        }
        let problems = s.problems();
        if problems.is_empty() {
            Ok(s)
        } else {
            Err(ScenarioError {
                file: self.origin.clone(),
                problems: problems
                    .into_iter()
                    .map(|p| format!("drawn for seed {path_seed}: {p}"))
                    .collect(),
            })
        }
    }

    /// The scenario's distributions (field and distribution), in file order.
    pub fn distributions(&self) -> &[Uncertain] {
        &self.uncertain
    }

    /// Sets `field` to `x`; false if no such field may be uncertain.
    fn set(&mut self, field: &str, x: f64) -> bool {
        self.slot(field).map(|slot| slot.set(x)).is_some()
    }

    /// The value behind a field path (`events[2].loss`, `sellers.holdings`).
    fn slot(&mut self, field: &str) -> Option<Slot<'_>> {
        let (entry, name) = field.rsplit_once('.')?;
        let (section, index) = match entry.split_once('[') {
            Some((section, i)) => (section, Some(i.strip_suffix(']')?.parse::<usize>().ok()?)),
            None => (entry, None),
        };
        match (section, index, name) {
            ("events", Some(i), "at") => Some(Slot::Time(&mut self.events.get_mut(i)?.at)),
            ("events", Some(i), _) => {
                let kind = &mut self.events.get_mut(i)?.kind;
                kind.sweepable().into_iter().find(|(n, _)| *n == name).map(|(_, x)| Slot::Real(x))
            }
            ("borrowers", Some(i), _) => {
                let b = self.borrowers.get_mut(i)?;
                group(name, &mut b.count, &mut b.capital)
            }
            ("arbitrageurs", Some(i), _) => {
                let a = self.arbitrageurs.get_mut(i)?;
                group(name, &mut a.count, &mut a.capital)
            }
            ("informed", Some(i), _) => {
                let t = self.informed.get_mut(i)?;
                match name {
                    "noise" => Some(Slot::Real(&mut t.noise)),
                    "lag" => Some(Slot::Time(&mut t.lag)),
                    _ => group(name, &mut t.count, &mut t.capital),
                }
            }
            ("sellers", None, _) => {
                let s = self.sellers.as_mut()?;
                match name {
                    "count" => Some(Slot::Count(&mut s.count)),
                    "holdings" => Some(Slot::Draw(&mut s.holdings)),
                    _ => None,
                }
            }
            ("lps", None, _) => {
                let l = self.lps.as_mut()?;
                group(name, &mut l.count, &mut l.capital)
            }
            _ => None,
        }
    }

    /// What is wrong with the scenario's distributions: a field that may not be uncertain,
    /// a value one can draw that the field does not accept, event times that could be drawn
    /// out of order (rejected, not sorted: sorting would move the events a sweep, a shock or an
    /// `into_skip` refers to).
    pub(crate) fn uncertain_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for u in &self.uncertain {
            if self.clone().slot(&u.field).is_none() {
                problems
                    .push(format!("{}: this field cannot be uncertain ({WHAT_MAY_BE})", u.field));
            }
        }
        if !problems.is_empty() {
            return problems;
        }
        problems.extend(self.order_problems());
        let nominal = self.problems();
        for (end, pick) in [("lowest", 0), ("highest", 1)] {
            let mut s = self.clone();
            s.uncertain.clear();
            for u in &self.uncertain {
                let (lo, hi) = u.dist.support();
                let x = if pick == 0 { lo } else { hi };
                s.set(&u.field, if u.whole() { x.round() } else { x });
            }
            // Time order is the order check's, which names the distributions.
            for p in s.problems() {
                if !nominal.contains(&p) && !p.contains("events must be in time order") {
                    problems.push(format!("with every distribution at its {end} value: {p}"));
                }
            }
        }
        problems
    }

    /// Consecutive events whose drawn times could cross.
    fn order_problems(&self) -> Vec<String> {
        let times: Vec<(f64, f64)> = (0..self.events.len())
            .map(|i| {
                let field = format!("events[{i}].at");
                match self.uncertain.iter().find(|u| u.field == field) {
                    Some(u) => u.dist.support(),
                    None => (self.events[i].at.0 as f64, self.events[i].at.0 as f64),
                }
            })
            .collect();
        let uncertain =
            |i: usize| self.uncertain.iter().any(|u| u.field == format!("events[{i}].at"));
        (1..times.len())
            .filter(|&i| times[i - 1].1 > times[i].0 && (uncertain(i - 1) || uncertain(i)))
            .map(|i| {
                format!(
                    "events[{}].at can be drawn as late as {} and events[{i}].at as early as {}: drawn times could fall out of order (events are not re-sorted: narrow the ranges so they cannot cross)",
                    i - 1,
                    Seconds(times[i - 1].1.round() as u64),
                    Seconds(times[i].0.round() as u64)
                )
            })
            .collect()
    }
}

/// A crowd group's `count` or `capital`.
fn group<'a>(name: &str, count: &'a mut u32, capital: &'a mut Draw) -> Option<Slot<'a>> {
    match name {
        "count" => Some(Slot::Count(count)),
        "capital" => Some(Slot::Draw(capital)),
        _ => None,
    }
}
