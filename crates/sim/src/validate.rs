//! Scenario validation: every problem of a parsed file, each naming its field and the bound it
//! breaks, so that a bad file is fixed in one pass.

use breakwater_chain::{DeployConfig, Policy, units::Seconds};

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
            let (lo, hi) = s.cash.bounds();
            if !(lo.is_finite() && hi.is_finite() && lo >= 0.0 && lo <= hi) {
                p.push(format!("sellers.cash = {} must not be negative, low <= high", s.cash));
            }
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
            self.field_problems(&at, &e.kind, p);
            self.audience_problems(&at, &e.kind, p);
            self.timing_problems(i, p);
        }
        // The engine runs one skip after a block: two at one time would be one.
        let skips: Vec<(usize, Seconds)> = self
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| is_skip(&e.kind))
            .map(|(i, e)| (i, e.at))
            .collect();
        for pair in skips.windows(2).filter(|w| w[0].1 == w[1].1) {
            p.push(format!(
                "events[{}]: a second skip at {} (events[{}] is one): make it one longer skip",
                pair[1].0, pair[1].1, pair[0].0
            ));
        }
    }

    /// One event's own fields, each bound named.
    fn field_problems(&self, at: &str, kind: &EventKind, p: &mut Problems) {
        let positive = |p: &mut Problems, name: &str, d: Seconds| {
            if d.0 == 0 {
                p.push(format!("{at}.{name} must be positive"));
            }
        };
        match kind {
            EventKind::NavReport { error, .. } => {
                if !(error.is_finite() && *error > -1.0 && *error <= 1.0) {
                    p.push(format!("{at}.error = {error} must be in (-1, 1]"));
                }
            }
            EventKind::Impairment { loss, .. } => p.fraction(format!("{at}.loss"), *loss, true),
            EventKind::Recovery { gain, .. } => {
                if !(gain.is_finite() && *gain > 0.0 && *gain <= 10.0) {
                    p.push(format!("{at}.gain = {gain} must be in (0, 10]"));
                }
            }
            EventKind::Depeg { price, exposure } => {
                if !(price.is_finite() && *price > 0.0 && *price <= 2.0) {
                    p.push(format!("{at}.price = {price} must be in (0, 2] (dollars)"));
                }
                p.fraction(format!("{at}.exposure"), *exposure, false);
            }
            EventKind::Rumour { intensity, duration }
            | EventKind::BuyingWave { intensity, duration } => {
                p.fraction(format!("{at}.intensity"), *intensity, true);
                positive(p, "duration", *duration);
            }
            EventKind::RedemptionRun { fraction, refill, duration, .. } => {
                p.fraction(format!("{at}.fraction"), *fraction, true);
                p.fraction(format!("{at}.refill"), *refill, false);
                if let Some(d) = duration {
                    positive(p, "duration", *d);
                }
            }
            EventKind::LpWithdrawal { fraction: f } => {
                p.fraction(format!("{at}.fraction"), *f, true)
            }
            EventKind::Borrow { utilization } => {
                p.fraction(format!("{at}.utilization"), *utilization, true)
            }
            EventKind::OracleStall { duration } => positive(p, "duration", *duration),
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
            EventKind::RumourDenial {}
            | EventKind::CustodianBreach {}
            | EventKind::ReviewResolved {} => {}
        }
    }

    /// Events that act through a part of the crowd or of the world need it to be there.
    fn audience_problems(&self, at: &str, kind: &EventKind, p: &mut Problems) {
        let name = kind.name();
        match kind {
            EventKind::BuyingWave { .. } | EventKind::RedemptionRun { .. } if self.sellers.is_none() => {
                p.push(format!("{at}: a {name} needs [sellers] (the holders who act on it)"))
            }
            EventKind::Borrow { .. } if self.borrowers.is_empty() => {
                p.push(format!("{at}: a borrow needs [[borrowers]]"))
            }
            EventKind::RedemptionRun { .. } if self.basket.is_some() => p.push(format!(
                "{at}: a redemption_run needs a vault's queue: a basket's senior token redeems in kind at once"
            )),
            _ => {}
        }
    }

    /// An event inside a skip names a point within a skip that starts at its `at`; a delayed
    /// report lands before the run ends.
    fn timing_problems(&self, i: usize, p: &mut Problems) {
        let (e, at) = (&self.events[i], format!("events[{i}]"));
        let mut lands = self.real_time(e.at.0);
        if let Some(into) = e.into_skip {
            let skip = self.events.iter().find_map(|s| match s.kind {
                EventKind::Skip { duration, step } if s.at == e.at => Some((duration.0, step.0)),
                _ => None,
            });
            match skip {
                _ if is_skip(&e.kind) => {
                    p.push(format!("{at}.into_skip: a skip cannot start inside another"))
                }
                None => p.push(format!(
                    "{at}.into_skip = {into}: no skip starts at its at = {} (add one there)",
                    e.at
                )),
                Some((duration, step)) => {
                    let last = duration / step.max(1) * step;
                    if into.0 == 0 || into.0 >= duration || into.0 > last {
                        p.push(format!(
                            "{at}.into_skip = {into} must be positive, below the skip's duration = {} and at most its last coarse block (at {})",
                            Seconds(duration),
                            Seconds(last)
                        ));
                    }
                }
            }
            lands += into.0;
        }
        if let EventKind::NavReport { delay, .. } = e.kind
            && delay.0 > 0
        {
            let end = self.real_time(self.duration.0);
            if lands + delay.0 >= end {
                p.push(format!(
                    "{at}.delay = {delay}: the report would land at {}, after the run ends (at {})",
                    Seconds(lands + delay.0),
                    Seconds(end)
                ));
            }
        }
    }

    /// Seconds from the start, skips included, to scenario time `at` (skips excluded).
    fn real_time(&self, at: u64) -> u64 {
        let skipped: u64 = self
            .events
            .iter()
            .filter(|e| e.at.0 < at)
            .filter_map(|e| match e.kind {
                EventKind::Skip { duration, .. } => Some(duration.0),
                _ => None,
            })
            .sum();
        at + skipped
    }

    /// The sweep names a sweepable field of an existing event.
    fn sweep_problems(&self, p: &mut Problems) {
        if let Some(sw) = &self.sweep {
            match self.events.get(sw.event) {
                Some(e) => {
                    let mut kind = e.kind.clone();
                    let fields: Vec<&str> = kind.sweepable().into_iter().map(|(n, _)| n).collect();
                    if !fields.contains(&sw.field.as_str()) {
                        let these = if fields.is_empty() {
                            "it has none".to_string()
                        } else {
                            format!("it has {}", fields.join(", "))
                        };
                        p.push(format!(
                            "sweep.field = `{}` is not a sweepable field of events[{}] ({}): {these}",
                            sw.field,
                            sw.event,
                            e.kind.name()
                        ));
                    }
                }
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
            let needs =
                matches!(e.kind, EventKind::CustodianBreach {} | EventKind::ReviewResolved {});
            let optional = matches!(
                e.kind,
                EventKind::Impairment { .. }
                    | EventKind::Recovery { .. }
                    | EventKind::NavReport { .. }
            );
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

fn is_skip(kind: &EventKind) -> bool {
    matches!(kind, EventKind::Skip { .. })
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
