//! Each repair on a small file written for it: what the item holds, what
//! it says, and that every other byte is kept.

use std::path::Path;

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;

use super::super::{Batch, Item, parse};
use super::{Fix, mend};

const BARE: &str = include_str!("../../../../tests/fixtures/import/repairs/bare.ics");
const DATES: &str = include_str!("../../../../tests/fixtures/import/repairs/dates.ics");
const X_LINES: &str = include_str!("../../../../tests/fixtures/import/repairs/x-lines.ics");
const ZONES: &str = include_str!("../../../../tests/fixtures/import/repairs/zones.ics");
const FLAGGED: &str = include_str!("../../../../tests/fixtures/import/repairs/flagged.ics");
const UNKNOWN: &str = include_str!("../../../../tests/fixtures/import/repairs/unknown-zones.ics");

fn item<'a>(batch: &'a Batch, uid: &str) -> &'a Item {
    batch.items.iter().find(|i| i.uid == uid).unwrap_or_else(|| panic!("no {uid} in {batch:?}"))
}

/// The item's own VEVENT, as it will be sent.
fn event(item: &Item) -> &str {
    let from = item.data.find("BEGIN:VEVENT").unwrap_or(0);
    let to = item.data.rfind("END:VEVENT\r\n").map_or(item.data.len(), |i| i + "END:VEVENT\r\n".len());
    &item.data[from..to]
}

/// (file, text, uid, repairs said, lines the sent event holds)
type Case = (&'static str, &'static str, &'static str, &'static [&'static str], &'static [&'static str]);

#[test]
fn each_repair_is_made_and_said() {
    let table: [Case; 8] = [
        (
            "bare.ics",
            BARE,
            "repair-bare@example.com",
            &["read as if inside a VCALENDAR (the file has none around it)"],
            &["DTSTART:20300704T160000Z\r\n"],
        ),
        (
            "dates.ics",
            DATES,
            "repair-holiday@example.com",
            &[
                "DTSTART read as a date",
                "DTEND read as a date",
                "DTEND was not after DTSTART: the all-day event now ends on 20301226, one day later",
            ],
            &["DTSTART;VALUE=DATE:20301225\r\n", "DTEND;VALUE=DATE:20301226\r\n"],
        ),
        (
            "dates.ics",
            DATES,
            "repair-weekly@example.com",
            &["DTSTART read as a date", "EXDATE read as a date"],
            &["DTSTART;VALUE=DATE:20300107\r\n", "EXDATE;VALUE=DATE:20300114,20300121\r\n"],
        ),
        (
            "x-lines.ics",
            X_LINES,
            "repair-xline@example.com",
            &["skipped a broken X-APPLE-STRUCTURED-LOCATION line", "skipped a broken X-BROKEN parameter"],
            &["SUMMARY:Broken X lines\r\n", "LOCATION:Office\r\n"],
        ),
        (
            "zones.ics",
            ZONES,
            "repair-berlin@example.com",
            &["added the time zone Europe/Berlin from the time-zone database"],
            &["DTSTART;TZID=Europe/Berlin:20300701T100000\r\n"],
        ),
        (
            "zones.ics",
            ZONES,
            "repair-outlook@example.com",
            &[
                "the time zone \"W. Europe Standard Time\" read as Europe/Berlin",
                "added the time zone Europe/Berlin from the time-zone database",
            ],
            &["DTSTART;TZID=Europe/Berlin:20300115T100000\r\n"],
        ),
        (
            "zones.ics",
            ZONES,
            "repair-floating@example.com",
            &[
                "floating times read in Europe/Berlin, the calendar's X-WR-TIMEZONE",
                "added the time zone Europe/Berlin from the time-zone database",
            ],
            &[
                "DTSTART;TZID=Europe/Berlin:20300702T100000\r\n",
                "DTEND;TZID=Europe/Berlin:20300702T110000\r\n",
                // 10:00 in Berlin in July is 08:00 UTC.
                "RRULE:FREQ=WEEKLY;UNTIL=20300716T080000Z\r\n",
            ],
        ),
        (
            "zones.ics",
            ZONES,
            "repair-atlantis@example.com",
            &[
                "the time zone \"Nowhere/Atlantis\" read as Europe/Berlin, the calendar's X-WR-TIMEZONE",
                "added the time zone Europe/Berlin from the time-zone database",
            ],
            &["DTSTART;TZID=Europe/Berlin:20300703T100000\r\n"],
        ),
    ];
    for (file, text, uid, repairs, holds) in table {
        let batch = parse(Path::new(file), text);
        assert_eq!(batch.bad, vec![], "{file}");
        let it = item(&batch, uid);
        assert_eq!(it.repairs, repairs, "{uid}");
        assert_eq!(it.flags, Vec::<String>::new(), "{uid}");
        for line in holds {
            assert!(event(it).contains(line), "{uid} lacks {line:?}:\n{}", it.data);
        }
        // Every line the repairs didn't touch is sent as written.
        for line in event(it).split_inclusive("\r\n") {
            let touched = ["DTSTART", "DTEND", "EXDATE", "SUMMARY"].iter().any(|p| line.starts_with(p))
                || holds.contains(&line);
            assert!(touched || text.contains(line), "{uid}: {line:?} is not in the file");
        }
        assert_eq!(
            it.data.matches("BEGIN:VTIMEZONE").count(),
            usize::from(it.data.contains("TZID=")),
            "{uid}"
        );
        crate::ical::Document::parse(&it.data).unwrap();
    }
}

#[test]
fn repaired_times_mean_what_the_file_meant() {
    let zones = parse(Path::new("zones.ics"), ZONES);
    // 10:00 in Berlin summer time is 08:00 UTC; in winter 09:00 UTC.
    assert_eq!(
        item(&zones, "repair-berlin@example.com").start,
        Utc.with_ymd_and_hms(2030, 7, 1, 8, 0, 0).single()
    );
    assert_eq!(
        item(&zones, "repair-outlook@example.com").start,
        Utc.with_ymd_and_hms(2030, 1, 15, 9, 0, 0).single()
    );
    assert_eq!(
        item(&zones, "repair-floating@example.com").start,
        Utc.with_ymd_and_hms(2030, 7, 2, 8, 0, 0).single()
    );
    let berlin = &item(&zones, "repair-berlin@example.com").data;
    assert!(berlin.contains("TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"), "{berlin}");
}

#[test]
fn stray_lines_are_notes_not_failures() {
    let bare = parse(Path::new("bare.ics"), BARE);
    assert_eq!(bare.items.len(), 1);
    let notes: Vec<(usize, &str)> = bare.notes.iter().map(|n| (n.line, n.text.as_str())).collect();
    assert_eq!(
        notes,
        [(1, "skipped line outside BEGIN:VCALENDAR … END:VCALENDAR (\"Exported by a web site\")")]
    );
    let dates = parse(Path::new("dates.ics"), DATES);
    assert_eq!(dates.bad, vec![]);
    assert_eq!(dates.notes.len(), 1, "{:?}", dates.notes);
    assert_eq!(dates.notes[0].line, 20);
}

#[test]
fn what_would_hurt_a_server_is_flagged_not_repaired() {
    let batch = parse(Path::new("flagged.ics"), FLAGGED);
    assert_eq!(batch.bad, vec![]);
    let secondly = item(&batch, "flag-secondly@example.com");
    assert_eq!(
        secondly.flags,
        [
            "it repeats 2000000000 times: a server would expand a huge set (RRULE:FREQ=SECONDLY;COUNT=2000000000)"
        ]
    );
    let atlantis = item(&batch, "flag-atlantis@example.com");
    assert_eq!(atlantis.flags, Vec::<String>::new());
    assert_eq!(atlantis.unknown_zones, ["Nowhere/Atlantis"]);
    assert!(!atlantis.data.contains("VTIMEZONE"), "nothing is invented for it");
    assert_eq!(
        atlantis.held_back(true).as_deref(),
        Some(
            "held back until you choose the time zone \"Nowhere/Atlantis\" means: nothing defines or resolves that name"
        ),
        "a confirmation is no choice"
    );
    assert_eq!(secondly.held_back(true), None);
    assert_eq!(item(&batch, "flag-none@example.com").flags, Vec::<String>::new(), "24 hours is no huge set");
    let endless = parse(
        Path::new("e.ics"),
        "BEGIN:VEVENT\nUID:e\nDTSTART:20000101T000000Z\nRRULE:FREQ=MINUTELY\nEND:VEVENT\n",
    );
    assert!(
        endless.items[0].flags[0].starts_with("it repeats every minute without end"),
        "{:?}",
        endless.items
    );
    let until = parse(
        Path::new("u.ics"),
        "BEGIN:VEVENT\nUID:u\nDTSTART:20300101T000000Z\nRRULE:FREQ=SECONDLY;UNTIL=20300102T000000Z\nEND:VEVENT\n",
    );
    assert!(until.items[0].flags[0].contains("about 86400 times"), "{:?}", until.items);
}

#[test]
fn only_x_lines_and_x_parameters_are_mended() {
    assert_eq!(mend("X-APPLE-FOO"), Some(Fix::Drop("X-APPLE-FOO".into())));
    assert_eq!(mend("x-foo;bad param:value"), Some(Fix::Drop("x-foo".into())));
    assert_eq!(
        mend("SUMMARY;LANGUAGE=en;X-ODD:Hi: there"),
        Some(Fix::Replace { line: "SUMMARY;LANGUAGE=en:Hi: there".into(), params: vec!["X-ODD".into()] })
    );
    assert_eq!(mend("SUMMARY;ODD:Hi"), None, "a stray standard parameter is not guessed away");
    assert_eq!(mend("this line has no colon"), None);
    assert_eq!(mend("DTSTART 20300101"), None);
    // A broken standard property still makes the entry unreadable.
    let batch = parse(Path::new("b.ics"), "BEGIN:VEVENT\nUID:b\nDTSTART;TZID:20300101T100000\nEND:VEVENT\n");
    assert_eq!(batch.items, vec![]);
    assert_eq!(batch.bad[0].problem, "line 3: parameter without '=' in \"DTSTART;TZID:20300101T100000\"");
}

#[test]
fn an_entry_made_of_broken_lines_is_refused_past_the_limit() {
    let file = |broken: usize| {
        let lines: String = (0..broken).map(|k| format!("X-BROKEN-{k}\r\n")).collect();
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:many@example.com\r\nDTSTAMP:20300101T000000Z\r\n\
             DTSTART:20300101T090000Z\r\n{lines}SUMMARY:Many\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    };
    let limit = super::super::MAX_MENDS;
    let ok = parse(Path::new("many.ics"), &file(limit));
    assert_eq!(item(&ok, "many@example.com").repairs.len(), limit);
    let refused = parse(Path::new("many.ics"), &file(limit + 1));
    assert!(refused.items.is_empty(), "{refused:?}");
    assert!(refused.bad[0].problem.contains(&format!("more than {limit} broken lines")), "{refused:?}");
}

/// One entry and the zones the person chose for it.
struct Chosen {
    uid: &'static str,
    choices: &'static [(&'static str, Tz)],
    /// When it starts (month, day, hour UTC in 2030), read in the chosen zone.
    start: (u32, u32, u32),
    repairs: &'static [&'static str],
    /// Lines the sent item holds.
    holds: &'static [&'static str],
    /// The names it still waits for.
    waits: &'static [&'static str],
}

#[test]
fn a_chosen_zone_is_applied_and_said_and_every_other_byte_kept() {
    const CHOSE_BERLIN: &str = "the time zone \"Nowhere/Atlantis\" read as Europe/Berlin, as you chose";
    const ADDED_BERLIN: &str = "added the time zone Europe/Berlin from the time-zone database";
    let table = [
        Chosen {
            uid: "zone-meeting@example.com",
            choices: &[("Nowhere/Atlantis", Tz::Europe__Berlin)],
            // 10:00 in Berlin summer time.
            start: (7, 3, 8),
            repairs: &[CHOSE_BERLIN, ADDED_BERLIN],
            holds: &[
                "DTSTART;TZID=Europe/Berlin:20300703T100000\r\n",
                "DTEND;TZID=Europe/Berlin:20300703T110000\r\n",
                "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n",
            ],
            waits: &[],
        },
        Chosen {
            uid: "zone-weekly@example.com",
            choices: &[("Nowhere/Atlantis", Tz::America__New_York)],
            // 10:00 in New York winter time.
            start: (1, 7, 15),
            repairs: &[
                "the time zone \"Nowhere/Atlantis\" read as America/New_York, as you chose",
                "added the time zone America/New_York from the time-zone database",
            ],
            holds: &[
                "DTSTART;TZID=America/New_York:20300107T100000\r\n",
                // A zoned DTSTART wants a UTC UNTIL.
                "RRULE:FREQ=WEEKLY;UNTIL=20300128T150000Z\r\n",
                "RECURRENCE-ID;TZID=America/New_York:20300114T100000\r\n",
                "DTSTART;TZID=America/New_York:20300114T120000\r\n",
            ],
            waits: &[],
        },
        Chosen {
            uid: "zone-flight@example.com",
            choices: &[("Nowhere/Atlantis", Tz::Europe__Berlin)],
            start: (7, 5, 8),
            // Berlin's zone came with the reading: it is not added twice.
            repairs: &[ADDED_BERLIN, CHOSE_BERLIN],
            holds: &["DTEND;TZID=Europe/Berlin:20300705T140000\r\n"],
            waits: &[],
        },
        Chosen {
            uid: "zone-two@example.com",
            choices: &[("Nowhere/Atlantis", Tz::Europe__Berlin)],
            start: (7, 6, 8),
            repairs: &[CHOSE_BERLIN, ADDED_BERLIN],
            holds: &["DTEND;TZID=Customized Time Zone:20300706T110000\r\n"],
            waits: &["Customized Time Zone"],
        },
        Chosen {
            uid: "zone-two@example.com",
            choices: &[
                ("Nowhere/Atlantis", Tz::Europe__Berlin),
                ("Customized Time Zone", Tz::Europe__Berlin),
            ],
            start: (7, 6, 8),
            repairs: &[
                CHOSE_BERLIN,
                ADDED_BERLIN,
                "the time zone \"Customized Time Zone\" read as Europe/Berlin, as you chose",
            ],
            holds: &["DTEND;TZID=Europe/Berlin:20300706T110000\r\n"],
            waits: &[],
        },
    ];
    let read = parse(Path::new("unknown-zones.ics"), UNKNOWN);
    assert_eq!(read.bad, vec![]);
    assert_eq!(
        read.unknown_zones(),
        [("Nowhere/Atlantis".to_owned(), 4), ("Customized Time Zone".to_owned(), 1)],
        "each name once, with how many entries wait for it"
    );
    for case in table {
        let mut batch = read.clone();
        for (name, tz) in case.choices {
            assert!(batch.choose_zone(name, *tz) > 0, "{} uses {name}", case.uid);
        }
        let (before, it) = (item(&read, case.uid), item(&batch, case.uid));
        assert!(before.held_back(true).is_some(), "{} waited", case.uid);
        assert_eq!(it.repairs, case.repairs, "{}", case.uid);
        assert_eq!(it.unknown_zones, case.waits, "{}", case.uid);
        assert_eq!(it.held_back(false).is_some(), !case.waits.is_empty(), "{}", case.uid);
        let (m, d, h) = case.start;
        assert_eq!(it.start, Utc.with_ymd_and_hms(2030, m, d, h, 0, 0).single(), "{}", case.uid);
        for line in case.holds {
            assert!(it.data.contains(line), "{} lacks {line:?}:\n{}", case.uid, it.data);
        }
        assert_eq!(it.data.matches("BEGIN:VTIMEZONE").count(), 1, "{}", case.uid);
        // Without the zone added, every byte is the one read but for the
        // names chosen (and the UNTIL they make UTC).
        let mut kept = it.data.clone();
        if !before.data.contains("BEGIN:VTIMEZONE") {
            let at = kept.find("BEGIN:VTIMEZONE\r\n").unwrap();
            let end = at + kept[at..].find("END:VTIMEZONE\r\n").unwrap() + "END:VTIMEZONE\r\n".len();
            kept.replace_range(at..end, "");
        }
        let mut expected = before.data.clone();
        for (name, tz) in case.choices {
            expected = expected.replace(&format!("TZID={name}:"), &format!("TZID={}:", tz.name()));
        }
        expected = expected.replace("UNTIL=20300128T100000", "UNTIL=20300128T150000Z");
        assert_eq!(kept, expected, "{}", case.uid);
        crate::ical::Document::parse(&it.data).unwrap();
    }
    // Entries that don't use the name are left as they were.
    let mut batch = read.clone();
    assert_eq!(batch.choose_zone("Nowhere/Atlantis", Tz::Europe__Berlin), 4);
    assert_eq!(item(&batch, "zone-none@example.com"), item(&read, "zone-none@example.com"));
    assert_eq!(batch.choose_zone("Elsewhere/Lemuria", Tz::Europe__Berlin), 0);
    assert_eq!(batch.unknown_zones(), [("Customized Time Zone".to_owned(), 1)]);
}
