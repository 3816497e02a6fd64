//! Shared looks: the modal backdrop, highlight colours, the window icon.

use iced::widget::{center, container, mouse_area, opaque};
use iced::{Color, Element, Theme};

/// Centres `content` over a dimmed backdrop that swallows clicks.
pub fn modal<'a, Message: Clone + 'a>(content: Element<'a, Message>) -> Element<'a, Message> {
    opaque(mouse_area(
        center(opaque(container(content).padding(20).max_width(760).style(container::bordered_box))).style(
            |_theme: &Theme| container::Style {
                background: Some(Color { a: 0.6, ..Color::BLACK }.into()),
                ..container::Style::default()
            },
        ),
    ))
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
    let decoder =
        png::Decoder::new(std::io::Cursor::new(include_bytes!("../../assets/icon-256.png").as_slice()));
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    if info.color_type != png::ColorType::Rgba || info.bit_depth != png::BitDepth::Eight {
        return None;
    }
    buf.truncate(info.buffer_size());
    iced::window::icon::from_rgba(buf, info.width, info.height).ok()
}
