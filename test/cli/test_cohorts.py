#!/usr/bin/env python3
"""End-to-end tests of `ehcp cohorts`: exact JSON, table and CSV on the
fixture test/data/cohorts/events.csv, the month-on-month history, and
errors. Run by meson (suite `cli`) with the tool's path in EHCP_TOOL and
test data in EHCP_TEST_DATA.

The fixture, as of Tue 15 Jul 2025 (A5 due = t0 + 140 days):
  2024-12: D1 (t0 12-20, yes 01-31, draft 04-01, final 05-09 = due: within),
           D2 (t0 12-31, due 05-20, nothing more: open request, past 20w).
  2025-01: J1-J11, worked case by case in test/unit/test_cohort.c: J1, J11
           within; J2, J10 after; J3 not assessed; J4 not issued; J5, J6
           withdrawn; J7 open request, J8 open assessment, J9 open draft,
           all three past 20 weeks.
  2025-07: S1, S2 open requests; S4 assessment no then withdrawn (counts
           as not assessed: the first closing decision).
  Not counted: S3 (request after the as-of date), N1 (no request).
"""
import json
import os
import subprocess
import sys

TOOL = os.environ["EHCP_TOOL"]
DATA = os.environ["EHCP_TEST_DATA"]
EVENTS = os.path.join(DATA, "cohorts", "events.csv")
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


KEYS = ["requests", "assess_yes", "assess_no", "withdrawn", "issued_within_20w",
        "issued_after_20w", "not_issued", "open_request", "open_assessment", "open_draft",
        "open_past_20w"]


def counts(row, share):
    """A counts object from a row in KEYS order."""
    d = dict(zip(KEYS, row))
    return {"requests": d["requests"], "assess_yes": d["assess_yes"],
            "assess_no": d["assess_no"], "withdrawn": d["withdrawn"],
            "issued_within_20w": d["issued_within_20w"],
            "issued_after_20w": d["issued_after_20w"], "not_issued": d["not_issued"],
            "open": {"request": d["open_request"], "assessment": d["open_assessment"],
                     "draft": d["open_draft"]},
            "open_past_20w": d["open_past_20w"], "share_within_20w": share}


def km(points):
    return [{"week": w, "share": s, "at_risk": n}
            for w, (s, n) in zip([6, 16, 20, 26, 52], points)]


# As of 2025-07-15. Kaplan-Meier of 2025-01 (days from t0; c censored):
# J5 13c J3 35c J4 102c J6 133c J1 134 J11 140 J2 159 J9 165c J8 169c J7 174c
# J10 189: S(140) = 6/7 * 5/6 = 5/7 -> 0.286; S(182) = 4/7 -> 0.429; the last
# case at risk gets its plan on day 189, so S = 0 by week 52.
# 2024-12: D1 plan on day 140, D2 censored on day 196: 0.5 by week 20 and
# 26, no estimate at week 52 (nobody followed that far, S > 0).
# 2025-07: censored on days 0-14: no estimate at any week.
DEC = [2, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]
JAN = [11, 8, 1, 2, 2, 2, 1, 1, 1, 1, 3]
JUL = [3, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0]
EXPECTED = {"as_of": "2025-07-15", "cohorts": [
    {"month": "2024-12", **counts(DEC, 100.0),
     "time_to_plan": km([(0.0, 2), (0.0, 2), (0.5, 2), (0.5, 1), (None, 0)])},
    {"month": "2025-01", **counts(JAN, 50.0),
     "time_to_plan": km([(0.0, 9), (0.0, 8), (0.286, 6), (0.429, 1), (1.0, 0)])},
    {"month": "2025-07", **counts(JUL, None),
     "time_to_plan": km([(None, 0)] * 5)},
]}

# Month ends of 2025-01 (the per-case lines are in test_cohort.c).
JAN_HISTORY = [
    ("2025-01-31", [11, 0, 0, 1, 0, 0, 0, 10, 0, 0, 0], None),
    ("2025-02-28", [11, 5, 1, 1, 0, 0, 0, 4, 5, 0, 0], None),
    ("2025-03-31", [11, 8, 1, 1, 0, 0, 0, 1, 7, 1, 0], None),
    ("2025-04-30", [11, 8, 1, 1, 0, 0, 1, 1, 4, 3, 0], None),
    ("2025-05-31", [11, 8, 1, 1, 2, 0, 1, 1, 3, 2, 2], 100.0),
    ("2025-06-30", [11, 8, 1, 2, 2, 1, 1, 1, 1, 2, 4], 66.7),
    ("2025-07-15", JAN, 50.0),
]
DEC_HISTORY = [
    ("2024-12-31", [2, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0], None),
    ("2025-01-31", [2, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0], None),
    ("2025-02-28", [2, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0], None),
    ("2025-03-31", [2, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0], None),
    ("2025-04-30", [2, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0], None),
    ("2025-05-31", DEC, 100.0),
    ("2025-06-30", DEC, 100.0),
    ("2025-07-15", DEC, 100.0),
]


def history(rows):
    return [{"at": at, **counts(row, share)} for at, row, share in rows]


def test_json():
    rc, out, err = run("cohorts", EVENTS, "--as-of", "2025-07-15", "--format", "json")
    check("json exit and accounting",
          (rc, err), (0, f"{EVENTS}: events_csv, 45 rows read, 45 accepted, 0 rejected\n"))
    check("json", json.loads(out), EXPECTED)
    # Shares are printed as rounded, not as the nearest binary double.
    check("json 3-decimal shares", ('"share":0.286' in out, '"share":0.429' in out), (True, True))
    # Any date form the library parses; the JSON says it back in ISO.
    rc, out, _ = run("cohorts", EVENTS, "--as-of", "15/07/2025", "--format", "json", "--quiet")
    check("json uk date", (rc, json.loads(out)), (0, EXPECTED))


def test_json_history():
    rc, out, err = run("cohorts", EVENTS, "--as-of", "2025-07-15", "--format", "json",
                       "--history", "--quiet")
    check("history exit", (rc, err), (0, ""))
    doc = json.loads(out)
    want = json.loads(json.dumps(EXPECTED))
    want["cohorts"][0]["history"] = history(DEC_HISTORY)
    want["cohorts"][1]["history"] = history(JAN_HISTORY)
    want["cohorts"][2]["history"] = history([("2025-07-15", JUL, None)])
    check("history json", doc, want)


def test_history_matches_reevaluation():
    """The counts at each month end equal a fresh evaluation as of that day:
    plans, decisions and drafts after the month end do not count there."""
    rc, out, _ = run("cohorts", EVENTS, "--as-of", "2025-07-15", "--format", "json",
                     "--history", "--quiet")
    for cohort in json.loads(out)["cohorts"]:
        for entry in cohort["history"]:
            rc, again, _ = run("cohorts", EVENTS, "--as-of", entry["at"], "--format", "json",
                               "--quiet")
            then = {c["month"]: c for c in json.loads(again)["cohorts"]}[cohort["month"]]
            got = {k: v for k, v in entry.items() if k != "at"}
            want = {k: v for k, v in then.items() if k not in ("month", "time_to_plan")}
            check(f"{cohort['month']} at {entry['at']} as re-evaluated", (rc, got), (0, want))


TABLE = """\
month    requests  assess yes  assess no  withdrawn  within 20w  after 20w  not issued  open request  open assessment  open draft  open past 20w  % within 20w  % plan by wk 20 (KM)
2024-12  2         1           0          0          1           0          0           1             0                0           1              100.0         50.0
2025-01  11        8           1          2          2           2          1           1             1                1           3              50.0          28.6
2025-07  3         0           1          0          0           0          0           2             0                0           0              -             -
total    16        9           2          2          3           2          1           4             1                1           4              60.0          -
"""


def test_table():
    rc, out, err = run("cohorts", EVENTS, "--as-of", "2025-07-15", "--format", "table",
                       "--quiet")
    check("table", (rc, out, err), (0, TABLE, ""))


HISTORY_TABLE_JAN = """\
2025-01: 11 requests; plan by week (Kaplan-Meier): 6: 0.0% (9 at risk), 16: 0.0% (8 at risk), 20: 28.6% (6 at risk), 26: 42.9% (1 at risk), 52: 100.0% (0 at risk)
at          assess yes  assess no  withdrawn  within 20w  after 20w  not issued  open request  open assessment  open draft  open past 20w  % within 20w
2025-01-31  0           0          1          0           0          0           10            0                0           0              -
2025-02-28  5           1          1          0           0          0           4             5                0           0              -
2025-03-31  8           1          1          0           0          0           1             7                1           0              -
2025-04-30  8           1          1          0           0          1           1             4                3           0              -
2025-05-31  8           1          1          2           0          1           1             3                2           2              100.0
2025-06-30  8           1          2          2           1          1           1             1                2           4              66.7
2025-07-15  8           1          2          2           2          1           1             1                1           3              50.0
"""


def test_table_history():
    rc, out, err = run("cohorts", EVENTS, "--as-of", "2025-07-15", "--format", "table",
                       "--history", "--quiet")
    blocks = out.split("\n\n")
    check("history table exit", (rc, err, len(blocks)), (0, "", 3))
    check("history table 2025-01", blocks[1] + "\n", HISTORY_TABLE_JAN)
    check("history table 2024-12 head", blocks[0].splitlines()[0],
          "2024-12: 2 requests; plan by week (Kaplan-Meier): 6: 0.0% (2 at risk), "
          "16: 0.0% (2 at risk), 20: 50.0% (2 at risk), 26: 50.0% (1 at risk), 52: - (0 at risk)")
    check("history table 2024-12 rows", len(blocks[0].splitlines()), 2 + len(DEC_HISTORY))
    check("history table 2025-07", blocks[2],
          "2025-07: 3 requests; plan by week (Kaplan-Meier): 6: - (0 at risk), "
          "16: - (0 at risk), 20: - (0 at risk), 26: - (0 at risk), 52: - (0 at risk)\n"
          "at          assess yes  assess no  withdrawn  within 20w  after 20w  not issued  "
          "open request  open assessment  open draft  open past 20w  % within 20w\n"
          "2025-07-15  0           1          0          0           0          0           "
          "2             0                0           0              -\n")


def test_csv():
    rc, out, err = run("cohorts", EVENTS, "--as-of", "2025-07-15", "--format", "csv", "--quiet")
    check("csv", (rc, out.splitlines(), err), (0, [
        "month,requests,assess_yes,assess_no,withdrawn,issued_within_20w,issued_after_20w,"
        "not_issued,open_request,open_assessment,open_draft,open_past_20w,share_within_20w,"
        "plan_by_week_6,at_risk_week_6,plan_by_week_16,at_risk_week_16,plan_by_week_20,"
        "at_risk_week_20,plan_by_week_26,at_risk_week_26,plan_by_week_52,at_risk_week_52",
        "2024-12,2,1,0,0,1,0,0,1,0,0,1,100.0,0.000,2,0.000,2,0.500,2,0.500,1,,0",
        "2025-01,11,8,1,2,2,2,1,1,1,1,3,50.0,0.000,9,0.000,8,0.286,6,0.429,1,1.000,0",
        "2025-07,3,0,1,0,0,0,0,2,0,0,0,,,0,,0,,0,,0,,0"], ""))
    rc, out, _ = run("cohorts", EVENTS, "--as-of", "2025-07-15", "--format", "csv", "--quiet",
                     "--history")
    lines = out.splitlines()
    check("csv history head", (rc, lines[0]), (0,
          "month,at,requests,assess_yes,assess_no,withdrawn,issued_within_20w,"
          "issued_after_20w,not_issued,open_request,open_assessment,open_draft,"
          "open_past_20w,share_within_20w"))
    want = [f"2025-01,{at}," + ",".join(map(str, row)) + "," + ("" if s is None else f"{s:.1f}")
            for at, row, s in JAN_HISTORY]
    check("csv history 2025-01", [l for l in lines if l.startswith("2025-01,")], want)
    check("csv history rows", len(lines), 1 + len(DEC_HISTORY) + len(JAN_HISTORY) + 1)


def test_earlier_as_of():
    # As of 2025-03-31 the July cases do not exist yet, nor has any plan
    # been issued; 2024-12 and 2025-01 are as at that month end above.
    rc, out, _ = run("cohorts", EVENTS, "--as-of", "2025-03-31", "--format", "json", "--quiet")
    doc = json.loads(out)
    check("as of 2025-03-31 months", (rc, [c["month"] for c in doc["cohorts"]]),
          (0, ["2024-12", "2025-01"]))
    check("as of 2025-03-31 2025-01", {k: v for k, v in doc["cohorts"][1].items()
                                      if k not in ("month", "time_to_plan")},
          counts(JAN_HISTORY[2][1], None))


def test_empty():
    empty = os.path.join(DATA, "csv", "events-header-only.csv")
    rc, out, _ = run("cohorts", empty, "--as-of", "2025-07-15", "--format", "json", "--quiet")
    check("empty json", (rc, out), (0, '{"as_of": "2025-07-15", "cohorts": []}\n'))
    rc, out, _ = run("cohorts", empty, "--as-of", "2025-07-15", "--format", "table", "--quiet")
    check("empty table", (rc, out.splitlines()[1:]),
          (0, ["total  0         0           0          0          0           0          "
               "0           0             0                0           0              -      "
               "       -"]))
    rc, out, _ = run("cohorts", empty, "--as-of", "2025-07-15", "--format", "table", "--quiet",
                     "--history")
    check("empty history table", (rc, out), (0, "no requests\n"))


def test_errors():
    rc, out, err = run("cohorts")
    check("no files", (rc, out, err.splitlines()[0]), (2, "", "ehcp: cohorts: no input files"))
    rc, out, err = run("cohorts", EVENTS, "--as-of", "2025-07-32")
    check("bad --as-of", (rc, out, err.splitlines()[-1]),
          (2, "", "ehcp: --as-of: '2025-07-32' is not a date (day out of range)"))
    rc, out, err = run("cohorts", EVENTS, "--by", "month")
    check("unknown option", (rc, out, err),
          (2, "", "ehcp: cohorts: unknown option or missing value '--by'\n"))
    rc, out, err = run("cohorts", EVENTS, "--format", "xml")
    check("bad --format", (rc, out, err.startswith("ehcp: ")), (2, "", True))
    missing = os.path.join(DATA, "cohorts", "no-such-file.csv")
    rc, out, err = run("cohorts", missing, "--quiet")
    check("unreadable file", (rc, out, err),
          (2, "", f"ehcp: {missing}: cannot open: No such file or directory\n"))
    rc, out, err = run("cohorts", "--help")
    check("--help", (rc, out.startswith("usage: ehcp cohorts FILE..."), "--history" in out, err),
          (0, True, True, ""))


for name, fn in list(globals().items()):
    if name.startswith("test_") and callable(fn):
        fn()
print(f"cohorts: {checks} checks, {failures} failed")
sys.exit(1 if failures else 0)
