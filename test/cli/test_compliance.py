#!/usr/bin/env python3
"""End-to-end tests of `ehcp compliance`: exact JSON (data-formats.md
section 6) and CSV on a small fixture whose every figure is worked out
below, Excel safety, invalid UTF-8 in group values, the filters, and the
errors with their exact messages and exit status. Run by meson (suite
`cli`) with the tool's path in EHCP_TOOL and test data in EHCP_TEST_DATA."""
import json
import os
import subprocess
import sys

TOOL = os.environ["EHCP_TOOL"]
DATA = os.environ["EHCP_TEST_DATA"]
CASES = os.path.join(DATA, "measures", "cases.csv")
LATIN1 = os.path.join(DATA, "measures", "latin1.csv")
checks = failures = 0

# The fixture, as of 2025-09-30 (A1 due t0 + 42, A5 due t0 + 140):
#   case  received    decision         A1      final       A5 (days)   exception  team
#   K01   2025-01-15  yes 2025-02-20   met     2025-06-04  met (140)   -          North
#   K02   2025-01-15  yes 2025-02-27   missed  2025-06-05  missed(141) -          North
#   K03   2025-02-03  yes 2025-03-10   met     2025-06-20  met (137)   1          South
#   K04   2025-02-10  yes 2025-03-20   met     2025-07-31  missed(171) -          =1+2
#   K05   2025-03-03  no  2025-04-01   met     -           n/a         -          South
#   K06   2025-03-10  yes 2025-04-25   missed  2025-07-25  met (137)   -          South
#   K07   2024-12-02  yes 2025-01-06   met     2025-04-21  met (140)   -          North
#   K08   2025-03-31  yes 2025-05-01   met     -           overdue (183 days old)  North


def run(*args):
    p = subprocess.run([TOOL, *args], capture_output=True)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")


def check(what, got, want):
    global checks, failures
    checks += 1
    if got != want:
        failures += 1
        print(f"FAIL {what}:\n  got  {got!r}\n  want {want!r}", file=sys.stderr)


def row(measure, period, group, num, den, pct):
    return {"measure": measure, "period": period, "group": group, "numerator": num,
            "denominator": den, "percent": pct}


def summary(group, plans, w20, w52, o52, mean, median, p90, longest, open_, open_mean,
            open_max, reviews=0, transfers=0):
    return {"group": group, "plans": plans, "within_20w": w20, "within_52w": w52,
            "over_52w": o52, "mean_weeks": mean, "median_weeks": median, "p90_weeks": p90,
            "longest_weeks": longest, "open_past_20w": open_, "open_past_20w_mean_weeks":
            open_mean, "open_past_20w_max_weeks": open_max, "overdue_reviews": reviews,
            "phase_transfers_due": transfers}


def test_json_all_measures():
    rc, out, err = run("compliance", CASES, "--as-of", "2025-09-30", "--format", "json")
    check("json exit", rc, 0)
    check("json accounting", err, f"{CASES}: cases_csv, 8 rows read, 8 accepted, 0 rejected\n")
    check("json document", json.loads(out), {
        "measures": [
            row("decision_6w", "2025-01", None, 1, 1, 100.0),
            row("decision_6w", "2025-02", None, 1, 2, 50.0),
            row("decision_6w", "2025-03", None, 2, 2, 100.0),
            row("decision_6w", "2025-04", None, 1, 2, 50.0),
            row("decision_6w", "2025-05", None, 1, 1, 100.0),
            row("final_20w", "2025-04", None, 1, 1, 100.0),
            row("final_20w", "2025-06", None, 2, 3, 66.7),
            row("final_20w", "2025-07", None, 1, 2, 50.0),
            # K03's exception takes it out of both counts of the headline.
            row("final_20w_ex", "2025-04", None, 1, 1, 100.0),
            row("final_20w_ex", "2025-06", None, 1, 2, 50.0),
            row("final_20w_ex", "2025-07", None, 1, 2, 50.0),
        ],
        # Days to plan 137 137 140 140 141 171: mean 144.33 days = 20.6 weeks,
        # median 140 = 20.0, p90 (rank 6 of 6) = longest = 171 = 24.4; K08
        # open past 20 weeks, 183 days = 26.1 weeks.
        "summary": [summary(None, 6, 4, 2, 0, 20.6, 20.0, 24.4, 24.4, 1, 26.1, 26.1)]})
    # One decimal as published, not 66.700000000000003; keys in contract order.
    check("percent printed with one decimal", '"percent": 66.7' in out, True)
    check("field order", out.index('"measure"') < out.index('"period"') < out.index('"group"')
          < out.index('"numerator"') < out.index('"denominator"') < out.index('"percent"'), True)


def test_measure_filter_and_periods():
    rc, out, _ = run("compliance", CASES, "--as-of", "2025-09-30", "--format", "json",
                     "--quiet", "--measure", "final_20w_ex", "--by", "quarter")
    check("measure filter", (rc, json.loads(out)["measures"]), (0, [
        row("final_20w_ex", "2025-Q2", None, 2, 3, 66.7),
        row("final_20w_ex", "2025-Q3", None, 1, 2, 50.0)]))
    rc, out, _ = run("compliance", CASES, "--as-of", "2025-09-30", "--format", "json",
                     "--quiet", "--measure", "decision_6w,final_20w", "--measure", "final_20w_ex",
                     "--by", "fy")
    check("several measures, financial years", (rc, json.loads(out)["measures"]), (0, [
        row("decision_6w", "FY2024-25", None, 4, 5, 80.0),
        row("decision_6w", "FY2025-26", None, 2, 3, 66.7),
        row("final_20w", "FY2025-26", None, 4, 6, 66.7),
        row("final_20w_ex", "FY2025-26", None, 3, 5, 60.0)]))


def test_from_to():
    rc, out, _ = run("compliance", CASES, "--as-of", "2025-09-30", "--format", "json", "--quiet",
                     "--measure", "decision_6w", "--by", "all", "--from", "2025-02-01",
                     "--to", "30/06/2025")
    doc = json.loads(out)
    # Decisions from 1 Feb to 30 Jun (both included): K01-K06 and K08, K02 and K06 late.
    check("from/to rows", (rc, doc["measures"]), (0, [row("decision_6w", "all", None, 5, 7, 71.4)]))
    # Plans issued in the range: K07 (21 Apr), K01, K02, K03 (June); 140 140 141 137 days.
    s = doc["summary"][0]
    check("from/to summary", (s["plans"], s["within_20w"], s["within_52w"], s["median_weeks"]),
          (4, 3, 1, 20.0))
    rc, out, _ = run("compliance", CASES, "--as-of", "2025-09-30", "--format", "json", "--quiet",
                     "--measure", "final_20w", "--by", "all", "--from", "2025-06-05")
    check("from only", json.loads(out)["measures"], [row("final_20w", "all", None, 2, 4, 50.0)])


def test_group_by_json():
    rc, out, _ = run("compliance", CASES, "--as-of", "2025-09-30", "--format", "json", "--quiet",
                     "--measure", "final_20w", "--by", "year", "--group-by", "team")
    doc = json.loads(out)
    check("group-by rows", (rc, doc["measures"]), (0, [
        row("final_20w", "2025", "=1+2", 0, 1, 0.0),
        row("final_20w", "2025", "North", 2, 3, 66.7),
        row("final_20w", "2025", "South", 2, 2, 100.0)]))
    check("group-by summaries", [(s["group"], s["plans"], s["open_past_20w"]) for s in doc["summary"]],
          [("=1+2", 1, 0), ("North", 3, 1), ("South", 2, 0)])
    rc, out, _ = run("compliance", CASES, "--as-of", "2025-09-30", "--format", "json", "--quiet",
                     "--measure", "decision_6w", "--by", "all", "--group-by", "team,exception")
    check("two attributes (exception is a column of the case, not an attribute: '')",
          [(r["group"], r["numerator"], r["denominator"]) for r in json.loads(out)["measures"]],
          [("=1+2|", 1, 1), ("North|", 3, 4), ("South|", 2, 3)])


def test_csv_excel_safe():
    rc, out, _ = run("compliance", CASES, "--as-of", "2025-09-30", "--format", "csv", "--quiet",
                     "--measure", "final_20w", "--by", "year", "--group-by", "team")
    check("csv", (rc, out), (0, "measure,period,group,numerator,denominator,percent\n"
                                "final_20w,2025,\"'=1+2\",0,1,0.0\n"
                                "final_20w,2025,North,2,3,66.7\n"
                                "final_20w,2025,South,2,2,100.0\n"))
    rc, out, _ = run("compliance", CASES, "--as-of", "2025-09-30", "--format", "csv", "--quiet",
                     "--measure", "final_20w_ex", "--by", "month")
    check("csv ungrouped", out, "measure,period,group,numerator,denominator,percent\n"
                                "final_20w_ex,2025-04,,1,1,100.0\n"
                                "final_20w_ex,2025-06,,1,2,50.0\n"
                                "final_20w_ex,2025-07,,1,2,50.0\n")


def test_invalid_utf8_group():
    p = subprocess.run([TOOL, "compliance", LATIN1, "--as-of", "2025-09-30", "--format", "json",
                        "--quiet", "--measure", "final_20w", "--by", "year", "--group-by", "team"],
                       capture_output=True)
    check("latin-1 exit", p.returncode, 0)
    try:
        text = p.stdout.decode("utf-8")  # strict: invalid UTF-8 never passes through
        doc = json.loads(text)
    except (UnicodeDecodeError, ValueError) as e:
        check("latin-1 output is valid UTF-8 JSON", str(e), "")
        return
    check("latin-1 groups replaced, valid ones kept", [
        (r["group"], r["numerator"], r["denominator"]) for r in doc["measures"]],
        [("Nord\ufffd", 1, 2), ("S\u00fcd", 0, 1), ("\ufffd\ufffd", 0, 1)])
    check("latin-1 summary groups", [s["group"] for s in doc["summary"]],
          ["Nord\ufffd", "S\u00fcd", "\ufffd\ufffd"])


def test_table():
    rc, out, _ = run("compliance", CASES, "--as-of", "2025-09-30", "--format", "table", "--quiet",
                     "--measure", "final_20w", "--target", "60")
    lines = out.splitlines()
    check("table exit", rc, 0)
    check("table title", lines[0],
          "final_20w: final plans within 20 weeks, including exceptions (A5)")
    check("table header", lines[1].split(), ["period", "in", "time", "of", "%", "vs", "60%", "0%",
                                             "100%"])
    check("table rows", [l.split() for l in lines[2:5]], [
        ["2025-04", "1", "1", "100.0", "+40.0", "####################"],
        ["2025-06", "2", "3", "66.7", "+6.7", "#############......."],
        ["2025-07", "1", "2", "50.0", "-10.0", "##########..|......."]])
    check("table total", lines[5], "all periods: 4 of 6 in time (66.7%)")
    check("summary header", lines[7],
          "Waiting for a new plan: plans issued at any date; open cases as of 2025-09-30")
    check("summary row", lines[9].split(),
          ["(all)", "6", "4", "2", "0", "20.6", "20.0", "24.4", "24.4", "1", "26.1", "26.1", "0", "0"])


def cohort(month, requests, yes, no, within, after, open_assessment=0, past=0):
    return {"month": month, "requests": requests, "assess_yes": yes, "assess_no": no,
            "withdrawn": 0, "issued_within_20w": within, "issued_after_20w": after,
            "not_issued": 0, "open": {"request": 0, "assessment": open_assessment, "draft": 0},
            "open_past_20w": past}


def test_cohorts_in_one_pass():
    # --cohorts: the cohort table of `ehcp cohorts` from the same evaluation.
    # By the month received (table above): 2024-12 K07 met; 2025-01 K01 met,
    # K02 missed; 2025-02 K03 met (the exception does not change the status),
    # K04 missed; 2025-03 K05 "no", K06 met, K08 assessing and past 20 weeks.
    rc, out, err = run("compliance", CASES, "--as-of", "2025-09-30", "--format", "json",
                       "--quiet", "--measure", "final_20w_ex", "--cohorts")
    check("--cohorts exit", (rc, err), (0, ""))
    doc = json.loads(out) if rc == 0 else {}
    check("--cohorts keys", list(doc), ["measures", "summary", "cohorts"])
    check("--cohorts measures", doc.get("measures"), [
        row("final_20w_ex", "2025-04", None, 1, 1, 100.0),
        row("final_20w_ex", "2025-06", None, 1, 2, 50.0),
        row("final_20w_ex", "2025-07", None, 1, 2, 50.0)])
    counts = [{k: v for k, v in c.items() if k not in ("share_within_20w", "time_to_plan")}
              for c in doc.get("cohorts", [])]
    check("--cohorts counts", counts, [
        cohort("2024-12", 1, 1, 0, 1, 0), cohort("2025-01", 2, 2, 0, 1, 1),
        cohort("2025-02", 2, 2, 0, 1, 1), cohort("2025-03", 3, 2, 1, 1, 0, 1, 1)])
    rc, out, _ = run("cohorts", CASES, "--as-of", "2025-09-30", "--format", "json", "--quiet")
    check("--cohorts equals ehcp cohorts", doc.get("cohorts"),
          json.loads(out)["cohorts"] if rc == 0 else None)
    rc, out, err = run("compliance", CASES, "--cohorts", "--format", "csv")
    check("--cohorts with csv", (rc, out, err), (
        2, "", "ehcp: compliance: --cohorts needs --format table or json (a CSV holds one table)\n"))
    rc, out, _ = run("compliance", CASES, "--as-of", "2025-09-30", "--format", "table", "--quiet",
                     "--measure", "final_20w_ex", "--cohorts")
    lines = out.splitlines()
    at = lines.index("Cohorts (requests by the month received), as of 2025-09-30:") if \
        "Cohorts (requests by the month received), as of 2025-09-30:" in lines else -1
    check("--cohorts table title", at > 0, True)
    check("--cohorts table total", lines[-1].split()[:12] if at > 0 else None,
          ["total", "8", "7", "1", "0", "4", "2", "0", "0", "1", "0", "1"])


def test_errors():
    rc, out, err = run("compliance", CASES, "--measure", "final_20")
    check("unknown measure", (rc, out, err), (2, "", "ehcp: compliance: unknown measure 'final_20'\n"))
    rc, out, err = run("compliance", CASES, "--by", "weekly")
    check("bad --by", (rc, out, err),
          (2, "", "ehcp: --by: unknown period 'weekly' (use month, quarter, year, fy, ay or all)\n"))
    rc, out, err = run("compliance", CASES, "--target", "120")
    check("bad --target", (rc, err), (2, "ehcp: --target: '120' is not a percentage from 0 to 100\n"))
    rc, out, err = run("compliance", CASES, "--group-by", "team,")
    check("empty group-by name", (rc, err), (2, "ehcp: --group-by: empty name in 'team,'\n"))
    rc, out, err = run("compliance", CASES, "--from", "2025-07-01", "--to", "2025-06-30")
    check("from after to", (rc, err), (2, "ehcp: compliance: --from is after --to\n"))
    rc, out, err = run("compliance", CASES, "--from", "2025-02-30")
    check("bad date", (rc, err),
          (2, "ehcp: --from: '2025-02-30' is not a date (no such day in that month)\n"))
    rc, out, err = run("compliance")
    check("no files", (rc, err.splitlines()[0]), (2, "ehcp: compliance: no input files"))
    rc, out, err = run("compliance", CASES, "--frobnicate")
    check("unknown option", (rc, err),
          (2, "ehcp: compliance: unknown option or missing value '--frobnicate'\n"))
    rc, out, err = run("compliance", "/nonexistent.csv")
    check("missing file", (rc, err.splitlines()[0] if err else ""),
          (2, "ehcp: /nonexistent.csv: cannot open: No such file or directory"))
    rc, out, err = run("compliance", "--help")
    check("--help", (rc, out.startswith("usage: ehcp compliance FILE..."), err), (0, True, ""))


for name, fn in list(globals().items()):
    if name.startswith("test_") and callable(fn):
        fn()
print(f"compliance: {checks} checks, {failures} failed")
sys.exit(1 if failures else 0)
