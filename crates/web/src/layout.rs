//! The diagram's geometry. Automatic layout: namespaces as boxes packed in rows inside the
//! cluster box, pods on a small grid inside their namespace, external endpoints in a column
//! to the right of the cluster (outside it, as in the docs' diagram). Then the edges between
//! node borders, and the view: fitting the pane, zooming, client pixels to SVG units.
//!
//! Pure geometry, tested natively. Positions the user dragged override the automatic ones;
//! a namespace box then grows to hold its pods wherever they are, so dragging never
//! leaves a pod outside its namespace.

use std::collections::BTreeMap;

/// Node size (pods and externals), in SVG user units.
pub const NODE_W: f64 = 176.0;
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
/// Margin around the cluster box, and around nodes dragged outside it, in the bounds.
const MARGIN: f64 = 12.0;
/// An empty namespace still gets a visible box.
const EMPTY_W: f64 = 180.0;
const EMPTY_H: f64 = 56.0;

/// A point (a node's centre), in SVG user units.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Pos {
    pub x: f64,
    pub y: f64,
}

/// An axis-aligned rectangle: left, top, width, height.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    fn bottom(&self) -> f64 {
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
    fn fit_height(self, h: f64) -> Rect {
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

/// A namespace box; its rectangle includes the title.
#[derive(Clone, Debug, PartialEq)]
pub struct NsBox {
    pub name: String,
    pub rect: Rect,
}

/// Where everything goes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Centre of every node, by endpoint id.
    pub nodes: BTreeMap<String, Pos>,
    pub namespaces: Vec<NsBox>,
    /// The cluster box (around all namespaces).
    pub cluster: Rect,
    /// Everything, with a margin: the diagram's natural viewBox.
    pub bounds: Rect,
}

/// Node centres by endpoint id.
type Positions = BTreeMap<String, Pos>;

/// A namespace box before placing: its pods, its grid's columns, and its size.
struct Planned {
    name: String,
    pods: Vec<String>,
    cols: usize,
    w: f64,
    h: f64,
}

/// Lays out `input` for a view of width/height ratio `aspect` (the pane's shape), then
/// applies the user's `overrides` (dragged positions).
pub fn layout(input: &Input, overrides: &BTreeMap<String, Pos>, aspect: f64) -> Layout {
    let aspect = if aspect.is_finite() {
        aspect.clamp(0.7, 3.2)
    } else {
        1.6
    };
    let planned = plan(input);
    let target = row_width(&planned, input.externals.len(), aspect);
    let (auto_nodes, auto_boxes) = place(&planned, target);
    let (mut nodes, namespaces) = fit_namespaces(auto_boxes, &auto_nodes, overrides);

    // The cluster box holds every namespace box.
    let cluster_inner = namespaces
        .iter()
        .map(|b| b.rect)
        .reduce(|a, b| a.union(&b))
        .unwrap_or(Rect {
            x: MARGIN + CLUSTER_PAD,
            y: MARGIN + CLUSTER_PAD + CLUSTER_TITLE,
            w: EMPTY_W,
            h: EMPTY_H,
        });
    let cluster = cluster_inner.pad(
        CLUSTER_PAD,
        CLUSTER_PAD + CLUSTER_TITLE,
        CLUSTER_PAD,
        CLUSTER_PAD,
    );
    place_externals(&input.externals, cluster, overrides, &mut nodes);
    // Externals dragged into the cluster or pods dragged far away still fit.
    let bounds = nodes
        .values()
        .fold(cluster, |b, p| b.union(&Rect::node(*p)))
        .pad(MARGIN, MARGIN, MARGIN, MARGIN);
    Layout {
        nodes,
        namespaces,
        cluster,
        bounds,
    }
}

/// Sizes each namespace box from its pod count.
fn plan(input: &Input) -> Vec<Planned> {
    input
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
        .collect()
}

/// The width at which rows of boxes break. Every width at which a row would break is
/// tried, and the one whose whole picture (cluster plus the externals column) is shown
/// largest in a view of this shape wins: the diagram then uses the pane instead of a thin
/// column.
fn row_width(planned: &[Planned], externals: usize, aspect: f64) -> f64 {
    let widest = planned.iter().map(|p| p.w).fold(0.0, f64::max);
    let ext_w = if externals == 0 {
        0.0
    } else {
        EXTERNAL_GAP + NODE_W
    };
    let ext_h = externals as f64 * (NODE_H + GAP_Y);
    let rows_size = |target: f64| -> (f64, f64) {
        let (mut x, mut w, mut h, mut row_h) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for p in planned {
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
    for p in planned {
        run += p.w + NS_GAP;
        candidates.push(run - NS_GAP);
    }
    candidates
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
        .0
}

/// Places the boxes in rows `target` wide, and each box's pods on its grid.
fn place(planned: &[Planned], target: f64) -> (Positions, Vec<(NsBox, &[String])>) {
    let origin_x = MARGIN + CLUSTER_PAD;
    let mut x = origin_x;
    let mut y = MARGIN + CLUSTER_PAD + CLUSTER_TITLE;
    let mut row_h: f64 = 0.0;
    let mut nodes = Positions::new();
    let mut boxes = Vec::new();
    for p in planned {
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
            nodes.insert(
                id.clone(),
                Pos {
                    x: x + PAD + col as f64 * (NODE_W + GAP_X) + NODE_W / 2.0,
                    y: y + TITLE + row as f64 * (NODE_H + GAP_Y) + NODE_H / 2.0,
                },
            );
        }
        let ns = NsBox {
            name: p.name.clone(),
            rect,
        };
        boxes.push((ns, p.pods.as_slice()));
        x += p.w + NS_GAP;
        row_h = row_h.max(p.h);
    }
    (nodes, boxes)
}

/// A dragged position, when it is a usable one.
fn dragged(overrides: &Positions, id: &str) -> Option<Pos> {
    overrides
        .get(id)
        .copied()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
}

/// Applies the overrides to pods, then fits each namespace box around its pods.
fn fit_namespaces(
    boxes: Vec<(NsBox, &[String])>,
    auto: &Positions,
    overrides: &Positions,
) -> (Positions, Vec<NsBox>) {
    let mut nodes = Positions::new();
    let mut namespaces = Vec::with_capacity(boxes.len());
    for (NsBox { name, rect }, pods) in boxes {
        let mut fitted: Option<Rect> = None;
        for id in pods {
            let pos = dragged(overrides, id)
                .or_else(|| auto.get(id).copied())
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
    (nodes, namespaces)
}

/// Externals in a column right of the cluster, vertically centred on it.
fn place_externals(
    externals: &[String],
    cluster: Rect,
    overrides: &Positions,
    nodes: &mut Positions,
) {
    let n = externals.len() as f64;
    let column_h = n * NODE_H + (n - 1.0).max(0.0) * GAP_Y;
    let x = cluster.right() + EXTERNAL_GAP + NODE_W / 2.0;
    let mut y = cluster.y + (cluster.h - column_h).max(0.0) / 2.0 + NODE_H / 2.0;
    for id in externals {
        nodes.insert(id.clone(), dragged(overrides, id).unwrap_or(Pos { x, y }));
        y += NODE_H + GAP_Y;
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

/// Geometry of an edge from node `a` to node `b`, bent by `bend` (perpendicular offset of
/// the control point) so the two arrows of a two-way pair do not overlap. Returns the SVG
/// path, border to border, and where its label goes.
pub fn edge_path(a: Pos, b: Pos, bend: f64) -> (String, Pos) {
    let curve = edge_curve(a, b, bend);
    let (s, ctrl, e) = curve;
    (
        format!(
            "M{:.1} {:.1} Q{:.1} {:.1} {:.1} {:.1}",
            s.x, s.y, ctrl.x, ctrl.y, e.x, e.y
        ),
        curve_point(curve, 0.5),
    )
}

/// The quadratic Bézier [`edge_path`] draws: start (on `a`'s border), control point, end
/// (on `b`'s border).
pub fn edge_curve(a: Pos, b: Pos, bend: f64) -> (Pos, Pos, Pos) {
    let mid = Pos {
        x: (a.x + b.x) / 2.0,
        y: (a.y + b.y) / 2.0,
    };
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let ctrl = Pos {
        x: mid.x - dy / len * bend,
        y: mid.y + dx / len * bend,
    };
    (border_point(a, ctrl), ctrl, border_point(b, ctrl))
}

/// The point at `t` (0 to 1) along a curve of [`edge_curve`].
pub fn curve_point((s, c, e): (Pos, Pos, Pos), t: f64) -> Pos {
    let u = 1.0 - t;
    Pos {
        x: u * u * s.x + 2.0 * u * t * c.x + t * t * e.x,
        y: u * u * s.y + 2.0 * u * t * c.y + t * t * e.y,
    }
}

/// The fitted view: the whole diagram in a pane of `client` CSS pixels, with room above for
/// the hint line and below for the legend and the view controls (which float over the
/// SVG), and `right` pixels on the right for the inspector when the pane has room to spare.
pub fn fit_view(bounds: Rect, client: (i64, i64), right: f64) -> Rect {
    let (cw, ch) = (client.0 as f64, client.1 as f64);
    let right = if cw - right > 320.0 { right } else { 0.0 };
    let (top, bottom) = (26.0, 40.0);
    let scale = ((cw - right).max(40.0) / bounds.w.max(1.0))
        .min((ch - top - bottom).max(40.0) / bounds.h.max(1.0))
        .max(1e-3);
    // Centre the diagram in the uncovered part: pad the view on the right by the
    // inspector's width, then spread what is left over evenly.
    let view_w = cw / scale;
    let extra = (view_w - bounds.w - right / scale).max(0.0) / 2.0;
    Rect {
        x: bounds.x - extra,
        y: bounds.y - top / scale,
        w: view_w,
        h: bounds.h + (top + bottom) / scale,
    }
    .fit_height(ch / scale)
}

/// The smallest on-screen scale (pixels per diagram unit) at which nodes show their texts
/// and move grip: below it a node's 14px title is under 4.2 pixels tall, which no one reads,
/// and 200 nodes' texts would cost a paste more layout than anything else in the diagram.
/// (The docs' example in a 600-pixel embed is drawn at about 0.48: its names stay.)
pub const NODE_TEXT_MIN_SCALE: f64 = 0.3;

/// Whether `view`, drawn in an element of `client` pixels (the SVG's default
/// `xMidYMid meet`), is close enough to read nodes' texts. An element not measured yet
/// (zero size) counts as close: the first frame of a small diagram then needs no redraw.
pub fn shows_node_text(view: Rect, client: (i64, i64)) -> bool {
    if client.0 <= 0 || client.1 <= 0 || view.w <= 0.0 || view.h <= 0.0 {
        return true;
    }
    let scale = (client.0 as f64 / view.w).min(client.1 as f64 / view.h);
    scale >= NODE_TEXT_MIN_SCALE
}

/// Zooms `view` by `factor` around `p`, keeping the zoom within sane limits of `bounds`.
pub fn zoom(view: Rect, p: Pos, factor: f64, bounds: Rect) -> Rect {
    let max_w = bounds.w.max(400.0) * 4.0;
    let min_w = 160.0;
    let w = (view.w * factor).clamp(min_w, max_w);
    let f = w / view.w.max(1e-6);
    Rect {
        x: p.x - (p.x - view.x) * f,
        y: p.y - (p.y - view.y) * f,
        w,
        h: view.h * f,
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
    fn zoom_keeps_the_point() {
        let v = Rect {
            x: 0.0,
            y: 0.0,
            w: 1000.0,
            h: 500.0,
        };
        let p = Pos { x: 250.0, y: 100.0 };
        let z = zoom(v, p, 0.5, v);
        assert!((z.w - 500.0).abs() < 1e-9);
        assert!((z.x - 125.0).abs() < 1e-9 && (z.y - 50.0).abs() < 1e-9);
        // Not closer than 160 units across.
        assert!((zoom(v, p, 0.01, v).w - 160.0).abs() < 1e-9);
    }

    #[test]
    fn the_fitted_view_holds_the_diagram_beside_the_inspector() {
        let bounds = Rect {
            x: 0.0,
            y: 0.0,
            w: 800.0,
            h: 400.0,
        };
        let plain = fit_view(bounds, (1000, 600), 0.0);
        assert!(plain.x <= 0.0 && plain.right() >= 800.0);
        assert!(
            plain.y < 0.0 && plain.bottom() > 400.0,
            "room for hint and legend"
        );
        let beside = fit_view(bounds, (1000, 600), 330.0);
        // The view is wider in units, so the diagram fits left of the panel.
        assert!(beside.w > plain.w);
        // A narrow pane does not make room for the panel.
        assert_eq!(
            fit_view(bounds, (500, 600), 330.0),
            fit_view(bounds, (500, 600), 0.0)
        );
    }

    #[test]
    fn edges_run_border_to_border() {
        let (d, label) = edge_path(Pos { x: 0.0, y: 0.0 }, Pos { x: 1000.0, y: 0.0 }, 0.0);
        let start = NODE_W / 2.0 + 4.0;
        assert!(d.starts_with(&format!("M{start:.1} 0.0 Q500.0 0.0")), "{d}");
        assert!((label.x - 500.0).abs() < 1e-9 && label.y.abs() < 1e-9);
        let (_, bent) = edge_path(Pos { x: 0.0, y: 0.0 }, Pos { x: 1000.0, y: 0.0 }, 28.0);
        assert!(bent.y > 0.0, "a bend moves the label off the straight line");
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

    #[test]
    fn node_texts_show_from_a_third_of_full_scale_and_before_the_first_measure() {
        let view = Rect {
            x: 0.0,
            y: 0.0,
            w: 2000.0,
            h: 1000.0,
        };
        assert!(
            shows_node_text(view, (600, 800)),
            "0.3 px per unit: titles 4.2 px tall"
        );
        assert!(!shows_node_text(view, (599, 800)));
        // The tighter of the two axes decides (the SVG fits the whole view in).
        assert!(!shows_node_text(view, (2000, 290)));
        assert!(shows_node_text(view, (0, 0)), "not measured yet");
    }
}
