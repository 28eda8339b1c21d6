"""Deadlines, compliance measures, waiting times and cohorts on the bundled
sample: the same figures as the `ehcp` tool, as DataFrames with the
documented columns and dtypes, or lists of dicts."""
import csv
import io
import math
import subprocess

import pytest

import ehcp
from conftest import SAMPLE, SAMPLE_AS_OF, D

FILES = [str(SAMPLE / "events.csv"), str(SAMPLE / "attributes.csv")]


def run_csv(tool, *args):
    out = subprocess.run([tool, *args, *FILES, "--as-of", "2025-12-31", "--format", "csv", "--quiet"],
                         capture_output=True, text=True, check=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def cell(v):
    return "" if v is None else v.isoformat() if hasattr(v, "isoformat") else str(v)


def test_deadlines_match_the_tool(sample, tool):
    want = run_csv(tool, "deadlines")
    got = ehcp.deadlines(sample, SAMPLE_AS_OF)
    assert len(got) == len(want) > 1000
    for g, w in zip(got, want):
        assert (g.case_id, g.stage, g.milestone, g.name, cell(g.start), cell(g.due), cell(g.done), g.status,
                cell(g.days_late), cell(g.days_left), cell(g.working_days_left), str(g.exception).lower()) == (
            w["case_id"], w["stage"], w["id"], w["name"], w["start"], w["due"], w["done"], w["status"],
            w["days_late"], w["days_left"], w["working_days_left"], w["exception"])
    # --due-within 14 keeps what is overdue or due within 14 days.
    near = run_csv(tool, "deadlines", "--due-within", "14")
    got = ehcp.deadlines(sample, SAMPLE_AS_OF, due_within=14)
    assert [(g.case_id, g.milestone, cell(g.due), g.status) for g in got] == [
        (w["case_id"], w["id"], w["due"], w["status"]) for w in near]


def test_deadlines_from_paths_and_threads(sample):
    one = ehcp.deadlines(FILES, SAMPLE_AS_OF, threads=1)
    assert one == ehcp.deadlines(sample, SAMPLE_AS_OF, threads=2)
    assert ehcp.evaluate(FILES, "X999000000001/1", SAMPLE_AS_OF).stage == "plan"
    open_only = ehcp.deadlines(sample, SAMPLE_AS_OF, open_only=True, statutory_only=True)
    assert open_only and all(r.status in ("due", "overdue") and r.statutory for r in open_only)


def test_deadlines_frame(sample):
    pd = pytest.importorskip("pandas")
    df = ehcp.deadlines(sample, SAMPLE_AS_OF, as_frame=True)
    assert list(df.columns) == ["case_id", "milestone", "name", "statutory", "start", "due", "done", "status",
                                "days_late", "days_left", "working_days_left", "exception", "exception_kind",
                                "ref", "stage", "uid"]
    dtypes = {c: str(t) for c, t in df.dtypes.items()}
    assert dtypes == {"case_id": "object", "milestone": "object", "name": "object", "statutory": "bool",
                      "start": "datetime64[ns]", "due": "datetime64[ns]", "done": "datetime64[ns]",
                      "status": "category", "days_late": "Int32", "days_left": "Int32",
                      "working_days_left": "Int32", "exception": "bool", "exception_kind": "object",
                      "ref": "object", "stage": "object", "uid": "object"}
    assert list(df["status"].cat.categories) == list(ehcp.STATUSES)
    rows = ehcp.deadlines(sample, SAMPLE_AS_OF)
    assert len(df) == len(rows)
    r0 = rows[0]
    assert df["start"][0] == pd.Timestamp(r0.start) and df["days_late"].isna()[0] == (r0.days_late is None)
    overdue = df[df["status"] == "overdue"]
    assert (overdue["days_late"] > 0).all() and overdue["done"].isna().all()


def test_compliance_matches_the_tool(sample, tool):
    for args, kw in [((), {}), (("--by", "year"), {"by": "year"}),
                     (("--by", "quarter", "--group-by", "team,setting_type"),
                      {"by": "quarter", "group_by": ["team", "setting_type"]}),
                     (("--by", "fy", "--measure", "final_20w_ex", "--from", "2024-04-01", "--to", "2025-03-31"),
                      {"by": "fy", "measures": ["final_20w_ex"], "start": D("2024-04-01"), "end": D("2025-03-31")})]:
        want = run_csv(tool, "compliance", *args)
        got = ehcp.compliance(sample, as_of=SAMPLE_AS_OF, as_frame=False, **kw)
        assert len(got) == len(want) > 0, args
        for g, w in zip(got, want):
            pct = "" if math.isnan(g["percent"]) else f"{g['percent']:.1f}"
            assert (g["measure"], g["period"], g["group"] or "", str(g["numerator"]), str(g["denominator"]), pct) == (
                w["measure"], w["period"], w["group"], w["numerator"], w["denominator"], w["percent"]), args


def test_compliance_frame(sample):
    pd = pytest.importorskip("pandas")
    df = ehcp.compliance(sample, by="month", group_by=["team"], measures=["final_20w_ex", "final_20w"],
                         as_of=SAMPLE_AS_OF)
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["measure", "period", "group", "team", "numerator", "denominator", "percent"]
    assert {c: str(t) for c, t in df.dtypes.items()} == {
        "measure": "object", "period": "object", "group": "object", "team": "object",
        "numerator": "int64", "denominator": "int64", "percent": "float64"}
    assert set(df["measure"]) == {"final_20w", "final_20w_ex"}
    assert (df["team"] == df["group"]).all()
    assert set(df["team"]) == {"East", "North", "South", "West"}
    assert (df["numerator"] <= df["denominator"]).all()
    # Yearly totals add up to the monthly rows.
    year = ehcp.compliance(sample, by="year", group_by="team", measures="final_20w_ex", as_of=SAMPLE_AS_OF)
    monthly = df[df["measure"] == "final_20w_ex"].assign(year=lambda d: d["period"].str[:4])
    sums = monthly.groupby(["year", "team"])[["numerator", "denominator"]].sum()
    for _, r in year.iterrows():
        assert tuple(sums.loc[(r["period"], r["team"])]) == (r["numerator"], r["denominator"])
        assert r["percent"] == ehcp.percent(r["numerator"], r["denominator"])


def test_compliance_errors(sample):
    with pytest.raises(ehcp.InvalidArgument, match="^unknown period 'week'"):
        ehcp.compliance(sample, by="week", as_of=SAMPLE_AS_OF)
    with pytest.raises(ehcp.InvalidArgument) as e:
        ehcp.compliance(sample, measures=["final_21w"], as_of=SAMPLE_AS_OF)
    assert "final_21w" in str(e.value)


def test_percent_rounding():
    assert ehcp.percent(23, 80) == 28.7  # not 28.8: divide first, as the DfE does
    assert ehcp.percent(1, 8) == 12.5
    assert math.isnan(ehcp.percent(0, 0))


def test_waiting_times(sample):
    rows = ehcp.waiting_times(sample, SAMPLE_AS_OF, as_frame=False)
    assert len(rows) == 1 and rows[0]["group"] is None
    w = rows[0]
    assert w["plans"] == w["within_20w"] + w["within_52w"] + w["over_52w"] > 0
    assert w["median_weeks"] <= w["p90_weeks"] <= w["longest_weeks"]
    pytest.importorskip("pandas")
    df = ehcp.waiting_times(sample, SAMPLE_AS_OF, group_by=["team"])
    assert list(df.columns) == ["group", *ehcp.SUMMARY_FIELDS]
    assert df["plans"].sum() == w["plans"]
    assert str(df["mean_weeks"].dtype) == "float64" and str(df["plans"].dtype) == "int64"


def test_cohorts_match_the_tool(sample, tool):
    want = run_csv(tool, "cohorts")
    got = ehcp.cohorts(sample, SAMPLE_AS_OF, as_frame=False)
    assert len(got) == len(want) == 36
    for g, w in zip(got, want):
        for k in ehcp.COHORT_COUNTS:
            assert str(g[k]) == w[k], (g["month"], k)
        assert g["month"] == w["month"]
        for week in (6, 16, 20, 26, 52):
            share = g[f"plan_by_week_{week}"]
            assert ("" if math.isnan(share) else f"{share:.3f}") == w[f"plan_by_week_{week}"]
            assert str(g[f"at_risk_week_{week}"]) == w[f"at_risk_week_{week}"]


def test_cohorts_frame(sample):
    pd = pytest.importorskip("pandas")
    df = ehcp.cohorts(sample, SAMPLE_AS_OF)
    assert list(df.columns[:12]) == ["month", *ehcp.COHORT_COUNTS]
    assert df["month"].tolist()[:2] == ["2023-01", "2023-02"]
    assert str(df["requests"].dtype) == "int64" and str(df["plan_by_week_20"].dtype) == "float64"
    closed = df[["assess_no", "withdrawn", "not_issued", "issued_within_20w", "issued_after_20w",
                 "open_request", "open_assessment", "open_draft"]].sum(axis=1)
    assert (closed == df["requests"]).all()  # cohort.h's identity
    hist = ehcp.cohorts(sample, SAMPLE_AS_OF, history=True)
    assert list(hist.columns[:3]) == ["month", "at", "requests"]
    assert str(hist["at"].dtype) == "datetime64[ns]"
    last = hist.groupby("month").tail(1).set_index("month")
    assert (last["requests"] == df.set_index("month")["requests"]).all()
    assert hist["at"].max() == pd.Timestamp("2025-12-31")


def test_settings_and_evaluator_reuse(sample):
    with ehcp.RuleSet() as rules, ehcp.Calendar("england-and-wales") as cal, \
            ehcp.Evaluator(rules, cal, settings={"URN999001": SAMPLE / "school-term.ics"}) as ev:
        a = ehcp.compliance(sample, by="year", as_of=SAMPLE_AS_OF, evaluator=ev, as_frame=False)
        b = ehcp.compliance(sample, by="year", as_of=SAMPLE_AS_OF, rules=rules, calendar=cal,
                            settings={"URN999001": str(SAMPLE / "school-term.ics")}, as_frame=False)
        assert a == b
        with pytest.raises(ehcp.InvalidArgument):
            ehcp.compliance(sample, evaluator=ev, rules=rules)
