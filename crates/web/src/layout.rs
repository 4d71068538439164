//! Automatic diagram layout: namespaces as boxes packed in rows inside the cluster box,
//! pods on a small grid inside their namespace, external endpoints in a column to the
//! right of the cluster (outside it, as in the docs' diagram).
//!
//! Pure geometry, tested natively. Positions the user dragged override the automatic ones;
//! a namespace box then grows to hold its pods wherever they are, so dragging never
//! leaves a pod outside its namespace.

use std::collections::BTreeMap;

/// Node width (pods and externals), in SVG user units.
pub const NODE_W: f64 = 176.0;
/// Node height.
pub const NODE_H: f64 = 50.0;
/// Gap between nodes inside a namespace.
const GAP_X: f64 = 28.0;
const GAP_Y: f64 = 26.0;
/// Padding inside a namespace box; the top adds room for its title.
const PAD: f64 = 18.0;
const TITLE: f64 = 30.0;
/// Gap between namespace boxes.
const NS_GAP: f64 = 28.0;
/// Padding inside the cluster box; the top adds room for its title.
const CLUSTER_PAD: f64 = 18.0;
const CLUSTER_TITLE: f64 = 26.0;
/// Horizontal distance from the cluster box to the externals column.
const EXTERNAL_GAP: f64 = 72.0;
/// Margin around everything.
const MARGIN: f64 = 12.0;
/// An empty namespace still gets a visible box.
const EMPTY_W: f64 = 180.0;
const EMPTY_H: f64 = 56.0;

/// A point (a node's centre).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Pos {
    /// x.
    pub x: f64,
    /// y.
    pub y: f64,
}

/// An axis-aligned rectangle.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// Right edge.
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    /// Bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    /// The smallest rectangle holding both.
    pub fn union(&self, o: &Rect) -> Rect {
        let x = self.x.min(o.x);
        let y = self.y.min(o.y);
        Rect {
            x,
            y,
            w: self.right().max(o.right()) - x,
            h: self.bottom().max(o.bottom()) - y,
        }
    }

    /// The rectangle of a node centred at `p`.
    pub fn node(p: Pos) -> Rect {
        Rect {
            x: p.x - NODE_W / 2.0,
            y: p.y - NODE_H / 2.0,
            w: NODE_W,
            h: NODE_H,
        }
    }

    /// The same rectangle, grown vertically (centred) to at least `h` high.
    pub fn fit_height(self, h: f64) -> Rect {
        if self.h >= h {
            self
        } else {
            Rect {
                y: self.y - (h - self.h) / 2.0,
                h,
                ..self
            }
        }
    }

    /// Grown by `l`, `t`, `r`, `b` on each side.
    pub fn pad(&self, l: f64, t: f64, r: f64, b: f64) -> Rect {
        Rect {
            x: self.x - l,
            y: self.y - t,
            w: self.w + l + r,
            h: self.h + t + b,
        }
    }
}

/// What to lay out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Input {
    /// Namespaces in display order, each with its pods' ids in order.
    pub namespaces: Vec<(String, Vec<String>)>,
    /// External endpoint ids (`ip:...`).
    pub externals: Vec<String>,
}

/// A namespace box.
#[derive(Clone, Debug, PartialEq)]
pub struct NsBox {
    /// Namespace name.
    pub name: String,
    /// Its rectangle (title included).
    pub rect: Rect,
}

/// Where everything goes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Centre of every node, by endpoint id.
    pub nodes: BTreeMap<String, Pos>,
    /// Namespace boxes.
    pub namespaces: Vec<NsBox>,
    /// The cluster box (around all namespaces).
    pub cluster: Rect,
    /// Everything, with a margin: the diagram's natural viewBox.
    pub bounds: Rect,
}

/// Lays out `input` for a view of width/height ratio `aspect` (the pane's shape), then
/// applies the user's `overrides` (dragged positions).
pub fn layout(input: &Input, overrides: &BTreeMap<String, Pos>, aspect: f64) -> Layout {
    let aspect = if aspect.is_finite() {
        aspect.clamp(0.7, 3.2)
    } else {
        1.6
    };
    // 1. Size each namespace box from its pod count.
    struct Planned {
        name: String,
        pods: Vec<String>,
        cols: usize,
        w: f64,
        h: f64,
    }
    let planned: Vec<Planned> = input
        .namespaces
        .iter()
        .map(|(name, pods)| {
            let n = pods.len();
            let cols = columns(n);
            let rows = n.div_ceil(cols.max(1));
            let (w, h) = if n == 0 {
                (EMPTY_W, EMPTY_H)
            } else {
                (
                    cols as f64 * NODE_W + (cols as f64 - 1.0) * GAP_X + 2.0 * PAD,
                    rows as f64 * NODE_H + (rows as f64 - 1.0) * GAP_Y + PAD + TITLE,
                )
            };
            Planned {
                name: name.clone(),
                pods: pods.clone(),
                cols,
                w,
                h,
            }
        })
        .collect();

    // 2. Pack boxes into rows. Try every row width at which a row would break and keep the
    //    one whose whole picture (cluster plus the externals column) is shown largest in a
    //    view of this shape: the diagram then uses the pane instead of a thin column.
    let widest = planned.iter().map(|p| p.w).fold(0.0, f64::max);
    let ext_w = if input.externals.is_empty() {
        0.0
    } else {
        EXTERNAL_GAP + NODE_W
    };
    let ext_h = input.externals.len() as f64 * (NODE_H + GAP_Y);
    let rows_size = |target: f64| -> (f64, f64) {
        let (mut x, mut w, mut h, mut row_h) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for p in &planned {
            if x > 0.0 && x + p.w > target {
                h += row_h + NS_GAP;
                x = 0.0;
                row_h = 0.0;
            }
            x += p.w + NS_GAP;
            w = w.max(x - NS_GAP);
            row_h = row_h.max(p.h);
        }
        (w, h + row_h)
    };
    let mut candidates: Vec<f64> = vec![widest];
    let mut run = 0.0;
    for p in &planned {
        run += p.w + NS_GAP;
        candidates.push(run - NS_GAP);
    }
    let target = candidates
        .into_iter()
        .filter(|t| *t >= widest)
        .map(|t| {
            let (w, h) = rows_size(t);
            let total_w = w + 2.0 * (CLUSTER_PAD + MARGIN) + ext_w;
            let total_h = (h + CLUSTER_TITLE).max(ext_h) + 2.0 * (CLUSTER_PAD + MARGIN);
            // The scale at which it fits a view `aspect` wide and 1 high.
            (t, (aspect / total_w).min(1.0 / total_h))
        })
        .fold(
            (widest, 0.0),
            |best, c| if c.1 > best.1 + 1e-12 { c } else { best },
        )
        .0;
    let origin_x = MARGIN + CLUSTER_PAD;
    let origin_y = MARGIN + CLUSTER_PAD + CLUSTER_TITLE;
    let mut x = origin_x;
    let mut y = origin_y;
    let mut row_h: f64 = 0.0;
    let mut auto_nodes: BTreeMap<String, Pos> = BTreeMap::new();
    let mut auto_boxes: Vec<(String, Rect, Vec<String>)> = Vec::new();
    for p in &planned {
        if x > origin_x && x + p.w > origin_x + target + 0.5 {
            x = origin_x;
            y += row_h + NS_GAP;
            row_h = 0.0;
        }
        let rect = Rect {
            x,
            y,
            w: p.w,
            h: p.h,
        };
        for (i, id) in p.pods.iter().enumerate() {
            let col = i % p.cols.max(1);
            let row = i / p.cols.max(1);
            auto_nodes.insert(
                id.clone(),
                Pos {
                    x: x + PAD + col as f64 * (NODE_W + GAP_X) + NODE_W / 2.0,
                    y: y + TITLE + row as f64 * (NODE_H + GAP_Y) + NODE_H / 2.0,
                },
            );
        }
        auto_boxes.push((p.name.clone(), rect, p.pods.clone()));
        x += p.w + NS_GAP;
        row_h = row_h.max(p.h);
    }

    // 3. Apply overrides to pods, then fit each namespace box around its pods.
    let mut nodes: BTreeMap<String, Pos> = BTreeMap::new();
    let mut namespaces = Vec::with_capacity(auto_boxes.len());
    for (name, rect, pods) in auto_boxes {
        let mut fitted: Option<Rect> = None;
        for id in &pods {
            let pos = overrides
                .get(id)
                .copied()
                .filter(|p| p.x.is_finite() && p.y.is_finite())
                .or_else(|| auto_nodes.get(id).copied())
                .unwrap_or_default();
            nodes.insert(id.clone(), pos);
            let r = Rect::node(pos);
            fitted = Some(match fitted {
                Some(f) => f.union(&r),
                None => r,
            });
        }
        let rect = match fitted {
            Some(f) => f.pad(PAD, TITLE, PAD, PAD),
            None => rect,
        };
        namespaces.push(NsBox { name, rect });
    }

    // 4. The cluster box holds every namespace box.
    let cluster_inner = namespaces
        .iter()
        .map(|b| b.rect)
        .reduce(|a, b| a.union(&b))
        .unwrap_or(Rect {
            x: origin_x,
            y: origin_y,
            w: EMPTY_W,
            h: EMPTY_H,
        });
    let cluster = cluster_inner.pad(
        CLUSTER_PAD,
        CLUSTER_PAD + CLUSTER_TITLE,
        CLUSTER_PAD,
        CLUSTER_PAD,
    );

    // 5. Externals in a column right of the cluster, vertically centred on it.
    let n = input.externals.len() as f64;
    let column_h = n * NODE_H + (n - 1.0).max(0.0) * GAP_Y;
    let ext_x = cluster.right() + EXTERNAL_GAP + NODE_W / 2.0;
    let mut ext_y = cluster.y + (cluster.h - column_h).max(0.0) / 2.0 + NODE_H / 2.0;
    for id in &input.externals {
        let auto = Pos { x: ext_x, y: ext_y };
        let pos = overrides
            .get(id)
            .copied()
            .filter(|p| p.x.is_finite() && p.y.is_finite())
            .unwrap_or(auto);
        nodes.insert(id.clone(), pos);
        ext_y += NODE_H + GAP_Y;
    }

    let mut bounds = cluster;
    for id in &input.externals {
        if let Some(p) = nodes.get(id) {
            bounds = bounds.union(&Rect::node(*p));
        }
    }
    // Externals dragged into the cluster or pods dragged far away still fit.
    for p in nodes.values() {
        bounds = bounds.union(&Rect::node(*p));
    }
    let bounds = bounds.pad(MARGIN, MARGIN, MARGIN, MARGIN);
    Layout {
        nodes,
        namespaces,
        cluster,
        bounds,
    }
}

/// Pods per row in a namespace box: side by side for a few, a squarish grid for more.
fn columns(n: usize) -> usize {
    match n {
        0..=3 => n.max(1),
        4 => 2,
        _ => ((n as f64).sqrt().ceil() as usize).clamp(2, 4),
    }
}

/// Where the straight segment from the centre of node `a` towards the centre of node `b`
/// leaves `a`'s rectangle (so arrows start and end on the node borders).
pub fn border_point(a: Pos, b: Pos) -> Pos {
    let dx = b.x - a.x;
    let dy = b.y - a.y;
    if dx.abs() < f64::EPSILON && dy.abs() < f64::EPSILON {
        return a;
    }
    let hw = NODE_W / 2.0 + 4.0;
    let hh = NODE_H / 2.0 + 4.0;
    let tx = if dx.abs() > f64::EPSILON {
        hw / dx.abs()
    } else {
        f64::INFINITY
    };
    let ty = if dy.abs() > f64::EPSILON {
        hh / dy.abs()
    } else {
        f64::INFINITY
    };
    let t = tx.min(ty).min(1.0);
    Pos {
        x: a.x + dx * t,
        y: a.y + dy * t,
    }
}

/// Maps a point in client (CSS pixel) coordinates into the SVG's user space, for an SVG
/// whose box is `client` and whose viewBox is `view` with `preserveAspectRatio="xMidYMid
/// meet"` (the default).
pub fn client_to_svg(client: Rect, view: Rect, cx: f64, cy: f64) -> Pos {
    if client.w <= 0.0 || client.h <= 0.0 || view.w <= 0.0 || view.h <= 0.0 {
        return Pos {
            x: view.x,
            y: view.y,
        };
    }
    let scale = (client.w / view.w).min(client.h / view.h);
    let off_x = client.x + (client.w - view.w * scale) / 2.0;
    let off_y = client.y + (client.h - view.h * scale) / 2.0;
    Pos {
        x: view.x + (cx - off_x) / scale,
        y: view.y + (cy - off_y) / scale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlaps(a: &Rect, b: &Rect) -> bool {
        a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom()
    }

    fn input(shape: &[usize], externals: usize) -> Input {
        Input {
            namespaces: shape
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    (
                        format!("ns{i}"),
                        (0..*n).map(|j| format!("ns{i}/p{j}")).collect(),
                    )
                })
                .collect(),
            externals: (0..externals).map(|i| format!("ip:10.0.0.{i}")).collect(),
        }
    }

    #[test]
    fn docs_example_shape() {
        let l = layout(&input(&[1, 1, 2, 1], 1), &BTreeMap::new(), 1.6);
        assert_eq!(l.nodes.len(), 6);
        assert_eq!(l.namespaces.len(), 4);
        let ext = l.nodes["ip:10.0.0.0"];
        assert!(
            ext.x - NODE_W / 2.0 > l.cluster.right(),
            "external outside the cluster"
        );
    }

    #[test]
    fn nothing_overlaps_up_to_sixty_endpoints() {
        let l = layout(
            &input(&[12, 9, 7, 6, 5, 5, 4, 3, 2, 1, 1, 0], 5),
            &BTreeMap::new(),
            1.6,
        );
        let rects: Vec<Rect> = l.nodes.values().map(|p| Rect::node(*p)).collect();
        for (i, a) in rects.iter().enumerate() {
            for b in rects.iter().skip(i + 1) {
                assert!(!overlaps(a, b), "{a:?} overlaps {b:?}");
            }
        }
        for (i, a) in l.namespaces.iter().enumerate() {
            for b in l.namespaces.iter().skip(i + 1) {
                assert!(
                    !overlaps(&a.rect, &b.rect),
                    "{} overlaps {}",
                    a.name,
                    b.name
                );
            }
        }
        // Roughly landscape, so it reads on a laptop screen.
        let ratio = l.bounds.w / l.bounds.h;
        assert!((0.8..3.0).contains(&ratio), "aspect {ratio}");
    }

    #[test]
    fn a_wide_view_gets_a_wide_layout() {
        let wide = layout(&input(&[1, 1, 2, 1], 2), &BTreeMap::new(), 2.4);
        let tall = layout(&input(&[1, 1, 2, 1], 2), &BTreeMap::new(), 0.8);
        assert!(wide.bounds.w / wide.bounds.h > tall.bounds.w / tall.bounds.h);
        assert!(wide.bounds.w / wide.bounds.h > 1.5, "{:?}", wide.bounds);
    }

    #[test]
    fn overrides_move_nodes_and_grow_their_namespace() {
        let inp = input(&[2], 0);
        let mut o = BTreeMap::new();
        o.insert("ns0/p1".to_string(), Pos { x: 900.0, y: 700.0 });
        let l = layout(&inp, &o, 1.6);
        assert_eq!(l.nodes["ns0/p1"], Pos { x: 900.0, y: 700.0 });
        let r = l.namespaces[0].rect;
        assert!(r.right() >= 900.0 + NODE_W / 2.0 && r.bottom() >= 700.0 + NODE_H / 2.0);
        assert!(l.bounds.right() > r.right());
    }

    #[test]
    fn non_finite_overrides_are_ignored() {
        let inp = input(&[1], 1);
        let mut o = BTreeMap::new();
        o.insert(
            "ns0/p0".to_string(),
            Pos {
                x: f64::NAN,
                y: 1.0,
            },
        );
        o.insert(
            "ip:10.0.0.0".to_string(),
            Pos {
                x: f64::INFINITY,
                y: 1.0,
            },
        );
        let l = layout(&inp, &o, 1.6);
        assert!(l.nodes.values().all(|p| p.x.is_finite() && p.y.is_finite()));
    }

    #[test]
    fn empty_input() {
        let l = layout(&Input::default(), &BTreeMap::new(), f64::NAN);
        assert!(l.nodes.is_empty());
        assert!(l.bounds.w > 0.0 && l.bounds.h > 0.0);
    }

    #[test]
    fn border_points_lie_on_the_border() {
        let a = Pos { x: 0.0, y: 0.0 };
        let p = border_point(a, Pos { x: 1000.0, y: 0.0 });
        assert!((p.x - (NODE_W / 2.0 + 4.0)).abs() < 1e-9);
        assert_eq!(border_point(a, a), a);
    }

    #[test]
    fn client_mapping_is_inverse_of_meet() {
        // 200x100 viewBox shown in a 400x400 box: scale 2, letterboxed vertically by 100.
        let client = Rect {
            x: 10.0,
            y: 20.0,
            w: 400.0,
            h: 400.0,
        };
        let view = Rect {
            x: 0.0,
            y: 0.0,
            w: 200.0,
            h: 100.0,
        };
        let p = client_to_svg(client, view, 10.0 + 200.0, 20.0 + 100.0 + 50.0);
        assert!((p.x - 100.0).abs() < 1e-9 && (p.y - 25.0).abs() < 1e-9);
    }
}
