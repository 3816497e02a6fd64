//! Invitations that came by mail ([`crate::ical::imip`]) on this account:
//! a REQUEST not on the server yet is added to a calendar as the person's
//! answered copy, with `SCHEDULE-AGENT=CLIENT` on its organizer so the
//! server tells nobody (the answer goes back as a mailed METHOD:REPLY); a
//! REQUEST already on the server is answered through the outbox like any
//! invitation; a CANCEL marks the person's copy cancelled; a REPLY sets
//! the attendee's answer in the event the person organizes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use url::Url;

use super::engine::{Engine, EngineError};
use super::send::EventOutcome;
use crate::caldav::{self, Delete, Get, Precondition, Put, SchedulingHeaders};
use crate::ical::imip::{self, ImipError, Message, Method};
use crate::ical::{self, Answer, Reply, Role};
use crate::store::{EventChange, EventEntry, EventState};

/// How often a CANCEL or REPLY is re-applied when the copy changed on the
/// server between reading and writing it.
const REWRITES: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum MailedError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    File(#[from] ImipError),
    #[error("{uid} is not in your calendar (run `convene sync`?), so there is nothing to {what}")]
    NotThere { uid: String, what: &'static str },
    #[error("the {what} comes from {from}, but {uid} is organized by {organizer}: it is not applied")]
    WrongSender { what: &'static str, from: String, uid: String, organizer: String },
    #[error("{0} is organized by someone else, so a mailed answer to it is not yours to record")]
    NotOrganizer(String),
    #[error(
        "the answer answers version {answered} of {uid}, but your event is at version {now}: the attendee must answer the new version"
    )]
    OldAnswer { uid: String, answered: u32, now: u32 },
    #[error(
        "the file is version {file} of {uid}, newer than the copy in your calendar (version {stored}); Convene can't update a copy from mail yet: remove it (convene remove needs it cancelled) or update it in the app that sent it"
    )]
    NewerVersion { uid: String, file: u32, stored: u32 },
    #[error("the file can't be added: {0}")]
    Unreadable(String),
    #[error("the server refused the change: {0}")]
    Refused(caldav::Error),
    #[error("{uid} kept changing on the server while the {what} was applied; try again")]
    KeptChanging { uid: String, what: &'static str },
    #[error("the file is not an invitation, a cancellation or an answer: import it instead")]
    NotMailed,
    #[error("{0} is an invitation: answer accept, tentative or decline")]
    NoAnswer(String),
    #[error("{0} is in your calendar already: answer it in Invitations")]
    OnServer(String),
    #[error("the server did not take it: {0}")]
    NotAdded(String),
    #[error("it is in your calendar, but the reply to mail was not written to {}: {why}", .path.display())]
    ReplyNotWritten { path: PathBuf, why: String },
}

/// What a mailed CANCEL did to the person's copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancelled {
    /// Marked STATUS:CANCELLED.
    Marked,
    /// It was cancelled already.
    Already,
    /// The server lets an attendee not mark it, so the copy (added from
    /// mail) was removed.
    Removed,
}

/// Where a cached event is: its calendar, address and text.
#[derive(Debug, Clone)]
pub struct Stored {
    pub calendar: Url,
    pub url: Url,
    pub data: String,
}

impl Engine {
    /// The person's cached copy of the event with this UID, if any.
    pub fn stored(&self, uid: &str) -> Result<Option<Stored>, EngineError> {
        match self.event_by_uid(uid) {
            Ok((calendar, url, data)) => Ok(Some(Stored { calendar, url, data })),
            Err(EngineError::UnknownEventUid(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Where reply files are kept when the person names no place.
    pub fn replies_dir(&self) -> PathBuf {
        self.files.imports_dir.with_file_name("replies")
    }

    /// Which of the invited addresses is the person (see [`Engine::queue`]
    /// for the same choice on a cached invitation).
    pub fn invited_as(&self, message: &Message, chosen: Option<&str>) -> Result<String, EngineError> {
        let attendees = message.attendees();
        if let Some(c) = chosen {
            return attendees
                .iter()
                .find(|a| ical::identity::normalize(a) == ical::identity::normalize(c))
                .cloned()
                .ok_or_else(|| EngineError::NotListed {
                    uid: message.uid.clone(),
                    attendees: attendees.clone(),
                });
        }
        let me = self.identity();
        if me.is_me(&message.organizer) {
            return Err(EngineError::NotInvitation(message.uid.clone()));
        }
        let mut mine: Vec<String> = attendees.iter().filter(|a| me.is_me(a)).cloned().collect();
        mine.dedup();
        match mine.len() {
            1 => Ok(mine.remove(0)),
            0 => Err(EngineError::NotListed { uid: message.uid.clone(), attendees }),
            _ => Err(EngineError::SeveralAddresses(mine)),
        }
    }

    /// Puts the person's answered copy of a mailed invitation (`data`:
    /// the file's event ready to store) in the outbox as a new event of
    /// `calendar`: written with `If-None-Match: *`, so it never replaces
    /// anything, and kept through a crash or an offline spell.
    pub fn queue_mailed(
        &mut self,
        calendar: &Url,
        uid: &str,
        data: &str,
        reply: &Reply,
    ) -> Result<EventEntry, MailedError> {
        self.writable(calendar)?;
        let answered = ical::reply::apply(data, reply).map_err(EngineError::from)?;
        let marked = imip::mark_organizer_client(&answered)?;
        let url = crate::import::run::resource_url(calendar, uid);
        let entry = EventEntry {
            format: crate::store::outbox::FORMAT,
            uid: uid.to_owned(),
            calendar: calendar.clone(),
            change: EventChange::Create,
            base: caldav::Object { url: url.clone(), etag: None, schedule_tag: None, data: marked },
            state: EventState::Pending { last_error: None },
            created: chrono::Utc::now().timestamp_millis(),
        };
        self.outbox.put_event(&entry).map_err(EngineError::from)?;
        // Shown at once, like a new event of the person's own.
        let shown =
            self.cache.put_object(calendar, &url, entry.base.clone().into()).and_then(|()| self.save_cache());
        if let Err(e) = shown {
            tracing::warn!("cache not saved after adding a mailed invitation: {e}");
        }
        Ok(entry)
    }

    /// Refuses a REQUEST that is a newer version than the person's copy
    /// added from mail (its organizer's update); answering the old copy
    /// would answer a meeting that no longer is.
    pub fn check_not_newer(&self, message: &Message, stored: &Stored) -> Result<(), MailedError> {
        let now = imip::stored_sequence(&stored.data).unwrap_or(0);
        if imip::answered_by_mail(&stored.data) && message.sequence > now {
            return Err(MailedError::NewerVersion {
                uid: message.uid.clone(),
                file: message.sequence,
                stored: now,
            });
        }
        Ok(())
    }

    /// Applies a mailed CANCEL to the person's copy: marked cancelled, or
    /// (where the server forbids an attendee that edit, as Xandikos does
    /// even with SCHEDULE-AGENT=CLIENT) removed, when it is a copy added
    /// from mail, which the server never told anyone about.
    pub async fn apply_mailed_cancel(&mut self, message: &Message) -> Result<Cancelled, MailedError> {
        let stored = self.stored_for(message, "cancel")?;
        let inv = ical::invitation::read(&stored.data, &self.identity()).map_err(ImipError::from)?;
        if let Some(organizer) = inv.as_ref().and_then(|i| i.organizer.as_ref()) {
            same_sender(message, &organizer.address, "cancel")?;
        }
        if inv.is_some_and(|i| i.cancelled) && message.recurrence_id.is_none() {
            return Ok(Cancelled::Already);
        }
        let marked = self
            .rewrite(&message.uid, &stored, "cancel", SchedulingHeaders::default(), |data| {
                imip::apply_cancel(data, message)
            })
            .await;
        match marked {
            Ok(()) => Ok(Cancelled::Marked),
            Err(MailedError::Refused(caldav::Error::AttendeeChangeForbidden))
                if imip::answered_by_mail(&stored.data) && message.recurrence_id.is_none() =>
            {
                self.remove_mailed(&stored).await?;
                Ok(Cancelled::Removed)
            }
            Err(e) => Err(e),
        }
    }

    /// Deletes a copy added from mail (no decline: `Schedule-Reply: F`,
    /// and its organizer is the client's to tell anyway).
    async fn remove_mailed(&mut self, stored: &Stored) -> Result<(), MailedError> {
        let current =
            self.client.run(&Get { url: stored.url.clone() }).await.map_err(MailedError::Refused)?;
        let precondition = current.etag.clone().map_or(Precondition::None, Precondition::IfMatch);
        let scheduling = SchedulingHeaders { schedule_reply: Some(false), ..SchedulingHeaders::default() };
        let delete = Delete { url: stored.url.clone(), precondition, scheduling };
        self.client.run(&delete).await.map_err(MailedError::Refused)?;
        let removed = [stored.url.clone()].into_iter().collect();
        let saved =
            self.cache.apply(&stored.calendar, &removed, Vec::new(), None).and_then(|_| self.save_cache());
        if let Err(e) = saved {
            tracing::warn!("cache not saved after removing a cancelled copy: {e}");
        }
        Ok(())
    }

    /// Records an attendee's mailed answer in the event the person
    /// organizes. On a server that can be told not to schedule (Cyrus's
    /// header) the write is kept quiet; elsewhere the server does with it
    /// what it does with any organizer write.
    pub async fn apply_mailed_reply(&mut self, message: &Message) -> Result<(), MailedError> {
        let stored = self.stored_for(message, "record")?;
        let inv = ical::invitation::read(&stored.data, &self.identity())
            .map_err(ImipError::from)?
            .ok_or(ImipError::NoEvent)?;
        if inv.role != Role::Organizer {
            return Err(MailedError::NotOrganizer(message.uid.clone()));
        }
        if let Some(organizer) = &inv.organizer {
            same_sender(message, &organizer.address, "answer")?;
        }
        let now = imip::stored_sequence(&stored.data).unwrap_or(0);
        if message.sequence < now {
            return Err(MailedError::OldAnswer { uid: message.uid.clone(), answered: message.sequence, now });
        }
        let quiet = self.capabilities().is_some_and(|c| c.cyrus_scheduling_enabled.is_true());
        let headers = SchedulingHeaders {
            cyrus_scheduling_enabled: quiet.then_some(false),
            ..SchedulingHeaders::default()
        };
        self.rewrite(&message.uid, &stored, "answer", headers, |data| imip::apply_reply(data, message)).await
    }

    fn stored_for(&self, message: &Message, what: &'static str) -> Result<Stored, MailedError> {
        self.stored(&message.uid)?.ok_or_else(|| MailedError::NotThere { uid: message.uid.clone(), what })
    }

    /// Writes `change` of the server's current copy back, on condition of
    /// its ETag (re-read and re-applied when it moved meanwhile), and
    /// caches what the server then holds.
    async fn rewrite(
        &mut self,
        uid: &str,
        stored: &Stored,
        what: &'static str,
        scheduling: SchedulingHeaders,
        change: impl Fn(&str) -> Result<String, ImipError>,
    ) -> Result<(), MailedError> {
        for _ in 0..REWRITES {
            let current =
                self.client.run(&Get { url: stored.url.clone() }).await.map_err(MailedError::Refused)?;
            let data = change(&current.data)?;
            if data == current.data {
                return self.recache(stored, current);
            }
            let precondition = match (&current.etag, &current.schedule_tag) {
                (Some(e), _) => Precondition::IfMatch(e.clone()),
                (None, Some(t)) => Precondition::IfScheduleTagMatch(t.clone()),
                (None, None) => Precondition::None,
            };
            let put = Put { url: stored.url.clone(), data, precondition, scheduling: scheduling.clone() };
            match self.client.run(&put).await {
                Ok(_) => {
                    let now = self.client.run(&Get { url: stored.url.clone() }).await;
                    return match now {
                        Ok(o) => self.recache(stored, o),
                        // Written; the next sync brings the copy.
                        Err(e) => {
                            tracing::warn!("not re-read after a write: {e}");
                            Ok(())
                        }
                    };
                }
                Err(caldav::Error::EtagMismatch | caldav::Error::ScheduleTagMismatch) => continue,
                Err(e) => return Err(MailedError::Refused(e)),
            }
        }
        Err(MailedError::KeptChanging { uid: uid.to_owned(), what })
    }

    fn recache(&mut self, stored: &Stored, object: caldav::Object) -> Result<(), MailedError> {
        let saved = self
            .cache
            .put_object(&stored.calendar, &stored.url, object.into())
            .and_then(|()| self.save_cache());
        if let Err(e) = saved {
            tracing::warn!("cache not saved after a mailed change: {e}");
        }
        Ok(())
    }
}

/// The person's answer to a mailed invitation not on the server yet, from
/// the window's "Invitation by mail" panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailedAnswer {
    /// The calendar to add it to.
    pub calendar: Url,
    pub answer: Answer,
    pub comment: Option<String>,
}

/// What a mailed file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailedDone {
    /// The invitation is in the calendar with the answer (`queued`: in the
    /// outbox, written when the server is back); `reply` is the
    /// METHOD:REPLY to mail to `organizer`, `subject` the mail's subject.
    Added {
        queued: bool,
        reply: PathBuf,
        organizer: String,
        subject: String,
    },
    Cancelled(Cancelled),
    /// The attendees' answers (address, PARTSTAT) recorded.
    Recorded(Vec<(String, String)>),
}

/// What [`Engine::act_on_mailed`] did, and why the answer waits in the
/// outbox when that is because the server can't be reached (the account is
/// offline then, as after any other send that found it so).
#[derive(Debug)]
pub struct MailedOutcome {
    pub done: MailedDone,
    pub unreachable: Option<super::Failure>,
}

impl From<MailedDone> for MailedOutcome {
    fn from(done: MailedDone) -> Self {
        MailedOutcome { done, unreachable: None }
    }
}

impl Engine {
    /// Acts on a mailed file as the window asks (`file` names it in
    /// errors): a REQUEST not on the server is added with `answer` and its
    /// reply written into the replies folder; a CANCEL or REPLY is applied
    /// to the copy it is about. A REQUEST for a copy added from mail earlier
    /// is answered on that copy and by a reply file (the server tells
    /// nobody); one the server delivered is refused here: it is answered
    /// like any invitation (`Control::Reply`).
    pub async fn act_on_mailed(
        &mut self,
        file: &Path,
        text: &str,
        answer: Option<MailedAnswer>,
    ) -> Result<MailedOutcome, MailedError> {
        let message = Message::parse(text)?;
        match message.method {
            Method::Request => {
                let Some(a) = answer else { return Err(MailedError::NoAnswer(message.uid)) };
                // A copy whose addition the server refused is added again
                // (a copy elsewhere, the server's own, is not that one).
                let refused = self.refused_addition(&message.uid);
                let stored = self.stored(&message.uid)?;
                let is_refused = |s: &Stored| refused.as_ref().is_some_and(|e| e.base.url == s.url);
                if let Some(stored) = stored.filter(|s| !is_refused(s)) {
                    if !imip::answered_by_mail(&stored.data) {
                        return Err(MailedError::OnServer(message.uid));
                    }
                    return self.answer_by_mail(&message, &stored, &a).await;
                }
                let me = self.invited_as(&message, None)?;
                let reply = Reply {
                    answer: a.answer,
                    comment: a.comment.clone(),
                    occurrence: None,
                    me: me.clone(),
                    silent: false,
                    delegate: None,
                };
                if let Some(old) = refused {
                    self.forget_refused_copy(&old, &a.calendar);
                }
                let unreachable = match self.add_mailed(file, text, &message, &a.calendar, &reply).await? {
                    EventOutcome::Saved { .. } => None,
                    EventOutcome::Queued { error, offline } => Some(offline.then_some(error)),
                    EventOutcome::Failed { error } => return Err(MailedError::NotAdded(error.to_string())),
                    EventOutcome::Conflict { .. } => {
                        return Err(MailedError::NotAdded("it changed on the server".into()));
                    }
                };
                let reply =
                    self.write_mailed_reply(text, &me, a.answer, a.comment.as_deref(), &message, None)?;
                let done = MailedDone::Added {
                    queued: unreachable.is_some(),
                    reply,
                    organizer: imip::address(&message.organizer).to_owned(),
                    subject: imip::reply_subject(a.answer, &message),
                };
                Ok(MailedOutcome { done, unreachable: unreachable.flatten() })
            }
            Method::Cancel => Ok(MailedDone::Cancelled(self.apply_mailed_cancel(&message).await?).into()),
            Method::Reply => {
                self.apply_mailed_reply(&message).await?;
                Ok(MailedDone::Recorded(message.answers()).into())
            }
            Method::Import => Err(MailedError::NotMailed),
        }
    }

    /// Answers a copy added from mail earlier (not when the file is a newer
    /// version of it): on the copy, through the reply outbox, and in a
    /// reply file to mail, as for a new one.
    async fn answer_by_mail(
        &mut self,
        message: &Message,
        stored: &Stored,
        a: &MailedAnswer,
    ) -> Result<MailedOutcome, MailedError> {
        self.check_not_newer(message, stored)?;
        let me = self.invited_as(message, None)?;
        self.queue(&message.uid, a.answer, a.comment.clone(), None, Some(&me), false)?;
        let unreachable = match self.send(&message.uid).await? {
            super::Outcome::Sent { .. } => None,
            super::Outcome::Pending { error, offline } => Some(offline.then_some(error)),
            super::Outcome::Conflict { .. } => {
                return Err(MailedError::NotAdded(
                    "it changed on the server: answer it in Invitations".into(),
                ));
            }
            super::Outcome::Failed { error } => return Err(MailedError::NotAdded(error.to_string())),
        };
        let reply =
            self.write_mailed_reply(&stored.data, &me, a.answer, a.comment.as_deref(), message, None)?;
        let done = MailedDone::Added {
            queued: unreachable.is_some(),
            reply,
            organizer: imip::address(&message.organizer).to_owned(),
            subject: imip::reply_subject(a.answer, message),
        };
        Ok(MailedOutcome { done, unreachable: unreachable.flatten() })
    }

    /// The outbox's addition of `uid` from mail that the server refused
    /// (failed, never on the server), if any: its copy in the cache is only
    /// local, and answering again adds it again rather than answering a
    /// copy the server does not have.
    fn refused_addition(&self, uid: &str) -> Option<EventEntry> {
        let entry = self.outbox.get_event(uid).unwrap_or_else(|e| {
            tracing::warn!("outbox not read: {e}");
            None
        });
        entry.filter(|e| {
            matches!(e.change, EventChange::Create) && matches!(e.state, EventState::Failed { .. })
        })
    }

    /// Added again to another calendar: the refused copy shown in the old
    /// one goes (the new addition replaces its outbox entry, so nothing
    /// else would ever remove it).
    fn forget_refused_copy(&mut self, old: &EventEntry, calendar: &Url) {
        if &old.calendar == calendar {
            return;
        }
        let gone = BTreeSet::from([old.base.url.clone()]);
        if let Err(e) = self.cache.apply(&old.calendar, &gone, Vec::new(), None) {
            tracing::warn!("the refused copy of {} was not removed: {e}", old.uid);
        }
    }

    /// Adds a mailed invitation not on the server yet to `calendar` as the
    /// person's answered copy ([`Engine::queue_mailed`]) and sends it.
    pub async fn add_mailed(
        &mut self,
        file: &Path,
        text: &str,
        message: &Message,
        calendar: &Url,
        reply: &Reply,
    ) -> Result<EventOutcome, MailedError> {
        let data = storable(file, text, &message.uid)?;
        self.queue_mailed(calendar, &message.uid, &data, reply)?;
        Ok(self.send_event(&message.uid).await?)
    }

    /// Writes the METHOD:REPLY for the organizer of `request` to `save`,
    /// else into the replies folder; returns where.
    pub fn write_mailed_reply(
        &self,
        request: &str,
        me: &str,
        answer: Answer,
        comment: Option<&str>,
        message: &Message,
        save: Option<&Path>,
    ) -> Result<PathBuf, MailedError> {
        let text = imip::reply_text(request, me, answer, comment, chrono::Utc::now())?;
        let path = match save {
            Some(p) => p.to_path_buf(),
            None => {
                let name: String = message
                    .uid
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
                    .take(80)
                    .collect();
                self.replies_dir().join(format!("{name}-{}.ics", answer.partstat().to_ascii_lowercase()))
            }
        };
        let written = (|| {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let partial = path.with_extension("ics.partial");
            std::fs::write(&partial, &text)?;
            std::fs::rename(&partial, &path)
        })();
        written.map_err(|e| MailedError::ReplyNotWritten { path: path.clone(), why: e.to_string() })?;
        Ok(path)
    }
}

/// The file's event as the server should store it (no METHOD, its time
/// zones, what the import mends mended), refused with the import's reason.
fn storable(file: &Path, text: &str, uid: &str) -> Result<String, MailedError> {
    let batch = crate::import::source::parse(file, text);
    if let Some(bad) = batch.bad.first() {
        return Err(MailedError::Unreadable(bad.to_string()));
    }
    let item = batch.items.into_iter().find(|i| i.uid == uid);
    let item =
        item.ok_or_else(|| MailedError::Unreadable(format!("{} holds no event {uid}", file.display())))?;
    if let Some(why) = item.held_back(false) {
        return Err(MailedError::Unreadable(why));
    }
    Ok(item.data)
}

/// A CANCEL must come from the event's organizer, a REPLY be addressed to
/// it: a file from anyone else changes nothing.
fn same_sender(message: &Message, organizer: &str, what: &'static str) -> Result<(), MailedError> {
    if ical::identity::normalize(&message.organizer) == ical::identity::normalize(organizer) {
        return Ok(());
    }
    Err(MailedError::WrongSender {
        what,
        from: message.organizer.clone(),
        uid: message.uid.clone(),
        organizer: organizer.to_owned(),
    })
}

#[cfg(test)]
mod tests;
