#!/usr/bin/env python3
"""End-to-end tests of `ehcp ics`: the calendar parses back with an
independent parser (Debian's python3-icalendar) and with libical (through
`ehcp holidays --ics`) to exactly the open deadlines `ehcp deadlines` gives;
UIDs are stable; awkward case ids are escaped; every physical line is at
most 75 octets and no fold splits a UTF-8 sequence; --group-by writes one
safely named file per caseworker. Run by meson (suite `cli`) with the tool's
path in EHCP_TOOL."""
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile

TOOL = os.environ["EHCP_TOOL"]
checks = failures = 0

# Debian's python3-icalendar lives with the system interpreter, which need
# not be the one running this test.
SYSTEM_PYTHON = "/usr/bin/python3"


def run(*args, stdin=None):
    p = subprocess.run([TOOL, *args], capture_output=True, input=stdin)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def check(what, got, want):
    global checks, failures
    checks += 1
    if got != want:
        failures += 1
        print(f"FAIL {what}:\n  got  {got!r}\n  want {want!r}", file=sys.stderr)


# Case ids chosen to be awkward in RFC 5545 text: comma, semicolon,
# backslash, a quote, a newline, and 2-, 3- and 4-byte UTF-8, one long
# enough to be folded.
IDS = {
    "plain": "C001",
    "specials": 'C,002;x\\y "q"',
    "newline": "Zoë\nline two",
    "long": "Ünïcödé-€-𝄞-" + "€" * 20 + "𝄞" * 6 + "-abcdefghijklmnopqrstuvwxyz",
    "done": "C-DONE",
    "exception": "C-EXC",
}


def csv_cell(text):
    return '"' + text.replace('"', '""') + '"'


def write_inputs(folder):
    rows = [
        (IDS["plain"], "request_received", "2025-01-15", "parent", "", ""),
        (IDS["plain"], "assessment_decision", "2025-02-20", "yes", "", ""),
        (IDS["plain"], "advice_requested", "2025-02-21", "ep", "", ""),
        (IDS["plain"], "advice_requested", "2025-02-21", "education", "", "URN123456"),
        (IDS["plain"], "advice_received", "2025-03-20", "education", "", "URN123456"),
        (IDS["specials"], "request_received", "2025-03-03", "setting", "", ""),
        (IDS["newline"], "request_received", "2025-02-03", "parent", "", ""),
        (IDS["newline"], "assessment_decision", "2025-03-10", "yes", "", ""),
        (IDS["long"], "request_received", "2025-04-01", "health", "", ""),
        (IDS["done"], "request_received", "2024-01-10", "parent", "", ""),
        (IDS["done"], "assessment_decision", "2024-02-01", "no", "", ""),
        (IDS["exception"], "request_received", "2025-01-06", "parent", "", ""),
        (IDS["exception"], "assessment_decision", "2025-02-10", "yes", "", ""),
        (IDS["exception"], "exception", "2025-03-01", "absence", "2025-04-15", ""),
        ("C-PLAN", "final_issued", "2024-02-29", "", "", ""),
        ("C-PLAN", "phase_transfer", "2026-09-01", "school", "", ""),
    ]
    events = os.path.join(folder, "events.csv")
    with open(events, "w", encoding="utf-8", newline="") as f:
        f.write("case_id,event,date,detail,end_date,ref\r\n")
        for r in rows:
            f.write(",".join(csv_cell(c) for c in r) + "\r\n")
    # Caseworkers: names that are not safe file names, two that sanitise to
    # the same name, and cases with none.
    attrs = os.path.join(folder, "attributes.csv")
    with open(attrs, "w", encoding="utf-8", newline="") as f:
        f.write("case_id,caseworker\r\n")
        for cid, who in [(IDS["plain"], "A B"), (IDS["specials"], "A_B"),
                         (IDS["newline"], "../etc/passwd"), (IDS["long"], ".hidden"),
                         (IDS["exception"], "Jo Smith"), ("C-PLAN", "A B")]:
            f.write(f"{csv_cell(cid)},{csv_cell(who)}\r\n")
    return events, attrs


PARSER = r'''
import icalendar, json, sys
out = []
for path in sys.argv[1:]:
    cal = icalendar.Calendar.from_ical(open(path, "rb").read())
    assert cal.name == "VCALENDAR", cal.name
    assert str(cal["VERSION"]) == "2.0"
    events = []
    for ev in cal.walk("VEVENT"):
        events.append({"uid": str(ev["UID"]), "start": ev.decoded("DTSTART").isoformat(),
                       "end": ev.decoded("DTEND").isoformat(),
                       "stamp": ev.decoded("DTSTAMP").isoformat(),
                       "summary": str(ev["SUMMARY"]), "description": str(ev["DESCRIPTION"])})
    out.append({"name": str(cal.get("X-WR-CALNAME", "")), "events": events})
print(json.dumps(out))
'''


def icalendar_parse(*paths):
    """Parse with Debian's python3-icalendar; a list of {name, events}."""
    p = subprocess.run([SYSTEM_PYTHON, "-c", PARSER, *paths], capture_output=True, text=True)
    check("python3-icalendar parses " + " ".join(os.path.basename(x) for x in paths),
          (p.returncode, p.stderr[-500:]), (0, ""))
    return json.loads(p.stdout) if p.returncode == 0 else [{"name": "", "events": []}] * len(paths)


SUMMARY = re.compile(r"^(.*): ([A-Z][0-9A-Za-z']*) ([a-z0-9_]+)(?: \((.*)\))?$", re.S)


def open_deadlines(files, as_of, within=None):
    """(case id, step, due, status) of every open milestone per `ehcp deadlines`."""
    rc, out, err = run("deadlines", *files, "--as-of", as_of, "--format", "json", "--quiet")
    check("deadlines json", (rc, err), (0, ""))
    want = set()
    for case in json.loads(out)["cases"]:
        for m in case["milestones"]:
            if m["status"] == "overdue" or (m["status"] == "due" and
                                            (within is None or m["days_left"] <= within)):
                want.add((case["case_id"], m["id"], m["due"], m["status"]))
    return want


def from_events(events):
    got = set()
    for e in events:
        m = SUMMARY.match(e["summary"])
        check("summary form " + repr(e["summary"]), m is not None, True)
        if not m:
            continue
        status = "overdue" if m.group(4) and "overdue" in m.group(4) else "due"
        got.add((m.group(1), m.group(2), e["start"], status))
        end = datetime.date.fromisoformat(e["start"]) + datetime.timedelta(days=1)
        check("DTEND is the next day", e["end"], end.isoformat())
    return got


def check_lines(what, data):
    """Every physical line CRLF-ended, <= 75 octets, valid UTF-8 by itself."""
    check(what + ": ends with CRLF", data.endswith(b"\r\n"), True)
    lines = data.split(b"\r\n")[:-1]
    check(what + ": no bare LF or CR", any(b"\n" in l or b"\r" in l for l in lines), False)
    check(what + ": longest line", max(len(l) for l in lines) <= 75, True)
    bad = []
    for l in lines:
        try:
            l.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(l)
    check(what + ": lines that split a UTF-8 sequence", bad, [])
    return sum(1 for l in lines if l.startswith(b" "))


def test_roundtrip(folder, events, attrs):
    as_of = "2025-05-01"
    rc, out, err = run("ics", events, attrs, "--as-of", as_of, "--quiet")
    check("ics exit", (rc, err), (0, ""))
    path = os.path.join(folder, "all.ics")
    with open(path, "wb") as f:
        f.write(out)
    folds = check_lines("all.ics", out)
    check("long lines were folded", folds > 5, True)
    (cal,) = icalendar_parse(path)
    want = open_deadlines([events, attrs], as_of)
    got = from_events(cal["events"])
    check("icalendar deadlines == ehcp deadlines", sorted(got), sorted(want))
    check("every awkward id round-trips",
          {IDS[k] for k in ("plain", "specials", "newline", "long", "exception")} <=
          {g[0] for g in got}, True)
    check("done case absent", any(g[0] == IDS["done"] for g in got), False)
    check("one event per deadline", len(cal["events"]), len(want))
    uids = [e["uid"] for e in cal["events"]]
    check("UIDs unique", len(set(uids)), len(uids))
    check("UID form", all(re.fullmatch(r"[0-9a-f]{32}(-[0-9]+)?@ehcp", u) for u in uids), True)
    check("DTSTAMP is the as-of date", {e["stamp"] for e in cal["events"]},
          {"2025-05-01T00:00:00+00:00"})
    check("calendar name", cal["name"], "EHC deadlines")
    # Escaping as RFC 5545 writes it.
    check("comma, semicolon, backslash escaped",
          b"SUMMARY:C\\,002\\;x\\\\y \"q\": A1 decision_to_assess (overdue)\r\n" in out, True)
    check("newline escaped", "SUMMARY:Zoë\\nline two: A5 final_plan".encode() in out, True)
    desc = {e["summary"]: e["description"] for e in cal["events"]}
    d = desc.get(IDS["plain"] + ": A2 advice (overdue)", "")
    check("description: start event", "Start: advice_requested (ep) on 2025-02-21." in d, True)
    check("description: legal source", "Legal source: reg 8(1)." in d, True)
    check("description: status", "Status as of 2025-05-01: overdue, 27 days late." in d, True)
    d = desc.get(IDS["plain"] + ": A5 final_plan", "")
    check("description: days left", "due, 34 days left (22 working days)." in d, True)
    check("exception marked", (IDS["exception"] + ": A5 final_plan (exception applies)") in desc,
          True)
    # No attribute (caseworker) leaks into the calendar.
    check("no attribute values", any(w in out for w in (b"Jo Smith", b"passwd")), False)

    # Stable: the same bytes again, and the same UIDs as of a later date for
    # the deadlines still open.
    rc, again, _ = run("ics", events, attrs, "--as-of", as_of, "--quiet")
    check("same bytes on a second run", again == out, True)
    rc, later, _ = run("ics", events, attrs, "--as-of", "2025-05-20", "--quiet")
    later_path = os.path.join(folder, "later.ics")
    with open(later_path, "wb") as f:
        f.write(later)
    (cal2,) = icalendar_parse(later_path)
    by_key = lambda c: {(e["summary"].split(" (")[0], e["start"]): e["uid"] for e in c["events"]}
    a, b = by_key(cal), by_key(cal2)
    common = set(a) & set(b)
    check("deadlines open on both dates", len(common) >= 5, True)
    check("UIDs stable across as-of dates", {k: a[k] for k in common}, {k: b[k] for k in common})

    # --output writes the same bytes.
    out_path = os.path.join(folder, "out.ics")
    rc, o, err = run("ics", events, attrs, "--as-of", as_of, "--output", out_path, "--quiet")
    check("--output", (rc, o, err), (0, b"", ""))
    with open(out_path, "rb") as f:
        check("--output bytes", f.read() == out, True)
    check("no temporary file left", [n for n in os.listdir(folder) if ".tmp" in n], [])

    # libical reads it back too: as closures of a calendar, every weekday due
    # date is a closed day named by its event.
    rc, hol, err = run("holidays", "--ics", path, "--region", "none", "--from", "2024-01-01",
                       "--to", "2026-12-31", "--format", "json")
    check("libical reads the file (ehcp holidays --ics)", (rc, err), (0, ""))
    if rc == 0:
        closed = {h["date"] for h in json.loads(hol)["holidays"]}
        weekday_dues = {g[2] for g in got
                        if datetime.date.fromisoformat(g[2]).weekday() < 5}
        check("libical: closed days == weekday due dates", sorted(closed), sorted(weekday_dues))


def test_within_and_case(folder, events, attrs):
    as_of = "2025-05-01"
    rc, out, err = run("ics", events, "--as-of", as_of, "--within", "14", "--quiet")
    check("--within exit", (rc, err), (0, ""))
    path = os.path.join(folder, "within.ics")
    with open(path, "wb") as f:
        f.write(out)
    (cal,) = icalendar_parse(path)
    want = open_deadlines([events], as_of, within=14)
    check("--within 14 == overdue + due within 14 days", sorted(from_events(cal["events"])),
          sorted(want))
    check("--within keeps fewer", len(want) < len(open_deadlines([events], as_of)), True)

    rc, out, err = run("ics", events, "--as-of", as_of, "--case", IDS["specials"], "--case",
                       "C-PLAN", "--quiet")
    check("--case exit", (rc, err), (0, ""))
    path = os.path.join(folder, "case.ics")
    with open(path, "wb") as f:
        f.write(out)
    (cal,) = icalendar_parse(path)
    check("--case selects", sorted({SUMMARY.match(e["summary"]).group(1) for e in cal["events"]}),
          sorted([IDS["specials"], "C-PLAN"]))

    rc, out, err = run("ics", events, "--as-of", as_of, "--case", "NOPE")
    check("--case unknown", (rc, out, "'NOPE'" in err), (2, b"", True))
    rc, _, err = run("ics", events, "--format", "json")
    check("--format refused", (rc, "--format" in err), (2, True))
    rc, _, err = run("ics", events, "--group-by", "caseworker")
    check("--group-by needs --output-dir", (rc, "--output-dir" in err), (2, True))
    rc, _, err = run("ics", events, "--within", "soon")
    check("--within not a number", (rc, "--within" in err), (2, True))
    rc, out, _ = run("ics", "--help")
    check("--help", (rc, out.startswith(b"usage: ehcp ics")), (0, True))
    # Without --quiet the count goes to stderr, never into the calendar.
    rc, out, err = run("ics", events, "--as-of", as_of)
    check("stderr accounting", (rc, "deadlines" in err, out.startswith(b"BEGIN:VCALENDAR")),
          (0, True, True))


def test_group_by(folder, events, attrs):
    as_of = "2025-05-01"
    outdir = os.path.join(folder, "by-caseworker")
    rc, out, err = run("ics", events, attrs, "--as-of", as_of, "--group-by", "caseworker",
                       "--output-dir", outdir, "--quiet")
    check("--group-by exit", (rc, out, err), (0, b"", ""))
    names = sorted(os.listdir(outdir)) if os.path.isdir(outdir) else []
    check("one file per caseworker, plus unassigned", len(names), 6)
    check("file names are safe",
          all(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]*\.ics", n) for n in names), True)
    check("nothing written outside the folder", os.path.exists(os.path.join(folder, "etc")), False)
    check("unassigned.ics", "unassigned.ics" in names, True)
    check("'A B' and 'A_B' get different files", len([n for n in names if n.startswith("A_B")]), 2)
    cals = icalendar_parse(*[os.path.join(outdir, n) for n in names])
    all_events = [e for c in cals for e in c["events"]]
    want = open_deadlines([events, attrs], as_of)
    check("groups together == all deadlines", sorted(from_events(all_events)), sorted(want))
    for n in names:
        check_lines(n, open(os.path.join(outdir, n), "rb").read())
    named = {c["name"] for c in cals}
    check("calendar names the caseworker", "EHC deadlines: caseworker Jo Smith" in named, True)
    # The unassigned file holds the cases with no caseworker: only C-DONE,
    # which has nothing open, so an empty (but valid) calendar.
    un = cals[names.index("unassigned.ics")] if "unassigned.ics" in names else {"events": [1]}
    check("unassigned: an empty calendar", un["events"], [])
    # Re-running replaces the files in place.
    rc, _, err = run("ics", events, attrs, "--as-of", as_of, "--group-by", "caseworker",
                     "--output-dir", outdir, "--quiet")
    check("--group-by again", (rc, sorted(os.listdir(outdir))), (0, names))


def test_progress_quiet(folder, events):
    """On a terminal, --quiet prints nothing on stderr; a short run prints
    its summary but no progress line (progress waits half a second)."""
    import pty
    for quiet in (True, False):
        master, slave = pty.openpty()
        args = [TOOL, "ics", events, "--as-of", "2025-05-01", "--output",
                os.path.join(folder, "tty.ics")] + (["--quiet"] if quiet else [])
        p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        err = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        os.close(master)
        if quiet:
            check("tty --quiet: nothing on stderr", (p.returncode, err), (0, b""))
        else:
            check("tty: summary, no progress for a short run",
                  (p.returncode, b"tty.ics:" in err, b"writing deadlines:" in err), (0, True, False))


def main():
    if subprocess.run([SYSTEM_PYTHON, "-c", "import icalendar"], capture_output=True).returncode:
        print("python3-icalendar is missing: apt-get install python3-icalendar", file=sys.stderr)
        sys.exit(1)
    with tempfile.TemporaryDirectory() as folder:
        events, attrs = write_inputs(folder)
        test_roundtrip(folder, events, attrs)
        test_within_and_case(folder, events, attrs)
        test_group_by(folder, events, attrs)
        test_progress_quiet(folder, events)
    print(f"ics: {checks} checks, {failures} failed")
    sys.exit(1 if failures else 0)


main()
