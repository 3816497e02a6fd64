//! The person's answers: queued in the outbox from the copy they saw,
//! checked against what the server can honour, and sent.

use super::engine::{Engine, EngineError};
use super::listing::Listing;
use super::send::{self, Outcome};
use crate::ical::{self, Answer, Reply, Role};
use crate::store::{Entry, EntryState};

impl Engine {
    /// Which attendee address answers: the one the event lists for the
    /// user, or the person's explicit choice among the candidates.
    fn answering_as(listing: &Listing, chosen: Option<&str>) -> Result<String, EngineError> {
        let inv = &listing.invitation;
        let attendees: Vec<String> = inv.attendees.iter().map(|a| a.address.clone()).collect();
        let pick = |candidates: &[String], chosen: &str| {
            candidates
                .iter()
                .find(|c| ical::identity::normalize(c) == ical::identity::normalize(chosen))
                .cloned()
        };
        match (&inv.role, chosen) {
            (Role::Invited { me }, None) => Ok(me.clone()),
            (Role::Invited { .. } | Role::SeveralAddresses { .. } | Role::NotListed, Some(c)) => {
                pick(&attendees, c).ok_or_else(|| EngineError::NotListed {
                    uid: inv.uid.clone(),
                    attendees: attendees.clone(),
                })
            }
            (Role::SeveralAddresses { candidates }, None) => {
                Err(EngineError::SeveralAddresses(candidates.clone()))
            }
            (Role::NotListed, None) => Err(EngineError::NotListed { uid: inv.uid.clone(), attendees }),
            _ => Err(EngineError::NotInvitation(inv.uid.clone())),
        }
    }

    /// Writes the person's answer to the outbox, based on the cached copy
    /// they saw. Nothing is sent yet; the entry survives any crash.
    /// `silent`: "don't send", refused here where the server would tell the
    /// organizer anyway.
    pub fn queue(
        &mut self,
        uid: &str,
        answer: Answer,
        comment: Option<String>,
        occurrence: Option<String>,
        chosen: Option<&str>,
        silent: bool,
    ) -> Result<Entry, EngineError> {
        let listing = self.invitation(uid)?;
        self.queue_reply(listing, chosen, |me| Reply {
            answer,
            comment,
            occurrence,
            me,
            silent,
            delegate: None,
        })
    }

    /// Delegates the invitation to `to` (an address, `mailto:` or not):
    /// the person's PARTSTAT becomes DELEGATED and the delegate is added,
    /// through the same outbox and sending as an answer. Whether the server
    /// invites the delegate is [`Engine::delegation_note`].
    pub fn queue_delegation(
        &mut self,
        uid: &str,
        to: &str,
        comment: Option<String>,
        chosen: Option<&str>,
    ) -> Result<Entry, EngineError> {
        let to = ical::delegation::delegate_address(to)?;
        let listing = self.invitation(uid)?;
        self.check_delegation_change(&listing, &to)?;
        self.queue_reply(listing, chosen, |me| Reply {
            answer: Answer::Delegate,
            comment,
            occurrence: None,
            me,
            silent: false,
            delegate: Some(to),
        })
    }

    /// A delegation to someone else than the person delegated to before,
    /// where the server refuses that change: refused up front, saying why.
    fn check_delegation_change(&self, listing: &Listing, to: &str) -> Result<(), EngineError> {
        let Some(why) = self.capabilities().and_then(|c| c.delegation_change_refused()) else {
            return Ok(());
        };
        let earlier = listing.invitation.my_delegate().map(str::to_owned);
        let same = |was: &str| {
            was.split(", ").any(|w| ical::identity::normalize(w) == ical::identity::normalize(to))
        };
        match earlier {
            Some(was) if !same(&was) => Err(EngineError::DelegationUnchangeable {
                to: was.trim_start_matches("mailto:").to_owned(),
                why,
            }),
            _ => Ok(()),
        }
    }

    /// What the person must do themselves after delegating to `to`: forward
    /// the invitation where the server won't invite the delegate (measured
    /// per server), with the reason; None where it will.
    pub fn delegation_note(&self, to: &str) -> Option<String> {
        match self.capabilities() {
            Some(caps) => caps.delegation_note(to),
            None => Some(format!(
                "the server has not been reached yet, so whether it invites {} is not known",
                to.strip_prefix("mailto:").unwrap_or(to)
            )),
        }
    }

    /// The invitation being answered: looked up once per answer (the
    /// lookup reads the outbox and judges its conflicts).
    fn invitation(&self, uid: &str) -> Result<Listing, EngineError> {
        #[cfg(test)]
        self.lookups.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.find(uid)
    }

    /// Queues the reply `make` builds for the address the person answers
    /// as, on `listing` (the invitation answered).
    fn queue_reply(
        &mut self,
        listing: Listing,
        chosen: Option<&str>,
        make: impl FnOnce(String) -> Reply,
    ) -> Result<Entry, EngineError> {
        let uid = listing.invitation.uid.as_str();
        let reply = make(Self::answering_as(&listing, chosen)?);
        let (_, cached) =
            self.cache.object(&listing.url)?.ok_or_else(|| EngineError::UnknownUid(uid.to_owned()))?;
        if reply.occurrence.is_some() {
            self.check_occurrence_support(&listing)?;
        }
        if reply.silent {
            let caps = self.capabilities().ok_or(EngineError::NoCapabilities)?;
            caps.silent_reply().map_err(EngineError::SilentUnsupported)?;
        } else {
            self.check_untold(uid, &cached.data, &reply)?;
        }
        // Refuse now what can never apply (wrong occurrence, not an attendee).
        ical::reply::apply(&cached.data, &reply)?;
        let entry = Entry {
            format: crate::store::outbox::FORMAT,
            uid: uid.to_owned(),
            calendar: listing.calendar.clone(),
            reply,
            base: cached.to_object(&listing.url),
            state: EntryState::Pending { last_error: None },
            created: super::now(),
        };
        self.outbox.put(&entry)?;
        // Answered: what the person answered is what they saw. (Queued
        // whatever comes of this: at worst the list says "updated" again.)
        self.mark_base_seen(uid, &cached.data);
        Ok(entry)
    }

    /// The same answer again, now to be told, after it was given without
    /// telling: a scheduling server sees no change on the copy and tells
    /// the organizer nothing (Cyrus 3.6.1, measured), so it would be
    /// reported sent and never arrive. Refused, saying why.
    fn check_untold(&self, uid: &str, cached: &str, reply: &Reply) -> Result<(), EngineError> {
        let scheduling = self.capabilities().is_some_and(|c| c.implicit_scheduling.is_true());
        let untold = self.outbox.untold(uid)?;
        let same = untold.answers.iter().any(|(occ, partstat)| {
            *occ == reply.occurrence && partstat.eq_ignore_ascii_case(reply.answer.partstat())
        });
        let on_copy = ical::reply::is_applied(cached, &Reply { comment: None, ..reply.clone() });
        if scheduling && same && on_copy {
            return Err(EngineError::SameAnswerUntold(reply.answer.partstat().to_ascii_lowercase()));
        }
        Ok(())
    }

    /// An occurrence answer the organizer would never see is a lost answer:
    /// refuse it up front, saying why.
    fn check_occurrence_support(&self, listing: &Listing) -> Result<(), EngineError> {
        let Some(caps) = self.capabilities() else { return Ok(()) };
        if caps.occurrence_replies.value == Some(false) {
            return Err(EngineError::OccurrenceUnsupported(caps.server.describe()));
        }
        let counted = listing
            .invitation
            .recurrence
            .as_deref()
            .is_some_and(|r| r.to_ascii_uppercase().contains("COUNT="));
        if caps.occurrence_replies_need_until && counted {
            return Err(EngineError::OccurrenceUnsupported(format!(
                "{} drops such answers for a series limited by COUNT",
                caps.server.describe()
            )));
        }
        Ok(())
    }

    /// Answers again after a conflict (on the server's new version) or a
    /// refusal (on the same base; the send re-reads the server's copy if it
    /// moved), optionally with a changed answer.
    pub fn resend(
        &mut self,
        uid: &str,
        answer: Option<Answer>,
        comment: Option<String>,
    ) -> Result<Entry, EngineError> {
        let mut entry = self.outbox.get(uid)?.ok_or_else(|| EngineError::NothingToResend(uid.to_owned()))?;
        match &entry.state {
            EntryState::Conflict { server, .. } => {
                entry.base = server.clone();
                let calendar = entry.calendar.clone();
                self.cache.put_object(&calendar, &entry.base.url.clone(), entry.base.clone().into())?;
            }
            EntryState::Failed { .. } => {}
            EntryState::Pending { .. } | EntryState::Sending => {
                return Err(EngineError::NothingToResend(uid.to_owned()));
            }
        }
        if let Some(a) = answer {
            entry.reply.answer = a;
            if a != Answer::Delegate {
                entry.reply.delegate = None;
            }
        }
        if comment.is_some() {
            entry.reply.comment = comment;
        }
        ical::reply::apply(&entry.base.data, &entry.reply)?;
        entry.state = EntryState::Pending { last_error: None };
        self.outbox.put(&entry)?;
        self.mark_base_seen(uid, &entry.base.data);
        Ok(entry)
    }

    /// Drops the person's pending answer.
    pub fn discard(&mut self, uid: &str) -> Result<(), EngineError> {
        Ok(self.outbox.remove(uid)?)
    }

    /// Sends one outbox entry and records the outcome.
    pub async fn send(&mut self, uid: &str) -> Result<Outcome, EngineError> {
        let Some(entry) = self.outbox.get(uid)? else {
            return Err(EngineError::NothingToResend(uid.to_owned()));
        };
        let caps = self.cache.capabilities.clone();
        let identity = self.identity();
        let reply = entry.reply.clone();
        let outcome = send::send(&self.client, &self.outbox, caps.as_ref(), &identity, entry).await?;
        if let Outcome::Sent { object } = &outcome {
            // Which answer the organizer was not told of, for `check_untold`.
            let untold = reply.silent.then(|| reply.answer.partstat());
            if let Err(e) = self.outbox.set_untold(uid, reply.occurrence.as_deref(), untold) {
                tracing::warn!("not recorded whether the organizer was told: {e}");
            }
            // What the person answered is what they saw, their answer in it
            // (so a later reset of it is told).
            self.mark_base_seen(uid, &object.data);
            // The server has the answer; a cache that can't be saved is
            // refreshed by the next sync, not a failed reply.
            let calendar = self.cache.object(&object.url).map(|o| o.map(|(c, _)| c.info.url.clone()));
            let saved = match calendar {
                Ok(Some(cal)) => self
                    .cache
                    .put_object(&cal, &object.url.clone(), object.clone().into())
                    .and_then(|()| self.save_cache()),
                other => other.map(|_| ()),
            };
            if let Err(e) = saved {
                tracing::warn!("cache not saved after a reply: {e}");
            }
        }
        Ok(outcome)
    }

    /// Sends everything waiting, oldest first; stops early when offline.
    pub async fn flush(&mut self) -> Result<Vec<(String, Outcome)>, EngineError> {
        let mut out = Vec::new();
        for entry in self.outbox.list()? {
            if !entry.is_waiting() {
                continue;
            }
            let outcome = self.send(&entry.uid).await?;
            let offline = matches!(outcome, Outcome::Pending { offline: true, .. });
            out.push((entry.uid, outcome));
            if offline {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::atomic::Ordering;

    use url::Url;

    use super::*;
    use crate::caldav::{self, Calendar, Capabilities, Password, ServerOptions};

    pub(crate) const CALENDAR: &str = "http://127.0.0.1:9/cal/";

    /// An account of `me` (its alias) with one empty calendar, [`CALENDAR`],
    /// on a server that can't be reached.
    pub(crate) fn engine_at(dir: &std::path::Path, me: &str) -> Engine {
        let account = crate::config::Account {
            name: "work".into(),
            url: Url::parse("http://127.0.0.1:9/").unwrap(),
            user: "me".into(),
            ca_file: None,
            allow_insecure_http: false,
            password_command: None,
            aliases: vec![me.into()],
        };
        let mut engine =
            Engine::open(&crate::paths::Paths::profile(dir), &account, Password::new("x")).unwrap();
        let listed = Calendar {
            url: Url::parse(CALENDAR).unwrap(),
            display_name: Some("Work".into()),
            color: None,
            components: vec![],
            ctag: None,
            sync_token: None,
            reports: vec![],
            read_only: false,
        };
        engine.cache.set_calendars(vec![listed]).unwrap();
        engine
    }

    /// An account whose cache holds invitation `uid` for me@example.com,
    /// on a server that refuses another delegate (Xandikos, measured).
    fn engine_with(dir: &std::path::Path, uid: &str) -> Engine {
        let mut engine = engine_at(dir, "mailto:me@example.com");
        let calendar = Url::parse(CALENDAR).unwrap();
        let data = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//T//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20300604T100000Z\r\nDTEND:20300604T110000Z\r\nSUMMARY:Budget\r\nORGANIZER:mailto:o@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:me@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        let url = calendar.join(&format!("{uid}.ics")).unwrap();
        let object = caldav::Object {
            url: url.clone(),
            etag: Some(caldav::Etag::new("\"1\"")),
            schedule_tag: None,
            data,
        };
        engine.cache.put_object(&calendar, &url, object.into()).unwrap();
        let discovery = caldav::Discovery {
            server: caldav::quirks::ServerId { product: Some("Xandikos".into()), ..Default::default() },
            principal: caldav::propfind::Principal {
                url: Url::parse("http://127.0.0.1:9/me/").unwrap(),
                display_name: None,
                calendar_homes: vec![],
                addresses: vec![],
                inbox: None,
                outbox: None,
            },
            options: ServerOptions::default(),
            calendars: vec![],
        };
        engine.cache.capabilities = Some(Capabilities::build(&discovery, None));
        engine
    }

    /// Review: a delegation looked the invitation up twice (once to check
    /// the server takes the change, once to queue it): once is enough.
    #[test]
    fn an_answer_or_a_delegation_looks_the_invitation_up_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut engine = engine_with(dir.path(), "d1");
        assert!(engine.capabilities().unwrap().delegation_change_refused().is_some());
        let entry = engine.queue_delegation("d1", "kim@example.com", None, None).unwrap();
        assert_eq!(entry.reply.delegate.as_deref(), Some("mailto:kim@example.com"));
        assert_eq!(engine.lookups.load(Ordering::Relaxed), 1);
        engine.queue("d1", Answer::Accept, None, None, None, false).unwrap();
        assert_eq!(engine.lookups.load(Ordering::Relaxed), 2);
        assert_eq!(engine.outbox.get("d1").unwrap().unwrap().reply.answer, Answer::Accept);
    }
}
