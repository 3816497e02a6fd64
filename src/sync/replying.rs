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
        self.queue_reply(uid, chosen, |me| Reply { answer, comment, occurrence, me, silent, delegate: None })
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
        self.check_delegation_change(uid, &to)?;
        self.queue_reply(uid, chosen, |me| Reply {
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
    fn check_delegation_change(&self, uid: &str, to: &str) -> Result<(), EngineError> {
        let Some(why) = self.capabilities().and_then(|c| c.delegation_change_refused()) else {
            return Ok(());
        };
        let inv = self.find(uid)?.invitation;
        let earlier = inv.my_delegate().map(str::to_owned);
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

    /// Queues the reply `make` builds for the address the person answers as.
    fn queue_reply(
        &mut self,
        uid: &str,
        chosen: Option<&str>,
        make: impl FnOnce(String) -> Reply,
    ) -> Result<Entry, EngineError> {
        let listing = self.find(uid)?;
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
