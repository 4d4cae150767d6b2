//! `index.html`: one self-contained offline page: inline CSS, inline SVG, the data as inline
//! JSON and inline scripts (uPlot and the timelines); nothing is fetched.

use crate::document::{Document, Section};
use crate::format::escape;
use crate::headline::header;
use crate::metric::METRICS;
use crate::table::Table;
use crate::timeline::{self, Timeline};
use std::fmt::Write;

const CSS: &str = "body{font-family:Helvetica,Arial,sans-serif;margin:1em auto;max-width:1180px;\
padding:0 1em;color:#222;line-height:1.45}h1,h2,h3{line-height:1.2}h1{font-size:1.5em;margin:.3em 0}\
h3{margin-top:2em;border-top:1px solid #ddd;padding-top:1em}table{border-collapse:collapse;\
font-size:13px;margin:1em 0;display:block;overflow-x:auto}th,td{border:1px solid #ccc;\
padding:3px 7px}th{background:#f2f2f2}td{text-align:right;white-space:nowrap}\
td:first-child{text-align:left}figure{margin:1.5em 0}figcaption{color:#555;font-size:13px}\
svg{max-width:100%;height:auto}.description{font-style:italic}\
details.provenance{margin:1em 0;font-size:13px}dt{font-weight:bold}dd{margin:0 0 .4em 1.5em}\
code{background:#f4f4f4;padding:0 3px}.lede{margin:.2em 0 .8em;color:#444}\
.hl{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(560px,100%),1fr));gap:0 1.5em}\
.hl article{border-top:2px solid #0072B2;margin:.4em 0 1em}.hl h3{border:0;margin:.4em 0 .2em;\
padding:0;font-size:1.05em}.hl table{margin:.3em 0;font-size:12.5px}.hl p{margin:.3em 0;font-size:14px}\
.unit{color:#555;font-size:12.5px!important}td.best{font-weight:bold;background:#eef6ee}\
.tl{border-top:2px solid #0072B2;margin:1.5em 0 2.5em}.tl h3{border:0;margin:.5em 0 .2em;padding:0}\
.bar{display:flex;flex-wrap:wrap;gap:.35em;align-items:center;margin:.4em 0;font-size:13px}\
.bar button{font:inherit;padding:2px 9px;border:1px solid #999;background:#fff;border-radius:3px;\
cursor:pointer}.bar button[aria-pressed=true]{background:#0072B2;color:#fff;border-color:#0072B2}\
.panel h4{margin:.8em 0 0;font-size:13.5px}.panel .sub{color:#555;font-size:12px;margin:0}\
.hint{color:#555;font-size:12.5px}.tip{position:absolute;z-index:10;pointer-events:none;\
background:rgba(255,255,255,.95);border:1px solid #888;padding:3px 6px;font-size:12px;\
white-space:nowrap;display:none}.tip b{font-weight:600}.swatch{display:inline-block;width:10px;\
height:3px;margin-right:4px;vertical-align:middle}";

/// uPlot 1.6.32 (MIT, Leon Sorokin), vendored from npm `uplot` so the page stays offline.
const UPLOT_JS: &str = include_str!("../assets/uPlot.iife.min.js");
const UPLOT_CSS: &str = include_str!("../assets/uPlot.min.css");
const UPLOT_LICENSE: &str = include_str!("../assets/uPlot.LICENSE");
/// The timelines: policy toggles, synced zoom, markers, bands and tooltips over uPlot.
const TIMELINE_JS: &str = include_str!("timeline.js");

/// The scale as a fraction people read: `1/10,000` (or `2.5e-4`).
fn fraction(scale: f64) -> String {
    let inv = 1.0 / scale;
    if scale > 0.0 && inv.is_finite() && (inv - inv.round()).abs() < 1e-6 * inv && inv >= 1.0 {
        let digits = format!("{}", inv.round() as u64);
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("1/{out}")
    } else {
        crate::format::scale(scale)
    }
}

/// The loan unit and the model's scale, said once per scenario.
pub(crate) fn unit_note(scale: f64) -> String {
    if scale == 1.0 {
        "Amounts in loan units: the market's stablecoin, 1 unit = US$1, at real-world size.".into()
    } else {
        format!(
            "Amounts in loan units: the market's stablecoin, 1 unit = US$1, in a model at {} ({}) \
             of the real-world size; divide by {} for real-world dollars.",
            fraction(scale),
            crate::format::scale(scale),
            crate::format::scale(scale)
        )
    }
}

/// Renders the document as one HTML page: headline first, then the timelines, then contents,
/// definitions and the full tables and charts.
pub(crate) fn render(doc: &Document) -> String {
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Breakwater scenario lab report</title>\n<style>{CSS}</style>\n<style>{UPLOT_CSS}</style>\n</head>\n<body>"
    );
    out.push_str("<h1>Breakwater scenario lab report</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"lede\">Each scenario replayed under each policy ({}). First the headline, then \
         zoomable timelines; definitions, contents and every figure follow \
         (<a href=\"#contents\">contents</a>).</p>",
        escape(&doc.generated_by)
    );
    headline(&mut out, doc);
    risk(&mut out, doc);
    timelines(&mut out, doc);
    toc(&mut out, doc);
    if let Some(note) = &doc.scale_note {
        let _ = writeln!(
            out,
            "<p>{} Amounts are in loan units (the local stablecoin, i.e. US dollars at that scale).</p>",
            escape(note)
        );
    }
    out.push_str("<h2 id=\"metrics\">Metrics</h2>\n<dl>\n");
    for m in &METRICS {
        let _ = writeln!(
            out,
            "<dt>{} (<code>{}</code>)</dt><dd>{}.</dd>",
            escape(m.label),
            m.key,
            escape(m.meaning)
        );
    }
    out.push_str("</dl>\n");
    for (title, id, sections) in
        [("Scenarios", "scenarios", &doc.scenarios), ("Sweeps", "sweeps", &doc.sweeps)]
    {
        if !sections.is_empty() {
            let _ = writeln!(out, "<h2 id=\"{id}\">{title}</h2>");
        }
        for s in sections {
            section(&mut out, s);
        }
    }
    let data: Vec<&Timeline> = doc.scenarios.iter().filter_map(|s| s.timeline.as_ref()).collect();
    let _ = writeln!(
        out,
        "<script type=\"application/json\" id=\"bw-data\">{}</script>",
        timeline::json(&data)
    );
    let _ = writeln!(
        out,
        "<script>/*\nuPlot, https://github.com/leeoniya/uPlot\n{UPLOT_LICENSE}*/\n{UPLOT_JS}</script>"
    );
    let _ = writeln!(out, "<script>\n{TIMELINE_JS}</script>");
    out.push_str("</body>\n</html>\n");
    out
}

/// The Monte Carlo, when the report has one: per scenario, the risk frontier and bad debt's
/// distribution per policy.
fn risk(out: &mut String, doc: &Document) {
    if doc.risk.is_empty() {
        return;
    }
    out.push_str(
        "<section id=\"risk\">\n<h2>Risk over many paths</h2>\n<p class=\"hint\">Each policy's \
         bad-debt tail (VaR95 where there are paths enough, else the mean) against the borrow \
         capacity it keeps, with 95% bootstrap intervals; then bad debt's distribution over the \
         paths. Policies are compared on the same paths; the numbers are in \
         <a href=\"risk/risk.md\">risk/risk.md</a>.</p>\n",
    );
    for (scenario, frontier, histograms) in &doc.risk {
        let _ = writeln!(
            out,
            "<article class=\"risk\"><h3>{}</h3><figure class=\"frontier\">{frontier}</figure>\
             <figure class=\"histograms\">{histograms}</figure></article>",
            escape(scenario)
        );
    }
    out.push_str("</section>\n");
}

fn headline(out: &mut String, doc: &Document) {
    if doc.scenarios.is_empty() {
        return;
    }
    out.push_str("<section id=\"headline\">\n<h2>Headline</h2>\n");
    out.push_str(
        "<p class=\"unit\">Per scenario and policy: bad debt left to lenders, the borrow capacity \
         kept (time-averaged, as a share of the best policy's), liquidations (every borrower \
         liquidated, fast or through the slow redeem-to-repay path: the run data does not record \
         which of them were solvent) and the oracle attacker's profit.</p>\n<div class=\"hl\">\n",
    );
    for s in &doc.scenarios {
        let (Some(h), Some(scale)) = (&s.headline, s.scale) else { continue };
        let seeds =
            if h.seeds > 1 { format!(" Means over {} seeds.", h.seeds) } else { String::new() };
        let _ = writeln!(
            out,
            "<article class=\"headline\" data-scenario=\"{}\">\n<h3><a href=\"#{}\">{}</a></h3>\n\
             <p class=\"unit\">{}{seeds}</p>",
            escape(&s.id),
            escape(&s.id),
            escape(&s.heading),
            escape(&unit_note(scale)),
        );
        out.push_str("<table>\n<thead><tr>");
        for th in header(h) {
            let _ = write!(out, "<th>{}</th>", escape(&th));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        let least = h.rows.iter().map(|r| r.bad_debt).fold(f64::INFINITY, f64::min);
        for r in &h.rows {
            let best_bd = if r.bad_debt <= least { " class=\"best\"" } else { "" };
            let best_cap =
                if h.best_capacity.as_deref() == Some(&r.policy) { " class=\"best\"" } else { "" };
            // Bad debt and its percentage, and the capacity, are marked where they are best.
            let class = ["", best_bd, best_bd, best_cap, "", "", ""];
            out.push_str("<tr>");
            for (cell, class) in r.cells().iter().zip(class) {
                let _ = write!(out, "<td{class}>{}</td>", escape(cell));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
        for line in &h.sentences {
            let _ = writeln!(out, "<p>{}</p>", escape(line));
        }
        out.push_str("</article>\n");
    }
    out.push_str("</div>\n</section>\n");
}

fn timelines(out: &mut String, doc: &Document) {
    if doc.scenarios.iter().all(|s| s.timeline.is_none()) {
        return;
    }
    out.push_str(
        "<section id=\"timelines\">\n<h2>Timelines</h2>\n<p class=\"hint\">One policy at a \
         time (the buttons); the three charts share their time axis. Drag across a chart to zoom, \
         double-click or <em>Whole run</em> to reset; hover for exact values; click a legend \
         entry to hide or show its line. Shaded: breaker level (orange, darker = higher) and NAV \
         under review (grey); dashed verticals: events.</p>\n",
    );
    for s in &doc.scenarios {
        let (Some(t), Some(scale)) = (&s.timeline, s.scale) else { continue };
        let _ = writeln!(
            out,
            "<div class=\"tl\" id=\"{}\">\n<h3>{}</h3>\n<p class=\"unit\">{} Time in hours since \
             the run's start.</p>\n<noscript>The interactive timeline needs JavaScript; the static \
             charts are under <a href=\"#{}\">the scenario's section</a>.</noscript>\n</div>",
            escape(&t.id),
            escape(&s.heading),
            escape(&unit_note(scale)),
            escape(&s.id),
        );
    }
    out.push_str("</section>\n");
}

fn toc(out: &mut String, doc: &Document) {
    out.push_str("<nav>\n<h2 id=\"contents\">Contents</h2>\n<ul>\n<li><a href=\"#headline\">Headline</a></li>\n<li><a href=\"#timelines\">Timelines</a></li>\n<li><a href=\"#metrics\">Metrics</a></li>\n");
    for (title, sections) in [("Scenarios", &doc.scenarios), ("Sweeps", &doc.sweeps)] {
        if sections.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<li>{title}<ul>");
        for s in sections {
            let _ =
                writeln!(out, "<li><a href=\"#{}\">{}</a></li>", escape(&s.id), escape(&s.heading));
        }
        out.push_str("</ul></li>\n");
    }
    out.push_str("</ul>\n</nav>\n");
}

fn section(out: &mut String, s: &Section) {
    let _ = writeln!(out, "<section id=\"{}\">\n<h3>{}</h3>", escape(&s.id), escape(&s.heading));
    if !s.description.is_empty() {
        let _ = writeln!(out, "<p class=\"description\">{}</p>", escape(&s.description));
    }
    let _ = writeln!(out, "<p>{}</p>", escape(&s.intro));
    table(out, &s.table);
    if !s.reading.is_empty() {
        out.push_str("<p><strong>Reading.</strong></p>\n<ul>\n");
        for line in &s.reading {
            let _ = writeln!(out, "<li>{}</li>", escape(line));
        }
        out.push_str("</ul>\n");
    }
    if let Some(gap) = &s.gap {
        out.push_str("<h4>Bad debt and the real shortfall</h4>\n");
        for line in &gap.sentences {
            let _ = writeln!(out, "<p class=\"gap\">{}</p>", escape(line));
        }
        table(out, &gap.table);
    }
    for f in &s.figures {
        // The SVG is our own output, its text already escaped.
        let _ = writeln!(
            out,
            "<figure>\n{}<figcaption>{}</figcaption>\n</figure>",
            f.svg,
            escape(&f.caption)
        );
    }
    if let Some(p) = &s.provenance {
        out.push_str("<details class=\"provenance\">\n<summary>Provenance: the scenario file, the program, the deployed parameters</summary>\n");
        for line in &p.lines {
            let _ = writeln!(out, "<p>{}</p>", escape(line));
        }
        if !p.parameters.rows.is_empty() {
            out.push_str("<p>Deployed parameters, read from the chain after deployment:</p>\n");
            table(out, &p.parameters);
        }
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}

fn table(out: &mut String, t: &Table) {
    out.push_str("<table>\n<thead><tr>");
    for h in &t.header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        out.push_str("<tr>");
        for c in r {
            let _ = write!(out, "<td>{}</td>", escape(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}
