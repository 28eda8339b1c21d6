"""Working-day calendars (include/ehcp/calendar.h)."""
from __future__ import annotations

import datetime as _dt
import os
from typing import TYPE_CHECKING, Any, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union, overload

from ._ehcp_cffi import ffi, lib
from ._errors import InvalidArgument, RangeError, check, strerror
from ._util import DateArray, DateLike, Owner, cstr, day, to_date

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_REGION_HELP = "use england-and-wales, scotland, northern-ireland or none"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_KINDS = {lib.EHCP_CLOSURE_BANK_HOLIDAY: "bank_holiday", lib.EHCP_CLOSURE_USER: "user",
          lib.EHCP_CLOSURE_ICS: "ics"}
_INT32_MIN, _INT32_MAX = -2**31, 2**31 - 1


class Closure(NamedTuple):
    """A named closure of a calendar: ``first`` .. ``last`` inclusive; ``kind``
    is ``"bank_holiday"``, ``"user"`` or ``"ics"``."""
    first: _dt.date
    last: _dt.date
    name: str
    kind: str


class Holiday(NamedTuple):
    """A day that is closed although it is not a weekend day."""
    date: _dt.date
    name: str
    kind: str


def region_code(region: Union[str, int, None]) -> int:
    """The ``enum ehcp_region`` of a GOV.UK division name (or a code, or None)."""
    if region is None:
        return lib.EHCP_REGION_NONE
    if isinstance(region, int):
        return region
    out = ffi.new("int *")
    if lib.ehcp_region_from_name(out, cstr(region, "region")) != lib.EHCP_OK:
        raise InvalidArgument(f"unknown region '{region}' ({_REGION_HELP})")
    return out[0]


def _weekend_mask(weekend: Union[int, Iterable[Union[str, int]], None]) -> int:
    if weekend is None:
        return lib.EHCP_WEEKEND_SAT_SUN
    if isinstance(weekend, int):
        return weekend
    mask = 0
    for d in weekend:
        if isinstance(d, str):
            names = [w for w in _WEEKDAYS if w.startswith(d.lower())] if len(d) >= 2 else []
            if len(names) != 1:
                raise InvalidArgument(f"weekend: unknown weekday '{d}'")
            d = _WEEKDAYS.index(names[0])
        if not 0 <= d <= 6:
            raise InvalidArgument(f"weekend: weekday {d} is not 0 (Monday) .. 6 (Sunday)")
        mask |= 1 << d
    return mask


def _is_scalar(x: Any) -> bool:
    return isinstance(x, (_dt.date, str)) or type(x).__name__ == "datetime64"


# Arrays are converted and computed in chunks that stay in the CPU cache:
# each chunk of datetime64 days is range-checked and cast to int32 (vectorised,
# no Python loop over elements), then handed to the library's batch function.
_CHUNK = 1 << 15


def _dates(np, x: Any, name: str):
    """An array of dates as a flat datetime64[D] array (a view when possible)."""
    a = np.asarray(x)
    if a.dtype.kind != "M":
        if a.dtype.kind in "iufcb":
            raise TypeError(f"{name}: expected datetime64 dates, got {a.dtype} "
                            "(use arr.astype('datetime64[D]') for day numbers)")
        a = a.astype("datetime64[D]")  # datetime.date objects, ISO strings
    elif a.dtype != np.dtype("datetime64[D]"):
        a = a.astype("datetime64[D]")
    return a


def _int32_days(np, v):
    """int64 day numbers as int32 (the library's ehcp_date). NaT and days
    beyond int32 become EHCP_DATE_NONE, which every batch function reports
    as out of range, never a wrapped-around date."""
    if v.size and (v.min() < _INT32_MIN + 1 or v.max() > _INT32_MAX):
        v = np.clip(v, _INT32_MIN, _INT32_MAX)  # NaT (INT64_MIN) -> EHCP_DATE_NONE
    return v.astype(np.int32)


def _ints(np, x: Any, name: str):
    a = np.asarray(x)
    if a.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected integers, got {a.dtype}")
    if a.size and a.dtype.itemsize >= 4 and (a.min() < _INT32_MIN or a.max() > _INT32_MAX):
        raise RangeError(f"{name}: {strerror(lib.EHCP_ERR_RANGE)} (beyond 32 bits)")
    return a.astype(np.int32, copy=False)


def _flat(np, *arrays):
    """Broadcast to one shape; flat C-contiguous views (copies if need be)."""
    if any(a.shape != arrays[0].shape for a in arrays):
        arrays = np.broadcast_arrays(*arrays)
    return arrays[0].shape, [np.ravel(a) for a in arrays]


def _buf(a, ctype="int32_t[]"):
    return ffi.from_buffer(ctype, a)


def _check_errors(errors: str) -> None:
    if errors not in ("raise", "coerce"):
        raise InvalidArgument(f"errors: expected 'raise' or 'coerce', got {errors!r}")


class Calendar(Owner):
    """A compiled working-day calendar: the bank holidays of a region, a
    council's closures and closures read from iCalendar files.

    >>> cal = Calendar("england-and-wales", closures=[(date(2025, 12, 24), date(2026, 1, 1), "Office")])
    >>> cal.count(date(2025, 1, 1), date(2026, 1, 1))   # working days in [b, e)
    250

    ``region``: ``"england-and-wales"``, ``"scotland"``, ``"northern-ireland"``
    or ``"none"``/``None``. ``closures``: ``(first, last[, name])`` inclusive.
    ``ics``: paths of .ics files whose all-day events close days.
    ``weekend``: weekday names or numbers (0 = Monday) never worked, or a
    bit mask; default Saturday and Sunday. ``range``: ``(first, last)``, the
    days covered (default 1980-01-01 .. 2099-12-31).

    A calendar is immutable and may be shared by threads; every query
    releases the GIL while it runs in C. Dates go in as ``datetime.date``
    (or strings the library parses) and come out as ``datetime.date``; the
    same methods take NumPy ``datetime64`` arrays and answer with arrays,
    computed by the library's batch functions with no Python loop.
    """

    _kind = "calendar"

    def __init__(self, region: Union[str, int, None] = "england-and-wales", *,
                 closures: Iterable[Sequence[Any]] = (),
                 ics: Iterable[Union[str, "os.PathLike[str]"]] = (),
                 weekend: Union[int, Iterable[Union[str, int]], None] = None,
                 range: Optional[Tuple[DateLike, DateLike]] = None) -> None:
        super().__init__()
        code = region_code(region)
        self._weekend = _weekend_mask(weekend)
        pb = ffi.new("ehcp_calendar_builder **")
        check(lib.ehcp_calendar_builder_new(pb))
        b = ffi.gc(pb[0], lib.ehcp_calendar_builder_free)
        try:
            err = lib.ehcp_calendar_builder_errmsg
            if range is not None:
                first, last = range
                check(lib.ehcp_calendar_builder_set_range(b, day(first, "range"), day(last, "range")), err, b)
            check(lib.ehcp_calendar_builder_set_weekend(b, self._weekend), err, b)
            check(lib.ehcp_calendar_builder_set_region(b, code), err, b)
            for c in closures:
                if len(c) not in (2, 3):
                    raise InvalidArgument("closures: expected (first, last) or (first, last, name)")
                name = cstr(c[2], "closure name") if len(c) == 3 else ffi.NULL
                check(lib.ehcp_calendar_builder_add_closure(b, day(c[0], "closure"), day(c[1], "closure"),
                                                            name), err, b)
            for path in ics:
                check(lib.ehcp_calendar_builder_add_ics_file(b, os.fsencode(path)), err, b)
            pc = ffi.new("ehcp_calendar **")
            check(lib.ehcp_calendar_build(pc, b), err, b)
        finally:
            ffi.release(b)
        self._own(pc[0], lib.ehcp_calendar_free)
        lo, hi = ffi.new("ehcp_date *"), ffi.new("ehcp_date *")
        lib.ehcp_calendar_range(lo, hi, self._ptr)
        self._first, self._last = lo[0], hi[0]

    # -- properties -------------------------------------------------------
    @property
    def region(self) -> str:
        """The region's GOV.UK division name (``"none"`` for none)."""
        return ffi.string(lib.ehcp_region_name(lib.ehcp_calendar_region(self._p()))).decode()

    @property
    def range(self) -> Tuple[_dt.date, _dt.date]:
        """The inclusive range of days the calendar covers."""
        return to_date(self._first), to_date(self._last)

    @property
    def weekend(self) -> Tuple[str, ...]:
        """The weekday names that are never working days."""
        return tuple(w for i, w in enumerate(_WEEKDAYS) if self._weekend >> i & 1)

    def __repr__(self) -> str:
        if self.closed:
            return "<ehcp.Calendar (closed)>"
        f, l = self.range
        return f"<ehcp.Calendar {self.region} {f}..{l}>"

    def _range_error(self, what: str) -> RangeError:
        f, l = self.range
        return RangeError(f"{strerror(lib.EHCP_ERR_RANGE)}: {what} (calendar covers {f}..{l})")

    # -- scalar and vectorised queries ---------------------------------------
    @overload
    def count(self, b: DateLike, e: DateLike) -> int: ...  # type: ignore[misc]
    @overload
    def count(self, b: Union[DateArray, DateLike], e: Union[DateArray, DateLike], *,
              errors: str = ...) -> "np.ndarray": ...

    def count(self, b, e, *, errors: str = "raise"):
        """Working days in ``[b, e)``; minus the count over ``[e, b)`` when
        ``e < b``, so counts add up. Arrays: an int32 array (the batch
        function ``ehcp_calendar_count_batch``); with ``errors="coerce"`` a
        masked array whose out-of-range pairs are masked instead of raising."""
        if _is_scalar(b) and _is_scalar(e):
            out = ffi.new("int32_t *")
            bd, ed = day(b, "b"), day(e, "e")
            if lib.ehcp_calendar_count(out, self._p(), bd, ed) != lib.EHCP_OK:
                raise self._range_error(f"count({to_date(bd)}, {to_date(ed)})")
            return out[0]
        import numpy as np
        shape, (ba, ea) = _flat(np, _dates(np, b, "b"), _dates(np, e, "e"))
        ba, ea = ba.view(np.int64), ea.view(np.int64)
        out = np.empty(ba.size, dtype=np.int32)
        p, rc = self._p(), lib.EHCP_OK
        for s in range(0, out.size, _CHUNK):
            o, b32, e32 = out[s:s + _CHUNK], _int32_days(np, ba[s:s + _CHUNK]), _int32_days(np, ea[s:s + _CHUNK])
            rc = min(rc, lib.ehcp_calendar_count_batch(_buf(o), p, _buf(b32), _buf(e32), o.size))
        out = out.reshape(shape)
        return self._batch_result(np, rc, out, lambda: out == lib.EHCP_DATE_NONE, errors, "count")

    @overload
    def add(self, d: DateLike, n: int) -> _dt.date: ...  # type: ignore[misc]
    @overload
    def add(self, d: Union[DateArray, DateLike], n: Union["npt.ArrayLike", int], *,
            errors: str = ...) -> "np.ndarray": ...

    def add(self, d, n, *, errors: str = "raise"):
        """The ``n``-th working day after ``d`` (``d`` excluded); negative
        ``n`` counts back; ``n = 0`` gives ``d``. Arrays: a ``datetime64[D]``
        array (``ehcp_calendar_add_batch``); ``errors="coerce"`` gives NaT
        where the result is out of range."""
        if _is_scalar(d) and isinstance(n, int):
            out = ffi.new("ehcp_date *")
            dd = day(d, "d")
            if not _INT32_MIN <= n <= _INT32_MAX or lib.ehcp_calendar_add(out, self._p(), dd, n) != lib.EHCP_OK:
                raise self._range_error(f"add({to_date(dd)}, {n})")
            return to_date(out[0])
        import numpy as np
        _check_errors(errors)
        shape, (da, na) = _flat(np, _dates(np, d, "d"), _ints(np, n, "n"))
        da = da.view(np.int64)
        days = np.empty(da.size, dtype=np.int64)
        chunk = np.empty(min(da.size, _CHUNK), dtype=np.int32)
        p, bad, first = self._p(), 0, -1
        for s in range(0, da.size, _CHUNK):
            d32, n32 = _int32_days(np, da[s:s + _CHUNK]), na[s:s + _CHUNK]
            o = chunk[:d32.size]
            rc = lib.ehcp_calendar_add_batch(_buf(o), p, _buf(d32), _buf(n32), o.size)
            days[s:s + o.size] = o
            if rc != lib.EHCP_OK:
                miss = np.flatnonzero(o == lib.EHCP_DATE_NONE)
                bad, first = bad + miss.size, first if first >= 0 else s + int(miss[0])
                days[s + miss] = np.iinfo(np.int64).min  # NaT
        if bad and errors == "raise":
            self._raise_batch(first, "add", bad, da.size)
        return days.view("datetime64[D]").reshape(shape)

    @overload
    def is_working_day(self, d: DateLike) -> bool: ...  # type: ignore[misc]
    @overload
    def is_working_day(self, d: DateArray, *, errors: str = ...) -> "np.ndarray": ...

    def is_working_day(self, d, *, errors: str = "raise"):
        """Whether ``d`` is a working day. Arrays: a bool array
        (``ehcp_calendar_is_working_day_batch``); ``errors="coerce"`` masks
        out-of-range days instead of raising."""
        if _is_scalar(d):
            dd = day(d, "d")
            rc = lib.ehcp_calendar_is_working_day(self._p(), dd)
            if rc < 0:
                raise self._range_error(f"is_working_day({to_date(dd)})")
            return rc == 1
        import numpy as np
        shape, (da,) = _flat(np, _dates(np, d, "d"))
        da = da.view(np.int64)
        out = np.empty(da.size, dtype=np.int8)
        p, rc = self._p(), lib.EHCP_OK
        for s in range(0, out.size, _CHUNK):
            o, d32 = out[s:s + _CHUNK], _int32_days(np, da[s:s + _CHUNK])
            rc = min(rc, lib.ehcp_calendar_is_working_day_batch(_buf(o, "int8_t[]"), p, _buf(d32), o.size))
        out = out.reshape(shape)
        res = self._batch_result(np, rc, out, lambda: out < 0, errors, "is_working_day")
        if isinstance(res, np.ma.MaskedArray):
            return np.ma.MaskedArray(res.data == 1, mask=res.mask)
        return out.view(np.bool_)

    def _batch_result(self, np, rc: int, out, bad, errors: str, what: str):
        _check_errors(errors)
        if rc == lib.EHCP_OK:
            return out
        mask = bad()
        if errors == "coerce":
            return np.ma.MaskedArray(out, mask=mask)
        idx = np.flatnonzero(mask)
        self._raise_batch(int(idx[0]), what, idx.size, out.size)

    def _raise_batch(self, first: int, what: str, count: int, size: int):
        f, l = self.range
        raise RangeError(f"{strerror(lib.EHCP_ERR_RANGE)}: {what}: {count} of {size} outside the "
                         f"calendar's range {f}..{l}, the first at index {first}", lib.EHCP_ERR_RANGE)

    def next(self, d: DateLike) -> _dt.date:
        """``d`` if it is a working day, else the next working day."""
        return self._roll(lib.ehcp_calendar_next, d, "next")

    def previous(self, d: DateLike) -> _dt.date:
        """``d`` if it is a working day, else the previous working day."""
        return self._roll(lib.ehcp_calendar_previous, d, "previous")

    def _roll(self, fn, d: DateLike, what: str) -> _dt.date:
        out = ffi.new("ehcp_date *")
        dd = day(d, "d")
        if fn(out, self._p(), dd) != lib.EHCP_OK:
            raise self._range_error(f"{what}({to_date(dd)})")
        return to_date(out[0])

    # -- closures -----------------------------------------------------------
    def closures(self) -> List[Closure]:
        """Every named closure overlapping the calendar's range (bank
        holidays, closures, .ics events), sorted by first day then name."""
        p = self._p()
        first, last = ffi.new("ehcp_date *"), ffi.new("ehcp_date *")
        name, kind = ffi.new("const char **"), ffi.new("int *")
        out = []
        for i in range(lib.ehcp_calendar_closure_count(p)):
            lib.ehcp_calendar_closure(first, last, name, kind, p, i)
            out.append(Closure(to_date(first[0]), to_date(last[0]), ffi.string(name[0]).decode(),
                               _KINDS.get(kind[0], str(kind[0]))))
        return out

    def holidays(self, start: DateLike, end: DateLike) -> List[Holiday]:
        """Each day from ``start`` to ``end`` inclusive that is closed
        although it is not a weekend day, with its name (a bank holiday's
        name where closures overlap), as ``ehcp holidays`` lists them."""
        s, e = day(start, "start"), day(end, "end")
        if e < s:
            raise InvalidArgument(f"holidays: end {to_date(e)} is before start {to_date(s)}")
        if s < self._first or e > self._last:
            raise self._range_error(f"holidays({to_date(s)}, {to_date(e)})")
        names: dict = {}
        for c in self.closures():
            cf, cl = day(c.first), day(c.last)
            for d in range(max(cf, s), min(cl, e) + 1):
                if d not in names or c.kind == "bank_holiday":
                    names[d] = c
        out = []
        for d in sorted(names):
            if not self._weekend >> lib.ehcp_date_weekday(d) & 1:
                out.append(Holiday(to_date(d), names[d].name, names[d].kind))
        return out

