//! The mailed flow without a server: answering again after the server
//! refused a mailed invitation's addition.

use super::super::replying::tests::{CALENDAR, engine_at};
use super::*;

const OUTLOOK: &str = include_str!("../../../tests/fixtures/imip/outlook-request.ics");

/// The Outlook invitation added from mail (accepted) to `calendar`, and
/// the server's refusal of that addition: (the message, its file).
fn refused_addition_in(engine: &mut Engine, dir: &std::path::Path, calendar: &Url) -> (Message, PathBuf) {
    let message = Message::parse(OUTLOOK).unwrap();
    let file = dir.join("invite.ics");
    let data = storable(&file, OUTLOOK, &message.uid).unwrap();
    let me = engine.invited_as(&message, None).unwrap();
    let reply =
        Reply { answer: Answer::Accept, comment: None, occurrence: None, me, silent: false, delegate: None };
    let mut entry = engine.queue_mailed(calendar, &message.uid, &data, &reply).unwrap();
    entry.state = EventState::Failed { error: "the server said no".into() };
    engine.outbox.put_event(&entry).unwrap();
    (message, file)
}

/// Review: after the server refused a mailed invitation's addition,
/// answering again in the panel answered the copy shown locally (which
/// the server never had) through the reply outbox. It adds it again.
#[tokio::test]
async fn answering_again_after_a_refused_addition_adds_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = engine_at(dir.path(), "mailto:attendee@example.com");
    let calendar = Url::parse(CALENDAR).unwrap();
    let (message, file) = refused_addition_in(&mut engine, dir.path(), &calendar);

    let again = super::MailedAnswer { calendar, answer: Answer::Decline, comment: None };
    let outcome = engine.act_on_mailed(&file, OUTLOOK, Some(again)).await.unwrap();
    assert!(matches!(outcome.done, MailedDone::Added { queued: true, .. }), "{:?}", outcome.done);
    assert!(engine.outbox.get(&message.uid).unwrap().is_none(), "no reply to a copy the server lacks");
    let added = engine.outbox.get_event(&message.uid).unwrap().expect("the addition, queued again");
    assert!(matches!(added.change, EventChange::Create) && added.is_waiting(), "{:?}", added.state);
    let mine = ical::invitation::read(&added.base.data, &engine.identity()).unwrap().unwrap();
    assert_eq!(mine.my_partstat.as_deref(), Some("DECLINED"));
}

/// Review: added again to another calendar, the refused copy stayed in
/// the first one for good (the new addition replaced its outbox entry).
#[tokio::test]
async fn added_again_elsewhere_the_refused_copy_goes() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = engine_at(dir.path(), "mailto:attendee@example.com");
    let first = Url::parse(CALENDAR).unwrap();
    let other = first.join("../home/").unwrap();
    let mut calendars: Vec<caldav::Calendar> =
        engine.cache.calendars.iter().map(|c| c.info.clone()).collect();
    calendars.push(caldav::Calendar {
        url: other.clone(),
        display_name: Some("Home".into()),
        ..calendars[0].clone()
    });
    engine.cache.set_calendars(calendars).unwrap();
    let (message, file) = refused_addition_in(&mut engine, dir.path(), &first);

    let again = super::MailedAnswer { calendar: other.clone(), answer: Answer::Accept, comment: None };
    engine.act_on_mailed(&file, OUTLOOK, Some(again)).await.unwrap();
    let copies: Vec<Url> = engine
        .cache
        .with_uid(&message.uid)
        .unwrap()
        .into_iter()
        .map(|(c, _, _)| c.info.url.clone())
        .collect();
    assert_eq!(copies, vec![other], "one copy, in the calendar chosen last");
}
