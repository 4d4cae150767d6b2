//! The policies the report knows by name: their order and colours, and the ones the reading and
//! the headline single out. The names are those of `breakwater_chain::Policy::ALL`, in its order;
//! this crate does not depend on the chain crate (it renders reports without a node or the
//! contracts), so the CLI's tests check that [`POLICIES`] agrees with `Policy::ALL`.

/// Every policy, in the order `Policy::ALL` lists them, with its colour in the charts
/// (Okabe–Ito, colour-blind safe), so a policy looks the same everywhere.
pub const POLICIES: [(&str, &str); 6] = [
    ("naive-spot", "#D55E00"),
    ("naive-nav", "#E69F00"),
    (SAFEGUARDED, "#0072B2"),
    ("oracle-only", "#56B4E9"),
    ("breaker-only", "#009E73"),
    ("no-slow-path", "#CC79A7"),
];

/// The policy with every safeguard: the one the headline speaks for.
pub(crate) const SAFEGUARDED: &str = "safeguarded";

/// The two naive policies every safeguard is compared with, in this order.
pub(crate) const BASELINES: [&str; 2] = [POLICIES[0].0, POLICIES[1].0];

/// A policy's colour; a name not in [`POLICIES`] gets one of a few stable fallbacks.
pub(crate) fn color(policy: &str) -> &'static str {
    const FALLBACK: [&str; 3] = ["#000000", "#999999", "#8C564B"];
    match POLICIES.iter().find(|(name, _)| *name == policy) {
        Some((_, color)) => color,
        // Stable across runs: keyed by the name's bytes, not by order or a random hash.
        None => FALLBACK[policy.bytes().map(usize::from).sum::<usize>() % FALLBACK.len()],
    }
}
