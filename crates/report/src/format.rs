//! Number, duration and text formatting shared by every rendering.

/// A compact human figure with three significant digits: `950`, `12.3k`, `1.25M`, `0.973`.
pub(crate) fn compact(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    const UNITS: [(f64, &str); 4] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")];
    // Pick the unit after rounding would apply, so 999.7 reads `1k`, not `1000`.
    let body = match UNITS.iter().find(|(div, _)| a >= div * 0.9995) {
        Some((div, unit)) => format!("{}{unit}", sig3(a / div)),
        None if a >= 0.9995 => sig3(a),
        None if a == 0.0 => return "0".into(),
        None => {
            let decimals = (2.0 - a.log10().floor()).clamp(0.0, 8.0) as usize;
            trim_zeros(format!("{a:.decimals$}"))
        }
    };
    if body == "0" { body } else { format!("{sign}{body}") }
}

/// Three significant digits of `v` in `[1, 1000)`.
fn sig3(v: f64) -> String {
    let decimals = if v >= 99.95 {
        0
    } else if v >= 9.995 {
        1
    } else {
        2
    };
    trim_zeros(format!("{v:.decimals$}"))
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A percentage: `12.3%`.
pub(crate) fn pct(x: f64) -> String {
    format!("{}%", compact(x))
}

/// A signed change: `+12.3k`, `-4`, `0`.
pub(crate) fn signed(x: f64, fmt: impl Fn(f64) -> String) -> String {
    if x > 0.0 { format!("+{}", fmt(x)) } else { fmt(x) }
}

/// A duration in seconds: `0`, `45s`, `4m30s`, `2h05m`, `3d04h`.
pub(crate) fn duration(s: u64) -> String {
    match s {
        0 => "0".into(),
        1..60 => format!("{s}s"),
        60..600 if !s.is_multiple_of(60) => format!("{}m{:02}s", s / 60, s % 60),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{:02}h", s / 86400, s % 86400 / 3600),
    }
}

/// An optional duration, `-` for none.
pub(crate) fn opt_duration(s: Option<u64>) -> String {
    s.map_or_else(|| "-".into(), duration)
}

/// A fixed-decimal number for SVG coordinates: never `NaN`, `inf` or `-0`.
pub(crate) fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{:.decimals$}", if x.is_finite() { x } else { 0.0 });
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].into()
    } else {
        s
    }
}

/// The scale as people write it: `1e-4`.
pub(crate) fn scale(x: f64) -> String {
    if x.is_finite() { format!("{x:e}") } else { "n/a".into() }
}

/// Escapes text for HTML and SVG (content and attribute values).
pub(crate) fn escape(s: &str) -> String {
    replace_chars(s, html_entity)
}

/// The HTML entity for a character markup would read, if any.
pub(crate) fn html_entity(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        _ => None,
    }
}

/// `s` with every character `with` maps to a replacement replaced.
pub(crate) fn replace_chars(s: &str, with: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match with(c) {
            Some(r) => out.push_str(r),
            None => out.push(c),
        }
    }
    out
}

/// A name safe for file names and HTML ids: lowercase ASCII letters, digits and `-`.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    if out.is_empty() { "x".into() } else { out.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_figures() {
        let cases = [
            (0.0, "0"),
            (950.0, "950"),
            (12_345.0, "12.3k"),
            (1_250_000.0, "1.25M"),
            (999.7, "1k"),
            (10_000.0, "10k"),
            (0.973, "0.973"),
            (0.012_34, "0.0123"),
            (-4_500.0, "-4.5k"),
            (-0.0, "0"),
            (f64::NAN, "n/a"),
        ];
        for (x, want) in cases {
            assert_eq!(compact(x), want, "{x}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(duration(240), "4m");
        assert_eq!(duration(7500), "2h05m");
        assert_eq!(duration(270), "4m30s");
        assert_eq!(duration(45), "45s");
        assert_eq!(duration(90_000), "1d01h");
        assert_eq!(opt_duration(None), "-");
    }

    #[test]
    fn fixed_has_no_negative_zero_or_nan() {
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(fixed(f64::NAN, 1), "0.0");
        assert_eq!(fixed(-1.5, 1), "-1.5");
        assert_eq!(scale(1e-4), "1e-4");
    }

    #[test]
    fn escape_and_slug() {
        assert_eq!(escape("a<&>\"'"), "a&lt;&amp;&gt;&quot;&#39;");
        assert_eq!(slug("Credit Default <&>"), "credit-default");
    }
}
