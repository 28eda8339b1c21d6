"""Case sets, readers and diagnostics (include/ehcp/case.h, reader.h, diagnostic.h)."""
from __future__ import annotations

import datetime as _dt
import os
import threading
from typing import Any, Dict, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Union

from ._ehcp_cffi import ffi, lib
from ._errors import InvalidArgument, check, error_for
from ._util import DateLike, Owner, cstr, day, day_or_none, stext, text, to_date, to_date_or_none

PathLike = Union[str, "os.PathLike[str]"]

_FORMATS = {"auto": lib.EHCP_FORMAT_AUTO, "events_csv": lib.EHCP_FORMAT_EVENTS_CSV,
            "attributes_csv": lib.EHCP_FORMAT_ATTRIBUTES_CSV, "cases_csv": lib.EHCP_FORMAT_CASES_CSV,
            "sen2_xml": lib.EHCP_FORMAT_SEN2_XML}


class Event(NamedTuple):
    """One dated event of a case, as the library holds it."""
    type: str
    date: _dt.date
    detail: Optional[str]
    end: Optional[_dt.date]
    ref: Optional[str]
    source: Optional[str]
    line: int


class Diagnostic(NamedTuple):
    """A problem in the data: severity (``error``, ``warning``, ``note``),
    stable code name and number, where (file, line, XML path), the case and
    the library's message."""
    severity: str
    code: str
    code_number: int
    source: Optional[str]
    line: int
    path: Optional[str]
    case_id: Optional[str]
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}: " if self.source and self.line else (
            f"{self.source}: " if self.source else "")
        case = f"{self.case_id}: " if self.case_id else ""
        return f"{where}{case}{self.severity}: {self.code}: {self.message}"


class FileRead(NamedTuple):
    """Row accounting of one file read: ``rows_read == accepted + rejected``.
    ``reference_date`` is a SEN2 return's reference date (else None)."""
    path: str
    format: str
    rows_read: int
    accepted: int
    rejected: int
    reference_date: Optional[_dt.date]


def format_code(fmt: Union[str, int]) -> int:
    if isinstance(fmt, int):
        return fmt
    try:
        return _FORMATS[fmt]
    except KeyError:
        raise InvalidArgument(f"unknown format '{fmt}' (use {', '.join(_FORMATS)})") from None


def event_type(name: Union[str, int]) -> int:
    if isinstance(name, int):
        return name
    raw = cstr(name, "event")
    out = ffi.new("int *")
    if lib.ehcp_event_type_from_name(out, raw, len(raw)) != lib.EHCP_OK:
        raise InvalidArgument(f"unknown event '{name}'")
    return out[0]


def diagnostics_list(d) -> List[Diagnostic]:
    out = []
    for i in range(lib.ehcp_diagnostics_count(d)):
        g = lib.ehcp_diagnostics_get(d, i)
        out.append(Diagnostic(text(lib.ehcp_severity_name(g.severity)) or str(g.severity),
                              text(lib.ehcp_diag_code_name(g.code)) or str(g.code), g.code,
                              text(g.source), g.line, text(g.path), text(g.case_id),
                              text(g.message) or ""))
    return out


class Case:
    """A view of one case of a :class:`CaseSet` (it reads the set live)."""

    __slots__ = ("_set", "id")

    def __init__(self, case_set: "CaseSet", case_id: str) -> None:
        self._set = case_set
        self.id = case_id

    def _c(self):
        c = lib.ehcp_case_set_find(self._set._p(), cstr(self.id))
        if c == ffi.NULL:
            raise KeyError(self.id)
        return c

    @property
    def events(self) -> List[Event]:
        """The case's events in date order (ties keep the order of arrival)."""
        with self._set._use:
            c = self._c()
            t, d, e = ffi.new("int *"), ffi.new("ehcp_date *"), ffi.new("ehcp_date *")
            detail, ref, src = ffi.new("const char **"), ffi.new("const char **"), ffi.new("const char **")
            line = ffi.new("uint32_t *")
            out = []
            for i in range(lib.ehcp_case_event_count(c)):
                lib.ehcp_case_event(t, d, detail, e, ref, c, i)
                lib.ehcp_case_event_source(src, line, c, i)
                out.append(Event(text(lib.ehcp_event_type_name(t[0])) or str(t[0]), to_date(d[0]),
                                 text(detail[0]), to_date_or_none(e[0]), text(ref[0]), text(src[0]),
                                 line[0]))
            return out

    @property
    def attributes(self) -> Dict[str, str]:
        """The case's attributes, in order of first setting."""
        with self._set._use:
            c = self._c()
            name, value = ffi.new("const char **"), ffi.new("const char **")
            out = {}
            for i in range(lib.ehcp_case_attribute_count(c)):
                lib.ehcp_case_attribute_at(name, value, c, i)
                out[stext(name[0])] = stext(value[0])
            return out

    def validate(self, as_of: Optional[DateLike] = None) -> List[Diagnostic]:
        """Chronology and consistency checks of this case (``ehcp_validate_case``)."""
        return self._set._validate(as_of, self)

    def __repr__(self) -> str:
        return f"<ehcp.Case {self.id!r}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Case) and other._set is self._set and other.id == self.id

    def __hash__(self) -> int:
        return hash((id(self._set), self.id))


class CaseSet(Owner):
    """Cases keyed by id, each with dated events and string attributes.

    Build one from files with :meth:`read` (events CSV, attributes CSV,
    cases CSV, SEN2 XML; problems in rows become :attr:`diagnostics`, with
    exact row accounting in :attr:`reads`) or from Python objects with
    :meth:`add_event` and :meth:`set_attribute`. Events may arrive in any
    order. A case set may be used from several threads: calls on one set
    take turns (the C object is not thread-safe while it is built).
    """

    _kind = "case set"

    def __init__(self) -> None:
        super().__init__()
        self._use = threading.RLock()
        ps = ffi.new("ehcp_case_set **")
        check(lib.ehcp_case_set_new(ps))
        pd = ffi.new("ehcp_diagnostics **")
        rc = lib.ehcp_diagnostics_new(pd)
        if rc != lib.EHCP_OK:
            lib.ehcp_case_set_free(ps[0])
            check(rc)
        self._diags = ffi.gc(pd[0], lib.ehcp_diagnostics_free)
        self._own(ps[0], lib.ehcp_case_set_free)
        self._reads: List[FileRead] = []

    def _release(self) -> None:
        with self._use:
            super()._release()
            d, self._diags = self._diags, None
            if d is not None:
                ffi.release(d)

    # -- reading ------------------------------------------------------------
    @classmethod
    def read(cls, *paths: PathLike, format: Union[str, int] = "auto",
             columns: Optional[Mapping[str, Union[str, Sequence[str]]]] = None) -> "CaseSet":
        """A new case set read from ``paths`` (each detected by its content
        unless ``format`` is given). Row problems do not raise: see
        :attr:`diagnostics` and :attr:`reads`. An unreadable file or an
        unknown format raises :class:`FileError` / :class:`ParseError` with
        the reader's message. ``columns`` maps cases CSV fields to a file's
        own headers (``{"received_date": "Date request received"}``)."""
        cs = cls()
        try:
            for p in paths:
                cs.read_file(p, format=format, columns=columns)
        except BaseException:
            cs.close()
            raise
        return cs

    def read_file(self, path: PathLike, *, format: Union[str, int] = "auto",
                  columns: Optional[Mapping[str, Union[str, Sequence[str]]]] = None) -> FileRead:
        """Read one more file into this set; returns its row accounting."""
        return self._read(lambda r: lib.ehcp_reader_read_file(r, os.fsencode(path), format_code(format)),
                          os.fsdecode(path), columns)

    def read_text(self, data: Union[str, bytes], name: str = "(buffer)", *,
                  format: Union[str, int] = "auto",
                  columns: Optional[Mapping[str, Union[str, Sequence[str]]]] = None) -> FileRead:
        """Read CSV or XML text held in memory, named ``name`` in diagnostics."""
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        return self._read(lambda r: lib.ehcp_reader_read_buffer(r, raw, len(raw), cstr(name, "name"),
                                                               format_code(format)), name, columns)

    def _read(self, call, name: str, columns) -> FileRead:
        with self._use:
            pr = ffi.new("ehcp_reader **")
            check(lib.ehcp_reader_new(pr, self._p(), self._diags))
            r = ffi.gc(pr[0], lib.ehcp_reader_free)
            try:
                for field, headers in (columns or {}).items():
                    for h in [headers] if isinstance(headers, str) else headers:
                        check(lib.ehcp_reader_map_column(r, cstr(field, "field"), cstr(h, "header")),
                              lib.ehcp_reader_errmsg, r)
                check(call(r), lib.ehcp_reader_errmsg, r)
                n = [ffi.new("uint64_t *") for _ in range(3)]
                lib.ehcp_reader_last_counts(n[0], n[1], n[2], r)
                ref = lib.ehcp_reader_reference_date(r)
                fr = FileRead(name, text(lib.ehcp_format_name(lib.ehcp_reader_last_format(r))) or "",
                              n[0][0], n[1][0], n[2][0], to_date_or_none(ref))
            finally:
                ffi.release(r)
            self._reads.append(fr)
            return fr

    @property
    def reads(self) -> List[FileRead]:
        """Row accounting of every file read into this set, in order."""
        return list(self._reads)

    @property
    def diagnostics(self) -> List[Diagnostic]:
        """Every diagnostic the readers reported for this set, in order."""
        with self._use:
            self._p()
            return diagnostics_list(self._diags)

    # -- building from Python -------------------------------------------------
    def add_event(self, case_id: str, event: Union[str, int], date: DateLike, detail: Optional[str] = None,
                  end: Optional[DateLike] = None, ref: Optional[str] = None) -> None:
        """Add an event to case ``case_id`` (created if new). ``event`` is a
        name from data-formats.md (``"request_received"``...), ``detail`` its
        detail word (``"parent"``, ``"yes"``, an adviser...), ``end`` the last
        day of an exception, ``ref`` a pairing reference (a setting's URN
        for advice, a contact id). Raises :class:`InvalidArgument` with the
        library's reason for a bad event, detail or date."""
        t = event_type(event)
        args = (cstr(case_id, "case_id"), t, day(date, "date"), cstr(detail, "detail"),
                day_or_none(end, "end"), cstr(ref, "ref"))
        with self._use:
            p = self._p()
            check(lib.ehcp_case_set_add_event(p, *args), lib.ehcp_case_set_errmsg, p)

    def add_events(self, records: Iterable[Any]) -> int:
        """Add many events: each record a mapping with keys ``case_id``,
        ``event``, ``date`` and optionally ``detail``, ``end_date`` (or
        ``end``), ``ref``; or a tuple in that order; or the rows of a pandas
        DataFrame with those columns. Missing values (None, NaN, NaT) are
        absent. Returns the number added."""
        if hasattr(records, "to_dict") and hasattr(records, "columns"):
            records = records.to_dict("records")
        n = 0
        for rec in records:
            if isinstance(rec, Mapping):
                get = rec.get
                cid, ev, d = rec["case_id"], rec["event"], rec["date"]
                detail, ref = _opt(get("detail")), _opt(get("ref"))
                end = _opt(get("end_date", get("end")))
            else:
                cid, ev, d, detail, end, ref = (tuple(rec) + (None,) * 3)[:6]
                detail, end, ref = _opt(detail), _opt(end), _opt(ref)
            self.add_event(str(cid), ev, d, detail=detail, end=end, ref=ref)
            n += 1
        return n

    def set_attribute(self, case_id: str, name: str, value: str) -> None:
        """Set attribute ``name`` of case ``case_id`` (created if new)."""
        with self._use:
            p = self._p()
            check(lib.ehcp_case_set_set_attribute(p, cstr(case_id, "case_id"), cstr(name, "name"),
                                                  cstr(value, "value")), lib.ehcp_case_set_errmsg, p)

    # -- looking at it ----------------------------------------------------------
    def __len__(self) -> int:
        return lib.ehcp_case_set_count(self._p())

    def ids(self) -> List[str]:
        """Case ids in the order cases were first seen."""
        with self._use:
            p = self._p()
            return [stext(lib.ehcp_case_id(lib.ehcp_case_set_get(p, i)))
                    for i in range(lib.ehcp_case_set_count(p))]

    def __iter__(self) -> Iterator[Case]:
        return iter([Case(self, i) for i in self.ids()])

    def __contains__(self, case_id: object) -> bool:
        if not isinstance(case_id, str):
            return False
        with self._use:
            return lib.ehcp_case_set_find(self._p(), cstr(case_id)) != ffi.NULL

    def __getitem__(self, case_id: str) -> Case:
        if case_id not in self:
            raise KeyError(case_id)
        return Case(self, case_id)

    def __repr__(self) -> str:
        return "<ehcp.CaseSet (closed)>" if self.closed else f"<ehcp.CaseSet {len(self)} cases>"

    def validate(self, as_of: Optional[DateLike] = None) -> List[Diagnostic]:
        """Chronology and consistency checks of every case as of ``as_of``
        (codes 100-108, ``ehcp_validate_set``); with no date the
        event_after_as_of check is skipped."""
        return self._validate(as_of, None)

    def _validate(self, as_of: Optional[DateLike], case: Optional[Case]) -> List[Diagnostic]:
        pd = ffi.new("ehcp_diagnostics **")
        check(lib.ehcp_diagnostics_new(pd))
        d = ffi.gc(pd[0], lib.ehcp_diagnostics_free)
        try:
            a = day_or_none(as_of, "as_of")
            with self._use:
                if case is None:
                    rc = lib.ehcp_validate_set(d, self._p(), a)
                else:
                    rc = lib.ehcp_validate_case(d, case._c(), a)
            if rc != lib.EHCP_OK:
                raise error_for(rc)
            return diagnostics_list(d)
        finally:
            ffi.release(d)


def _opt(v: Any) -> Any:
    """None for a missing value (None, NaN, NaT, empty string)."""
    if v is None:
        return None
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, str) and v == "":
        return None
    if type(v).__name__ in ("NaTType", "NAType"):
        return None
    return v
