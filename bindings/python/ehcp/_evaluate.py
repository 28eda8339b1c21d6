"""Evaluation: every milestone of a case as of a date (include/ehcp/timeline.h)."""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from ._calendar import Calendar
from ._cases import Case, CaseSet
from ._ehcp_cffi import ffi, lib
from ._errors import InvalidArgument, check, error_for
from ._rules import RuleSet
from ._util import NO_VALUE, DateLike, Owner, cstr, day, stext, text, to_date, to_date_or_none

STATUSES = ("met", "missed", "due", "overdue", "not_applicable")

#: A case set, or the files to read one from.
Cases = Union[CaseSet, str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]]


@dataclass(frozen=True)
class MilestoneResult:
    """One milestone occurrence of a case as of a date.

    ``due`` is the last compliant day (None when a working-day due date
    would fall outside the calendar). ``status`` is ``met``, ``missed``,
    ``due``, ``overdue`` or ``not_applicable``; ``days_late``, ``days_left``
    and ``working_days_left`` are None where they do not apply. An
    ``exception`` switches the limit off but never moves ``due``. ``uid``
    is the occurrence's stable id (``ehcp_ics_uid``: a hash of the case id,
    milestone, start, ref and detail, revealing none of them), the UID its
    event has in :func:`ehcp.ics` files: a key for syncing with case systems.
    """
    case_id: str
    milestone: str
    name: str
    statutory: bool
    start: Optional[_dt.date]
    due: Optional[_dt.date]
    done: Optional[_dt.date]
    status: str
    days_late: Optional[int]
    days_left: Optional[int]
    working_days_left: Optional[int]
    exception: bool
    exception_kind: Optional[str]
    ref: Optional[str]
    stage: str
    uid: str


@dataclass(frozen=True)
class Timeline:
    """A case evaluated as of a date: its stage, every milestone occurrence
    (rule-set order, then start date) and the next deadline (the due or
    overdue occurrence with the earliest due date), if any."""
    case_id: str
    as_of: _dt.date
    stage: str
    milestones: Tuple[MilestoneResult, ...]
    next: Optional[MilestoneResult]

    def __getitem__(self, milestone: str) -> MilestoneResult:
        """The first occurrence of milestone ``milestone`` ("A5")."""
        for r in self.milestones:
            if r.milestone == milestone:
                return r
        raise KeyError(milestone)

    def occurrences(self, milestone: str) -> List[MilestoneResult]:
        """Every occurrence of milestone ``milestone``, in order."""
        return [r for r in self.milestones if r.milestone == milestone]


def _opt_int(v: int) -> Optional[int]:
    return None if v == NO_VALUE else v


def _timeline(case_id: str, tl) -> Timeline:
    stage = text(lib.ehcp_stage_name(lib.ehcp_timeline_stage(tl))) or "none"
    rows = []
    cid = case_id.encode("utf-8")
    uid = ffi.new("char[]", lib.EHCP_ICS_UID_SIZE)
    for i in range(lib.ehcp_timeline_count(tl)):
        r = lib.ehcp_timeline_get(tl, i)
        lib.ehcp_ics_uid(uid, cid, r)
        rows.append(MilestoneResult(
            case_id, stext(r.id), stext(r.name), bool(r.statutory), to_date_or_none(r.start),
            to_date_or_none(r.due), to_date_or_none(r.done), text(lib.ehcp_status_name(r.status)) or str(r.status),
            _opt_int(r.days_late), _opt_int(r.days_left), _opt_int(r.working_days_left), bool(r.exception),
            text(lib.ehcp_exception_kind_name(r.exception_kind)) if r.exception_kind else None,
            text(r.ref), stage, ffi.string(uid).decode()))
    nxt = ffi.new("size_t *")
    has_next = lib.ehcp_timeline_next(nxt, tl) == lib.EHCP_OK
    return Timeline(case_id, to_date(lib.ehcp_timeline_as_of(tl)), stage, tuple(rows),
                    rows[nxt[0]] if has_next else None)


class _Collect:
    """Payload of one ehcp_evaluate_set() call."""
    __slots__ = ("timelines", "error")

    def __init__(self) -> None:
        self.timelines: List[Timeline] = []
        self.error: Optional[BaseException] = None


@ffi.def_extern()
def _ehcpy_on_case(c, tl, payload):
    # Runs on the thread that called ehcp_evaluate_set(), in set order; cffi
    # holds the GIL for it (the C call itself runs without).
    state = ffi.from_handle(payload)
    try:
        state.timelines.append(_timeline(ffi.string(lib.ehcp_case_id(c)).decode("utf-8", "replace"), tl))
        return 0
    except BaseException as e:  # stop the evaluation, re-raise in Python
        state.error = e
        return 1


def _as_of(as_of: Optional[DateLike]) -> int:
    return day(_dt.date.today() if as_of is None else as_of, "as_of")


class Evaluator(Owner):
    """A rule set, the authority's working-day calendar and the term
    calendars of settings, ready to evaluate cases.

    ``rules`` defaults to ``RuleSet()`` (england-2014) and ``calendar`` to
    ``Calendar(rules.region)``. ``settings`` maps a setting's ref (the
    ``ref`` of its advice requests, e.g. ``"URN100001"``) to its term
    calendar: a :class:`Calendar`, or the path of an .ics file read on top
    of the authority's region. The rule set and calendar are borrowed (kept
    open while the evaluator lives); the setting calendars are read at once.
    An evaluator is immutable: threads may share it.
    """

    _kind = "evaluator"

    def __init__(self, rules: Optional[RuleSet] = None, calendar: Optional[Calendar] = None, *,
                 settings: Optional[Mapping[str, Union[Calendar, str, "os.PathLike[str]"]]] = None) -> None:
        super().__init__()
        rules = RuleSet() if rules is None else rules
        calendar = Calendar(rules.region) if calendar is None else calendar
        if not isinstance(rules, RuleSet) or not isinstance(calendar, Calendar):
            raise TypeError("Evaluator(rules: RuleSet, calendar: Calendar)")
        self.rules, self.calendar = rules, calendar
        prs = rules._pin()
        try:
            pcal = calendar._pin()
        except BaseException:
            rules._unpin()
            raise
        pe = ffi.new("ehcp_evaluator **")
        rc = lib.ehcp_evaluator_new(pe, prs, pcal)
        if rc != lib.EHCP_OK:
            rules._unpin()
            calendar._unpin()
            check(rc)

        def destroy(p, rules=rules, calendar=calendar):
            lib.ehcp_evaluator_free(p)
            rules._unpin()
            calendar._unpin()
        self._ptr = ffi.gc(pe[0], destroy)
        try:
            for ref, cal in (settings or {}).items():
                self.add_setting(ref, cal)
        except BaseException:
            self.close()
            raise

    def add_setting(self, ref: str, calendar: Union[Calendar, str, "os.PathLike[str]"]) -> None:
        """Give setting ``ref`` its term calendar (a Calendar, or an .ics path)."""
        if isinstance(calendar, Calendar):
            check(lib.ehcp_evaluator_add_setting_calendar(self._p(), cstr(ref, "ref"), calendar._p()))
            return
        with Calendar(self.calendar.region, ics=[calendar]) as cal:
            self.add_setting(ref, cal)

    def evaluate(self, cases: CaseSet, case: Union[str, Case], as_of: Optional[DateLike] = None) -> Timeline:
        """Evaluate one case of ``cases`` as of ``as_of`` (default today)."""
        case_id = case.id if isinstance(case, Case) else case
        a = _as_of(as_of)
        pt = ffi.new("ehcp_timeline **")
        check(lib.ehcp_timeline_new(pt))
        tl = ffi.gc(pt[0], lib.ehcp_timeline_free)
        try:
            with cases._use:
                c = lib.ehcp_case_set_find(cases._p(), cstr(case_id, "case_id"))
                if c == ffi.NULL:
                    raise KeyError(case_id)
                check(lib.ehcp_evaluate(tl, self._p(), c, a))
                return _timeline(case_id, tl)
        finally:
            ffi.release(tl)

    def evaluate_all(self, cases: CaseSet, as_of: Optional[DateLike] = None, *,
                     threads: int = 0) -> List[Timeline]:
        """Evaluate every case of ``cases`` (in set order) on ``threads``
        threads (0: one per core), with the GIL released while C works."""
        a = _as_of(as_of)
        state = _Collect()
        handle = ffi.new_handle(state)
        with cases._use:
            rc = lib.ehcp_evaluate_set(self._p(), cases._p(), a, threads, lib._ehcpy_on_case, handle)
        if state.error is not None:
            raise state.error
        if rc != lib.EHCP_OK:
            raise error_for(rc)
        return state.timelines

    def deadlines(self, cases: CaseSet, as_of: Optional[DateLike] = None, *,
                  due_within: Optional[int] = None, open_only: bool = False, statutory_only: bool = False,
                  as_frame: bool = False, threads: int = 0):
        """Every milestone occurrence of every case as of ``as_of``, in set
        order: a list of :class:`MilestoneResult`, or a pandas DataFrame
        with ``as_frame=True``. ``open_only`` keeps what is due or overdue;
        ``due_within=N`` what is overdue or due within N days (as
        ``ehcp deadlines --due-within``); ``statutory_only`` drops local targets."""
        rows = [r for t in self.evaluate_all(cases, as_of, threads=threads) for r in t.milestones]
        if statutory_only:
            rows = [r for r in rows if r.statutory]
        if open_only or due_within is not None:
            rows = [r for r in rows if r.status == "overdue" or (
                r.status == "due" and (due_within is None or (r.days_left is not None
                                                              and r.days_left <= due_within)))]
        return deadlines_frame(rows) if as_frame else rows

    def __repr__(self) -> str:
        return "<ehcp.Evaluator (closed)>" if self.closed else (
            f"<ehcp.Evaluator {self.rules.name} on {self.calendar.region}>")


def deadlines_frame(rows: Iterable[MilestoneResult]):
    """A pandas DataFrame of milestone results: one row each; dates as
    datetime64[ns] (NaT for none), status a categorical, day counts as
    nullable Int32."""
    import numpy as np
    import pandas as pd
    rows = list(rows)

    def dates(attr):
        v = np.array([getattr(r, attr) or np.datetime64("NaT") for r in rows], dtype="datetime64[D]")
        return pd.Series(v.astype("datetime64[ns]"), dtype="datetime64[ns]")

    def ints(attr):
        return pd.array([getattr(r, attr) for r in rows], dtype="Int32")

    return pd.DataFrame({
        "case_id": pd.Series([r.case_id for r in rows], dtype=object),
        "milestone": pd.Series([r.milestone for r in rows], dtype=object),
        "name": pd.Series([r.name for r in rows], dtype=object),
        "statutory": pd.Series([r.statutory for r in rows], dtype=bool),
        "start": dates("start"),
        "due": dates("due"),
        "done": dates("done"),
        "status": pd.Categorical([r.status for r in rows], categories=list(STATUSES)),
        "days_late": ints("days_late"),
        "days_left": ints("days_left"),
        "working_days_left": ints("working_days_left"),
        "exception": pd.Series([r.exception for r in rows], dtype=bool),
        "exception_kind": pd.Series([r.exception_kind for r in rows], dtype=object),
        "ref": pd.Series([r.ref for r in rows], dtype=object),
        "stage": pd.Series([r.stage for r in rows], dtype=object),
        "uid": pd.Series([r.uid for r in rows], dtype=object),
    })


class _Session:
    """The case set and evaluator of a module-level call, with whatever it
    had to create itself closed at the end."""

    def __init__(self, cases: Cases, rules: Optional[RuleSet], calendar: Optional[Calendar],
                 settings, evaluator: Optional[Evaluator]) -> None:
        self._made: List[Owner] = []
        try:
            if isinstance(cases, CaseSet):
                self.cases = cases
            else:
                paths = [cases] if isinstance(cases, (str, os.PathLike)) else list(cases)
                self.cases = self._keep(CaseSet.read(*paths))
            if evaluator is not None:
                if rules is not None or calendar is not None or settings:
                    raise InvalidArgument("give either evaluator or rules/calendar/settings")
                self.evaluator = evaluator
            else:
                if rules is None:
                    rules = self._keep(RuleSet())
                if calendar is None:
                    calendar = self._keep(Calendar(rules.region))
                self.evaluator = self._keep(Evaluator(rules, calendar, settings=settings))
        except BaseException:
            self.close()
            raise

    def _keep(self, o):
        self._made.append(o)
        return o

    def close(self) -> None:
        for o in reversed(self._made):
            o.close()

    def __enter__(self) -> "_Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def evaluate(cases: Cases, case_id: str, as_of: Optional[DateLike] = None, *,
             rules: Optional[RuleSet] = None, calendar: Optional[Calendar] = None,
             settings=None, evaluator: Optional[Evaluator] = None) -> Timeline:
    """Evaluate one case as of ``as_of`` (default today) with england-2014
    and the England and Wales calendar unless told otherwise."""
    with _Session(cases, rules, calendar, settings, evaluator) as s:
        return s.evaluator.evaluate(s.cases, case_id, as_of)


def deadlines(cases: Cases, as_of: Optional[DateLike] = None, *, rules: Optional[RuleSet] = None,
              calendar: Optional[Calendar] = None, settings=None, evaluator: Optional[Evaluator] = None,
              due_within: Optional[int] = None, open_only: bool = False, statutory_only: bool = False,
              as_frame: bool = False, threads: int = 0):
    """Every milestone of every case as of ``as_of``: see :meth:`Evaluator.deadlines`.
    ``cases`` is a :class:`CaseSet` or the paths of files to read."""
    with _Session(cases, rules, calendar, settings, evaluator) as s:
        return s.evaluator.deadlines(s.cases, as_of, due_within=due_within, open_only=open_only,
                                     statutory_only=statutory_only, as_frame=as_frame, threads=threads)
