//! The reader's tests: exact lines for each problem, and what each item holds.

use chrono::TimeZone;

use super::entries::is_date_or_date_time;
use super::*;
use crate::ical::event::{self, When};
use crate::ical::time::to_local;

const GOOD: &str = include_str!("../../../tests/fixtures/import/good.ics");
const MIXED: &str = include_str!("../../../tests/fixtures/import/mixed.ics");

fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn local_midnight(date: &str) -> DateTime<Utc> {
    to_local(&When { value: date.into(), tzid: None }).unwrap().with_timezone(&Utc)
}

/// Parses `data` as the server would and returns the UIDs it holds.
fn uids_in(data: &str) -> Vec<String> {
    let doc = Document::parse(data).unwrap();
    let cal = doc.calendar().unwrap();
    let mut uids: Vec<String> = cal.children().filter_map(event::uid).collect();
    uids.dedup();
    uids
}

fn item<'a>(batch: &'a Batch, uid: &str) -> &'a Item {
    batch.items.iter().find(|i| i.uid == uid).unwrap()
}

/// (line, uid, problem) of each bad entry, for exact comparison.
fn bad_list(batch: &Batch) -> Vec<(usize, Option<&str>, &str)> {
    batch.bad.iter().map(|b| (b.line, b.uid.as_deref(), b.problem.as_str())).collect()
}

fn assert_well_formed(item: &Item) {
    assert_eq!(uids_in(&item.data), vec![item.uid.clone()], "{}", item.data);
    assert!(!item.data.replace("\r\n", "").contains('\n'), "bare LF in {:?}", item.data);
    assert!(item.data.starts_with("BEGIN:VCALENDAR\r\n") && item.data.ends_with("END:VCALENDAR\r\n"));
    assert!(!item.data.contains("METHOD"), "{}", item.data);
}

#[test]
fn good_file_gives_one_item_per_event_and_task() {
    let batch = parse(Path::new("good.ics"), &crlf(GOOD));
    assert_eq!(batch.bad, vec![]);
    let uids: Vec<&str> = batch.items.iter().map(|i| i.uid.as_str()).collect();
    assert_eq!(uids, ["planning-2030@example.com", "offsite-2030@example.com", "report-2030@example.com"]);
    for i in &batch.items {
        assert_well_formed(i);
        assert_eq!(i.file, Path::new("good.ics"));
        assert!(i.data.starts_with(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example Corp//Mail 1.0//EN\r\nCALSCALE:GREGORIAN\r\n"
        ));
        assert!(!i.data.contains("America/New_York"), "an unused zone is never attached");
    }

    let planning = item(&batch, "planning-2030@example.com");
    assert_eq!((planning.kind, planning.line), (Kind::Event, 29));
    assert_eq!(planning.summary.as_deref(), Some("Planning, Q3"));
    assert_eq!(planning.start, Some(utc(2030, 6, 4, 8, 0)));
    assert_eq!(planning.end, Some(utc(2030, 6, 4, 9, 30)));
    assert_eq!(planning.organizer.as_deref(), Some("mailto:ann@example.com"));
    assert_eq!(planning.attendees, ["mailto:ben@example.com", "mailto:chen@example.com"]);
    assert_eq!(planning.data.matches("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n").count(), 1);
    assert!(planning.data.find("END:VTIMEZONE") < planning.data.find("BEGIN:VEVENT"));

    let offsite = item(&batch, "offsite-2030@example.com");
    assert_eq!((offsite.kind, offsite.line), (Kind::Event, 44));
    assert!(!offsite.data.contains("VTIMEZONE"));
    assert_eq!(offsite.start, Some(local_midnight("20300610")));
    assert_eq!(offsite.end, Some(local_midnight("20300611")), "a DATE without DTEND lasts a day");
    assert_eq!((offsite.organizer.as_ref(), offsite.attendees.len()), (None, 0));

    let report = item(&batch, "report-2030@example.com");
    assert_eq!((report.kind, report.line), (Kind::Task, 50));
    assert_eq!(report.summary.as_deref(), Some("Send the report"));
    assert_eq!((report.start, report.end), (Some(utc(2030, 6, 20, 17, 0)), Some(utc(2030, 6, 20, 17, 0))));
    assert!(!report.data.contains("VTIMEZONE"));
}

#[test]
fn components_are_copied_byte_for_byte() {
    let text = crlf(GOOD);
    let batch = parse(Path::new("good.ics"), &text);
    let from = text.find("BEGIN:VEVENT").unwrap();
    let to = text.find("END:VEVENT\r\n").unwrap() + "END:VEVENT\r\n".len();
    assert!(item(&batch, "planning-2030@example.com").data.contains(&text[from..to]));
    let zone_from = text.find("BEGIN:VTIMEZONE").unwrap();
    let zone_to = text.find("END:VTIMEZONE\r\n").unwrap() + "END:VTIMEZONE\r\n".len();
    assert!(item(&batch, "planning-2030@example.com").data.contains(&text[zone_from..zone_to]));
}

#[test]
fn lf_crlf_and_mixed_line_endings_read_the_same() {
    let lf = GOOD.replace("\r\n", "\n");
    let mixed: String = lf
        .split_inclusive('\n')
        .enumerate()
        .map(|(n, l)| if n % 2 == 0 { crlf(l) } else { l.to_owned() })
        .collect();
    let file = Path::new("good.ics");
    let expected = parse(file, &crlf(GOOD));
    assert_eq!(expected.items.len(), 3);
    assert_eq!(parse(file, &lf), expected, "data is CRLF whatever the file used");
    assert_eq!(parse(file, &mixed), expected);
    assert_eq!(parse(file, &format!("\u{feff}{lf}")), expected, "a byte order mark is skipped");
}

#[test]
fn recurring_master_and_its_overrides_are_one_item() {
    let text = "BEGIN:VCALENDAR\r\n\
        PRODID:-//Test//EN\r\n\
        BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nEND:VTIMEZONE\r\n\
        BEGIN:VEVENT\r\nUID:weekly\r\nSUMMARY:Weekly\r\nORGANIZER:mailto:ann@example.com\r\n\
        DTSTART;TZID=Europe/Berlin:20300603T100000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\n\
        ATTENDEE:mailto:ben@example.com\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:weekly\r\nSUMMARY:Weekly (moved)\r\n\
        RECURRENCE-ID;TZID=Europe/Berlin:20300610T100000\r\n\
        DTSTART;TZID=America/New_York:20300611T090000\r\nDTEND;TZID=America/New_York:20300611T100000\r\n\
        ATTENDEE:mailto:Ben@Example.com\r\nATTENDEE:mailto:dee@example.com\r\nEND:VEVENT\r\n\
        BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nEND:VTIMEZONE\r\n\
        END:VCALENDAR\r\n";
    let batch = parse(Path::new("r.ics"), text);
    assert_eq!(batch.bad, vec![]);
    assert_eq!(batch.items.len(), 1);
    let weekly = &batch.items[0];
    assert_well_formed(weekly);
    assert_eq!((weekly.line, weekly.summary.as_deref()), (6, Some("Weekly")));
    assert_eq!(weekly.data.matches("BEGIN:VEVENT").count(), 2);
    assert_eq!(weekly.attendees, ["mailto:ben@example.com", "mailto:dee@example.com"]);
    // The master's first occurrence to the moved instance's end (EDT, -4).
    assert_eq!((weekly.start, weekly.end), (Some(utc(2030, 6, 3, 8, 0)), Some(utc(2030, 6, 11, 14, 0))));
    // Both zones, each once, in the order the components first use them,
    // though the file defines them the other way round and late.
    let berlin = weekly.data.find("TZID:Europe/Berlin\r\n").unwrap();
    let new_york = weekly.data.find("TZID:America/New_York\r\n").unwrap();
    assert!(berlin < new_york && new_york < weekly.data.find("BEGIN:VEVENT").unwrap());
    assert_eq!(weekly.data.matches("BEGIN:VTIMEZONE").count(), 2);
    assert!(
        weekly.data.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTIMEZONE")
    );
}

#[test]
fn an_override_without_its_master_is_still_an_item() {
    let text = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n\
        BEGIN:VEVENT\r\nUID:one-instance\r\nRECURRENCE-ID:20300610T100000Z\r\n\
        DTSTART:20300610T120000Z\r\nSUMMARY:Moved\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let batch = parse(Path::new("i.ics"), text);
    assert_eq!((batch.items.len(), batch.bad.len()), (1, 0));
    let only = &batch.items[0];
    assert_well_formed(only);
    assert_eq!(only.summary.as_deref(), Some("Moved"));
    assert_eq!((only.start, only.end), (Some(utc(2030, 6, 10, 12, 0)), Some(utc(2030, 6, 10, 12, 0))));
    assert!(
        only.data
            .starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene//Import//EN\r\nBEGIN:VEVENT")
    );
}

#[test]
fn a_missing_uid_is_generated_from_the_text_and_stays_the_same() {
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
        BEGIN:VEVENT\r\nDTSTART:20300601T090000Z\r\nSUMMARY:No UID\r\n\
        BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n\
        BEGIN:VTODO\r\nUID:\r\nSUMMARY:Empty UID\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    let first = parse(Path::new("a.ics"), text);
    assert_eq!((first.items.len(), first.bad.len()), (2, 0));
    let event = &first.items[0];
    let hash = fnv1a_64(b"BEGIN:VEVENT\r\nDTSTART:20300601T090000Z\r\nSUMMARY:No UID\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n");
    assert_eq!(event.uid, format!("convene-import-{hash:016x}"));
    assert_well_formed(event);
    assert!(event.data.contains(&format!("SUMMARY:No UID\r\nUID:{}\r\nBEGIN:VALARM", event.uid)));
    let task = &first.items[1];
    assert!(task.uid.starts_with("convene-import-") && task.uid != event.uid);
    assert_well_formed(task);
    assert_eq!(task.data.matches("UID:").count(), 1, "the empty UID line is replaced");

    assert_eq!(parse(Path::new("a.ics"), text), first, "a second read gives the same UIDs");
    assert_eq!(parse(Path::new("a.ics"), &text.replace("\r\n", "\n")), first);
}

#[test]
fn each_bad_entry_is_reported_at_its_file_line_and_the_rest_imports() {
    let file = Path::new("mixed.ics");
    for text in [MIXED.to_owned(), crlf(MIXED)] {
        let batch = parse(file, &text);
        assert_eq!(
            bad_list(&batch),
            vec![
                (11, Some("no-start"), "VEVENT has no DTSTART"),
                (15, Some("bad-date"), "DTSTART \"20301345T100000\" is not a valid date-time"),
                (26, Some("broken-line"), "line 29: no ':' in \"this line has no colon\""),
                (31, Some("journal-1"), "journal entries are not imported"),
                (35, Some("good-1"), "UID good-1 already appears at line 4"),
                (39, Some("backwards"), "DTEND is before DTSTART"),
                (44, Some("both"), "VEVENT has both DTEND and DURATION"),
                (50, Some("bad-duration"), "DURATION \"one hour\" is not a valid duration"),
                (58, Some("wrong-end"), "END:VTODO closes BEGIN:VEVENT (line 55)"),
                (63, None, "X-FOO components are not imported"),
                (66, Some("truncated-mid"), "BEGIN:VEVENT has no END:VEVENT before line 69"),
                (
                    73,
                    Some("truncated-end"),
                    "BEGIN:VEVENT has no END:VEVENT: the file ends first (truncated?)"
                ),
            ]
        );
        let lines: Vec<(&str, usize)> = batch.items.iter().map(|i| (i.uid.as_str(), i.line)).collect();
        assert_eq!(lines, [("good-1", 4), ("folded", 19), ("task-1", 59), ("good-2", 69)]);
        assert!(batch.bad.iter().all(|b| b.file == file));
        assert_eq!(batch.bad[2].to_string(), "mixed.ics:26: line 29: no ':' in \"this line has no colon\"");
        for i in &batch.items {
            assert_well_formed(i);
        }
        // The earlier of two equal UIDs is the one kept.
        assert_eq!(item(&batch, "good-1").start, Some(utc(2030, 6, 1, 9, 0)));
    }
}

#[test]
fn folded_lines_keep_their_folds_and_unfold_when_read() {
    let batch = parse(Path::new("mixed.ics"), MIXED);
    let folded = item(&batch, "folded");
    assert!(folded.data.contains(
        "DESCRIPTION:This description is long enough that it has to be folded acro\r\n \
         ss several physical lines\\, so the line numbers after it are checked to\r\n o.\r\n"
    ));
    let doc = Document::parse(&folded.data).unwrap();
    let ev = doc.calendar().unwrap().children().next().unwrap();
    assert_eq!(
        event::text(ev, "DESCRIPTION").as_deref(),
        Some(
            "This description is long enough that it has to be folded across several physical \
             lines, so the line numbers after it are checked too."
        )
    );
    // A fold in the middle of a broken component doesn't shift the lines after it.
    let text = "BEGIN:VCALENDAR\n\
        BEGIN:VEVENT\nUID:x\nDESCRIPTION:a\n b\n\tc\nDTSTART:2030\nEND:VEVENT\nEND:VCALENDAR\n";
    let batch = parse(Path::new("f.ics"), text);
    assert_eq!(bad_list(&batch), [(2, Some("x"), "DTSTART \"2030\" is not a valid date")]);
    let text = text.replace("DTSTART:2030", "DTSTART:20300101\nbroken");
    assert_eq!(bad_list(&parse(Path::new("f.ics"), &text)), [(2, Some("x"), "line 8: no ':' in \"broken\"")]);
}

#[test]
fn several_calendars_in_one_file_each_keep_their_header() {
    let text = "stray text before\n\
        BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//One//EN\nMETHOD:PUBLISH\n\
        BEGIN:VEVENT\nUID:one\nDTSTART:20300601T090000Z\nEND:VEVENT\nEND:VCALENDAR\n\
        \n\
        BEGIN:VEVENT\nUID:between\nDTSTART:20300601T090000Z\nEND:VEVENT\n\
        begin:vcalendar\nprodid:-//Two//EN\nversion:2.0\n\
        begin:vevent\nuid:two\ndtstart;value=date:20300602\nend:vevent\n\
        BEGIN:VFREEBUSY\nUID:fb\nEND:VFREEBUSY\n\
        END:VEVENT\n\
        END:VCALENDAR\n";
    let batch = parse(Path::new("two.ics"), text);
    assert_eq!(
        bad_list(&batch),
        [
            (23, Some("fb"), "free/busy blocks are not imported"),
            (26, None, "END:VEVENT without BEGIN:VEVENT"),
        ]
    );
    // Stray text is skipped with a note; a bare component between
    // calendars is read as if it had one of its own.
    let notes: Vec<(usize, &str)> = batch.notes.iter().map(|n| (n.line, n.text.as_str())).collect();
    assert_eq!(notes, [(1, "skipped line outside BEGIN:VCALENDAR … END:VCALENDAR (\"stray text before\")")]);
    let lines: Vec<(&str, usize)> = batch.items.iter().map(|i| (i.uid.as_str(), i.line)).collect();
    assert_eq!(lines, [("one", 6), ("between", 12), ("two", 19)]);
    assert!(
        batch.items[1]
            .data
            .starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene//Import//EN\r\nBEGIN:VEVENT")
    );
    let batch = Batch { items: vec![batch.items[0].clone(), batch.items[2].clone()], ..batch };
    assert!(
        batch.items[0]
            .data
            .starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//One//EN\r\nBEGIN:VEVENT")
    );
    assert!(
        batch.items[1]
            .data
            .starts_with("BEGIN:VCALENDAR\r\nversion:2.0\r\nprodid:-//Two//EN\r\nbegin:vevent")
    );
    for i in &batch.items {
        assert_well_formed(i);
    }
    assert_eq!(batch.items[1].start, Some(local_midnight("20300602")));
}

#[test]
fn a_calendar_missing_its_end_still_yields_its_entries() {
    let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20300601T090000Z\nEND:VEVENT\n\
        BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:b\nDTSTART:20300601T090000Z\nEND:VEVENT\n";
    let batch = parse(Path::new("x.ics"), text);
    assert_eq!(batch.bad, vec![]);
    assert_eq!(batch.items.iter().map(|i| i.line).collect::<Vec<_>>(), [2, 7]);
}

#[test]
fn text_that_is_not_icalendar_is_one_problem() {
    for text in ["", "\n\n", "hello, world\n", "BEGIN:VCARD\nFN:Ann\nEND:VCARD\n"] {
        let batch = parse(Path::new("n.txt"), text);
        assert_eq!(batch.items, vec![]);
        assert_eq!(bad_list(&batch), [(1, None, "no BEGIN:VCALENDAR: not an iCalendar file")], "{text:?}");
    }
    let empty = parse(Path::new("e.ics"), "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n");
    assert_eq!(empty, Batch::default());
    // A bare component makes it an iCalendar file, read entry by entry.
    let bare = parse(Path::new("b.ics"), "hello, world\nBEGIN:VEVENT\nEND:VEVENT\n");
    assert_eq!(bad_list(&bare), [(2, None, "VEVENT has no DTSTART")]);
    assert_eq!(bare.notes.len(), 1);
}

#[test]
fn a_broken_calendar_line_is_reported_and_skipped() {
    let text = "BEGIN:VCALENDAR\nVERSION:2.0\nno colon\nBEGIN:VEVENT\nUID:a\nDTSTART:20300601\nEND:VEVENT\nEND:VCALENDAR\n";
    let batch = parse(Path::new("x.ics"), text);
    assert_eq!(bad_list(&batch), [(3, None, "no ':' in \"no colon\"")]);
    assert_eq!(batch.items.len(), 1);
}

#[test]
fn a_uid_is_one_master_one_kind_and_each_instance_once() {
    let text = "BEGIN:VCALENDAR\n\
        BEGIN:VEVENT\nUID:u\nDTSTART:20300601T090000Z\nRRULE:FREQ=DAILY\nEND:VEVENT\n\
        BEGIN:VEVENT\nUID:u\nRECURRENCE-ID:20300602T090000Z\nDTSTART:20300602T100000Z\nEND:VEVENT\n\
        BEGIN:VEVENT\nUID:u\nRECURRENCE-ID:20300602T090000Z\nDTSTART:20300602T110000Z\nEND:VEVENT\n\
        BEGIN:VTODO\nUID:u\nEND:VTODO\n\
        BEGIN:VEVENT\nUID:u\nDTSTART:20300601T090000Z\nEND:VEVENT\n\
        BEGIN:VEVENT\nUID:u\nRECURRENCE-ID:20300603T090000Z\nDTSTART:20300603T100000Z\nEND:VEVENT\n\
        END:VCALENDAR\n";
    let batch = parse(Path::new("u.ics"), text);
    assert_eq!(
        bad_list(&batch),
        [
            (12, Some("u"), "UID u already appears at line 7"),
            (17, Some("u"), "UID u already appears at line 2"),
            (20, Some("u"), "UID u already appears at line 2"),
        ]
    );
    assert_eq!(batch.items.len(), 1);
    let u = &batch.items[0];
    assert_eq!(u.data.matches("BEGIN:VEVENT").count(), 3);
    assert!(u.data.contains("DTSTART:20300602T100000Z") && !u.data.contains("DTSTART:20300602T110000Z"));
    assert_eq!((u.start, u.end), (Some(utc(2030, 6, 1, 9, 0)), Some(utc(2030, 6, 3, 10, 0))));
}

#[test]
fn a_bad_master_leaves_its_overrides_importable() {
    let text = "BEGIN:VCALENDAR\n\
        BEGIN:VEVENT\nUID:u\nRRULE:FREQ=DAILY\nEND:VEVENT\n\
        BEGIN:VEVENT\nUID:u\nRECURRENCE-ID:20300602T090000Z\nDTSTART:20300602T100000Z\nEND:VEVENT\n\
        END:VCALENDAR\n";
    let batch = parse(Path::new("u.ics"), text);
    assert_eq!(bad_list(&batch), [(2, Some("u"), "VEVENT has no DTSTART")]);
    assert_eq!(batch.items.iter().map(|i| i.line).collect::<Vec<_>>(), [6]);
}

#[test]
fn tasks_need_no_dates_but_those_they_have_must_agree() {
    let text = "BEGIN:VCALENDAR\n\
        BEGIN:VTODO\nUID:plain\nSUMMARY:Someday\nEND:VTODO\n\
        BEGIN:VTODO\nUID:late\nDTSTART:20300602\nDUE:20300601\nEND:VTODO\n\
        BEGIN:VTODO\nUID:both\nDTSTART:20300601\nDUE:20300602\nDURATION:P1D\nEND:VTODO\n\
        BEGIN:VTODO\nUID:floating\nDURATION:P1D\nEND:VTODO\n\
        BEGIN:VTODO\nUID:timed\nDTSTART:20300601T090000Z\nDURATION:PT2H\nEND:VTODO\n\
        END:VCALENDAR\n";
    let batch = parse(Path::new("t.ics"), text);
    assert_eq!(
        bad_list(&batch),
        [
            (6, Some("late"), "DUE is before DTSTART"),
            (11, Some("both"), "VTODO has both DUE and DURATION"),
            (17, Some("floating"), "VTODO has DURATION but no DTSTART"),
        ]
    );
    let plain = item(&batch, "plain");
    assert_eq!((plain.kind, plain.start, plain.end), (Kind::Task, None, None));
    let timed = item(&batch, "timed");
    assert_eq!((timed.start, timed.end), (Some(utc(2030, 6, 1, 9, 0)), Some(utc(2030, 6, 1, 11, 0))));
}

#[test]
fn events_end_by_dtend_duration_date_or_start() {
    let text = "BEGIN:VCALENDAR\n\
        BEGIN:VEVENT\nUID:dur\nDTSTART:20300601T090000Z\nDURATION:PT1H30M\nEND:VEVENT\n\
        BEGIN:VEVENT\nUID:instant\nDTSTART:20300601T090000Z\nEND:VEVENT\n\
        BEGIN:VEVENT\nUID:zone\nDTSTART;TZID=\"My Custom Zone\":20300601T090000\nEND:VEVENT\n\
        END:VCALENDAR\n";
    let batch = parse(Path::new("e.ics"), text);
    assert_eq!(batch.bad, vec![]);
    let dur = item(&batch, "dur");
    assert_eq!(dur.end, Some(utc(2030, 6, 1, 10, 30)));
    let instant = item(&batch, "instant");
    assert_eq!(instant.end, instant.start);
    // An unknown zone without a VTIMEZONE gets no invented VTIMEZONE: it
    // waits for the person to choose the zone it means.
    let zone = item(&batch, "zone");
    assert!(zone.start.is_some() && !zone.data.contains("VTIMEZONE"));
    assert_eq!(zone.unknown_zones.len(), 1, "{:?}", zone.unknown_zones);
}

#[test]
fn date_values_must_have_the_right_shape_and_exist() {
    for good in ["20300601", "20300601T090000", "20300601T090000Z", " 20300601T235959Z ", "20320229"] {
        assert!(is_date_or_date_time(good), "{good}");
    }
    for bad in [
        "",
        "2030061",
        "20300631",
        "20310229",
        "2030-06-01",
        "20300601T0900",
        "20300601T250000",
        "20300601T090000ZZ",
        "+2030601",
    ] {
        assert!(!is_date_or_date_time(bad), "{bad}");
    }
}

#[test]
fn fnv1a_64_matches_the_reference_values() {
    assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
}

#[test]
fn read_files_reports_unreadable_files_and_reads_each_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.ics");
    std::fs::write(&good, format!("\u{feff}{GOOD}")).unwrap();
    let latin1 = dir.path().join("latin1.ics");
    std::fs::write(&latin1, b"BEGIN:VCALENDAR\nSUMMARY:Caf\xe9\nEND:VCALENDAR\n").unwrap();
    let missing = dir.path().join("missing.ics");
    let same_again = dir.path().join(".").join("good.ics");

    let batch = read_files(&[good.clone(), missing.clone(), latin1.clone(), good.clone(), same_again]);
    assert_eq!(batch.items.len(), 3, "good.ics is read once");
    assert!(batch.items.iter().all(|i| i.file == good));
    assert_eq!(batch.items[0].line, 29, "the byte order mark is not a line");
    assert_eq!(batch.bad.len(), 2);
    assert_eq!((&batch.bad[0].file, batch.bad[0].line), (&missing, 0));
    assert!(batch.bad[0].problem.starts_with("can't be read: "), "{}", batch.bad[0].problem);
    assert_eq!((&batch.bad[1].file, batch.bad[1].line), (&latin1, 0));
    assert_eq!(batch.bad[1].problem, "is not UTF-8 text (byte 27, line 2)");
    assert_eq!(
        batch.bad[1].to_string(),
        format!("{}: is not UTF-8 text (byte 27, line 2)", latin1.display())
    );
}

#[test]
fn read_files_imports_a_uid_once_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.ics");
    let two = dir.path().join("two.ics");
    std::fs::write(&one, GOOD).unwrap();
    let again = "BEGIN:VCALENDAR\n\
        BEGIN:VEVENT\nUID:new\nDTSTART:20300601T090000Z\nEND:VEVENT\n\
        BEGIN:VTODO\nUID:report-2030@example.com\nEND:VTODO\n\
        no colon\n\
        END:VCALENDAR\n";
    std::fs::write(&two, again).unwrap();
    let batch = read_files(&[one.clone(), two.clone()]);
    let uids: Vec<&str> = batch.items.iter().map(|i| i.uid.as_str()).collect();
    assert_eq!(
        uids,
        ["planning-2030@example.com", "offsite-2030@example.com", "report-2030@example.com", "new"]
    );
    assert_eq!(item(&batch, "new").file, two);
    let bad: Vec<(&Path, usize, Option<&str>, &str)> =
        batch.bad.iter().map(|b| (b.file.as_path(), b.line, b.uid.as_deref(), b.problem.as_str())).collect();
    let problem = format!("UID report-2030@example.com already appears at {}:50", one.display());
    assert_eq!(
        bad,
        [
            (two.as_path(), 6, Some("report-2030@example.com"), problem.as_str()),
            (two.as_path(), 9, None, "no ':' in \"no colon\""),
        ]
    );
}

#[test]
fn read_files_refuses_files_over_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.ics");
    let file = File::create(&big).unwrap();
    file.set_len(MAX_FILE_BYTES + 1).unwrap();
    let batch = read_files(std::slice::from_ref(&big));
    assert_eq!(bad_list(&batch), [(0, None, "is larger than 64 MB")]);
}

#[test]
fn outlook_exports_with_windows_zones_and_escaped_names_import() {
    let text = crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\nX-WR-CALNAME:Work\n\
BEGIN:VTIMEZONE\nTZID:(UTC+01:00) Amsterdam\\, Berlin\nBEGIN:STANDARD\nDTSTART:16010101T030000\n\
TZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n\
BEGIN:VEVENT\nUID:flight\nDTSTART;TZID=Tokyo Standard Time:20300601T200000\n\
DTEND;TZID=Hawaiian Standard Time:20300601T080000\nSUMMARY:Flight\nEND:VEVENT\n\
BEGIN:VEVENT\nUID:berlin\nDTSTART;TZID=\"(UTC+01:00) Amsterdam, Berlin\":20300601T100000\n\
DTEND;TZID=\"(UTC+01:00) Amsterdam, Berlin\":20300601T090000\nSUMMARY:Backwards\nEND:VEVENT\n\
BEGIN:VEVENT\nUID:berlin-ok\nDTSTART;TZID=\"(UTC+01:00) Amsterdam, Berlin\":20300601T100000\n\
SUMMARY:Uses the escaped zone\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    let batch = parse(Path::new("outlook.ics"), &text);
    // Two unknown zones can't be compared: the flight is not refused.
    assert!(batch.items.iter().any(|i| i.uid == "flight"), "{:?}", batch.bad);
    // The same zone on both ends still is.
    assert_eq!(bad_list(&batch), vec![(18, Some("berlin"), "DTEND is before DTSTART")]);
    // A zone whose name the property escapes is attached to its user.
    assert!(item(&batch, "berlin-ok").data.contains("BEGIN:VTIMEZONE"), "{}", item(&batch, "berlin-ok").data);
}

#[test]
fn a_generated_uid_survives_a_fresh_export() {
    let export = |stamp: &str| {
        crlf(&format!(
            "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nDTSTAMP:{stamp}\nDTSTART:20300101T100000Z\nSUMMARY:No UID\nEND:VEVENT\nEND:VCALENDAR\n"
        ))
    };
    let first = parse(Path::new("a.ics"), &export("20300101T000000Z"));
    let again = parse(Path::new("a.ics"), &export("20300202T000000Z"));
    assert_eq!(first.items[0].uid, again.items[0].uid);
}

#[test]
fn a_long_calendar_line_is_not_copied_into_every_entry() {
    // Found by the fuzzer: the calendar's lines go into each entry, so one
    // padded VERSION line was held as many times as there were entries.
    let padded = format!("VERSION:{}2.0", " ".repeat(1000));
    let prodid = format!("PRODID:-//{}//EN", "x".repeat(300));
    let events: String = (0..50)
        .map(|k| format!("BEGIN:VEVENT\nUID:e{k}\nDTSTART:20300601T0900{:02}Z\nEND:VEVENT\n", k % 60))
        .collect();
    let text = format!("BEGIN:VCALENDAR\n{padded}\n{prodid}\nCALSCALE:GREGORIAN\n{events}END:VCALENDAR\n");
    let batch = parse(Path::new("long.ics"), &text);
    assert_eq!(batch.items.len(), 50);
    let held: usize = batch.items.iter().map(|i| i.data.len()).sum();
    assert!(held < 2 * text.len(), "{held} bytes held from {}", text.len());
    for i in &batch.items {
        assert!(
            i.data.starts_with(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Convene//Import//EN\r\nCALSCALE:GREGORIAN\r\nBEGIN:VEVENT"
            ),
            "{}",
            i.data
        );
        assert_well_formed(i);
    }
    let notes: Vec<(usize, &str)> = batch.notes.iter().map(|n| (n.line, n.text.as_str())).collect();
    assert_eq!(
        notes,
        [
            (2, "the calendar's VERSION line is 1011 bytes long; Convene's own VERSION is sent instead"),
            (3, "the calendar's PRODID line is 314 bytes long; Convene's own PRODID is sent instead"),
        ]
    );
}
