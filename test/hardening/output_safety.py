#!/usr/bin/env python3
"""Output safety of the ehcp tool (data-formats.md 6).

1. CSV: a text cell that Excel would read as a formula (starting with =, +,
   -, @, tab or CR) is prefixed with ' , in every command's CSV output that
   carries text from the data: case ids (deadlines, validate), group names
   (compliance), closure names from an .ics (holidays).
2. JSON: valid for any input bytes. Case ids, refs and attribute values with
   invalid UTF-8 (a stray byte, an overlong form, a surrogate, a truncated
   sequence) must come out escaped or replaced, never passed through: the
   output decodes strictly as UTF-8 and parses as JSON, the command does not
   fail, and nothing is dropped (every case, every diagnostic).
3. The same bytes through the .ics export and the HTML report: strict UTF-8,
   and the report is well-formed XML.

Environment: EHCP_TOOL, the ehcp program.
"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

TOOL = os.environ.get("EHCP_TOOL", "build/tools/ehcp/ehcp")
AS_OF = "2025-12-31"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(*args):
    p = subprocess.run([TOOL, *args], capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def csv_rows(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


FORMULA_IDS = ["=1+1", "+A", "-B", "@C", "\tD", "\rE", '=HYPERLINK("http://x","y")',
               "=cmd|' /C calc'!A0", "-2+3"]


def quote(cell):
    return '"' + cell.replace('"', '""') + '"'


def neutralised(cell, original):
    """The cell as written is safe and says the original with a ' prefix."""
    if original[0] in "=+-@\t\r":
        return cell == "'" + original
    return cell == original


def test_csv_formulas(tmp):
    events = os.path.join(tmp, "formulas.csv")
    attrs = os.path.join(tmp, "formula-attrs.csv")
    with open(events, "w", newline="") as f:
        f.write("case_id,event,date,detail,end_date,ref\n")
        for cid in FORMULA_IDS:
            f.write(f"{quote(cid)},request_received,2025-01-15,parent,,\n")
            f.write(f"{quote(cid)},assessment_decision,2025-02-20,yes,,\n")
            f.write(f"{quote(cid)},final_issued,2025-06-02,,,\n")
        # a bad row, so that validate reports a case id that is a formula
        f.write('"=BAD()",request_received,2025-02-30,parent,,\n')
    with open(attrs, "w", newline="") as f:
        f.write("case_id,team\n")
        for i, cid in enumerate(FORMULA_IDS):
            f.write(f"{quote(cid)},{quote(FORMULA_IDS[(i + 1) % len(FORMULA_IDS)])}\n")

    rc, out, err = run("deadlines", events, "--as-of", AS_OF, "--format", "csv", "--quiet")
    check(rc == 0, f"deadlines --format csv exit status {rc}: {err!r}")
    rows = csv_rows(out)
    ids = {r[0] for r in rows[1:]}
    for cid in FORMULA_IDS:
        check(("'" + cid if cid[0] in "=+-@\t\r" else cid) in ids,
              f"deadlines csv: case id {cid!r} not written neutralised (got {sorted(ids)!r})")
    for r in rows[1:]:
        for cell in r:
            check(not cell or cell[0] not in "=+-@\t\r",
                  f"deadlines csv: a cell starts with a formula character: {cell!r}")

    rc, out, err = run("validate", events, "--as-of", AS_OF, "--format", "csv", "--quiet")
    check(rc == 1, f"validate exit status {rc} (one bad row): {err!r}")
    rows = csv_rows(out)
    check(any(r[2] == "'=BAD()" for r in rows[1:]),
          f"validate csv: case '=BAD()' not neutralised: {rows!r}")
    for r in rows[1:]:
        for cell in r:
            check(not cell or cell[0] not in "=+-@\t\r",
                  f"validate csv: a cell starts with a formula character: {cell!r}")

    rc, out, err = run("compliance", events, attrs, "--as-of", AS_OF, "--group-by", "team",
                       "--by", "year", "--format", "csv", "--quiet")
    check(rc == 0, f"compliance --group-by exit status {rc}: {err!r}")
    rows = csv_rows(out)
    header = rows[0] if rows else []
    check("group" in header, f"compliance csv has no group column: {header!r}")
    if "group" in header:
        g = header.index("group")
        groups = {r[g] for r in rows[1:]}
        for team in FORMULA_IDS:
            if team[0] in "=+-@\t\r":
                check(team not in groups, f"compliance csv: group {team!r} written as is")
        for r in rows[1:]:
            check(not r[g] or r[g][0] not in "=+-@\t\r",
                  f"compliance csv: group cell {r[g]!r} is a formula")

    ics = os.path.join(tmp, "formula.ics")
    with open(ics, "w", newline="") as f:
        f.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
                "BEGIN:VEVENT\r\nUID:a@t\r\nDTSTAMP:20250101T000000Z\r\n"
                "DTSTART;VALUE=DATE:20250303\r\nSUMMARY:=HYPERLINK(\"http://x\"\\,\"y\")\r\n"
                "END:VEVENT\r\n"
                "BEGIN:VEVENT\r\nUID:b@t\r\nDTSTAMP:20250101T000000Z\r\n"
                "DTSTART;VALUE=DATE:20250304\r\nSUMMARY:@SUM(1)\r\nEND:VEVENT\r\n"
                "END:VCALENDAR\r\n")
    rc, out, err = run("holidays", "--region", "none", "--ics", ics, "--from", "2025-03-01",
                       "--to", "2025-03-31", "--format", "csv")
    check(rc == 0, f"holidays --ics exit status {rc}: {err!r}")
    names = [r[-1] for r in csv_rows(out)[1:]]
    check(names == ["'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(1)"],
          f"holidays csv: closure names not neutralised: {names!r}")


BAD_UTF8 = [b"C\xff1", b"C\xc0\xaf2", b"C\xed\xa0\x803", b"C\xe2\x824", b"C\xf8\x88\x80\x80\x805",
            b"C\xef\xbf\xbe6"]  # the last is valid UTF-8 (U+FFFE), kept as is


def strict_json(data, what):
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        check(False, f"{what}: output is not UTF-8 ({e})")
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        check(False, f"{what}: output is not JSON ({e}): {text[:300]!r}")
        return None


def test_json_bytes(tmp):
    events = os.path.join(tmp, "utf8.csv")
    attrs = os.path.join(tmp, "utf8-attrs.csv")
    with open(events, "wb") as f:
        f.write(b"case_id,event,date,detail,end_date,ref\n")
        for cid in BAD_UTF8:
            f.write(cid + b",request_received,2025-01-15,parent,,\n")
            f.write(cid + b",advice_requested,2025-02-21,education,,URN\xfe" + cid[1:] + b"\n")
            f.write(cid + b",contact_received,2025-03-03,,,Q\x80\n")
        f.write(b"C\xff9,request_received,2025-02-30,parent,,\n")  # a diagnostic with the id
        f.write(b"C10,request_received\xff,2025-01-15,parent,,\n")  # bad bytes in a message
        f.write(b"C11,request_received,2025-01-15,parent,,\n")
    with open(attrs, "wb") as f:
        f.write(b"case_id,team\n")
        for i, cid in enumerate(BAD_UTF8):
            f.write(cid + b",T\xc3" + bytes([0x30 + i]) + b"\n")
    ncases = len(BAD_UTF8) + 1  # C11; C\xff9 and C10 are rejected rows

    rc, out, err = run("deadlines", events, "--as-of", AS_OF, "--format", "json", "--quiet")
    check(rc == 0, f"deadlines --format json exit status {rc}: {err!r}")
    doc = strict_json(out, "deadlines --format json")
    if doc is not None:
        check(len(doc.get("cases", [])) == ncases,
              f"deadlines json: {len(doc.get('cases', []))} cases, want {ncases}")

    rc, out, err = run("validate", events, attrs, "--as-of", AS_OF, "--format", "json")
    check(rc == 1, f"validate --format json exit status {rc}: {err!r}")
    doc = strict_json(out, "validate --format json")
    if doc is not None:
        diags = doc.get("diagnostics", [])
        total = sum(1 for _ in diags)
        summary = err.decode("utf-8", "replace").strip().splitlines()[-1]
        # "N cases: E errors, W warnings, K notes"
        try:
            parts = summary.replace(",", "").split()
            want = int(parts[2]) + int(parts[4]) + int(parts[6])
        except (IndexError, ValueError):
            want = -1
        check(total == want, f"validate json: {total} diagnostics listed, the summary says "
                             f"{summary!r}: diagnostics were dropped")
        check(doc.get("errors") == 2, f"validate json: errors {doc.get('errors')}, want 2")
        check(len([d for d in diags if d["severity"] == "error"]) == doc.get("errors"),
              "validate json: error diagnostics listed differ from the error count")

    rc, out, err = run("compliance", events, attrs, "--as-of", AS_OF, "--group-by", "team",
                       "--format", "json", "--quiet")
    check(rc == 0, f"compliance --format json exit status {rc}: {err!r}")
    strict_json(out, "compliance --group-by --format json")

    rc, out, err = run("cohorts", events, "--as-of", AS_OF, "--format", "json", "--quiet")
    check(rc == 0, f"cohorts --format json exit status {rc}: {err!r}")
    strict_json(out, "cohorts --format json")

    # A closure name from an .ics with a stray byte: listed, not dropped.
    ics = os.path.join(tmp, "utf8.ics")
    with open(ics, "wb") as f:
        f.write(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
                b"BEGIN:VEVENT\r\nUID:a@t\r\nDTSTAMP:20250101T000000Z\r\n"
                b"DTSTART;VALUE=DATE:20250303\r\nSUMMARY:Bad \xff name\r\nEND:VEVENT\r\n"
                b"END:VCALENDAR\r\n")
    rc, out, err = run("holidays", "--region", "none", "--ics", ics, "--from", "2025-03-01",
                       "--to", "2025-03-31", "--format", "json")
    check(rc == 0, f"holidays --format json exit status {rc}: {err!r}")
    doc = strict_json(out, "holidays --format json")
    if doc is not None:
        check(len(doc.get("holidays", [])) == 1,
              f"holidays json: the closure named with a stray byte is missing: {doc!r}")

    # The other writers, with the same bytes.
    out_ics = os.path.join(tmp, "out.ics")
    rc, _, err = run("ics", events, "--as-of", AS_OF, "--output", out_ics, "--quiet")
    check(rc == 0, f"ics exit status {rc}: {err!r}")
    if rc == 0:
        data = open(out_ics, "rb").read()
        try:
            data.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            check(False, f"ics export is not UTF-8 ({e})")
    out_html = os.path.join(tmp, "out.html")
    rc, _, err = run("report", events, attrs, "--as-of", AS_OF, "--html", out_html, "--quiet")
    check(rc == 0, f"report exit status {rc}: {err!r}")
    if rc == 0:
        data = open(out_html, "rb").read()
        try:
            data.decode("utf-8", errors="strict")
            ET.fromstring(data)
        except (UnicodeDecodeError, ET.ParseError) as e:
            check(False, f"report is not UTF-8 well-formed XML ({e})")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_csv_formulas(tmp)
        test_json_bytes(tmp)
    if failures:
        print(f"output_safety: {len(failures)} failed")
        return 1
    print("output_safety: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
