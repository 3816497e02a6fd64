//! The window's chrome: navigation, sync status, error banners.

use iced::widget::{button, column, container, row, text};
use iced::{Element, Fill};

use super::{App, Message, Screen, Status, style};

impl App {
    pub(super) fn header(&self) -> Element<'_, Message> {
        // Pages as the calendar's views are picked: the one shown filled,
        // the others plain text (no row of grey boxes).
        let tab = |screen: Screen| if self.screen == screen { button::primary } else { button::text };
        let nav = |label: String, screen: Screen, id: &'static str| {
            container(button(text(label)).on_press(Message::Show(screen)).style(tab(screen))).id(id)
        };
        let pending = self.pending_count();
        let invitations =
            if pending > 0 { format!("Invitations ({pending})") } else { "Invitations".to_owned() };
        row![
            text("Convene").size(style::TEXT_XL),
            nav(invitations, Screen::Invitations, "nav-invitations"),
            nav("Calendar".into(), Screen::Calendar, "nav-calendar"),
            nav("Accounts".into(), Screen::Accounts, "nav-accounts"),
            container(
                button(text("Import…"))
                    .on_press(Message::Import(super::import::Message::Add(Vec::new())))
                    .style(tab(Screen::Import))
            )
            .id("nav-import"),
            iced::widget::space::horizontal(),
            self.missed_button(),
            container(text(self.status_line())).id("status"),
            container(button(text("Sync (Ctrl+R)")).on_press(Message::SyncNow).style(style::tool)).id("sync"),
        ]
        .spacing(style::SPACE_M)
        .align_y(iced::Center)
        .into()
    }

    /// "Missed reminders (n)", only while there are some.
    fn missed_button(&self) -> Element<'_, Message> {
        if self.missed.is_empty() {
            return iced::widget::space::horizontal().width(0).into();
        }
        let label = format!("Missed reminders ({})", self.missed.len());
        container(button(text(label)).on_press(Message::MissedPanel(true)).style(style::tool))
            .id("missed")
            .into()
    }

    pub fn status_line(&self) -> String {
        if self.accounts.is_empty() {
            return "No account yet".into();
        }
        let offline: Vec<&str> = self
            .accounts
            .iter()
            .filter(|a| matches!(a.status, Status::Offline(_)))
            .map(|a| a.account.name.as_str())
            .collect();
        if !offline.is_empty() {
            return format!("Offline: {} (answers wait in the outbox)", offline.join(", "));
        }
        let syncing: Vec<_> = self
            .accounts
            .iter()
            .filter(|a| matches!(a.status, Status::Syncing | Status::Connecting))
            .collect();
        if !syncing.is_empty() {
            // Events so far (of how many, where every account knows).
            let fetched: usize = syncing.iter().filter_map(|a| a.progress).map(|p| p.fetched).sum();
            let of: Option<usize> = syncing.iter().map(|a| a.progress.and_then(|p| p.of)).sum();
            return match (fetched, of) {
                (0, _) => "Syncing…".into(),
                (n, Some(of)) => format!("Syncing… {n} of {of} events"),
                (n, None) => format!("Syncing… {n} events"),
            };
        }
        let last = self
            .accounts
            .iter()
            .filter_map(|a| if let Status::Synced(t) = a.status { Some(t) } else { None })
            .min();
        match last.and_then(|t| chrono::DateTime::from_timestamp(t, 0)) {
            Some(t) => format!("Synced at {}", t.with_timezone(&chrono::Local).format("%H:%M")),
            None => String::new(),
        }
    }

    pub(super) fn banners_view(&self) -> Element<'_, Message> {
        column(self.banners.iter().map(|b| {
            let close = button(text("Dismiss")).on_press(Message::DismissBanner(b.id)).style(button::text);
            container(row![text(&b.text).width(Fill), close].spacing(style::SPACE_M).align_y(iced::Center))
                .padding(style::SPACE_M)
                .width(Fill)
                .style(container::danger)
                .into()
        }))
        .spacing(style::SPACE_S)
        .into()
    }
}
