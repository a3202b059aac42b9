// SPDX-License-Identifier: GPL-2.0
//! The plot (SVG, hand-written: no dependency): per configuration, a bar of
//! the workload's pages stacked by node (left axis, %), and the
//! over-eviction ratio as a diamond (right axis).  One panel per scenario,
//! one group of bars per size and thread count.

use crate::model::{rows, Run};
use std::fmt::Write;

const NODE_COLOURS: [&str; 8] = [
    "#2b6cb0", "#dd6b20", "#38a169", "#d53f8c", "#805ad5", "#718096", "#d69e2e", "#319795",
];
const BAR: f64 = 22.0;
const BAR_GAP: f64 = 8.0;
const GROUP_GAP: f64 = 34.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 70.0;
const PLOT_H: f64 = 200.0;
const TOP: f64 = 72.0;
const BOTTOM: f64 = 120.0;
const MIN_PLOT_W: f64 = 300.0;

pub struct Bar {
    pub label: String,
    /// Share of the workload per node, %.
    pub node_pct: Vec<f64>,
    pub over_eviction: Option<f64>,
}

pub struct Group {
    pub title: String,
    pub bars: Vec<Bar>,
}

pub struct Panel {
    pub title: String,
    pub nodes: usize,
    pub groups: Vec<Group>,
}

impl Panel {
    fn width(&self) -> f64 {
        let bars: usize = self.groups.iter().map(|g| g.bars.len()).sum();
        let gaps = self.groups.len().saturating_sub(1) as f64;
        bars as f64 * (BAR + BAR_GAP) + gaps * GROUP_GAP
    }

    fn ratio_max(&self) -> f64 {
        let m = self
            .groups
            .iter()
            .flat_map(|g| &g.bars)
            .filter_map(|b| b.over_eviction)
            .fold(2.0, f64::max);
        m.min(4.0).ceil()
    }
}

fn short(scenario: &str, config: &str) -> String {
    match (scenario, config) {
        ("gate", "default") => "policy off".into(),
        ("gate", c) => format!("D={}", c.trim_start_matches('d')),
        (_, "zrm") => "zone_reclaim".into(),
        (_, "zrm_d10") => "zone_reclaim D=10".into(),
        (_, "membind") => "MPOL_BIND".into(),
        (_, c) => c.replace('_', " "),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The panels for the runs present: filled node, distance gate, neighbour.
pub fn panels(runs: &[Run]) -> Vec<Panel> {
    let mut out = Vec::new();
    for (scenario, title) in [
        (
            "filled",
            "Filled node: where the workload's pages landed, by node",
        ),
        (
            "gate",
            "Distance gate (4 nodes; 0-1 and 2-3 at 16, pairs 32 apart): kswapd direct by D",
        ),
    ] {
        let mut groups: Vec<Group> = Vec::new();
        let mut nodes = 0;
        for row in rows(runs, scenario) {
            let f = row.first();
            nodes = nodes.max(f.node_pages.len());
            let title = format!(
                "{:.0}% of node 0, {:.0} thread{}",
                f.size_pct,
                f.threads,
                if f.threads > 1.0 { "s" } else { "" }
            );
            let bar = Bar {
                label: short(scenario, &f.config),
                node_pct: row.node_pct(),
                over_eviction: row.med(|r| r.over_eviction),
            };
            match groups.iter_mut().find(|g| g.title == title) {
                Some(g) => g.bars.push(bar),
                None => groups.push(Group {
                    title,
                    bars: vec![bar],
                }),
            }
        }
        if !groups.is_empty() {
            out.push(Panel {
                title: title.into(),
                nodes,
                groups,
            });
        }
    }
    let nb = rows(runs, "neighbour");
    if !nb.is_empty() {
        let nodes = nb[0].first().node_pages.len();
        let groups = nb
            .iter()
            .map(|row| {
                let f = row.first();
                let b_pct: Vec<f64> = (0..nodes)
                    .map(|n| {
                        row.med(|r| {
                            let b = r.neighbour.as_ref()?;
                            let total: f64 = b.node_pages.iter().sum();
                            (total > 0.0).then(|| 100.0 * b.node_pages[n] / total)
                        })
                        .unwrap_or(0.0)
                    })
                    .collect();
                Group {
                    title: format!("A {}", f.config.replace('_', " ")),
                    bars: vec![
                        Bar {
                            label: "A (policy)".into(),
                            node_pct: row.node_pct(),
                            over_eviction: row.med(|r| r.over_eviction),
                        },
                        Bar {
                            label: "B (off)".into(),
                            node_pct: b_pct,
                            over_eviction: None,
                        },
                    ],
                }
            })
            .collect();
        out.push(Panel {
            title: "Neighbour: A and B fault at once on node 0, B's page cache fills it".into(),
            nodes,
            groups,
        });
    }
    out
}

fn panel(svg: &mut String, p: &Panel, y0: f64, width: f64) {
    let x0 = LEFT;
    let base = y0 + TOP + PLOT_H;
    let rmax = p.ratio_max();
    let _ = writeln!(
        svg,
        r#"<text x="{x0}" y="{}" class="title">{}</text>"#,
        y0 + 20.0,
        escape(&p.title)
    );
    // Legend: nodes, then the diamond.
    let mut lx = x0;
    for n in 0..p.nodes {
        let _ = writeln!(
            svg,
            r#"<rect x="{lx}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}">node {n}</text>"#,
            y0 + 30.0,
            NODE_COLOURS[n % NODE_COLOURS.len()],
            lx + 16.0,
            y0 + 41.0
        );
        lx += 70.0;
    }
    let _ = writeln!(
        svg,
        r#"<path d="M{} {} l6 6 l-6 6 l-6 -6 z" fill="black"/><text x="{}" y="{}">over-eviction ratio (right axis)</text>"#,
        lx + 6.0,
        y0 + 30.0,
        lx + 16.0,
        y0 + 41.0
    );
    // Axes and grid, as wide as this panel's bars.
    let plot_w = p.width().max(MIN_PLOT_W).min(width - LEFT - RIGHT);
    for i in 0..=4 {
        let y = base - PLOT_H * i as f64 / 4.0;
        let _ = writeln!(
            svg,
            r##"<line x1="{x0}" y1="{y}" x2="{}" y2="{y}" stroke="#ddd"/><text x="{}" y="{}" text-anchor="end">{}%</text><text x="{}" y="{}">{:.1}</text>"##,
            x0 + plot_w,
            x0 - 6.0,
            y + 4.0,
            25 * i,
            x0 + plot_w + 6.0,
            y + 4.0,
            rmax * i as f64 / 4.0
        );
    }
    let _ = writeln!(
        svg,
        r#"<text transform="translate({} {}) rotate(-90)" text-anchor="middle">workload pages</text>"#,
        x0 - 48.0,
        base - PLOT_H / 2.0
    );
    let _ = writeln!(
        svg,
        r#"<text transform="translate({} {}) rotate(90)" text-anchor="middle">evicted / placed locally</text>"#,
        x0 + plot_w + 44.0,
        base - PLOT_H / 2.0
    );
    let mut x = x0 + BAR_GAP / 2.0;
    for g in &p.groups {
        let gw = g.bars.len() as f64 * (BAR + BAR_GAP);
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle" class="group">{}</text>"#,
            x + gw / 2.0 - BAR_GAP / 2.0,
            y0 + TOP - 4.0,
            escape(&g.title)
        );
        for b in &g.bars {
            let mut y = base;
            for (n, pct) in b.node_pct.iter().enumerate() {
                let h = PLOT_H * pct.clamp(0.0, 100.0) / 100.0;
                if h > 0.0 {
                    let _ = writeln!(
                        svg,
                        r#"<rect x="{x:.1}" y="{:.1}" width="{BAR}" height="{h:.1}" fill="{}"><title>{}: node {n} {pct:.1}%</title></rect>"#,
                        y - h,
                        NODE_COLOURS[n % NODE_COLOURS.len()],
                        escape(&b.label)
                    );
                }
                y -= h;
            }
            if let Some(r) = b.over_eviction {
                let cy = base - PLOT_H * (r / rmax).min(1.0);
                let _ = writeln!(
                    svg,
                    r#"<path d="M{:.1} {:.1} l6 6 l-6 6 l-6 -6 z" fill="black" stroke="white"><title>{}: over-eviction {r:.2}</title></path>"#,
                    x + BAR / 2.0,
                    cy - 6.0,
                    escape(&b.label)
                );
            }
            let _ = writeln!(
                svg,
                r#"<text transform="translate({:.1} {:.1}) rotate(-45)" text-anchor="end">{}</text>"#,
                x + BAR / 2.0 + 4.0,
                base + 12.0,
                escape(&b.label)
            );
            x += BAR + BAR_GAP;
        }
        x += GROUP_GAP;
    }
    let _ = writeln!(
        svg,
        r#"<line x1="{x0}" y1="{base}" x2="{}" y2="{base}" stroke="black"/>"#,
        x0 + plot_w
    );
}

/// The whole plot; `None` when there is nothing to draw.
pub fn svg(panels: &[Panel], caption: &str) -> Option<String> {
    if panels.is_empty() {
        return None;
    }
    let width = panels
        .iter()
        .map(Panel::width)
        .fold(MIN_PLOT_W + 340.0, f64::max)
        + LEFT
        + RIGHT;
    let ph = TOP + PLOT_H + BOTTOM;
    let height = ph * panels.len() as f64 + 30.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="11">"#
    );
    s.push_str("<style>.title{font-size:14px;font-weight:bold}.group{font-weight:bold}</style>\n");
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    for (i, p) in panels.iter().enumerate() {
        panel(&mut s, p, i as f64 * ph, width);
    }
    let _ = writeln!(
        s,
        r##"<text x="{LEFT}" y="{}" fill="#555">{}</text>"##,
        height - 10.0,
        escape(caption)
    );
    s.push_str("</svg>\n");
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel_of(bars: usize) -> Panel {
        Panel {
            title: "t <1>".into(),
            nodes: 2,
            groups: vec![Group {
                title: "g".into(),
                bars: (0..bars)
                    .map(|i| Bar {
                        label: format!("b{i}"),
                        node_pct: vec![60.0, 40.0],
                        over_eviction: Some(5.0),
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn draws_every_bar_segment_and_escapes() {
        let s = svg(&[panel_of(3)], "cap & more").unwrap();
        assert!(s.starts_with("<svg ") && s.ends_with("</svg>\n"));
        assert_eq!(
            s.matches("<rect x=").count(),
            2 + 3 * 2,
            "legend + segments"
        );
        assert!(s.contains("t &lt;1&gt;") && s.contains("cap &amp; more"));
        // A ratio beyond the axis is drawn at its top, not outside.
        assert_eq!(panel_of(1).ratio_max(), 4.0);
        assert_eq!(s.matches("<path").count(), 1 + 3);
    }

    #[test]
    fn nothing_to_draw() {
        assert!(svg(&[], "").is_none());
    }
}
