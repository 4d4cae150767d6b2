//! The crowd of a scenario: every agent built from the file's populations, with its own address
//! and its own random stream, in the fixed order in which they act each block.

use std::{collections::BTreeMap, sync::Arc};

use alloy::primitives::{Address, keccak256};
use breakwater_agents::{
    Agent,
    crowd::{
        Action, Arbitrageur, ArbitrageurConfig, Attacker, AttackerConfig, Borrower, BorrowerConfig,
        Custodian, InformedConfig, InformedTrader, Keeper, LiquidityProvider, LpConfig,
        NavReporter, ReporterConfig, Rng, RumourSeller, SellerConfig, View,
    },
};

use breakwater_agents::redemption::RedemptionTerms;

use crate::scenario::{Draw, Scenario};

/// An agent of the crowd, boxed.
pub(crate) type CrowdAgent = Box<dyn Agent<Event = Arc<View>, Action = Action> + Send + Sync>;

/// A lab account: the same name gives the same address in every run.
pub(crate) fn account(role: &str, i: u32) -> Address {
    Address::from_word(keccak256(format!("breakwater-lab/{role}/{i}")))
}

/// The crowd and the accounts it uses.
pub(crate) struct Crowd {
    /// In acting order: custodian, reporter, keeper, LPs, sellers, borrowers, attacker,
    /// arbitrageurs, informed traders.
    pub(crate) agents: Vec<CrowdAgent>,
    /// Borrowers (their positions are read every block).
    pub(crate) borrowers: Vec<Address>,
    /// The attacker, if any.
    pub(crate) attacker: Option<(Address, f64)>,
    /// Every crowd account (balances tracked, approvals given at setup).
    pub(crate) accounts: Vec<Address>,
    /// The role of each account ("lp", "arbitrageur", ...), for the run's activity counts.
    pub(crate) roles: BTreeMap<Address, &'static str>,
    /// Each drawing agent's random stream as it started, by label (`"borrower-0/3"`): derived
    /// from the seed and the label alone, so adding an agent leaves the others' draws as they
    /// were.
    pub(crate) streams: BTreeMap<String, Rng>,
    /// Setup blocks the crowd needs before the scenario starts.
    pub(crate) setup_blocks: u64,
}

fn draw(rng: &mut Rng, d: Draw) -> f64 {
    let (lo, hi) = d.bounds();
    if lo == hi { lo } else { rng.range(lo, hi) }
}

impl Crowd {
    /// Adds `agent`, acting next, from `me` in `role`.
    fn join(&mut self, me: Address, role: &'static str, agent: CrowdAgent) {
        self.agents.push(agent);
        self.accounts.push(me);
        self.roles.insert(me, role);
    }

    /// The `i`-th agent of `group` (its account label): its address and its own random stream.
    fn member(&mut self, seed: u64, group: &str, i: u32) -> (Address, Rng) {
        let label = format!("{group}/{i}");
        let rng = Rng::for_label(seed, &label);
        self.streams.insert(label, rng.clone());
        (account(group, i), rng)
    }
}

/// Builds the crowd of `s` for `seed`.
pub(crate) fn build(s: &Scenario, seed: u64, keeper: Keeper, custodian: Address) -> Crowd {
    let reporter = ReporterConfig {
        interval: s.reporter.interval.0,
        confirm_delay: s.reporter.confirm_delay.0,
    };
    let mut crowd = Crowd {
        agents: vec![
            Box::new(Custodian::new(custodian, reporter.clone(), s.epoch())),
            Box::new(NavReporter::new(reporter)),
            Box::new(keeper),
        ],
        borrowers: Vec::new(),
        attacker: None,
        accounts: vec![custodian],
        roles: BTreeMap::from([(custodian, "custodian")]),
        streams: BTreeMap::new(),
        setup_blocks: 0,
    };
    holders(&mut crowd, s, seed);
    let mut max_loops = 0;
    let borrowers: u32 = s.borrowers.iter().map(|g| g.count).sum();
    for (g, group) in s.borrowers.iter().enumerate() {
        for i in 0..group.count {
            let (me, mut r) = crowd.member(seed, &format!("borrower-{g}"), i);
            let config = BorrowerConfig {
                capital: draw(&mut r, group.capital),
                utilization: draw(&mut r, group.utilization),
                loops: group.loops,
                top_up_probability: group.top_up_probability,
                top_up_below: group.top_up_below,
                top_up_delay: draw(&mut r, group.top_up_delay) as u64,
                top_up_to: group.top_up_to,
                liquidity_share: 1.0 / f64::from(borrowers.max(1)),
            };
            max_loops = max_loops.max(group.loops);
            let role = if group.loops > 0 { "looper" } else { "borrower" };
            crowd.join(me, role, Box::new(Borrower::new(me, config, r)));
            crowd.borrowers.push(me);
        }
    }
    if let Some(a) = &s.attacker {
        let me = account("attacker", 0);
        let config = AttackerConfig { capital: a.capital, min_edge: a.min_edge };
        crowd.join(me, "attacker", Box::new(Attacker::new(me, config)));
        crowd.attacker = Some((me, a.capital));
    }
    arbitrage(&mut crowd, s, seed);
    // Fund + subscribe, then post and borrow, then two blocks per loop; one more for the LPs.
    crowd.setup_blocks = 3 + 2 * u64::from(max_loops);
    crowd
}

/// The LPs and the rumour sellers, in that order.
fn holders(crowd: &mut Crowd, s: &Scenario, seed: u64) {
    if let Some(l) = &s.lps {
        for i in 0..l.count {
            let (me, mut r) = crowd.member(seed, "lp", i);
            let capital = draw(&mut r, l.capital);
            let config = LpConfig {
                capital,
                volatility_trigger: l.volatility_trigger,
                window: l.window.0,
                withdraw_fraction: l.withdraw_fraction,
                return_after: l.return_after.map_or(2 * l.window.0, |r| r.0),
            };
            crowd.join(me, "lp", Box::new(LiquidityProvider::new(me, config)));
        }
    }
    if let Some(sp) = &s.sellers {
        for i in 0..sp.count {
            let (me, mut r) = crowd.member(seed, "seller", i);
            let config = SellerConfig {
                holdings: draw(&mut r, sp.holdings),
                cash: draw(&mut r, sp.cash),
                panic_discount: sp.panic_discount,
                panic_fraction: sp.panic_fraction,
                slippage: sp.slippage,
            };
            crowd.join(me, "seller", Box::new(RumourSeller::new(me, config, r)));
        }
    }
}

/// The arbitrageurs and the informed traders, in that order: last in the block, they trade
/// against the flow before them.
fn arbitrage(crowd: &mut Crowd, s: &Scenario, seed: u64) {
    for (g, a) in s.arbitrageurs.iter().enumerate() {
        for i in 0..a.count {
            let (me, mut r) = crowd.member(seed, &format!("arbitrageur-{g}"), i);
            let config = ArbitrageurConfig {
                capital: draw(&mut r, a.capital),
                terms: RedemptionTerms {
                    cost_of_capital: a.cost_of_capital,
                    risk_premium: a.risk_premium,
                    redemption: s.redemption(),
                    epoch: s.epoch(),
                },
                gate: s.gate(),
                nav_interval: s.reporter.interval.0,
                max_per_block: a.max_per_block,
            };
            crowd.join(me, "arbitrageur", Box::new(Arbitrageur::new(me, config)));
        }
    }
    for (g, t) in s.informed.iter().enumerate() {
        for i in 0..t.count {
            let (me, mut r) = crowd.member(seed, &format!("informed-{g}"), i);
            let config = InformedConfig {
                capital: draw(&mut r, t.capital),
                noise: t.noise,
                lag: t.lag.0,
                edge: t.edge,
                max_per_block: t.max_per_block,
            };
            crowd.join(me, "informed", Box::new(InformedTrader::new(me, config, r)));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::{collections::BTreeSet, path::Path};

    use super::*;

    fn fixture() -> Scenario {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/every-event.toml");
        Scenario::load(path).expect("the fixture loads")
    }

    /// The first `n` draws of every stream of the crowd of `s`, by label.
    fn first_draws(s: &Scenario, seed: u64, n: usize) -> BTreeMap<String, Vec<u64>> {
        let crowd = build(s, seed, Keeper::new(true, true), account("custodian", 0));
        crowd
            .streams
            .into_iter()
            .map(|(label, mut r)| (label, (0..n).map(|_| r.next_u64()).collect()))
            .collect()
    }

    #[test]
    fn adding_an_agent_leaves_the_others_draws_unchanged() {
        let s = fixture();
        let before = first_draws(&s, 42, 16);
        assert!(before.len() >= 10, "{} streams", before.len());
        // One more agent in each drawing population, and a new borrower group in front.
        let mut more = s.clone();
        more.lps.as_mut().expect("the fixture has LPs").count += 1;
        more.arbitrageurs[0].count += 1;
        more.sellers.as_mut().expect("the fixture has sellers").count += 1;
        more.borrowers[0].count += 1;
        more.borrowers.push(s.borrowers[0].clone());
        let after = first_draws(&more, 42, 16);
        assert_eq!(after.len(), before.len() + 4 + s.borrowers[0].count as usize);
        for (label, draws) in &before {
            assert_eq!(after.get(label), Some(draws), "{label}'s draws moved");
        }
        // Streams differ from agent to agent and from seed to seed.
        let distinct: BTreeSet<&Vec<u64>> = before.values().collect();
        assert_eq!(distinct.len(), before.len());
        assert_ne!(first_draws(&s, 43, 16)["borrower-0/0"], before["borrower-0/0"]);
    }
}
