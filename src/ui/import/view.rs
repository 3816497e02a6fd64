//! The wizard's screens, one function per step.

use iced::widget::{
    button, checkbox, column, container, pick_list, progress_bar, radio, row, scrollable, text, text_input,
};
use iced::{Element, Fill};

use super::{LIST_LIMIT, Message, Step, Wizard, ZONE_MATCHES, targets};
use crate::import::plan::{self, mode_label};
use crate::import::{Outcome, Progress};
use crate::ui::{AccountState, style};

fn id_button<'a>(label: &'a str, id: &'static str, msg: Option<Message>) -> Element<'a, Message> {
    let b = button(text(label)).style(button::secondary).on_press_maybe(msg);
    container(b).id(id).into()
}

fn primary<'a>(label: String, id: &'static str, msg: Option<Message>) -> Element<'a, Message> {
    container(button(text(label)).style(button::primary).on_press_maybe(msg)).id(id).into()
}

/// "1 entry", "3 entries".
fn entries(n: usize) -> String {
    if n == 1 { "1 entry".to_owned() } else { format!("{n} entries") }
}

/// "it" for one, "them" for more.
fn them(n: usize) -> &'static str {
    if n == 1 { "it" } else { "them" }
}

fn muted<'a>(s: String) -> Element<'a, Message> {
    text(s).size(13).style(style::muted).into()
}

impl Wizard {
    /// The current step; `accounts` gives the targets and their servers.
    pub fn view<'a>(&'a self, accounts: &'a [AccountState]) -> Element<'a, Message> {
        let steps = ["1 Files", "2 Preview", "3 Notifications", "4 Import", "5 Report"];
        let current = self.step as usize;
        let crumbs = row(steps.iter().enumerate().map(|(i, s)| {
            let t = text(*s).size(14);
            if i == current { t.into() } else { t.style(style::muted).into() }
        }))
        .spacing(16);
        let body = match self.step {
            Step::Files => files_view(self),
            Step::Preview => preview_view(accounts, self),
            Step::Scheduling => scheduling_view(accounts, self),
            Step::Running => running_view(self),
            Step::Report => report_view(self),
        };
        column![text("Import calendar files").size(22), crumbs, body].spacing(12).into()
    }
}

fn files_view(w: &Wizard) -> Element<'_, Message> {
    let mut list = column![].spacing(4);
    for f in &w.files {
        list = list.push(
            row![
                text(f.display().to_string()).width(Fill),
                button(text("Remove")).style(button::text).on_press(Message::Remove(f.clone()))
            ]
            .align_y(iced::Center),
        );
    }
    let status = if w.files.is_empty() {
        "Choose .ics files, or drop them on this window.".to_owned()
    } else if w.reading {
        "Reading…".to_owned()
    } else {
        match &w.batch {
            Some(b) => {
                let mut s = format!("{} can be imported", entries(b.items.len()));
                let flagged = b.items.iter().filter(|i| !i.flags.is_empty()).count();
                if flagged > 0 {
                    s.push_str(&format!(", {flagged} only if you confirm {}", them(flagged)));
                }
                let waiting = b.items.iter().filter(|i| !i.unknown_zones.is_empty()).count();
                if waiting > 0 {
                    s.push_str(&format!(", {waiting} once you choose a time zone for {}", them(waiting)));
                }
                if !b.bad.is_empty() {
                    s.push_str(&format!("; {} can't", b.bad.len()));
                }
                if flagged > 0 || waiting > 0 || !b.bad.is_empty() {
                    s.push_str(" (see the preview)");
                }
                s.push('.');
                s
            }
            None => String::new(),
        }
    };
    // Even a file with nothing importable goes on: the preview says why.
    let ready = w.batch.as_ref().is_some_and(|b| !b.items.is_empty() || !b.bad.is_empty());
    column![
        list,
        container(text(status)).id("import-files-status"),
        row![
            id_button("Choose files…", "import-choose", Some(Message::Choose)),
            primary("Next: preview".into(), "import-next", ready.then_some(Message::Next)),
            id_button("Close", "import-close", Some(Message::Close)),
        ]
        .spacing(8),
    ]
    .spacing(10)
    .into()
}

fn preview_view<'a>(accounts: &'a [AccountState], w: &'a Wizard) -> Element<'a, Message> {
    let targets = targets(accounts);
    let target =
        container(pick_list(targets, w.target.clone(), Message::Target).placeholder("Choose a calendar"))
            .id("import-target");
    let mut col = column![row![text("Import into"), target].spacing(8).align_y(iced::Center)].spacing(8);
    let Some(p) = &w.preview else {
        return col.push(text("Reading…")).into();
    };
    let range = match (p.first, p.last) {
        (Some(a), Some(b)) => format!(
            ", from {} to {}",
            a.with_timezone(&chrono::Local).format("%-d %b %Y"),
            b.with_timezone(&chrono::Local).format("%-d %b %Y")
        ),
        _ => String::new(),
    };
    col = col.push(
        container(text(format!("{} event(s) and {} task(s){range}.", p.events, p.tasks))).id("import-counts"),
    );
    if p.with_attendees > 0 {
        let people = if p.attendees == 1 { "1 person".to_owned() } else { format!("{} people", p.attendees) };
        col = col.push(text(format!(
            "{} of them have attendees ({people} in all). You organize {} and are invited to {}.",
            p.with_attendees, p.organizer_of, p.attendee_of
        )));
    } else {
        col = col.push(text("None of them lists attendees: nobody would be notified."));
    }
    match &w.existing {
        None if w.target.is_some() => col = col.push(muted("Checking the calendar for events it already holds…".into())),
        None => {}
        Some(_) if p.duplicates.is_empty() => col = col.push(text("None of them is in this calendar yet.")),
        Some(_) => {
            col = col.push(
                container(
                    checkbox(w.update_duplicates)
                        .label(format!(
                            "{} are already in this calendar: replace them with the file's version (otherwise they are skipped)",
                            p.duplicates.len()
                        ))
                        .on_toggle(Message::UpdateDuplicates),
                )
                .id("import-update-duplicates"),
            )
        }
    }
    if let Some(b) = &w.batch
        && !b.bad.is_empty()
    {
        let heading = if b.bad.len() == 1 {
            "1 entry can't be imported:".to_owned()
        } else {
            format!("{} can't be imported:", entries(b.bad.len()))
        };
        let mut bad = column![text(heading)].spacing(2);
        for entry in b.bad.iter().take(LIST_LIMIT) {
            bad = bad.push(text(entry.to_string()).size(13).style(style::changed));
        }
        if b.bad.len() > LIST_LIMIT {
            bad = bad.push(muted(format!("…and {} more (all are in the report)", b.bad.len() - LIST_LIMIT)));
        }
        col = col
            .push(container(scrollable(bad).height(iced::Length::Shrink)).max_height(220).id("import-bad"));
    }
    if let Some(b) = &w.batch {
        col = repairs_and_flags(col, w, b);
    }
    let ready = w.target.is_some() && w.existing.is_some() && p.total() > 0;
    col.push(
        row![
            id_button("Back", "import-back", Some(Message::Back)),
            primary("Next: notifications".into(), "import-next", ready.then_some(Message::Next)),
            id_button("Close", "import-close", Some(Message::Close)),
        ]
        .spacing(8),
    )
    .into()
}

/// What the reader mended, what waits for the person's yes (with the box
/// that gives it), and the lines it skipped.
fn repairs_and_flags<'a>(
    mut col: iced::widget::Column<'a, Message>,
    w: &'a Wizard,
    b: &'a crate::import::Batch,
) -> iced::widget::Column<'a, Message> {
    let repaired: Vec<_> = b.items.iter().filter(|i| !i.repairs.is_empty()).collect();
    if !repaired.is_empty() || !b.notes.is_empty() {
        // Padded on the right so the scroll bar covers no text.
        let mut list = column![text(format!("Repaired while reading ({}):", repaired.len()))]
            .spacing(2)
            .padding([0, 14]);
        for i in repaired.iter().take(LIST_LIMIT) {
            list = list.push(text(format!("{}: {}", i.place(), i.repairs.join("; "))).size(13));
        }
        for n in b.notes.iter().take(LIST_LIMIT) {
            list = list.push(muted(n.to_string()));
        }
        col = col.push(container(scrollable(list)).max_height(160).id("import-repairs"));
    }
    col = zone_pickers(col, w);
    let flagged: Vec<_> = b.items.iter().filter(|i| !i.flags.is_empty()).collect();
    if !flagged.is_empty() {
        let mut list = column![text(format!(
            "{} would make a server expand a huge or endless set; skipped unless you confirm {}:",
            entries(flagged.len()),
            them(flagged.len())
        ))]
        .spacing(2)
        .padding([0, 14]);
        for i in flagged.iter().take(LIST_LIMIT) {
            list = list
                .push(text(format!("{}: {}", i.place(), i.flags.join("; "))).size(13).style(style::changed));
        }
        col = col.push(container(scrollable(list)).max_height(160).id("import-flagged-list"));
        col = col.push(
            container(
                checkbox(w.import_flagged)
                    .label(if flagged.len() == 1 {
                        "Import this entry too".to_owned()
                    } else {
                        format!("Import these {} too", entries(flagged.len()))
                    })
                    .on_toggle(Message::ImportFlagged),
            )
            .id("import-flagged"),
        );
    }
    col
}

/// For each time-zone name nothing resolves: the entries that use it, and
/// a field that finds the zone it means among the database's names. Until
/// one is chosen those entries are not imported.
fn zone_pickers<'a>(
    mut col: iced::widget::Column<'a, Message>,
    w: &'a Wizard,
) -> iced::widget::Column<'a, Message> {
    let Some(read) = &w.read else { return col };
    for (k, (name, count)) in read.unknown_zones().into_iter().enumerate() {
        let chosen = w.zone_picks.get(&name).and_then(|p| p.chosen);
        let using = format!("{} {}", entries(count), if count == 1 { "uses it" } else { "use it" });
        let heading = match chosen {
            Some(tz) => format!("The time zone {name:?} is read as {}, as you chose ({using}).", tz.name()),
            None => format!(
                "The time zone {name:?} is unknown and the file doesn't define it ({using}). Which zone does it mean? {} imported once you choose.",
                if count == 1 { "The entry is" } else { "They are" }
            ),
        };
        let mut section = column![text(heading)].spacing(4);
        for i in read.items.iter().filter(|i| i.unknown_zones.contains(&name)).take(3) {
            section = section.push(muted(i.place()));
        }
        if count > 3 {
            section = section.push(muted(format!("…and {} more", count - 3)));
        }
        let filter = w.zone_picks.get(&name).map_or("", |p| p.filter.as_str());
        let matches = w.zone_matches(&name);
        let first = matches.first().map(|tz| Message::Zone(name.clone(), *tz));
        let field = text_input("Type a city or zone, e.g. Berlin or New York", filter)
            .on_input({
                let name = name.clone();
                move |t| Message::ZoneFilter(name.clone(), t)
            })
            .on_submit_maybe(first)
            .width(420);
        section = section.push(container(field).id(format!("import-zone-{k}")));
        let mut buttons = row![].spacing(6);
        for tz in matches.iter().take(ZONE_MATCHES) {
            let style = if chosen == Some(*tz) { button::primary } else { button::secondary };
            buttons = buttons.push(
                button(text(tz.name()).size(13)).style(style).on_press(Message::Zone(name.clone(), *tz)),
            );
        }
        if matches.len() > ZONE_MATCHES {
            buttons = buttons.push(muted("…type more to narrow".into()));
        } else if matches.is_empty() && !filter.trim().is_empty() {
            buttons = buttons.push(muted("No zone of the time-zone database has that in its name.".into()));
        }
        section = section.push(buttons.wrap());
        col = col.push(container(section).padding(8).style(container::bordered_box).width(Fill));
    }
    col
}

fn scheduling_view<'a>(accounts: &'a [AccountState], w: &'a Wizard) -> Element<'a, Message> {
    let mut col = column![text("Who should hear about these events?").size(16)].spacing(8);
    if w.preview.as_ref().is_some_and(|p| p.with_attendees == 0) {
        col = col.push(text(
            "None of these entries has attendees: nobody will be notified, whichever you choose.",
        ));
    }
    let choices = w.choices(accounts);
    if choices.is_empty() {
        col = col.push(text("This account has not reached its server yet; try again when it is online."));
    }
    for (mode, choice) in choices {
        let id = format!("import-mode-{}", mode.as_str());
        match choice {
            Ok(p) => {
                col = col.push(container(radio(mode_label(mode), mode, w.mode, Message::Mode)).id(id));
                if p.method != plan::Method::Plain {
                    col =
                        col.push(container(muted(format!("with {}", p.method.describe()))).padding([0, 28]));
                }
                if w.mode == Some(mode)
                    && let Some(warning) = p.warning
                {
                    col =
                        col.push(container(text(warning).size(13)).padding(6).style(container::bordered_box));
                }
            }
            Err(u) => {
                col = col.push(
                    container(column![
                        text(format!("○ {}", mode_label(mode))).style(style::muted),
                        muted(format!("Not available: {}.", u.reason)),
                    ])
                    .id(id),
                );
            }
        }
    }
    if let Some(addresses) = w.account(accounts).map(|a| a.addresses.clone())
        && addresses.len() > 1
    {
        col = col.push(
            row![
                text("Act as"),
                container(pick_list(addresses, w.as_address.clone(), Message::As)).id("import-as"),
            ]
            .spacing(8)
            .align_y(iced::Center),
        );
    } else if let Some(a) = &w.as_address {
        col = col.push(muted(format!("You act as {a}.")));
    }
    let confirm = w.needs_confirmation(accounts);
    if let Some(why) = &confirm {
        col = col.push(container(text(why.clone())).padding(6).style(container::danger).width(Fill));
        col = col.push(
            container(checkbox(w.confirmed).label("Send the invitations").on_toggle(Message::Confirm))
                .id("import-confirm"),
        );
    }
    // Entries held back until confirmed are not written.
    let count = w
        .batch
        .as_ref()
        .map_or(0, |b| b.items.iter().filter(|i| i.held_back(w.import_flagged).is_none()).count());
    let ready = w.mode.is_some() && (confirm.is_none() || w.confirmed);
    col.push(
        row![
            id_button("Back", "import-back", Some(Message::Back)),
            primary(format!("Import {}", entries(count)), "import-start", ready.then_some(Message::Start)),
        ]
        .spacing(8),
    )
    .into()
}

fn running_view(w: &Wizard) -> Element<'_, Message> {
    let (fraction, line) = match &w.progress {
        None => (0.0, "Checking the calendar…".to_owned()),
        Some(p) => (p.fraction(), progress_text(p)),
    };
    let cancel = if w.cancelling {
        muted("Stopping after the writes in flight…".into())
    } else {
        id_button("Cancel", "import-cancel", Some(Message::Cancel))
    };
    column![progress_bar(0.0..=1.0, fraction), container(text(line)).id("import-progress"), cancel]
        .spacing(10)
        .into()
}

/// "1200 of 2000 · 85 per second · about 10 s left"
pub fn progress_text(p: &Progress) -> String {
    let left = p.remaining().map(|d| format!(" · about {} left", duration(d))).unwrap_or_default();
    format!("{} of {} · {:.0} per second{left}", p.done, p.total, p.rate())
}

fn duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 90 { format!("{} min", s.div_ceil(60)) } else { format!("{s} s") }
}

fn report_view(w: &Wizard) -> Element<'_, Message> {
    let report = match &w.outcome {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            return column![
                container(text(format!("The import did not run: {e}")))
                    .padding(8)
                    .style(container::danger)
                    .width(Fill),
                row![
                    id_button("Back", "import-back", Some(Message::Back)),
                    id_button("Close", "import-close", Some(Message::Close)),
                ]
                .spacing(8),
            ]
            .spacing(10)
            .into();
        }
        None => return text("").into(),
    };
    let mut col = column![container(text(report.headline()).size(16)).id("import-headline")].spacing(8);
    if report.cancelled {
        col = col.push(text("Cancelled. Importing the same files again continues where it stopped."));
    }
    let mut rows = column![].spacing(2);
    let problems =
        report.entries.iter().filter(|e| matches!(e.outcome, Outcome::Failed(_) | Outcome::Skipped(_)));
    for e in problems.take(LIST_LIMIT) {
        let (word, why) = match &e.outcome {
            Outcome::Failed(r) => ("Failed", r),
            Outcome::Skipped(r) => ("Skipped", r),
            _ => continue,
        };
        let name = e.summary.as_deref().unwrap_or("(no title)");
        rows = rows.push(text(format!("{word}: {name} ({}:{}): {why}", e.file.display(), e.line)).size(13));
    }
    for b in report.bad.iter().take(LIST_LIMIT) {
        rows = rows.push(text(format!("Can't be read: {b}")).size(13).style(style::changed));
    }
    col = col.push(container(scrollable(rows)).max_height(300));
    if let Some(s) = &w.saved {
        col = col.push(muted(s.clone()));
    }
    let mut actions = row![id_button("Save report…", "import-save", Some(Message::SaveReport))].spacing(8);
    if report.cancelled || report.counts().failed > 0 {
        actions = actions.push(primary("Import the rest".into(), "import-again", Some(Message::Start)));
    }
    col.push(actions.push(primary("Done".into(), "import-done", Some(Message::Close)))).into()
}
