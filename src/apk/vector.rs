//! Drawing Android vector drawables (`<vector>` in binary XML): `<path>` fills and strokes,
//! `<group>` transforms and `<clip-path>`s, the path data read by `svgtypes` and rasterised by
//! `tiny-skia`. Gradients are drawn as their average colour, with a note saying so.
//!
//! The drawable is untrusted: its nesting, element count, path commands, coordinates and
//! viewport are bounded, and anything out of bounds is an error for the whole drawable (as
//! Android refuses to inflate a malformed one).

use tiny_skia::{
    FillRule, LineCap, LineJoin, Mask, Paint, Path, PathBuilder, Pixmap, Stroke, Transform,
};

use super::arsc::{self, Table};
use super::axml::{self, Element};
use super::chunk::Value;
use crate::raster::RgbaImage;

/// Deepest element nesting read (`<vector>` is 1; real icons nest a few groups).
const MAX_NESTING: u32 = 16;
/// Paths, groups and clip paths drawn in one drawable.
const MAX_ELEMENTS: usize = 2_000;
/// Path data commands in one drawable, and the segments they may expand to (arcs become
/// several curves).
const MAX_COMMANDS: usize = 20_000;
const MAX_SEGMENTS: usize = 100_000;
/// The largest number a path's data may hold, and the largest viewport edge.
const MAX_COORDINATE: f64 = 100_000.0;
const MAX_VIEWPORT: f32 = 10_000.0;
/// The largest pixel edge drawn.
pub const MAX_PIXELS: u32 = 1024;

/// Framework attribute ids (`android.R.attr`): Android matches attributes by these.
const NAME: u32 = 0x0101_0003;
const ALPHA: u32 = 0x0101_031f;
const VIEWPORT_WIDTH: u32 = 0x0101_0402;
const VIEWPORT_HEIGHT: u32 = 0x0101_0403;
const PIVOT_X: u32 = 0x0101_01b5;
const PIVOT_Y: u32 = 0x0101_01b6;
const SCALE_X: u32 = 0x0101_0324;
const SCALE_Y: u32 = 0x0101_0325;
const ROTATION: u32 = 0x0101_0326;
const TRANSLATE_X: u32 = 0x0101_045a;
const TRANSLATE_Y: u32 = 0x0101_045b;
const FILL_COLOR: u32 = 0x0101_0404;
const PATH_DATA: u32 = 0x0101_0405;
const STROKE_COLOR: u32 = 0x0101_0406;
const STROKE_WIDTH: u32 = 0x0101_0407;
const STROKE_LINE_CAP: u32 = 0x0101_040b;
const STROKE_LINE_JOIN: u32 = 0x0101_040c;
const STROKE_MITER_LIMIT: u32 = 0x0101_040d;
const STROKE_ALPHA: u32 = 0x0101_04cb;
const FILL_ALPHA: u32 = 0x0101_04cc;
const FILL_TYPE: u32 = 0x0101_051e;
const COLOR: u32 = 0x0101_01a5;
const START_COLOR: u32 = 0x0101_019d;
const END_COLOR: u32 = 0x0101_019e;
const CENTER_COLOR: u32 = 0x0101_020b;

/// The framework's `android:state_*` attribute ids: `state_focused` … `state_pressed`, then
/// `state_activated`, `state_accelerated`, `state_hovered`, `state_drag_can_accept` and
/// `state_drag_hovered`.
const STATES: std::ops::RangeInclusive<u32> = 0x0101_009c..=0x0101_00a7;
const LATER_STATES: [u32; 5] = [
    0x0101_02fe,
    0x0101_031b,
    0x0101_0367,
    0x0101_0368,
    0x0101_0369,
];

/// `Res_value` types: a float, and the colour range (`#AARRGGBB` … `#RGB`).
const TYPE_FLOAT: u8 = 0x04;

/// A drawn drawable, and what was drawn differently from Android (one sentence each).
#[derive(Debug, Clone)]
pub struct Drawn {
    pub image: RgbaImage,
    pub notes: Vec<String>,
}

/// What a drawable names outside itself: colour resources in the resource table, and the
/// files (colour state lists, gradients) those resolve to.
pub struct Resources<'t, 'a> {
    pub table: Option<&'t Table<'a>>,
    pub read: &'t mut dyn FnMut(&str) -> Option<Vec<u8>>,
}

/// Draws the vector drawable `xml` onto a `width` x `height` canvas, its viewport stretched
/// to fill it as Android stretches it to the drawable's bounds.
pub fn draw(
    xml: &[u8],
    width: u32,
    height: u32,
    resources: &mut Resources<'_, '_>,
) -> Result<Drawn, String> {
    let (root, nodes) = tree(xml)?;
    let (viewport_width, viewport_height) = viewport(&root)?;
    let (width, height) = (width.clamp(1, MAX_PIXELS), height.clamp(1, MAX_PIXELS));
    let mut pixmap = Pixmap::new(width, height).ok_or("the canvas cannot be allocated")?;
    let base = Transform::from_scale(
        width as f32 / viewport_width,
        height as f32 / viewport_height,
    );
    let alpha = float(&root, ALPHA, "alpha").unwrap_or(1.0).clamp(0.0, 1.0);
    let mut painter = Painter {
        pixmap: &mut pixmap,
        resources,
        notes: Vec::new(),
        alpha,
        commands: 0,
        segments: 0,
    };
    painter.group(&nodes, base, None)?;
    let notes = painter.notes;
    Ok(Drawn {
        image: to_image(&pixmap),
        notes,
    })
}

/// Draws a vector drawable into a `side` x `side` square, its aspect ratio kept and centred
/// (an icon shown on its own).
pub fn draw_square(
    xml: &[u8],
    side: u32,
    resources: &mut Resources<'_, '_>,
) -> Result<Drawn, String> {
    let (root, _) = tree(xml)?;
    let (w, h) = viewport(&root)?;
    let side = side.clamp(1, MAX_PIXELS);
    let fit = |edge: f32, other: f32| ((side as f32 * edge / other).round() as u32).clamp(1, side);
    let (width, height) = if w >= h {
        (side, fit(h, w))
    } else {
        (fit(w, h), side)
    };
    let drawn = draw(xml, width, height, resources)?;
    let mut pixels = vec![0u8; (side * side * 4) as usize];
    let (left, top) = ((side - width) / 2, (side - height) / 2);
    for (row, line) in drawn
        .image
        .pixels
        .chunks_exact(width as usize * 4)
        .enumerate()
    {
        let at = (((top as usize + row) * side as usize) + left as usize) * 4;
        pixels[at..at + line.len()].copy_from_slice(line);
    }
    Ok(Drawn {
        image: RgbaImage {
            width: side,
            height: side,
            pixels,
        },
        notes: drawn.notes,
    })
}

/// One element and the elements inside it.
struct Node {
    element: Element,
    children: Vec<Node>,
}

/// The `<vector>` root and its children, rebuilt from the parser's document order.
fn tree(xml: &[u8]) -> Result<(Element, Vec<Node>), String> {
    let elements = axml::parse_tree(xml, MAX_NESTING).map_err(|e| e.to_string())?;
    if elements.len() > MAX_ELEMENTS {
        return Err(format!("it has more than {MAX_ELEMENTS} elements"));
    }
    let mut elements = elements.into_iter();
    let root = elements.next().ok_or("it has no root element")?;
    if root.name != "vector" {
        return Err(format!("its root is <{}>, not <vector>", root.name));
    }
    // `stack[i]` holds the open element at depth i + 2 (the root is depth 1, kept apart).
    let mut stack: Vec<Node> = Vec::new();
    let mut top = Vec::new();
    for element in elements {
        // A second top-level element ends the drawable (Android reads the first root only).
        if element.depth <= 1 {
            break;
        }
        while stack.len() + 2 > element.depth as usize {
            let Some(done) = stack.pop() else { break };
            attach(&mut stack, &mut top, done);
        }
        stack.push(Node {
            element,
            children: Vec::new(),
        });
    }
    while let Some(done) = stack.pop() {
        attach(&mut stack, &mut top, done);
    }
    Ok((root, top))
}

fn attach(stack: &mut [Node], top: &mut Vec<Node>, node: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => top.push(node),
    }
}

fn viewport(root: &Element) -> Result<(f32, f32), String> {
    let edge = |id, name| {
        float(root, id, name)
            .filter(|v| v.is_finite() && *v > 0.0 && *v <= MAX_VIEWPORT)
            .ok_or_else(|| {
                format!("its android:{name} is missing or not a number in (0, {MAX_VIEWPORT}]")
            })
    };
    Ok((
        edge(VIEWPORT_WIDTH, "viewportWidth")?,
        edge(VIEWPORT_HEIGHT, "viewportHeight")?,
    ))
}

/// The attribute whose resource id is `id`, else the one named `name` (compiled drawables
/// keep attribute names, and a few tools drop the resource map).
fn attribute<'e>(element: &'e Element, id: u32, name: &str) -> Option<&'e Value> {
    element
        .attributes
        .iter()
        .find(|a| a.resource_id == Some(id))
        .or_else(|| element.attributes.iter().find(|a| a.name == name))
        .map(|a| &a.value)
}

fn float(element: &Element, id: u32, name: &str) -> Option<f32> {
    match attribute(element, id, name)? {
        Value::Other(TYPE_FLOAT, bits) => Some(f32::from_bits(*bits)).filter(|v| v.is_finite()),
        Value::Int(i) => Some(*i as f32),
        Value::String(s) => s.trim().parse().ok().filter(|v: &f32| v.is_finite()),
        _ => None,
    }
}

fn int(element: &Element, id: u32, name: &str) -> Option<i64> {
    match attribute(element, id, name)? {
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

/// A colour value (`#AARRGGBB`, `#RRGGBB`, `#ARGB`, `#RGB`: aapt stores each as ARGB) as RGBA.
pub fn colour(value: &Value) -> Option<[u8; 4]> {
    match value {
        Value::Other(kind @ 0x1c..=0x1f, argb) => {
            let [a, r, g, b] = argb.to_be_bytes();
            let opaque = matches!(kind, 0x1d | 0x1f);
            Some([r, g, b, if opaque { 255 } else { a }])
        }
        Value::String(text) => hex_colour(text),
        _ => None,
    }
}

/// A colour written as text (`#RGB`, `#ARGB`, `#RRGGBB`, `#AARRGGBB`), as left by some tools.
fn hex_colour(text: &str) -> Option<[u8; 4]> {
    let digits = text.trim().strip_prefix('#')?;
    let nibbles: Vec<u8> = digits
        .chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    let byte = |i: usize| nibbles[i] << 4 | nibbles[i + 1];
    let short = |i: usize| nibbles[i] << 4 | nibbles[i];
    match nibbles.len() {
        3 => Some([short(0), short(1), short(2), 255]),
        4 => Some([short(1), short(2), short(3), short(0)]),
        6 => Some([byte(0), byte(2), byte(4), 255]),
        8 => Some([byte(2), byte(4), byte(6), byte(0)]),
        _ => None,
    }
}

struct Painter<'p, 'r, 't, 'a> {
    pixmap: &'p mut Pixmap,
    resources: &'r mut Resources<'t, 'a>,
    notes: Vec<String>,
    /// The root's `android:alpha`.
    alpha: f32,
    commands: usize,
    segments: usize,
}

impl Painter<'_, '_, '_, '_> {
    /// Draws a group's children in order; a clip path clips the siblings after it.
    fn group(
        &mut self,
        nodes: &[Node],
        transform: Transform,
        clip: Option<&Mask>,
    ) -> Result<(), String> {
        let mut own_clip: Option<Mask> = None;
        for node in nodes {
            let clip_now = own_clip.as_ref().or(clip);
            match node.element.name.as_str() {
                "group" => {
                    let local = group_transform(&node.element);
                    self.group(&node.children, transform.pre_concat(local), clip_now)?;
                }
                "path" => self.path(node, transform, clip_now)?,
                "clip-path" => {
                    let Some(path) = self.path_data(&node.element)? else {
                        continue;
                    };
                    let mask = match clip_now {
                        Some(mask) => {
                            let mut mask = mask.clone();
                            mask.intersect_path(&path, FillRule::Winding, true, transform);
                            mask
                        }
                        None => {
                            let mut mask = Mask::new(self.pixmap.width(), self.pixmap.height())
                                .ok_or("the clip mask cannot be allocated")?;
                            mask.fill_path(&path, FillRule::Winding, true, transform);
                            mask
                        }
                    };
                    own_clip = Some(mask);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn path(
        &mut self,
        node: &Node,
        transform: Transform,
        clip: Option<&Mask>,
    ) -> Result<(), String> {
        let element = &node.element;
        let Some(path) = self.path_data(element)? else {
            return Ok(());
        };
        let fill = self.paint_colour(node, FILL_COLOR, "fillColor")?;
        if let Some(colour) = fill {
            let alpha = float(element, FILL_ALPHA, "fillAlpha").unwrap_or(1.0);
            let rule = match int(element, FILL_TYPE, "fillType") {
                Some(1) => FillRule::EvenOdd,
                _ => FillRule::Winding,
            };
            let paint = self.paint(colour, alpha);
            self.pixmap.fill_path(&path, &paint, rule, transform, clip);
        }
        let width = float(element, STROKE_WIDTH, "strokeWidth").unwrap_or(0.0);
        let stroke = self.paint_colour(node, STROKE_COLOR, "strokeColor")?;
        if let Some(colour) = stroke.filter(|_| width > 0.0) {
            let alpha = float(element, STROKE_ALPHA, "strokeAlpha").unwrap_or(1.0);
            let stroke = Stroke {
                width: width.min(MAX_VIEWPORT),
                miter_limit: float(element, STROKE_MITER_LIMIT, "strokeMiterLimit")
                    .unwrap_or(4.0)
                    .clamp(1.0, 100.0),
                line_cap: match int(element, STROKE_LINE_CAP, "strokeLineCap") {
                    Some(1) => LineCap::Round,
                    Some(2) => LineCap::Square,
                    _ => LineCap::Butt,
                },
                line_join: match int(element, STROKE_LINE_JOIN, "strokeLineJoin") {
                    Some(1) => LineJoin::Round,
                    Some(2) => LineJoin::Bevel,
                    _ => LineJoin::Miter,
                },
                ..Stroke::default()
            };
            let paint = self.paint(colour, alpha);
            self.pixmap
                .stroke_path(&path, &paint, &stroke, transform, clip);
        }
        Ok(())
    }

    fn paint(&self, [r, g, b, a]: [u8; 4], alpha: f32) -> Paint<'static> {
        let alpha = (f32::from(a) * alpha.clamp(0.0, 1.0) * self.alpha).round() as u8;
        let mut paint = Paint::default();
        paint.set_color_rgba8(r, g, b, alpha);
        paint.anti_alias = true;
        paint
    }

    /// A path's `android:pathData` as a drawable path (None when it has none, or draws
    /// nothing); commands past the drawable's budget or out-of-range numbers are an error.
    fn path_data(&mut self, element: &Element) -> Result<Option<Path>, String> {
        let data = match attribute(element, PATH_DATA, "pathData") {
            Some(Value::String(data)) => data,
            Some(Value::Reference(id)) => {
                return Err(format!(
                    "a path's data is the resource @{id:08X}, which otasite does not resolve"
                ));
            }
            _ => return Ok(None),
        };
        for segment in svgtypes::PathParser::from(data.as_str()) {
            let segment = segment.map_err(|e| format!("a path's data is malformed ({e})"))?;
            self.commands += 1;
            if self.commands > MAX_COMMANDS {
                return Err(format!("its paths have more than {MAX_COMMANDS} commands"));
            }
            if !numbers_in_range(&segment) {
                return Err(format!(
                    "a path's data holds a number beyond ±{MAX_COORDINATE}"
                ));
            }
        }
        let mut builder = PathBuilder::new();
        for segment in svgtypes::SimplifyingPathParser::from(data.as_str()) {
            let segment = segment.map_err(|e| format!("a path's data is malformed ({e})"))?;
            self.segments += 1;
            if self.segments > MAX_SEGMENTS {
                return Err(format!("its paths have more than {MAX_SEGMENTS} segments"));
            }
            use svgtypes::SimplePathSegment as S;
            let f = |v: f64| v as f32;
            match segment {
                S::MoveTo { x, y } => builder.move_to(f(x), f(y)),
                S::LineTo { x, y } => builder.line_to(f(x), f(y)),
                S::CurveTo {
                    x1,
                    y1,
                    x2,
                    y2,
                    x,
                    y,
                } => builder.cubic_to(f(x1), f(y1), f(x2), f(y2), f(x), f(y)),
                S::Quadratic { x1, y1, x, y } => builder.quad_to(f(x1), f(y1), f(x), f(y)),
                S::ClosePath => builder.close(),
            }
        }
        Ok(builder.finish())
    }

    /// A path's fill or stroke colour: a colour value, a colour resource, or a file (a colour
    /// state list, whose default colour is used, or a gradient, drawn as its average colour).
    fn paint_colour(
        &mut self,
        node: &Node,
        id: u32,
        name: &str,
    ) -> Result<Option<[u8; 4]>, String> {
        // An inline `<aapt:attr name="android:fillColor">` holding a gradient.
        let inline = node.children.iter().find(|child| {
            child.element.name == "attr"
                && matches!(
                    attribute(&child.element, NAME, "name"),
                    Some(Value::String(n)) if n.trim_start_matches("android:") == name
                )
        });
        if let Some(gradient) = inline.and_then(|attr| attr.children.first()) {
            return Ok(self.gradient_average(&gradient.element, &gradient.children, name));
        }
        let Some(value) = attribute(&node.element, id, name) else {
            return Ok(None);
        };
        if let Some(colour) = colour(value) {
            return Ok(Some(colour).filter(|c| c[3] > 0));
        }
        let Value::Reference(reference) = value else {
            return Ok(None);
        };
        let resolved = self
            .resources
            .table
            .and_then(|table| table.resolve(value, arsc::default_config));
        match resolved {
            Some(ref resolved) if colour(resolved).is_some() => {
                Ok(colour(resolved).filter(|c| c[3] > 0))
            }
            Some(Value::String(file)) => self.colour_file(&file, name).map(Some),
            _ => Err(format!(
                "its android:{name} @{reference:08X} is not a colour in the resource table"
            )),
        }
    }

    /// The colour a colour-state-list or gradient file stands for.
    fn colour_file(&mut self, file: &str, name: &str) -> Result<[u8; 4], String> {
        let bytes = (self.resources.read)(file).ok_or_else(|| {
            format!("its android:{name} names {file}, which is not in the archive")
        })?;
        let elements = axml::parse_tree(&bytes, 3).map_err(|e| format!("{file}: {e}"))?;
        let root = elements.first().ok_or_else(|| format!("{file} is empty"))?;
        let children: Vec<Node> = elements[1..]
            .iter()
            .filter(|e| e.depth == 2)
            .map(|e| Node {
                element: e.clone(),
                children: Vec::new(),
            })
            .collect();
        match root.name.as_str() {
            "gradient" => self
                .gradient_average(root, &children, name)
                .ok_or_else(|| format!("the gradient {file} has no colour")),
            // An icon is drawn in no state: the first item that asks for none applies.
            "selector" => children
                .iter()
                .filter(|item| !has_states(&item.element))
                .chain(children.iter())
                .find_map(|item| self.plain_colour(&item.element, COLOR, "color"))
                .ok_or_else(|| format!("the colour list {file} has no colour")),
            other => Err(format!(
                "its android:{name} names {file}, a <{other}>, not a colour"
            )),
        }
    }

    /// A colour attribute given as a value or a colour resource (no files).
    fn plain_colour(&self, element: &Element, id: u32, name: &str) -> Option<[u8; 4]> {
        let value = attribute(element, id, name)?;
        colour(value).or_else(|| {
            let table = self.resources.table?;
            colour(&table.resolve(value, arsc::default_config)?)
        })
    }

    /// A gradient's colours averaged, with a note that it is not drawn as a gradient.
    fn gradient_average(
        &mut self,
        gradient: &Element,
        items: &[Node],
        name: &str,
    ) -> Option<[u8; 4]> {
        let mut colours: Vec<[u8; 4]> = items
            .iter()
            .filter_map(|item| self.plain_colour(&item.element, COLOR, "color"))
            .collect();
        if colours.is_empty() {
            colours = [
                (START_COLOR, "startColor"),
                (CENTER_COLOR, "centerColor"),
                (END_COLOR, "endColor"),
            ]
            .iter()
            .filter_map(|(id, attr)| self.plain_colour(gradient, *id, attr))
            .collect();
        }
        if colours.is_empty() {
            return None;
        }
        let note = format!("a gradient android:{name} is drawn as its average colour");
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
        let count = colours.len() as u32;
        let mut sum = [0u32; 4];
        for colour in &colours {
            for (total, channel) in sum.iter_mut().zip(colour) {
                *total += u32::from(*channel);
            }
        }
        Some(sum.map(|total| (total / count) as u8))
    }
}

/// Whether a colour list's item applies only in some state (`android:state_pressed`, …).
fn has_states(item: &Element) -> bool {
    item.attributes.iter().any(|a| {
        a.name.starts_with("state_")
            || a.resource_id
                .is_some_and(|id| STATES.contains(&id) || LATER_STATES.contains(&id))
    })
}

/// Whether every number of a path command lies within ±[`MAX_COORDINATE`] (so an arc's
/// radii, and the curves it becomes, stay few).
fn numbers_in_range(segment: &svgtypes::PathSegment) -> bool {
    use svgtypes::PathSegment as S;
    let numbers: &[f64] = match *segment {
        S::MoveTo { x, y, .. } | S::LineTo { x, y, .. } | S::SmoothQuadratic { x, y, .. } => {
            &[x, y]
        }
        S::HorizontalLineTo { x, .. } => &[x],
        S::VerticalLineTo { y, .. } => &[y],
        S::CurveTo {
            x1,
            y1,
            x2,
            y2,
            x,
            y,
            ..
        } => &[x1, y1, x2, y2, x, y],
        S::SmoothCurveTo { x2, y2, x, y, .. } => &[x2, y2, x, y],
        S::Quadratic { x1, y1, x, y, .. } => &[x1, y1, x, y],
        S::EllipticalArc {
            rx,
            ry,
            x_axis_rotation,
            x,
            y,
            ..
        } => &[rx, ry, x_axis_rotation, x, y],
        S::ClosePath { .. } => &[],
    };
    numbers
        .iter()
        .all(|n| n.is_finite() && n.abs() <= MAX_COORDINATE)
}

/// A group's own transform, as Android composes it: about the pivot, scale then rotate, then
/// translate.
fn group_transform(group: &Element) -> Transform {
    let get = |id, name, default: f32| {
        float(group, id, name)
            .filter(|v| v.abs() <= MAX_COORDINATE as f32)
            .unwrap_or(default)
    };
    let (pivot_x, pivot_y) = (get(PIVOT_X, "pivotX", 0.0), get(PIVOT_Y, "pivotY", 0.0));
    Transform::from_translate(-pivot_x, -pivot_y)
        .post_scale(get(SCALE_X, "scaleX", 1.0), get(SCALE_Y, "scaleY", 1.0))
        .post_concat(Transform::from_rotate(get(ROTATION, "rotation", 0.0)))
        .post_translate(
            get(TRANSLATE_X, "translateX", 0.0) + pivot_x,
            get(TRANSLATE_Y, "translateY", 0.0) + pivot_y,
        )
}

/// The pixmap's premultiplied pixels as straight RGBA.
fn to_image(pixmap: &Pixmap) -> RgbaImage {
    let pixels = pixmap
        .pixels()
        .iter()
        .flat_map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        })
        .collect();
    RgbaImage {
        width: pixmap.width(),
        height: pixmap.height(),
        pixels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_colours_read_as_rgba() {
        assert_eq!(hex_colour("#f00"), Some([255, 0, 0, 255]));
        assert_eq!(hex_colour("#8f00"), Some([255, 0, 0, 0x88]));
        assert_eq!(hex_colour("#336699"), Some([0x33, 0x66, 0x99, 255]));
        assert_eq!(hex_colour("#80336699"), Some([0x33, 0x66, 0x99, 0x80]));
        assert_eq!(hex_colour("#12345"), None);
        assert_eq!(hex_colour("red"), None);
    }

    #[test]
    fn groups_scale_and_rotate_about_their_pivot() {
        let group = Element {
            depth: 2,
            name: "group".into(),
            attributes: vec![
                float_attribute("pivotX", PIVOT_X, 10.0),
                float_attribute("pivotY", PIVOT_Y, 10.0),
                float_attribute("rotation", ROTATION, 90.0),
                float_attribute("translateX", TRANSLATE_X, 5.0),
            ],
        };
        let mut point = [tiny_skia::Point::from_xy(20.0, 10.0)];
        group_transform(&group).map_points(&mut point);
        // (20, 10) is 10 right of the pivot: rotated a quarter turn it is 10 below, then
        // moved 5 right.
        assert!((point[0].x - 15.0).abs() < 1e-4, "{:?}", point[0]);
        assert!((point[0].y - 20.0).abs() < 1e-4, "{:?}", point[0]);
    }

    fn float_attribute(name: &str, id: u32, value: f32) -> axml::Attribute {
        axml::Attribute {
            name: name.into(),
            resource_id: Some(id),
            value: Value::Other(TYPE_FLOAT, value.to_bits()),
        }
    }
}
