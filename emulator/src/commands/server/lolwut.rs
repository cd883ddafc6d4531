//! LOLWUT [VERSION v] [...]: a piece of computer art and the server version. Version 5 draws a
//! rendition of Georg Nees' "Schotter" in braille characters, version 6 a city skyline in the
//! four grays of a color terminal; any other version (including 7, the default) prints the
//! version line only, as Redis 7.0 does.

use crate::errors;
use crate::resp::Reply;
use crate::server::{Call, Server};
use crate::util::{eq_ignore_case, parse_i64};

const VERSION: &str = "7.0.15";

pub(super) fn lolwut(srv: &mut Server, call: &mut Call) -> Reply {
    let mut args: &[Vec<u8>] = &call.argv[1..];
    let mut version = VERSION.to_string();
    if call.argc() >= 3 && eq_ignore_case(call.arg(1), "version") {
        let Some(v) = parse_i64(call.arg(2)) else {
            return errors::not_integer();
        };
        // Redis prints the number as a C unsigned int.
        version = format!("{}.0.0", v as u32);
        args = &call.argv[3..];
    }
    let b = version.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let (major, dot, next) = (at(0), at(1), at(2));
    let seed = srv.eviction.random();
    // Redis picks the drawing from the version string's first characters.
    let art = if dot == b'.' && ((major == b'5' && next != b'9') || (major == b'4' && next == b'9'))
    {
        schotter(args, seed)
    } else if dot == b'.' && ((major == b'6' && next != b'9') || (major == b'5' && next == b'9')) {
        skyline(args, seed)
    } else {
        Ok(format!("Redis ver. {VERSION}\n"))
    };
    match art {
        Ok(text) => Reply::Verbatim("txt", text.into_bytes()),
        Err(e) => e,
    }
}

/// Optional numeric arguments, with defaults, clamped to `1..=max` each.
fn numbers<const N: usize>(
    args: &[Vec<u8>],
    defaults: [i64; N],
    max: [i64; N],
) -> Result<[i64; N], Reply> {
    let mut out = defaults;
    for (i, slot) in out.iter_mut().enumerate() {
        if let Some(arg) = args.get(i) {
            *slot = parse_i64(arg).ok_or_else(errors::not_integer)?;
        }
        *slot = (*slot).clamp(1, max[i]);
    }
    Ok(out)
}

/// A tiny deterministic generator for the drawings' randomness.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in [-1, 1].
    fn signed_unit(&mut self) -> f64 {
        (self.next() % 2001) as f64 / 1000.0 - 1.0
    }
}

/// A monochrome pixel grid printed as braille characters (2x4 pixels each).
struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<bool>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![false; width * height],
        }
    }

    fn set(&mut self, x: i64, y: i64) {
        if x >= 0 && y >= 0 && (x as usize) < self.width && (y as usize) < self.height {
            self.pixels[y as usize * self.width + x as usize] = true;
        }
    }

    fn get(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.pixels[y * self.width + x]
    }

    fn line(&mut self, (x0, y0): (f64, f64), (x1, y1): (f64, f64)) {
        let steps = (x1 - x0).abs().max((y1 - y0).abs()).ceil().max(1.0) as i64;
        for i in 0..=steps {
            let t = i as f64 / steps as f64;
            self.set(
                (x0 + (x1 - x0) * t).round() as i64,
                (y0 + (y1 - y0) * t).round() as i64,
            );
        }
    }

    fn braille(&self) -> String {
        // Braille dot bits for the pixel at (dx, dy) of a 2x4 cell.
        const DOTS: [[u32; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
        let mut rows = Vec::new();
        for y in (0..self.height).step_by(4) {
            let mut row = String::new();
            for x in (0..self.width).step_by(2) {
                let mut code = 0x2800;
                for (dx, column) in DOTS.iter().enumerate() {
                    for (dy, bit) in column.iter().enumerate() {
                        if self.get(x + dx, y + dy) {
                            code |= bit;
                        }
                    }
                }
                row.push(char::from_u32(code).unwrap_or(' '));
            }
            rows.push(row);
        }
        rows.join("\n")
    }
}

/// Version 5: rows of squares, orderly at the top and increasingly rotated and displaced
/// further down. Arguments: terminal columns (66), squares per row (8), squares per column (12).
fn schotter(args: &[Vec<u8>], seed: u64) -> Result<String, Reply> {
    let [cols, per_row, per_col] = numbers(args, [66, 8, 12], [1000, 200, 200])?;
    let width = cols as usize * 2;
    let margin = if width > 4 { 2.0 } else { 0.0 };
    let side = (width as f64 - 2.0 * margin) / per_row as f64;
    // Redis allocates whatever this asks for (up to 2000 x 400000 pixels); the canvas is
    // capped here so a browser tab survives, which only shortens the most extreme drawings.
    const MAX_PIXELS: usize = 16 * 1024 * 1024;
    let height = ((side * per_col as f64 + 2.0 * margin) as usize).min(MAX_PIXELS / width.max(1));
    let mut canvas = Canvas::new(width, height);
    let mut dice = Dice(seed | 1);
    for row in 0..per_col {
        // Disorder grows with the row number.
        let disorder = row as f64 / per_col as f64;
        for col in 0..per_row {
            let cx =
                margin + side * (col as f64 + 0.5) + dice.signed_unit() * disorder * side / 3.0;
            let cy =
                margin + side * (row as f64 + 0.5) + dice.signed_unit() * disorder * side / 3.0;
            let angle = dice.signed_unit() * disorder * std::f64::consts::FRAC_PI_4;
            let half = side / 2.0;
            let corner = |k: usize| {
                let a =
                    angle + std::f64::consts::FRAC_PI_4 + k as f64 * std::f64::consts::FRAC_PI_2;
                let r = half * std::f64::consts::SQRT_2;
                (cx + r * a.cos(), cy + r * a.sin())
            };
            for k in 0..4 {
                canvas.line(corner(k), corner(k + 1));
            }
        }
    }
    Ok(format!(
        "{}\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. {VERSION}\n",
        canvas.braille()
    ))
}

/// Version 6: buildings with lit windows against the night, in the four grays of a color
/// terminal. Arguments: columns (80), rows (20).
fn skyline(args: &[Vec<u8>], seed: u64) -> Result<String, Reply> {
    let [cols, rows] = numbers(args, [80, 20], [1000, 1000])?;
    let (w, h) = (cols as usize, rows as usize);
    // 0 black sky, 1 dark gray, 2 light gray, 3 white.
    let mut grid = vec![0u8; w * h];
    let mut dice = Dice(seed | 1);
    // A few stars.
    for _ in 0..(w * h / 40) {
        let i = (dice.next() % (w * h) as u64) as usize;
        grid[i] = 1;
    }
    // Two rows of buildings: far ones dark, near ones lighter and shorter.
    for (shade, min_height, spacing) in [(1u8, h / 2, 2usize), (2u8, h / 3, 4usize)] {
        let mut x = 0usize;
        while x < w {
            let width = 4 + (dice.next() % 9) as usize;
            let tall = min_height + (dice.next() % (h / 2 + 1) as u64) as usize;
            let top = h.saturating_sub(tall);
            for y in top..h {
                for bx in x..(x + width).min(w) {
                    let inner = bx > x && bx + 1 < x + width && y > top && y + 1 < h;
                    let window = inner && (bx - x) % 2 == 1 && (y - top) % 2 == 0;
                    grid[y * w + bx] = if window && !dice.next().is_multiple_of(3) {
                        3
                    } else {
                        shade
                    };
                }
            }
            x += width + (dice.next() % spacing as u64) as usize + 1;
        }
    }
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            let code = match grid[y * w + x] {
                1 => "0;90;100m",
                2 => "0;37;47m",
                3 => "0;97;107m",
                _ => "0;30;40m",
            };
            out.push_str(&format!("\x1b[{code} \x1b[0m"));
        }
        if y + 1 != h {
            out.push('\n');
        }
    }
    Ok(format!(
        "{out}\nDedicated to the 8 bit game developers of past and present.\nA city skyline in four shades of gray. Redis ver. {VERSION}\n"
    ))
}
