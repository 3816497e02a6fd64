//! A realistic mixed calendar for the sync benchmark: what a person's work
//! calendar holds after a few years, not copies of one small event. Per ten
//! events: three personal ones with an alarm, three invitations from
//! colleagues (three to eight attendees, a third still unanswered), one the
//! user organises (weekly, ten times), one weekly series with an exception
//! and a moved occurrence, one all-day event, one monthly series. Times are
//! in four zones (UTC, Berlin, New York, Tokyo, each object carrying its
//! VTIMEZONE); descriptions run from a line to a long agenda. About 1.5 kB
//! an object on average, like the 15.7 MB for 10,000. Every
//! address is at example.org but the user's, so loading never schedules.

const ZONES: [(&str, &str); 3] = [
    (
        "Europe/Berlin",
        "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
    ),
    (
        "America/New_York",
        "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nDTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nDTSTART:19701101T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
    ),
    (
        "Asia/Tokyo",
        "BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nTZNAME:JST\r\nDTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
    ),
];

const WORDS: [&str; 24] = [
    "review",
    "quarterly",
    "budget",
    "roadmap",
    "customer",
    "feedback",
    "release",
    "planning",
    "design",
    "hiring",
    "onboarding",
    "security",
    "migration",
    "retrospective",
    "incident",
    "metrics",
    "offsite",
    "workshop",
    "contract",
    "vendor",
    "training",
    "launch",
    "sync",
    "demo",
];

const PEOPLE: [&str; 10] = [
    "Ana Silva",
    "Bo Chen",
    "Carla Diaz",
    "Dev Patel",
    "Eva Novak",
    "Finn Berg",
    "Gita Rao",
    "Hugo Marin",
    "Ines Kato",
    "Jon Ueda",
];

fn words(seed: usize, n: usize) -> String {
    (0..n).map(|k| WORDS[(seed * 7 + k * 13) % WORDS.len()]).collect::<Vec<_>>().join(" ")
}

fn address(p: usize) -> String {
    let name = PEOPLE[p % PEOPLE.len()];
    format!("{}@example.org", name.to_lowercase().replace(' ', "."))
}

fn attendee(p: usize, partstat: &str) -> String {
    let name = PEOPLE[p % PEOPLE.len()];
    format!(
        "ATTENDEE;CN=\"{name}\";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};RSVP=TRUE:mailto:{}\r\n",
        address(p)
    )
}

/// Folds at 75 octets (RFC 5545 §3.1); the text is ASCII.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let b = line.as_bytes();
    let mut at = 0;
    while at < b.len() {
        let take = if at == 0 { 75 } else { 74 };
        let end = (at + take).min(b.len());
        if at > 0 {
            out.push_str("\r\n ");
        }
        out.push_str(&line[at..end]);
        at = end;
    }
    out.push_str("\r\n");
    out
}

/// Object number `i` of the calendar, for the user `me` (an address).
pub fn object(uid: &str, i: usize, me: &str) -> String {
    let zone = i % 4; // 0: UTC, else ZONES[zone - 1]
    let (tz, vtimezone) = if zone == 0 { (None, "") } else { (Some(ZONES[zone - 1].0), ZONES[zone - 1].1) };
    let year = 2029 + (i / 12) % 3;
    let month = 1 + i % 12;
    let day = 1 + (i * 7) % 28;
    let hour = 8 + i % 10;
    let stamp = |h: usize| format!("{year}{month:02}{day:02}T{h:02}{:02}00", (i % 4) * 15);
    let time = |name: &str, h: usize| match tz {
        Some(tz) => format!("{name};TZID={tz}:{}\r\n", stamp(h)),
        None => format!("{name}:{}Z\r\n", stamp(h)),
    };
    let kind = i % 10;
    let mut ev = format!(
        "UID:{uid}\r\nDTSTAMP:20281115T093000Z\r\nCREATED:20281101T120000Z\r\nLAST-MODIFIED:20281115T093000Z\r\nSEQUENCE:{}\r\n",
        i % 3
    );
    let summary = format!("{} {}", words(i, 2), i);
    if kind == 8 {
        ev += &format!(
            "DTSTART;VALUE=DATE:{year}{month:02}{day:02}\r\nDTEND;VALUE=DATE:{year}{month:02}{:02}\r\n",
            day + 1
        );
        ev += &format!("CATEGORIES:{},{}\r\nTRANSP:TRANSPARENT\r\n", WORDS[i % 24], WORDS[(i + 5) % 24]);
    } else {
        ev += &time("DTSTART", hour);
        ev += &time("DTEND", hour + 1);
    }
    ev += &fold(&format!("SUMMARY:{summary}"));
    ev += &fold(&format!("LOCATION:Building {}\\, room {} ({})", i % 5, 100 + i % 300, words(i + 3, 2)));
    let description = match kind {
        3..=5 => format!(
            "Agenda:\\n1. {}\\n2. {}\\n3. {}\\n\\nJoin: https://meet.example.org/{i:08x}\\nDial-in: +1 555 0100 PIN {}\\n{}",
            words(i, 6),
            words(i + 1, 8),
            words(i + 2, 5),
            1000 + i % 9000,
            words(i + 4, 40)
        ),
        _ => words(i + 9, 5 + i % 30),
    };
    ev += &fold(&format!("DESCRIPTION:{description}"));
    let mut more = String::new();
    match kind {
        3..=5 => {
            let organizer = i % PEOPLE.len();
            ev += &format!("ORGANIZER;CN=\"{}\":mailto:{}\r\n", PEOPLE[organizer], address(organizer));
            ev += &attendee(organizer, "ACCEPTED").replace("REQ-PARTICIPANT", "CHAIR");
            for k in 1..(3 + i % 6) {
                ev += &attendee(
                    organizer + k,
                    ["ACCEPTED", "TENTATIVE", "NEEDS-ACTION", "DECLINED"][(i + k) % 4],
                );
            }
            let mine = if i.is_multiple_of(3) { "NEEDS-ACTION" } else { "ACCEPTED" };
            ev += &fold(&format!("ATTENDEE;CN=Me;PARTSTAT={mine};RSVP=TRUE:mailto:{me}"));
        }
        6 => {
            ev += &format!(
                "ORGANIZER;CN=Me:mailto:{me}\r\nATTENDEE;CN=Me;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:{me}\r\n"
            );
            for k in 0..(2 + i % 4) {
                ev += &attendee(i + k, ["ACCEPTED", "TENTATIVE", "NEEDS-ACTION"][(i + k) % 3]);
            }
            ev += "RRULE:FREQ=WEEKLY;COUNT=10\r\n";
        }
        7 => {
            ev += &format!("RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL={}1231T235959Z\r\n", year);
            let skipped = format!("{year}{month:02}{:02}", day.min(20) + 7);
            ev += &match tz {
                Some(tz) => format!("EXDATE;TZID={tz}:{skipped}T{hour:02}{:02}00\r\n", (i % 4) * 15),
                None => format!("EXDATE:{skipped}T{hour:02}{:02}00Z\r\n", (i % 4) * 15),
            };
            // One occurrence moved an hour later.
            let moved = format!("{year}{month:02}{:02}", day.min(20) + 2);
            let (rid, start, end) = match tz {
                Some(tz) => (
                    format!("RECURRENCE-ID;TZID={tz}:{moved}T{hour:02}{:02}00\r\n", (i % 4) * 15),
                    format!("DTSTART;TZID={tz}:{moved}T{:02}0000\r\n", hour + 1),
                    format!("DTEND;TZID={tz}:{moved}T{:02}0000\r\n", hour + 2),
                ),
                None => (
                    format!("RECURRENCE-ID:{moved}T{hour:02}{:02}00Z\r\n", (i % 4) * 15),
                    format!("DTSTART:{moved}T{:02}0000Z\r\n", hour + 1),
                    format!("DTEND:{moved}T{:02}0000Z\r\n", hour + 2),
                ),
            };
            more = format!(
                "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20281115T093000Z\r\n{rid}{start}{end}SUMMARY:{summary} (moved)\r\nEND:VEVENT\r\n"
            );
        }
        9 => ev += "RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=24\r\n",
        _ => {}
    }
    if kind != 8 {
        ev += &format!(
            "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT{}M\r\nEND:VALARM\r\n",
            [5, 10, 15, 30][i % 4]
        );
    }
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example Corp//Calendar 12.1//EN\r\nCALSCALE:GREGORIAN\r\n{vtimezone}BEGIN:VEVENT\r\n{ev}END:VEVENT\r\n{more}END:VCALENDAR\r\n"
    )
}
