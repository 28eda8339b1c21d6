"""Dates and errors: strict parsing with the library's reasons, typed
exceptions carrying the library's messages."""
import datetime as dt

import pytest

import ehcp
from conftest import D


@pytest.mark.parametrize("text,want", [
    ("2025-01-15", "2025-01-15"), ("15/01/2025", "2025-01-15"), ("2025-Jan-15", "2025-01-15"),
    ("2025-jan-15", "2025-01-15"), ("2022-Sep-28 00:00:00", "2022-09-28"), ("0001-01-01", "0001-01-01"),
    ("9999-12-31", "9999-12-31")])
def test_parse_forms(text, want):
    assert ehcp.parse_date(text) == D(want)


@pytest.mark.parametrize("text,exc,reason", [
    ("", ehcp.ParseError, "empty"),
    (" 2025-01-15", ehcp.ParseError, "surrounding whitespace"),
    ("2025/01/15", ehcp.ParseError, "not a recognised date form"),
    ("01/15/2025", ehcp.RangeError, "month out of range"),
    ("2023-02-29", ehcp.RangeError, "no such day in that month"),
    ("31/04/2025", ehcp.RangeError, "no such day in that month"),
    ("2025-Foo-01", ehcp.ParseError, "unknown month name"),
    ("2022-Sep-28 10:00:00", ehcp.ParseError, "time must be 00:00:00"),
    ("2025-01-15x", ehcp.ParseError, "trailing characters"),
])
def test_bad_date_strings(text, exc, reason):
    with pytest.raises(exc) as e:
        ehcp.parse_date(text)
    assert str(e.value) == reason  # the library's reason, exactly
    assert e.value.input == text
    assert isinstance(e.value, ValueError) and isinstance(e.value, ehcp.Error)
    assert e.value.code == exc.code


def test_date_arithmetic():
    assert ehcp.add_weeks(D("2025-01-15"), 20) == D("2025-06-04")
    assert ehcp.add_months(D("2025-01-31"), 1) == D("2025-02-28")
    assert ehcp.add_months(D("2024-02-29"), 12) == D("2025-02-28")
    assert ehcp.add_months("31/01/2024", 1) == D("2024-02-29")
    assert ehcp.add_days(D("2025-12-31"), 1) == D("2026-01-01")
    with pytest.raises(ehcp.RangeError, match="^date or value out of range$"):
        ehcp.add_days(D("9999-12-31"), 1)


def test_hierarchy_and_codes():
    pairs = [(ehcp.NoMemoryError, -1, MemoryError), (ehcp.InvalidArgument, -2, ValueError),
             (ehcp.ParseError, -3, ValueError), (ehcp.RangeError, -4, ValueError),
             (ehcp.FileError, -5, OSError), (ehcp.NotFoundError, -6, LookupError), (ehcp.LimitError, -7, Exception)]
    for cls, code, base in pairs:
        assert issubclass(cls, ehcp.Error) and issubclass(cls, base) and cls.code == code
    assert ehcp.strerror(-4) == "date or value out of range"
    assert ehcp.strerror(-99) == "unknown error"


def test_unknown_region_and_unreadable_files(tmp_path):
    with pytest.raises(ehcp.InvalidArgument) as e:
        ehcp.Calendar("wales")
    assert str(e.value) == "unknown region 'wales' (use england-and-wales, scotland, northern-ireland or none)"
    missing = tmp_path / "school.ics"
    with pytest.raises(ehcp.FileError) as e:
        ehcp.Calendar(ics=[missing])
    assert str(e.value) == f"{missing}: cannot open: No such file or directory"
    bad = tmp_path / "bad.ics"
    bad.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20240230\r\n"
                   "END:VEVENT\r\nEND:VCALENDAR\r\n")
    with pytest.raises(ehcp.ParseError) as e:
        ehcp.Calendar(ics=[bad])
    assert str(e.value).startswith(f"{bad}:")


def test_version():
    assert ehcp.library_version() == ehcp.__version__ == "0.1.0"


def test_closed_objects():
    cal = ehcp.Calendar()
    with cal as c:
        assert c is cal
    assert cal.closed and repr(cal) == "<ehcp.Calendar (closed)>"
    with pytest.raises(ehcp.Error, match="^this calendar is closed$"):
        cal.count(dt.date(2025, 1, 1), dt.date(2025, 2, 1))
