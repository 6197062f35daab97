//! A choropleth world map drawn on the server as inline SVG (no script), from Natural Earth 1:110m
//! country outlines vendored in `assets/world-110m.txt` (public domain; converted once from the
//! npm package `world-atlas` by `scripts/vendor-world-map.py`, which says how to re-run it).
//!
//! The asset holds one line per country, `ALPHA2<TAB>path data`, already projected
//! (equirectangular) into the box `0 0 1000 500` with only `M`, `L` and `Z` commands. It is parsed
//! once. Lines whose code is not an ISO 3166-1 code (`XK` Kosovo, `--` N. Cyprus, Somaliland) are
//! drawn but never coloured.
//!
//! Countries with a value but no outline at this scale (Singapore, the Maldives, …) are listed under
//! the map as text, so no number is silently lost.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use liaison_domain::CountryCode;
use maud::{html, Markup};

/// Width and height of the projected map; the SVG adds a legend strip below it.
pub const MAP_WIDTH: u32 = 1000;
pub const MAP_HEIGHT: u32 = 500;
const LEGEND_HEIGHT: u32 = 40;

/// The five steps' CSS classes, lightest first (colour-blind-safe sequential blues, app.css).
pub const STEP_CLASSES: [&str; 5] = ["wm-q1", "wm-q2", "wm-q3", "wm-q4", "wm-q5"];
/// The class of a country without data (light grey).
pub const NO_DATA_CLASS: &str = "wm-none";

const ASSET: &str = include_str!("../assets/world-110m.txt");

struct Shape {
    /// `None` for outlines without an ISO code (drawn, never coloured).
    code: Option<CountryCode>,
    d: &'static str,
}

static SHAPES: LazyLock<Vec<Shape>> = LazyLock::new(|| {
    ASSET
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (code, d) = line
                .split_once('\t')
                .expect("world-110m.txt lines are CODE<TAB>path");
            Shape {
                code: CountryCode::parse(code),
                d,
            }
        })
        .collect()
});

/// The countries that have an outline on the map.
pub fn drawn_countries() -> impl Iterator<Item = CountryCode> {
    SHAPES.iter().filter_map(|s| s.code)
}

/// Words the map shows besides country names, in the reader's language.
#[derive(Debug, Clone, Copy)]
pub struct MapWords<'a> {
    /// Legend entry for countries without data.
    pub no_data: &'a str,
    /// Heading of the list of countries with data but too small to draw.
    pub not_drawn: &'a str,
}

impl MapWords<'_> {
    /// Language-neutral: an em dash for "no data" and no heading over the list.
    pub const NEUTRAL: MapWords<'static> = MapWords {
        no_data: "—",
        not_drawn: "",
    };
}

/// One step of the colour scale: its class and the range of values it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    class: &'static str,
    min: i64,
    max: i64,
}

/// Quantile steps over the distinct positive values: at most five, spread so that the smallest
/// value gets the lightest class and the largest the darkest.
fn steps(values: &BTreeMap<CountryCode, i64>) -> Vec<Step> {
    let mut distinct: Vec<i64> = values.values().copied().filter(|v| *v > 0).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let n = distinct.len();
    let k = n.min(STEP_CLASSES.len());
    let mut out: Vec<Step> = Vec::with_capacity(k);
    for (i, v) in distinct.iter().enumerate() {
        let group = i * k / n;
        let class = if k == 1 {
            STEP_CLASSES[STEP_CLASSES.len() - 1]
        } else {
            STEP_CLASSES[group * (STEP_CLASSES.len() - 1) / (k - 1)]
        };
        match out.last_mut() {
            Some(step) if step.class == class => step.max = *v,
            _ => out.push(Step {
                class,
                min: *v,
                max: *v,
            }),
        }
    }
    out
}

fn class_of(steps: &[Step], value: i64) -> &'static str {
    steps
        .iter()
        .find(|s| s.min <= value && value <= s.max)
        .map(|s| s.class)
        .unwrap_or(NO_DATA_CLASS)
}

/// The map with language-neutral legend words; see [`choropleth_with`].
pub fn choropleth(
    title: &str,
    desc: &str,
    values: &[(CountryCode, i64)],
    label: impl Fn(CountryCode) -> String,
) -> Markup {
    choropleth_with(title, desc, values, label, MapWords::NEUTRAL)
}

/// A choropleth of `values` (repeated codes are added up; zero or less counts as no colour but
/// still shows in the country's tooltip). `label` names a country in the reader's language, e.g.
/// `|c| c.name(zh).to_string()`. Returns the `<svg>` (with `<title>`, `<desc>`, a `<title>` per
/// country and a legend of the step ranges) followed by a list of the countries with data that the
/// map cannot draw.
pub fn choropleth_with(
    title: &str,
    desc: &str,
    values: &[(CountryCode, i64)],
    label: impl Fn(CountryCode) -> String,
    words: MapWords<'_>,
) -> Markup {
    let mut by_code: BTreeMap<CountryCode, i64> = BTreeMap::new();
    for (code, v) in values {
        *by_code.entry(*code).or_insert(0) += v;
    }
    let steps = steps(&by_code);
    let drawn: std::collections::BTreeSet<CountryCode> = drawn_countries().collect();
    let not_drawn: Vec<(String, i64)> = by_code
        .iter()
        .filter(|(c, _)| !drawn.contains(c))
        .map(|(c, v)| (label(*c), *v))
        .collect();
    let legend_y = MAP_HEIGHT + 12;
    let entries: Vec<(&str, String)> = steps
        .iter()
        .map(|s| {
            let range = if s.min == s.max {
                s.min.to_string()
            } else {
                format!("{}–{}", s.min, s.max)
            };
            (s.class, range)
        })
        .chain(std::iter::once((NO_DATA_CLASS, words.no_data.to_string())))
        .collect();
    html! {
        div.world-map {
            svg.world-map role="img" viewBox=(format!("0 0 {MAP_WIDTH} {}", MAP_HEIGHT + LEGEND_HEIGHT)) width="100%" xmlns="http://www.w3.org/2000/svg" {
                title { (title) }
                @if !desc.is_empty() { desc { (desc) } }
                g.wm-countries {
                    @for shape in SHAPES.iter() {
                        @match shape.code {
                            Some(code) => {
                                @match by_code.get(&code) {
                                    Some(v) => {
                                        path class=(class_of(&steps, *v)) data-country=(code.as_str()) d=(shape.d) {
                                            title { (label(code)) ": " (v) }
                                        }
                                    }
                                    None => {
                                        path class=(NO_DATA_CLASS) data-country=(code.as_str()) d=(shape.d) {
                                            title { (label(code)) }
                                        }
                                    }
                                }
                            }
                            None => { path class=(NO_DATA_CLASS) d=(shape.d) {} }
                        }
                    }
                }
                g.wm-legend {
                    @for (i, (class, text)) in entries.iter().enumerate() {
                        @let x = 10 + i as u32 * 130;
                        rect class=(class) x=(x) y=(legend_y) width="18" height="14" {}
                        text x=(x + 24) y=(legend_y + 12) font-size="14" { (text) }
                    }
                }
            }
            @if !not_drawn.is_empty() {
                div.world-map-missing {
                    @if !words.not_drawn.is_empty() { p { (words.not_drawn) } }
                    ul {
                        @for (name, v) in &not_drawn { li { (name) ": " (v) } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cc(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    fn en(c: CountryCode) -> String {
        c.name(false).to_string()
    }

    /// Checks that every tag opened is closed in order (enough to catch broken markup).
    fn assert_well_formed(markup: &str) {
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = markup;
        while let Some(start) = rest.find('<') {
            let end = rest[start..].find('>').expect("unterminated tag") + start;
            let tag = &rest[start + 1..end];
            assert!(!tag.contains('<'), "'<' inside a tag: {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name.trim()), "mismatched </{name}>");
            } else if !tag.ends_with('/') {
                let name = tag.split_whitespace().next().expect("tag name");
                stack.push(name);
            }
            rest = &rest[end + 1..];
        }
        assert!(stack.is_empty(), "unclosed tags: {stack:?}");
    }

    /// The `<path>` element of a country, from its opening tag to its end.
    fn path_of<'a>(svg: &'a str, code: &str) -> &'a str {
        let at = svg
            .find(&format!("data-country=\"{code}\""))
            .unwrap_or_else(|| panic!("{code} is drawn"));
        let start = svg[..at].rfind("<path").unwrap();
        let end = svg[at..].find("</path>").unwrap() + at;
        &svg[start..end]
    }

    #[test]
    fn asset_has_the_world() {
        let codes: Vec<CountryCode> = drawn_countries().collect();
        assert!(codes.len() > 170, "{} countries", codes.len());
        for code in ["CN", "KZ", "RU", "US", "FR", "BR"] {
            assert!(codes.contains(&cc(code)), "{code} missing");
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len(), "a country appears twice");
        assert!(ASSET.len() < 250 * 1024, "asset is {} bytes", ASSET.len());
    }

    #[test]
    fn every_path_is_move_line_close_inside_the_box() {
        for shape in SHAPES.iter() {
            let d = shape.d;
            assert!(d.starts_with('M') && d.ends_with('Z'), "{d:.40}");
            for ring in d.split('Z').filter(|r| !r.is_empty()) {
                let ring = ring.strip_prefix('M').expect("each ring starts with M");
                let points: Vec<&str> = ring.split('L').collect();
                assert!(points.len() >= 3, "a ring needs three points");
                for point in points {
                    let xy: Vec<f64> = point
                        .split(' ')
                        .map(|n| n.parse().unwrap_or_else(|_| panic!("number in {point:?}")))
                        .collect();
                    assert_eq!(xy.len(), 2, "{point:?}");
                    assert!((0.0..=MAP_WIDTH as f64).contains(&xy[0]), "{point:?}");
                    assert!((0.0..=MAP_HEIGHT as f64).contains(&xy[1]), "{point:?}");
                }
            }
        }
    }

    #[test]
    fn no_ring_jumps_across_the_map() {
        // A segment spanning most of the width would be a stray stripe from the antimeridian.
        for code in ["RU", "FJ", "US"] {
            let shape = SHAPES.iter().find(|s| s.code == Some(cc(code))).unwrap();
            for ring in shape.d.split('Z').filter(|r| !r.is_empty()) {
                let xs: Vec<f64> = ring[1..]
                    .split('L')
                    .map(|p| p.split(' ').next().unwrap().parse().unwrap())
                    .collect();
                for pair in xs.windows(2) {
                    assert!((pair[0] - pair[1]).abs() < 500.0, "{code}: {pair:?}");
                }
            }
        }
    }

    #[test]
    fn values_colour_their_countries_with_titles_and_a_legend() {
        let svg = choropleth(
            "Outgoing by country",
            "Students abroad in 2024",
            &[(cc("CN"), 120), (cc("KZ"), 3), (cc("SG"), 7)],
            en,
        )
        .into_string();
        assert_well_formed(&svg);
        assert!(svg.contains("<svg class=\"world-map\" role=\"img\" viewBox=\"0 0 1000 540\""));
        assert!(svg.contains("<title>Outgoing by country</title>"));
        assert!(svg.contains("<desc>Students abroad in 2024</desc>"));
        let cn = path_of(&svg, "CN");
        assert!(cn.contains("class=\"wm-q5\""), "{cn:.80}");
        assert!(cn.contains("<title>China: 120</title>"));
        let kz = path_of(&svg, "KZ");
        assert!(kz.contains("class=\"wm-q1\""), "{kz:.80}");
        assert!(kz.contains("<title>Kazakhstan: 3</title>"));
        let fr = path_of(&svg, "FR");
        assert!(fr.contains("class=\"wm-none\""));
        assert!(fr.contains("<title>France</title>"));
        // Legend: three distinct values over five steps, plus no data.
        assert!(
            svg.contains(">3</text>") && svg.contains(">7</text>") && svg.contains(">120</text>")
        );
        assert!(svg.contains(">—</text>"));
        // Singapore is too small to draw at 1:110m: listed as text below the map.
        assert!(!svg.contains("data-country=\"SG\""));
        assert!(svg.contains("<li>Singapore: 7</li>"));
        assert!(!svg.contains("style="), "classes, not inline styles");
    }

    #[test]
    fn localised_names_and_words() {
        let svg = choropleth_with(
            "出国人数",
            "",
            &[(cc("CN"), 5), (cc("MV"), 1), (cc("CN"), 5)],
            |c| c.name(true).to_string(),
            MapWords {
                no_data: "无数据",
                not_drawn: "地图上无法显示：",
            },
        )
        .into_string();
        assert_well_formed(&svg);
        assert!(path_of(&svg, "CN").contains("<title>中国: 10</title>"));
        assert!(svg.contains(">无数据</text>"));
        assert!(svg.contains("<p>地图上无法显示：</p>"));
        assert!(svg.contains("<li>马尔代夫: 1</li>"));
        assert!(!svg.contains("<desc>"));
    }

    #[test]
    fn steps_spread_over_five_classes() {
        let values: BTreeMap<CountryCode, i64> = ["CN", "KZ", "RU", "US", "FR", "BR", "DE"]
            .iter()
            .zip([1, 2, 3, 4, 5, 100, 0])
            .map(|(c, v)| (cc(c), v))
            .collect();
        let s = steps(&values);
        assert_eq!(s.len(), 5);
        assert_eq!(
            s[0],
            Step {
                class: "wm-q1",
                min: 1,
                max: 2
            }
        );
        assert_eq!(
            s[4],
            Step {
                class: "wm-q5",
                min: 100,
                max: 100
            }
        );
        assert_eq!(class_of(&s, 0), NO_DATA_CLASS);
        let one: BTreeMap<CountryCode, i64> = [(cc("CN"), 9)].into_iter().collect();
        assert_eq!(steps(&one)[0].class, "wm-q5");
    }

    #[test]
    fn empty_values_render_a_grey_map() {
        let svg = choropleth("Empty", "", &[], en).into_string();
        assert_well_formed(&svg);
        assert!(!svg.contains("wm-q"));
        assert!(svg.matches("<path").count() >= 170);
        assert!(!svg.contains("world-map-missing"));
    }
}
