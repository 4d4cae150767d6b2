//! What a scenario file leaves uncertain: a field written as a distribution
//! (`loss = { dist = "uniform", low = 0.03, high = 0.09 }`) instead of a number. Each Monte Carlo
//! path draws it ([`crate::Scenario::realize`]); a plain number stays a constant.
//!
//! Draws are keyed, not sequenced: the draw of field `f` on path `k` of study seed `S` comes from
//! its own stream, `Rng::for_label(path_seed(S, k), "uncertain/f")`, so path k is the same world
//! for every policy and adding an uncertain field leaves every other field's draws as they were.
//! Each draw takes one uniform from its stream (inverse transform), whatever the kind.
//!
//! The file is read twice: once for its spans (where each distribution is), then, with every
//! distribution replaced in the text by its nominal value padded to the same width, by the
//! ordinary parser, so that any other error keeps its line and column.

use std::fmt;

use breakwater_agents::crowd::Rng;
use breakwater_chain::units::Seconds;
use serde::Deserialize;
use toml::de::{DeTable, DeValue};

/// A field's distribution, bounds resolved: every kind has a finite support.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// Uniform in `[low, high]`.
    Uniform {
        /// Least value.
        low: f64,
        /// Greatest value.
        high: f64,
    },
    /// Normal, truncated to `[low, high]` (by default mean ± 6 sd).
    Normal {
        /// Mean before truncation.
        mean: f64,
        /// Standard deviation before truncation.
        sd: f64,
        /// Least value.
        low: f64,
        /// Greatest value.
        high: f64,
    },
    /// Log-normal, `median × e^(sigma·Z)`, truncated to `[low, high]` (by default
    /// median × e^(±6 sigma)).
    Lognormal {
        /// Median before truncation.
        median: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
        /// Least value.
        low: f64,
        /// Greatest value.
        high: f64,
    },
    /// Triangular on `[low, high]`, peaking at `mode`.
    Triangular {
        /// Least value.
        low: f64,
        /// Most likely value.
        mode: f64,
        /// Greatest value.
        high: f64,
    },
    /// One of `values`, each as likely.
    Choice {
        /// The values.
        values: Vec<f64>,
    },
}

/// The kinds, as written in files.
const KINDS: &str = "uniform, normal, lognormal, triangular, choice";

/// An untruncated normal or log-normal is cut this many standard deviations out: a draw beyond
/// has a probability of 2e-9, and a finite support is what the load-time checks need.
const TAILS_SD: f64 = 6.0;

/// Fields whose values are whole numbers (counts, and times in seconds): their draws are rounded.
pub(crate) const WHOLE: [&str; 3] = ["count", "at", "lag"];

/// Fields that are times: a distribution's parameters may be durations (`"6h"`).
const TIMES: [&str; 2] = ["at", "lag"];

/// The scenario sections whose fields may be uncertain, and whether each is an array of tables.
const SECTIONS: [(&str, bool); 6] = [
    ("events", true),
    ("borrowers", true),
    ("arbitrageurs", true),
    ("informed", true),
    ("sellers", false),
    ("lps", false),
];

/// One uncertain field: its path in the file (`events[2].loss`) and its distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertain {
    /// Section, index and name: the key of its draws.
    pub field: String,
    /// What it is drawn from.
    pub dist: Distribution,
}

impl Uncertain {
    /// Its draw on the path whose seed is `path_seed` (rounded for a whole-number field).
    pub fn draw(&self, path_seed: u64) -> f64 {
        let mut rng = Rng::for_label(path_seed, &format!("uncertain/{}", self.field));
        let x = self.dist.quantile(rng.unit());
        if self.whole() { x.round() } else { x }
    }

    /// Whether the field holds a whole number.
    pub(crate) fn whole(&self) -> bool {
        WHOLE.contains(&field_name(&self.field))
    }
}

/// The seed of path `path` of a study seeded `study_seed`: the crowd's seed on that path and the
/// key of its draws (`breakwater run --seed <it>` replays the path alone).
pub fn path_seed(study_seed: u64, path: u64) -> u64 {
    Rng::for_label(study_seed, &format!("path/{path}")).next_u64()
}

/// The last component of a field path (`loss` of `events[2].loss`).
pub(crate) fn field_name(field: &str) -> &str {
    field.rsplit('.').next().unwrap_or(field)
}

impl Distribution {
    /// Smallest and largest value it can draw.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Self::Uniform { low, high }
            | Self::Normal { low, high, .. }
            | Self::Lognormal { low, high, .. }
            | Self::Triangular { low, high, .. } => (*low, *high),
            Self::Choice { values } => values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v))),
        }
    }

    /// The value that stands in for it where one value is needed before any path draws (the
    /// parsed file, the text handed to the parser): its centre (a choice's median value).
    pub fn nominal(&self) -> f64 {
        match self {
            Self::Uniform { low, high } => (low + high) / 2.0,
            Self::Normal { mean, .. } => *mean,
            Self::Lognormal { median, .. } => *median,
            Self::Triangular { mode, .. } => *mode,
            Self::Choice { values } => {
                let mut sorted = values.clone();
                sorted.sort_by(f64::total_cmp);
                sorted[sorted.len() / 2]
            }
        }
    }

    /// The value at cumulative probability `u` in [0, 1).
    pub fn quantile(&self, u: f64) -> f64 {
        match self {
            Self::Uniform { low, high } => low + (high - low) * u,
            Self::Normal { mean, sd, low, high } => {
                mean + sd * truncated_normal(u, (low - mean) / sd, (high - mean) / sd)
            }
            Self::Lognormal { median, sigma, low, high } => {
                let z = |x: f64| (x / median).ln() / sigma;
                median * (sigma * truncated_normal(u, z(*low), z(*high))).exp()
            }
            Self::Triangular { low, mode, high } => {
                let (width, left) = (high - low, mode - low);
                if u * width < left {
                    low + (u * width * left).sqrt()
                } else {
                    high - ((1.0 - u) * width * (high - mode)).sqrt()
                }
            }
            Self::Choice { values } => {
                values[((u * values.len() as f64) as usize).min(values.len() - 1)]
            }
        }
    }

    /// Reads `{ dist = "...", ... }` for `field`; a time field takes durations too.
    fn parse(field: &str, table: &toml::Table) -> Result<Self, String> {
        let p = Params { field, table, time: TIMES.contains(&field_name(field)) };
        let kind = match table.get("dist") {
            Some(toml::Value::String(kind)) => kind.as_str(),
            Some(other) => return Err(format!("{field}: dist = {other} must be a kind ({KINDS})")),
            None => return Err(format!("{field}: a distribution needs `dist` ({KINDS})")),
        };
        let d = match kind {
            "uniform" => {
                p.only(kind, &["low", "high"])?;
                Self::Uniform { low: p.need("low")?, high: p.need("high")? }
            }
            "normal" => {
                p.only(kind, &["mean", "sd", "low", "high"])?;
                let (mean, sd) = (p.need("mean")?, p.need("sd")?);
                p.positive("sd", sd)?;
                let (low, high) = p.bounds(mean - TAILS_SD * sd, mean + TAILS_SD * sd)?;
                p.inside("mean", mean, low, high)?;
                Self::Normal { mean, sd, low, high }
            }
            "lognormal" => {
                p.only(kind, &["median", "sigma", "low", "high"])?;
                let (median, sigma) = (p.need("median")?, p.need("sigma")?);
                p.positive("median", median)?;
                p.positive("sigma", sigma)?;
                let spread = (TAILS_SD * sigma).exp();
                let (low, high) = p.bounds(median / spread, median * spread)?;
                p.positive("low", low)?;
                p.inside("median", median, low, high)?;
                Self::Lognormal { median, sigma, low, high }
            }
            "triangular" => {
                p.only(kind, &["low", "mode", "high"])?;
                let (low, mode, high) = (p.need("low")?, p.need("mode")?, p.need("high")?);
                p.ordered(low, high)?;
                p.inside("mode", mode, low, high)?;
                Self::Triangular { low, mode, high }
            }
            "choice" => {
                p.only(kind, &["values"])?;
                Self::Choice { values: p.values()? }
            }
            other => return Err(format!("{field}: unknown distribution `{other}` ({KINDS})")),
        };
        if let Self::Uniform { low, high } = d {
            p.ordered(low, high)?;
        }
        Ok(d)
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Uniform { low, high } => write!(f, "uniform({low}, {high})"),
            Self::Normal { mean, sd, low, high } => {
                write!(f, "normal(mean {mean}, sd {sd}) in [{low}, {high}]")
            }
            Self::Lognormal { median, sigma, low, high } => {
                write!(f, "lognormal(median {median}, sigma {sigma}) in [{low:.4}, {high:.4}]")
            }
            Self::Triangular { low, mode, high } => write!(f, "triangular({low}, {mode}, {high})"),
            Self::Choice { values } => write!(f, "choice{values:?}"),
        }
    }
}

/// A distribution's parameters, each problem naming the field.
struct Params<'a> {
    field: &'a str,
    table: &'a toml::Table,
    time: bool,
}

impl Params<'_> {
    /// Rejects keys the kind does not take.
    fn only(&self, kind: &str, keys: &[&str]) -> Result<(), String> {
        match self.table.keys().find(|k| *k != "dist" && !keys.contains(&k.as_str())) {
            Some(k) => Err(format!(
                "{}: unknown key `{k}` in a {kind} distribution (it takes {})",
                self.field,
                keys.join(", ")
            )),
            None => Ok(()),
        }
    }

    fn number(&self, key: &str, v: &toml::Value) -> Result<f64, String> {
        let x = match v {
            toml::Value::Float(x) => *x,
            toml::Value::Integer(n) => *n as f64,
            toml::Value::String(s) if self.time => {
                Seconds::deserialize(v.clone()).map(|d| d.0 as f64).map_err(|e| {
                    format!("{}: {key} = \"{s}\": {}", self.field, e.message().trim_end())
                })?
            }
            other => {
                let what = if self.time { "a number or a duration" } else { "a number" };
                return Err(format!("{}: {key} = {other} must be {what}", self.field));
            }
        };
        if x.is_finite() {
            Ok(x)
        } else {
            Err(format!("{}: {key} = {x} must be finite", self.field))
        }
    }

    fn get(&self, key: &str) -> Result<Option<f64>, String> {
        self.table.get(key).map(|v| self.number(key, v)).transpose()
    }

    fn need(&self, key: &str) -> Result<f64, String> {
        let kind = self.table.get("dist").and_then(toml::Value::as_str).unwrap_or_default();
        self.get(key)?.ok_or_else(|| format!("{}: a {kind} distribution needs `{key}`", self.field))
    }

    fn positive(&self, key: &str, x: f64) -> Result<(), String> {
        if x > 0.0 { Ok(()) } else { Err(format!("{}: {key} = {x} must be positive", self.field)) }
    }

    fn ordered(&self, low: f64, high: f64) -> Result<(), String> {
        if low <= high {
            Ok(())
        } else {
            Err(format!("{}: low = {low} is above high = {high}", self.field))
        }
    }

    fn inside(&self, key: &str, x: f64, low: f64, high: f64) -> Result<(), String> {
        if (low..=high).contains(&x) {
            Ok(())
        } else {
            Err(format!("{}: {key} = {x} lies outside [low, high] = [{low}, {high}]", self.field))
        }
    }

    /// `low` and `high`, each defaulting to the given tail.
    fn bounds(&self, low: f64, high: f64) -> Result<(f64, f64), String> {
        let (low, high) = (self.get("low")?.unwrap_or(low), self.get("high")?.unwrap_or(high));
        self.ordered(low, high)?;
        Ok((low, high))
    }

    fn values(&self) -> Result<Vec<f64>, String> {
        let values = match self.table.get("values") {
            Some(toml::Value::Array(values)) if !values.is_empty() => values,
            _ => return Err(format!("{}: a choice needs `values`, a non-empty list", self.field)),
        };
        values.iter().map(|v| self.number("values", v)).collect()
    }
}

/// The scenario text with every distribution replaced by its nominal value (same width, same
/// lines), and the distributions; or every problem found.
pub(crate) fn extract(text: &str) -> Result<(String, Vec<Uncertain>), Vec<String>> {
    // A document that does not parse is the ordinary parser's to report.
    let Ok(root) = DeTable::parse(text) else { return Ok((text.to_string(), Vec::new())) };
    let mut found = Vec::new();
    for (section, array) in SECTIONS {
        let Some(value) = root.get_ref().get(section) else { continue };
        match (value.get_ref(), array) {
            (DeValue::Array(items), true) => {
                for (i, item) in items.iter().enumerate() {
                    if let DeValue::Table(t) = item.get_ref() {
                        tables_in(&format!("{section}[{i}]"), t, &mut found);
                    }
                }
            }
            (DeValue::Table(t), false) => tables_in(section, t, &mut found),
            _ => {}
        }
    }
    let mut problems = Vec::new();
    let mut uncertain = Vec::new();
    let mut spliced = text.to_string();
    // From the end, so that earlier spans stay where they were.
    found.sort_by_key(|(_, span)| std::cmp::Reverse(span.start));
    for (field, span) in found {
        match read(&field, &text[span.clone()]) {
            Ok(dist) => {
                let u = Uncertain { field, dist };
                spliced.replace_range(span.clone(), &stand_in(&u, &text[span]));
                uncertain.push(u);
            }
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        problems.reverse();
        return Err(problems);
    }
    uncertain.reverse();
    Ok((spliced, uncertain))
}

/// Every table-valued field of one entry (no scenario field there is a table: each is a
/// distribution, or a mistake the reading names), with its span in the text.
fn tables_in(at: &str, t: &DeTable<'_>, found: &mut Vec<(String, std::ops::Range<usize>)>) {
    for (key, value) in t.iter() {
        if let DeValue::Table(_) = value.get_ref() {
            found.push((format!("{at}.{}", key.get_ref()), value.span()));
        }
    }
}

/// One distribution from its text, which must be an inline table.
fn read(field: &str, text: &str) -> Result<Distribution, String> {
    if !text.starts_with('{') {
        return Err(format!(
            "{field}: write a distribution inline, `{} = {{ dist = \"uniform\", low = …, high = … }}`",
            field_name(field)
        ));
    }
    let doc: toml::Table = toml::from_str(&format!("d = {text}"))
        .map_err(|e| format!("{field}: {}", e.message().trim_end()))?;
    match doc.get("d") {
        Some(toml::Value::Table(t)) => Distribution::parse(field, t),
        _ => Err(format!("{field}: not a table")),
    }
}

/// The nominal value as a TOML literal, padded to the distribution's width with its newlines
/// kept, so that every later position in the file stays on its line.
fn stand_in(u: &Uncertain, original: &str) -> String {
    let x = if u.whole() { u.dist.nominal().round().max(0.0) } else { u.dist.nominal() };
    // A whole value as an integer, which every numeric field (and a duration) accepts.
    let mut literal =
        if x.fract() == 0.0 && x.abs() < 1e15 { format!("{x:.0}") } else { format!("{x:?}") };
    let rest: String = original
        .chars()
        .skip(literal.chars().count())
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .collect();
    literal.push_str(&rest);
    literal
}

/// Φ⁻¹ of a uniform spread over [Φ(a), Φ(b)]: a standard normal truncated to [a, b].
fn truncated_normal(u: f64, a: f64, b: f64) -> f64 {
    let (pa, pb) = (normal_cdf(a), normal_cdf(b));
    normal_quantile(pa + u * (pb - pa)).clamp(a, b)
}

/// Φ, from the complementary error function (Numerical Recipes' `erfcc`: relative error under
/// 1.2e-7 everywhere, plenty for drawing scenario parameters).
fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = [
        -1.265_512_23,
        1.000_023_68,
        0.374_091_96,
        0.096_784_18,
        -0.186_288_06,
        0.278_868_07,
        -1.135_203_98,
        1.488_515_87,
        -0.822_152_23,
        0.170_872_77,
    ]
    .iter()
    .rev()
    .fold(0.0, |acc, c| acc * t + c);
    let erfc = t * (-z * z + poly).exp();
    if x >= 0.0 { 1.0 - erfc / 2.0 } else { erfc / 2.0 }
}

/// Φ⁻¹ (Acklam's rational approximation: relative error under 1.2e-9).
fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.024_25;
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let poly = |c: &[f64], x: f64| c.iter().fold(0.0, |acc, k| acc * x + k);
    if p < LOW {
        let q = (-2.0 * p.ln()).sqrt();
        poly(&C, q) / (poly(&D, q) * q + 1.0)
    } else if p <= 1.0 - LOW {
        let (q, r) = (p - 0.5, (p - 0.5) * (p - 0.5));
        poly(&A, r) * q / (poly(&B, r) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -poly(&C, q) / (poly(&D, q) * q + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_helpers_invert_each_other() {
        for x in [-5.0, -2.0, -0.5, 0.0, 0.3, 1.96, 4.0] {
            let back = normal_quantile(normal_cdf(x));
            assert!((back - x).abs() < 1e-5, "{x} came back as {back}");
        }
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
    }

    #[test]
    fn quantiles_stay_in_the_support_and_match_the_kind() {
        let kinds = [
            Distribution::Uniform { low: 1.0, high: 3.0 },
            Distribution::Normal { mean: 0.06, sd: 0.02, low: 0.0, high: 0.5 },
            Distribution::Lognormal { median: 100.0, sigma: 0.5, low: 10.0, high: 1000.0 },
            Distribution::Triangular { low: 0.0, mode: 1.0, high: 4.0 },
            Distribution::Choice { values: vec![2.0, 4.0, 8.0] },
        ];
        for d in &kinds {
            let (lo, hi) = d.support();
            let xs: Vec<f64> = (0..1000).map(|i| d.quantile(f64::from(i) / 1000.0)).collect();
            assert!(xs.iter().all(|x| (lo..=hi).contains(x)), "{d}: {xs:?}");
            assert!(xs.windows(2).all(|w| w[0] <= w[1]), "{d}: not monotone");
        }
        // The median of each symmetric or log-symmetric kind is its centre.
        assert!((kinds[1].quantile(0.5) - 0.06).abs() < 1e-3);
        assert!((kinds[2].quantile(0.5) - 100.0).abs() < 1.0);
        // A triangle's mode splits its area as its base does.
        assert!((kinds[3].quantile(0.25) - 1.0).abs() < 1e-9);
    }
}
