//! Scenario validation: every problem of a parsed file, each naming its field and the bound it
//! breaks, so that a bad file is fixed in one pass.

use breakwater_chain::{DeployConfig, Policy};

use crate::scenario::{EventKind, Scenario};

impl Scenario {
    /// Everything wrong with the scenario, each problem naming its field; empty if it is valid.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut p = Problems::default();
        self.clock_problems(&mut p);
        self.crowd_problems(&mut p);
        self.event_problems(&mut p);
        self.sweep_problems(&mut p);
        self.world_problems(&mut p);
        p.into_vec()
    }

    /// The scale, the block time and the duration.
    fn clock_problems(&self, p: &mut Problems) {
        if !(self.scale > 0.0 && self.scale <= 1.0) {
            p.push(format!("scale = {} must be in (0, 1]", self.scale));
        }
        if self.block_time.0 == 0 {
            p.push("block_time must be at least 1s".to_string());
        }
        if self.duration.0 < self.block_time.0 {
            p.push(format!("duration = {} is shorter than block_time", self.duration));
        }
        if self.duration.0 / self.block_time.0.max(1) > 20_000 {
            p.push(format!(
                "duration / block_time = {} blocks: at most 20,000",
                self.duration.0 / self.block_time.0.max(1)
            ));
        }
    }

    /// The crowd's populations and the bots.
    fn crowd_problems(&self, p: &mut Problems) {
        let mut draws = Vec::new();
        for (i, b) in self.borrowers.iter().enumerate() {
            let at = format!("borrowers[{i}]");
            if b.count == 0 || b.count > 500 {
                p.push(format!("{at}.count = {} must be in 1..=500", b.count));
            }
            draws.push((format!("{at}.capital"), b.capital, f64::MAX));
            draws.push((format!("{at}.utilization"), b.utilization, 1.0));
            draws.push((format!("{at}.top_up_delay"), b.top_up_delay, f64::MAX));
            p.fraction(format!("{at}.top_up_probability"), b.top_up_probability, false);
            if b.loops > 10 {
                p.push(format!("{at}.loops = {} must be at most 10", b.loops));
            }
            if !(b.top_up_below >= 1.0 && b.top_up_to > b.top_up_below) {
                p.push(format!(
                    "{at}: top_up_below = {} must be at least 1 and below top_up_to = {}",
                    b.top_up_below, b.top_up_to
                ));
            }
        }
        if let Some(s) = &self.sellers {
            draws.push(("sellers.holdings".into(), s.holdings, f64::MAX));
            p.fraction("sellers.panic_discount".into(), s.panic_discount, true);
            p.fraction("sellers.panic_fraction".into(), s.panic_fraction, false);
            p.fraction("sellers.slippage".into(), s.slippage, false);
        }
        for (i, a) in self.arbitrageurs.iter().enumerate() {
            let at = format!("arbitrageurs[{i}]");
            if a.count == 0 || a.count > 100 {
                p.push(format!("{at}.count = {} must be in 1..=100", a.count));
            }
            draws.push((format!("{at}.capital"), a.capital, f64::MAX));
            p.fraction(format!("{at}.cost_of_capital"), a.cost_of_capital, false);
            p.fraction(format!("{at}.risk_premium"), a.risk_premium, false);
            p.fraction(format!("{at}.max_per_block"), a.max_per_block, true);
        }
        if let Some(l) = &self.lps {
            draws.push(("lps.capital".into(), l.capital, f64::MAX));
            p.fraction("lps.volatility_trigger".into(), l.volatility_trigger, true);
            p.fraction("lps.withdraw_fraction".into(), l.withdraw_fraction, false);
        }
        if let Some(a) = &self.attacker
            && !(a.capital > 0.0 && a.min_edge >= 0.0)
        {
            p.push(format!(
                "attacker: capital = {} must be positive and min_edge = {} not negative",
                a.capital, a.min_edge
            ));
        }
        if self.bots.count > 8 {
            p.push(format!("bots.count = {} must be at most 8", self.bots.count));
        }
        p.fraction("bots.max_slippage".into(), self.bots.max_slippage, false);
        p.fraction("bots.cost_of_capital".into(), self.bots.cost_of_capital, false);
        p.fraction("bots.risk_premium".into(), self.bots.risk_premium, false);
        for (i, t) in self.informed.iter().enumerate() {
            let at = format!("informed[{i}]");
            if t.count == 0 || t.count > 100 {
                p.push(format!("{at}.count = {} must be in 1..=100", t.count));
            }
            draws.push((format!("{at}.capital"), t.capital, f64::MAX));
            p.fraction(format!("{at}.noise"), t.noise, false);
            p.fraction(format!("{at}.edge"), t.edge, false);
            p.fraction(format!("{at}.max_per_block"), t.max_per_block, true);
        }
        if let Some(l) = &self.lps
            && l.return_after.is_some_and(|r| r.0 == 0)
        {
            p.push("lps.return_after must be at least 1s".to_string());
        }
        for (name, d, max) in draws {
            let (lo, hi) = d.bounds();
            if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && lo <= hi && hi <= max) {
                let bound =
                    if max < f64::MAX { format!(" and at most {max}") } else { String::new() };
                p.push(format!("{name} = {d} must be positive, low <= high{bound}"));
            }
        }
    }

    /// Each event's time and fields.
    fn event_problems(&self, p: &mut Problems) {
        for (i, e) in self.events.iter().enumerate() {
            let at = format!("events[{i}]");
            let kind = e.kind.name();
            if i > 0 && e.at.0 < self.events[i - 1].at.0 {
                p.push(format!(
                    "{at}.at = {} ({kind}): events must be in time order (events[{}] is at {})",
                    e.at,
                    i - 1,
                    self.events[i - 1].at
                ));
            }
            if e.at.0 >= self.duration.0 {
                p.push(format!(
                    "{at}.at = {} ({kind}) is not before duration = {}",
                    e.at, self.duration
                ));
            }
            match &e.kind {
                EventKind::Impairment { loss, .. } => p.fraction(format!("{at}.loss"), *loss, true),
                EventKind::Rumour { intensity, .. } => {
                    p.fraction(format!("{at}.intensity"), *intensity, true);
                }
                EventKind::LpWithdrawal { fraction: f } => {
                    p.fraction(format!("{at}.fraction"), *f, true)
                }
                EventKind::OracleStall { duration } if duration.0 == 0 => {
                    p.push(format!("{at}.duration must be positive"));
                }
                EventKind::Skip { duration, step } => {
                    if step.0 < self.block_time.0 || step.0 > duration.0 {
                        p.push(format!(
                            "{at}.step = {step} must be between block_time = {} and duration = {duration}",
                            self.block_time
                        ));
                    } else if duration.0 / step.0 > 5_000 {
                        p.push(format!(
                            "{at}: duration / step = {} blocks: at most 5,000",
                            duration.0 / step.0
                        ));
                    }
                }
                _ => {}
            }
        }
    }

    /// The sweep names a sweepable field of an existing event.
    fn sweep_problems(&self, p: &mut Problems) {
        if let Some(sw) = &self.sweep {
            match self.events.get(sw.event).map(|e| (&e.kind, sw.field.as_str())) {
                Some((EventKind::Impairment { .. }, "loss"))
                | Some((EventKind::Rumour { .. }, "intensity"))
                | Some((EventKind::LpWithdrawal { .. }, "fraction")) => {}
                Some((kind, field)) => p.push(format!(
                    "sweep.field = `{field}` is not a sweepable field of events[{}] ({})",
                    sw.event,
                    kind.name()
                )),
                None => p.push(format!(
                    "sweep.event = {} but there are {} events",
                    sw.event,
                    self.events.len()
                )),
            }
            if sw.values.is_empty() {
                p.push("sweep.values is empty".into());
            }
        }
    }

    /// The world or the basket, and the events' constituents.
    fn world_problems(&self, p: &mut Problems) {
        if let Err(breakwater_chain::Error::Config { problems, .. }) =
            self.world.validate(Policy::Safeguarded)
        {
            p.other.extend(problems.into_iter().map(|q| format!("world.{q}")));
        }
        let constituents = self.basket.as_ref().map(|b| b.constituents.len());
        if let Some(b) = &self.basket {
            if let Err(breakwater_chain::Error::Config { problems, .. }) =
                b.validate(Policy::Safeguarded)
            {
                p.other.extend(problems.into_iter().map(|q| format!("basket.{q}")));
            }
            let unset = DeployConfig { origin: self.world.origin.clone(), ..Default::default() };
            if self.world != unset {
                p.push("world: a basket scenario sets [basket], not [world]".into());
            }
        }
        for (i, e) in self.events.iter().enumerate() {
            let at = format!("events[{i}]");
            let needs = matches!(e.kind, EventKind::CustodianBreach | EventKind::ReviewResolved);
            let optional = matches!(e.kind, EventKind::Impairment { .. });
            match (constituents, e.constituent) {
                (None, Some(c)) => p.push(format!(
                    "{at}.constituent = {c}: only a scenario with a [basket] has constituents"
                )),
                (Some(n), Some(c)) if c >= n => p.push(format!(
                    "{at}.constituent = {c}: the basket has {n} (0 to {})",
                    n.saturating_sub(1)
                )),
                (Some(_), Some(_)) if !needs && !optional => {
                    p.push(format!("{at}.constituent: a {} hits the whole basket", e.kind.name()))
                }
                (Some(_), None) if needs => p.push(format!(
                    "{at}.constituent: missing (which constituent does the {} hit?)",
                    e.kind.name()
                )),
                _ => {}
            }
        }
    }
}

/// A scenario's problems as they are found: fractions out of range first, then the others.
#[derive(Default)]
struct Problems {
    fractions: Vec<String>,
    other: Vec<String>,
}

impl Problems {
    /// `name = x` must be in (0, 1] (`lo_open`) or [0, 1].
    fn fraction(&mut self, name: String, x: f64, lo_open: bool) {
        let ok = if lo_open { x > 0.0 && x <= 1.0 } else { (0.0..=1.0).contains(&x) };
        if !ok || !x.is_finite() {
            let range = if lo_open { "(0, 1]" } else { "[0, 1]" };
            self.fractions.push(format!("{name} = {x} must be in {range}"));
        }
    }

    fn push(&mut self, problem: String) {
        self.other.push(problem);
    }

    fn into_vec(mut self) -> Vec<String> {
        self.fractions.append(&mut self.other);
        self.fractions
    }
}
