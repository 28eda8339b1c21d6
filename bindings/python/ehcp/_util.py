"""Shared pieces: date conversion and the owner of a C object."""
from __future__ import annotations

import datetime as _dt
import threading
from typing import TYPE_CHECKING, Any, Callable, List, Optional, Tuple, TypeVar, Union

from ._ehcp_cffi import ffi, lib
from ._errors import Error, InvalidArgument, error_for

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: Anything the binding accepts as a date: a ``datetime.date`` (a
#: ``datetime.datetime`` or pandas ``Timestamp`` counts by its date), a
#: ``numpy.datetime64``, or a string in a form the library parses
#: (``2025-01-15``, ``15/01/2025``, ``2025-Jan-15``, ``2022-Sep-28 00:00:00``).
DateLike = Union[_dt.date, str, "np.datetime64"]
#: Arrays of dates for the vectorised calendar queries: NumPy arrays
#: (``datetime64`` of any unit), pandas Series, lists or tuples of dates.
DateArray = Union["np.ndarray", "pd.Series", List[Any], Tuple[Any, ...]]

_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
NONE = lib.EHCP_DATE_NONE
NO_VALUE = lib.EHCP_NO_VALUE


def parse_date(text: str) -> _dt.date:
    """Parse a date strictly, as the library does (``ehcp_date_parse``).

    Raises :class:`ParseError` for a malformed string and :class:`RangeError`
    for a well-formed but impossible date, with the library's reason as the
    message (e.g. ``"no such day in that month"``).
    """
    return to_date(_parse_day(text))


def _parse_day(text: str) -> int:
    raw = text.encode("utf-8")
    out = ffi.new("ehcp_date *")
    reason = ffi.new("const char **")
    rc = lib.ehcp_date_parse(out, raw, len(raw), reason)
    if rc != lib.EHCP_OK:
        why = ffi.string(reason[0]).decode() if reason[0] != ffi.NULL else None
        exc = error_for(rc, why)  # the library's reason, exactly
        exc.input = text
        raise exc
    return out[0]


def day(value: DateLike, what: str = "date") -> int:
    """The library's day number (days since 1970-01-01) of a date-like value."""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.toordinal() - _EPOCH_ORDINAL
    if isinstance(value, str):
        return _parse_day(value)
    if type(value).__name__ == "datetime64":
        import numpy as np
        if np.isnat(value):
            raise InvalidArgument(f"{what}: NaT is not a date")
        return int(value.astype("datetime64[D]").astype("int64"))
    raise TypeError(f"{what}: expected a datetime.date or a date string, got {type(value).__name__}")


def day_or_none(value: Optional[DateLike], what: str = "date") -> int:
    return NONE if value is None else day(value, what)


def to_date(n: int) -> _dt.date:
    """The ``datetime.date`` of a day number."""
    return _dt.date.fromordinal(n + _EPOCH_ORDINAL)


def to_date_or_none(n: int) -> Optional[_dt.date]:
    return None if n == NONE else to_date(n)


def text(p) -> Optional[str]:
    """A C string owned by the library, copied into a str (None for NULL)."""
    return None if p == ffi.NULL else ffi.string(p).decode("utf-8", "replace")


def stext(p) -> str:
    """As text(), for strings the library never leaves NULL ("" if it did)."""
    return "" if p == ffi.NULL else ffi.string(p).decode("utf-8", "replace")


def cstr(value: Optional[str], what: str = "string") -> Any:
    """A str as bytes for a `const char *` argument (None gives NULL)."""
    if value is None:
        return ffi.NULL
    if not isinstance(value, str):
        raise TypeError(f"{what}: expected str, got {type(value).__name__}")
    raw = value.encode("utf-8")
    if b"\0" in raw:
        raise InvalidArgument(f"{what}: contains a NUL character")
    return raw


def add_days(date: DateLike, days: int) -> _dt.date:
    """``date`` plus ``days`` calendar days (``ehcp_date_add_days``)."""
    return _arith(lib.ehcp_date_add_days, date, days)


def add_weeks(date: DateLike, weeks: int) -> _dt.date:
    """``date`` plus ``7 * weeks`` days (``ehcp_date_add_weeks``): 20 weeks from
    Wed 15 Jan 2025 is Wed 4 Jun 2025."""
    return _arith(lib.ehcp_date_add_weeks, date, weeks)


def add_months(date: DateLike, months: int) -> _dt.date:
    """``date`` plus calendar months with the corresponding-date rule
    (``ehcp_date_add_months``): 31 Jan + 1 month = 28/29 Feb."""
    return _arith(lib.ehcp_date_add_months, date, months)


def _arith(fn: Callable, date: DateLike, n: int) -> _dt.date:
    out = ffi.new("ehcp_date *")
    rc = fn(out, day(date), int(n))
    if rc != lib.EHCP_OK:
        raise error_for(rc)
    return to_date(out[0])


_O = TypeVar("_O", bound="Owner")


class Owner:
    """Owns one C object: frees it deterministically with ``close()`` or a
    ``with`` block, else when garbage collected (``ffi.gc``).

    An object another one borrows (a calendar or rule set held by an
    evaluator) is *pinned*: closing it makes it unusable at once, but its C
    memory is freed only when the last borrower lets go, so a borrower
    never sees freed memory.
    """

    _kind = "object"

    def __init__(self) -> None:
        self._ptr: Any = None
        self._pins = 0
        self._closing = False
        self._lock = threading.RLock()

    def _own(self, raw: Any, free: Callable, keep: tuple = ()) -> None:
        # `keep` rides in the destructor's closure, so the objects this one
        # borrows outlive its C memory however the collector orders things.
        def destroy(p, _free=free, _keep=keep):
            _free(p)
        self._ptr = ffi.gc(raw, destroy)

    @property
    def closed(self) -> bool:
        return self._ptr is None or self._closing

    def _p(self) -> Any:
        if self._ptr is None or self._closing:
            raise Error(f"this {self._kind} is closed")
        return self._ptr

    def _pin(self) -> Any:
        with self._lock:
            p = self._p()
            self._pins += 1
            return p

    def _unpin(self) -> None:
        with self._lock:
            self._pins -= 1
            if self._pins == 0 and self._closing:
                self._release()

    def _release(self) -> None:
        ptr, self._ptr = self._ptr, None
        if ptr is not None:
            ffi.release(ptr)  # runs the ffi.gc destructor now, once

    def close(self) -> None:
        """Free the C memory now (idempotent). Later use raises :class:`Error`."""
        with self._lock:
            if self._ptr is None:
                return
            if self._pins:
                self._closing = True
            else:
                self._release()

    def __enter__(self: _O) -> _O:
        self._p()
        return self

    def __exit__(self, *exc) -> None:
        self.close()
