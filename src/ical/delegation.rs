//! Delegating an invitation (RFC 5546 §4.2.5) as an edit of the stored
//! object: DELEGATED-TO on the person's ATTENDEE line and the delegate
//! listed after it. Part of the reply edit ([`super::reply`]).

use super::identity::normalize;
use super::lines::{Component, Item, Line};
use super::reply::{ReplyError, is_me, names};

/// The delegate's address as an ATTENDEE value: `bob@example.com` or
/// `mailto:bob@example.com` → `mailto:bob@example.com`.
pub fn delegate_address(typed: &str) -> Result<String, ReplyError> {
    let t = typed.trim();
    let bare = t.get(..7).filter(|p| p.eq_ignore_ascii_case("mailto:")).map_or(t, |_| &t[7..]);
    let ok = bare.split_once('@').is_some_and(|(user, host)| {
        !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
    }) && bare.matches('@').count() == 1
        && !bare.contains(|c: char| c.is_whitespace() || c.is_control() || "\",;:<>".contains(c));
    if !ok {
        return Err(ReplyError::BadAddress(typed.to_owned()));
    }
    Ok(format!("mailto:{bare}"))
}

/// The delegation on one VEVENT (RFC 5546 §4.2.5): DELEGATED-TO on the
/// user's line, and the delegate listed right after it with DELEGATED-FROM,
/// asked to answer, in the user's ROLE. A delegate the user named before
/// (another address) is replaced; the same one is left as it is.
pub(super) fn delegate_event(ev: &mut Component, me: &str, to: &str) -> Result<(), ReplyError> {
    fn attendee(i: &Item) -> Option<&Line> {
        match i {
            Item::Prop(l) if l.name == "ATTENDEE" => Some(l),
            _ => None,
        }
    }
    let invited = ev.items.iter().filter_map(attendee).find(|l| normalize(&l.value) == normalize(to));
    if let Some(l) = invited
        && !names(l, "DELEGATED-FROM", me)
    {
        return Err(ReplyError::AlreadyInvited(to.to_owned()));
    }
    let keep_delegate = invited.is_some();
    // An earlier delegate of the user's is no longer one.
    ev.items.retain(|i| {
        attendee(i).is_none_or(|l| !names(l, "DELEGATED-FROM", me) || normalize(&l.value) == normalize(to))
    });
    let mut mine = None;
    for (at, item) in ev.items.iter_mut().enumerate() {
        if let Item::Prop(l) = item
            && is_me(l, me)
        {
            l.set_param("DELEGATED-TO", to);
            mine.get_or_insert((at, l.value.clone(), l.param("ROLE").map(|p| p.value())));
        }
    }
    if let (Some((at, from, role)), false) = (mine, keep_delegate) {
        let mut line = Line::new("ATTENDEE", Vec::new(), to);
        if let Some(role) = role {
            line.set_param("ROLE", &role);
        }
        line.set_param("PARTSTAT", "NEEDS-ACTION");
        line.set_param("RSVP", "TRUE");
        line.set_param("DELEGATED-FROM", &from);
        ev.items.insert(at + 1, Item::Prop(line));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::reply::tests::{WEEKLY, reply, unfolded_lines};
    use crate::ical::reply::{Answer, Reply, apply, is_applied};

    fn delegation(to: &str) -> Reply {
        Reply { delegate: Some(to.to_owned()), ..reply(Answer::Delegate, None, None) }
    }

    #[test]
    fn a_delegation_marks_my_line_and_adds_the_delegate_once_after_it() {
        let chair = WEEKLY.replace(
            "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE",
            "ATTENDEE;ROLE=CHAIR;PARTSTAT=NEEDS-ACTION;RSVP=TRUE",
        );
        let out = apply(&chair, &delegation("mailto:bob@example.com")).unwrap();
        let (before, after) = (unfolded_lines(&chair), unfolded_lines(&out));
        assert_eq!(after.len(), before.len() + 1);
        let me = before.iter().position(|l| l.ends_with("mailto:ann@example.com")).unwrap();
        // Every other line as it was, in its place.
        assert_eq!(before[..me], after[..me]);
        assert_eq!(before[me + 1..], after[me + 2..]);
        assert_eq!(
            after[me],
            "ATTENDEE;ROLE=CHAIR;PARTSTAT=DELEGATED;RSVP=TRUE;SCHEDULE-STATUS=\"2.0;Success\";DELEGATED-TO=\"mailto:bob@example.com\":mailto:ann@example.com"
        );
        assert_eq!(
            after[me + 1],
            "ATTENDEE;ROLE=CHAIR;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;DELEGATED-FROM=\"mailto:ann@example.com\":mailto:bob@example.com"
        );
        assert!(is_applied(&out, &delegation("MAILTO:bob@example.com")));
        assert!(!is_applied(&out, &delegation("mailto:cy@example.com")));
        assert!(!is_applied(&chair, &delegation("mailto:bob@example.com")));
        // The same delegation again changes nothing: the delegate is listed once.
        assert_eq!(apply(&out, &delegation("mailto:bob@example.com")).unwrap(), out);
        // Folded back at 75 octets, CRLF as the object has.
        assert!(out.lines().all(|l| l.len() <= 76), "{out}");
    }

    #[test]
    fn delegating_again_replaces_the_earlier_delegate() {
        let once = apply(WEEKLY, &delegation("mailto:bob@example.com")).unwrap();
        let twice = apply(&once, &delegation("mailto:cy@example.com")).unwrap().replace("\r\n ", "");
        assert!(!twice.contains("bob@example.com"), "{twice}");
        assert_eq!(
            twice.matches("DELEGATED-FROM=\"mailto:ann@example.com\":mailto:cy@example.com").count(),
            1
        );
        assert!(twice.contains("DELEGATED-TO=\"mailto:cy@example.com\":mailto:ann@example.com"));
        // The result is what delegating to cy at once would have given.
        assert_eq!(twice, apply(WEEKLY, &delegation("mailto:cy@example.com")).unwrap().replace("\r\n ", ""));
    }

    #[test]
    fn a_delegates_address_is_checked_and_written_as_mailto() {
        assert_eq!(delegate_address(" bob@example.com ").unwrap(), "mailto:bob@example.com");
        assert_eq!(delegate_address("MAILTO:bob@example.com").unwrap(), "mailto:bob@example.com");
        for bad in [
            "",
            "bob",
            "bob@",
            "@example.com",
            "bob@example",
            "bob smith@example.com",
            "a@b@c.com",
            "bob@example.com\"",
            "x;y@example.com",
        ] {
            assert_eq!(delegate_address(bad), Err(ReplyError::BadAddress(bad.to_owned())), "{bad}");
        }
    }

    #[test]
    fn a_delegation_to_someone_invited_or_to_no_one_is_refused() {
        for invited in ["mailto:chen@example.com", "MAILTO:ann@EXAMPLE.com"] {
            assert_eq!(
                apply(WEEKLY, &delegation(invited)),
                Err(ReplyError::AlreadyInvited(invited.to_owned()))
            );
        }
        let no_one = Reply { delegate: None, ..delegation("x") };
        assert_eq!(apply(WEEKLY, &no_one), Err(ReplyError::NoDelegate));
        assert_eq!(apply(WEEKLY, &delegation("  ")), Err(ReplyError::NoDelegate));
        // A series' overrides that list the person get the delegate too.
        let ov = "BEGIN:VEVENT\r\nUID:weekly-1\r\nRECURRENCE-ID;TZID=Pacific/Auckland:20300611T100000\r\nDTSTART;TZID=Pacific/Auckland:20300611T120000\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:ann@example.com\r\nEND:VEVENT\r\n";
        let both = WEEKLY.replace("END:VCALENDAR", &format!("{ov}END:VCALENDAR"));
        let out = apply(&both, &delegation("mailto:bob@example.com")).unwrap();
        assert_eq!(out.matches("DELEGATED-FROM=").count(), 2, "{out}");
    }

    #[test]
    fn answering_after_delegating_takes_the_delegation_back_and_leaves_the_delegate() {
        let delegated = apply(WEEKLY, &delegation("mailto:bob@example.com")).unwrap();
        let delegate_line =
            unfolded_lines(&delegated).into_iter().find(|l| l.ends_with(":mailto:bob@example.com"));
        for answer in [Answer::Accept, Answer::Decline, Answer::Tentative] {
            let out = apply(&delegated, &reply(answer, None, None)).unwrap();
            let lines = unfolded_lines(&out);
            let me = lines.iter().find(|l| l.ends_with(":mailto:ann@example.com")).unwrap();
            assert_eq!(
                *me,
                format!(
                    "ATTENDEE;PARTSTAT={};RSVP=TRUE;SCHEDULE-STATUS=\"2.0;Success\":mailto:ann@example.com",
                    answer.partstat()
                )
            );
            // The delegate was invited with the copy: theirs, as it was.
            assert_eq!(lines.iter().find(|l| l.ends_with(":mailto:bob@example.com")), delegate_line.as_ref());
            assert!(is_applied(&out, &reply(answer, None, None)));
            assert!(!is_applied(&out, &delegation("mailto:bob@example.com")));
        }
        // A copy without the delegate (the delegation never reached the
        // server): none is added.
        let out = apply(WEEKLY, &reply(Answer::Accept, None, None)).unwrap();
        assert!(!out.contains("bob@example.com"), "{out}");
        // An answer with the delegation still on the line is not that answer yet.
        let leftover = delegated.replace("PARTSTAT=DELEGATED", "PARTSTAT=ACCEPTED");
        assert!(!is_applied(&leftover, &reply(Answer::Accept, None, None)));
    }
}
