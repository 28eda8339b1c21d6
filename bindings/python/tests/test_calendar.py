"""Calendar facts of test/unit/test_calendar.c through the binding: regions,
hand-worked counts and N-th working days, rolls, closures, weekend masks,
range limits, and a day-by-day reference."""
import datetime as dt
import random

import pytest

import ehcp
from conftest import D


def test_regions():
    assert ehcp.Calendar("scotland").region == "scotland"
    assert ehcp.Calendar(None).region == "none"
    assert ehcp.Calendar("none").region == "none"
    for bad in ("england", "Scotland"):
        with pytest.raises(ehcp.InvalidArgument) as e:
            ehcp.Calendar(bad)
        assert str(e.value) == (f"unknown region '{bad}' "
                                "(use england-and-wales, scotland, northern-ireland or none)")
    with pytest.raises(ehcp.InvalidArgument, match=r"^unknown region 7$"):
        ehcp.Calendar(7)  # the builder's own message


def test_england(england):
    cal = england
    # 2025: 261 weekdays, 8 bank holidays, all on weekdays.
    assert cal.count(D("2025-01-01"), D("2026-01-01")) == 253
    assert cal.count(D("2026-01-01"), D("2025-01-01")) == -253
    assert cal.count(D("2025-05-02"), D("2025-05-02")) == 0
    # Fri 2 May 2025 -> Mon 5 May is the Early May bank holiday.
    assert cal.count(D("2025-05-02"), D("2025-05-07")) == 2
    assert cal.add(D("2025-05-02"), 1) == D("2025-05-06")
    assert cal.add(D("2025-05-06"), -1) == D("2025-05-02")
    # A 5-working-day reply across the Easter weekend 2025.
    assert cal.add(D("2025-04-16"), 5) == D("2025-04-25")
    assert cal.add(D("2025-12-24"), 1) == D("2025-12-29")
    assert cal.add(D("2025-12-29"), -1) == D("2025-12-24")
    assert cal.add(D("2025-12-27"), 0) == D("2025-12-27")
    assert cal.add(D("2025-12-27"), 1) == D("2025-12-29")
    assert cal.add(D("2025-12-27"), -1) == D("2025-12-24")
    assert cal.next(D("2025-12-25")) == D("2025-12-29")
    assert cal.previous(D("2025-12-28")) == D("2025-12-24")
    assert cal.next(D("2025-12-24")) == D("2025-12-24")
    assert cal.is_working_day(D("2025-08-25")) is False  # Summer bank holiday
    assert cal.is_working_day(D("2025-08-26")) is True
    assert cal.is_working_day(D("2025-08-23")) is False  # Saturday
    assert cal.region == "england-and-wales"
    assert cal.weekend == ("saturday", "sunday")

    closures = cal.closures()
    assert len(closures) > 900
    assert closures[0] == ehcp.Closure(D("1980-01-01"), D("1980-01-01"), "New Year’s Day", "bank_holiday")


def test_date_forms_and_types(england):
    # Any form the library parses, datetime.datetime and numpy.datetime64 scalars.
    np = pytest.importorskip("numpy")
    assert england.count("2025-01-01", "01/01/2026") == 253
    assert england.count("2025-Jan-01", "2026-Jan-01 00:00:00") == 253
    assert england.add(dt.datetime(2025, 12, 24, 15, 30), 1) == D("2025-12-29")
    assert england.add(np.datetime64("2025-12-24"), 1) == D("2025-12-29")
    assert england.count(np.datetime64("2025-01-01T10:00"), np.datetime64("2026-01-01")) == 253


def test_holidays(england):
    assert england.holidays("2025-12-01", "2026-01-31") == [
        ehcp.Holiday(D("2025-12-25"), "Christmas Day", "bank_holiday"),
        ehcp.Holiday(D("2025-12-26"), "Boxing Day", "bank_holiday"),
        ehcp.Holiday(D("2026-01-01"), "New Year’s Day", "bank_holiday")]
    # Substitute days are named; weekends are not listed.
    names = {h.date: h.name for h in england.holidays("2027-12-20", "2028-01-05")}
    assert names[D("2027-12-27")] == "Christmas Day (substitute day)"
    assert names[D("2027-12-28")] == "Boxing Day (substitute day)"
    assert D("2027-12-25") not in names
    # An office closure over Christmas: bank holidays keep their names.
    with ehcp.Calendar(closures=[(D("2025-12-24"), D("2026-01-01"), "Office closure")]) as cal:
        hol = cal.holidays("2025-12-22", "2026-01-05")
        assert [(h.date.isoformat(), h.name) for h in hol] == [
            ("2025-12-24", "Office closure"), ("2025-12-25", "Christmas Day"),
            ("2025-12-26", "Boxing Day"), ("2025-12-29", "Office closure"),
            ("2025-12-30", "Office closure"), ("2025-12-31", "Office closure"),
            ("2026-01-01", "New Year’s Day")]
    with pytest.raises(ehcp.InvalidArgument):
        england.holidays("2026-01-02", "2026-01-01")


def test_scotland_and_northern_ireland():
    with ehcp.Calendar("scotland") as sc, ehcp.Calendar("northern-ireland") as ni:
        assert sc.is_working_day(D("2025-01-02")) is False  # 2nd January
        assert sc.is_working_day(D("2025-04-21")) is True   # no Easter Monday
        assert sc.is_working_day(D("2025-08-04")) is False  # first Monday of August
        assert sc.is_working_day(D("2025-08-25")) is True
        assert sc.is_working_day(D("2025-12-01")) is False  # St Andrew's substitute
        assert ni.is_working_day(D("2025-03-17")) is False  # St Patrick's Day
        assert ni.is_working_day(D("2025-07-14")) is False  # Boyne substitute


def test_user_closures():
    with ehcp.Calendar("england-and-wales",
                       closures=[(D("2025-12-24"), D("2026-01-01"), "Office closure")]) as cal:
        assert cal.add(D("2025-12-23"), 1) == D("2026-01-02")
        assert cal.count(D("2025-12-22"), D("2026-01-05")) == 3  # Mon 22, Tue 23, Fri 2
        assert ehcp.Closure(D("2025-12-24"), D("2026-01-01"), "Office closure", "user") in cal.closures()
    with pytest.raises(ehcp.InvalidArgument) as e:
        ehcp.Calendar(closures=[(D("2025-12-24"), D("2025-12-23"), "x")])
    assert str(e.value) == "closure ends before it starts"
    # A closure without a name is called "Closure".
    with ehcp.Calendar(None, closures=[(D("2025-06-02"), D("2025-06-02"))]) as cal:
        assert cal.holidays("2025-06-02", "2025-06-02")[0].name == "Closure"


def test_weekend_masks():
    # A six-day week (only Sunday off), no holidays.
    with ehcp.Calendar(None, weekend=["sunday"]) as six:
        assert six.count(D("2025-01-06"), D("2025-01-20")) == 12
        assert six.add(D("2025-01-11"), 1) == D("2025-01-13")  # Sat -> Mon
    with ehcp.Calendar(None, weekend=[6]) as six:
        assert six.weekend == ("sunday",)
    # No weekend and no closures: working days are calendar days.
    with ehcp.Calendar(None, weekend=0) as every:
        assert every.count(D("2024-01-01"), D("2025-01-01")) == 366
        assert every.add(D("2024-02-28"), 1) == D("2024-02-29")
    with pytest.raises(ehcp.InvalidArgument):
        ehcp.Calendar(None, weekend=0x80)
    with pytest.raises(ehcp.InvalidArgument, match="unknown weekday"):
        ehcp.Calendar(None, weekend=["caturday"])


def test_range_limits(england):
    cal = england
    first, last = cal.range
    assert (first, last) == (D("1980-01-01"), D("2099-12-31"))
    one = dt.timedelta(days=1)
    msg = r"^date or value out of range: "
    with pytest.raises(ehcp.RangeError, match=msg):
        cal.count(first - one, last)
    with pytest.raises(ehcp.RangeError, match=msg):
        cal.count(first, last + 2 * one)
    assert cal.count(first, last + one) > 0
    with pytest.raises(ehcp.RangeError):
        cal.is_working_day(last + one)
    with pytest.raises(ehcp.RangeError):
        cal.is_working_day(first - one)
    with pytest.raises(ehcp.RangeError):
        cal.add(last, 1)  # New Year 2100 is outside
    with pytest.raises(ehcp.RangeError):
        cal.add(first, -1)
    with pytest.raises(ehcp.RangeError):
        cal.add(first, 2**31 - 1)
    with pytest.raises(ehcp.RangeError):
        cal.add(last, -2**31)
    with pytest.raises(ehcp.RangeError):
        cal.add(first, 2**40)  # beyond int32
    with pytest.raises(ehcp.RangeError):
        cal.next(last + one)
    assert cal.add(first, 1) == D("1980-01-02")

    # A range whose last day is a Saturday: no working day follows it.
    with ehcp.Calendar(None, range=(D("2025-01-06"), D("2025-01-11"))) as short:
        with pytest.raises(ehcp.RangeError):
            short.next(D("2025-01-11"))
        assert short.previous(D("2025-01-11")) == D("2025-01-10")

    with pytest.raises(ehcp.InvalidArgument):
        ehcp.Calendar(None, range=(D("2025-01-11"), D("2025-01-06")))
    with pytest.raises(ehcp.RangeError) as e:
        ehcp.Calendar(None, range=(D("1900-01-01"), D("2400-01-01")))
    assert str(e.value) == "calendar range 1900-01-01..2400-01-01 is longer than 400 years"
    # Bank holidays are only defined for 1980-2099.
    with pytest.raises(ehcp.RangeError) as e:
        ehcp.Calendar("scotland", range=(D("1970-01-01"), D("2000-01-01")))
    assert str(e.value) == ("calendar range 1970-01-01..2000-01-01: bank holidays are only defined "
                            "for 1980-2099")


def test_against_reference(england):
    """Day by day: working iff not a weekend and not inside a listed
    closure; counts and N-th days against a direct walk."""
    cal = england
    first, last = cal.range
    f0 = first.toordinal()
    span = last.toordinal() - f0 + 1
    work = [(dt.date.fromordinal(f0 + i).weekday() < 5) for i in range(span)]
    for c in cal.closures():
        for o in range(c.first.toordinal(), c.last.toordinal() + 1):
            work[o - f0] = False
    prefix = [0]
    for w in work:
        prefix.append(prefix[-1] + w)
    assert all(cal.is_working_day(dt.date.fromordinal(f0 + i)) == work[i] for i in range(0, span, 7))
    rnd = random.Random(20250115)
    for _ in range(3000):
        b = rnd.randrange(span + 1)
        e = b + rnd.randrange(-550, 550)
        if not 0 <= e <= span:
            continue
        want = prefix[e] - prefix[b] if e >= b else -(prefix[b] - prefix[e])
        assert cal.count(dt.date.fromordinal(f0 + b), dt.date.fromordinal(f0 + e)) == want
        if b == span:
            continue
        nth = (e - b) // 2
        d, k = b, nth
        while k != 0 and 0 <= d < span:
            d += 1 if k > 0 else -1
            if 0 <= d < span and work[d]:
                k += -1 if k > 0 else 1
        if 0 <= d < span:
            assert cal.add(dt.date.fromordinal(f0 + b), nth) == dt.date.fromordinal(f0 + d)
        else:
            with pytest.raises(ehcp.RangeError):
                cal.add(dt.date.fromordinal(f0 + b), nth)


def test_ics_closures(tmp_path):
    ics = tmp_path / "school.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
                   "BEGIN:VEVENT\r\nUID:a@test\r\nDTSTAMP:20250101T000000Z\r\n"
                   "DTSTART;VALUE=DATE:20251027\r\nDTEND;VALUE=DATE:20251101\r\nSUMMARY:Half term\r\n"
                   "END:VEVENT\r\nEND:VCALENDAR\r\n")
    with ehcp.Calendar("england-and-wales", ics=[ics]) as cal:
        assert cal.count(D("2025-10-27"), D("2025-11-03")) == 0
        assert [h.name for h in cal.holidays("2025-10-27", "2025-10-31")] == ["Half term"] * 5
        assert cal.holidays("2025-10-27", "2025-10-27")[0].kind == "ics"
