//! Fitting the report's summary table ([`breakwater_report::summary_table`]) to the terminal:
//! the least telling columns go first, then the scenario names are abbreviated.

use breakwater_report::SUMMARY_DROP_ORDER;
use std::io::IsTerminal as _;

/// Width when stdout is no terminal and `COLUMNS` is not set.
const DEFAULT_WIDTH: usize = 100;

/// Leading text columns (left-aligned); the rest are figures (right-aligned).
const TEXT_COLUMNS: usize = 2;

/// Narrowest an abbreviated scenario name gets.
const MIN_TEXT: usize = 8;

/// The width to fit: stdout's terminal, else `COLUMNS`, else [`DEFAULT_WIDTH`].
pub(crate) fn width() -> usize {
    if std::io::stdout().is_terminal()
        && let Some((_, cols)) = console::Term::stdout().size_checked()
    {
        return usize::from(cols);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .filter(|&c: &usize| c > 0)
        .unwrap_or(DEFAULT_WIDTH)
}

/// `table` (a header line, a rule of dashes, rows; columns two spaces apart) within `width`
/// characters: columns dropped in [`SUMMARY_DROP_ORDER`], then the first column abbreviated
/// with `…`.
/// Anything not shaped like that table comes back unchanged.
pub(crate) fn fit(table: &str, width: usize) -> String {
    let lines: Vec<&str> = table.lines().collect();
    let Some(rule) = lines.get(1) else { return table.to_string() };
    if rule.is_empty() || !rule.chars().all(|c| c == '-' || c == ' ') {
        return table.to_string();
    }
    let spans = spans(rule);
    let mut cells: Vec<Vec<String>> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, line)| cut(line, &spans))
        .collect();
    let header = cells[0].clone();
    let mut keep: Vec<usize> = (0..spans.len()).collect();
    let mut drop = SUMMARY_DROP_ORDER.iter();
    while total(&cells, &keep) > width {
        let Some(name) = drop.next() else { break };
        if let Some(i) = header.iter().position(|h| h == name) {
            keep.retain(|&k| k != i);
        }
    }
    let over = total(&cells, &keep).saturating_sub(width);
    if over > 0 {
        let widest = column_width(&cells, 0);
        let to = widest.saturating_sub(over).max(MIN_TEXT);
        for row in cells.iter_mut().skip(1) {
            row[0] = abbreviate(&row[0], to);
        }
    }
    render(&cells, &keep)
}

/// Each column's `[start, end)` in characters, from the rule's runs of dashes.
fn spans(rule: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in rule.chars().chain([' ']).enumerate() {
        match (c, start) {
            ('-', None) => start = Some(i),
            (' ', Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    spans
}

fn cut(line: &str, spans: &[(usize, usize)]) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    spans
        .iter()
        .map(|&(s, e)| {
            let (s, e) = (s.min(chars.len()), e.min(chars.len()));
            chars[s..e].iter().collect::<String>().trim().to_string()
        })
        .collect()
}

fn column_width(cells: &[Vec<String>], i: usize) -> usize {
    cells.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)
}

fn total(cells: &[Vec<String>], keep: &[usize]) -> usize {
    let widths: usize = keep.iter().map(|&i| column_width(cells, i)).sum();
    widths + 2 * keep.len().saturating_sub(1)
}

fn abbreviate(text: &str, to: usize) -> String {
    if text.chars().count() <= to {
        return text.to_string();
    }
    let mut short: String = text.chars().take(to.saturating_sub(1)).collect();
    short.push('…');
    short
}

fn render(cells: &[Vec<String>], keep: &[usize]) -> String {
    let widths: Vec<usize> = keep.iter().map(|&i| column_width(cells, i)).collect();
    let line = |row: &Vec<String>| {
        let padded: Vec<String> = keep
            .iter()
            .zip(&widths)
            .map(|(&i, &w)| {
                if i < TEXT_COLUMNS { format!("{:<w$}", row[i]) } else { format!("{:>w$}", row[i]) }
            })
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut out = line(&cells[0]);
    out.push('\n');
    out.push_str(&widths.iter().map(|&w| "-".repeat(w)).collect::<Vec<_>>().join("  "));
    out.push('\n');
    for row in &cells[1..] {
        out.push_str(&line(row));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use breakwater_report::{Metrics, Provenance, Report, Run, Series, summary_table};

    fn run(scenario: &str, policy: &str, bad_debt: f64, attacker: f64) -> Run {
        let metrics = Metrics {
            bad_debt,
            bad_debt_pct: bad_debt / 4000.0,
            liquidations: 447,
            slow_liquidations: 0,
            liquidated_collateral: 1e5,
            fire_sale_loss: 72_100.0,
            min_market_to_nav: 0.413,
            first_liquidation_after_s: Some(5_760),
            cascade_rounds: 3,
            breaker_trips: 28,
            halted_s: 547_200,
            borrower_penalties: 10.0,
            liquidator_profit: 10.0,
            attacker_profit: attacker,
            lender_loss_pct: 0.0,
            borrow_capacity: 78_100.0,
            shadow_insolvency: 0.0,
            overpaid: 1_250.0,
            real_shortfall: bad_debt / 4.0,
            ..Metrics::default()
        };
        Run {
            scenario: scenario.into(),
            title: String::new(),
            policy: policy.into(),
            seed: 42,
            scale: 1e-4,
            description: String::new(),
            provenance: Provenance::default(),
            metrics,
            series: Series::default(),
        }
    }

    fn table() -> String {
        summary_table(&Report {
            generated_by: String::new(),
            runs: vec![
                run("calm", "naive-spot", 0.0, 0.0),
                run("rwa2-idiosyncratic-loss", "no-slow-path", 11_000.0, 202.0),
            ],
            sweeps: Vec::new(),
            risk: None,
        })
    }

    fn widest(text: &str) -> usize {
        text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
    }

    #[test]
    fn a_wide_terminal_keeps_every_column() {
        let table = table();
        assert!(widest(&table) > 100, "{table}");
        assert_eq!(fit(&table, 250), table);
        let header = table.lines().next().unwrap_or_default();
        assert!(header.contains("real shortfall") && header.contains("overpaid"), "{table}");
        assert!(table.contains("2.75k"), "the real shortfall's figure: {table}");
    }

    #[test]
    fn narrow_terminals_lose_the_least_telling_columns_first() {
        let fitted = fit(&table(), 100);
        assert!(widest(&fitted) <= 100, "{fitted}");
        let header = fitted.lines().next().unwrap_or_default();
        assert!(!header.contains("attacker profit") && !header.contains("1st liq after"));
        assert!(header.contains("bad debt %") && header.contains("borrow capacity"), "{fitted}");
        assert!(fitted.contains("rwa2-idiosyncratic-loss  no-slow-path"), "{fitted}");
        assert!(fitted.lines().nth(3).is_some_and(|l| l.ends_with("78.1k")), "{fitted}");
    }

    #[test]
    fn very_narrow_terminals_abbreviate_the_scenario() {
        let fitted = fit(&table(), 40);
        assert!(widest(&fitted) <= 40, "{fitted}");
        assert!(fitted.contains("rwa2-idiosync…") && fitted.contains("2.75%"), "{fitted}");
    }

    #[test]
    fn other_text_is_left_alone() {
        assert_eq!(fit("no table here\n", 10), "no table here\n");
        assert_eq!(fit("", 10), "");
    }
}
