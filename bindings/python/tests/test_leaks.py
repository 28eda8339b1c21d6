"""No leaks over many create/free cycles: the resident set size stays flat
(within a margin) while objects are created and freed 100,000 times, by
close(), by `with` blocks and by the garbage collector (ffi.gc).

Under AddressSanitizer (EHCP_SANITIZED=1) the quarantine makes RSS grow by
design: the cycles still run, fewer of them, for ASan to check every free,
but RSS is not compared."""
import datetime as dt
import gc
import os

import pytest

import ehcp
from conftest import SAMPLE

SANITIZED = os.environ.get("EHCP_SANITIZED") == "1"
CYCLES = 5_000 if SANITIZED else 100_000
MARGIN = 4 << 20  # bytes
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    gc.collect()
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def flat(cycle, n=CYCLES, warmup=2_000):
    for i in range(min(warmup, n)):
        cycle(i)
    before = rss()
    for i in range(n):
        cycle(i)
    grown = rss() - before
    if not SANITIZED:
        assert grown < MARGIN, f"RSS grew by {grown / 2**20:.1f} MiB over {n} cycles"
    return grown


JAN1, DEC31 = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def test_calendars_close():
    def cycle(i):
        cal = ehcp.Calendar("england-and-wales", range=(JAN1, DEC31),
                            closures=[(dt.date(2025, 12, 24), DEC31, "Office closure")])
        assert cal.count(JAN1, DEC31) > 200
        cal.close()
    flat(cycle)


def test_calendars_with_and_gc():
    def cycle(i):
        if i % 2:
            with ehcp.Calendar("scotland", range=(JAN1, DEC31)) as cal:
                cal.holidays(JAN1, DEC31)
        else:
            ehcp.Calendar(None, range=(JAN1, DEC31)).add(JAN1, 5)  # freed by the collector
    flat(cycle)


def test_full_range_calendars():
    # Full 1980-2099 calendars are ~0.4 ms each to build: fewer cycles.
    flat(lambda i: ehcp.Calendar("england-and-wales").close(), n=CYCLES // 20, warmup=500)


def test_case_sets():
    def cycle(i):
        cs = ehcp.CaseSet()
        cs.add_event(f"C{i}", "request_received", JAN1, detail="parent")
        cs.add_event(f"C{i}", "exception", dt.date(2025, 3, 3), detail="absence", end=dt.date(2025, 3, 30))
        cs.set_attribute(f"C{i}", "team", "North")
        try:
            cs.add_event(f"C{i}", "draft_issued", JAN1, detail="yes")  # an error message kept by the set
        except ehcp.InvalidArgument:
            pass
        cs.validate(DEC31)
        if i % 2:
            cs.close()
    flat(cycle)


def test_reading_evaluating_and_errors(tmp_path):
    text = ("case_id,event,date,detail,end_date,ref\n"
            "A,request_received,2025-01-15,parent,,\n"
            "A,assessment_decision,2025-02-20,maybe,,\n"
            "A,final_issued,2025-06-05,,,\n")
    missing = str(tmp_path / "missing.csv")
    rules = ehcp.RuleSet()
    cal = ehcp.Calendar()

    def cycle(i):
        with ehcp.CaseSet() as cs:
            cs.read_text(text, "x.csv")
            assert len(cs.diagnostics) == 1
            with ehcp.Evaluator(rules, cal) as ev:
                assert ev.evaluate(cs, "A", DEC31)["A5"].status == "missed"
                assert len(ev.evaluate_all(cs, DEC31, threads=1)) == 1
            try:
                cs.read_file(missing)
            except ehcp.FileError:
                pass
        try:
            ehcp.parse_date("31/02/2025")
        except ehcp.RangeError:
            pass
    flat(cycle, n=CYCLES // 5)
    rules.close()
    cal.close()


def test_rule_sets_measures_cohorts_writers():
    with ehcp.CaseSet.read(SAMPLE / "events.csv", SAMPLE / "attributes.csv") as sample:
        small = ehcp.CaseSet()
        for cid in sample.ids()[:20]:
            for e in sample[cid].events:
                small.add_event(cid, e.type, e.date, e.detail, e.end, e.ref)
            for k, v in sample[cid].attributes.items():
                small.set_attribute(cid, k, v)
    rules = ehcp.RuleSet()
    cal = ehcp.Calendar()
    ev = ehcp.Evaluator(rules, cal)

    def cycle(i):
        with ehcp.RuleSet(options={"week_counting": "t0_day1"}):
            pass
        ehcp.compliance(small, by="year", group_by=["team"], as_of=DEC31, evaluator=ev, as_frame=False)
        ehcp.cohorts(small, DEC31, evaluator=ev, as_frame=False)
        ehcp.waiting_times(small, DEC31, evaluator=ev, as_frame=False)
        ehcp.ics(small, DEC31, evaluator=ev, name="Team")
        ehcp.report_html(small, DEC31, evaluator=ev, title="Board")
    flat(cycle, n=CYCLES // 50, warmup=200)
    ev.close()
    rules.close()
    cal.close()
    small.close()


def test_numpy_batches():
    np = pytest.importorskip("numpy")
    cal = ehcp.Calendar()
    b = np.arange(np.datetime64("2025-01-01"), np.datetime64("2025-04-11"))
    e = b + 30

    def cycle(i):
        cal.count(b, e)
        cal.add(b, 3)
        cal.is_working_day(b)
        cal.count(b, e - 20000, errors="coerce")
    flat(cycle, n=CYCLES // 5)
    cal.close()
