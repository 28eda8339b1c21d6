"""What people open (include/ehcp/export.h): open deadlines as an iCalendar
file for a caseworker's calendar, and the self-contained HTML board report.
Both are the library's writers; the binding only hands the text back."""
from __future__ import annotations

from typing import Any, List, Optional, Sequence

from ._calendar import Calendar
from ._ehcp_cffi import ffi, lib
from ._errors import InvalidArgument, NotFoundError, check
from ._evaluate import Cases, Evaluator, _as_of, _Session
from ._measures import PERIODS
from ._rules import RuleSet
from ._util import DateLike, cstr, day, to_date


def _take_text(pout, plen) -> str:
    try:
        return ffi.unpack(pout[0], plen[0]).decode("utf-8")
    finally:
        lib.ehcp_export_free(pout[0])


def ics(cases: Cases, as_of: Optional[DateLike] = None, *, within: Optional[int] = None,
        case_ids: Optional[Sequence[str]] = None, local_targets: bool = False, name: Optional[str] = None,
        rules: Optional[RuleSet] = None, calendar: Optional[Calendar] = None, settings=None,
        evaluator: Optional[Evaluator] = None) -> str:
    """The open deadlines of ``cases`` as of ``as_of`` as one iCalendar file
    (``ehcp ics``): an all-day event per due or overdue milestone on its due
    date, with a stable UID (:attr:`MilestoneResult.uid`), CRLF line ends,
    the same bytes for the same input and date. ``within=N`` keeps what is
    overdue or due within N days; ``case_ids`` only those cases (in that
    order); ``local_targets`` adds local targets; ``name`` is the
    calendar's name. Summaries name the case id and the step, nothing else.
    Write it with ``open(path, "w", newline="").write(text)``."""
    keep: List[Any] = []
    opts = ffi.new("struct ehcp_ics_options *")
    opts.version = lib.EHCP_ICS_OPTIONS_VERSION
    opts.as_of = _as_of(as_of)
    if within is not None:
        opts.use_within, opts.within = 1, int(within)
    opts.local_targets = 1 if local_targets else 0
    if name is not None:
        keep.append(ffi.new("char[]", cstr(name, "name")))
        opts.name = keep[-1]
    with _Session(cases, rules, calendar, settings, evaluator) as s:
        if case_ids is not None:
            ids = [ffi.new("char[]", cstr(c, "case_ids")) for c in case_ids]
            missing = [c for c in case_ids if c not in s.cases]
            if missing:
                raise NotFoundError(f"case ids not in the case set: {', '.join(missing[:5])}"
                                    + (" ..." if len(missing) > 5 else ""))
            if len(set(case_ids)) != len(case_ids):
                raise InvalidArgument("case_ids: a case id is given twice")
            arr = ffi.new("const char *[]", ids)
            keep += [ids, arr]
            opts.case_ids, opts.ncase_ids = arr, len(ids)
        pout, plen, pn = ffi.new("char **"), ffi.new("size_t *"), ffi.new("size_t *")
        with s.cases._use:
            rc = lib.ehcp_ics_string(pout, plen, pn, s.evaluator._p(), s.evaluator.rules._p(),
                                     s.cases._p(), opts)
        check(rc)
        return _take_text(pout, plen)


def _window_start(as_of: int, months: int) -> int:
    d = to_date(as_of)
    key = d.year * 12 + (d.month - 1) - (months - 1)
    return day(f"{key // 12:04d}-{key % 12 + 1:02d}-01")


def report_html(cases: Cases, as_of: Optional[DateLike] = None, *, title: Optional[str] = None,
                subtitle: Optional[str] = None, target_20w: float = 75, target_reviews: float = 90,
                target_advice: float = 90, months: int = 12, advice_by: str = "fy",
                rules: Optional[RuleSet] = None, calendar: Optional[Calendar] = None, settings=None,
                evaluator: Optional[Evaluator] = None) -> str:
    """The board report as one self-contained HTML page (``ehcp report``):
    the monthly 20-week trajectory against ``target_20w``, annual reviews
    against ``target_reviews``, advice within 6 weeks by adviser (periods
    ``advice_by``) against ``target_advice``, the waiting-time summary and
    the cohort table, over the ``months`` months ending with the as-of
    month. Inline SVG and CSS, no script: it opens on a locked-down network."""
    if advice_by not in PERIODS:
        raise InvalidArgument(f"unknown period '{advice_by}' (use {', '.join(PERIODS)})")
    for what, v in (("target_20w", target_20w), ("target_reviews", target_reviews),
                    ("target_advice", target_advice)):
        if not 0 < v <= 100:
            raise InvalidArgument(f"{what}: {v} is not a percentage (more than 0, at most 100)")
    if months < 1:
        raise InvalidArgument(f"months: {months} is not a number of months")
    a = _as_of(as_of)
    keep: List[Any] = []
    ro = ffi.new("struct ehcp_report_options *")
    ro.version = lib.EHCP_REPORT_OPTIONS_VERSION
    ro.as_of = a
    for field, value in (("title", title), ("subtitle", subtitle)):
        if value is not None:
            keep.append(ffi.new("char[]", cstr(value, field)))
            setattr(ro, field, keep[-1])
    ro.target_20w, ro.target_reviews, ro.target_advice = target_20w, target_reviews, target_advice
    ro.months = months

    mo = ffi.new("struct ehcp_measures_options *")
    mo.version = lib.EHCP_MEASURES_OPTIONS_VERSION
    mo.period = lib.EHCP_PERIOD_MONTH
    setattr(mo, "from", _window_start(a, months))
    mo.to = a
    advice_only = ffi.new("char[]", b"advice_6w")
    advice_arr = ffi.new("const char *[]", [advice_only])
    ao = ffi.new("struct ehcp_measures_options *")
    ao.version = lib.EHCP_MEASURES_OPTIONS_VERSION
    period = ffi.new("int *")
    lib.ehcp_period_from_name(period, advice_by.encode())
    ao.period = period[0]
    ao.measures, ao.nmeasures = advice_arr, 1
    setattr(ao, "from", lib.EHCP_DATE_NONE)
    ao.to = lib.EHCP_DATE_NONE

    with _Session(cases, rules, calendar, settings, evaluator) as s:
        pm, pa, pc = ffi.new("ehcp_measures **"), ffi.new("ehcp_measures **"), ffi.new("ehcp_cohorts **")
        try:
            with s.cases._use:
                ev, cs = s.evaluator._p(), s.cases._p()
                check(lib.ehcp_measures_compute(pm, ev, cs, a, mo))
                check(lib.ehcp_measures_compute(pa, ev, cs, a, ao))
                check(lib.ehcp_cohorts_compute(pc, ev, cs, a))
            pout, plen = ffi.new("char **"), ffi.new("size_t *")
            check(lib.ehcp_report_html(pout, plen, pm[0], pa[0], pc[0], ro))
            return _take_text(pout, plen)
        finally:
            lib.ehcp_measures_free(pm[0])
            lib.ehcp_measures_free(pa[0])
            lib.ehcp_cohorts_free(pc[0])
