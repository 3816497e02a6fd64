//! Invitations by mail opened in the window (issue 16): the account's actor
//! given the `Control::Mailed` the "Invitation by mail" panel sends adds
//! the event to the server with SCHEDULE-AGENT=CLIENT (the server tells
//! nobody) and writes the METHOD:REPLY to mail back; a mailed CANCEL
//! through the same Control marks the copy cancelled, and a mailed REPLY
//! opened by the organizer records the guest's answer.

use crate::support;

use std::time::Duration;

use convene::ical::Answer;
use convene::ical::imip::{Message, Method};
use convene::sync::{Cancelled, Control, MailedAnswer, MailedDone, Update, spawn};
use support::{Kind, Profile, server};

use crate::actor::{expect, settings};
use crate::mailed::{held, nothing_reached, outlook_request};

async fn mailed_result(h: &mut convene::sync::Handle, uid: &str) -> Result<MailedDone, String> {
    expect(&mut h.updates, "what the mailed file did", |u| match u {
        Update::Mailed { uid: x, result, .. } if x == uid => Some(result.clone().map_err(|e| e.to_string())),
        _ => None,
    })
    .await
}

async fn the_panels_answer_adds_the_invitation_and_writes_the_reply(kind: Kind) {
    let uid = support::uid("mw-panel");
    let p = Profile::new(kind, "attendee");
    let mut h = spawn(settings(&p, Duration::from_secs(60)));
    let calendar = server(kind).at(&server(kind).default_calendar, "attendee");
    let calendars = expect(&mut h.updates, "the calendars", |u| match u {
        Update::Calendars { calendars, .. } => Some(calendars.clone()),
        _ => None,
    })
    .await;
    assert!(calendars.iter().any(|c| c.url == calendar), "{calendars:?}");

    // What the panel sends for "Accept" with a comment.
    let file = p.dir.path().join("invite.ics");
    let answer = MailedAnswer { calendar, answer: Answer::Accept, comment: Some("Will be there".into()) };
    let control = Control::Mailed { file: file.clone(), text: outlook_request(&uid), answer: Some(answer) };
    h.control.send(control).await.unwrap();
    let done = mailed_result(&mut h, &uid).await;
    let Ok(MailedDone::Added { queued, reply, organizer, subject }) = done else {
        panic!("not added: {done:?}")
    };
    assert!(!queued, "the server took it at once");
    assert_eq!(organizer, "organizer@example.com");
    assert_eq!(subject, "Accepted: Quarterly planning");

    let copies = held(kind, "attendee", &server(kind).default_calendar, &uid).await;
    assert_eq!(copies.len(), 1, "one copy in the attendee's calendar");
    let copy = &copies[0].data;
    assert_eq!(support::partstat(copy, "attendee", None).as_deref(), Some("ACCEPTED"), "{copy}");
    assert!(
        copy.replace("\r\n ", "").contains("SCHEDULE-AGENT=CLIENT:mailto:organizer@example.com"),
        "{copy}"
    );
    assert!(!copy.contains("METHOD:"), "{copy}");

    let text = std::fs::read_to_string(&reply).expect("the reply file");
    let read = Message::parse(&text).expect("the reply parses");
    assert_eq!((read.method, read.uid.as_str()), (Method::Reply, uid.as_str()));
    assert_eq!(read.answers(), [("mailto:attendee@example.com".to_owned(), "ACCEPTED".to_owned())]);
    assert!(text.contains("COMMENT:Will be there"), "{text}");
    assert!(reply.starts_with(p.dir.path()), "in the profile's replies folder: {}", reply.display());

    tokio::time::sleep(Duration::from_secs(1)).await;
    nothing_reached(kind, "organizer", &uid).await;
    nothing_reached(kind, "attendee2", &uid).await;

    // The same file again, answered differently: the copy added from mail
    // changes its answer (still one copy), and a new reply goes by mail.
    let again = Control::Mailed {
        file: file.clone(),
        text: outlook_request(&uid),
        answer: Some(MailedAnswer {
            calendar: server(kind).at(&server(kind).default_calendar, "attendee"),
            answer: Answer::Decline,
            comment: None,
        }),
    };
    h.control.send(again).await.unwrap();
    let done = mailed_result(&mut h, &uid).await;
    let Ok(MailedDone::Added { queued: false, reply, subject, .. }) = done else {
        panic!("not answered again: {done:?}")
    };
    assert_eq!(subject, "Declined: Quarterly planning");
    let copies = held(kind, "attendee", &server(kind).default_calendar, &uid).await;
    assert_eq!(copies.len(), 1, "still one copy");
    assert_eq!(support::partstat(&copies[0].data, "attendee", None).as_deref(), Some("DECLINED"));
    let text = std::fs::read_to_string(&reply).expect("the second reply file");
    let read = Message::parse(&text).expect("the reply parses");
    assert_eq!(read.answers(), [("mailto:attendee@example.com".to_owned(), "DECLINED".to_owned())]);
    tokio::time::sleep(Duration::from_secs(1)).await;
    nothing_reached(kind, "organizer", &uid).await;

    // The organizer's CANCEL, opened in the window.
    let cancel =
        outlook_request(&uid).replace("METHOD:REQUEST", "METHOD:CANCEL").replace("SEQUENCE:2", "SEQUENCE:3");
    h.control
        .send(Control::Mailed { file: p.dir.path().join("cancel.ics"), text: cancel, answer: None })
        .await
        .unwrap();
    let done = mailed_result(&mut h, &uid).await;
    let copies = held(kind, "attendee", &server(kind).default_calendar, &uid).await;
    if kind == Kind::Xandikos {
        // Xandikos refuses an attendee's STATUS edit (measured, see mailed.rs).
        assert_eq!(done, Ok(MailedDone::Cancelled(Cancelled::Removed)));
        assert!(copies.is_empty());
    } else {
        assert_eq!(done, Ok(MailedDone::Cancelled(Cancelled::Marked)));
        assert!(copies[0].data.contains("STATUS:CANCELLED"), "{}", copies[0].data);
    }
    h.control.send(Control::Shutdown).await.unwrap();
}

on_servers!(the_panels_answer_adds_the_invitation_and_writes_the_reply: cyrus, xandikos);

/// The panel's answer while the server can't be reached: added to the
/// outbox (queued), the account marked offline as after any other send
/// (it used not to be, so nothing retried until the hourly sync), and
/// written to the server once it is back.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the test servers (bash tests/all.sh)"]
async fn a_mailed_answer_queued_offline_marks_the_account_offline_and_goes_out_when_back() {
    let kind = Kind::Cyrus;
    let s = server(kind);
    let addr = format!("{}:{}", s.url.host_str().unwrap(), s.url.port().unwrap()).parse().unwrap();
    let proxy = support::proxy::start(addr).await;
    let uid = support::uid("mw-offline");
    let url = proxy.url.join(&s.principal.replace("{user}", "attendee")).unwrap();
    let p = Profile::at(kind, "attendee", url, Vec::new());
    let mut h = spawn(settings(&p, Duration::from_millis(300)));
    // The account's calendar, as it reaches it: through the proxy.
    let calendar = proxy.url.join(s.at(&s.default_calendar, "attendee").path()).unwrap();
    expect(&mut h.updates, "Synced", |u| matches!(u, Update::Synced { .. }).then_some(())).await;

    proxy.set(support::proxy::Mode::Refuse);
    let answer = MailedAnswer { calendar, answer: Answer::Accept, comment: None };
    let file = p.dir.path().join("invite.ics");
    h.control
        .send(Control::Mailed { file, text: outlook_request(&uid), answer: Some(answer) })
        .await
        .unwrap();
    let done = mailed_result(&mut h, &uid).await;
    assert!(matches!(done, Ok(MailedDone::Added { queued: true, .. })), "{done:?}");
    expect(&mut h.updates, "Offline", |u| matches!(u, Update::Offline { .. }).then_some(())).await;

    proxy.set(support::proxy::Mode::Forward);
    expect(&mut h.updates, "Online", |u| matches!(u, Update::Online).then_some(())).await;
    let copies = support::eventually("the added copy", || async {
        let copies = held(kind, "attendee", &s.default_calendar, &uid).await;
        (!copies.is_empty()).then_some(copies)
    })
    .await;
    assert_eq!(copies.len(), 1);
    assert_eq!(support::partstat(&copies[0].data, "attendee", None).as_deref(), Some("ACCEPTED"));
    h.control.send(Control::Shutdown).await.unwrap();
}

/// A guest's answer by mail, opened by the organizer in the window: the
/// actor records it in the event and says whose answer it was.
async fn a_mailed_answer_opened_in_the_window_is_recorded(kind: Kind) {
    let uid = support::uid("mw-answer");
    let guest = "mailto:guest@elsewhere.example";
    let event = support::ics::Event::new(&uid)
        .summary("Supplier visit")
        .organized()
        .invite("attendee")
        .line(&format!("ATTENDEE;CN=Gus Guest;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:{guest}"));
    let data = support::ics::object(event);
    support::organizer_put(kind, &uid, &data).await;
    let answer =
        convene::ical::imip::reply_text(&data, guest, Answer::Tentative, None, chrono::Utc::now()).unwrap();
    let p = Profile::new(kind, "organizer");
    let mut h = spawn(settings(&p, Duration::from_secs(60)));
    expect(&mut h.updates, "the agenda", |u| matches!(u, Update::Agenda(_)).then_some(())).await;
    h.control
        .send(Control::Mailed { file: p.dir.path().join("answer.ics"), text: answer, answer: None })
        .await
        .unwrap();
    let done = mailed_result(&mut h, &uid).await;
    assert_eq!(done, Ok(MailedDone::Recorded(vec![(guest.to_owned(), "TENTATIVE".to_owned())])));
    let org = support::organizer_copy(kind, &uid).await;
    let me = convene::ical::Identity::new(["mailto:organizer@example.com"]);
    let inv = convene::ical::invitation::read(&org.data, &me).unwrap().unwrap();
    let answer_of =
        |who: &str| inv.attendees.iter().find(|a| a.address.contains(who)).and_then(|a| a.partstat.clone());
    assert_eq!(answer_of("guest@").as_deref(), Some("TENTATIVE"), "{}", org.data);
    assert_eq!(answer_of("attendee@").as_deref(), Some("NEEDS-ACTION"), "{}", org.data);
    h.control.send(Control::Shutdown).await.unwrap();
}

on_servers!(a_mailed_answer_opened_in_the_window_is_recorded: cyrus, xandikos);
