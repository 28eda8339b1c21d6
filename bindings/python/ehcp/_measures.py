"""Compliance measures and cohorts (include/ehcp/measures.h, cohort.h), as
pandas DataFrames when pandas is installed, lists of dicts otherwise."""
from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ._calendar import Calendar
from ._ehcp_cffi import ffi, lib
from ._errors import InvalidArgument, check
from ._evaluate import Cases, Evaluator, _as_of, _Session
from ._rules import RuleSet
from ._util import DateLike, cstr, day_or_none, text, to_date

PERIODS = ("month", "quarter", "year", "fy", "ay", "all")
#: Measure ids of measures.h, in the library's order.
MEASURES = ("decision_6w", "advice_6w", "not_issue_16w", "final_20w", "final_20w_ex",
            "review_decision_4w", "review_final_8w", "review_final_12w", "phase_transfer", "contact_5wd")
COHORT_COUNTS = ("requests", "assess_yes", "assess_no", "withdrawn", "issued_within_20w",
                 "issued_after_20w", "not_issued", "open_request", "open_assessment", "open_draft",
                 "open_past_20w")
SUMMARY_FIELDS = ("plans", "within_20w", "within_52w", "over_52w", "mean_weeks", "median_weeks",
                  "p90_weeks", "longest_weeks", "open_past_20w", "open_past_20w_mean_weeks",
                  "open_past_20w_max_weeks", "overdue_reviews", "phase_transfers_due")


def percent(numerator: int, denominator: int) -> float:
    """The DfE's rounding of ``numerator / denominator`` as a percentage to
    one decimal (``ehcp_percent``): 23/80 gives 28.7; NaN when denominator is 0."""
    return lib.ehcp_percent(numerator, denominator)


def _frame(records: List[Dict[str, Any]], columns: Sequence[str], dtypes: Dict[str, str], as_frame):
    if as_frame is False:
        return records
    try:
        import pandas as pd
    except ImportError:
        if as_frame:
            raise
        return records
    df = pd.DataFrame.from_records(records, columns=list(columns))
    return df.astype({k: v for k, v in dtypes.items() if k in df.columns})


def _check_measures_options(s: _Session, opts) -> None:
    pm = ffi.new("ehcp_measures **")
    rc = lib.ehcp_measures_new(pm, s.evaluator.rules._p(), opts)
    try:
        check(rc, lib.ehcp_measures_errmsg, pm[0])
    finally:
        lib.ehcp_measures_free(pm[0])


def compliance(cases: Cases, by: str = "month", group_by: Optional[Sequence[str]] = None,
               measures: Optional[Sequence[str]] = None, as_of: Optional[DateLike] = None, *,
               start: Optional[DateLike] = None, end: Optional[DateLike] = None,
               rules: Optional[RuleSet] = None, calendar: Optional[Calendar] = None, settings=None,
               evaluator: Optional[Evaluator] = None, as_frame: Optional[bool] = None):
    """Compliance rates as boards and the DfE count them (``ehcp compliance``).

    One row per (measure, period, group) with at least one step: a step
    counts in the period of its end event; ``numerator`` is met steps,
    ``denominator`` met + missed, ``percent`` the DfE's rounding (NaN for
    no steps). ``by``: month, quarter, year, fy, ay or all. ``group_by``:
    case attributes (each becomes a column; ``group`` holds the values
    joined by ``|``; advice_6w is grouped by adviser unless grouped
    otherwise). ``measures``: ids (default all, :data:`MEASURES` plus local
    targets). ``start``/``end``: keep steps ending in [start, end].

    Returns a DataFrame when pandas is installed (columns ``measure``,
    ``period``, ``group``, one per ``group_by``, ``numerator``,
    ``denominator``, ``percent``), else a list of dicts; ``as_frame``
    forces one or the other.
    """
    with _Session(cases, rules, calendar, settings, evaluator) as s:
        m, groups = _measures(s, as_of, by, group_by, measures, start, end)
        try:
            out = []
            for i in range(lib.ehcp_measures_count(m)):
                r = lib.ehcp_measures_get(m, i)
                g = text(r.group)
                rec: Dict[str, Any] = {"measure": text(r.measure), "period": text(r.period), "group": g}
                if groups:
                    parts = (g or "").split("|", len(groups) - 1)
                    parts += [""] * (len(groups) - len(parts))
                    for name, v in zip(groups, parts):
                        rec[name] = v if v != "" else None
                rec.update(numerator=r.numerator, denominator=r.denominator, percent=r.percent)
                out.append(rec)
        finally:
            ffi.release(m)
    columns = ["measure", "period", "group", *groups, "numerator", "denominator", "percent"]
    return _frame(out, columns, {"numerator": "int64", "denominator": "int64", "percent": "float64"},
                  as_frame)


def waiting_times(cases: Cases, as_of: Optional[DateLike] = None, group_by: Optional[Sequence[str]] = None, *,
                  start: Optional[DateLike] = None, end: Optional[DateLike] = None,
                  rules: Optional[RuleSet] = None, calendar: Optional[Calendar] = None, settings=None,
                  evaluator: Optional[Evaluator] = None, as_frame: Optional[bool] = None):
    """Waiting-time summary of new plans and the open caseload, one row per
    group (one in all when ungrouped): DfE bands (within 20 weeks, 20-52,
    over 52), mean / median / 90th percentile / longest weeks from request
    to plan, open requests past 20 weeks, overdue reviews and phase
    transfers due (``struct ehcp_waiting_summary``)."""
    with _Session(cases, rules, calendar, settings, evaluator) as s:
        m, groups = _measures(s, as_of, "all", group_by, None, start, end)
        try:
            out = []
            for i in range(lib.ehcp_measures_summary_count(m)):
                w = lib.ehcp_measures_summary(m, i)
                rec: Dict[str, Any] = {"group": text(w.group)}
                rec.update({f: getattr(w, f) for f in SUMMARY_FIELDS})
                out.append(rec)
        finally:
            ffi.release(m)
    dtypes = {f: ("float64" if f.endswith("weeks") else "int64") for f in SUMMARY_FIELDS}
    return _frame(out, ["group", *SUMMARY_FIELDS], dtypes, as_frame)


def _measures(s: _Session, as_of, by, group_by, measures, start, end):
    period = ffi.new("int *")
    if isinstance(by, int):
        period[0] = by
    elif lib.ehcp_period_from_name(period, cstr(by, "by")) != lib.EHCP_OK:
        raise InvalidArgument(f"unknown period '{by}' (use {', '.join(PERIODS)})")
    keep: List[Any] = []  # the C strings the options point to, alive for the call

    def strings(names):
        cs = [ffi.new("char[]", cstr(n, "name")) for n in names]
        keep.extend(cs)
        arr = ffi.new("const char *[]", cs) if cs else ffi.NULL
        keep.append(arr)
        return arr, len(cs)

    group_by = [group_by] if isinstance(group_by, str) else list(group_by or [])
    measures = [measures] if isinstance(measures, str) else list(measures or [])
    opts = ffi.new("struct ehcp_measures_options *")
    opts.version = lib.EHCP_MEASURES_OPTIONS_VERSION
    opts.period = period[0]
    opts.group_by, opts.ngroup_by = strings(group_by)
    opts.measures, opts.nmeasures = strings(measures)
    setattr(opts, "from", day_or_none(start, "start"))
    opts.to = day_or_none(end, "end")
    _check_measures_options(s, opts)
    pm = ffi.new("ehcp_measures **")
    with s.cases._use:
        rc = lib.ehcp_measures_compute(pm, s.evaluator._p(), s.cases._p(), _as_of(as_of), opts)
    check(rc)
    return ffi.gc(pm[0], lib.ehcp_measures_free), group_by


def cohorts(cases: Cases, as_of: Optional[DateLike] = None, *, history: bool = False,
            rules: Optional[RuleSet] = None, calendar: Optional[Calendar] = None, settings=None,
            evaluator: Optional[Evaluator] = None, as_frame: Optional[bool] = None):
    """Each month's requests followed through the stages (``ehcp cohorts``).

    One row per cohort (request month, ``"2025-01"``) with its counts as
    of ``as_of`` (:data:`COHORT_COUNTS`), ``share_within_20w`` (the DfE
    percentage of plans issued within 20 weeks) and the Kaplan-Meier time
    to plan: ``plan_by_week_W`` (share 0-1 with a final plan by the end of
    week W, NaN when the curve does not reach it) and ``at_risk_week_W``
    for W in 6, 16, 20, 26, 52. With ``history=True``, one row per cohort
    and month end instead (column ``at``), counts only.
    """
    with _Session(cases, rules, calendar, settings, evaluator) as s:
        pc = ffi.new("ehcp_cohorts **")
        with s.cases._use:
            rc = lib.ehcp_cohorts_compute(pc, s.evaluator._p(), s.cases._p(), _as_of(as_of))
        check(rc)
        co = ffi.gc(pc[0], lib.ehcp_cohorts_free)
        try:
            out = _cohort_rows(co, history)
        finally:
            ffi.release(co)
    columns = ["month", *(["at"] if history else []), *COHORT_COUNTS, "share_within_20w"]
    if not history:
        for w in (6, 16, 20, 26, 52):
            columns += [f"plan_by_week_{w}", f"at_risk_week_{w}"]
    dtypes = {c: "int64" for c in COHORT_COUNTS}
    dtypes.update({c: ("int64" if c.startswith("at_risk") else "float64")
                   for c in columns if c.startswith(("plan_by", "at_risk", "share"))})
    if history:
        dtypes["at"] = "datetime64[ns]"
    return _frame(out, columns, dtypes, as_frame)


def _cohort_rows(co, history: bool) -> List[Dict[str, Any]]:
    y, mth, at = ffi.new("int *"), ffi.new("int *"), ffi.new("ehcp_date *")
    out = []
    for i in range(lib.ehcp_cohorts_count(co)):
        lib.ehcp_cohorts_month(y, mth, co, i)
        month = f"{y[0]:04d}-{mth[0]:02d}"
        snapshots: List[Tuple[Optional[_dt.date], Any]]
        if history:
            snapshots = []
            for k in range(lib.ehcp_cohorts_history_count(co, i)):
                c = lib.ehcp_cohorts_history(at, co, i, k)
                snapshots.append((to_date(at[0]), c))
        else:
            snapshots = [(None, lib.ehcp_cohorts_counts(co, i))]
        for when, c in snapshots:
            rec: Dict[str, Any] = {"month": month}
            if history:
                rec["at"] = when
            rec.update({f: getattr(c, f) for f in COHORT_COUNTS})
            rec["share_within_20w"] = lib.ehcp_percent(c.issued_within_20w,
                                                       c.issued_within_20w + c.issued_after_20w)
            if not history:
                km = lib.ehcp_cohorts_km(co, i)
                for q in range(lib.EHCP_KM_POINTS):
                    rec[f"plan_by_week_{km[q].week}"] = km[q].share
                    rec[f"at_risk_week_{km[q].week}"] = km[q].at_risk
            out.append(rec)
    return out

