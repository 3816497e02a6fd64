//! A file that came by mail, opened in the window (`convene open`, a later
//! launch, a drop, the import wizard). [`route`] decides where it goes: a
//! plain calendar to the import wizard; an invitation already on the
//! person's server to its row in Invitations; one that is not to the
//! "Invitation by mail" [`Panel`], which adds it with the person's answer
//! (the account's actor does it, as `convene invitation-file` does) and
//! offers the METHOD:REPLY to mail back; a CANCEL or REPLY to the account
//! holding the event it is about.

use std::path::{Path, PathBuf};

use iced::widget::text::Wrapping;
use iced::widget::{button, column, container, pick_list, row, text, text_input};
use iced::{Element, Task};

use super::import::{Target, targets};
use super::{AccountState, Key, format, style};
use crate::ical::imip::{self, Message as Mailed, Method};
use crate::ical::{Answer, Identity};
use crate::sync::{Control, MailedAnswer, MailedDone};

/// Where an opened file goes.
#[derive(Debug)]
pub enum Route {
    /// No METHOD, or PUBLISH: the import wizard, as before.
    Import,
    /// An invitation the person's server holds already: answered there.
    Select(Key),
    /// An invitation not on the server: the panel.
    Panel(Box<Panel>),
    /// A CANCEL or REPLY, for the account holding its event.
    Apply { account: String, control: Control },
    /// Can't be acted on, with why.
    Refuse(String),
    /// No account has said what it holds yet (the window just opened):
    /// routed again when one has.
    Wait,
}

/// Where `text` (read from `file`) goes, by its METHOD and what the
/// accounts hold.
pub fn route(file: &Path, text: &str, accounts: &[AccountState]) -> Route {
    if imip::method(text) == Method::Import {
        return Route::Import;
    }
    let message = match Mailed::parse(text) {
        Ok(m) => m,
        Err(e) => return Route::Refuse(format!("{}: {e}", file.display())),
    };
    if accounts.is_empty() {
        return Route::Refuse(format!("{}: add an account first, then open it again", file.display()));
    }
    if accounts.iter().all(|a| a.calendars.is_empty()) {
        return Route::Wait;
    }
    let holder = accounts.iter().find(|a| {
        a.invitations.iter().any(|l| l.invitation.uid == message.uid)
            || a.agenda.iter().any(|i| i.occurrence.uid == message.uid)
    });
    match message.method {
        Method::Request => {
            let listed = accounts
                .iter()
                .find_map(|a| Some((a, a.invitations.iter().find(|l| l.invitation.uid == message.uid)?)));
            // A copy added from mail earlier is answered by mail again, in
            // the panel; one the server delivered, in Invitations.
            if let Some((a, l)) = listed {
                if l.by_mail {
                    let target = Target {
                        account: a.account.name.clone(),
                        calendar: l.calendar.clone(),
                        label: l.calendar_name.clone(),
                    };
                    return Route::Panel(Box::new(
                        Panel::open(file, text, &message, accounts).stored_in(target),
                    ));
                }
                return Route::Select(Key { account: a.account.name.clone(), uid: message.uid });
            }
            if targets(accounts).is_empty() {
                return Route::Refuse(format!(
                    "{}: an invitation, but no connected account has a calendar to add it to yet",
                    file.display()
                ));
            }
            Route::Panel(Box::new(Panel::open(file, text, &message, accounts)))
        }
        Method::Cancel | Method::Reply => {
            let Some(a) = holder.or_else(|| accounts.iter().find(|a| a.control.is_some())) else {
                return Route::Refuse(format!("{}: no connected account to apply it to", file.display()));
            };
            let control = Control::Mailed { file: file.to_path_buf(), text: text.to_owned(), answer: None };
            Route::Apply { account: a.account.name.clone(), control }
        }
        Method::Import => Route::Import,
    }
}

/// The panel's width.
const WIDTH: f32 = 560.0;
/// How a path (the reply file, where it was saved) wraps: where a word is
/// too long for the panel (a long UID in the file name), anywhere in it,
/// rather than running past the panel's edge.
const PATH_WRAPPING: Wrapping = Wrapping::WordOrGlyph;

/// Where the panel is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// The person picks a calendar and answers.
    Choosing,
    /// The account's actor is adding it.
    Adding(Answer),
    /// In the calendar; `reply` is the METHOD:REPLY to mail to the organizer.
    Added { answer: Answer, queued: bool, reply: PathBuf, subject: String },
    /// Not added (or, `stored`, not answered), with why; the answer
    /// buttons try again.
    Failed(String),
}

/// "Invitation by mail": what the file invites to, and where to add it.
#[derive(Debug)]
pub struct Panel {
    pub file: PathBuf,
    text: String,
    pub uid: String,
    pub summary: String,
    pub when: String,
    /// The organizer's address (where the reply goes), and name if given.
    pub organizer: String,
    pub organizer_name: Option<String>,
    pub location: Option<String>,
    pub targets: Vec<Target>,
    pub target: Option<Target>,
    pub comment: String,
    pub stage: Stage,
    /// What came of "Send by mail" or "Save reply…".
    pub note: Option<String>,
    /// Already in the calendar (added from mail earlier): answered there.
    pub stored: bool,
}

#[derive(Debug, Clone)]
pub enum Message {
    Target(Target),
    Comment(String),
    Answer(Answer),
    /// Hand the reply to the desktop's mail program.
    Mail,
    Mailed(Result<(), String>),
    SaveReply,
    Saved(Option<Result<PathBuf, String>>),
    Close,
}

/// What the app acts on.
#[derive(Debug)]
pub enum Event {
    /// Hand this to the account's actor (answered by `Update::Mailed`).
    Send {
        account: String,
        control: Control,
    },
    Close,
}

impl Panel {
    pub fn open(file: &Path, text: &str, message: &Mailed, accounts: &[AccountState]) -> Self {
        let me = Identity::new(accounts.iter().flat_map(|a| a.addresses.iter().map(String::as_str)));
        let inv = crate::ical::invitation::read(text, &me).ok().flatten();
        let targets = targets(accounts);
        // The calendar of an account the invitation is addressed to, else the first.
        let invited = message.attendees();
        let addressed = accounts
            .iter()
            .find(|a| a.addresses.iter().any(|x| invited.iter().any(|i| same(i, x))))
            .map(|a| a.account.name.clone());
        let target = addressed
            .and_then(|name| targets.iter().find(|t| t.account == name).cloned())
            .or_else(|| targets.first().cloned());
        Panel {
            file: file.to_path_buf(),
            text: text.to_owned(),
            uid: message.uid.clone(),
            summary: message.summary.clone().unwrap_or_else(|| "(no title)".into()),
            when: inv.as_ref().map(format::time_range).unwrap_or_default(),
            organizer: imip::address(&message.organizer).to_owned(),
            organizer_name: inv.as_ref().and_then(|i| i.organizer.as_ref()).and_then(|o| o.name.clone()),
            location: inv.and_then(|i| i.location),
            targets,
            target,
            comment: String::new(),
            stage: Stage::Choosing,
            note: None,
            stored: false,
        }
    }

    /// The panel for a copy added from mail earlier, in `target`'s calendar.
    pub fn stored_in(self, target: Target) -> Self {
        Panel { targets: vec![target.clone()], target: Some(target), stored: true, ..self }
    }

    pub fn update(&mut self, m: Message) -> (Task<Message>, Option<Event>) {
        match m {
            Message::Target(t) if self.stage == Stage::Choosing || matches!(self.stage, Stage::Failed(_)) => {
                self.target = Some(t)
            }
            Message::Target(_) => {}
            Message::Comment(c) => self.comment = c,
            Message::Answer(answer) => return (Task::none(), self.answer(answer)),
            Message::Mail => {
                if let Stage::Added { reply, subject, .. } = &self.stage {
                    let (reply, subject, to) = (reply.clone(), subject.clone(), self.organizer.clone());
                    let mail = async move {
                        tokio::task::spawn_blocking(move || crate::desktop::compose(&subject, &reply, &to))
                            .await
                            .map_err(|e| e.to_string())?
                    };
                    return (Task::perform(mail, Message::Mailed), None);
                }
            }
            Message::Mailed(r) => {
                self.note = Some(match r {
                    Ok(()) => format!("Handed to your mail program: send it to {}.", self.organizer),
                    Err(e) => {
                        format!("Not handed to a mail program ({e}): save the reply and mail it yourself.")
                    }
                })
            }
            Message::SaveReply => {
                if let Stage::Added { reply, .. } = &self.stage {
                    return (Task::perform(save_reply(reply.clone()), Message::Saved), None);
                }
            }
            Message::Saved(r) => match r {
                None => {}
                Some(Ok(path)) => self.note = Some(format!("Reply saved to {}.", path.display())),
                Some(Err(e)) => self.note = Some(format!("The reply was not saved: {e}")),
            },
            Message::Close => {
                // Closing while the actor adds it loses nothing: the outbox has it.
                return (Task::none(), Some(Event::Close));
            }
        }
        (Task::none(), None)
    }

    fn answer(&mut self, answer: Answer) -> Option<Event> {
        if matches!(self.stage, Stage::Adding(_) | Stage::Added { .. }) {
            return None;
        }
        let target = self.target.clone()?;
        let comment = Some(self.comment.trim().to_owned()).filter(|c| !c.is_empty());
        self.stage = Stage::Adding(answer);
        self.note = None;
        let control = Control::Mailed {
            file: self.file.clone(),
            text: self.text.clone(),
            answer: Some(MailedAnswer { calendar: target.calendar, answer, comment }),
        };
        Some(Event::Send { account: target.account, control })
    }

    /// The actor could not be reached: nothing is under way.
    pub fn not_sent(&mut self) {
        if matches!(self.stage, Stage::Adding(_)) {
            self.stage = Stage::Failed("the account is not connected yet".into());
        }
    }

    /// What the actor made of the answer.
    pub fn finished(&mut self, result: Result<MailedDone, String>) {
        let Stage::Adding(answer) = self.stage else { return };
        self.stage = match result {
            Ok(MailedDone::Added { queued, reply, subject, .. }) => {
                Stage::Added { answer, queued, reply, subject }
            }
            Ok(_) => Stage::Failed("The file is not an invitation.".into()),
            Err(e) => Stage::Failed(e),
        };
    }

    pub fn view(&self) -> Element<'_, Message> {
        let mut body = column![
            text("Invitation by mail").size(22),
            text(&self.summary).size(18),
            text(&self.when),
            text(match &self.organizer_name {
                Some(name) => format!("From {name} <{}>", self.organizer),
                None => format!("From {}", self.organizer),
            })
            .style(style::muted),
        ]
        .spacing(style::SPACE_M)
        .width(WIDTH);
        if let Some(l) = &self.location {
            body = body.push(text(format!("Where: {l}")).style(style::muted));
        }
        body = match &self.stage {
            Stage::Added { answer, queued, reply, .. } => {
                let place = self.target.as_ref().map(|t| t.to_string()).unwrap_or_default();
                let state = match (self.stored, *queued) {
                    (false, true) => "Saved, and added when the server is back",
                    (false, false) => "Added",
                    (true, true) => "Saved, and answered when the server is back",
                    (true, false) => "Answered",
                };
                let prep = if self.stored { "in" } else { "to" };
                body.push(text(format!(
                    "{state} {prep} {place}, your answer: {}. Your server tells nobody: mail the reply to {}.",
                    word(*answer),
                    self.organizer
                )))
                .push(
                    text(format!("Reply: {}", reply.display()))
                        .size(13)
                        .style(style::muted)
                        .wrapping(PATH_WRAPPING),
                )
                .push(
                    row![
                        id_button("Send by mail", "mailed-send", Some(Message::Mail), true),
                        id_button("Save reply…", "mailed-save", Some(Message::SaveReply), false),
                        id_button("Close", "mailed-close", Some(Message::Close), false),
                    ]
                    .spacing(style::SPACE_M),
                )
            }
            stage => {
                let adding = matches!(stage, Stage::Adding(_));
                let picker = pick_list(self.targets.as_slice(), self.target.clone(), Message::Target);
                let comment = text_input("Comment for the organizer (optional)", &self.comment)
                    .on_input_maybe((!adding).then_some(Message::Comment));
                let can = !adding && self.target.is_some();
                let answers = row![
                    id_button(
                        "Accept",
                        "mailed-accept",
                        can.then_some(Message::Answer(Answer::Accept)),
                        true
                    ),
                    id_button(
                        "Tentative",
                        "mailed-tentative",
                        can.then_some(Message::Answer(Answer::Tentative)),
                        false
                    ),
                    id_button(
                        "Decline",
                        "mailed-decline",
                        can.then_some(Message::Answer(Answer::Decline)),
                        false
                    ),
                    id_button("Close", "mailed-close", Some(Message::Close), false),
                ]
                .spacing(style::SPACE_M);
                let place: Element<'_, Message> = if self.stored {
                    let place = self.target.as_ref().map(|t| t.to_string()).unwrap_or_default();
                    text(format!("In your calendar {place}, added from mail earlier")).into()
                } else {
                    row![text("Add to"), picker].spacing(style::SPACE_M).into()
                };
                let mut b = body.push(place).push(comment).push(answers);
                match stage {
                    Stage::Adding(a) => {
                        let doing = if self.stored { "Answering it" } else { "Adding it" };
                        b = b.push(text(format!("{doing} with your answer {}…", word(*a))))
                    }
                    Stage::Failed(e) => b = b.push(self.failed_view(e)),
                    _ => {}
                }
                b
            }
        };
        if let Some(n) = &self.note {
            body = body.push(text(n).wrapping(PATH_WRAPPING));
        }
        container(body).padding(style::SPACE_XL).into()
    }
}

impl Panel {
    /// What went wrong, and what answering again does.
    fn failed_view<'a>(&self, why: &str) -> Element<'a, Message> {
        let place = self.target.as_ref().map(|t| t.to_string()).unwrap_or_default();
        let (what, next) = if self.stored {
            (
                format!("Your answer was not saved: {why}."),
                "Your copy keeps the answer it had, and no reply was written. Accept, Tentative or \
                 Decline sends that answer again.",
            )
        } else {
            (
                format!("Not added to {place}: {why}."),
                "It is not on the server, and no reply was written. Accept, Tentative or Decline \
                 tries adding it again, with that answer.",
            )
        };
        column![text(what).wrapping(PATH_WRAPPING), text(next).size(13).style(style::muted)]
            .spacing(style::SPACE_S)
            .into()
    }
}

fn id_button<'a>(
    label: &'a str,
    id: &'static str,
    msg: Option<Message>,
    primary: bool,
) -> Element<'a, Message> {
    let style = if primary { button::primary } else { button::secondary };
    container(button(text(label)).style(style).on_press_maybe(msg)).id(id).into()
}

fn word(a: Answer) -> &'static str {
    match a {
        Answer::Accept => "accepted",
        Answer::Tentative => "tentative",
        Answer::Decline => "declined",
        Answer::Delegate => "delegated",
    }
}

fn same(a: &str, b: &str) -> bool {
    crate::ical::identity::normalize(a) == crate::ical::identity::normalize(b)
}

/// Copies the reply where the person chooses.
async fn save_reply(reply: PathBuf) -> Option<Result<PathBuf, String>> {
    let name =
        reply.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "reply.ics".into());
    let file =
        rfd::AsyncFileDialog::new().set_file_name(name).add_filter("iCalendar", &["ics"]).save_file().await?;
    let to = file.path().to_path_buf();
    let copied = tokio::fs::copy(&reply, &to).await;
    Some(copied.map(|_| to).map_err(|e| e.to_string()))
}

/// Each file's text, off the UI thread; None for one that is too large or
/// can't be read as text (the import wizard says what is wrong with it).
pub async fn read(files: Vec<PathBuf>) -> Vec<(PathBuf, Option<String>)> {
    let list = files.clone();
    let read = tokio::task::spawn_blocking(move || {
        files
            .into_iter()
            .map(|f| {
                let small = std::fs::metadata(&f).is_ok_and(|m| m.is_file() && m.len() <= imip::MAX_BYTES);
                let text = small.then(|| std::fs::read_to_string(&f).ok()).flatten();
                (f, text)
            })
            .collect()
    })
    .await;
    read.unwrap_or_else(|_| list.into_iter().map(|f| (f, None)).collect())
}

#[cfg(test)]
mod tests {
    use iced_test::core::text::{self as core_text, Paragraph as _};

    use super::*;

    /// Review: a long reply path (an Outlook UID makes a file name of one
    /// 80-character word) ran past the panel's right edge.
    #[test]
    fn a_long_reply_path_wraps_within_the_panel() {
        let uid = "040000008200E00074C5B7101A82E00800000000A0F1C2D3E4F5D8010000000000000000100000";
        let line =
            format!("Reply: /home/someone/.local/share/convene/accounts/work/replies/{uid}-accepted.ics");
        let laid_out = <iced::Renderer as core_text::Renderer>::Paragraph::with_text(core_text::Text {
            content: line.as_str(),
            bounds: iced::Size::new(WIDTH, f32::INFINITY),
            size: 13.into(),
            line_height: core_text::LineHeight::default(),
            font: iced::Font::DEFAULT,
            align_x: core_text::Alignment::Default,
            align_y: iced::alignment::Vertical::Top,
            shaping: core_text::Shaping::default(),
            wrapping: PATH_WRAPPING,
        });
        let width = laid_out.min_bounds().width;
        assert!(width <= WIDTH, "{width} px wide in a {WIDTH} px panel");
    }
}
