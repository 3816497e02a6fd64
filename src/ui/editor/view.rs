//! The editor's form, and the questions it asks over it.

use chrono::Weekday;
use iced::widget::{
    Column, Row, button, checkbox, column, container, pick_list, row, scrollable, space, text, text_editor,
    text_input,
};
use iced::{Center, Color, Element, Fill};

use super::form::{self, Field};
use super::{Asking, Editor, Ends, Message, NO_TITLE, REMINDERS, Repeats, reminder_words};
use crate::ical::draft::Scope;
use crate::ui::style;

const LABEL: f32 = 100.0;

/// A reminder in a pick list, shown in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reminder(i64);

impl std::fmt::Display for Reminder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&reminder_words(self.0))
    }
}

impl Editor {
    pub fn view(&self) -> Element<'_, Message> {
        if let Some(asking) = self.asking {
            return self.question(asking);
        }
        // The actions stay in sight above the fields, which scroll.
        let mut header =
            row![text(self.title()).size(22).width(Fill)].spacing(style::SPACE_M).align_y(Center);
        if self.existing_item().is_some() {
            let delete = button(text("Delete")).on_press(Message::Delete).style(button::danger);
            header = header.push(id("editor-delete", delete));
        }
        let header = header
            .push(id(
                "editor-cancel",
                button(text("Cancel (Esc)")).on_press(Message::Cancel).style(button::text),
            ))
            .push(id(
                "editor-save",
                button(text("Save (Enter)")).on_press(Message::Save).style(button::primary),
            ));
        let mut col = column![].spacing(style::SPACE_M);
        if self.waiting() {
            col = col.push(text("Reading the event from the calendar…").style(style::muted));
        }
        let title = text_input(NO_TITLE, &self.form.title)
            .id("editor-title")
            .on_input(Message::Title)
            .on_submit(Message::Save)
            .size(style::TEXT_L);
        col = col.push(title);
        col = col.push(self.times());
        col = col.push(field("Calendar", self.calendar_pick()));
        col = col.push(field(
            "Where",
            input("editor-location", "Place or link", &self.form.location, Message::Location),
        ));
        col = col.push(field("Repeats", self.repeat()));
        col = col.push(field("Reminders", self.reminders()));
        col = col.push(field("Attendees", self.attendees()));
        let description = text_editor(self.description())
            .id("editor-description")
            .placeholder("Description")
            .on_action(Message::Description)
            .height(110);
        col = col.push(description);
        if let Some(p) = &self.problem {
            col = col.push(container(text(p.clone()).style(style::changed)).id("editor-problem"));
        }
        let body = scrollable(col.padding(iced::Padding { right: 16.0, ..iced::Padding::ZERO }))
            .height(iced::Length::Shrink);
        column![header, body].spacing(style::SPACE_L).into()
    }

    fn times(&self) -> Element<'_, Message> {
        let f = &self.form;
        let all_day = checkbox(f.all_day).label("All day").on_toggle(Message::AllDay);
        let end = |date, time| {
            let mut r = row![stepped(date, &self.form)].spacing(style::SPACE_M).align_y(Center);
            if !f.all_day {
                r = r.push(stepped(time, &self.form));
            }
            r
        };
        let mut col = column![
            field("Starts", end(Field::StartDate, Field::StartTime)),
            field("Ends", end(Field::EndDate, Field::EndTime)),
        ]
        .spacing(style::SPACE_S);
        if !f.all_day {
            col = col.push(field("Time zone", input("editor-zone", "Europe/Berlin", &f.zone, Message::Zone)));
        }
        column![field("", all_day), col].spacing(style::SPACE_S).into()
    }

    fn calendar_pick(&self) -> Element<'_, Message> {
        let colour = self.calendar.as_ref().map_or(Color::TRANSPARENT, |c| c.colour);
        let pick = pick_list(self.choices.as_slice(), self.calendar.as_ref(), Message::Calendar)
            .placeholder("No calendar takes events");
        row![swatch(colour), container(pick).id("editor-calendar")]
            .spacing(style::SPACE_S)
            .align_y(Center)
            .into()
    }

    fn repeat(&self) -> Element<'_, Message> {
        if self.on_occurrence() {
            let note =
                "One occurrence of a repeating event: saving asks which occurrences the change is for.";
            return text(note).size(style::TEXT_S).style(style::muted).into();
        }
        let f = &self.form;
        let mut col =
            column![pick_list(Repeats::ALL, Some(f.repeats), Message::Repeats)].spacing(style::SPACE_S);
        if f.repeats == Repeats::Weekly {
            let days = std::iter::successors(Some(Weekday::Mon), |d| Some(d.succ())).take(7).map(|day| {
                let on = f.weekdays.contains(&day);
                let label = text(day.to_string().chars().take(2).collect::<String>()).size(style::TEXT_S);
                let b = button(label).on_press(Message::Weekday(day, !on));
                id(
                    format!("editor-day-{day}"),
                    if on { b.style(button::primary) } else { b.style(button::secondary) },
                )
            });
            col = col.push(Row::from_iter(days).spacing(style::SPACE_XS));
        }
        if f.repeats != Repeats::Never {
            let mut ends = row![pick_list(Ends::ALL, Some(f.ends), Message::Ends)]
                .spacing(style::SPACE_S)
                .align_y(Center);
            ends = match f.ends {
                Ends::Never => ends,
                Ends::Until => {
                    ends.push(input("editor-until", "2030-12-31", &f.until, Message::Until).width(140))
                }
                Ends::Count => ends.push(input("editor-count", "10", &f.count, Message::Count).width(80)),
            };
            col = col.push(ends);
        }
        col.into()
    }

    fn reminders(&self) -> Element<'_, Message> {
        let chosen =
            self.form.reminders.iter().map(|m| chip(reminder_words(*m), Message::RemoveReminder(*m)));
        let offered: Vec<Reminder> =
            REMINDERS.into_iter().filter(|m| !self.form.reminders.contains(m)).map(Reminder).collect();
        let add =
            pick_list(offered, None::<Reminder>, |r| Message::AddReminder(r.0)).placeholder("Add a reminder");
        Row::from_iter(chosen).push(add).spacing(style::SPACE_S).align_y(Center).wrap().into()
    }

    fn attendees(&self) -> Element<'_, Message> {
        let chosen = Row::from_iter(
            self.form.attendees.iter().map(|a| chip(a.clone(), Message::RemoveAttendee(a.clone()))),
        )
        .spacing(style::SPACE_S)
        .wrap();
        let entry = text_input("Add by e-mail address", &self.attendee)
            .id("editor-attendee")
            .on_input(Message::AttendeeTyped)
            .on_submit(Message::AddAttendee(self.attendee.clone()));
        let suggestions = Column::from_iter(self.suggestions().into_iter().map(|a| {
            button(text(a.to_owned()).size(style::TEXT_S))
                .on_press(Message::AddAttendee(a.to_owned()))
                .style(button::text)
                .into()
        }));
        let busy = Column::from_iter(
            self.busy_lines().into_iter().map(|l| text(l).size(style::TEXT_S).style(style::muted).into()),
        );
        column![chosen, entry, suggestions, busy].spacing(style::SPACE_S).into()
    }

    /// "Which occurrences?", "Cancel the meeting?".
    fn question(&self, asking: Asking) -> Element<'_, Message> {
        let back = id("editor-back", button(text("Back")).on_press(Message::Back).style(button::text));
        let (title, note, buttons): (&str, &str, Vec<Element<'_, Message>>) = match asking {
            Asking::SaveScope | Asking::DeleteScope => {
                let r = self.recurrence_id().unwrap_or_default();
                let b = |label: &'static str, scope: Scope, key: &'static str| {
                    id(key, button(text(label)).on_press(Message::Scope(scope)).style(button::secondary))
                };
                let (title, note) = if asking == Asking::SaveScope {
                    ("Change a repeating event", "Which occurrences does the change apply to?")
                } else {
                    ("Delete a repeating event", "Which occurrences do you want to delete?")
                };
                let buttons = vec![
                    b("Only this one", Scope::ThisOne { recurrence_id: r.clone() }, "editor-scope-one"),
                    b(
                        "This and the following ones",
                        Scope::ThisAndFollowing { recurrence_id: r },
                        "editor-scope-following",
                    ),
                    b("All of them", Scope::All, "editor-scope-all"),
                ];
                (title, note, buttons)
            }
            Asking::DeleteMeeting => (
                "Delete a meeting you organize",
                "Cancelling tells the attendees it is off; deleting only removes it from your calendar.",
                vec![
                    id(
                        "editor-cancel-meeting",
                        button(text("Cancel the meeting"))
                            .on_press(Message::DeleteMeeting(true))
                            .style(button::danger),
                    ),
                    id(
                        "editor-delete-quietly",
                        button(text("Delete"))
                            .on_press(Message::DeleteMeeting(false))
                            .style(button::secondary),
                    ),
                ],
            ),
        };
        column![text(title).size(22), text(note), Row::from_iter(buttons).spacing(style::SPACE_M), back,]
            .spacing(style::SPACE_L)
            .into()
    }
}

/// A date or time field with − and + beside it, and the weekday after a date.
fn stepped<'a>(which: Field, f: &form::Form) -> Element<'a, Message> {
    let (value, key, width, placeholder) = match which {
        Field::StartDate => (&f.start_date, "editor-start-date", 110, "2030-06-04"),
        Field::EndDate => (&f.end_date, "editor-end-date", 110, "2030-06-04"),
        Field::StartTime => (&f.start_time, "editor-start-time", 64, "09:00"),
        Field::EndTime => (&f.end_time, "editor-end-time", 64, "10:00"),
    };
    let input = text_input(placeholder, value)
        .id(key)
        .on_input(move |t| Message::Text(which, t))
        .on_submit(Message::Save)
        .width(width);
    let step = |label: &'static str, n: i64| {
        button(text(label).size(style::TEXT_M))
            .padding([2.0, style::SPACE_S])
            .on_press(Message::Step(which, n))
            .style(button::secondary)
    };
    let mut r = row![input, step("−", -1), step("+", 1)].spacing(style::SPACE_XS).align_y(Center);
    if matches!(which, Field::StartDate | Field::EndDate)
        && let Some(d) = form::parse_date(value)
    {
        r = r.push(text(d.format("%a").to_string()).size(style::TEXT_S).style(style::muted).width(32));
    }
    r.into()
}

fn field<'a>(label: &'a str, value: impl Into<Element<'a, Message>>) -> Element<'a, Message> {
    row![text(label).width(LABEL).style(style::muted), container(value).width(Fill)]
        .spacing(style::SPACE_M)
        .align_y(Center)
        .into()
}

fn input<'a>(
    key: &'static str,
    placeholder: &str,
    value: &str,
    on: fn(String) -> Message,
) -> text_input::TextInput<'a, Message> {
    text_input(placeholder, value).id(key).on_input(on).on_submit(Message::Save)
}

/// A chosen value with × to remove it.
fn chip<'a>(label: String, remove: Message) -> Element<'a, Message> {
    let x = button(text("×").size(style::TEXT_S))
        .padding([0.0, style::SPACE_XS])
        .on_press(remove)
        .style(button::text);
    container(row![text(label).size(style::TEXT_S), x].spacing(style::SPACE_XS).align_y(Center))
        .padding([2.0, style::SPACE_S])
        .style(container::rounded_box)
        .into()
}

fn swatch<'a>(colour: Color) -> Element<'a, Message> {
    container(space().width(12).height(12))
        .style(move |_| container::Style {
            background: Some(colour.into()),
            border: iced::Border { radius: 6.0.into(), ..iced::Border::default() },
            ..container::Style::default()
        })
        .into()
}

fn id<'a>(key: impl Into<String>, content: impl Into<Element<'a, Message>>) -> Element<'a, Message> {
    container(content).id(key.into()).into()
}
