//! The gap between bad debt and the real shortfall, itemized by mechanism.
//!
//! Per position, V = debt − (collateral + shares locked in its slow liquidations) × F − cash
//! those have settled, with F the fundamental value: what the debt exceeds its backing by at
//! the value the assets really have. The real shortfall of a position that ends in bad debt is
//! max(0, V) at the sample before its first liquidation (fast or slow), or at the end if it was
//! never liquidated. From that moment on, every change of V plus what is written off is put down
//! to one mechanism: the market's logs between two samples are valued at the first sample's F,
//! what the logs do not show comes from the reads (interest: the debt's unexplained change; the
//! vault settling the slow path's shares at NAV: the locked value's), and F moving is valued on
//! the holdings after it. So the items sum to bad debt − real shortfall by construction, up to
//! float rounding; `tests/metrics.rs` checks that sum against the independently tallied bad debt.

use std::collections::BTreeMap;

use alloy::primitives::Address;

/// A position as read before a block.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Holding {
    pub(crate) debt: f64,
    /// Collateral on the position.
    pub(crate) collateral: f64,
    /// Shares locked in its open slow liquidations, still pending at the vault.
    pub(crate) locked_shares: f64,
    /// Cash the vault settled for those and the market has not claimed yet.
    pub(crate) locked_cash: f64,
}

impl Holding {
    /// Debt above its backing at the fundamental value `f` (negative: the borrower's equity).
    pub(crate) fn uncovered(&self, f: f64) -> f64 {
        self.debt - (self.collateral + self.locked_shares) * f - self.locked_cash
    }
}

/// What the gap is made of (see the `gap_*` fields of [`breakwater_report::Metrics`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Items {
    pub(crate) below_fundamental: f64,
    pub(crate) incentive: f64,
    pub(crate) slow_path: f64,
    pub(crate) interest: f64,
    pub(crate) fundamental: f64,
    pub(crate) borrower: f64,
    pub(crate) equity: f64,
}

impl Items {
    #[cfg(test)]
    fn sum(&self) -> f64 {
        self.below_fundamental
            + self.incentive
            + self.slow_path
            + self.interest
            + self.fundamental
            + self.borrower
            + self.equity
    }

    fn add(&mut self, o: &Items) {
        self.below_fundamental += o.below_fundamental;
        self.incentive += o.incentive;
        self.slow_path += o.slow_path;
        self.interest += o.interest;
        self.fundamental += o.fundamental;
        self.borrower += o.borrower;
        self.equity += o.equity;
    }
}

/// What the logs since the last sample did to one position, valued at that sample's F.
#[derive(Debug, Default)]
struct Flows {
    items: Items,
    /// The logged changes of each part of the [`Holding`].
    debt: f64,
    collateral: f64,
    locked_shares: f64,
    locked_cash: f64,
    written_off: f64,
    liquidated: bool,
}

/// One position's history.
#[derive(Debug)]
struct Track {
    /// The holding and F at the last sample.
    last: Holding,
    f: f64,
    flows: Flows,
    /// From its first liquidation: V at the sample before it, and the items since.
    since: Option<(f64, Items)>,
    written_off: f64,
}

/// The real shortfall and the gap's items, summed over the positions that ended in bad debt.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct GapFigures {
    pub(crate) real_shortfall: f64,
    pub(crate) items: Items,
}

/// Every position's history, and which borrower each slow liquidation is.
#[derive(Debug, Default)]
pub(crate) struct Gap {
    /// The market's liquidation incentive i (its factor is 1 + i).
    incentive: f64,
    tracks: BTreeMap<Address, Track>,
    slow: BTreeMap<u64, Address>,
}

impl Gap {
    /// For a market whose liquidation incentive factor is `factor` (1 + i).
    pub(crate) fn new(factor: f64) -> Self {
        Self { incentive: factor - 1.0, ..Self::default() }
    }

    /// The flows and F of `who`'s track, if it has been sampled.
    fn flows(&mut self, who: Address) -> Option<(&mut Flows, f64)> {
        self.tracks.get_mut(&who).map(|t| (&mut t.flows, t.f))
    }

    /// A fast liquidation repaid `repaid` and seized `seized` shares: V moves by seized × F −
    /// repaid, the incentive's share of the seized value and the rest (an oracle price below F).
    pub(crate) fn liquidated(&mut self, who: Address, repaid: f64, seized: f64) {
        let i = self.incentive;
        let Some((fl, f)) = self.flows(who) else { return };
        let value = seized * f;
        fl.items.incentive += value * i / (1.0 + i);
        fl.items.below_fundamental += value / (1.0 + i) - repaid;
        fl.debt -= repaid;
        fl.collateral -= seized;
        fl.liquidated = true;
    }

    /// Slow liquidation `id` locked all of `who`'s `collateral` into a redemption.
    pub(crate) fn slow_started(&mut self, id: u64, who: Address, collateral: f64) {
        self.slow.insert(id, who);
        let Some((fl, _)) = self.flows(who) else { return };
        fl.collateral -= collateral;
        fl.locked_shares += collateral;
        fl.liquidated = true;
    }

    /// Slow liquidation `id` claimed `received`, of which `repaid` went to the debt (the rest:
    /// the keeper's fee and the borrower's surplus).
    pub(crate) fn slow_progressed(&mut self, id: u64, received: f64, repaid: f64) {
        let Some(who) = self.slow.get(&id).copied() else { return };
        let Some((fl, _)) = self.flows(who) else { return };
        fl.locked_cash -= received;
        fl.debt -= repaid;
        fl.items.slow_path += received - repaid;
    }

    /// Slow liquidation `id` was cured: `returned` shares back on the position, `cash` paid to
    /// the borrower.
    pub(crate) fn slow_cured(&mut self, id: u64, returned: f64, cash: f64) {
        let Some(who) = self.slow.get(&id).copied() else { return };
        let Some((fl, _)) = self.flows(who) else { return };
        fl.locked_shares -= returned;
        fl.collateral += returned;
        fl.locked_cash -= cash;
        fl.items.borrower += cash;
    }

    /// `amount` of `who`'s debt written off.
    pub(crate) fn written_off(&mut self, who: Address, amount: f64) {
        let Some((fl, _)) = self.flows(who) else { return };
        fl.debt -= amount;
        fl.written_off += amount;
    }

    /// The borrower's own flows: `debt` borrowed (+) or repaid (−), `collateral` posted (+) or
    /// withdrawn (−).
    pub(crate) fn borrower(&mut self, who: Address, debt: f64, collateral: f64) {
        let Some((fl, f)) = self.flows(who) else { return };
        fl.debt += debt;
        fl.collateral += collateral;
        fl.items.borrower += debt - collateral * f;
    }

    /// `who` read as `now` before a block, the fundamental value being `f`: the flows since the
    /// last sample, completed from the reads, become items.
    pub(crate) fn sample(&mut self, who: Address, now: Holding, f: f64) {
        let Some(t) = self.tracks.get_mut(&who) else {
            let track =
                Track { last: now, f, flows: Flows::default(), since: None, written_off: 0.0 };
            self.tracks.insert(who, track);
            return;
        };
        let fl = std::mem::take(&mut t.flows);
        let (was, f0) = (t.last, t.f);
        let mut items = fl.items;
        // What the logs do not show: interest on the debt; the vault settling locked shares at
        // NAV (shares out, cash in); any other change of the collateral is the borrower's.
        items.interest += now.debt - was.debt - fl.debt;
        let shares = now.locked_shares - was.locked_shares - fl.locked_shares;
        let cash = now.locked_cash - was.locked_cash - fl.locked_cash;
        items.slow_path -= shares * f0 + cash;
        items.borrower -= (now.collateral - was.collateral - fl.collateral) * f0;
        items.fundamental -= (now.collateral + now.locked_shares) * (f - f0);
        match &mut t.since {
            Some((_, acc)) => acc.add(&items),
            None if fl.liquidated => t.since = Some((was.uncovered(f0), items)),
            None => {}
        }
        t.written_off += fl.written_off;
        (t.last, t.f) = (now, f);
    }

    /// The figures at the end (after the last sample): over the positions written off or with
    /// debt above their backing at F, the real shortfall and the items.
    pub(crate) fn finish(&self) -> GapFigures {
        let mut out = GapFigures::default();
        for t in self.tracks.values() {
            let end = t.last.uncovered(t.f);
            if t.written_off <= 0.0 && end <= 0.0 {
                continue;
            }
            match &t.since {
                Some((at_first, items)) => {
                    out.real_shortfall += at_first.max(0.0);
                    out.items.add(items);
                    // The equity it had when first liquidated, less any left at the end.
                    out.items.equity += (-end).max(0.0) - (-at_first).max(0.0);
                }
                None => out.real_shortfall += end.max(0.0),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who() -> Address {
        Address::repeat_byte(7)
    }

    fn holding(debt: f64, collateral: f64) -> Holding {
        Holding { debt, collateral, ..Holding::default() }
    }

    /// Bad debt of one position the way the tally counts it: written off plus what is left
    /// uncovered at the end.
    fn bad_debt(gap: &Gap) -> f64 {
        let t = &gap.tracks[&who()];
        t.written_off + t.last.uncovered(t.f).max(0.0)
    }

    #[test]
    fn a_fast_liquidation_below_the_fundamental_value_is_split_and_the_items_sum_to_the_gap() {
        // Incentive 5%. 100 shares worth F = 0.8 (80) back a debt of 75: 5 of equity.
        let mut g = Gap::new(1.05);
        g.sample(who(), holding(75.0, 100.0), 0.8);
        // A spot-fed oracle at 0.5: repaying 50 seizes 50 × 1.05 / 0.5 = 105 > 100, so all 100
        // shares go for 100 × 0.5 / 1.05 = 47.62 and the remaining debt is written off.
        let repaid = 100.0 * 0.5 / 1.05;
        g.liquidated(who(), repaid, 100.0);
        let left = 75.0 - repaid;
        g.written_off(who(), left);
        // An hour of interest would show as debt; there is none left.
        g.sample(who(), holding(0.0, 0.0), 0.8);
        let out = g.finish();
        assert_eq!(out.real_shortfall, 0.0, "solvent at F when first liquidated");
        let i = &out.items;
        assert!((i.incentive - 80.0 * 0.05 / 1.05).abs() < 1e-9, "{i:?}");
        assert!((i.below_fundamental - (80.0 / 1.05 - repaid)).abs() < 1e-9, "{i:?}");
        assert!((i.equity + 5.0).abs() < 1e-9, "the equity used up: {i:?}");
        assert!((bad_debt(&g) - left).abs() < 1e-12);
        assert!((out.real_shortfall + i.sum() - bad_debt(&g)).abs() < 1e-9, "{out:?}");
    }

    #[test]
    fn interest_the_fundamental_the_slow_path_and_the_borrower_each_get_their_part() {
        let mut g = Gap::new(1.1);
        // Debt 90 on 100 shares at F = 0.8: a real shortfall of 10 at the first liquidation.
        g.sample(who(), holding(90.0, 100.0), 0.8);
        g.slow_started(3, who(), 100.0);
        // Next sample: 2 of interest, F down to 0.7.
        let locked =
            Holding { debt: 92.0, collateral: 0.0, locked_shares: 100.0, locked_cash: 0.0 };
        g.sample(who(), locked, 0.7);
        // The borrower posts 10 shares and repays 5; the vault settles 60 shares at NAV 0.6.
        g.borrower(who(), -5.0, 10.0);
        let settled =
            Holding { debt: 87.0, collateral: 10.0, locked_shares: 40.0, locked_cash: 36.0 };
        g.sample(who(), settled, 0.7);
        // The market claims the 36: 0.36 to the keeper, 35.64 to the debt; F stays.
        g.slow_progressed(3, 36.0, 35.64);
        let after = Holding { debt: 87.0 - 35.64, locked_cash: 0.0, ..settled };
        g.sample(who(), after, 0.7);
        let out = g.finish();
        let i = &out.items;
        assert!((out.real_shortfall - 10.0).abs() < 1e-9);
        assert!((i.interest - 2.0).abs() < 1e-9, "{i:?}");
        assert!((i.fundamental - 10.0).abs() < 1e-9, "100 shares × −0.1: {i:?}");
        assert!((i.borrower - (-5.0 - 7.0)).abs() < 1e-9, "{i:?}");
        // 60 shares worth 42 paid 36 (NAV below F), then the keeper's 0.36.
        assert!((i.slow_path - (6.0 + 0.36)).abs() < 1e-9, "{i:?}");
        assert_eq!(i.incentive + i.below_fundamental, 0.0);
        let end = after.uncovered(0.7);
        assert!((bad_debt(&g) - end).abs() < 1e-12 && end > 0.0);
        assert!((out.real_shortfall + i.sum() - bad_debt(&g)).abs() < 1e-9, "{out:?}");
    }

    #[test]
    fn a_position_never_liquidated_has_no_gap_and_a_solvent_one_no_shortfall() {
        let mut g = Gap::new(1.05);
        g.sample(who(), holding(90.0, 100.0), 1.0);
        g.sample(who(), holding(91.0, 100.0), 0.8);
        let out = g.finish();
        assert!((out.real_shortfall - 11.0).abs() < 1e-9, "{out:?}");
        assert_eq!(out.items, Items::default());
        let mut solvent = Gap::new(1.05);
        solvent.sample(who(), holding(50.0, 100.0), 1.0);
        solvent.sample(who(), holding(51.0, 100.0), 0.9);
        assert_eq!(solvent.finish(), GapFigures::default());
    }
}
