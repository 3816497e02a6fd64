//! `convene event … --json` as scripts read it, and `--calendar` taking a
//! calendar's display name: an event made in a calendar of its own (made
//! for the test, beside the default one), changed, met by a conflict, and
//! deleted, each answer checked field by field.

use super::*;

/// A new calendar in the organizer's home named `name`; its URL.
async fn named_calendar(kind: Kind, name: &str) -> Url {
    let s = server(kind);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let url = s.at(&s.calendar_home, "organizer").join(&format!("org2-cli-{nanos}/")).unwrap();
    let mk = convene::caldav::MkCalendar {
        url: url.clone(),
        display_name: name.into(),
        components: vec!["VEVENT"],
    };
    client(kind, "organizer").run(&mk).await.expect("MKCALENDAR");
    url
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

async fn event_commands_answer_in_json_and_take_a_calendars_display_name(kind: Kind) {
    let name = format!("org2 Team {}", std::process::id());
    let cal = named_calendar(kind, &name).await;
    let org = organizer(kind);

    // An unknown name: refused, naming the calendars there are.
    let out = org.run(&[
        "event",
        "create",
        "--calendar",
        "org2 Nowhere",
        "--summary",
        "x",
        "--start",
        START,
        "--end",
        END,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains(&name), "the known calendars are named: {}", text(&out));

    let args = ["--summary", "org2 Launch", "--start", START, "--end", END, "--location", "Room 1", "--json"];
    let out = org.run(&[&["event", "create", "--calendar", &name][..], &args].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let created = json(&out);
    let uid = created["uid"].as_str().expect("the new UID").to_owned();
    assert_eq!(created["result"]["outcome"], "saved", "{created}");
    let object = &created["result"]["object"];
    let url = Url::parse(object["url"].as_str().expect("its URL")).unwrap();
    assert!(url.as_str().starts_with(cal.as_str()), "in the calendar named {name:?}: {url}");
    assert!(object["data"].as_str().is_some_and(|d| d.contains(&uid) && d.contains("SUMMARY:org2 Launch")));
    let on_server = client(kind, "organizer").run(&Get { url: url.clone() }).await.expect("on the server");
    assert_eq!(object["etag"].as_str(), on_server.etag.as_ref().map(|e| e.as_str()), "{created}");

    let out = org.run(&["event", "edit", &uid, "--location", "Room 2", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let changed = json(&out);
    assert_eq!(
        (changed["uid"].as_str(), changed["result"]["outcome"].as_str()),
        (Some(uid.as_str()), Some("saved"))
    );
    let now = client(kind, "organizer").run(&Get { url: url.clone() }).await.unwrap();
    assert_eq!(prop(&now.data, "LOCATION").as_deref(), Some("Room 2"));

    // Another device moves it; Convene's move is a conflict, in JSON.
    let moved = Put {
        url: url.clone(),
        data: now.data.replace("T100000Z", "T120000Z").replace("T110000Z", "T130000Z"),
        precondition: now.etag.clone().map_or(Precondition::None, Precondition::IfMatch),
        scheduling: SchedulingHeaders::default(),
    };
    client(kind, "organizer").run(&moved).await.expect("the other device's PUT");
    let out = org.run(&["event", "edit", &uid, "--start", "2030-07-02T14:00:00Z", "--json"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let conflict = json(&out);
    assert_eq!(conflict["result"]["outcome"], "conflict", "{conflict}");
    let clashes = conflict["result"]["clashes"].as_array().expect("the clashes");
    assert_eq!(clashes.len(), 1, "{conflict}");
    assert_eq!(clashes[0]["field"], "time", "{conflict}");
    // Each side in words: "2030-07-02 12:00 – 2030-07-02 13:00 UTC".
    for (side, at) in
        [("before", "2030-07-02 10:00 –"), ("mine", "2030-07-02 14:00 –"), ("theirs", "2030-07-02 12:00 –")]
    {
        assert!(clashes[0][side].as_str().is_some_and(|v| v.contains(at)), "{side}: {conflict}");
    }
    assert!(
        conflict["result"]["server"]["data"].as_str().is_some_and(|d| d.contains("T120000Z")),
        "{conflict}"
    );

    // Theirs kept (the edit dropped); then deleted, in JSON too.
    assert!(org.run(&["outbox", "drop", &uid]).status.success());
    let out = org.run(&["event", "delete", &uid, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let deleted = json(&out);
    assert_eq!(deleted["result"], serde_json::json!({ "outcome": "saved", "object": null }), "{deleted}");
    assert!(client(kind, "organizer").run(&Get { url }).await.is_err(), "deleted");
    let del = Delete { url: cal, precondition: Precondition::None, scheduling: SchedulingHeaders::default() };
    let _ = client(kind, "organizer").run(&del).await;
}

on_servers!(event_commands_answer_in_json_and_take_a_calendars_display_name: xandikos, davical);
