"""The writers through the binding: the iCalendar of open deadlines and the
HTML board report are byte for byte what the `ehcp` tool writes, and each
result's uid is the UID of its event."""
import re
import subprocess

import pytest

import ehcp
from conftest import SAMPLE, SAMPLE_AS_OF

FILES = [str(SAMPLE / "events.csv"), str(SAMPLE / "attributes.csv")]
SETTING = str(SAMPLE / "school-term.ics")


def tool_output(tool, *args):
    return subprocess.run([tool, *args, *FILES, "--as-of", "2025-12-31", "--quiet"],
                          capture_output=True, check=True).stdout


def test_ics_matches_the_tool(sample, tool):
    got = ehcp.ics(sample, SAMPLE_AS_OF)
    assert got.encode() == tool_output(tool, "ics")
    assert got.startswith("BEGIN:VCALENDAR\r\n") and got.endswith("END:VCALENDAR\r\n")
    near = ehcp.ics(sample, SAMPLE_AS_OF, within=14, local_targets=True, name="Team North",
                    settings={"URN999001": SETTING})
    assert near.encode() == tool_output(tool, "ics", "--within", "14", "--local", "--name", "Team North",
                                        "--setting", f"URN999001={SETTING}")
    one = ehcp.ics(sample, SAMPLE_AS_OF, case_ids=["X999000000118/1", "X999000000238/1"])
    assert one.encode() == tool_output(tool, "ics", "--case", "X999000000118/1", "--case", "X999000000238/1")


def test_ics_uids_are_result_uids(sample):
    text = ehcp.ics(sample, SAMPLE_AS_OF)
    uids = re.findall(r"^UID:(\S+)\r$", text, flags=re.M)
    open_rows = ehcp.deadlines(sample, SAMPLE_AS_OF, open_only=True, statutory_only=True)
    assert uids == [r.uid for r in open_rows]
    assert all(re.fullmatch(r"[0-9a-f]{32}@ehcp", u) for u in uids)


def test_ics_errors(sample):
    with pytest.raises(ehcp.NotFoundError, match="nope"):
        ehcp.ics(sample, SAMPLE_AS_OF, case_ids=["nope"])


def test_report_matches_the_tool(sample, tool, tmp_path):
    html = ehcp.report_html(sample, SAMPLE_AS_OF, title="Board", subtitle="Synthetic council",
                            settings={"URN999001": SETTING})
    out = tmp_path / "board.html"
    tool_output(tool, "report", "--html", str(out), "--title", "Board", "--subtitle", "Synthetic council",
                "--setting", f"URN999001={SETTING}")
    assert html.encode() == out.read_bytes()
    assert "<svg" in html and "<script" not in html
    wide = ehcp.report_html(sample, SAMPLE_AS_OF, months=24, advice_by="year", target_20w=60)
    tool_output(tool, "report", "--html", str(out), "--months", "24", "--advice-by", "year", "--target", "60")
    assert wide.encode() == out.read_bytes()
    with pytest.raises(ehcp.InvalidArgument):
        ehcp.report_html(sample, SAMPLE_AS_OF, target_20w=0)
    with pytest.raises(ehcp.InvalidArgument):
        ehcp.report_html(sample, SAMPLE_AS_OF, advice_by="week")
