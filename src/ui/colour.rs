//! Calendar colours: the server's `calendar-color` where it has one, else
//! a colour from a fixed palette chosen by the calendar's URL (so it stays
//! the same across runs and machines), and a text colour that stays
//! readable on any of them (WCAG 2 contrast).

use iced::Color;
use url::Url;

/// Distinct, mid-light hues that read well in light and dark themes
/// (GNOME's palette).
pub const PALETTE: [Color; 8] = [
    rgb(0x35, 0x84, 0xe4), // blue
    rgb(0x2e, 0xc2, 0x7e), // green
    rgb(0xf5, 0xc2, 0x11), // yellow
    rgb(0xff, 0x78, 0x00), // orange
    rgb(0xe0, 0x1b, 0x24), // red
    rgb(0x91, 0x41, 0xac), // purple
    rgb(0x98, 0x6a, 0x44), // brown
    rgb(0x21, 0x90, 0xa4), // teal
];

/// Text on a light colour, and on a dark one. Pure black: any softer ink
/// falls under 4.5:1 on some mid-tones, where neither reads well.
pub const INK: Color = Color::BLACK;
pub const PAPER: Color = Color::WHITE;

const fn rgb(r: u8, g: u8, b: u8) -> Color {
    Color { r: r as f32 / 255.0, g: g as f32 / 255.0, b: b as f32 / 255.0, a: 1.0 }
}

/// A calendar's colour: the server's, when it is a colour, else the palette's.
pub fn of(url: &Url, server: Option<&str>) -> Color {
    server.and_then(parse).unwrap_or_else(|| stable(url))
}

/// `#RRGGBB` or `#RRGGBBAA` (Apple's `calendar-color`); the alpha is
/// dropped, as every client draws the colour opaque.
pub fn parse(text: &str) -> Option<Color> {
    let hex = text.trim().strip_prefix('#')?;
    if !(hex.len() == 6 || hex.len() == 8) || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some(rgb(byte(0)?, byte(2)?, byte(4)?))
}

/// The palette colour for a URL: FNV-1a of its text (std's hasher may
/// change between Rust releases, and the colour must not).
pub fn stable(url: &Url) -> Color {
    let hash = url
        .as_str()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    PALETTE[(hash % PALETTE.len() as u64) as usize]
}

/// `a` moved towards `b` by `t` (0: `a`, 1: `b`).
pub fn mix(a: Color, b: Color, t: f32) -> Color {
    let m = |x: f32, y: f32| x + (y - x) * t;
    Color { r: m(a.r, b.r), g: m(a.g, b.g), b: m(a.b, b.b), a: 1.0 }
}

/// Relative luminance (WCAG 2).
pub fn luminance(c: Color) -> f32 {
    let lin = |v: f32| if v <= 0.039_28 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) };
    0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b)
}

/// Contrast ratio, 1 to 21 (WCAG 2); 4.5 is enough for small text.
pub fn contrast(a: Color, b: Color) -> f32 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Dark or light text, whichever reads better on `background`.
pub fn text_on(background: Color) -> Color {
    if contrast(INK, background) >= contrast(PAPER, background) { INK } else { PAPER }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn the_servers_colour_wins_and_its_alpha_is_dropped() {
        let u = url("https://dav.example.com/cal/home/");
        assert_eq!(of(&u, Some("#FF000080")), rgb(255, 0, 0));
        assert_eq!(of(&u, Some(" #0a0B0c ")), rgb(10, 11, 12));
        for broken in ["", "red", "#12345", "#GG0000", "#1234567", "#ééé"] {
            assert_eq!(of(&u, Some(broken)), stable(&u), "{broken:?} falls back to the palette");
        }
        assert_eq!(of(&u, None), stable(&u));
    }

    #[test]
    fn the_palette_choice_is_stable_and_spread() {
        // Pinned: the colour must not change between runs or releases.
        assert_eq!(
            stable(&url("https://dav.example.com/cal/home/")),
            stable(&url("https://dav.example.com/cal/home/"))
        );
        let chosen: std::collections::BTreeSet<usize> = (0..40)
            .map(|i| {
                let c = stable(&url(&format!("https://dav.example.com/cal/{i}/")));
                PALETTE.iter().position(|p| *p == c).unwrap()
            })
            .collect();
        assert!(chosen.len() >= 6, "40 calendars use most of the palette: {chosen:?}");
    }

    #[test]
    fn text_is_readable_on_every_colour() {
        // The palette, its tints over a light and a dark surface (how
        // tentative and declined events are drawn), and awkward server colours.
        let dark_surface = rgb(0x2b, 0x2d, 0x31);
        let mut backgrounds = Vec::new();
        for c in PALETTE.into_iter().chain([
            rgb(255, 255, 0),
            rgb(0, 0, 128),
            rgb(128, 128, 128),
            rgb(0, 255, 255),
        ]) {
            for t in [0.0, 0.4, 0.7] {
                backgrounds.extend([mix(c, Color::WHITE, t), mix(c, dark_surface, t)]);
            }
        }
        for bg in backgrounds {
            let ratio = contrast(text_on(bg), bg);
            assert!(ratio >= 4.5, "{bg:?}: {ratio}");
        }
    }

    #[test]
    fn contrast_matches_wcag() {
        assert!((contrast(Color::BLACK, Color::WHITE) - 21.0).abs() < 0.01);
        assert!((contrast(rgb(0x77, 0x77, 0x77), Color::WHITE) - 4.48).abs() < 0.01);
        assert_eq!(text_on(rgb(0xf5, 0xc2, 0x11)), INK, "dark text on yellow");
        assert_eq!(text_on(rgb(0x00, 0x00, 0x80)), PAPER, "light text on navy");
    }
}
