//! The capability record: what this account's server can be relied on for,
//! and why we believe it (observed, quirks table, or the RFC's promise).

use super::discovery::Discovery;
use super::http::SchedulingHeaders;
use super::quirks::{self, ServerId};

/// Whether (and why) an answer can be kept from the organizer. RFC 6638
/// defines `Schedule-Reply: F` only for DELETE; on PUT it is trusted only
/// where measured (none of the servers measured honours it), else Cyrus's
/// own `Scheduling-Enabled: F`.
fn silent_replies(quirk: Option<&quirks::Quirk>, implicit: &Fact, cyrus: &Fact) -> Fact {
    let measured = |q: &quirks::Quirk| format!("{} (measured {})", q.product, q.measured);
    if !implicit.is_true() {
        return Fact::new(Some(true), "no implicit scheduling: the server tells no one of an answer");
    }
    match quirk {
        Some(q) if q.schedule_reply_on_put == Some(true) => {
            Fact::new(Some(true), format!("{}: Schedule-Reply: F on the answer's PUT", measured(q)))
        }
        Some(q) if cyrus.is_true() => Fact::new(
            Some(true),
            format!(
                "{}: Scheduling-Enabled: F on the answer's PUT (Schedule-Reply: F is ignored)",
                measured(q)
            ),
        ),
        Some(q) => Fact::new(
            Some(false),
            format!(
                "{} tells the organizer of every answer (Schedule-Reply: F on an attendee's PUT is ignored, and it has no other way)",
                measured(q)
            ),
        ),
        None => Fact::new(
            Some(false),
            "not measured for this server: it might tell the organizer anyway (RFC 6638 defines Schedule-Reply: F only for DELETE)",
        ),
    }
}

/// Whether (and why) the server invites the person an attendee delegates
/// to: only where measured.
fn delegation(quirk: Option<&quirks::Quirk>, implicit: &Fact) -> Fact {
    if !implicit.is_true() {
        return Fact::new(Some(false), "no implicit scheduling: the server invites no one");
    }
    match quirk {
        Some(q) => match q.delegation {
            Some(d) => Fact::new(
                Some(d.invites_delegate),
                format!("{} (measured {}): {}", q.product, q.measured, d.words().replace("**", "")),
            ),
            None => Fact::new(None, format!("{} was not measured for delegation", q.product)),
        },
        None => Fact::new(None, "not measured for this server: it may not invite the delegate"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fact {
    /// None: not known yet (e.g. learned from the first PUT).
    pub value: Option<bool>,
    pub why: String,
}

impl Fact {
    fn unknown() -> Self {
        Fact::new(None, "not probed yet")
    }

    fn new(value: Option<bool>, why: impl Into<String>) -> Self {
        Fact { value, why: why.into() }
    }
    pub fn is_true(&self) -> bool {
        self.value == Some(true)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Capabilities {
    pub server: ServerId,
    pub dav: Vec<String>,
    pub implicit_scheduling: Fact,
    pub schedule_tag: Fact,
    pub schedule_tag_trusted: Fact,
    pub scheduling_controls: Fact,
    pub cyrus_scheduling_enabled: Fact,
    pub schedule_agent_client: Fact,
    pub sync_collection: Fact,
    pub etag_on_put: Fact,
    /// Whether an answer to one occurrence reaches the organizer.
    pub occurrence_replies: Fact,
    /// …but not for a series whose RRULE has COUNT (Cyrus).
    #[serde(default)]
    pub occurrence_replies_need_until: bool,
    /// Whether a free/busy lookup answers attendees' busy times (RFC 6638
    /// §5). Only where measured: Cyrus 3.6.1 hangs on it.
    #[serde(default = "Fact::unknown")]
    pub free_busy: Fact,
    /// Whether an answer can be written without the server telling the
    /// organizer ("don't send"); see [`Capabilities::silent_reply`].
    #[serde(default = "Fact::unknown")]
    pub silent_replies: Fact,
    /// Whether the server invites the person an attendee delegates to;
    /// see [`Capabilities::delegation_note`].
    #[serde(default = "Fact::unknown")]
    pub delegation: Fact,
}

impl Capabilities {
    /// `saw_schedule_tag`: whether a listing of the user's calendars showed a
    /// `schedule-tag` on some object (None: nothing to look at).
    pub fn build(d: &Discovery, saw_schedule_tag: Option<bool>) -> Self {
        let server = d.server.clone();
        let quirk = quirks::lookup(&server);
        let table = |pick: fn(&quirks::Quirk) -> Option<bool>| {
            quirk.and_then(|q| {
                pick(q).map(|v| (v, format!("{} (measured {}): {}", q.product, q.measured, q.observed)))
            })
        };
        let dav = |t: &str| d.options.has(t);

        let implicit = if dav("calendar-auto-schedule") {
            Fact::new(Some(true), "DAV header lists calendar-auto-schedule")
        } else {
            Fact::new(Some(false), "DAV header does not list calendar-auto-schedule")
        };

        let schedule_tag = match (saw_schedule_tag, table(|q| q.schedule_tag)) {
            (Some(true), _) => {
                Fact::new(Some(true), "objects in the calendars carry a schedule-tag property")
            }
            (_, Some((v, why))) => Fact::new(Some(v), why),
            _ if implicit.is_true() => {
                Fact::new(Some(true), "RFC 6638 §3.2.10 requires it of servers with calendar-auto-schedule")
            }
            _ => Fact::new(Some(false), "no implicit scheduling, so no Schedule-Tag"),
        };

        let schedule_tag_trusted = if !schedule_tag.is_true() {
            Fact::new(Some(false), "no Schedule-Tag: replies are protected by If-Match on the ETag")
        } else {
            match table(|q| q.schedule_tag_trusted) {
                Some((v, why)) => Fact::new(Some(v), why),
                // Safety must not rest on an unmeasured server's tag (Cyrus
                // behind a proxy hides its name and accepts stale tags).
                None => Fact::new(Some(false), "not measured for this server: Convene relies on ETags"),
            }
        };

        let scheduling_controls = if dav("scheduling-controls") {
            Fact::new(Some(true), "DAV header lists scheduling-controls")
        } else {
            Fact::new(Some(false), "DAV header does not list scheduling-controls")
        };

        let cyrus_scheduling_enabled = match table(|q| q.cyrus_scheduling_enabled) {
            Some((v, why)) => Fact::new(Some(v), why),
            None => Fact::new(Some(false), "only Cyrus implements Scheduling-Enabled"),
        };

        let schedule_agent_client = match table(|q| q.schedule_agent_client) {
            Some((v, why)) => Fact::new(Some(v), why),
            None if implicit.is_true() => {
                Fact::new(None, "RFC 6638 §7.1 requires it, but it is not verified for this server")
            }
            None => Fact::new(None, "no implicit scheduling: nothing to suppress"),
        };

        let sync_collection = if d.calendars.iter().any(|c| c.supports_sync_collection()) {
            Fact::new(Some(true), "calendars advertise the sync-collection report")
        } else if d.calendars.iter().any(|c| c.sync_token.is_some()) {
            Fact::new(Some(true), "calendars carry a DAV:sync-token")
        } else {
            Fact::new(Some(false), "no calendar advertises sync-collection: ctag and ETag comparison")
        };

        let etag_on_put = match table(|q| q.etag_on_put) {
            Some((v, why)) => Fact::new(Some(v), why),
            None => Fact::new(None, "learned from the first write"),
        };

        let occurrence_replies = match table(|q| q.occurrence_replies) {
            Some((v, why)) => Fact::new(Some(v), why),
            None if implicit.is_true() => {
                Fact::new(None, "RFC 6638 §3.2.2.1 allows it; not verified for this server")
            }
            None => Fact::new(Some(false), "no implicit scheduling: answers don't reach anyone"),
        };
        let occurrence_replies_need_until = quirk.is_some_and(|q| q.occurrence_replies_need_until);
        let free_busy = match table(|q| q.free_busy) {
            Some((v, why)) => Fact::new(Some(v), why),
            // Asking an unmeasured server could hang it (Cyrus 3.6.1 did).
            None => Fact::new(Some(false), "not measured for this server: Convene does not ask"),
        };

        let silent_replies = silent_replies(quirk, &implicit, &cyrus_scheduling_enabled);
        let delegation = delegation(quirk, &implicit);

        Capabilities {
            server,
            dav: d.options.dav.iter().cloned().collect(),
            implicit_scheduling: implicit,
            schedule_tag,
            schedule_tag_trusted,
            scheduling_controls,
            cyrus_scheduling_enabled,
            schedule_agent_client,
            sync_collection,
            etag_on_put,
            occurrence_replies,
            occurrence_replies_need_until,
            free_busy,
            silent_replies,
            delegation,
        }
    }

    /// A record written before a fact was added lacks it: derive it from
    /// the facts the record has (discovery runs only once per account).
    pub fn derive_new_facts(&mut self) {
        if self.silent_replies.value.is_none() {
            let quirk = quirks::lookup(&self.server);
            self.silent_replies =
                silent_replies(quirk, &self.implicit_scheduling, &self.cyrus_scheduling_enabled);
        }
        if self.delegation.value.is_none() {
            self.delegation = delegation(quirks::lookup(&self.server), &self.implicit_scheduling);
        }
    }

    /// Why this server won't take a delegation changed to another
    /// delegate, if it won't (measured: Xandikos refuses the removal of
    /// the first delegate's line).
    pub fn delegation_change_refused(&self) -> Option<String> {
        let q = quirks::lookup(&self.server)?;
        q.delegation.filter(|d| !d.changes_delegate).map(|_| {
            format!(
                "{} (measured {}) does not let an attendee change a delegation to another person",
                q.product, q.measured
            )
        })
    }

    /// What the person must do themselves after delegating to `to` (an
    /// address): nothing where the server invites the delegate, else
    /// forward the invitation, said with the reason.
    pub fn delegation_note(&self, to: &str) -> Option<String> {
        let who = to.strip_prefix("mailto:").unwrap_or(to);
        let server = self.server.describe();
        match self.delegation.value {
            Some(true) => None,
            _ if !self.implicit_scheduling.is_true() => {
                Some(format!("{server} sends no invitations: forward the invitation to {who} yourself"))
            }
            Some(false) => Some(format!(
                "{server} records the delegation but won't invite {who}: forward the invitation yourself"
            )),
            None => Some(format!(
                "{server} was not measured: it may not invite {who}, so forward the invitation to be sure"
            )),
        }
    }

    /// The headers that keep an attendee's answer from the organizer, or
    /// why this server can't be asked to.
    pub fn silent_reply(&self) -> Result<SchedulingHeaders, String> {
        if !self.silent_replies.is_true() {
            return Err(self.silent_replies.why.clone());
        }
        if !self.implicit_scheduling.is_true() {
            return Ok(SchedulingHeaders::default());
        }
        if self.cyrus_scheduling_enabled.is_true() {
            return Ok(SchedulingHeaders { cyrus_scheduling_enabled: Some(false), ..Default::default() });
        }
        Ok(SchedulingHeaders { schedule_reply: Some(false), ..Default::default() })
    }

    /// Each fact in words, for `check-server` and the account page.
    pub fn lines(&self) -> Vec<(&'static str, &Fact)> {
        vec![
            ("implicit scheduling", &self.implicit_scheduling),
            ("Schedule-Tag offered", &self.schedule_tag),
            ("Schedule-Tag trustworthy", &self.schedule_tag_trusted),
            ("scheduling-controls draft", &self.scheduling_controls),
            ("Cyrus Scheduling-Enabled", &self.cyrus_scheduling_enabled),
            ("SCHEDULE-AGENT=CLIENT honoured", &self.schedule_agent_client),
            ("sync-collection", &self.sync_collection),
            ("ETag on PUT response", &self.etag_on_put),
            ("one-occurrence answers", &self.occurrence_replies),
            ("free/busy of attendees", &self.free_busy),
            ("answer without telling the organizer", &self.silent_replies),
            ("invites the person you delegate to", &self.delegation),
        ]
    }

    /// How replies are protected, in one sentence a person can read.
    pub fn reply_protection(&self) -> &'static str {
        if self.schedule_tag_trusted.is_true() {
            "replies are protected by Schedule-Tag"
        } else if self.schedule_tag.is_true() {
            "this server's Schedule-Tag is unreliable: Convene uses ETags"
        } else {
            "this server has no Schedule-Tag: Convene uses ETags"
        }
    }

    /// How an import can avoid mailing attendees on this server.
    pub fn import_suppression(&self) -> &'static str {
        if self.scheduling_controls.is_true() {
            "imports can suppress scheduling (Scheduling: none)"
        } else if self.cyrus_scheduling_enabled.is_true() {
            "imports can suppress scheduling (Cyrus Scheduling-Enabled: F)"
        } else if self.schedule_agent_client.is_true() {
            "imports suppress scheduling with SCHEDULE-AGENT=CLIENT, which stays on the events"
        } else if !self.implicit_scheduling.is_true() {
            "this server sends no invitations: imports never mail anyone"
        } else {
            "scheduling can't be suppressed on import"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::caldav::options::ServerOptions;
    use crate::caldav::propfind::Principal;

    fn caps(product: Option<&str>, auto_schedule: bool) -> Capabilities {
        let url = url::Url::parse("https://h/p/").unwrap();
        let mut options = ServerOptions::default();
        if auto_schedule {
            options.dav.insert("calendar-auto-schedule".into());
        }
        let d = Discovery {
            server: ServerId { product: product.map(str::to_owned), ..ServerId::default() },
            principal: Principal {
                url,
                display_name: None,
                calendar_homes: vec![],
                addresses: vec![],
                inbox: None,
                outbox: None,
            },
            options,
            calendars: vec![],
        };
        Capabilities::build(&d, None)
    }

    #[test]
    fn an_answer_is_kept_from_the_organizer_only_where_measured() {
        let cyrus = caps(Some("Cyrus"), true).silent_reply().unwrap();
        assert_eq!(cyrus, SchedulingHeaders { cyrus_scheduling_enabled: Some(false), ..Default::default() });
        for product in ["Xandikos", "DAViCal"] {
            let why = caps(Some(product), true).silent_reply().unwrap_err();
            assert!(why.starts_with(&format!("{product} (measured")), "{why}");
            assert!(why.contains("tells the organizer of every answer"), "{why}");
        }
        let unknown = caps(None, true).silent_reply().unwrap_err();
        assert!(unknown.starts_with("not measured for this server"), "{unknown}");
        // No implicit scheduling: nothing to suppress, no header needed.
        assert_eq!(caps(Some("Radicale"), false).silent_reply(), Ok(SchedulingHeaders::default()));
        assert_eq!(caps(None, false).silent_reply(), Ok(SchedulingHeaders::default()));
    }

    #[test]
    fn a_delegation_is_said_to_need_forwarding_where_the_server_wont_invite() {
        let to = "mailto:bob@example.com";
        assert_eq!(caps(Some("Xandikos"), true).delegation_note(to), None);
        for product in ["Cyrus", "DAViCal"] {
            let note = caps(Some(product), true).delegation_note(to).unwrap();
            assert_eq!(
                note,
                format!(
                    "{product} records the delegation but won't invite bob@example.com: forward the invitation yourself"
                )
            );
        }
        let unknown = caps(None, true).delegation_note(to).unwrap();
        assert!(unknown.contains("may not invite bob@example.com"), "{unknown}");
        let refused = caps(Some("Xandikos"), true).delegation_change_refused().unwrap();
        assert!(refused.starts_with("Xandikos (measured 0.4.10) does not let"), "{refused}");
        assert_eq!(caps(Some("Cyrus"), true).delegation_change_refused(), None);
        let plain = caps(Some("Radicale"), false).delegation_note(to).unwrap();
        assert!(plain.contains("sends no invitations"), "{plain}");
        // An older record learns it when read.
        let mut json = serde_json::to_value(caps(Some("Cyrus"), true)).unwrap();
        json.as_object_mut().unwrap().remove("delegation");
        let mut old: Capabilities = serde_json::from_value(json).unwrap();
        old.derive_new_facts();
        assert_eq!(old.delegation.value, Some(false));
    }

    #[test]
    fn a_record_from_before_dont_send_learns_it_when_read() {
        let mut json = serde_json::to_value(caps(Some("Cyrus"), true)).unwrap();
        json.as_object_mut().unwrap().remove("silent_replies");
        let mut old: Capabilities = serde_json::from_value(json).unwrap();
        assert_eq!(old.silent_replies.value, None);
        assert!(old.silent_reply().is_err(), "unknown is not yes");
        old.derive_new_facts();
        assert!(old.silent_reply().is_ok());
    }
}
