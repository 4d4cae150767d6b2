//! A rumour seller: a holder of vault shares (and some stablecoin) who moves with the news. It
//! sells into the AMM when a rumour wave passes (spread over the wave's duration), and dumps part
//! of what is left in a panic when the market trades far below NAV (each seller has its own
//! threshold). A denial stops a selling wave and ends the panic: the seller panics again only
//! after the price has recovered above its threshold and fallen below it anew. A buying wave
//! spends part of its stablecoin on shares over its duration (and stops any selling wave; a
//! rumour stops a buying wave). In a redemption run it queues part of its shares at once, and it
//! claims whatever the vault has settled for it.

use alloy::primitives::Address;

use super::{Action, Rng, Signal, View, fund_once};

/// A rumour seller's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct SellerConfig {
    /// Stablecoin subscribed into shares at the start.
    pub holdings: f64,
    /// Stablecoin kept in hand beside the shares (what a buying wave spends).
    pub cash: f64,
    /// Panic when the market price is below NAV × (1 − this) ...
    pub panic_discount: f64,
    /// ... by selling this fraction of what is left (once per episode).
    pub panic_fraction: f64,
    /// Accept this much below the quoted amount (slippage tolerance), selling or buying.
    pub slippage: f64,
}

/// An amount traded evenly over a wave's duration.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Wave {
    /// Still to trade.
    left: f64,
    /// Per second.
    rate: f64,
    /// Everything left is traded at this timestamp.
    end: u64,
}

impl Wave {
    /// `amount` over `duration` seconds from `now`.
    fn new(amount: f64, duration: u64, now: u64) -> Self {
        let duration = duration.max(1);
        Self { left: amount, rate: amount / duration as f64, end: now + duration }
    }

    /// What to trade at `now`, `elapsed` seconds after the last block; the wave that is left.
    fn take(self, now: u64, elapsed: f64) -> (f64, Option<Self>) {
        let amount = if now >= self.end { self.left } else { (self.rate * elapsed).min(self.left) };
        let left = self.left - amount;
        (amount, (left > 1e-9 && now < self.end).then_some(Self { left, ..self }))
    }
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct RumourSeller {
    me: Address,
    config: SellerConfig,
    threshold: f64,
    funded: bool,
    /// Shares still to sell in the current rumour wave.
    selling: Option<Wave>,
    /// Stablecoin still to spend in the current buying wave.
    buying: Option<Wave>,
    last: u64,
    /// The current discount episode was answered (a panic sale, or a denial).
    panicked: bool,
}

impl RumourSeller {
    /// A seller at `me`; its panic threshold is jittered by ±25% with `rng`.
    pub fn new(me: Address, config: SellerConfig, mut rng: Rng) -> Self {
        let threshold = config.panic_discount * rng.range(0.75, 1.25);
        Self {
            me,
            config,
            threshold,
            funded: false,
            selling: None,
            buying: None,
            last: 0,
            panicked: false,
        }
    }

    fn sell(&self, view: &View, shares: f64) -> Option<Action> {
        (shares > 0.0).then(|| Action::Sell {
            from: self.me,
            shares,
            min_out: view.quote_sell(shares) * (1.0 - self.config.slippage),
        })
    }

    fn buy(&self, view: &View, stable: f64) -> Option<Action> {
        let stable = stable.min(view.wallet(&self.me).stable);
        (stable > 0.0).then(|| Action::Buy {
            from: self.me,
            stable,
            min_out: view.quote_buy(stable) * (1.0 - self.config.slippage),
        })
    }

    /// Reacts to the block's news; returns the shares queued for redemption now.
    fn hear(&mut self, view: &View, held: f64) -> f64 {
        let mut queued = 0.0;
        for signal in &view.signals {
            match signal {
                Signal::Rumour { intensity, duration } => {
                    self.selling = Some(Wave::new(held * intensity, *duration, view.timestamp));
                    self.buying = None;
                }
                Signal::RumourDenied => {
                    self.selling = None;
                    self.panicked = true;
                }
                Signal::BuyingWave { intensity, duration } => {
                    let stable = view.wallet(&self.me).stable * intensity;
                    self.buying = Some(Wave::new(stable, *duration, view.timestamp));
                    self.selling = None;
                }
                Signal::RedemptionRun { fraction, .. } => queued = held * fraction,
                _ => {}
            }
        }
        queued
    }

    /// Its actions in the block seen as `view` (see the crowd's `Agent` impls).
    pub(super) fn act(&mut self, view: &View) -> Vec<Action> {
        let me = self.me;
        let holdings = self.config.holdings;
        if let Some(fund) = fund_once(&mut self.funded, me, holdings + self.config.cash) {
            self.last = view.timestamp;
            return vec![fund, Action::Subscribe { from: me, assets: holdings }];
        }
        let mut actions = view.claims(me);
        let queued = self.hear(view, view.wallet(&me).shares);
        if queued > 0.0 {
            actions.push(Action::RequestRedeem { from: me, shares: queued });
        }
        let held = view.wallet(&me).shares - queued;
        let elapsed = view.timestamp.saturating_sub(self.last) as f64;
        self.last = view.timestamp;
        let mut amount = 0.0;
        if let Some(wave) = self.selling {
            let (now, left) = wave.take(view.timestamp, elapsed);
            amount += now;
            self.selling = left;
        }
        let discounted = view.nav > 0.0 && view.spot() < view.nav * (1.0 - self.threshold);
        if discounted && !self.panicked {
            self.panicked = true;
            amount += (held - amount).max(0.0) * self.config.panic_fraction;
        } else if !discounted {
            self.panicked = false;
        }
        actions.extend(self.sell(view, amount.min(held)));
        if let Some(wave) = self.buying {
            let (now, left) = wave.take(view.timestamp, elapsed);
            self.buying = left;
            actions.extend(self.buy(view, now));
        }
        actions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crowd::Wallet;

    const ME: Address = Address::repeat_byte(7);

    fn seller() -> RumourSeller {
        let config = SellerConfig {
            holdings: 1_000.0,
            cash: 500.0,
            panic_discount: 0.1,
            panic_fraction: 0.5,
            slippage: 0.05,
        };
        let mut s = RumourSeller::new(ME, config, Rng::new(1, 0));
        let setup = s.act(&View::default());
        assert_eq!(setup[0], Action::Fund { to: ME, amount: 1_500.0 });
        assert_eq!(setup[1], Action::Subscribe { from: ME, assets: 1_000.0 });
        s
    }

    /// A pool of 10,000 shares at `spot`, NAV 1, the seller holding 1,000 shares and 500 cash.
    fn view(t: u64, spot: f64, signals: Vec<Signal>) -> View {
        View {
            timestamp: t,
            pool_base: 10_000.0,
            pool_quote: 10_000.0 * spot,
            nav: 1.0,
            wallets: [(ME, Wallet { stable: 500.0, shares: 1_000.0, lp: 0.0 })].into(),
            signals,
            ..View::default()
        }
    }

    fn sold(actions: &[Action]) -> f64 {
        actions
            .iter()
            .map(|a| if let Action::Sell { shares, .. } = a { *shares } else { 0.0 })
            .sum()
    }

    #[test]
    fn a_denial_stops_the_wave_and_the_panic_until_the_price_recovers() {
        let mut s = seller();
        let rumour = Signal::Rumour { intensity: 0.4, duration: 400 };
        assert_eq!(sold(&s.act(&view(0, 1.0, vec![rumour]))), 0.0);
        // 100 s of a 400 s wave of 400 shares.
        assert!((sold(&s.act(&view(100, 1.0, vec![]))) - 100.0).abs() < 1e-9);
        // Denied: no more wave sales, and no panic although the price is 20% below NAV.
        assert_eq!(sold(&s.act(&view(200, 0.8, vec![Signal::RumourDenied]))), 0.0);
        assert_eq!(sold(&s.act(&view(300, 0.8, vec![]))), 0.0);
        // Back above the threshold, then down again: a new episode, a new panic.
        assert_eq!(sold(&s.act(&view(400, 1.0, vec![]))), 0.0);
        assert!((sold(&s.act(&view(500, 0.8, vec![]))) - 500.0).abs() < 1e-9);
    }

    #[test]
    fn without_a_denial_the_discount_makes_it_panic() {
        let mut s = seller();
        s.act(&view(0, 1.0, vec![]));
        assert!((sold(&s.act(&view(100, 0.8, vec![]))) - 500.0).abs() < 1e-9);
    }

    #[test]
    fn a_buying_wave_spends_its_cash_over_the_duration_within_the_slippage() {
        let mut s = seller();
        let wave = Signal::BuyingWave { intensity: 0.6, duration: 300 };
        assert!(s.act(&view(0, 1.0, vec![wave])).is_empty());
        let mut spent = 0.0;
        for t in [100, 200, 300, 400] {
            for a in s.act(&view(t, 1.0, vec![])) {
                let Action::Buy { stable, min_out, .. } = a else { panic!("{a:?}") };
                let v = view(t, 1.0, vec![]);
                assert!((min_out - v.quote_buy(stable) * 0.95).abs() < 1e-9);
                spent += stable;
            }
        }
        // 60% of 500, a third each 100 s, nothing after the end.
        assert!((spent - 300.0).abs() < 1e-9, "{spent}");
    }

    #[test]
    fn a_redemption_run_queues_its_share_at_once_and_claims_settlements() {
        let mut s = seller();
        let run =
            Signal::RedemptionRun { fraction: 0.3, refill: 0.5, refill_delay: 0, duration: None };
        let actions = s.act(&view(0, 1.0, vec![run]));
        assert_eq!(actions, vec![Action::RequestRedeem { from: ME, shares: 300.0 }]);
        let mut v = view(100, 1.0, vec![]);
        v.claimable.insert(ME, vec![4]);
        assert_eq!(s.act(&v), vec![Action::Claim { from: ME, id: 4 }]);
    }
}
