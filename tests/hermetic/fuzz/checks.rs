//! The readers and their properties. Each gets the input and a number for its
//! other arguments; Err is a broken property (a panic is caught outside).

use super::*;

pub(super) type Check = fn(u64, &[u8]) -> Result<(), String>;

pub(super) struct Reader {
    pub(super) name: &'static str,
    pub(super) xml: bool,
    pub(super) check: Check,
}

pub(super) const READERS: &[Reader] = &[
    Reader { name: "xml", xml: true, check: check_xml },
    Reader { name: "ical-lines", xml: false, check: check_lines },
    Reader { name: "invitation", xml: false, check: check_invitation },
    Reader { name: "expand", xml: false, check: check_expand },
    Reader { name: "diff", xml: false, check: check_diff },
    Reader { name: "reply", xml: false, check: check_reply },
    Reader { name: "import", xml: false, check: check_import },
];

pub(super) fn ensure(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what()) }
}

pub(super) fn base() -> Url {
    Url::parse("https://h.example:8443/dav/cal/").unwrap()
}

/// Elements and the bytes they hold. A namespace name is counted once per
/// allocation: elements may share one, but each copy costs memory.
pub(super) fn weigh(e: &Element, seen: &mut HashSet<usize>, out: &mut (usize, usize)) {
    out.0 += 1;
    out.1 += e.name.len() + e.text.len() + e.attrs.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
    let ns: &str = e.ns.as_ref();
    if seen.insert(ns.as_ptr() as usize) {
        out.1 += ns.len();
    }
    for c in &e.children {
        weigh(c, seen, out);
    }
}

pub(super) fn check_xml(params: u64, body: &[u8]) -> Result<(), String> {
    let n = body.len();
    if let Ok(root) = xml::parse(body) {
        let mut w = (0, 0);
        weigh(&root, &mut HashSet::new(), &mut w);
        ensure(w.0 <= n / 3 + 1, || format!("{} elements from {n} bytes", w.0))?;
        // Attributes keep the namespace declarations, so twice is the bound.
        ensure(w.1 <= 2 * n, || format!("a tree of {} bytes from {n} bytes", w.1))?;
    }
    let url = base();
    if let Ok(ms) = multistatus::parse(body, &url) {
        ensure(ms.entries.len() <= n / 20 + 1, || format!("{} entries from {n} bytes", ms.entries.len()))?;
    }
    let _ = DavErrorBody::parse(body);
    let status = [207, 207, 207, 207, 200, 403, 409, 412, 507, 500][(params % 10) as usize];
    let resp = || Response { status, headers: HeaderMap::new(), body: body.to_vec(), url: url.clone() };
    let _ = CurrentUserPrincipal { url: url.clone() }.parse(resp());
    let _ = PrincipalProps { url: url.clone() }.parse(resp());
    let _ = ListCalendars { home: url.clone() }.parse(resp());
    let query = CalendarQuery {
        calendar: url.clone(),
        start: "20300101T000000Z".into(),
        end: "20310101T000000Z".into(),
        with_data: true,
    };
    let _ = query.parse(resp());
    let asked = vec![url.join("a.ics").unwrap(), url.join("uid@host.ics").unwrap()];
    if let Ok(f) = (Multiget { calendar: url.clone(), objects: asked.clone() }).parse(resp()) {
        let total = f.objects.len() + f.missing.len() + f.failed.len();
        ensure(total <= n / 20 + asked.len() + 1, || format!("{total} multiget results from {n} bytes"))?;
    }
    let token = params.is_multiple_of(3).then(|| "http://t/1".to_owned());
    let _ = SyncCollection { calendar: url.clone(), token }.parse(resp());
    Ok(())
}

pub(super) fn text_of(input: &[u8]) -> String {
    String::from_utf8_lossy(input).into_owned()
}

pub(super) fn check_lines(_: u64, input: &[u8]) -> Result<(), String> {
    let text = text_of(input);
    let Ok(doc) = Document::parse(&text) else { return Ok(()) };
    let out = doc.to_string();
    // Whitespace-only lines are skipped; every other byte comes back.
    if text.lines().all(|l| !l.trim().is_empty()) {
        ensure(out == text, || "parse → to_string changed the bytes".into())?;
    }
    ensure(out.len() <= text.len(), || format!("{} bytes written from {}", out.len(), text.len()))?;
    ensure(Document::parse(&out).is_ok(), || "the written document does not parse".into())
}

pub(super) fn me() -> Identity {
    Identity::new(["mailto:attendee@example.com", "https://cal.example.com/p/ann"])
}

pub(super) fn check_invitation(_: u64, input: &[u8]) -> Result<(), String> {
    let text = text_of(input);
    if let Ok(Some(inv)) = invitation::read(&text, &me()) {
        let json = serde_json::to_string(&inv).unwrap();
        ensure(json.len() <= 8 * text.len() + 4096, || {
            format!("{} bytes read from {}", json.len(), text.len())
        })?;
    }
    Ok(())
}

pub(super) fn window(params: u64) -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap();
    match params % 4 {
        0 => (at(2030, 6, 10), at(2030, 6, 11)),
        1 => (at(1970, 1, 1), at(2100, 1, 1)),
        _ => (at(2030, 6, 1), at(2030, 8, 1)),
    }
}

pub(super) fn check_expand(params: u64, input: &[u8]) -> Result<(), String> {
    let text = text_of(input);
    let (from, to) = window(params);
    let found = occurrence::expand(&text, from, to);
    let all = &found.occurrences;
    let events = Document::parse(&text)
        .ok()
        .and_then(|d| d.calendar().map(|c| c.children().filter(|c| c.name == "VEVENT").count()));
    let events = events.unwrap_or(0);
    // The work is bounded per event, whatever the rule and its start.
    ensure(all.len() <= BOUNDS.max_instances * events, || {
        format!("{} occurrences of {events} events", all.len())
    })?;
    ensure(found.steps <= BOUNDS.max_steps * events as u64, || {
        format!("{} steps for {events} events", found.steps)
    })?;
    ensure(all.windows(2).all(|w| w[0].start <= w[1].start), || "occurrences out of order".into())
}

/// Two documents in one input, for diff.
pub(super) const SPLIT: &str = "\n\u{1}DIFF\u{1}\n";

pub(super) fn check_diff(_: u64, input: &[u8]) -> Result<(), String> {
    let text = text_of(input);
    let (a, b) = text.split_once(SPLIT).unwrap_or((text.as_str(), text.as_str()));
    let me = me();
    let Ok(before) = Document::parse(a) else { return Ok(()) };
    let same = diff(&before, &before, &me);
    ensure(same.changes.is_empty(), || format!("a document differs from itself: {:?}", same.changes))?;
    if let Ok(after) = Document::parse(b) {
        for d in [diff(&before, &after, &me), diff(&after, &before, &me)] {
            let json = serde_json::to_string(&d).unwrap();
            ensure(json.len() <= 16 * text.len() + 4096, || format!("a diff of {} bytes", json.len()))?;
        }
    }
    Ok(())
}

/// The reply to send: the answer, comment and occurrence from `params`, the
/// address one of the document's attendees (or a stranger).
pub(super) fn reply_for(params: u64, doc: Option<&Document>) -> Reply {
    let mut rng = Rng::new(params);
    let answer = rng.pick(&[Answer::Accept, Answer::Tentative, Answer::Decline]);
    let mut attendees = Vec::new();
    let mut starts = Vec::new();
    if let Some(cal) = doc.and_then(|d| d.calendar()) {
        for ev in cal.children() {
            attendees.extend(ev.props_named("ATTENDEE").map(|l| l.value.clone()));
            starts.extend(ev.props_named("DTSTART").map(|l| l.value.trim().to_owned()));
        }
    }
    let me = if attendees.is_empty() || rng.one_in(10) {
        "mailto:attendee@example.com".to_owned()
    } else {
        rng.pick(&attendees)
    };
    let comment = rng.one_in(4).then(|| ical_text(&mut rng));
    let occurrence = match rng.below(4) {
        0 | 1 => None,
        2 if !starts.is_empty() => {
            // Same shape as a DTSTART, a few days later.
            let s = rng.pick(&starts);
            let mut bytes = s.into_bytes();
            if bytes.len() >= 8 {
                bytes[7] = b'0' + rng.below(10) as u8;
            }
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        _ => Some(
            (rng.pick(&["20300611T100000", "20300611T100000Z", "20300611", "", "x", "99991231T235959"]))
                .into(),
        ),
    };
    Reply { answer, comment, occurrence, me, silent: false, delegate: None }
}

/// Property lines in document order: (name, params, value).
pub(super) fn flat(doc: &Document) -> Vec<(String, Vec<String>, String)> {
    fn walk(c: &Component, out: &mut Vec<(String, Vec<String>, String)>) {
        out.push(("BEGIN".into(), Vec::new(), c.name.clone()));
        for i in &c.items {
            match i {
                Item::Prop(l) => out.push((
                    l.name.clone(),
                    l.params.iter().map(|p| p.raw.clone()).collect(),
                    l.value.clone(),
                )),
                Item::Child(c) => walk(c, out),
            }
        }
    }
    let mut out = Vec::new();
    for c in &doc.components {
        walk(c, &mut out);
    }
    out
}

pub(super) fn check_reply(params: u64, input: &[u8]) -> Result<(), String> {
    let text = text_of(input);
    let parsed = Document::parse(&text).ok();
    let r = reply_for(params, parsed.as_ref());
    let Ok(out) = reply::apply(&text, &r) else { return Ok(()) };
    let extra = r.comment.as_ref().map_or(0, |c| 2 * c.len() + 100);
    ensure(out.len() <= 2 * text.len() + extra + 1024, || {
        format!("{} bytes from {}", out.len(), text.len())
    })?;
    let Ok(after) = Document::parse(&out) else { return Err("the reply does not parse".into()) };
    ensure(reply::apply(&out, &r).as_deref() == Ok(out.as_str()), || {
        "a second apply changed it again".into()
    })?;
    if r.occurrence.is_none()
        && r.comment.is_none()
        && let Some(before) = &parsed
    {
        let (old, new) = (flat(&without_repeated_transp(before)), flat(&after));
        ensure(old.len() == new.len(), || "the reply added or removed lines".into())?;
        for (o, n) in old.iter().zip(&new) {
            if o == n {
                continue;
            }
            let mine = o.0 == "ATTENDEE" && normalize(&o.2) == normalize(&r.me) && o.2 == n.2 && o.0 == n.0;
            let others = |p: &[String]| -> Vec<String> {
                p.iter().filter(|p| !p.to_ascii_uppercase().starts_with("PARTSTAT")).cloned().collect()
            };
            ensure(mine && others(&o.1) == others(&n.1), || format!("the reply changed {o:?} into {n:?}"))?;
        }
    }
    Ok(())
}

/// `doc` as the reply may leave it besides the answer: one TRANSP per event
/// of the calendar, the last (a server's duplicate of the attendee's own
/// property makes the server refuse the reply).
fn without_repeated_transp(doc: &Document) -> Document {
    let mut doc = doc.clone();
    if let Some(cal) = doc.calendar_mut() {
        for ev in cal.children_mut().filter(|c| c.name == "VEVENT") {
            let transp = |i: &Item| matches!(i, Item::Prop(l) if l.name.eq_ignore_ascii_case("TRANSP"));
            let mut left = ev.items.iter().filter(|i| transp(i)).count();
            ev.items.retain(|i| {
                if !transp(i) {
                    return true;
                }
                left -= 1;
                left == 0
            });
        }
    }
    doc
}

pub(super) fn check_import(_: u64, input: &[u8]) -> Result<(), String> {
    let text = text_of(input);
    let batch = source::parse(Path::new("fuzz.ics"), &text);
    let data: usize = batch.items.iter().map(|i| i.data.len()).sum();
    // A VTIMEZONE the repair builds from the database holds up to 200 years
    // of transitions (about 60 KB); the file only had to name the zone.
    let zones: usize = batch.items.iter().map(|i| i.data.matches("BEGIN:VTIMEZONE").count()).sum();
    let bound = 2 * text.len() + 256 * batch.items.len() + 64 * 1024 * zones + 1024;
    ensure(data <= bound, || {
        format!("{} items hold {data} bytes from {} bytes", batch.items.len(), text.len())
    })?;
    for item in &batch.items {
        ensure(Document::parse(&item.data).is_ok(), || format!("item {} does not parse again", item.uid))?;
    }
    let lines = text.lines().count() + 1;
    ensure(batch.items.len() + batch.bad.len() <= lines, || "more results than lines".into())
}
