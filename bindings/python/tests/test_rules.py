"""Rule sets: the built-in england-2014, files, text, options, errors."""
import pytest

import ehcp
from conftest import SOURCE_ROOT, D


def test_builtin():
    with ehcp.RuleSet() as rs:
        assert rs.name == "england-2014" and len(rs) == 13
        assert [m.id for m in rs.milestones] == ["A1", "A2", "A3", "A4", "A5", "B1", "B4", "B5", "B7",
                                                 "B7'", "B9", "B10", "B11"]
        assert rs.milestones[4] == ehcp.MilestoneDef("A5", "final_plan", True, "Final EHC plan issued",
                                                     "reg 13(2)")
        assert rs.options == {"week_counting": "t0_plus_7n", "review_clock": "decision",
                              "closure_window_end": "inclusive", "region": "england-and-wales"}
        assert rs.region == "england-and-wales"
        assert rs.option("no_such_option") is None
    with ehcp.RuleSet(None) as empty:
        assert len(empty) == 0


def test_options():
    with ehcp.RuleSet(options={"week_counting": "t0_day1", "region": "scotland"}) as rs:
        assert rs.option("week_counting") == "t0_day1"
        assert rs.region == "scotland"
        with pytest.raises(ehcp.InvalidArgument) as e:
            rs.set_option("week_counting", "fortnightly")
        assert str(e.value) == "unknown option or value: week_counting = fortnightly"


def test_files():
    with ehcp.RuleSet(file=SOURCE_ROOT / "rules" / "local-targets-example.ini") as rs:
        assert rs.name == "england-2014+local-example"
        local = [m.id for m in rs.milestones if m.id.startswith("L")]
        assert local == ["L1", "L2", "L3", "L4", "L5"]
        assert all(not m.statutory for m in rs.milestones if m.id.startswith("L"))
    with ehcp.RuleSet(None, file=[SOURCE_ROOT / "rules" / "wales-2021.ini"]) as wales:
        assert wales.name == "wales-2021"
        assert [m.id for m in wales.milestones] == ["W1", "W2"]


def test_errors(tmp_path):
    bad = "[milestone Z1]\nname = z\nstart = request_received\nend = final_issued\nlimit = 20 fortnights\n"
    with pytest.raises(ehcp.ParseError) as e:
        ehcp.RuleSet(text=bad, source_name="local.ini")
    assert str(e.value) == "local.ini:5: limit: unknown unit 'fortnights' (days, weeks, months or working_days)"
    with pytest.raises(ehcp.ParseError, match=r"^local.ini:2: extends: unknown built-in rule set 'nope'$"):
        ehcp.RuleSet(text="[ruleset]\nextends = nope\n", source_name="local.ini")
    with pytest.raises(ehcp.NotFoundError, match="unknown built-in rule set 'england-2099'"):
        ehcp.RuleSet("england-2099")
    missing = tmp_path / "missing.ini"
    with pytest.raises(ehcp.FileError) as e:
        ehcp.RuleSet(file=missing)
    assert str(e.value) == f"{missing}: cannot open: No such file or directory"
    # A failed load leaves the set unchanged.
    with ehcp.RuleSet() as rs:
        with pytest.raises(ehcp.ParseError):
            rs.load_text(bad, "local.ini")
        assert len(rs) == 13


def test_pinned_by_evaluator(england):
    """A rule set an evaluator uses can no longer change, and closing it
    early defers the free until the evaluator lets go."""
    rs = ehcp.RuleSet()
    ev = ehcp.Evaluator(rs, england)
    with pytest.raises(ehcp.InvalidArgument, match="in use by an evaluator"):
        rs.set_option("week_counting", "t0_day1")
    rs.close()
    assert rs.closed
    with pytest.raises(ehcp.Error, match="^this rule set is closed$"):
        rs.name
    cs = ehcp.CaseSet()
    cs.add_event("C", "request_received", D("2025-01-15"))
    assert ev.evaluate(cs, "C", D("2025-03-01"))["A5"].due == D("2025-06-04")  # still valid memory
    ev.close()
    assert rs._ptr is None  # freed with the last borrower
    cs.close()
