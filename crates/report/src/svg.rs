//! SVG building blocks: a string builder, "nice" axis ticks and downsampling.

use crate::format::{compact, escape, fixed};

/// An SVG document being written. Coordinates are printed with one decimal, so output is
/// byte-stable.
pub(crate) struct Svg {
    buf: String,
}

impl Svg {
    /// Opens a `width` × `height` document labelled `title`.
    pub(crate) fn new(width: f64, height: f64, title: &str) -> Self {
        let (w, h) = (fixed(width, 0), fixed(height, 0));
        let mut buf = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\" font-family=\"Helvetica, Arial, sans-serif\" \
             font-size=\"12\" role=\"img\">\n"
        );
        buf.push_str(&format!("<title>{}</title>\n", escape(title)));
        buf.push_str(&format!("<rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n"));
        Self { buf }
    }

    /// A text element; `attrs` is extra raw attributes (anchor, weight, transform).
    pub(crate) fn text(&mut self, x: f64, y: f64, attrs: &str, s: &str) {
        self.buf.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" {attrs}>{}</text>\n",
            fixed(x, 1),
            fixed(y, 1),
            escape(s)
        ));
    }

    /// A straight line segment.
    pub(crate) fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str) {
        self.buf.push_str(&format!(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\"/>\n",
            fixed(x1, 1),
            fixed(y1, 1),
            fixed(x2, 1),
            fixed(y2, 1)
        ));
    }

    /// An unfilled polyline in pixel coordinates; `dash` is an SVG dash array.
    pub(crate) fn polyline(&mut self, points: &[(f64, f64)], color: &str, dash: Option<&str>) {
        if points.is_empty() {
            return;
        }
        let pts: Vec<String> =
            points.iter().map(|&(x, y)| format!("{},{}", fixed(x, 1), fixed(y, 1))).collect();
        let dash = dash.map(|d| format!(" stroke-dasharray=\"{d}\"")).unwrap_or_default();
        self.buf.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.8\" \
             stroke-linejoin=\"round\"{dash}/>\n",
            pts.join(" ")
        ));
    }

    /// A filled marker.
    pub(crate) fn circle(&mut self, (x, y): (f64, f64), r: f64, color: &str) {
        self.buf.push_str(&format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{color}\"/>\n",
            fixed(x, 1),
            fixed(y, 1),
            fixed(r, 1)
        ));
    }

    /// A rectangle with a fill and an optional stroke.
    pub(crate) fn rect(
        &mut self,
        (x, y): (f64, f64),
        (w, h): (f64, f64),
        fill: &str,
        stroke: &str,
    ) {
        self.buf.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\"/>\n",
            fixed(x, 1),
            fixed(y, 1),
            fixed(w, 1),
            fixed(h, 1)
        ));
    }

    /// Closes the document.
    pub(crate) fn finish(mut self) -> String {
        self.buf.push_str("</svg>\n");
        self.buf
    }
}

/// Axis ticks: the rounded range they cover and the labelled values.
pub(crate) struct Ticks {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    pub(crate) values: Vec<f64>,
    decimals: usize,
    compact: bool,
}

impl Ticks {
    /// About `target` ticks at a 1-2-2.5-5 step covering `[lo, hi]`; a degenerate or
    /// non-finite range is widened first, so nothing divides by zero.
    pub(crate) fn new(lo: f64, hi: f64, target: usize) -> Self {
        let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
            let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
            (lo, hi) =
                if lo >= 0.0 && lo - pad < 0.0 { (0.0, lo + pad) } else { (lo - pad, hi + pad) };
        }
        let raw = (hi - lo) / target.max(1) as f64;
        let mut exp = raw.log10().floor();
        let mantissa = raw / 10f64.powf(exp);
        let mut nice = [1.0, 2.0, 2.5, 5.0].into_iter().find(|&n| mantissa <= n).unwrap_or(10.0);
        if nice == 10.0 {
            // Keep `exp` the step's own exponent: it sets the labels' decimals.
            (nice, exp) = (1.0, exp + 1.0);
        }
        let step = nice * 10f64.powf(exp);
        // The epsilon absorbs float noise (0.3 / 0.1 = 2.9999999999999996).
        let (first, last) = ((lo / step + 1e-9).floor(), (hi / step - 1e-9).ceil());
        let values: Vec<f64> =
            (0..=((last - first) as usize).min(100)).map(|i| (first + i as f64) * step).collect();
        let extra = usize::from(nice == 2.5 && exp <= 0.0);
        Self {
            lo: first * step,
            hi: last * step,
            values,
            decimals: (-exp).max(0.0) as usize + extra,
            compact: lo.abs().max(hi.abs()) >= 1e4,
        }
    }

    /// A tick's label: fixed decimals from the step, or `12.5k` for large values.
    pub(crate) fn label(&self, v: f64) -> String {
        if self.compact { compact(v) } else { fixed(v, self.decimals) }
    }
}

/// At most about `max` points: per bucket, the minimum and the maximum in their original order,
/// so spikes stay visible.
pub(crate) fn downsample(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max || max < 4 {
        return points.to_vec();
    }
    let buckets = max / 2;
    let size = points.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(max + 2);
    for chunk in points.chunks(size) {
        let (mut lo, mut hi) = (0, 0);
        for (i, p) in chunk.iter().enumerate() {
            if p.1 < chunk[lo].1 {
                lo = i;
            }
            if p.1 > chunk[hi].1 {
                hi = i;
            }
        }
        out.push(chunk[lo.min(hi)]);
        if lo != hi {
            out.push(chunk[lo.max(hi)]);
        }
    }
    // Keep the true ends of the series.
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        if out.first() != Some(first) {
            out.insert(0, *first);
        }
        if out.last() != Some(last) {
            out.push(*last);
        }
    }
    out
}

/// A step series reduced to its change points (plus the last point): the drawn shape is
/// unchanged.
pub(crate) fn change_points(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (i, &p) in points.iter().enumerate() {
        if out.last().is_none_or(|l| l.1 != p.1) || i + 1 == points.len() {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks() {
        let t = Ticks::new(0.0, 97.0, 5);
        assert_eq!(t.values, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let t = Ticks::new(0.93, 1.01, 4);
        assert_eq!(t.label(t.values[1]), "0.94");
        let t = Ticks::new(5.0, 5.0, 5);
        assert!(t.hi > t.lo && t.values.len() >= 2);
        let t = Ticks::new(0.0, 3.0, 5);
        assert_eq!(t.label(t.values[3]), "3");
        let t = Ticks::new(1.0, 1.0, 5);
        assert_eq!((t.label(t.lo), t.label(t.hi)), ("0.90".into(), "1.10".into()));
        let t = Ticks::new(0.0, 0.0, 5);
        assert_eq!((t.lo, t.hi), (0.0, 1.0));
        let t = Ticks::new(0.0, 250_000.0, 5);
        assert_eq!(t.label(t.values[1]), "50k");
    }

    #[test]
    fn downsample_keeps_spikes_and_ends() {
        let mut pts: Vec<(f64, f64)> = (0..5000).map(|i| (i as f64, 1.0)).collect();
        pts[2345].1 = 99.0;
        pts[4000].1 = -7.0;
        let d = downsample(&pts, 1500);
        assert!(d.len() <= 1502, "{}", d.len());
        assert!(d.contains(&(2345.0, 99.0)) && d.contains(&(4000.0, -7.0)));
        assert_eq!((d[0], d[d.len() - 1]), (pts[0], pts[4999]));
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn change_points_keep_steps() {
        let pts = [(0.0, 0.0), (1.0, 0.0), (2.0, 2.0), (3.0, 2.0), (4.0, 0.0), (5.0, 0.0)];
        assert_eq!(change_points(&pts), vec![(0.0, 0.0), (2.0, 2.0), (4.0, 0.0), (5.0, 0.0)]);
    }
}
