"""ehcp: statutory EHC deadlines and DfE compliance figures on working-day
calendars, from Python.

A binding over the C library libehcp (cffi, API mode). Dates go in and come
out as ``datetime.date``; calendars also answer over NumPy ``datetime64``
arrays with the library's batch functions; compliance measures and cohorts
come back as pandas DataFrames when pandas is installed.

>>> import ehcp, datetime as dt
>>> with ehcp.Calendar("england-and-wales") as cal:
...     cal.add(dt.date(2025, 12, 24), 1)
datetime.date(2025, 12, 29)

Every object frees its C memory with ``close()`` or at the end of a
``with`` block, and otherwise when it is garbage collected. Every call into
the library releases the GIL while C runs (cffi does so for every function
call in API mode), so threads evaluating or counting run in parallel.
Errors raise subclasses of :class:`ehcp.Error` carrying the library's message.
"""
from ._ehcp_cffi import ffi as _ffi, lib as _lib
from ._errors import (Error, FileError, InvalidArgument, LimitError, NoMemoryError, NotFoundError,
                      ParseError, RangeError, strerror)
from ._util import DateArray, DateLike, add_days, add_months, add_weeks, parse_date
from ._calendar import Calendar, Closure, Holiday
from ._cases import Case, CaseSet, Diagnostic, Event, FileRead
from ._rules import OPTIONS, MilestoneDef, RuleSet
from ._evaluate import (STATUSES, Evaluator, MilestoneResult, Timeline, deadlines, deadlines_frame,
                        evaluate)
from ._measures import (COHORT_COUNTS, MEASURES, PERIODS, SUMMARY_FIELDS, cohorts, compliance, percent,
                        waiting_times)
from ._export import ics, report_html

__version__ = "0.1.0"


def library_version() -> str:
    """The version of the libehcp the binding is running on (``ehcp_version``)."""
    return _ffi.string(_lib.ehcp_version()).decode()


__all__ = [
    "Error", "FileError", "InvalidArgument", "LimitError", "NoMemoryError", "NotFoundError",
    "ParseError", "RangeError", "strerror",
    "DateArray", "DateLike", "add_days", "add_months", "add_weeks", "parse_date",
    "Calendar", "Closure", "Holiday",
    "Case", "CaseSet", "Diagnostic", "Event", "FileRead",
    "OPTIONS", "MilestoneDef", "RuleSet",
    "STATUSES", "Evaluator", "MilestoneResult", "Timeline", "deadlines", "deadlines_frame", "evaluate",
    "COHORT_COUNTS", "MEASURES", "PERIODS", "SUMMARY_FIELDS", "cohorts", "compliance", "percent",
    "waiting_times", "ics", "report_html", "library_version", "__version__",
]
