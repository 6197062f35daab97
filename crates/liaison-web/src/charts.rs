//! Charts drawn on the server as inline SVG (no script): horizontal bars for categories, grouped
//! columns for years. Each has a `<title>` and `<desc>` for screen readers; the pages put the
//! same numbers in a table beside it ([`data_table`]) and print both.

use maud::{html, Markup};

/// One bar per label, longest first as given.
pub fn bars(title: &str, desc: &str, bars: &[(String, i64)]) -> Markup {
    let max = bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let row = 22;
    let label_w = 210;
    let bar_w = 340;
    let height = row * bars.len().max(1) + 10;
    html! {
        svg.chart role="img" viewBox=(format!("0 0 {} {height}", label_w + bar_w + 70)) width="100%" xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @if !desc.is_empty() { desc { (desc) } }
            @for (i, (label, n)) in bars.iter().enumerate() {
                @let y = i * row + 5;
                @let w = (n.max(&0) * bar_w as i64 / max) as usize;
                text x=(label_w - 6) y=(y + 15) text-anchor="end" font-size="12" { (shorten(label, 30)) }
                rect.bar x=(label_w) y=(y + 3) width=(w.max(1)) height=(row - 6) { title { (label) ": " (n) } }
                text x=(label_w + w + 6) y=(y + 15) font-size="12" { (n) }
            }
        }
    }
}

/// One series of a column chart: its name and CSS class (colour), one value per year.
pub struct Series {
    pub name: String,
    pub class: &'static str,
    pub values: Vec<i64>,
}

/// Grouped columns: for each year, one column per series, with a legend and a value axis.
pub fn columns(title: &str, desc: &str, years: &[i32], series: &[Series]) -> Markup {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let (left, top, plot_h, bottom) = (40usize, 28usize, 200usize, 24usize);
    let group_w = 18 * series.len().max(1) + 14;
    let width = left + group_w * years.len().max(1) + 10;
    let height = top + plot_h + bottom;
    let step = nice_step(max);
    let ticks: Vec<i64> = (0..=max / step).map(|k| k * step).collect();
    let y_of = |v: i64| top + plot_h - (v.max(0) as usize * plot_h / max as usize);
    html! {
        svg.chart role="img" viewBox=(format!("0 0 {width} {height}")) width="100%" xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @if !desc.is_empty() { desc { (desc) } }
            @for (i, s) in series.iter().enumerate() {
                rect class=(s.class) x=(left + i * 120) y="6" width="12" height="12" {}
                text x=(left + i * 120 + 16) y="16" font-size="12" { (s.name) }
            }
            @for t in &ticks {
                line.grid x1=(left) x2=(width - 10) y1=(y_of(*t)) y2=(y_of(*t)) {}
                text x=(left - 4) y=(y_of(*t) + 4) text-anchor="end" font-size="10" { (t) }
            }
            @for (g, year) in years.iter().enumerate() {
                @let x0 = left + g * group_w + 7;
                @for (i, s) in series.iter().enumerate() {
                    @let v = s.values.get(g).copied().unwrap_or(0);
                    rect class=(s.class) x=(x0 + i * 18) y=(y_of(v)) width="16" height=(top + plot_h - y_of(v)) {
                        title { (year) " · " (s.name) ": " (v) }
                    }
                }
                text x=(x0 + group_w / 2 - 7) y=(top + plot_h + 16) text-anchor="middle" font-size="11" { (year) }
            }
        }
    }
}

/// A step for axis ticks: 1, 2 or 5 times a power of ten, about five ticks up to `max`.
fn nice_step(max: i64) -> i64 {
    let rough = (max as f64 / 5.0).max(1.0);
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(rough);
    step as i64
}

fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// The numbers behind a chart, in a table the reader can open (and that prints).
pub fn data_table(summary: &str, headers: &[String], rows: &[Vec<String>]) -> Markup {
    html! {
        details.chart-data {
            summary { (summary) }
            div.table-wrap { table {
                thead { tr { @for h in headers { th scope="col" { (h) } } } }
                tbody { @for r in rows { tr { @for (i, c) in r.iter().enumerate() {
                    @if i == 0 { th scope="row" { (c) } } @else { td.num { (c) } }
                } } } }
            } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(1), 1);
        assert_eq!(nice_step(9), 2);
        assert_eq!(nice_step(133), 50);
        assert_eq!(nice_step(1000), 200);
    }

    #[test]
    fn charts_carry_title_desc_and_every_value() {
        let svg = columns(
            "Outgoing by year",
            "Students and staff",
            &[2019, 2024],
            &[Series {
                name: "Students".into(),
                class: "s1",
                values: vec![70, 133],
            }],
        )
        .into_string();
        assert!(svg.contains("<title>Outgoing by year</title>"));
        assert!(svg.contains("<desc>Students and staff</desc>"));
        assert!(svg.contains("2024 · Students: 133"));
        let svg = bars("Partners", "", &[("Astana IT University".into(), 12)]).into_string();
        assert!(svg.contains("Astana IT University: 12"));
        assert!(!svg.contains("<desc>"));
    }
}
