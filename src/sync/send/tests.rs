//! The reply's decisions as a table: a starting state, what the server and
//! the outbox answer, and every action [`Steps`] takes in between.

use url::Url;

use super::steps::{Action, MAX_MERGES, Observation, Outcome, Steps, Trust};
use crate::caldav::{Error, Etag, Object, Precondition, ScheduleTag, Written};
use crate::ical::{Answer, Identity, Reply};
use crate::store::{Entry, EntryState};
use crate::sync::failure::{Cause, Failure};

const URL: &str = "https://dav.example.com/cal/plan.ics";

/// The invitation as the organizer wrote it; `X-VERSION` (ignored by the
/// comparison) names the version a PUT was applied onto.
const V1: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:plan-1\r\nDTSTAMP:20300101T000000Z\r\nSEQUENCE:0\r\nDTSTART:20300604T100000Z\r\nDTEND:20300604T110000Z\r\nSUMMARY:Plan\r\nORGANIZER:mailto:olga@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:olga@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ann@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@example.com\r\nX-VERSION:v1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn version(name: &str) -> String {
    V1.replace("X-VERSION:v1", &format!("X-VERSION:{name}"))
}

/// Only another attendee answered (and the server stamped it): minor.
fn others_answered(name: &str) -> String {
    version(name)
        .replace("PARTSTAT=NEEDS-ACTION:mailto:bob", "PARTSTAT=ACCEPTED:mailto:bob")
        .replace("DTSTAMP:20300101T000000Z", &format!("DTSTAMP:20300102T00000{}Z", name.len()))
}

/// The organizer moved the meeting: the person must look.
fn moved(name: &str) -> String {
    version(name).replace("DTSTART:20300604T100000Z", "DTSTART:20300605T100000Z")
}

/// The server already has the person's answer (a PUT landed before a crash).
fn answered(name: &str) -> String {
    version(name)
        .replace("PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ann", "PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:ann")
}

fn object(data: String, etag: Option<&str>, schedule_tag: Option<&str>) -> Object {
    Object {
        url: Url::parse(URL).unwrap(),
        etag: etag.map(Etag::new),
        schedule_tag: schedule_tag.map(ScheduleTag::new),
        data,
    }
}

fn entry(state: EntryState, base: Object) -> Entry {
    Entry {
        format: crate::store::outbox::FORMAT,
        uid: "plan-1".into(),
        calendar: Url::parse("https://dav.example.com/cal/").unwrap(),
        reply: Reply {
            answer: Answer::Accept,
            comment: None,
            occurrence: None,
            me: "mailto:ann@example.com".into(),
            silent: false,
            delegate: None,
        },
        base,
        state,
        created: 0,
    }
}

fn me() -> Identity {
    Identity::new(["mailto:ann@example.com"])
}

// What the server and the outbox answer.

fn stored() -> Observation {
    Observation::Stored
}
fn fetched(data: String, etag: &str) -> Observation {
    Observation::Fetched(object(data, Some(etag), None))
}
fn written(etag: Option<&str>) -> Observation {
    Observation::Written(Written { created: false, etag: etag.map(Etag::new), schedule_tag: None })
}
fn failed(e: Error) -> Observation {
    Observation::Failed(e)
}
fn e412() -> Observation {
    failed(Error::EtagMismatch)
}
fn gone() -> Observation {
    failed(Error::NotFound(URL.into()))
}
fn offline() -> Observation {
    failed(Error::Connection("connection refused".into()))
}

/// No capability record: nothing trusted.
const UNTRUSTED: Trust = Trust { schedule_tag: false, schedule_tag_trusted: false, etag_on_put: false };
/// A server whose PUT responses carry the new ETag (and no Schedule-Tag).
const ETAG_ON_PUT: Trust = Trust { schedule_tag: false, schedule_tag_trusted: false, etag_on_put: true };
/// A server whose Schedule-Tags can be relied on.
const TAGS_TRUSTED: Trust = Trust { schedule_tag: true, schedule_tag_trusted: true, etag_on_put: true };

fn pending() -> EntryState {
    EntryState::Pending { last_error: None }
}

fn x_version(data: &str) -> &str {
    data.split("X-VERSION:").nth(1).and_then(|s| s.split("\r\n").next()).unwrap_or("?")
}

/// One line per action, so a row reads like the conversation.
fn show(a: &Action) -> String {
    let mine = |data: &str| {
        crate::ical::reply::is_applied(data, &entry(pending(), object(V1.into(), None, None)).reply)
    };
    match a {
        Action::Get { .. } => "GET".into(),
        Action::Record(EntryState::Sending) => "record sending".into(),
        Action::Record(EntryState::Pending { last_error }) => {
            format!("record pending: {}", last_error.as_deref().unwrap_or("-"))
        }
        Action::Record(EntryState::Conflict { server, .. }) => {
            format!("record conflict with {}", x_version(&server.data))
        }
        Action::Record(EntryState::Failed { error }) => format!("record failed: {error}"),
        Action::Put { data, precondition, .. } => {
            let pre = match precondition {
                Precondition::IfMatch(e) => format!("If-Match {}", e.as_str()),
                Precondition::IfScheduleTagMatch(t) => format!("If-Schedule-Tag-Match {}", t.as_str()),
                other => format!("{other:?}"),
            };
            let answer = if mine(data) { "accepted" } else { "NOT ANSWERED" };
            format!("PUT {pre} onto {} ({answer})", x_version(data))
        }
        Action::MarkSent => "mark sent".into(),
        Action::Finish(Outcome::Sent { object }) => format!(
            "sent: {} etag {}{}",
            x_version(&object.data),
            object.etag.as_ref().map_or("-", |e| e.as_str()),
            if mine(&object.data) { "" } else { " (NOT ANSWERED)" }
        ),
        Action::Finish(Outcome::Pending { error, offline }) => {
            format!("pending{}: {error}", if *offline { " (offline)" } else { "" })
        }
        Action::Finish(Outcome::Conflict { diff, server }) => {
            let fields: Vec<String> = diff.changes.iter().map(|c| format!("{:?}", c.field)).collect();
            format!("merge dialog: {} on {}", fields.join(", "), x_version(&server.data))
        }
        Action::Finish(Outcome::Failed { error }) => format!("failed: {error}"),
        Action::Abort(e) => format!("abort: {e}"),
    }
}

struct Row {
    name: &'static str,
    trust: Trust,
    entry: Entry,
    seen: Vec<Observation>,
    expect: Vec<String>,
}

fn row(name: &'static str, trust: Trust, entry: Entry, seen: Vec<Observation>, expect: &[&str]) -> Row {
    Row { name, trust, entry, seen, expect: expect.iter().map(|s| (*s).to_owned()).collect() }
}

/// Three 412s with others' answers in between, then the `n`th PUT.
fn retries(n: usize) -> (Vec<Observation>, Vec<String>) {
    let mut seen = vec![stored(), e412()];
    let mut expect = vec!["record sending".to_owned(), "PUT If-Match \"e1\" onto v1 (accepted)".to_owned()];
    for i in 2..=n {
        let (v, e) = (format!("v{i}"), format!("\"e{i}\""));
        seen.extend([fetched(others_answered(&v), &e), stored(), e412()]);
        expect.extend([
            "GET".to_owned(),
            "record sending".to_owned(),
            format!("PUT If-Match {e} onto {v} (accepted)"),
        ]);
    }
    (seen, expect)
}

fn table() -> Vec<Row> {
    let words = |c: Cause| Failure::from(c).to_string();
    let kept_changing = &words(Cause::KeptChanging);
    let no_strong_etag = &words(Cause::NoStrongEtag);
    let removed = &words(Cause::Removed(Error::NotFound(URL.into())));
    let strong = |data: String| object(data, Some("\"e1\""), None);
    let weak = |data: String| object(data, Some("W/\"e1\""), None);
    let past_the_limit = {
        let (mut seen, mut expect) = retries(MAX_MERGES + 1);
        seen.push(stored());
        expect.push(format!("record pending: {kept_changing}"));
        expect.push(format!("pending: {kept_changing}"));
        (seen, expect)
    };
    let succeeds_on_last = {
        let (mut seen, mut expect) = retries(MAX_MERGES + 1);
        seen.pop();
        expect.pop();
        seen.extend([written(Some("\"e9\"")), stored()]);
        expect.extend([
            "PUT If-Match \"e4\" onto v4 (accepted)".to_owned(),
            "mark sent".to_owned(),
            "sent: v4 etag \"e9\"".to_owned(),
        ]);
        (seen, expect)
    };
    let connection = Error::Connection("connection refused".into()).to_string();
    vec![
        row(
            "straight success",
            ETAG_ON_PUT,
            entry(pending(), strong(V1.into())),
            vec![stored(), written(Some("\"e2\"")), stored()],
            &[
                "record sending",
                "PUT If-Match \"e1\" onto v1 (accepted)",
                "mark sent",
                "sent: v1 etag \"e2\"",
            ],
        ),
        row(
            "success with an untrusted PUT response reads the server's copy after",
            UNTRUSTED,
            entry(pending(), strong(V1.into())),
            vec![stored(), written(Some("\"e2\"")), stored(), fetched(answered("v1-merged"), "\"e3\"")],
            &[
                "record sending",
                "PUT If-Match \"e1\" onto v1 (accepted)",
                "mark sent",
                "GET",
                "sent: v1-merged etag \"e3\"",
            ],
        ),
        row(
            "success, then the read after fails: the body sent, without tags",
            UNTRUSTED,
            entry(pending(), strong(V1.into())),
            vec![stored(), written(None), stored(), offline()],
            &[
                "record sending",
                "PUT If-Match \"e1\" onto v1 (accepted)",
                "mark sent",
                "GET",
                "sent: v1 etag -",
            ],
        ),
        row(
            "a trusted Schedule-Tag is the precondition",
            TAGS_TRUSTED,
            entry(pending(), object(V1.into(), Some("\"e1\""), Some("\"s1\""))),
            vec![stored(), written(Some("\"e2\"")), stored(), fetched(answered("v1"), "\"e2\"")],
            &[
                "record sending",
                "PUT If-Schedule-Tag-Match \"s1\" onto v1 (accepted)",
                "mark sent",
                "GET",
                "sent: v1 etag \"e2\"",
            ],
        ),
        row(
            "a trusted server's copy without its tag (first sync) is read for the tag first",
            TAGS_TRUSTED,
            entry(pending(), object(V1.into(), Some("\"e1\""), None)),
            vec![
                Observation::Fetched(object(version("v1"), Some("\"e1\""), Some("\"s1\""))),
                stored(),
                written(Some("\"e2\"")),
                stored(),
                fetched(answered("v1"), "\"e2\""),
            ],
            &[
                "GET",
                "record sending",
                "PUT If-Schedule-Tag-Match \"s1\" onto v1 (accepted)",
                "mark sent",
                "GET",
                "sent: v1 etag \"e2\"",
            ],
        ),
        row(
            "an untrusted Schedule-Tag is ignored for the ETag",
            ETAG_ON_PUT,
            entry(pending(), object(V1.into(), Some("\"e1\""), Some("\"s1\""))),
            vec![stored(), written(Some("\"e2\"")), stored()],
            &[
                "record sending",
                "PUT If-Match \"e1\" onto v1 (accepted)",
                "mark sent",
                "sent: v1 etag \"e2\"",
            ],
        ),
        row(
            "one 412, others answered: re-applied on the new version and sent",
            ETAG_ON_PUT,
            entry(pending(), strong(V1.into())),
            vec![
                stored(),
                e412(),
                fetched(others_answered("v2"), "\"e2\""),
                stored(),
                written(Some("\"e3\"")),
                stored(),
            ],
            &[
                "record sending",
                "PUT If-Match \"e1\" onto v1 (accepted)",
                "GET",
                "record sending",
                "PUT If-Match \"e2\" onto v2 (accepted)",
                "mark sent",
                "sent: v2 etag \"e3\"",
            ],
        ),
        row(
            "a Schedule-Tag 412 is read and compared the same way",
            TAGS_TRUSTED,
            entry(pending(), object(V1.into(), Some("\"e1\""), Some("\"s1\""))),
            vec![
                stored(),
                failed(Error::ScheduleTagMismatch),
                Observation::Fetched(object(others_answered("v2"), Some("\"e2\""), Some("\"s2\""))),
                stored(),
            ],
            &[
                "record sending",
                "PUT If-Schedule-Tag-Match \"s1\" onto v1 (accepted)",
                "GET",
                "record sending",
                "PUT If-Schedule-Tag-Match \"s2\" onto v2 (accepted)",
            ],
        ),
        Row {
            name: "412s up to the retry limit, the last PUT succeeds",
            trust: ETAG_ON_PUT,
            entry: entry(pending(), strong(V1.into())),
            seen: succeeds_on_last.0,
            expect: succeeds_on_last.1,
        },
        Row {
            name: "412s past the retry limit: kept pending, not offline",
            trust: ETAG_ON_PUT,
            entry: entry(pending(), strong(V1.into())),
            seen: past_the_limit.0,
            expect: past_the_limit.1,
        },
        row(
            "412 and the organizer moved it: the merge dialog",
            ETAG_ON_PUT,
            entry(pending(), strong(V1.into())),
            vec![stored(), e412(), fetched(moved("v2"), "\"e2\""), stored()],
            &[
                "record sending",
                "PUT If-Match \"e1\" onto v1 (accepted)",
                "GET",
                "record conflict with v2",
                "merge dialog: Time on v2",
            ],
        ),
        row(
            "412 after a merge, and then the organizer moved it: the merge dialog",
            ETAG_ON_PUT,
            entry(pending(), strong(V1.into())),
            vec![
                stored(),
                e412(),
                fetched(others_answered("v2"), "\"e2\""),
                stored(),
                e412(),
                fetched(moved("v3"), "\"e3\""),
                stored(),
            ],
            &[
                "record sending",
                "PUT If-Match \"e1\" onto v1 (accepted)",
                "GET",
                "record sending",
                "PUT If-Match \"e2\" onto v2 (accepted)",
                "GET",
                "record conflict with v3",
                "merge dialog: Time on v3",
            ],
        ),
        row(
            "weak ETag: read first, then If-Match on the strong one read",
            ETAG_ON_PUT,
            entry(pending(), weak(V1.into())),
            vec![fetched(version("v1"), "\"e1\""), stored(), written(Some("\"e2\"")), stored()],
            &[
                "GET",
                "record sending",
                "PUT If-Match \"e1\" onto v1 (accepted)",
                "mark sent",
                "sent: v1 etag \"e2\"",
            ],
        ),
        row(
            "weak ETag on the server too: refused, no safe reply",
            ETAG_ON_PUT,
            entry(pending(), weak(V1.into())),
            vec![fetched(version("v1"), "W/\"e2\""), stored()],
            &["GET", &format!("record failed: {no_strong_etag}"), &format!("failed: {no_strong_etag}")],
        ),
        row(
            "no ETag at all: read first",
            ETAG_ON_PUT,
            entry(pending(), object(V1.into(), None, None)),
            vec![fetched(version("v1"), "\"e1\""), stored()],
            &["GET", "record sending", "PUT If-Match \"e1\" onto v1 (accepted)"],
        ),
        row(
            "a weak PUT response ETag is not kept",
            ETAG_ON_PUT,
            entry(pending(), strong(V1.into())),
            vec![stored(), written(Some("W/\"e2\"")), stored(), fetched(answered("v1"), "W/\"e2\"")],
            &[
                "record sending",
                "PUT If-Match \"e1\" onto v1 (accepted)",
                "mark sent",
                "GET",
                "sent: v1 etag W/\"e2\"",
            ],
        ),
        row(
            "recovery from Sending: the server has the answer, not sent twice",
            ETAG_ON_PUT,
            entry(EntryState::Sending, strong(V1.into())),
            vec![fetched(answered("v1"), "\"e2\""), stored()],
            &["GET", "mark sent", "sent: v1 etag \"e2\""],
        ),
        row(
            "recovery from Sending: the answer never landed, sent once",
            ETAG_ON_PUT,
            entry(EntryState::Sending, strong(V1.into())),
            vec![fetched(version("v1"), "\"e1\""), stored(), written(Some("\"e2\"")), stored()],
            &[
                "GET",
                "record sending",
                "PUT If-Match \"e1\" onto v1 (accepted)",
                "mark sent",
                "sent: v1 etag \"e2\"",
            ],
        ),
        row(
            "recovery from Sending, still offline: stays Sending",
            ETAG_ON_PUT,
            entry(EntryState::Sending, strong(V1.into())),
            vec![offline()],
            &["GET", &format!("pending (offline): {connection}")],
        ),
        row(
            "recovery from Sending, the organizer moved it meanwhile: the merge dialog",
            ETAG_ON_PUT,
            entry(EntryState::Sending, strong(V1.into())),
            vec![fetched(moved("v2"), "\"e2\""), stored()],
            &["GET", "record conflict with v2", "merge dialog: Time on v2"],
        ),
        row(
            "the event vanished (404 on PUT): refused for good",
            ETAG_ON_PUT,
            entry(pending(), strong(V1.into())),
            vec![stored(), gone(), stored()],
            &[
                "record sending",
                "PUT If-Match \"e1\" onto v1 (accepted)",
                &format!("record failed: {removed}"),
                &format!("failed: {removed}"),
            ],
        ),
        row(
            "the event vanished (404 on the read): refused for good",
            ETAG_ON_PUT,
            entry(EntryState::Sending, strong(V1.into())),
            vec![gone(), stored()],
            &["GET", &format!("record failed: {removed}"), &format!("failed: {removed}")],
        ),
        row(
            "offline on the PUT: pending, left as Sending",
            ETAG_ON_PUT,
            entry(pending(), strong(V1.into())),
            vec![stored(), offline()],
            &[
                "record sending",
                "PUT If-Match \"e1\" onto v1 (accepted)",
                &format!("pending (offline): {connection}"),
            ],
        ),
        row(
            "offline on the first read: recorded pending",
            ETAG_ON_PUT,
            entry(pending(), weak(V1.into())),
            vec![offline(), stored()],
            &["GET", &format!("record pending: {connection}"), &format!("pending (offline): {connection}")],
        ),
        row(
            "a refused password: pending, not offline",
            ETAG_ON_PUT,
            entry(pending(), strong(V1.into())),
            vec![stored(), failed(Error::Unauthorized)],
            &[
                "record sending",
                "PUT If-Match \"e1\" onto v1 (accepted)",
                &format!("pending: {}", Error::Unauthorized),
            ],
        ),
        row(
            "the server forbids the change: refused for good",
            ETAG_ON_PUT,
            entry(pending(), strong(V1.into())),
            vec![stored(), failed(Error::AttendeeChangeForbidden), stored()],
            &[
                "record sending",
                "PUT If-Match \"e1\" onto v1 (accepted)",
                &format!("record failed: {}", Error::AttendeeChangeForbidden),
                &format!("failed: {}", Error::AttendeeChangeForbidden),
            ],
        ),
        row(
            "the answer can't be applied to the version: abort",
            ETAG_ON_PUT,
            entry(pending(), strong(V1.replace("mailto:ann@", "mailto:someone-else@"))),
            vec![],
            &["abort: mailto:ann@example.com is not an attendee of this event"],
        ),
    ]
}

#[test]
fn reply_steps_table() {
    let mut failures = Vec::new();
    for r in table() {
        let mut steps = Steps::new(&r.entry, r.trust, me());
        let mut actions = vec![show(&steps.start())];
        for seen in r.seen {
            actions.push(show(&steps.next(seen)));
        }
        if actions != r.expect {
            failures.push(format!("{}:\n  expected {:#?}\n  got      {:#?}", r.name, r.expect, actions));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn row_names_are_unique() {
    let mut names: Vec<&str> = table().iter().map(|r| r.name).collect();
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n);
}

#[test]
fn trust_follows_the_capability_record() {
    assert_eq!(Trust::of(None), UNTRUSTED);
}

#[test]
fn a_delegation_is_read_back_after_its_put_where_an_answer_is_not() {
    let base = || object(V1.into(), Some("\"e1\""), Some("\"s1\""));
    let after_put = |e: &Entry| {
        let mut steps = Steps::new(e, ETAG_ON_PUT, me());
        assert!(matches!(steps.start(), Action::Record(EntryState::Sending)));
        assert!(matches!(steps.next(stored()), Action::Put { .. }));
        assert!(matches!(steps.next(written(Some("\"e2\""))), Action::MarkSent));
        steps.next(stored())
    };
    let mut delegation = entry(pending(), base());
    delegation.reply.answer = Answer::Delegate;
    delegation.reply.delegate = Some("mailto:kim@example.com".into());
    assert!(matches!(after_put(&delegation), Action::Get { .. }), "the server's copy, not the body sent");
    assert!(matches!(after_put(&entry(pending(), base())), Action::Finish(Outcome::Sent { .. })));
}
