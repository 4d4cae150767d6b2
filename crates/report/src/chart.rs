//! A generic line chart: a title, a legend and one or more panels (small multiples) sharing
//! their axes, rendered to SVG.

use crate::format::fixed;
use crate::svg::{Svg, Ticks, change_points, downsample};

/// Above this many points a line is downsampled for drawing.
const MAX_POINTS: usize = 1500;
// Plot margins inside a panel: room for tick labels, axis titles and the panel title.
const LEFT: f64 = 62.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 42.0;
const CHAR_W: f64 = 6.8;

/// How a series is drawn: colour, dash and shape.
#[derive(Clone, Copy)]
pub(crate) struct Style {
    pub(crate) color: &'static str,
    pub(crate) dash: Option<&'static str>,
    /// Draw as a step function (value holds until the next point).
    pub(crate) step: bool,
    /// Mark each point.
    pub(crate) markers: bool,
}

/// One series in data coordinates.
pub(crate) struct Line {
    pub(crate) style: Style,
    pub(crate) points: Vec<(f64, f64)>,
}

/// One plot area.
pub(crate) struct Panel {
    pub(crate) title: String,
    pub(crate) lines: Vec<Line>,
}

/// A whole figure.
pub(crate) struct Chart {
    pub(crate) title: String,
    pub(crate) x_label: String,
    pub(crate) y_label: String,
    /// Start the y axis at zero (amounts, counts) rather than at the data's minimum (prices).
    pub(crate) y_zero: bool,
    pub(crate) legend: Vec<(String, Style)>,
    pub(crate) panels: Vec<Panel>,
}

impl Chart {
    /// Renders the chart; empty panels get axes and a "no data" note.
    pub(crate) fn render(&self) -> String {
        let n = self.panels.len().max(1);
        let cols = n.min(3);
        let rows = n.div_ceil(cols);
        let (pw, ph) = if n == 1 { (760.0, 340.0) } else { (330.0, 250.0) };
        let width = 10.0 + pw * cols as f64;
        let legend_rows = self.legend_rows(width - 20.0);
        let header = 38.0 + 18.0 * legend_rows.len() as f64;
        let mut svg = Svg::new(width, header + ph * rows as f64 + 6.0, &self.title);
        // A long title shrinks to fit rather than run off the edges (bold ≈ 0.6 em a char).
        let chars = self.title.chars().count().max(1) as f64;
        let size = (15.0f64).min((width - 20.0) / (0.6 * chars)).max(8.0);
        svg.text(
            width / 2.0,
            22.0,
            &format!(
                "text-anchor=\"middle\" font-size=\"{}\" font-weight=\"bold\"",
                fixed(size, 1)
            ),
            &self.title,
        );
        for (r, items) in legend_rows.iter().enumerate() {
            let mut x = 16.0;
            let y = 42.0 + 18.0 * r as f64;
            for &i in items {
                let (label, style) = &self.legend[i];
                svg.polyline(&[(x, y - 4.0), (x + 22.0, y - 4.0)], style.color, style.dash);
                if style.markers {
                    svg.circle((x + 11.0, y - 4.0), 3.0, style.color);
                }
                svg.text(x + 27.0, y, "", label);
                x += item_width(label);
            }
        }
        let (xt, yt) = self.ticks();
        for (i, panel) in self.panels.iter().enumerate() {
            let origin = (5.0 + pw * (i % cols) as f64, header + ph * (i / cols) as f64);
            self.panel(&mut svg, panel, origin, (pw, ph), (&xt, &yt), i % cols == 0);
        }
        svg.finish()
    }

    /// The legend's items split into rows that fit `width`.
    fn legend_rows(&self, width: f64) -> Vec<Vec<usize>> {
        let mut rows: Vec<Vec<usize>> = Vec::new();
        let mut used = f64::INFINITY;
        for (i, (label, _)) in self.legend.iter().enumerate() {
            let w = item_width(label);
            match rows.last_mut() {
                Some(row) if used + w <= width => row.push(i),
                _ => {
                    rows.push(vec![i]);
                    used = 0.0;
                }
            }
            used += w;
        }
        rows
    }

    /// Axis ticks shared by all panels, from every finite point.
    fn ticks(&self) -> (Ticks, Ticks) {
        let pts = self.panels.iter().flat_map(|p| &p.lines).flat_map(|l| &l.points);
        let finite: Vec<&(f64, f64)> = pts.filter(|p| p.0.is_finite() && p.1.is_finite()).collect();
        let range = |f: fn(&(f64, f64)) -> f64| {
            let lo = finite.iter().map(|p| f(p)).fold(f64::INFINITY, f64::min);
            let hi = finite.iter().map(|p| f(p)).fold(f64::NEG_INFINITY, f64::max);
            if finite.is_empty() { (0.0, 1.0) } else { (lo, hi) }
        };
        let ((x0, x1), (mut y0, y1)) = (range(|p| p.0), range(|p| p.1));
        if self.y_zero && y0 > 0.0 {
            y0 = 0.0;
        }
        (Ticks::new(x0, x1, 6), Ticks::new(y0, y1, 5))
    }

    fn panel(
        &self,
        svg: &mut Svg,
        panel: &Panel,
        (ox, oy): (f64, f64),
        (pw, ph): (f64, f64),
        (xt, yt): (&Ticks, &Ticks),
        first_col: bool,
    ) {
        let (x0, y0, w, h) = (ox + LEFT, oy + TOP, pw - LEFT - RIGHT, ph - TOP - BOTTOM);
        let sx = |v: f64| x0 + (v - xt.lo) / (xt.hi - xt.lo) * w;
        let sy = |v: f64| y0 + h - (v - yt.lo) / (yt.hi - yt.lo) * h;
        if !panel.title.is_empty() {
            svg.text(
                x0 + w / 2.0,
                oy + 16.0,
                "text-anchor=\"middle\" font-weight=\"bold\"",
                &panel.title,
            );
        }
        svg.rect((x0, y0), (w, h), "#fafafa", "#bbbbbb");
        for &v in &yt.values {
            svg.line((x0, sy(v)), (x0 + w, sy(v)), "#e4e4e4");
            svg.text(x0 - 5.0, sy(v) + 4.0, "text-anchor=\"end\" font-size=\"10\"", &yt.label(v));
        }
        for &v in &xt.values {
            svg.line((sx(v), y0 + h), (sx(v), y0 + h + 4.0), "#666666");
            svg.text(sx(v), y0 + h + 16.0, "text-anchor=\"middle\" font-size=\"10\"", &xt.label(v));
        }
        svg.text(x0 + w / 2.0, y0 + h + 33.0, "text-anchor=\"middle\"", &self.x_label);
        if first_col {
            let (x, y) = (ox + 13.0, y0 + h / 2.0);
            let rotate = format!("text-anchor=\"middle\" transform=\"rotate(-90 {x:.1} {y:.1})\"");
            svg.text(x, y, &rotate, &self.y_label);
        }
        if panel.lines.iter().all(|l| l.points.is_empty()) {
            svg.text(
                x0 + w / 2.0,
                y0 + h / 2.0,
                "text-anchor=\"middle\" fill=\"#888888\"",
                "no data",
            );
        }
        for line in &panel.lines {
            let pts: Vec<(f64, f64)> = line
                .points
                .iter()
                .copied()
                .filter(|p| p.0.is_finite() && p.1.is_finite())
                .collect();
            let pts =
                if line.style.step { change_points(&pts) } else { downsample(&pts, MAX_POINTS) };
            let mut px: Vec<(f64, f64)> = Vec::with_capacity(pts.len() * 2);
            for &(x, y) in &pts {
                if let (true, Some(&(_, prev))) = (line.style.step, px.last()) {
                    px.push((sx(x), prev));
                }
                px.push((sx(x), sy(y)));
            }
            svg.polyline(&px, line.style.color, line.style.dash);
            // A line of one distinct point draws nothing: mark it instead.
            let single = px.first().is_some_and(|f| px.iter().all(|p| p == f));
            if line.style.markers || single {
                for &p in &px {
                    svg.circle(p, 3.0, line.style.color);
                }
            }
        }
    }
}

fn item_width(label: &str) -> f64 {
    40.0 + CHAR_W * label.chars().count() as f64
}
