"""Case sets from Python objects and from files: events, attributes, row
accounting, diagnostics, validation."""
import datetime as dt

import pytest

import ehcp
from conftest import SAMPLE, SAMPLE_AS_OF, TEST_DATA, D


def test_build_from_python():
    with ehcp.CaseSet() as cs:
        cs.add_event("C001", "final_issued", D("2025-06-04"))
        cs.add_event("C001", "request_received", D("2025-01-15"), detail="parent")
        cs.add_event("C001", "exception", D("2025-03-03"), detail="absence", end=D("2025-03-30"))
        cs.add_event("C002", "advice_requested", "2025-02-11", detail="education", ref="URN100001")
        cs.set_attribute("C001", "team", "North")
        cs.set_attribute("C001", "team", "South")  # replaces
        cs.set_attribute("C003", "team", "East")    # creates the case
        assert len(cs) == 3
        assert cs.ids() == ["C001", "C002", "C003"]
        assert "C002" in cs and "nope" not in cs and 5 not in cs
        c = cs["C001"]
        assert [(e.type, e.date) for e in c.events] == [
            ("request_received", D("2025-01-15")), ("exception", D("2025-03-03")),
            ("final_issued", D("2025-06-04"))]  # date order
        assert c.events[1] == ehcp.Event("exception", D("2025-03-03"), "absence", D("2025-03-30"), None, None, 0)
        assert c.attributes == {"team": "South"}
        assert cs["C002"].events[0].ref == "URN100001"
        assert [x.id for x in cs] == ["C001", "C002", "C003"]
        with pytest.raises(KeyError):
            cs["nope"]


def test_add_event_errors():
    with ehcp.CaseSet() as cs:
        with pytest.raises(ehcp.InvalidArgument) as e:
            cs.add_event("C1", "assessment_decision", D("2025-02-20"), detail="maybe")
        assert str(e.value) == "unknown assessment_decision detail 'maybe' (expected yes, no, withdrawn)"
        with pytest.raises(ehcp.InvalidArgument) as e:
            cs.add_event("C1", "draft_issued", D("2025-05-01"), detail="yes")
        assert str(e.value) == "draft_issued takes no detail, got 'yes'"
        with pytest.raises(ehcp.InvalidArgument, match="^unknown event 'final_issud'$"):
            cs.add_event("C1", "final_issud", D("2025-06-02"))
        with pytest.raises(ehcp.InvalidArgument, match="^empty case id$"):
            cs.add_event("", "final_issued", D("2025-06-02"))
        with pytest.raises(ehcp.RangeError, match="^no such day in that month$"):
            cs.add_event("C1", "final_issued", "31/04/2025")
        with pytest.raises(TypeError):
            cs.add_event("C1", "final_issued", 20250602)
        assert len(cs) == 0  # nothing was added


def test_add_events_records():
    with ehcp.CaseSet() as cs:
        n = cs.add_events([
            {"case_id": "A", "event": "request_received", "date": D("2025-01-15"), "detail": "parent"},
            ("A", "exception", D("2025-03-03"), "absence", D("2025-03-30"), None),
            ("B", "request_received", "2025-01-16", "setting"),
        ])
        assert n == 3 and cs.ids() == ["A", "B"]
        assert cs["A"].events[1].end == D("2025-03-30")
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"case_id": ["X", "X"], "event": ["request_received", "final_issued"],
                       "date": pd.to_datetime(["2025-01-15", "2025-06-04"]),
                       "detail": ["parent", None], "end_date": [pd.NaT, pd.NaT], "ref": [None, float("nan")]})
    with ehcp.CaseSet() as cs:
        assert cs.add_events(df) == 2
        assert [e.type for e in cs["X"].events] == ["request_received", "final_issued"]
        assert cs["X"].events[1].detail is None


def test_read_sample(sample):
    assert len(sample) == 306
    assert sample.reads == [
        ehcp.FileRead(str(SAMPLE / "events.csv"), "events_csv", 6254, 6254, 0, None),
        ehcp.FileRead(str(SAMPLE / "attributes.csv"), "attributes_csv", 306, 306, 0, None)]
    assert sample.diagnostics == []
    c = sample["X999000000001/1"]
    assert c.attributes == {"team": "East", "caseworker": "TV", "setting_type": "mainstream_primary",
                            "age_group": "5_10"}
    first = c.events[0]
    assert (first.type, first.date, first.detail, first.source, first.line) == (
        "request_received", D("2023-01-04"), "parent", str(SAMPLE / "events.csv"), 2)


def test_read_other_formats():
    with ehcp.CaseSet.read(SAMPLE / "sen2.xml") as cs:
        assert cs.reads[0].format == "sen2_xml"
        assert cs.reads[0][2:] == (306, 306, 0, SAMPLE_AS_OF)  # rows, accepted, rejected, reference date
    with ehcp.CaseSet.read(SAMPLE / "cases.csv", format="cases_csv") as cs:
        assert cs.reads[0][1:5] == ("cases_csv", 306, 306, 0)
        assert len(cs) == 306


def test_read_rows_with_errors():
    with ehcp.CaseSet.read(TEST_DATA / "csv" / "events-errors.csv") as cs:
        fr = cs.reads[0]
        assert (fr.rows_read, fr.accepted, fr.rejected) == (20, 3, 17)
        assert fr.rows_read == fr.accepted + fr.rejected
        d = cs.diagnostics
        assert len(d) == 19
        assert d[0] == ehcp.Diagnostic("error", "column_count", 205, str(TEST_DATA / "csv" / "events-errors.csv"),
                                       3, None, "E001", "row has 7 fields, the header has 6")
        assert d[8].message == "date '2023-02-29' is not a date (no such day in that month)"
        assert str(d[1]).endswith("error: missing_value: case_id is empty")


def test_read_text_and_mapping():
    text = ("Case ref,Date request received,Source\n"
            "M001,15/01/2025,parent\n"
            "M002,31/02/2025,setting\n")
    with ehcp.CaseSet() as cs:
        fr = cs.read_text(text, "export.csv", format="cases_csv",
                          columns={"case_id": "Case ref", "received_date": "Date request received",
                                   "request_source": ["Source", "Referred by"]})
        assert (fr.path, fr.format, fr.rows_read, fr.accepted, fr.rejected) == ("export.csv", "cases_csv", 2, 1, 1)
        msg = cs.diagnostics[0].message
        assert msg.startswith("received_date (column 'Date request received') '31/02/2025' is not a date")
        assert cs["M001"].events[0].date == D("2025-01-15")
    with ehcp.CaseSet() as cs:
        with pytest.raises(ehcp.InvalidArgument):
            cs.read_text(text, columns={"received": "Date"})


def test_read_failures(tmp_path):
    missing = tmp_path / "missing.csv"
    with pytest.raises(ehcp.FileError) as e:
        ehcp.CaseSet.read(missing)
    assert str(e.value) == f"{missing}: cannot open: No such file or directory"
    assert isinstance(e.value, OSError)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ehcp.ParseError) as e:
        ehcp.CaseSet.read(empty)
    assert str(e.value) == f"{empty}: file is empty"
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ehcp.ParseError, match="unknown format$"):
        ehcp.CaseSet.read(unknown)
    with pytest.raises(ehcp.InvalidArgument, match="^unknown format 'xlsx'"):
        ehcp.CaseSet.read(unknown, format="xlsx")


def test_validate(sample):
    with ehcp.CaseSet() as cs:
        cs.add_event("V", "request_received", D("2025-01-15"))
        cs.add_event("V", "draft_issued", D("2025-05-01"))
        cs.add_event("V", "final_issued", D("2025-04-01"))
        cs.add_event("V", "final_issued", D("2026-04-01"))
        codes = [d.code for d in cs.validate(D("2025-12-31"))]
        assert "draft_after_final" in codes and "event_after_as_of" in codes
        assert "event_after_as_of" not in [d.code for d in cs.validate()]
        assert cs["V"].validate(D("2025-12-31")) == cs.validate(D("2025-12-31"))
    d = sample.validate(SAMPLE_AS_OF)
    assert [x.severity for x in d].count("error") == 0  # as `ehcp validate` reports
    assert all(isinstance(x, ehcp.Diagnostic) for x in d)


def test_closed_case_set():
    cs = ehcp.CaseSet()
    cs.add_event("C", "request_received", D("2025-01-15"))
    c = cs["C"]
    cs.close()
    cs.close()  # idempotent
    assert cs.closed and repr(cs) == "<ehcp.CaseSet (closed)>"
    with pytest.raises(ehcp.Error, match="^this case set is closed$"):
        len(cs)
    with pytest.raises(ehcp.Error):
        c.events
    with pytest.raises(ehcp.Error):
        cs.add_event("C", "final_issued", D("2025-06-01"))
    with pytest.raises(ehcp.Error):
        with cs:
            pass


def test_threads_share_a_case_set():
    """Calls on one set from several threads take turns (the C set is not
    thread-safe while it is built): nothing is lost."""
    import threading
    cs = ehcp.CaseSet()

    def add(k):
        for i in range(2000):
            cs.add_event(f"T{k}-{i}", "request_received", dt.date(2025, 1, 1) + dt.timedelta(days=i % 300))
    threads = [threading.Thread(target=add, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cs) == 8000
    cs.close()
