#!/usr/bin/env python3
"""Small iCalendar helpers for the demo scripts (standard library only).

    ics.py fmt FILE...            rewrite in place: CRLF line ends, folded at 75 octets
    ics.py check FILE...          CRLF, folding, UTF-8, TEXT escapes, what the demo needs
    ics.py weeks                  whole weeks to move the invitations so they stay ahead
                                  of today (0 until AUTHORED + a few days)
    ics.py shift WEEKS IN OUT     move every date of the events by WEEKS weeks, DTSTAMP = now
    ics.py week DIR               the attendee's own events of this week and the next, a file
                                  each in DIR (what someone's week holds besides invitations)
    ics.py precancel IN OUT       the version before the cancellation: STATUS:CONFIRMED,
                                  SEQUENCE - 1 (seed.sh PUTs it first, then IN)
    ics.py reschedule IN OUT      organizer's edit: the event one day and two hours later,
                                  SEQUENCE + 1, DTSTAMP = now; prints what moved
    ics.py describe FILE          UID, SUMMARY and start, tab-separated
    ics.py status FILE            STATUS of the first event (empty if none)
    ics.py listing [UID]          read a CalDAV multistatus with calendar-data on stdin;
                                  print href, UID, STATUS, SEQUENCE and DTSTART of each
                                  object (only UID's, if given), tab-separated

Dates move by whole weeks so that weekdays (and the weekly series) stay put.
Only VEVENT properties are touched; VTIMEZONE rules never move.
"""

import datetime as dt
import re
import sys

# The day the invitations were written for: their dates run from about a
# week to four months after it.
AUTHORED = dt.date(2026, 11, 21)

TEXT_PROPS = {"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT", "RESOURCES", "CATEGORIES"}
DATE_PROPS = {"DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE", "DUE"}
DEMO_ORGANIZER = "mailto:organizer@example.com"
DEMO_ATTENDEE = "mailto:attendee@example.com"


class IcsError(Exception):
    pass


# ---------------------------------------------------------------- lines


def unfold(data: bytes) -> list[str]:
    """Logical lines (RFC 5545 3.1); accepts LF as well as CRLF."""
    text = data.decode("utf-8")
    out: list[str] = []
    for raw in re.split(r"\r\n|\n", text):
        if raw[:1] in (" ", "\t") and out:
            out[-1] += raw[1:]
        elif raw:
            out.append(raw)
    return out


def fold(line: str) -> bytes:
    """One logical line as CRLF-terminated physical lines of at most 75
    octets, never cutting a UTF-8 sequence."""
    b = line.encode("utf-8")
    parts = []
    limit = 75
    while len(b) > limit:
        cut = limit
        while b[cut] & 0xC0 == 0x80:  # continuation byte: back off
            cut -= 1
        parts.append(b[:cut])
        b = b[cut:]
        limit = 74  # the leading space counts
    parts.append(b)
    return b"\r\n ".join(parts) + b"\r\n"


def serialize(lines: list[str]) -> bytes:
    return b"".join(fold(line) for line in lines)


def split_prop(line: str) -> tuple[str, str, str]:
    """NAME, ';params' (may be empty) and value; colons inside quoted
    parameter values do not end the parameters."""
    quoted = False
    for i, c in enumerate(line):
        if c == '"':
            quoted = not quoted
        elif c == ":" and not quoted:
            head, value = line[:i], line[i + 1 :]
            name, _, params = head.partition(";")
            return name.upper(), (";" + params if params else ""), value
    raise IcsError(f"not a property line: {line[:60]!r}")


def param(params: str, key: str) -> str | None:
    m = re.search(r";" + re.escape(key) + r'=("[^"]*"|[^;:]*)', params, re.I)
    return m.group(1).strip('"') if m else None


def unescape(v: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), v)


def read(path: str) -> list[str]:
    with open(path, "rb") as f:
        return unfold(f.read())


def write(path: str, lines: list[str]) -> None:
    with open(path, "wb") as f:
        f.write(serialize(lines))


def map_vevent(lines: list[str], fn) -> list[str]:
    """Apply fn(name, params, value) -> line | None to the properties of
    VEVENTs (not of their VALARMs); None keeps the line."""
    out, stack = [], []
    for line in lines:
        name, params, value = split_prop(line)
        if name == "BEGIN":
            stack.append(value.upper())
        elif name == "END":
            stack.pop()
        elif stack[-1:] == ["VEVENT"]:
            new = fn(name, params, value)
            if new is not None:
                line = new
        out.append(line)
    return out


def now_stamp() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


# ---------------------------------------------------------------- dates


def move_value(v: str, delta: dt.timedelta, date_delta: dt.timedelta) -> str:
    """Move one DATE or DATE-TIME value (floating, local or UTC)."""
    if re.fullmatch(r"\d{8}", v):
        return (dt.datetime.strptime(v, "%Y%m%d") + date_delta).strftime("%Y%m%d")
    m = re.fullmatch(r"(\d{8}T\d{6})(Z?)", v)
    if not m:
        raise IcsError(f"unsupported date value {v!r}")
    t = dt.datetime.strptime(m.group(1), "%Y%m%dT%H%M%S") + delta
    return t.strftime("%Y%m%dT%H%M%S") + m.group(2)


def move_dates(lines, delta, date_delta, props=DATE_PROPS, rrule=True):
    def fn(name, params, value):
        if name in props:
            moved = ",".join(move_value(x, delta, date_delta) for x in value.split(","))
            return f"{name}{params}:{moved}"
        if name == "RRULE" and rrule:
            return f"{name}{params}:" + re.sub(
                r"(?<=UNTIL=)([0-9TZ]+)", lambda m: move_value(m.group(1), delta, date_delta), value
            )
        return None

    return map_vevent(lines, fn)


def set_stamp(lines):
    stamp = now_stamp()
    return map_vevent(lines, lambda n, p, v: f"DTSTAMP:{stamp}" if n == "DTSTAMP" else None)


def bump_sequence(lines, by: int):
    found = []

    def fn(name, params, value):
        if name == "SEQUENCE":
            found.append(int(value))
            return f"SEQUENCE{params}:{max(0, int(value) + by)}"
        return None

    lines = map_vevent(lines, fn)
    if not found and by > 0:  # no SEQUENCE means 0: add one after UID
        out, in_event = [], False
        for line in lines:
            out.append(line)
            name, _, value = split_prop(line)
            if name == "BEGIN":
                in_event = value.upper() == "VEVENT"
            if in_event and name == "UID":
                out.append(f"SEQUENCE:{by}")
        lines = out
    return lines


def first(lines, prop):
    """(params, value) of the first VEVENT's PROP, or None."""
    hit = []

    def fn(name, params, value):
        if name == prop and not hit:
            hit.append((params, value))
        return None

    map_vevent(lines, fn)
    return hit[0] if hit else None


def pretty_when(params: str, value: str) -> str:
    if re.fullmatch(r"\d{8}", value):
        d = dt.datetime.strptime(value, "%Y%m%d")
        return d.strftime("%a %Y-%m-%d") + " (all day)"
    t = dt.datetime.strptime(value[:15], "%Y%m%dT%H%M%S")
    zone = "UTC" if value.endswith("Z") else (param(params, "TZID") or "floating")
    return t.strftime("%a %Y-%m-%d %H:%M ") + zone


# ---------------------------------------------------------------- checks


def check(path: str) -> list[str]:
    problems = []
    with open(path, "rb") as f:
        data = f.read()
    if not data.endswith(b"\r\n"):
        problems.append("does not end with CRLF")
    physical = data.split(b"\r\n")
    if physical[-1] == b"":
        physical.pop()
    for n, p in enumerate(physical, 1):
        if b"\n" in p or b"\r" in p:
            problems.append(f"line {n}: bare LF or CR")
        if len(p) > 75:
            problems.append(f"line {n}: {len(p)} octets (more than 75)")
        try:
            p.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"line {n}: a fold cuts a UTF-8 character")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return problems + [f"not UTF-8: {e}"]
    lines = unfold(data)
    if serialize(lines) != data:
        problems.append("folding is not canonical (run: ics.py fmt FILE)")
    stack, tzids_used, tzids_defined, events = [], set(), set(), []
    for line in lines:
        try:
            name, params, value = split_prop(line)
        except IcsError as e:
            problems.append(str(e))
            continue
        if name == "BEGIN":
            stack.append(value.upper())
            if value.upper() == "VEVENT":
                events.append({})
            continue
        if name == "END":
            if not stack or stack.pop() != value.upper():
                problems.append(f"unbalanced END:{value}")
            continue
        comp = stack[-1] if stack else None
        if comp == "VTIMEZONE" and name == "TZID":
            tzids_defined.add(value)
        tz = param(params, "TZID")
        if tz:
            tzids_used.add(tz)
        if comp == "VEVENT":
            ev = events[-1]
            ev.setdefault(name, []).append((params, value))
        if name in TEXT_PROPS:
            bad = re.sub(r"\\[\\;,nN]", "", value)
            if "\\" in bad:
                problems.append(f"{name}: backslash not followed by \\ ; , or n")
            elif name != "CATEGORIES" and re.search(r"[;,]", bad):
                problems.append(f"{name}: unescaped ',' or ';' in TEXT")
    if stack:
        problems.append(f"unclosed {stack}")
    for missing in sorted(tzids_used - tzids_defined):
        problems.append(f"TZID={missing} has no VTIMEZONE")
    if not events:
        problems.append("no VEVENT")
    for ev in events:
        for prop in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "ORGANIZER"):
            if prop not in ev:
                problems.append(f"VEVENT without {prop}")
        org = ev.get("ORGANIZER", [("", "")])[0][1]
        if org.lower() != DEMO_ORGANIZER:
            problems.append(f"ORGANIZER is {org!r}, not {DEMO_ORGANIZER}")
        atts = {v.lower(): p.upper() for p, v in ev.get("ATTENDEE", [])}
        if "PARTSTAT=ACCEPTED" not in atts.get(DEMO_ORGANIZER, "") or "ROLE=CHAIR" not in atts.get(DEMO_ORGANIZER, ""):
            problems.append("organizer is not an ACCEPTED CHAIR attendee")
        a = atts.get(DEMO_ATTENDEE, "")
        if "PARTSTAT=NEEDS-ACTION" not in a or "RSVP=TRUE" not in a:
            problems.append("attendee@example.com is not invited with NEEDS-ACTION and RSVP=TRUE")
        for p, v in ev.get("DTSTART", []):
            if dt.datetime.strptime(v[:8], "%Y%m%d").date() <= AUTHORED:
                problems.append(f"DTSTART {v} is not after {AUTHORED}")
        if "TRANSP" in ev:
            # Cyrus 3.6.1 keeps the attendee's TRANSP when it applies an
            # organizer's update that has one too: the attendee's copy then
            # has two, and Cyrus refuses the attendee's own PUT of it (403
            # valid-calendar-data), so no answer to a rescheduled invitation
            # could be sent. OPAQUE is the default anyway.
            problems.append("TRANSP: leave it out (Cyrus duplicates it on updates, then refuses replies)")
        for p, v in ev.get("RRULE", []):
            if "COUNT=" in v.upper():
                problems.append("RRULE with COUNT (Cyrus cannot take one-occurrence answers on it): use UNTIL")
    return problems


# ---------------------------------------------------------------- commands


def cmd_fmt(paths):
    for path in paths:
        write(path, read(path))


def cmd_check(paths):
    bad = 0
    for path in paths:
        problems = check(path)
        for p in problems:
            print(f"{path}: {p}", file=sys.stderr)
        bad += bool(problems)
    return 1 if bad else 0


def cmd_weeks():
    days = (dt.date.today() - AUTHORED).days
    print(max(0, -(-days // 7)))


def cmd_shift(weeks, src, dst):
    lines = read(src)
    w = dt.timedelta(weeks=int(weeks))
    if w:
        lines = move_dates(lines, w, w)
    write(dst, set_stamp(lines))


# The attendee's own week: (weekday 0 = Monday, start "HHMM" or None for all
# day, minutes, summary, location). Floating times: they stay at these hours
# whatever the machine's time zone.
OWN_WEEK = [
    (0, "0900", 30, "Plan the week", ""),
    (1, "1230", 60, "Lunch with Grace", "Café Einstein"),
    (2, "1000", 90, "Write the quarterly report", ""),
    (2, "1030", 30, "Call the bank", ""),
    (3, "1600", 60, "Dentist", "Dr. Weber, Kastanienallee 12"),
    (4, None, 1, "Ben's birthday", ""),
    (4, "1800", 120, "Climbing", "Bouldergarten"),
]


def cmd_week(out_dir):
    this_monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    for monday in (this_monday, this_monday + dt.timedelta(weeks=1)):
        write_week(out_dir, monday)


def write_week(out_dir, monday):
    for day, start, minutes, summary, location in OWN_WEEK:
        date = monday + dt.timedelta(days=day)
        slug = re.sub(r"[^a-z0-9]+", "-", summary.lower()).strip("-")
        uid = f"demo-own-{slug}-{monday:%Y%m%d}@convene.example"
        if start is None:
            when = [f"DTSTART;VALUE=DATE:{date:%Y%m%d}", f"DTEND;VALUE=DATE:{date + dt.timedelta(days=1):%Y%m%d}"]
        else:
            begin = dt.datetime.combine(date, dt.time(int(start[:2]), int(start[2:])))
            end = begin + dt.timedelta(minutes=minutes)
            when = [f"DTSTART:{begin:%Y%m%dT%H%M%S}", f"DTEND:{end:%Y%m%dT%H%M%S}"]
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Convene demo//Own week//EN",
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{now_stamp()}",
            *when,
            f"SUMMARY:{summary}",
            *([f"LOCATION:{location.replace(',', chr(92) + ',')}"] if location else []),
            "END:VEVENT",
            "END:VCALENDAR",
        ]
        write(f"{out_dir}/{uid.split('@')[0]}.ics", lines)


def cmd_precancel(src, dst):
    lines = read(src)
    if first(lines, "STATUS") is None or first(lines, "STATUS")[1].upper() != "CANCELLED":
        raise IcsError(f"{src} is not cancelled")
    lines = map_vevent(lines, lambda n, p, v: f"STATUS{p}:CONFIRMED" if n == "STATUS" else None)
    write(dst, bump_sequence(lines, -1))


def cmd_reschedule(src, dst):
    lines = read(src)
    if first(lines, "RRULE") or first(lines, "RECURRENCE-ID"):
        raise IcsError("this event repeats: reschedule.sh moves single events only")
    start = first(lines, "DTSTART")
    if start is None:
        raise IcsError("no DTSTART")
    seq = first(lines, "SEQUENCE")
    old_seq = int(seq[1]) if seq else 0
    lines = move_dates(lines, dt.timedelta(days=1, hours=2), dt.timedelta(days=1), props={"DTSTART", "DTEND"})
    # SCHEDULE-STATUS is the server's bookkeeping; clients do not send it back.
    def strip_status(name, params, value):
        if name in ("ATTENDEE", "ORGANIZER"):
            return name + re.sub(r';SCHEDULE-STATUS=("[^"]*"|[^;:]*)', "", params, flags=re.I) + ":" + value
        return None

    lines = map_vevent(lines, strip_status)
    lines = set_stamp(bump_sequence(lines, 1))
    new_start = first(lines, "DTSTART")
    write(dst, lines)
    summary = first(lines, "SUMMARY")
    print(
        f"{unescape(summary[1]) if summary else '(no title)'}: "
        f"{pretty_when(*start)} -> {pretty_when(*new_start)} (SEQUENCE {old_seq} -> {old_seq + 1})"
    )


def cmd_describe(path):
    lines = read(path)
    uid = first(lines, "UID")
    summary = first(lines, "SUMMARY")
    start = first(lines, "DTSTART")
    rrule = first(lines, "RRULE")
    when = pretty_when(*start) if start else "(no date)"
    if rrule:
        freq = re.search(r"FREQ=(\w+)", rrule[1])
        until = re.search(r"UNTIL=(\d{8})", rrule[1])
        when += f", {freq.group(1).lower() if freq else 'repeating'}"
        if until:
            when += f" until {until.group(1)[:4]}-{until.group(1)[4:6]}-{until.group(1)[6:]}"
    print(f"{uid[1] if uid else ''}\t{unescape(summary[1]) if summary else ''}\t{when}")


def cmd_status(path):
    s = first(read(path), "STATUS")
    print(s[1].upper() if s else "")


def cmd_listing(uid):
    import xml.etree.ElementTree as ET

    dav, cal = "{DAV:}", "{urn:ietf:params:xml:ns:caldav}"
    root = ET.fromstring(sys.stdin.buffer.read())
    for resp in root.iter(dav + "response"):
        href = resp.findtext(dav + "href") or ""
        for data in resp.iter(cal + "calendar-data"):
            if not data.text:
                continue
            lines = unfold(data.text.encode("utf-8"))
            got = first(lines, "UID")
            if got is None or (uid and got[1] != uid[0]):
                continue
            status, seq, start = first(lines, "STATUS"), first(lines, "SEQUENCE"), first(lines, "DTSTART")
            print(
                "\t".join(
                    [
                        href,
                        got[1],
                        status[1].upper() if status else "",
                        seq[1] if seq else "0",
                        pretty_when(*start) if start else "",
                    ]
                )
            )


def main(argv):
    cmds = {
        "fmt": (cmd_fmt, None),
        "check": (cmd_check, None),
        "weeks": (cmd_weeks, 0),
        "shift": (cmd_shift, 3),
        "week": (cmd_week, 1),
        "precancel": (cmd_precancel, 2),
        "reschedule": (cmd_reschedule, 2),
        "describe": (cmd_describe, 1),
        "status": (cmd_status, 1),
        "listing": (cmd_listing, None),
    }
    if len(argv) < 2 or argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    fn, nargs = cmds[argv[1]]
    args = argv[2:]
    if (nargs is None and not args and fn is not cmd_listing) or (nargs is not None and len(args) != nargs):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        if nargs is None:
            return fn(args) or 0
        return fn(*args) or 0
    except (IcsError, OSError, ValueError, UnicodeDecodeError, SyntaxError) as e:
        print(f"ics.py {argv[1]}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
