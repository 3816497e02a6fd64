//! A calendar another user shares read-only, on a server whose clients
//! share calendars themselves (Cyrus: draft-pot-webdav-resource-sharing,
//! the way its web client shares): the organizer shares a calendar of
//! their own with the attendee to read, the attendee accepts; the shared
//! calendar appears in the attendee's home listed read-only (the editor
//! offers no read-only calendar: tests/hermetic/ui_editor.rs), and the
//! server does refuse the attendee's write. Radicale's equivalent is in
//! caldav.rs. DAViCal is not tested: the harness serves it with PHP's
//! built-in server, which answers the ACL method with 501 before DAViCal
//! sees it, and DAViCal has no sharing request of its own.

use crate::support;

use convene::caldav::http::{Request, Response};
use convene::caldav::{
    Delete, Error, ListCalendars, MkCalendar, Operation, Precondition, Put, SchedulingHeaders,
};
use support::{Kind, client, server};
use url::Url;

/// A request the client has no operation for (sharing, notifications):
/// its status and body.
struct Raw {
    method: &'static str,
    url: Url,
    body: Option<String>,
    depth: Option<&'static str>,
}

impl Operation for Raw {
    type Output = (u16, String);

    fn request(&self) -> Result<Request, Error> {
        let mut r = Request::dav(self.method, self.url.clone())?;
        if let Some(d) = self.depth {
            r = r.header("depth", d)?;
        }
        if let Some(body) = &self.body {
            // Sharing requests have their own type; Cyrus wants it.
            let kind =
                if self.method == "PROPFIND" { "application/xml" } else { "application/davsharing+xml" };
            r = r.header("content-type", format!("{kind}; charset=utf-8"))?;
            r.body = Some(body.clone().into_bytes());
        }
        Ok(r)
    }

    fn parse(&self, resp: Response) -> Result<(u16, String), Error> {
        Ok((resp.status, String::from_utf8_lossy(&resp.body).into_owned()))
    }
}

async fn send(kind: Kind, user: &str, raw: Raw) -> String {
    let what = format!("{} {}", raw.method, raw.url);
    let (status, body) = client(kind, user).run(&raw).await.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!((200..300).contains(&status), "{what}: {status} {body}");
    body
}

/// The attendee accepts the share of `segment` waiting in their
/// notifications (others' notifications are left alone).
async fn accept_share(kind: Kind, segment: &str) {
    let s = server(kind);
    let notes = s.url.join("/dav/notifications/user/attendee/").unwrap();
    let home = s.at(&s.calendar_home, "attendee");
    support::eventually("the share in the attendee's notifications", || async {
        let propfind = r#"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>"#;
        let listing = Raw { method: "PROPFIND", url: notes.clone(), body: Some(propfind.into()), depth: Some("1") };
        let listing = send(kind, "attendee", listing).await;
        let hrefs = listing.split("<D:href>").skip(1).filter_map(|x| x.split("</D:href>").next());
        for href in hrefs.filter(|h| h.ends_with(".xml")) {
            let url = s.url.join(href).unwrap();
            let note = send(kind, "attendee", Raw { method: "GET", url: url.clone(), body: None, depth: None }).await;
            if note.contains(segment) {
                let reply = format!(
                    r#"<?xml version="1.0" encoding="utf-8"?><D:invite-reply xmlns:D="DAV:"><D:invite-accepted/><D:create-in><D:href>{}</D:href></D:create-in></D:invite-reply>"#,
                    home.path()
                );
                send(kind, "attendee", Raw { method: "POST", url: url.clone(), body: Some(reply), depth: None }).await;
                // Answered: the notification goes (runs don't pile them up).
                send(kind, "attendee", Raw { method: "DELETE", url, body: None, depth: None }).await;
                return Some(());
            }
        }
        None
    })
    .await;
}

async fn a_calendar_shared_to_read_is_listed_read_only_and_refuses_writes(kind: Kind) {
    let s = server(kind);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let segment = format!("org2-shared-{nanos}");
    let name = format!("org2 Shared {nanos}");
    let cal = s.at(&s.calendar_home, "organizer").join(&format!("{segment}/")).unwrap();
    let organizer = client(kind, "organizer");
    let mk = MkCalendar { url: cal.clone(), display_name: name.clone(), components: vec!["VEVENT"] };
    organizer.run(&mk).await.expect("MKCALENDAR");
    let share = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><D:share-resource xmlns:D="DAV:"><D:sharee><D:href>{}</D:href><D:share-access><D:read/></D:share-access></D:sharee></D:share-resource>"#,
        // Cyrus notifies a sharee named by address, not by principal URL.
        "mailto:attendee@example.com"
    );
    send(kind, "organizer", Raw { method: "POST", url: cal.clone(), body: Some(share), depth: None }).await;
    accept_share(kind, &segment).await;

    let attendee = client(kind, "attendee");
    let own = attendee.run(&ListCalendars { home: s.at(&s.calendar_home, "attendee") }).await.unwrap();
    let shared = own
        .iter()
        .find(|c| c.display_name.as_deref() == Some(name.as_str()))
        .unwrap_or_else(|| panic!("the shared calendar in the attendee's home: {own:?}"));
    assert!(shared.read_only, "shared to read: {shared:?}");
    let mine = own.iter().find(|c| c.url == s.at(&s.default_calendar, "attendee"));
    assert!(mine.is_some_and(|c| !c.read_only), "the attendee's own calendar: {own:?}");

    // Read-only in fact: the attendee's write is refused, nothing stored.
    let uid = support::uid("org2-ro");
    let put = Put {
        url: support::object_url(&shared.url, &uid),
        data: support::event(&uid, "Not mine to add", "20300301T090000Z"),
        precondition: Precondition::IfNoneMatchAny,
        scheduling: SchedulingHeaders::default(),
    };
    let refused = attendee.run(&put).await;
    assert!(matches!(refused, Err(Error::Forbidden(_))), "{refused:?}");
    let theirs = organizer.run(&ListCalendars { home: s.at(&s.calendar_home, "organizer") }).await.unwrap();
    assert!(theirs.iter().any(|c| c.url == cal && !c.read_only), "the owner still writes it: {theirs:?}");

    let del =
        |url| Delete { url, precondition: Precondition::None, scheduling: SchedulingHeaders::default() };
    let _ = attendee.run(&del(shared.url.clone())).await;
    organizer.run(&del(cal)).await.expect("the shared calendar deleted");
}

on_servers!(a_calendar_shared_to_read_is_listed_read_only_and_refuses_writes: cyrus);
