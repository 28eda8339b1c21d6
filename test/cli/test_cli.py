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


CASES = os.path.join(DATA, "cases", "deadlines.csv")


def test_deadlines_json():
    rc, out, err = run("deadlines", CASES, "--as-of", "2025-04-10", "--format", "json")
    check("deadlines json exit", rc, 0)
    check("deadlines accounting", err,
          f"{CASES}: events_csv, 6 rows read, 6 accepted, 0 rejected\n")
    doc = json.loads(out)
    check("deadlines head", (doc["as_of"], doc["ruleset"], [c["case_id"] for c in doc["cases"]]),
          ("2025-04-10", "england-2014", ["K1", "K2", "K3"]))
    k1 = doc["cases"][0]
    check("K1 stage", k1["stage"], "assessment")
    check("K1 milestones", k1["milestones"], [
        {"id": "A1", "name": "decision_to_assess", "start": "2025-01-15", "due": "2025-02-26",
         "done": "2025-02-20", "status": "met", "days_late": None, "days_left": None,
         "working_days_left": None, "exception": False},
        {"id": "A2", "name": "advice", "start": "2025-02-21", "due": "2025-04-04", "done": None,
         "status": "overdue", "days_late": 6, "days_left": None, "working_days_left": None,
         "exception": False},
        {"id": "A3", "name": "decision_not_to_issue", "start": "2025-01-15", "due": "2025-05-07",
         "done": None, "status": "due", "days_late": None, "days_left": 27,
         "working_days_left": 16, "exception": False},
        {"id": "A5", "name": "final_plan", "start": "2025-01-15", "due": "2025-06-04",
         "done": None, "status": "due", "days_late": None, "days_left": 55,
         "working_days_left": 35, "exception": False},
    ])
    k3 = doc["cases"][2]
    check("K3 (plan of 29 Feb 2024, transfer planned for Sep 2026)",
          [(m["id"], m["due"], m["status"]) for m in k3["milestones"]],
          [("B1", "2025-02-28", "overdue"), ("B9", "2026-02-14", "due")])


def test_deadlines_table_and_filter():
    rc, out, _ = run("deadlines", CASES, "--as-of", "2025-04-10", "--format", "table", "--quiet")
    lines = out.splitlines()
    check("table header", lines[0].split(), ["case", "step", "milestone", "due", "status", "days",
                                              "working", "days", "left", "stage"])
    check("table order: overdue first, then due soonest",
          [(l.split()[0], l.split()[1]) for l in lines[1:-1]],
          [("K3", "B1"), ("K1", "A2"), ("K2", "A1"), ("K1", "A3"), ("K1", "A5"), ("K2", "A3"),
           ("K2", "A5"), ("K3", "B9")])
    check("table total", lines[-1], "8 open deadlines, 2 overdue")
    rc, out, _ = run("deadlines", CASES, "--as-of", "2025-04-10", "--format", "csv",
                     "--due-within", "14", "--quiet")
    check("due within 14 days (csv)", [r.split(",")[:3] + [r.split(",")[7]] for r in out.splitlines()],
          [["case_id", "stage", "id", "status"], ["K1", "assessment", "A2", "overdue"],
           ["K2", "request", "A1", "due"], ["K3", "plan", "B1", "overdue"]])
    rc, out, err = run("deadlines", CASES, "--due-within", "soon")
    check("bad --due-within", (rc, err), (2, "ehcp: --due-within: 'soon' is not a number of days\n"))
    rc, out, err = run("deadlines")
    check("no files", (rc, err.splitlines()[0]), (2, "ehcp: deadlines: no input files"))


def test_validate():
    bad = os.path.join(DATA, "csv", "events-errors.csv")
    rc, out, err = run("validate", bad, "--as-of", "2025-07-01", "--format", "json")
    doc = json.loads(out)
    check("validate exit with errors", rc, 1)
    check("validate counts", (doc["errors"], doc["warnings"], len(doc["diagnostics"])), (19, 0, 19))
    check("validate first", doc["diagnostics"][0], {
        "file": bad, "line": 3, "path": None, "case_id": "E001", "severity": "error",
        "code": "column_count", "message": "row has 7 fields, the header has 6"})
    check("validate accounting", err.splitlines(),
          [f"{bad}: events_csv, 20 rows read, 3 accepted, 17 rejected",
           "3 cases: 19 errors, 0 warnings, 0 notes"])
    rc, out, err = run("validate", CASES, "--as-of", "2025-04-10", "--format", "csv", "--quiet")
    check("validate clean file", (rc, out, err), (0, "file,line,case,severity,code,message\n", ""))
    rc, out, err = run("validate", CASES, "--as-of", "2025-01-20", "--format", "csv", "--quiet")
    check("validate events after as-of (warnings only)", (rc, len(out.splitlines())), (0, 4))


def test_deadlines_mapped_cases_csv():
    mapped = os.path.join(DATA, "csv", "cases-mapped.csv")
    maps = ["case_id=Case ref", "received_date=Date request received",
            "assessment_decision=Decision to assess", "assessment_decision_date=Date of decision",
            "final_issued_date=Final EHCP issued"]
    args = ["deadlines", mapped, "--as-of", "2025-07-01", "--format", "csv"]
    for m in maps:
        args += ["--map", m]
    rc, out, err = run(*args)
    check("mapped read accounting", (rc, err.splitlines()[0]),
          (0, f"{mapped}: cases_csv, 3 rows read, 2 accepted, 1 rejected"))  # M003: 31/02
    rows = [r.split(",") for r in out.splitlines()]
    check("mapped M001 A5", [r[:8] for r in rows if r[0] == "M001" and r[2] == "A5"],
          [["M001", "plan", "A5", "final_plan", "2025-01-15", "2025-06-04", "2025-06-02", "met"]])
    rc, out, err = run("deadlines", mapped, "--map", "nonsense=Case ref")
    check("bad --map field", (rc, err.startswith("ehcp: --map nonsense=Case ref: ")), (2, True))
    rc, out, err = run("deadlines", mapped, "--map", "received_date")
    check("bad --map form", (rc, err), (2, "ehcp: --map: expected FIELD=HEADER, got 'received_date'\n"))


def test_help():
    for cmd in ("holidays", "workdays", "deadlines", "validate"):
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
