//! `index.html`: one self-contained page (inline CSS, inline SVG, no scripts or fonts).

use crate::document::{Document, Section};
use crate::format::escape;
use crate::table::{COLUMNS, Table};
use std::fmt::Write;

const CSS: &str = "body{font-family:Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;\
padding:0 1em;color:#222;line-height:1.45}h1,h2,h3{line-height:1.2}h3{margin-top:2em;\
border-top:1px solid #ddd;padding-top:1em}table{border-collapse:collapse;font-size:13px;\
margin:1em 0;display:block;overflow-x:auto}th,td{border:1px solid #ccc;padding:3px 7px}\
th{background:#f2f2f2}td{text-align:right;white-space:nowrap}td:first-child{text-align:left}\
figure{margin:1.5em 0}figcaption{color:#555;font-size:13px}svg{max-width:100%;height:auto}\
dt{font-weight:bold}dd{margin:0 0 .4em 1.5em}code{background:#f4f4f4;padding:0 3px}";

/// Renders the document as one HTML page, every chart inlined.
pub(crate) fn render(doc: &Document) -> String {
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(
        out,
        "<title>Breakwater scenario lab report</title>\n<style>{CSS}</style>\n</head>\n<body>"
    );
    out.push_str("<h1>Breakwater scenario lab report</h1>\n");
    let _ = writeln!(out, "<p>Produced by {}.</p>", escape(&doc.generated_by));
    if let Some(note) = &doc.scale_note {
        let _ = writeln!(
            out,
            "<p>{} Amounts are in loan units (the local stablecoin, i.e. US dollars at that scale).</p>",
            escape(note)
        );
    }
    toc(&mut out, doc);
    out.push_str("<h2 id=\"metrics\">Metrics</h2>\n<dl>\n");
    for c in &COLUMNS {
        let _ = writeln!(
            out,
            "<dt>{} (<code>{}</code>)</dt><dd>{}.</dd>",
            escape(c.header),
            c.field,
            escape(c.meaning)
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
    out.push_str("</body>\n</html>\n");
    out
}

fn toc(out: &mut String, doc: &Document) {
    out.push_str("<nav>\n<h2>Contents</h2>\n<ul>\n<li><a href=\"#metrics\">Metrics</a></li>\n");
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
    let _ = writeln!(
        out,
        "<section id=\"{}\">\n<h3>{}</h3>\n<p>{}</p>",
        escape(&s.id),
        escape(&s.heading),
        escape(&s.intro)
    );
    table(out, &s.table);
    if !s.reading.is_empty() {
        out.push_str("<p><strong>Reading.</strong></p>\n<ul>\n");
        for line in &s.reading {
            let _ = writeln!(out, "<li>{}</li>", escape(line));
        }
        out.push_str("</ul>\n");
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
