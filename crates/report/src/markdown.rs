//! `report.md`.

use crate::document::{Document, Section};
use crate::format::{html_entity, replace_chars};
use crate::headline::{Row, header};
use crate::html::unit_note;
use crate::metric::METRICS;
use crate::table::Table;
use std::fmt::Write;

/// Renders the document as Markdown; charts are linked by their relative paths.
pub(crate) fn render(doc: &Document) -> String {
    let mut out = String::from("# Breakwater scenario lab report\n\n");
    let _ = writeln!(out, "Produced by {}.\n", text(&doc.generated_by));
    if let Some(note) = &doc.scale_note {
        let _ = writeln!(
            out,
            "{note} Amounts are in loan units (the local stablecoin, i.e. US dollars at that scale).\n"
        );
    }
    headline(&mut out, doc);
    out.push_str("## Metrics\n\n");
    for m in &METRICS {
        let _ = writeln!(out, "- **{}** (`{}`): {}.", m.label, m.key, m.meaning);
    }
    for (title, sections) in [("Scenarios", &doc.scenarios), ("Sweeps", &doc.sweeps)] {
        if !sections.is_empty() {
            let _ = writeln!(out, "\n## {title}");
        }
        for s in sections {
            section(&mut out, s);
        }
    }
    out
}

/// Per scenario: each policy's bad debt, capacity kept, liquidations and attacker profit, and
/// the sentences drawn from them (the HTML page's headline).
fn headline(out: &mut String, doc: &Document) {
    if doc.scenarios.iter().all(|s| s.headline.is_none()) {
        return;
    }
    out.push_str(
        "## Headline\n\nLiquidations count every borrower liquidated (fast/slow); the run data \
         does not record which of them were solvent. Capacity kept is the time-averaged borrow \
         capacity as a share of the best policy's.\n",
    );
    for s in &doc.scenarios {
        let (Some(h), Some(scale)) = (&s.headline, s.scale) else { continue };
        let _ = writeln!(out, "\n**{}**. {}\n", text(&s.heading), text(&unit_note(scale)));
        let rows = h.rows.iter().map(Row::cells).collect();
        table(out, &Table { header: header(h), rows });
        out.push('\n');
        let _ = writeln!(out, "{}", text(&h.sentences.join(" ")));
    }
    out.push('\n');
}

fn section(out: &mut String, s: &Section) {
    let _ = writeln!(out, "\n### {}\n", text(&s.heading));
    if !s.description.is_empty() {
        let _ = writeln!(out, "{}\n", text(&s.description));
    }
    let _ = writeln!(out, "{}\n", text(&s.intro));
    table(out, &s.table);
    if !s.reading.is_empty() {
        out.push_str("\n**Reading.**\n\n");
        for line in &s.reading {
            let _ = writeln!(out, "- {}", text(line));
        }
    }
    if let Some(gap) = &s.gap {
        let _ = writeln!(
            out,
            "\n**Bad debt and the real shortfall.** {}\n",
            text(&gap.sentences.join(" "))
        );
        table(out, &gap.table);
    }
    out.push('\n');
    for f in &s.figures {
        let _ = writeln!(out, "![{}]({})\n", text(&f.caption), f.file);
    }
    if let Some(p) = &s.provenance {
        let _ = writeln!(out, "**Provenance.** {}\n", text(&p.lines.join(" ")));
        if !p.parameters.rows.is_empty() {
            out.push_str("Deployed parameters, read from the chain after deployment:\n\n");
            table(out, &p.parameters);
            out.push('\n');
        }
    }
}

pub(crate) fn table(out: &mut String, t: &Table) {
    let row = |cells: &[String]| {
        format!("| {} |", cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "))
    };
    let _ = writeln!(out, "{}", row(&t.header));
    let rule: Vec<&str> =
        (0..t.header.len()).map(|i| if i == 0 { "---" } else { "---:" }).collect();
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for r in &t.rows {
        let _ = writeln!(out, "{}", row(r));
    }
}

/// Text that Markdown would otherwise read as markup or HTML.
pub(crate) fn text(s: &str) -> String {
    replace_chars(s, |c| match c {
        // Quotes are plain text in Markdown.
        '"' | '\'' => None,
        '*' => Some("\\*"),
        '_' => Some("\\_"),
        '`' => Some("\\`"),
        '[' => Some("\\["),
        ']' => Some("\\]"),
        '\\' => Some("\\\\"),
        c => html_entity(c),
    })
}

fn cell(s: &str) -> String {
    text(s).replace('|', "\\|")
}
