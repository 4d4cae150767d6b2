//! The crowd of a scenario: every agent built from the file's populations, with its own address
//! and its own random stream, in the fixed order in which they act each block.

use std::{collections::BTreeMap, sync::Arc};

use alloy::primitives::{Address, keccak256};
use breakwater_agents::{
    Agent,
    lab::{
        Action, Arbitrageur, ArbitrageurConfig, Attacker, AttackerConfig, Borrower, BorrowerConfig,
        Custodian, Keeper, LiquidityProvider, LpConfig, NavReporter, ReporterConfig, Rng,
        RumourSeller, SellerConfig, View,
    },
};

use crate::scenario::{Draw, Scenario};

/// An agent of the crowd, boxed.
pub(crate) type CrowdAgent = Box<dyn Agent<Event = Arc<View>, Action = Action> + Send + Sync>;

/// A lab account: the same name gives the same address in every run.
pub(crate) fn account(role: &str, i: u32) -> Address {
    Address::from_word(keccak256(format!("breakwater-lab/{role}/{i}")))
}

/// The crowd and the accounts it uses.
pub(crate) struct Crowd {
    /// In acting order: custodian, reporter, keeper, LPs, arbitrageurs, sellers, borrowers,
    /// attacker.
    pub(crate) agents: Vec<CrowdAgent>,
    /// Borrowers (their positions are read every block).
    pub(crate) borrowers: Vec<Address>,
    /// The attacker, if any.
    pub(crate) attacker: Option<(Address, f64)>,
    /// Every crowd account (balances tracked, approvals given at setup).
    pub(crate) accounts: Vec<Address>,
    /// The role of each account ("lp", "arbitrageur", ...), for the run's activity counts.
    pub(crate) roles: BTreeMap<Address, &'static str>,
    /// Setup blocks the crowd needs before the scenario starts.
    pub(crate) setup_blocks: u64,
}

fn draw(rng: &mut Rng, d: Draw) -> f64 {
    let (lo, hi) = d.bounds();
    if lo == hi { lo } else { rng.range(lo, hi) }
}

/// Builds the crowd of `s` for `seed`; `epoch` is the vault's epoch length and `redemption` the
/// seconds a redemption takes (notice period plus one epoch), which set the arbitrageurs' hurdle.
pub(crate) fn build(
    s: &Scenario,
    seed: u64,
    keeper: Keeper,
    custodian: Address,
    redemption: u64,
) -> Crowd {
    let reporter = ReporterConfig {
        interval: s.reporter.interval.0,
        confirm_delay: s.reporter.confirm_delay.0,
    };
    let mut agents: Vec<CrowdAgent> = vec![
        Box::new(Custodian::new(custodian, reporter.clone(), s.epoch())),
        Box::new(NavReporter::new(reporter)),
        Box::new(keeper),
    ];
    let mut accounts = vec![custodian];
    let mut roles = BTreeMap::from([(custodian, "custodian")]);
    let mut stream = 0u64;
    let rng = |stream: &mut u64| {
        *stream += 1;
        Rng::new(seed, *stream)
    };
    if let Some(l) = &s.lps {
        for i in 0..l.count {
            let me = account("lp", i);
            let capital = draw(&mut rng(&mut stream), l.capital);
            let config = LpConfig {
                capital,
                volatility_trigger: l.volatility_trigger,
                window: l.window.0,
                withdraw_fraction: l.withdraw_fraction,
            };
            agents.push(Box::new(LiquidityProvider::new(me, config)));
            accounts.push(me);
            roles.insert(me, "lp");
        }
    }
    let years = redemption as f64 / (365.0 * 86_400.0);
    for (g, a) in s.arbitrageurs.iter().enumerate() {
        let hurdle = a.cost_of_capital * years + 0.003 + a.risk_premium;
        for i in 0..a.count {
            let me = account(&format!("arbitrageur-{g}"), i);
            let capital = draw(&mut rng(&mut stream), a.capital);
            let config = ArbitrageurConfig {
                capital,
                hurdle,
                max_per_block: a.max_per_block,
                batch: s.epoch(),
            };
            agents.push(Box::new(Arbitrageur::new(me, config)));
            accounts.push(me);
            roles.insert(me, "arbitrageur");
        }
    }
    if let Some(sp) = &s.sellers {
        for i in 0..sp.count {
            let me = account("seller", i);
            let mut r = rng(&mut stream);
            let config = SellerConfig {
                holdings: draw(&mut r, sp.holdings),
                panic_discount: sp.panic_discount,
                panic_fraction: sp.panic_fraction,
                slippage: sp.slippage,
            };
            agents.push(Box::new(RumourSeller::new(me, config, r)));
            accounts.push(me);
            roles.insert(me, "seller");
        }
    }
    let mut borrowers = Vec::new();
    let mut max_loops = 0;
    for (g, group) in s.borrowers.iter().enumerate() {
        for i in 0..group.count {
            let me = account(&format!("borrower-{g}"), i);
            let mut r = rng(&mut stream);
            let config = BorrowerConfig {
                capital: draw(&mut r, group.capital),
                utilization: draw(&mut r, group.utilization),
                loops: group.loops,
                top_up_probability: group.top_up_probability,
                top_up_below: group.top_up_below,
                top_up_delay: draw(&mut r, group.top_up_delay) as u64,
                top_up_to: group.top_up_to,
            };
            max_loops = max_loops.max(group.loops);
            agents.push(Box::new(Borrower::new(me, config, r)));
            accounts.push(me);
            roles.insert(me, if group.loops > 0 { "looper" } else { "borrower" });
            borrowers.push(me);
        }
    }
    let attacker = s.attacker.as_ref().map(|a| {
        let me = account("attacker", 0);
        let config = AttackerConfig { capital: a.capital, min_edge: a.min_edge };
        agents.push(Box::new(Attacker::new(me, config)));
        accounts.push(me);
        roles.insert(me, "attacker");
        (me, a.capital)
    });
    // Fund + subscribe, then post and borrow, then two blocks per loop; one more for the LPs.
    let setup_blocks = 3 + 2 * u64::from(max_loops);
    Crowd { agents, borrowers, attacker, accounts, roles, setup_blocks }
}
