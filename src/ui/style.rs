//! Shared looks: the spacing and type scale every screen uses, the modal
//! backdrop, highlight colours, the window icon. (Calendar colours and
//! how an event is drawn: `colour`, `event`.)

use iced::widget::{center, container, mouse_area, opaque};
use iced::{Color, Element, Theme};

/// Spacing steps, in pixels: between lines of one thing, between things,
/// between groups, around a panel, between panels.
pub const SPACE_XS: f32 = 2.0;
pub const SPACE_S: f32 = 4.0;
pub const SPACE_M: f32 = 8.0;
pub const SPACE_L: f32 = 12.0;
pub const SPACE_XL: f32 = 20.0;

/// Type scale, in pixels: small print (the smallest boxes, notes), labels
/// and event text, body text, view titles, the app's name.
pub const TEXT_XS: f32 = 10.0;
pub const TEXT_S: f32 = 12.0;
pub const TEXT_M: f32 = 14.0;
pub const TEXT_L: f32 = 20.0;
pub const TEXT_XL: f32 = 22.0;

/// Corner radius of cards, events and panels.
pub const RADIUS: f32 = 6.0;

/// Today's day number: on the accent colour, rounded.
pub fn today(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(p.primary.base.color.into()),
        text_color: Some(p.primary.base.text),
        border: iced::Border { radius: 10.0.into(), width: 0.0, color: Color::TRANSPARENT },
        ..container::Style::default()
    }
}

/// A side panel: halfway between the page and its weak shade, rounded.
pub fn panel(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(super::colour::mix(p.background.base.color, p.background.weak.color, 0.5).into()),
        border: iced::Border { radius: RADIUS.into(), width: 0.0, color: Color::TRANSPARENT },
        ..container::Style::default()
    }
}

/// Centres `content` over a dimmed backdrop that swallows clicks, with a
/// margin of the backdrop around it however long it is.
pub fn modal<'a, Message: Clone + 'a>(content: Element<'a, Message>) -> Element<'a, Message> {
    let dialog = container(content).padding(SPACE_XL).max_width(760).style(container::bordered_box);
    opaque(mouse_area(center(opaque(dialog)).padding([2.0 * SPACE_XL, SPACE_XL]).style(|_theme: &Theme| {
        container::Style {
            background: Some(Color { a: 0.6, ..Color::BLACK }.into()),
            ..container::Style::default()
        }
    })))
}

/// Links in text: GNOME's blue, dark on a light background and light on a
/// dark one, so both read well above the 4.5:1 contrast guideline.
pub fn link(dark: bool) -> Color {
    if dark { Color::from_rgb8(0x99, 0xc1, 0xf1) } else { Color::from_rgb8(0x1a, 0x5f, 0xb4) }
}

/// Text colour for something the organizer changed.
pub fn changed(theme: &Theme) -> iced::widget::text::Style {
    iced::widget::text::Style { color: Some(theme.extended_palette().danger.base.color) }
}

pub fn muted(theme: &Theme) -> iced::widget::text::Style {
    iced::widget::text::Style {
        color: Some(theme.extended_palette().background.strong.text.scale_alpha(0.7)),
    }
}

/// The app icon (assets/icon-256.png) for the window.
pub fn window_icon() -> Option<iced::window::Icon> {
    let (rgba, size) = icon_rgba()?;
    iced::window::icon::from_rgba(rgba, size, size).ok()
}

/// The app icon's pixels (RGBA) and its side: for the window and the tray.
pub fn icon_rgba() -> Option<(Vec<u8>, u32)> {
    let decoder =
        png::Decoder::new(std::io::Cursor::new(include_bytes!("../../assets/icon-256.png").as_slice()));
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    if info.color_type != png::ColorType::Rgba
        || info.bit_depth != png::BitDepth::Eight
        || info.width != info.height
    {
        return None;
    }
    buf.truncate(info.buffer_size());
    Some((buf, info.width))
}

/// An invitation card: a light, bordered surface; the selected one in the
/// primary colour's weak shade.
pub fn card(selected: bool) -> impl Fn(&Theme, iced::widget::button::Status) -> iced::widget::button::Style {
    move |theme, status| {
        let p = theme.extended_palette();
        let surface = if selected { p.primary.weak } else { p.background.weak };
        let hovered = matches!(status, iced::widget::button::Status::Hovered);
        let background = if hovered && !selected { p.background.strong.color } else { surface.color };
        iced::widget::button::Style {
            background: Some(background.into()),
            text_color: surface.text,
            border: iced::Border {
                radius: 6.0.into(),
                width: 1.0,
                color: if selected { p.primary.strong.color } else { p.background.strong.color },
            },
            ..iced::widget::button::Style::default()
        }
    }
}

/// A toolbar button (previous, today, next): outlined on the page, filled
/// on hover.
pub fn tool(theme: &Theme, status: iced::widget::button::Status) -> iced::widget::button::Style {
    let p = theme.extended_palette();
    let hovered =
        matches!(status, iced::widget::button::Status::Hovered | iced::widget::button::Status::Pressed);
    iced::widget::button::Style {
        background: hovered.then(|| p.background.weak.color.into()),
        text_color: p.background.base.text,
        border: iced::Border { radius: RADIUS.into(), width: 1.0, color: p.background.strong.color },
        ..iced::widget::button::Style::default()
    }
}
