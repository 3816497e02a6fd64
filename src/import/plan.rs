//! How this server can honour the person's scheduling choice for an
//! import, decided from the capability record. The rule throughout: never
//! notify more people than the person asked for, and never pretend.

use crate::caldav::{Capabilities, SchedulingHeaders, SchedulingMode};

/// Every mode, in the order the wizard offers them.
pub const MODES: [SchedulingMode; 4] =
    [SchedulingMode::None, SchedulingMode::InternalOnly, SchedulingMode::ExternalOnly, SchedulingMode::All];

/// The words a person chooses between.
pub fn mode_label(mode: SchedulingMode) -> &'static str {
    match mode {
        SchedulingMode::None => "Don't notify anyone",
        SchedulingMode::InternalOnly => "Update calendars on this server only",
        SchedulingMode::ExternalOnly => "Notify only people outside this server",
        SchedulingMode::All => "Send invitations as usual",
    }
}

/// The mechanism a plan uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// The draft's `Scheduling:` header (OPTIONS lists `scheduling-controls`).
    SchedulingHeader,
    /// Cyrus's own `Scheduling-Enabled: F`.
    CyrusHeader,
    /// `SCHEDULE-AGENT=CLIENT` on every ORGANIZER and ATTENDEE of new events.
    ScheduleAgentClient,
    /// Nothing special: the server schedules as it always does.
    Plain,
}

impl Method {
    pub fn describe(self) -> &'static str {
        match self {
            Method::SchedulingHeader => "the Scheduling header (scheduling-controls)",
            Method::CyrusHeader => "Cyrus's Scheduling-Enabled: F header",
            Method::ScheduleAgentClient => "SCHEDULE-AGENT=CLIENT on each attendee",
            Method::Plain => "no scheduling header",
        }
    }
}

/// What will be sent, and what the person must hear first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// What the person asked for.
    pub mode: SchedulingMode,
    pub method: Method,
    pub headers: SchedulingHeaders,
    /// Said before the run (SCHEDULE-AGENT=CLIENT stays on the events).
    pub warning: Option<String>,
}

impl Plan {
    fn new(mode: SchedulingMode, method: Method) -> Self {
        Plan { mode, method, headers: SchedulingHeaders::default(), warning: None }
    }

    /// Whether entries are rewritten with SCHEDULE-AGENT=CLIENT before PUT.
    pub fn marks_attendees(&self) -> bool {
        self.method == Method::ScheduleAgentClient
    }
}

/// A mode this server can't honour: why, and what would happen instead if
/// the person confirms (the CLI's `--yes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unhonourable {
    pub reason: String,
    pub instead: Plan,
    pub what_happens: String,
}

pub type Choice = Result<Plan, Box<Unhonourable>>;

const SCHEDULE_AGENT_WARNING: &str = "This server is kept quiet with SCHEDULE-AGENT=CLIENT on each attendee. \
It stays on the imported events: if you change one of them later, the server won't send the update to its attendees.";

/// The plan for `mode`. `as_address` is sent as `Schedule-User-Address`
/// where the draft is supported; `update_duplicates` matters because the
/// SCHEDULE-AGENT fallback only keeps *new* events quiet.
pub fn plan(
    caps: &Capabilities,
    mode: SchedulingMode,
    as_address: Option<&str>,
    update_duplicates: bool,
) -> Choice {
    if caps.scheduling_controls.is_true() {
        let mut p = Plan::new(mode, Method::SchedulingHeader);
        p.headers.scheduling = Some(mode);
        p.headers.schedule_user_address = as_address.map(str::to_owned);
        return Ok(p);
    }
    if !caps.implicit_scheduling.is_true() {
        return match mode {
            SchedulingMode::None => Ok(Plan::new(mode, Method::Plain)),
            _ => Err(Box::new(Unhonourable {
                reason: "this server never sends invitations (its DAV header lacks calendar-auto-schedule)"
                    .into(),
                instead: Plan::new(mode, Method::Plain),
                what_happens: "the events are stored and nobody is notified".into(),
            })),
        };
    }
    let quiet = quiet_plan(caps, update_duplicates);
    match mode {
        SchedulingMode::All => Ok(Plan::new(mode, Method::Plain)),
        SchedulingMode::None => quiet.map(|mut p| {
            p.mode = mode;
            p
        }),
        SchedulingMode::InternalOnly | SchedulingMode::ExternalOnly => {
            let reason =
                "this server can't tell attendees on it from others (its DAV header lacks scheduling-controls)".into();
            Err(Box::new(match quiet {
                Ok(mut instead) => {
                    instead.mode = mode;
                    Unhonourable {
                        reason,
                        instead,
                        what_happens: "nobody is notified, as with \"none\"".into(),
                    }
                }
                Err(_) => Unhonourable {
                    reason,
                    instead: Plan::new(mode, Method::Plain),
                    what_happens: "every attendee is notified, as with \"all\"".into(),
                },
            }))
        }
    }
}

/// "Don't notify anyone" without the draft: Cyrus's header, else
/// SCHEDULE-AGENT=CLIENT where the server honours it.
fn quiet_plan(caps: &Capabilities, update_duplicates: bool) -> Choice {
    let mode = SchedulingMode::None;
    if caps.cyrus_scheduling_enabled.is_true() {
        let mut p = Plan::new(mode, Method::CyrusHeader);
        p.headers.cyrus_scheduling_enabled = Some(false);
        return Ok(p);
    }
    if caps.schedule_agent_client.value == Some(false) {
        return Err(Box::new(Unhonourable {
            reason: format!(
                "{} has no way to store events without notifying their attendees",
                caps.server.product.as_deref().unwrap_or("this server")
            ),
            instead: Plan::new(mode, Method::Plain),
            what_happens: "every attendee is notified, as with \"all\"".into(),
        }));
    }
    let mut p = Plan::new(mode, Method::ScheduleAgentClient);
    let mut warning = SCHEDULE_AGENT_WARNING.to_owned();
    if caps.schedule_agent_client.value.is_none() {
        warning.push_str(" It is not verified that this server honours it.");
    }
    p.warning = Some(warning);
    if update_duplicates {
        let mut instead = p.clone();
        instead.warning = None;
        return Err(Box::new(Unhonourable {
            reason: "on this server only new events can be kept quiet; updating existing ones notifies their attendees"
                .into(),
            instead,
            what_happens: "new events notify nobody; updated duplicates notify their attendees".into(),
        }));
    }
    Ok(p)
}

/// Every mode with its plan or the reason it can't be honoured.
pub fn choices(
    caps: &Capabilities,
    as_address: Option<&str>,
    update_duplicates: bool,
) -> Vec<(SchedulingMode, Choice)> {
    MODES.iter().map(|&m| (m, plan(caps, m, as_address, update_duplicates))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::caldav::Fact;
    use crate::caldav::quirks::ServerId;

    fn caps(product: &str, dav: &[&str]) -> Capabilities {
        let server = ServerId { product: Some(product.to_owned()), ..ServerId::default() };
        let fact = |v: Option<bool>| Fact { value: v, why: String::new() };
        let has = |t: &str| dav.contains(&t);
        Capabilities {
            server,
            dav: dav.iter().map(|s| s.to_string()).collect(),
            implicit_scheduling: fact(Some(has("calendar-auto-schedule"))),
            schedule_tag: fact(Some(true)),
            schedule_tag_trusted: fact(Some(false)),
            scheduling_controls: fact(Some(has("scheduling-controls"))),
            cyrus_scheduling_enabled: fact(Some(false)),
            schedule_agent_client: fact(None),
            sync_collection: fact(Some(true)),
            etag_on_put: fact(None),
            occurrence_replies: fact(None),
            occurrence_replies_need_until: false,
            free_busy: fact(None),
            silent_replies: fact(None),
            delegation: fact(None),
        }
    }

    #[test]
    fn the_draft_passes_every_mode_and_the_address_through() {
        let c = caps("Other", &["calendar-auto-schedule", "scheduling-controls"]);
        for (mode, choice) in choices(&c, Some("mailto:me@example.com"), true) {
            let p = choice.unwrap();
            assert_eq!(p.method, Method::SchedulingHeader);
            assert_eq!(p.headers.scheduling, Some(mode));
            assert_eq!(p.headers.schedule_user_address.as_deref(), Some("mailto:me@example.com"));
        }
    }

    #[test]
    fn cyrus_uses_its_header_and_only_none_and_all_are_honoured() {
        let mut c = caps("Cyrus", &["calendar-auto-schedule"]);
        c.cyrus_scheduling_enabled.value = Some(true);
        let none = plan(&c, SchedulingMode::None, Some("mailto:me@example.com"), true).unwrap();
        assert_eq!(none.method, Method::CyrusHeader);
        assert_eq!(none.headers.cyrus_scheduling_enabled, Some(false));
        assert_eq!(none.headers.scheduling, None, "the draft header only where it is advertised");
        assert_eq!(none.headers.schedule_user_address, None);
        let internal = plan(&c, SchedulingMode::InternalOnly, None, false).unwrap_err();
        assert_eq!(internal.instead.method, Method::CyrusHeader, "falls back to notifying fewer, not more");
        assert!(internal.reason.contains("scheduling-controls"));
        assert_eq!(plan(&c, SchedulingMode::All, None, false).unwrap().method, Method::Plain);
    }

    #[test]
    fn schedule_agent_fallback_warns_and_refuses_quiet_updates() {
        let mut c = caps("DAViCal", &["calendar-auto-schedule"]);
        c.schedule_agent_client.value = Some(true);
        let p = plan(&c, SchedulingMode::None, None, false).unwrap();
        assert!(p.marks_attendees());
        assert!(p.warning.as_deref().unwrap().contains("stays on the imported events"));
        let e = plan(&c, SchedulingMode::None, None, true).unwrap_err();
        assert!(e.reason.contains("only new events"));
    }

    #[test]
    fn nothing_can_quiet_xandikos() {
        let mut c = caps("Xandikos", &["calendar-auto-schedule"]);
        c.schedule_agent_client.value = Some(false);
        let e = plan(&c, SchedulingMode::None, None, false).unwrap_err();
        assert!(e.reason.contains("Xandikos"), "{}", e.reason);
        assert_eq!(e.instead.method, Method::Plain);
        assert!(e.what_happens.contains("every attendee"));
    }

    #[test]
    fn a_server_without_scheduling_cannot_send_invitations() {
        let c = caps("Radicale", &["calendar-access"]);
        assert_eq!(plan(&c, SchedulingMode::None, None, false).unwrap().method, Method::Plain);
        let all = plan(&c, SchedulingMode::All, None, false).unwrap_err();
        assert!(all.what_happens.contains("nobody is notified"));
    }
}
