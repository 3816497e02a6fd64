//! What real servers do that their headers don't say. One row per server,
//! each citing the behaviour measured against it (see README's compatibility
//! table, generated from this one by `convene compat-table`).

/// Which server answered, from its `Server:` (or DAViCal's own) header.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ServerId {
    /// Product name we recognise ("Cyrus", "DAViCal", "Xandikos", "Radicale"), if any.
    pub product: Option<String>,
    pub version: Option<String>,
    /// The header text it came from.
    pub header: Option<String>,
}

impl ServerId {
    /// From the `Server:` header, or DAViCal's `X-DAViCal-Version:`.
    pub fn identify(server: Option<&str>, davical: Option<&str>) -> Self {
        let header = davical.or(server).map(str::to_owned);
        let mut id = ServerId { product: None, version: None, header: header.clone() };
        let Some(text) = header else { return id };
        for token in text.split([' ', ';', ',']) {
            let (name, version) = token.split_once('/').unwrap_or((token, ""));
            let product =
                KNOWN_PRODUCTS.iter().find(|(prefix, _)| name.to_ascii_lowercase().starts_with(prefix));
            if let Some((_, product)) = product {
                id.product = Some((*product).to_owned());
                // "3.6.1-Debian-3.6.1-4+deb12u5" → "3.6.1"
                let version = version.split('-').next().unwrap_or_default();
                id.version = Some(version.to_owned()).filter(|v| !v.is_empty());
                break;
            }
        }
        id
    }

    /// Xandikos and Radicale name themselves only on their root page
    /// (their `Server:` header is the Python web framework's).
    pub fn identify_from_page(&mut self, page: &str) {
        if self.product.is_some() {
            return;
        }
        self.product = ["Xandikos", "Radicale"].into_iter().find(|p| page.contains(p)).map(str::to_owned);
    }

    pub fn needs_page(&self) -> bool {
        self.product.is_none()
    }

    pub fn is(&self, product: &str) -> bool {
        self.product.as_deref() == Some(product)
    }

    pub fn describe(&self) -> String {
        match (&self.product, &self.version, &self.header) {
            (Some(p), Some(v), _) => format!("{p} {v}"),
            (Some(p), None, _) => p.clone(),
            (None, _, Some(h)) => format!("unrecognised ({h})"),
            (None, _, None) => "unrecognised (no Server header)".to_owned(),
        }
    }
}

/// Header name prefixes (lower case) → product.
const KNOWN_PRODUCTS: &[(&str, &str)] = &[
    ("cyrus-http", "Cyrus"),
    ("cyrus", "Cyrus"),
    ("davical", "DAViCal"),
    ("xandikos", "Xandikos"),
    ("radicale", "Radicale"),
];

/// What a server does with an attendee's delegation (RFC 5546 §4.2.5:
/// PARTSTAT=DELEGATED, DELEGATED-TO, the delegate added with
/// DELEGATED-FROM) written to its copy, as measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delegation {
    /// The delegate gets the invitation in their calendar.
    pub invites_delegate: bool,
    /// A second delegation to someone else (the earlier delegate's line
    /// removed) is accepted.
    pub changes_delegate: bool,
    /// The organizer's copy names the delegate (DELEGATED-TO or the
    /// delegate's own ATTENDEE), not only DELEGATED.
    pub organizer_sees_delegate: bool,
}

impl Delegation {
    /// For the compatibility table.
    pub fn words(self) -> String {
        let mut words = match (self.invites_delegate, self.organizer_sees_delegate) {
            (true, true) => "delegate invited",
            (true, false) => "delegate invited; organizer sees only DELEGATED",
            (false, true) => "**delegate not invited**; organizer sees DELEGATED-TO",
            (false, false) => "**delegate not invited**; organizer sees only DELEGATED",
        }
        .to_owned();
        if !self.changes_delegate {
            words.push_str("; **can't be changed** to another delegate");
        }
        words
    }
}

/// One server's known deviations. `None` = nothing known beyond the headers.
#[derive(Debug, Clone, Copy)]
pub struct Quirk {
    pub product: &'static str,
    /// The versions measured; the row applies to every version of the
    /// product until another is measured (safer than assuming a fix).
    pub measured: &'static str,
    pub schedule_tag: Option<bool>,
    pub schedule_tag_trusted: Option<bool>,
    pub honours_if_schedule_tag_match: Option<bool>,
    pub etag_on_put: Option<bool>,
    pub cyrus_scheduling_enabled: Option<bool>,
    pub schedule_agent_client: Option<bool>,
    /// Whether an attendee's answer to one occurrence (an added override)
    /// reaches the organizer's event.
    pub occurrence_replies: Option<bool>,
    /// Occurrence answers are dropped when the series' RRULE has COUNT.
    pub occurrence_replies_need_until: bool,
    /// A multiget names a deleted href with 404 (a deletion); otherwise it
    /// leaves the href out, which is only "not delivered".
    pub multiget_reports_404: bool,
    /// A sync-collection REPORT sends the changed objects' calendar-data
    /// when asked (an incremental sync then needs no multiget).
    pub sync_collection_data: bool,
    /// A sync-token the server never issued is refused (valid-sync-token),
    /// rather than answered with every object.
    pub refuses_unknown_sync_token: bool,
    /// A second object with a UID already in the calendar is refused
    /// (no-uid-conflict) rather than stored.
    pub refuses_uid_reuse: bool,
    /// A free/busy POST to the schedule-outbox (RFC 6638 §5) answers each
    /// attendee's busy times.
    pub free_busy: Option<bool>,
    /// `Schedule-Reply: F` (RFC 6638 §8.1, defined for DELETE) on an
    /// attendee's PUT keeps the answer from the organizer.
    pub schedule_reply_on_put: Option<bool>,
    /// What an attendee's delegation leads to (None: not measured, or no
    /// scheduling).
    pub delegation: Option<Delegation>,
    /// An organizer's PUT that adds an occurrence override to a meeting
    /// already sent fails (a server error), so one occurrence of a meeting
    /// can't be changed.
    pub meeting_overrides_fail: bool,
    /// What was observed, in one or two sentences.
    pub observed: &'static str,
}

pub const QUIRKS: &[Quirk] = &[
    Quirk {
        product: "Cyrus",
        measured: "3.6.1",
        schedule_tag: Some(true),
        schedule_tag_trusted: Some(false),
        honours_if_schedule_tag_match: Some(true),
        etag_on_put: Some(false),
        cyrus_scheduling_enabled: Some(true),
        schedule_agent_client: Some(true),
        occurrence_replies: Some(true),
        occurrence_replies_need_until: true,
        multiget_reports_404: true,
        sync_collection_data: true,
        refuses_unknown_sync_token: true,
        refuses_uid_reuse: true,
        free_busy: Some(false),
        schedule_reply_on_put: Some(false),
        delegation: Some(Delegation {
            invites_delegate: false,
            changes_delegate: true,
            organizer_sees_delegate: false,
        }),
        meeting_overrides_fail: false,
        observed: "Once the attendee has written its copy, organizer updates no longer change that copy's Schedule-Tag, so a stale reply is accepted (204) and puts the old time back; the tag in a PUT response is not the one a later GET shows; PUT responses carry no ETag. `Scheduling-Enabled: F` suppresses scheduling on PUT and DELETE. An answer to one occurrence of a series whose RRULE has COUNT is sent but never merged into the organizer's event (libical can't seek COUNT rules). A free/busy POST to the outbox never answered: the worker spun at full CPU for minutes holding the organizer's calendars (so Convene never sends one). `Schedule-Reply: F` on an attendee's PUT is ignored (the organizer gets the answer); `Scheduling-Enabled: F` keeps it on the attendee's copy. An attendee's delegation (PARTSTAT=DELEGATED, DELEGATED-TO, the delegate added with DELEGATED-FROM) is stored (204), but the delegate gets no invitation and the organizer's copy shows only DELEGATED.",
    },
    Quirk {
        product: "DAViCal",
        measured: "1.1.12",
        schedule_tag: Some(false),
        schedule_tag_trusted: Some(false),
        honours_if_schedule_tag_match: Some(false),
        etag_on_put: Some(false),
        cyrus_scheduling_enabled: Some(false),
        schedule_agent_client: Some(true),
        occurrence_replies: Some(false),
        occurrence_replies_need_until: false,
        multiget_reports_404: false,
        sync_collection_data: false,
        refuses_unknown_sync_token: false,
        refuses_uid_reuse: false,
        free_busy: Some(true),
        schedule_reply_on_put: Some(false),
        delegation: Some(Delegation {
            invites_delegate: false,
            changes_delegate: true,
            organizer_sees_delegate: true,
        }),
        meeting_overrides_fail: true,
        observed: "Implicit scheduling without any Schedule-Tag (no header, no property); a made-up `If-Schedule-Tag-Match` is ignored (204); PUT responses carry no ETag; an attendee's answer to one occurrence is stored on the attendee's copy but never reaches the organizer. Free/busy answers each attendee's busy times (3.7 for an unknown address). Nothing keeps an attendee's answer from the organizer: `Schedule-Reply: F`, `Scheduling-Enabled: F` and `SCHEDULE-AGENT` on the ORGANIZER line are all ignored on PUT. An organizer's PUT adding an occurrence override to a meeting its attendees already have fails with 500 (a unique violation filing the attendee's inbox copy twice), so one occurrence of a meeting can't be changed. Removing one (EXDATE) is stored, but the attendee's copy gets only the new SEQUENCE, not the EXDATE. An attendee's delegation is stored (204), but the delegate gets no invitation; the organizer's copy shows DELEGATED with DELEGATED-TO (the delegate not added).",
    },
    Quirk {
        product: "Xandikos",
        measured: "0.4.10",
        schedule_tag: Some(true),
        schedule_tag_trusted: Some(true),
        honours_if_schedule_tag_match: Some(true),
        etag_on_put: Some(true),
        cyrus_scheduling_enabled: Some(false),
        schedule_agent_client: Some(false),
        occurrence_replies: Some(false),
        occurrence_replies_need_until: false,
        multiget_reports_404: true,
        sync_collection_data: false,
        refuses_unknown_sync_token: true,
        refuses_uid_reuse: true,
        free_busy: Some(false),
        schedule_reply_on_put: Some(false),
        delegation: Some(Delegation {
            invites_delegate: true,
            changes_delegate: false,
            organizer_sees_delegate: false,
        }),
        meeting_overrides_fail: false,
        observed: "Schedule-Tag follows RFC 6638 end to end (stale tag: 412, empty body); a forbidden attendee edit is a 412 with `<C:attendee-allowed/>`; `SCHEDULE-AGENT=CLIENT` does not stop delivery; nothing suppresses scheduling; an attendee may not add an occurrence override (412 `attendee-allowed`), so one occurrence can't be answered. An organizer's PUT matching the tag stores the stale copy without merging attendees' answers (Convene writes with `If-Match` on the ETag instead); free/busy answers 3.8 (no privilege) for every attendee. `Schedule-Reply: F` on an attendee's PUT is ignored and `SCHEDULE-AGENT` on the ORGANIZER line refused (412), so every answer reaches the organizer. An attendee's delegation is stored (204) and the delegate gets the invitation; the organizer's copy shows only DELEGATED; a second delegation to someone else (the first delegate's line removed) is refused (412 `attendee-allowed`: an attendee may only add delegates).",
    },
    Quirk {
        product: "Radicale",
        measured: "3.9.0",
        schedule_tag: Some(false),
        schedule_tag_trusted: Some(false),
        honours_if_schedule_tag_match: Some(false),
        etag_on_put: Some(true),
        cyrus_scheduling_enabled: Some(false),
        schedule_agent_client: None,
        occurrence_replies: None,
        occurrence_replies_need_until: false,
        multiget_reports_404: true,
        sync_collection_data: true,
        refuses_unknown_sync_token: true,
        refuses_uid_reuse: true,
        free_busy: Some(false),
        schedule_reply_on_put: None,
        delegation: None,
        meeting_overrides_fail: false,
        observed: "Plain CalDAV: no implicit scheduling, no inbox/outbox, no Schedule-Tag; `If-Schedule-Tag-Match` is ignored; no outbox, so no free/busy.",
    },
];

pub fn lookup(id: &ServerId) -> Option<&'static Quirk> {
    QUIRKS.iter().find(|q| id.is(q.product))
}

/// How (and whether) an answer can be kept from the organizer, in a word.
fn silent_words(q: &Quirk) -> &'static str {
    if q.schedule_reply_on_put == Some(true) {
        "yes (`Schedule-Reply: F`)"
    } else if q.cyrus_scheduling_enabled == Some(true) {
        "yes (`Scheduling-Enabled: F`)"
    } else if q.schedule_reply_on_put.is_none() {
        "–"
    } else {
        "**no**"
    }
}

/// The README's compatibility table.
pub fn markdown_table() -> String {
    let yn = |v: Option<bool>| match v {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "–",
    };
    let mut out = String::from(
        "| server (measured) | Schedule-Tag | tag trustworthy | honours If-Schedule-Tag-Match | ETag on PUT | `Scheduling-Enabled: F` | `SCHEDULE-AGENT=CLIENT` honoured | one-occurrence answers | free/busy | answer without telling the organizer | delegation | observed |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for q in QUIRKS {
        out.push_str(&format!(
            "| {} {} | {} | {} | {} | {} | {} | {} | {}{} | {} | {} | {} | {} |\n",
            q.product,
            q.measured,
            yn(q.schedule_tag),
            yn(q.schedule_tag_trusted),
            yn(q.honours_if_schedule_tag_match),
            yn(q.etag_on_put),
            yn(q.cyrus_scheduling_enabled),
            yn(q.schedule_agent_client),
            yn(q.occurrence_replies),
            if q.occurrence_replies_need_until { " (not COUNT series)" } else { "" },
            yn(q.free_busy),
            silent_words(q),
            q.delegation.map_or_else(|| "–".to_owned(), Delegation::words),
            q.observed
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifies_products_from_headers() {
        let c = ServerId::identify(Some("Cyrus-HTTP/3.6.1 Cyrus-SASL/2.1.28 Lib/XML2.9.14"), None);
        assert_eq!(c.describe(), "Cyrus 3.6.1");
        let d = ServerId::identify(Some("PHP/8.2"), Some("DAViCal/1.1.12; DB/1.3.5"));
        assert_eq!(d.describe(), "DAViCal 1.1.12");
        assert!(lookup(&d).is_some());
        let c = ServerId::identify(Some("Cyrus-HTTP/3.6.1-Debian-3.6.1-4+deb12u5 Cyrus-SASL/2.1.28"), None);
        assert_eq!(c.version.as_deref(), Some("3.6.1"));
        let mut u = ServerId::identify(Some("Python/3.11 aiohttp/3.14.5"), None);
        assert_eq!(u.product, None);
        assert!(lookup(&u).is_none());
        u.identify_from_page("<title>Xandikos WebDAV server</title>");
        assert_eq!(u.describe(), "Xandikos");
    }
}
