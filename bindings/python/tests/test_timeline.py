"""The worked scenarios of test/unit/test_timeline.c, through the binding:
the same events, as-of dates and expected (start, due, done, status, days
late, days left, exception) of timescales.md, computed by hand."""
import pytest

import ehcp
from conftest import D

NONE = None


@pytest.fixture(scope="module")
def rules():
    with ehcp.RuleSet("england-2014") as rs:
        yield rs


@pytest.fixture(scope="module")
def ev(rules, england):
    with ehcp.Evaluator(rules, england) as e:
        yield e


class Scenario:
    """One case set and an evaluator; mirrors begin()/add()/evaluate()/EXPECT."""

    def __init__(self, ev):
        self.ev = ev
        self.cs = ehcp.CaseSet()
        self.tl = None

    def add(self, cid, event, date, detail=None, end=None, ref=None):
        self.cs.add_event(cid, event, D(date), detail=detail, end=D(end) if end else None, ref=ref)
        return self

    def evaluate(self, cid, as_of, ev=None):
        self.tl = (ev or self.ev).evaluate(self.cs, cid, D(as_of))
        return self.tl

    def find(self, mid, k=0):
        occ = self.tl.occurrences(mid)
        assert len(occ) > k, f"{mid}[{k}] not in {[r.milestone for r in self.tl.milestones]}"
        return occ[k]

    def expect(self, mid, k, start, due, done, status, late, left, exc):
        r = self.find(mid, k)
        got = (r.start, r.due, r.done, r.status, r.days_late, r.days_left, r.exception)
        want = (D(start), D(due), None if done == "none" else D(done), status, late, left, bool(exc))
        assert got == want, f"{mid}[{k}]"
        return r


def test_week_conventions(ev, england):
    # timescales.md 3.2: received Wed 15 Jan 2025 -> 6 wks 26 Feb, 16 wks
    # 7 May, 20 wks 4 Jun (t0 + 7N); day-1 convention 20 wks Tue 3 Jun.
    s = Scenario(ev).add("C1", "request_received", "2025-01-15", "parent")
    s.evaluate("C1", "2025-03-01")
    s.expect("A1", 0, "2025-01-15", "2025-02-26", "none", "overdue", 3, NONE, 0)
    s.expect("A3", 0, "2025-01-15", "2025-05-07", "none", "due", NONE, 67, 0)
    s.expect("A5", 0, "2025-01-15", "2025-06-04", "none", "due", NONE, 95, 0)
    # Working days in (1 Mar, 4 Jun]: 21 + 20 + 20 + 3.
    assert s.find("A5").working_days_left == 64
    assert s.tl.stage == "request"
    assert s.tl.next.milestone == "A1"

    with ehcp.RuleSet(options={"week_counting": "t0_day1"}) as day1, ehcp.Evaluator(day1, england) as ev1:
        s.evaluate("C1", "2025-03-01", ev1)
        s.expect("A1", 0, "2025-01-15", "2025-02-25", "none", "overdue", 4, NONE, 0)
        s.expect("A5", 0, "2025-01-15", "2025-06-03", "none", "due", NONE, 94, 0)

    # Day 140 and day 141 (t0 + 140 = 4 Jun).
    s.add("C1", "assessment_decision", "2025-02-20", "yes").add("C1", "final_issued", "2025-06-04")
    s.evaluate("C1", "2025-07-01")
    s.expect("A1", 0, "2025-01-15", "2025-02-26", "2025-02-20", "met", NONE, NONE, 0)
    s.expect("A5", 0, "2025-01-15", "2025-06-04", "2025-06-04", "met", NONE, NONE, 0)
    s.expect("A3", 0, "2025-01-15", "2025-05-07", "none", "not_applicable", NONE, NONE, 0)
    s = Scenario(ev).add("C2", "request_received", "2025-01-15").add("C2", "final_issued", "2025-06-05")
    s.evaluate("C2", "2025-07-01")
    s.expect("A5", 0, "2025-01-15", "2025-06-04", "2025-06-05", "missed", 1, NONE, 0)
    assert s.tl.stage == "plan"


def school_calendar():
    # Summer closure Wed 23 Jul - Tue 2 Sep 2025 (reopens Wed 3 Sep: R - C =
    # 42 days) and October half-term 27-31 Oct.
    return ehcp.Calendar("england-and-wales", closures=[
        (D("2025-07-23"), D("2025-09-02"), "Summer"), (D("2025-10-27"), D("2025-10-31"), "Half term")])


@pytest.mark.parametrize("requested,adviser,ref,exception", [
    ("2025-07-16", "education", "URN100001", 1),  # first day of the window [C - 7, R - 7]
    ("2025-07-15", "education", "URN100001", 0),  # one day early
    ("2025-08-27", "education", "URN100001", 1),  # R - 7, inclusive by default
    ("2025-08-28", "education", "URN100001", 0),
    ("2025-07-16", "health", "URN100001", 0),     # not a school's advice
    ("2025-07-16", "education", "URN999999", 0),  # a school with no calendar
    ("2025-10-20", "education", "URN100001", 0),  # half-term: 9 days, never qualifies
])
def test_school_closure(rules, england, requested, adviser, ref, exception):
    with school_calendar() as school, ehcp.Evaluator(rules, england, settings={"URN100001": school}) as ev:
        s = Scenario(ev)
        s.add("S", "request_received", "2025-06-23", "parent")
        s.add("S", "assessment_decision", "2025-07-10", "yes")
        s.add("S", "advice_requested", requested, adviser, ref=ref)
        s.evaluate("S", "2025-12-01")
        # 23 Jun 2025 + 140 days = 10 Nov 2025.
        r = s.expect("A5", 0, "2025-06-23", "2025-11-10", "none", "overdue", 21, NONE, exception)
        assert r.exception_kind == ("school_closure" if exception else None)
        assert s.find("A2").exception is False  # advice never takes it


def test_school_closure_window_exclusive(england):
    with ehcp.RuleSet(options={"closure_window_end": "exclusive"}) as excl, school_calendar() as school, \
            ehcp.Evaluator(excl, england, settings={"URN100001": school}) as ev:
        s = Scenario(ev)
        s.add("S", "request_received", "2025-06-23", "parent")
        s.add("S", "advice_requested", "2025-08-27", "education", ref="URN100001")
        s.evaluate("S", "2025-12-01")
        assert s.find("A5").exception is False


def test_school_closure_from_ics(rules, england, tmp_path):
    ics = tmp_path / "school.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
                   "BEGIN:VEVENT\r\nUID:summer@test\r\nDTSTAMP:20250101T000000Z\r\n"
                   "DTSTART;VALUE=DATE:20250723\r\nDTEND;VALUE=DATE:20250903\r\nSUMMARY:Summer\r\n"
                   "END:VEVENT\r\nEND:VCALENDAR\r\n")
    with ehcp.Evaluator(rules, england, settings={"URN100001": str(ics)}) as ev:
        s = Scenario(ev)
        s.add("S", "request_received", "2025-06-23", "parent")
        s.add("S", "advice_requested", "2025-07-16", "education", ref="URN100001")
        s.evaluate("S", "2025-12-01")
        assert s.find("A5").exception_kind == "school_closure"


def test_absence_and_appointments(ev):
    # (d) needs one continuous absence of 28+ days: 3-29 Mar is 27 days.
    s = Scenario(ev).add("A", "request_received", "2025-01-15")
    s.add("A", "exception", "2025-03-03", "absence", end="2025-03-29")
    s.evaluate("A", "2025-06-10")
    s.expect("A5", 0, "2025-01-15", "2025-06-04", "none", "overdue", 6, NONE, 0)
    s = Scenario(ev).add("A", "request_received", "2025-01-15")
    s.add("A", "exception", "2025-03-03", "absence", end="2025-03-30")  # 28 days
    s.evaluate("A", "2025-06-10")
    r = s.expect("A5", 0, "2025-01-15", "2025-06-04", "none", "overdue", 6, NONE, 1)
    assert r.exception_kind == "absence"

    # A missed appointment excuses advice (reg 8(2)) but not the 20 weeks.
    s = Scenario(ev).add("M", "request_received", "2025-01-15")
    s.add("M", "assessment_decision", "2025-02-10", "yes")
    s.add("M", "advice_requested", "2025-02-11", "ep")
    s.add("M", "advice_requested", "2025-02-11", "health")
    s.add("M", "exception", "2025-03-05", "appointment_missed", end="2025-03-05")
    s.add("M", "advice_received", "2025-03-20", "health")
    s.evaluate("M", "2025-04-01")
    r = s.expect("A2", 0, "2025-02-11", "2025-03-25", "none", "overdue", 7, NONE, 1)  # ep
    assert r.exception_kind == "appointment_missed"
    s.expect("A2", 1, "2025-02-11", "2025-03-25", "2025-03-20", "met", NONE, NONE, 1)  # health
    s.expect("A5", 0, "2025-01-15", "2025-06-04", "none", "due", NONE, 64, 0)
    assert s.tl.stage == "assessment"


def test_draft_window(ev):
    # A4: at least 15 days beginning with the day served: served 1 May ->
    # last day 15 May; the final must come after it.
    s = Scenario(ev).add("W", "request_received", "2025-01-15").add("W", "draft_issued", "2025-05-01")
    s.evaluate("W", "2025-05-10")
    s.expect("A4", 0, "2025-05-01", "2025-05-15", "none", "due", NONE, 5, 0)
    assert s.tl.stage == "draft"
    s.add("W", "final_issued", "2025-05-15")
    s.evaluate("W", "2025-06-01")
    s.expect("A4", 0, "2025-05-01", "2025-05-15", "2025-05-15", "missed", NONE, NONE, 0)
    s = Scenario(ev).add("W", "request_received", "2025-01-15").add("W", "draft_issued", "2025-05-01")
    s.add("W", "final_issued", "2025-05-16")
    s.evaluate("W", "2025-06-01")
    s.expect("A4", 0, "2025-05-01", "2025-05-15", "2025-05-16", "met", NONE, NONE, 0)


def test_not_to_issue(ev):
    s = Scenario(ev).add("N", "request_received", "2025-01-15")
    s.add("N", "assessment_decision", "2025-02-20", "yes").add("N", "issue_decision", "2025-05-08", "no")
    s.evaluate("N", "2025-06-30")
    s.expect("A3", 0, "2025-01-15", "2025-05-07", "2025-05-08", "missed", 1, NONE, 0)
    s.expect("A5", 0, "2025-01-15", "2025-06-04", "none", "not_applicable", NONE, NONE, 0)
    assert s.tl.stage == "not_issued"
    assert s.tl.next is None

    s = Scenario(ev).add("R", "request_received", "2025-01-15")
    s.add("R", "assessment_decision", "2025-02-20", "no")
    s.evaluate("R", "2025-06-30")
    s.expect("A1", 0, "2025-01-15", "2025-02-26", "2025-02-20", "met", NONE, NONE, 0)
    s.expect("A5", 0, "2025-01-15", "2025-06-04", "none", "not_applicable", NONE, NONE, 0)
    assert s.tl.stage == "not_assessed"


def test_annual_reviews(ev, england):
    # IPSEA: meeting 1 Nov 2024, decision due 29 Nov, sent 25 Nov -> next
    # review due by 25 Nov 2025 (review clock restarts at the decision).
    s = Scenario(ev).add("R", "final_issued", "2023-12-01").add("R", "review_meeting", "2024-11-01")
    s.add("R", "review_decision", "2024-11-25", "maintain")
    s.evaluate("R", "2025-01-10")
    s.expect("B1", 0, "2023-12-01", "2024-12-01", "2024-11-25", "met", NONE, NONE, 0)
    s.expect("B1", 1, "2024-11-25", "2025-11-25", "none", "due", NONE, 319, 0)
    s.expect("B5", 0, "2024-11-01", "2024-11-29", "2024-11-25", "met", NONE, NONE, 0)
    s.expect("B4", 0, "2024-11-01", "2024-11-15", "none", "overdue", 56, NONE, 0)
    s.expect("B7'", 0, "2024-11-01", "2025-01-24", "none", "not_applicable", NONE, NONE, 0)
    assert s.tl.stage == "plan"

    with ehcp.RuleSet(options={"review_clock": "meeting"}) as meeting, ehcp.Evaluator(meeting, england) as evm:
        s.evaluate("R", "2025-01-10", evm)
        s.expect("B1", 0, "2023-12-01", "2024-12-01", "2024-11-01", "met", NONE, NONE, 0)
        s.expect("B1", 1, "2024-11-01", "2025-11-01", "none", "due", NONE, 295, 0)

    # Month ends and leap years: a plan of 29 Feb 2024 is due for review by
    # 28 Feb 2025; overdue from 1 Mar.
    s = Scenario(ev).add("L", "final_issued", "2024-02-29")
    s.evaluate("L", "2025-03-03")
    s.expect("B1", 0, "2024-02-29", "2025-02-28", "none", "overdue", 3, NONE, 0)
    s = Scenario(ev).add("L", "final_issued", "2024-01-31")
    s.add("L", "review_decision", "2025-01-31", "maintain").add("L", "plan_ceased", "2025-06-30", "moved_away")
    s.evaluate("L", "2026-03-01")
    s.expect("B1", 0, "2024-01-31", "2025-01-31", "2025-01-31", "met", NONE, NONE, 0)
    # Ceased before the next review fell due: the obligation lapsed.
    s.expect("B1", 1, "2025-01-31", "2026-01-31", "none", "not_applicable", NONE, NONE, 0)
    assert s.tl.stage == "ceased"


def test_amendment(ev):
    # Meeting Mon 6 Jan 2025; proposed amendments sent 31 Jan (B5: due 3 Feb);
    # final amended plan 28 Mar: B7 8 weeks from 31 Jan = 28 Mar (met on the
    # day); B7' 12 weeks from 6 Jan = 31 Mar.
    s = Scenario(ev).add("X", "final_issued", "2024-03-01").add("X", "review_meeting", "2025-01-06")
    s.add("X", "review_report", "2025-01-17").add("X", "review_decision", "2025-01-31", "amend")
    s.add("X", "review_draft", "2025-01-31")
    s.evaluate("X", "2025-03-01")
    assert s.tl.stage == "review"
    s.expect("B7", 0, "2025-01-31", "2025-03-28", "none", "due", NONE, 27, 0)
    s.add("X", "review_final", "2025-03-28")
    s.evaluate("X", "2025-04-01")
    s.expect("B4", 0, "2025-01-06", "2025-01-20", "2025-01-17", "met", NONE, NONE, 0)
    s.expect("B5", 0, "2025-01-06", "2025-02-03", "2025-01-31", "met", NONE, NONE, 0)
    s.expect("B7", 0, "2025-01-31", "2025-03-28", "2025-03-28", "met", NONE, NONE, 0)
    s.expect("B7'", 0, "2025-01-06", "2025-03-31", "2025-03-28", "met", NONE, NONE, 0)
    assert s.tl.stage == "plan"


def test_phase_transfer(ev):
    # Before 15 February of the transfer year: last day 14 Feb 2026, a
    # Saturday, with no roll-forward (3.4).
    s = Scenario(ev).add("P", "final_issued", "2020-06-01").add("P", "phase_transfer", "2026-09-01", "school")
    s.add("P", "phase_transfer_amended", "2026-02-16")
    s.evaluate("P", "2026-03-01")
    s.expect("B9", 0, "2026-09-01", "2026-02-14", "2026-02-16", "missed", 2, NONE, 0)
    s = Scenario(ev).add("P", "phase_transfer", "2026-09-01", "school")
    s.add("P", "phase_transfer_amended", "2026-02-13")
    s.evaluate("P", "2026-03-01")
    s.expect("B9", 0, "2026-09-01", "2026-02-14", "2026-02-13", "met", NONE, NONE, 0)
    # A planned transfer after the as-of date still counts.
    s = Scenario(ev).add("P", "phase_transfer", "2026-09-01", "post16")
    s.add("P", "phase_transfer", "2027-01-04", "post16_other")
    s.evaluate("P", "2026-01-05")
    s.expect("B10", 0, "2026-09-01", "2026-03-30", "none", "due", NONE, 84, 0)
    s.expect("B11", 0, "2027-01-04", "2026-08-04", "none", "due", NONE, 211, 0)
    s.evaluate("P", "2026-03-31")
    s.expect("B10", 0, "2026-09-01", "2026-03-30", "none", "overdue", 1, NONE, 0)


LOCAL = """\
[ruleset]
name = test-local
extends = england-2014
[milestone L2]
name = contact_reply
start = contact_received
end = contact_responded
pairing = ref
limit = 5 working_days
[milestone L5]
name = final_plan_stop_clock
label = 20 weeks with the clock stopped (local practice)
start = request_received
end = final_issued
limit = 20 weeks
exceptions = reg_10_4
stop_clock = yes
"""


def test_local_targets(england):
    with ehcp.RuleSet(None, text=LOCAL, source_name="local.ini") as rs, ehcp.Evaluator(rs, england) as ev:
        assert rs.name == "test-local"
        # Contact on Thu 17 Apr 2025, before Good Friday and Easter Monday:
        # the 5th working day after is Mon 28 Apr.
        s = Scenario(ev).add("T", "request_received", "2025-01-15")
        s.add("T", "contact_received", "2025-04-17", ref="Q1").add("T", "contact_received", "2025-04-17", ref="Q2")
        s.add("T", "contact_responded", "2025-04-29", ref="Q2").add("T", "contact_responded", "2025-04-28", ref="Q1")
        s.add("T", "exception", "2025-03-03", "absence", end="2025-03-30")
        s.evaluate("T", "2025-05-01")
        s.expect("L2", 0, "2025-04-17", "2025-04-28", "2025-04-28", "met", NONE, NONE, 0)
        r = s.expect("L2", 1, "2025-04-17", "2025-04-28", "2025-04-29", "missed", 1, NONE, 0)
        assert r.ref == "Q2" and r.statutory is False
        # Stop the clock: 4 Jun + 28 days of absence = 2 Jul; the statutory A5 keeps 4 Jun.
        s.expect("L5", 0, "2025-01-15", "2025-07-02", "none", "due", NONE, 62, 1)
        s.expect("A5", 0, "2025-01-15", "2025-06-04", "none", "due", NONE, 34, 1)


def test_covid(ev):
    s = Scenario(ev).add("V", "request_received", "2020-03-02")
    s.add("V", "exception", "2020-05-01", "covid", end="2020-09-25").add("V", "final_issued", "2020-08-03")
    s.evaluate("V", "2020-12-31")
    r = s.expect("A5", 0, "2020-03-02", "2020-07-20", "2020-08-03", "missed", 14, NONE, 1)
    assert r.exception_kind == "covid"


def test_events_after_as_of_ignored(ev):
    s = Scenario(ev).add("F", "request_received", "2025-01-15").add("F", "assessment_decision", "2025-03-10", "yes")
    s.evaluate("F", "2025-03-01")
    s.expect("A1", 0, "2025-01-15", "2025-02-26", "none", "overdue", 3, NONE, 0)
    assert s.tl.stage == "request"
    assert s.tl.as_of == D("2025-03-01")


@pytest.mark.parametrize("threads", [1, 4, 0])
def test_evaluate_set_threads(ev, threads):
    cs = ehcp.CaseSet()
    t0 = D("2024-01-01").toordinal()
    import datetime as dt
    for i in range(20000):
        cid = f"K{i:05d}"
        start = dt.date.fromordinal(t0 + i % 500)
        cs.add_event(cid, "request_received", start)
        if i % 3:
            cs.add_event(cid, "final_issued", dt.date.fromordinal(t0 + i % 500 + 100 + i % 90))
    tls = ev.evaluate_all(cs, D("2026-01-01"), threads=threads)
    assert len(tls) == 20000
    assert [t.case_id for t in tls[:3]] == ["K00000", "K00001", "K00002"]  # set order
    # Each case: A1, A3, A5; those with a plan (all issued by then) also B1.
    assert sum(len(t.milestones) for t in tls) == 20000 * 3 + 13333


def test_timeline_lookup(ev):
    s = Scenario(ev).add("C", "request_received", "2025-01-15")
    tl = s.evaluate("C", "2025-03-01")
    assert tl["A5"].name == "final_plan"
    with pytest.raises(KeyError):
        tl["Z9"]
    with pytest.raises(KeyError):
        ev.evaluate(s.cs, "no-such-case", D("2025-03-01"))
