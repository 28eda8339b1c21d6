#!/usr/bin/env python3
"""End-to-end tests of the `ehcp` tool: exact output, exit status and error
messages for the calendar commands. Run by meson (suite `cli`) with the
tool's path in EHCP_TOOL and test data in EHCP_TEST_DATA."""
import json
import os
import subprocess
import sys
import tempfile

TOOL = os.environ["EHCP_TOOL"]
DATA = os.environ["EHCP_TEST_DATA"]
checks = failures = 0


def run(*args):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def check(what, got, want):
    global checks, failures
    checks += 1
    if got != want:
        failures += 1
        print(f"FAIL {what}:\n  got  {got!r}\n  want {want!r}", file=sys.stderr)


def test_holidays_json():
    rc, out, err = run("holidays", "--region", "england-and-wales", "--from", "2025-01-01",
                       "--to", "2025-12-31", "--format", "json")
    check("holidays json exit", (rc, err), (0, ""))
    check("holidays json", json.loads(out), {
        "region": "england-and-wales",
        "holidays": [
            {"date": "2025-01-01", "name": "New Year’s Day"},
            {"date": "2025-04-18", "name": "Good Friday"},
            {"date": "2025-04-21", "name": "Easter Monday"},
            {"date": "2025-05-05", "name": "Early May bank holiday"},
            {"date": "2025-05-26", "name": "Spring bank holiday"},
            {"date": "2025-08-25", "name": "Summer bank holiday"},
            {"date": "2025-12-25", "name": "Christmas Day"},
            {"date": "2025-12-26", "name": "Boxing Day"},
        ]})


def test_holidays_csv_and_scotland():
    rc, out, _ = run("holidays", "--region", "scotland", "--from", "01/01/2027",
                     "--to", "2027-Jan-31", "--format", "csv")
    check("scotland csv", (rc, out),
          (0, "date,name\n2027-01-01,New Year’s Day\n"
              "2027-01-04,2nd January (substitute day)\n"))
    rc, out, _ = run("holidays", "--region", "scotland", "--from", "2026-06-01",
                     "--to", "2026-06-30", "--format", "json")
    check("scotland 2026-06-15", [h["date"] for h in json.loads(out)["holidays"]], ["2026-06-15"])


def test_holidays_closed_ranges_skip_weekends():
    rc, out, _ = run("holidays", "--from", "2025-12-20", "--to", "2026-01-05",
                     "--closed", "2025-12-24..2026-01-01", "--format", "csv")
    check("office closure", (rc, out), (0, "\n".join([
        "date,name",
        "2025-12-24,Closure (--closed)",
        "2025-12-25,Christmas Day",
        "2025-12-26,Boxing Day",
        "2025-12-29,Closure (--closed)",
        "2025-12-30,Closure (--closed)",
        "2025-12-31,Closure (--closed)",
        "2026-01-01,New Year’s Day",
        ""])))


def test_workdays():
    check("count 2025", run("workdays", "--region", "england-and-wales", "2025-01-01", "2026-01-01"),
          (0, "253\n", ""))
    check("count reversed", run("workdays", "2026-01-01", "2025-01-01"), (0, "-253\n", ""))
    check("add over Christmas", run("workdays", "--add", "1", "2025-12-24"), (0, "2025-12-29\n", ""))
    check("add negative", run("workdays", "--add", "-1", "2025-12-29"), (0, "2025-12-24\n", ""))
    check("add with closure", run("workdays", "--closed", "2025-12-24..2026-01-01", "--add", "1",
                                  "2025-12-23"), (0, "2026-01-02\n", ""))
    check("scotland 2 Jan", run("workdays", "--region", "scotland", "2025-01-01", "2025-01-03"),
          (0, "0\n", ""))
    rc, out, _ = run("workdays", "--format", "json", "2025-01-01", "2025-02-01")
    check("count json", (rc, json.loads(out)), (0, {"region": "england-and-wales", "from": "2025-01-01",
                                                   "to": "2025-02-01", "working_days": 22}))
    rc, out, _ = run("workdays", "--format", "json", "--add", "5", "2025-04-16")
    check("add json", (rc, json.loads(out)), (0, {"region": "england-and-wales", "from": "2025-04-16",
                                                 "add": 5, "date": "2025-04-25"}))


def test_ics():
    ics = os.path.join(DATA, "ics", "school-term.ics")
    # October half-term 2025 (27-31 Oct) is closed: 23 weekdays in October less 5.
    check("ics count", run("workdays", "--region", "none", "--ics", ics, "2025-10-01", "2025-11-01"),
          (0, "18\n", ""))


def test_errors():
    check("bad date", run("workdays", "2025-02-30", "2025-03-01"),
          (2, "", "ehcp: FROM: '2025-02-30' is not a date (no such day in that month)\n"))
    check("us date", run("workdays", "2025-01-01", "12/31/2025"),
          (2, "", "ehcp: TO: '12/31/2025' is not a date (month out of range)\n"))
    rc, out, err = run("workdays", "--region", "wales", "2025-01-01", "2025-02-01")
    check("unknown region", (rc, err.splitlines()[0]),
          (2, "ehcp: --region: unknown region 'wales' (use england-and-wales, scotland, "
              "northern-ireland or none)"))
    rc, out, err = run("workdays", "2025-01-01")
    check("missing TO", (rc, err.splitlines()[0]), (2, "ehcp: workdays: expected FROM TO"))
    rc, out, err = run("workdays", "--add", "x", "2025-01-01")
    check("bad N", (rc, err), (2, "ehcp: --add: 'x' is not a whole number\n"))
    rc, out, err = run("workdays", "1975-01-01", "1976-01-01")
    check("out of range", (rc, err),
          (2, "ehcp: workdays: 1975-01-01..1976-01-01 is outside the calendar's range\n"))
    rc, out, err = run("holidays", "--from", "2025-01-01")
    check("holidays missing --to", (rc, err.splitlines()[0]),
          (2, "ehcp: holidays: --from and --to are required"))
    rc, out, err = run("holidays", "--from", "2025-01-01", "--to", "2025-02-01", "--format", "xml")
    check("bad format", (rc, err), (2, "ehcp: --format: unknown format 'xml' (use table, csv or json)\n"))
    rc, out, err = run("frobnicate")
    check("unknown command", (rc, err.splitlines()[0]), (2, "ehcp: unknown command 'frobnicate'"))
    rc, out, err = run("workdays", "--ics", "/nonexistent.ics", "2025-01-01", "2025-02-01")
    check("missing ics", (rc, err),
          (2, "ehcp: /nonexistent.ics: cannot open: No such file or directory\n"))
    with tempfile.NamedTemporaryFile("w", suffix=".ics", delete=False) as f:
        f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\n"
                "DTSTART;VALUE=DATE:20240230\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    rc, out, err = run("workdays", "--ics", f.name, "2025-01-01", "2025-02-01")
    os.unlink(f.name)
    check("impossible ics date exit", rc, 2)
    check("impossible ics date names file and line", err.startswith(f"ehcp: {f.name}:3: "), True)


def test_help():
    for cmd in ("holidays", "workdays"):
        rc, out, err = run(cmd, "--help")
        check(f"{cmd} --help", (rc, out.startswith(f"usage: ehcp {cmd}"), err), (0, True, ""))
    rc, out, _ = run("--help")
    check("--help lists commands", (rc, "holidays" in out and "workdays" in out), (0, True))
    check("--version", run("--version")[:2], (0, "ehcp 0.1.0\n"))


for name, fn in list(globals().items()):
    if name.startswith("test_") and callable(fn):
        fn()
print(f"cli: {checks} checks, {failures} failed")
sys.exit(1 if failures else 0)
