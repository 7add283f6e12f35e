//! SVG charts, written by hand: self-contained markup with no scripts, fonts
//! or external assets, so they embed in HTML reports and the web UI as they
//! are. (plotters lays out labels through a font backend, system fonts or a
//! shipped font file; these charts need only lines, rectangles and `<text>`
//! that the browser lays out.)

use std::fmt::Write as _;

/// One named series; `None` is a gap (nothing was measured there).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

impl Series {
    pub fn new(name: impl Into<String>, values: Vec<Option<f64>>) -> Self {
        Series {
            name: name.into(),
            values,
        }
    }
}

/// A chart's title, x labels, y unit and series.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    /// Unit shown on the y axis, e.g. `minutes` or `%`.
    pub unit: String,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
}

const WIDTH: f64 = 680.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 48.0;
const BOTTOM: f64 = 44.0;
/// Colour-blind-safe palette (Okabe-Ito).
const PALETTE: [&str; 7] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
];

/// How bars of several series sit at one x position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bars {
    Stacked,
    Grouped,
}

impl Chart {
    /// A line chart: one polyline per series, gaps where values are missing.
    pub fn lines(&self) -> String {
        let (max, step) = self.axis(false);
        let mut svg = self.frame(max, step);
        for (i, s) in self.series.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let mut run: Vec<(f64, f64)> = Vec::new();
            let mut runs = Vec::new();
            for (x, v) in s.values.iter().enumerate() {
                match v {
                    Some(v) => run.push((self.x_center(x), y_of(*v, max))),
                    None => runs.push(std::mem::take(&mut run)),
                }
            }
            runs.push(run);
            for run in runs.iter().filter(|r| !r.is_empty()) {
                let points: Vec<String> =
                    run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                let _ = write!(
                    svg,
                    r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
                    points.join(" ")
                );
                for (x, y) in run {
                    let _ = write!(
                        svg,
                        r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{colour}"/>"#
                    );
                }
            }
        }
        self.finish(svg)
    }

    /// A bar chart, stacked or grouped.
    pub fn bars(&self, layout: Bars) -> String {
        let (max, step) = self.axis(layout == Bars::Stacked);
        let mut svg = self.frame(max, step);
        let slot = self.slot();
        let n = self.series.len().max(1) as f64;
        for x in 0..self.labels.len() {
            let mut base = 0.0;
            for (i, s) in self.series.iter().enumerate() {
                let Some(v) = s.values.get(x).copied().flatten() else {
                    continue;
                };
                let colour = PALETTE[i % PALETTE.len()];
                let (left, width, low) = match layout {
                    Bars::Stacked => (LEFT + slot * x as f64 + slot * 0.2, slot * 0.6, base),
                    Bars::Grouped => (
                        LEFT + slot * x as f64 + slot * 0.15 + slot * 0.7 / n * i as f64,
                        slot * 0.7 / n,
                        0.0,
                    ),
                };
                let (top, bottom) = (y_of(low + v, max), y_of(low, max));
                let _ = write!(
                    svg,
                    r#"<rect x="{left:.1}" y="{top:.1}" width="{width:.1}" height="{:.1}" fill="{colour}"><title>{}: {} {}</title></rect>"#,
                    (bottom - top).max(0.0),
                    escape(&s.name),
                    number(v),
                    escape(&self.unit)
                );
                if layout == Bars::Stacked {
                    base += v;
                }
            }
        }
        self.finish(svg)
    }

    fn slot(&self) -> f64 {
        (WIDTH - LEFT - RIGHT) / self.labels.len().max(1) as f64
    }

    fn x_center(&self, x: usize) -> f64 {
        LEFT + self.slot() * (x as f64 + 0.5)
    }

    /// The y axis: a round upper bound and the step between grid lines.
    fn axis(&self, stacked: bool) -> (f64, f64) {
        let top = if stacked {
            (0..self.labels.len())
                .map(|x| {
                    self.series
                        .iter()
                        .filter_map(|s| s.values.get(x).copied().flatten())
                        .sum()
                })
                .fold(0.0, f64::max)
        } else {
            self.series
                .iter()
                .flat_map(|s| s.values.iter().flatten())
                .copied()
                .fold(0.0, f64::max)
        };
        let step = nice_step(top / 4.0);
        (((top / step).ceil() * step).max(step), step)
    }

    /// Opening tag, title, axes, grid and labels.
    fn frame(&self, max: f64, step: f64) -> String {
        let mut svg = format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{0}" font-family="sans-serif" font-size="11"><title>{0}</title><rect class="bg" width="100%" height="100%" fill="#fff"/><text class="ink" x="{LEFT}" y="20" font-size="14" font-weight="bold">{0}</text>"##,
            escape(&self.title)
        );
        let lines = (max / step).round() as u32;
        for i in 0..=lines {
            let value = step * f64::from(i);
            let y = y_of(value, max);
            let _ = write!(
                svg,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd" class="grid"/><text class="ink" x="{:.1}" y="{:.1}" text-anchor="end" fill="#444">{}</text>"##,
                WIDTH - RIGHT,
                LEFT - 6.0,
                y + 4.0,
                number(value)
            );
        }
        let _ = write!(
            svg,
            r##"<text x="12" y="{:.1}" transform="rotate(-90 12 {:.1})" text-anchor="middle" fill="#444" class="ink">{}</text>"##,
            (TOP + HEIGHT - BOTTOM) / 2.0,
            (TOP + HEIGHT - BOTTOM) / 2.0,
            escape(&self.unit)
        );
        // Thin out x labels so they never overlap (about 50 px each).
        let every = ((self.labels.len() as f64 * 50.0) / (WIDTH - LEFT - RIGHT))
            .ceil()
            .max(1.0) as usize;
        for (x, label) in self
            .labels
            .iter()
            .enumerate()
            .filter(|(x, _)| x % every == 0)
        {
            let _ = write!(
                svg,
                r##"<text class="ink" x="{:.1}" y="{:.1}" text-anchor="middle" fill="#444">{}</text>"##,
                self.x_center(x),
                HEIGHT - BOTTOM + 16.0,
                escape(label)
            );
        }
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#444" class="axis"/>"##,
            HEIGHT - BOTTOM,
            WIDTH - RIGHT
        );
        svg
    }

    /// Legend and closing tag.
    fn finish(&self, mut svg: String) -> String {
        let mut x = LEFT;
        for (i, s) in self.series.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let _ = write!(
                svg,
                r##"<rect x="{x:.1}" y="30" width="10" height="10" fill="{colour}"/><text class="ink" x="{:.1}" y="39" fill="#222">{}</text>"##,
                x + 14.0,
                escape(&s.name)
            );
            x += 24.0 + 7.0 * s.name.chars().count() as f64;
        }
        if self
            .series
            .iter()
            .all(|s| s.values.iter().all(Option::is_none))
        {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#888" class="faint">no data</text>"##,
                WIDTH / 2.0,
                HEIGHT / 2.0
            );
        }
        svg.push_str("</svg>");
        svg
    }
}

fn y_of(value: f64, max: f64) -> f64 {
    let plot = HEIGHT - TOP - BOTTOM;
    HEIGHT - BOTTOM - plot * (value / max).clamp(0.0, 1.0)
}

/// The smallest 1, 2 or 5 times a power of ten at or above `x` (1 for nothing).
pub fn nice_step(x: f64) -> f64 {
    if !x.is_finite() || x <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|c| *c >= x * (1.0 - 1e-12))
        .unwrap_or(10.0 * power)
}

/// Whole numbers as such, others with one decimal.
fn number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round())
    } else {
        format!("{v:.1}")
    }
}

/// Escapes text for XML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart {
        Chart {
            title: "MTTR <median>".into(),
            unit: "minutes".into(),
            labels: vec!["2026-07".into(), "2026-08".into(), "2026-09".into()],
            series: vec![
                Series::new("MTTR", vec![Some(120.0), None, Some(60.0)]),
                Series::new("MTTD", vec![Some(10.0), Some(12.0), Some(8.0)]),
            ],
        }
    }

    #[test]
    fn lines_break_at_gaps_and_escape_text() {
        let svg = chart().lines();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("MTTR &lt;median&gt;"));
        // MTTR has a gap: two one-point runs; MTTD one run of three.
        assert_eq!(svg.matches("<polyline").count(), 3);
        assert_eq!(svg.matches("<circle").count(), 5);
        assert!(
            !svg.contains("http://") || svg.matches("http://").count() == 1,
            "no external references"
        );
    }

    #[test]
    fn stacked_bars_scale_to_the_tallest_stack() {
        let svg = chart().bars(Bars::Stacked);
        assert_eq!(
            svg.matches("<rect x=").count(),
            5 + 2,
            "five bars and two legend keys"
        );
        // Stack of 130 at the first label: steps of 50 up to 150.
        assert!(
            svg.contains(">150</text>") && svg.contains(">50</text>"),
            "{svg}"
        );
        assert!(!svg.contains(">200</text>"), "{svg}");
        assert_eq!(nice_step(32.5), 50.0);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(1.25), 2.0);
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(2.0), 2.0);
    }
}
