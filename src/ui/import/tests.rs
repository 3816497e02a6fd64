//! The wizard on its own: what it asks the app to do, step by step.

use super::*;
use crate::caldav::Calendar;
use chrono_tz::Tz;

fn calendar() -> Url {
    "https://dav.example.com/cal/work/".parse().unwrap()
}

fn accounts() -> Vec<AccountState> {
    let mut a = AccountState::example();
    a.calendars.push(Calendar {
        url: calendar(),
        display_name: Some("Work".into()),
        color: None,
        components: Vec::new(),
        ctag: None,
        sync_token: None,
        reports: Vec::new(),
        read_only: false,
    });
    vec![a]
}

#[test]
fn the_wizard_asks_the_app_to_check_the_target_start_and_cancel() {
    let accounts = accounts();
    let mut w = Wizard::default();
    let file = PathBuf::from("a.ics");
    let (_, event) = w.update(Message::Add(vec![file.clone()]), &accounts);
    assert!(event.is_none() && w.reading);

    // The first calendar is the target until the person picks one.
    let batch = Arc::new(Batch::default());
    let (_, event) = w.update(Message::Read(vec![file], batch), &accounts);
    assert!(matches!(event, Some(Event::CheckTarget(t)) if t.account == "work" && t.calendar == calendar()));
    w.target_uids("work", &calendar(), HashSet::new(), &accounts);
    assert!(w.existing.is_some() && w.preview.is_some());

    assert!(w.update(Message::Start, &accounts).1.is_none(), "no mode chosen yet");
    let _ = w.update(Message::Mode(SchedulingMode::None), &accounts);
    let Some(Event::Start(account, request)) = w.update(Message::Start, &accounts).1 else {
        panic!("no start")
    };
    assert_eq!((account.as_str(), &request.calendar), ("work", &calendar()));
    assert_eq!(w.step, Step::Files, "running only once the actor took it");
    w.started();
    assert_eq!(w.step, Step::Running);

    let (_, event) = w.update(Message::Add(vec![PathBuf::from("b.ics")]), &accounts);
    assert!(matches!(event, Some(Event::Banner(_))), "no files added while running");
    let (_, event) = w.update(Message::Cancel, &accounts);
    assert!(matches!(event, Some(Event::Cancel(a)) if a == "work") && w.cancelling);

    // Another account's import ending is news; this one's is the report.
    assert!(matches!(w.finished("home", Err("x".into()), &accounts), Some(Event::Banner(_))));
    assert!(matches!(w.finished("work", Err("x".into()), &accounts), Some(Event::CheckTarget(_))));
    assert_eq!(w.step, Step::Report);
    assert!(!w.cancelling && w.existing.is_none(), "the calendar is checked again");
    assert!(matches!(w.update(Message::Close, &accounts).1, Some(Event::Close)));
}

/// A wizard that has read `text` as the file `name`, checked the target
/// and chosen to notify nobody: Start is all that is left.
fn ready_to_start(name: &str, text: &str, accounts: &[AccountState]) -> Wizard {
    let mut w = Wizard::default();
    let file = PathBuf::from(name);
    let _ = w.update(Message::Add(vec![file.clone()]), accounts);
    let batch = Arc::new(crate::import::source::parse(&file, text));
    let _ = w.update(Message::Read(vec![file], batch), accounts);
    w.target_uids("work", &calendar(), HashSet::new(), accounts);
    let _ = w.update(Message::Mode(SchedulingMode::None), accounts);
    w
}

#[test]
fn flagged_entries_go_only_with_the_persons_yes_and_new_files_ask_again() {
    let accounts = accounts();
    let text = include_str!("../../../tests/fixtures/import/repairs/flagged.ics");
    let mut w = ready_to_start("flagged.ics", text, &accounts);
    assert_eq!(w.preview.as_ref().map(|p| p.flagged), Some(1));
    let start = |w: &mut Wizard| match w.update(Message::Start, &accounts).1 {
        Some(Event::Start(_, request)) => request.import_flagged,
        other => panic!("no start: {other:?}"),
    };
    assert!(!start(&mut w), "not without the tick");
    let _ = w.update(Message::ImportFlagged(true), &accounts);
    assert!(start(&mut w));
    let _ = w.update(Message::Add(vec![PathBuf::from("other.ics")]), &accounts);
    assert!(!w.import_flagged, "a yes covers the files it was given for");
}

#[test]
fn an_unknown_zone_waits_for_the_persons_choice_and_a_new_choice_replaces_it() {
    let accounts = accounts();
    let text = include_str!("../../../tests/fixtures/import/repairs/unknown-zones.ics");
    let mut w = ready_to_start("unknown-zones.ics", text, &accounts);
    assert_eq!(w.preview.as_ref().map(|p| p.zone_needed), Some(4));
    let atlantis = "Nowhere/Atlantis".to_owned();
    // What a request would write for the meeting, if anything.
    let meeting = |w: &mut Wizard| match w.update(Message::Start, &accounts).1 {
        Some(Event::Start(_, request)) => {
            let item = request.items.iter().find(|i| i.uid == "zone-meeting@example.com").unwrap().clone();
            item.held_back(request.import_flagged).is_none().then_some(item.data)
        }
        other => panic!("no start: {other:?}"),
    };
    let _ = w.update(Message::ImportFlagged(true), &accounts);
    assert_eq!(meeting(&mut w), None, "the checkbox is no choice of zone");

    // Typing finds zones; nothing is chosen by typing alone.
    assert!(w.zone_matches(&atlantis).is_empty(), "nothing offered before the person types");
    let _ = w.update(Message::ZoneFilter(atlantis.clone(), "berlin".into()), &accounts);
    assert_eq!(w.zone_matches(&atlantis), [Tz::Europe__Berlin]);
    assert_eq!(meeting(&mut w), None);

    let _ = w.update(Message::Zone(atlantis.clone(), Tz::Europe__Berlin), &accounts);
    assert_eq!(
        w.preview.as_ref().map(|p| p.zone_needed),
        Some(1),
        "one entry also uses another unknown name"
    );
    let data = meeting(&mut w).expect("imported once the zone is chosen");
    assert!(data.contains("DTSTART;TZID=Europe/Berlin:20300703T100000\r\n"), "{data}");
    assert!(data.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"), "{data}");

    // Another choice is applied to the file as read, not on top of the first.
    let _ = w.update(Message::Zone(atlantis.clone(), Tz::America__New_York), &accounts);
    let data = meeting(&mut w).unwrap();
    assert!(data.contains("DTSTART;TZID=America/New_York:20300703T100000\r\n"), "{data}");
    assert!(!data.contains("Europe/Berlin"), "{data}");
    let batch = w.batch.as_ref().unwrap();
    let chosen = batch.items.iter().find(|i| i.uid == "zone-meeting@example.com").unwrap();
    assert_eq!(
        chosen.repairs[0],
        "the time zone \"Nowhere/Atlantis\" read as America/New_York, as you chose"
    );

    let _ = w.update(Message::Add(vec![PathBuf::from("other.ics")]), &accounts);
    assert!(w.zone_picks.is_empty(), "a choice covers the files it was made for");
}
