#!/usr/bin/env python3
"""End-to-end tests of `ehcp report`, the board report.

  test_report.py           the HTML is well-formed (XML parser and a strict
                           tag-balance check), self-contained (no script, no
                           external reference), accessible (captions, th
                           scope, titled SVG), and every figure in its tables
                           equals `ehcp compliance` / `ehcp cohorts` JSON on
                           the same input;
  test_report.py --render  headless Chromium renders it to a 1200x3000 PNG
                           that is not blank, and prints it to A4 PDF pages.
                           Exit 77 (skipped) when chromium is not installed.

Run by meson (suite `cli`) with the tool's path in EHCP_TOOL."""
import datetime
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser

TOOL = os.environ["EHCP_TOOL"]
AS_OF = "2025-11-01"
MONTHS = 12
FROM = "2024-12-01"  # the first day of the first month shown (12 months to Nov 2025)
checks = failures = 0


def run(*args):
    p = subprocess.run([TOOL, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def check(what, got, want):
    global checks, failures
    checks += 1
    if got != want:
        failures += 1
        print(f"FAIL {what}:\n  got  {got!r}\n  want {want!r}", file=sys.stderr)


# ---- input -------------------------------------------------------------------

def d(x):
    return x.isoformat()


def write_cases(folder, n=260, seed=7):
    """A deterministic synthetic caseload: requests over two years, with
    decisions, advice, drafts, plans, exceptions and annual reviews."""
    rnd = random.Random(seed)
    as_of = datetime.date.fromisoformat(AS_OF)
    start = datetime.date(2023, 11, 1)
    rows, attrs = [], []
    for i in range(n):
        cid = f"R{i:04d}"
        t0 = start + datetime.timedelta(days=rnd.randrange(0, (as_of - start).days))
        ev = [(cid, "request_received", t0, rnd.choice(["parent", "setting", "health"]), "", "")]
        attrs.append((cid, rnd.choice(["Team <North>", "South & East", "West"])))
        dec = t0 + datetime.timedelta(days=rnd.randrange(15, 70))
        outcome = rnd.choices(["yes", "no", "withdrawn"], [80, 15, 5])[0]
        ev.append((cid, "assessment_decision", dec, outcome, "", ""))
        if outcome == "yes":
            for adviser in ("ep", "health", "social_care"):
                asked = dec + datetime.timedelta(days=1)
                ev.append((cid, "advice_requested", asked, adviser, "", ""))
                ev.append((cid, "advice_received",
                           asked + datetime.timedelta(days=rnd.randrange(20, 75)), adviser, "", ""))
            if rnd.random() < 0.1:
                ev.append((cid, "exception", t0 + datetime.timedelta(days=30), "absence",
                           d(t0 + datetime.timedelta(days=65)), ""))
            draft = t0 + datetime.timedelta(days=rnd.randrange(80, 170))
            final = draft + datetime.timedelta(days=rnd.randrange(15, 45))
            ev.append((cid, "draft_issued", draft, "", "", ""))
            ev.append((cid, "final_issued", final, "", "", ""))
            meeting = final + datetime.timedelta(days=rnd.randrange(300, 370))
            ev.append((cid, "review_meeting", meeting, "", "", ""))
            rdec = meeting + datetime.timedelta(days=rnd.randrange(10, 45))
            kind = rnd.choice(["maintain", "amend"])
            ev.append((cid, "review_decision", rdec, kind, "", ""))
            if kind == "amend":
                rdraft = rdec + datetime.timedelta(days=rnd.randrange(0, 5))
                ev.append((cid, "review_draft", rdraft, "", "", ""))
                ev.append((cid, "review_final", rdraft + datetime.timedelta(days=rnd.randrange(30, 80)),
                           "", "", ""))
        rows += [r for r in ev if r[2] <= as_of]
    events = os.path.join(folder, "events.csv")
    with open(events, "w", encoding="utf-8") as f:
        f.write("case_id,event,date,detail,end_date,ref\n")
        for r in rows:
            f.write(",".join([r[0], r[1], d(r[2]), r[3], r[4], r[5]]) + "\n")
    attributes = os.path.join(folder, "attributes.csv")
    with open(attributes, "w", encoding="utf-8") as f:
        f.write("case_id,team\n")
        for cid, team in attrs:
            f.write(f'{cid},"{team}"\n')
    return [events, attributes]


def make_report(folder, files, *extra):
    out = os.path.join(folder, "report.html")
    rc, stdout, err = run("report", *files, "--html", out, "--as-of", AS_OF, "--quiet", *extra)
    check("report exit", (rc, stdout, err), (0, "", ""))
    with open(out, "rb") as f:
        return out, f.read()


# ---- well-formed, self-contained, accessible ---------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Strict(HTMLParser):
    """Every element closed, in order; void elements written self-closed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.attrs = [], [], []

    def handle_starttag(self, tag, attrs):
        self.attrs += attrs
        if tag in VOID:
            self.errors.append(f"<{tag}> not self-closed at {self.getpos()}")
        else:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.attrs += attrs

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def local(tag):
    return tag.split("}")[-1]


def text_of(el):
    return "".join(el.itertext()).strip()


def test_structure(folder, files):
    path, data = make_report(folder, files, "--title", "Board <pack> & \"Q3\" 'draft'",
                             "--subtitle", "Countyshire Council — SEND")
    text = data.decode("utf-8")
    check("one file, starts with the doctype", text.startswith("<!DOCTYPE html>\n<html"), True)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        check("well-formed XML", str(e), "")
        return None
    p = Strict()
    p.feed(text)
    p.close()
    check("strict tag balance", p.errors, [])
    check("all elements closed", p.stack, [])
    # Self-contained: nothing fetched, nothing run.
    low = text.lower()
    for bad in ("http", "<script", "<link", "<img", "<iframe", "<object", "url(", "@import",
                "javascript:", "src="):
        check(f"no {bad!r}", bad in low, False)
    check("no event-handler attributes", [a for a, _ in p.attrs if a.startswith("on")], [])
    check("only in-page links",
          [v for a, v in p.attrs if a == "href" and not v.startswith("#")], [])
    # Text from the command line (and the data) is escaped.
    title = root.find("head/title")
    check("title escaped and intact", title is not None and title.text,
          "Board <pack> & \"Q3\" 'draft'")
    check("no raw markup from the title", "<pack>" in text, False)
    # Accessibility: captions, th scope, titled charts, a table after each chart.
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    check("ids unique", len(ids), len(set(ids)))
    tables = list(root.iter("table"))
    check("tables", len(tables) >= 6, True)
    for t in tables:
        kids = list(t)
        check(f"table {t.get('id')} starts with a caption", kids and kids[0].tag == "caption", True)
    check("every th has a scope", [text_of(th) for th in root.iter("th") if not th.get("scope")],
          [])
    svgs = list(root.iter("svg"))
    check("charts", len(svgs), 5)
    for s in svgs:
        labels = (s.get("aria-labelledby") or "").split()
        check("svg role", s.get("role"), "img")
        check("svg labelled by its title and desc",
              [local(x.tag) for x in s if x.get("id") in labels], ["title", "desc"])
    for sec in root.iter("section"):
        kids = list(sec)
        for i, k in enumerate(kids):
            if k.tag == "figure":
                check(f"figure in {sec.get('id')} followed by its table",
                      i + 1 < len(kids) and kids[i + 1].tag == "table", True)
    check("sections", [s.get("id") for s in root.iter("section")],
          ["final-20w", "reviews", "advice", "waiting", "cohorts", "time-to-plan"])
    # Readable on A4: print rules.
    style = root.find("head/style").text
    for rule in ("@page{size:A4", "@media print", "section{break-before:page}",
                 "print-color-adjust:exact"):
        check(f"print css {rule}", rule in style, True)
    # Deterministic.
    _, again = make_report(folder, files, "--title", "Board <pack> & \"Q3\" 'draft'",
                           "--subtitle", "Countyshire Council — SEND")
    check("same bytes on a second run", again == data, True)
    return root


# ---- figures equal the CLI's JSON ---------------------------------------------

def number(cell):
    """The figure in a cell: its first text node ('12' of '12<br/><small>..')."""
    t = (cell.text or "").strip()
    if t in ("", "\u2013"):
        return None
    return float(t)


def compliance(files, *args):
    rc, out, err = run("compliance", *files, "--as-of", AS_OF, "--format", "json", "--quiet",
                       *args)
    check("compliance json " + " ".join(args), (rc, err), (0, ""))
    return json.loads(out) if rc == 0 else {"measures": [], "summary": []}


def test_figures(root, files):
    window = compliance(files, "--from", FROM, "--to", AS_OF)
    rows = {(r["measure"], r["period"], r["group"]): r for r in window["measures"]}
    seen, compared = set(), 0
    months = [f"{y:04d}-{m:02d}" for y, m in
              [((2024 * 12 + 11 + k) // 12, (2024 * 12 + 11 + k) % 12 + 1) for k in range(MONTHS)]]
    for cell in root.iter("td"):
        measure, field = cell.get("data-measure"), cell.get("data-field")
        if not measure or measure == "advice_6w":
            continue
        key = (measure, cell.get("data-period"), cell.get("data-group"))
        got, row = number(cell), rows.get(key)
        seen.add(key)
        if row is None:
            check(f"{key} {field}: no figure, no row", got, None)
            continue
        want = row[field]
        check(f"{key} {field}", got, None if want is None else float(want))
        compared += 1
    check("figures compared", compared > 100, True)
    for m in ("final_20w_ex", "final_20w", "review_decision_4w", "review_final_12w"):
        missing = [k for k in rows if k[0] == m and k[1] in months and k not in seen]
        check(f"every {m} month of the window is tabled", missing, [])
        check(f"{m}: twelve months tabled", len([k for k in seen if k[0] == m]), MONTHS)

    # Advice: the report's advice measures are by financial year.
    advice = compliance(files, "--by", "fy", "--measure", "advice_6w")
    arows = {(r["period"], r["group"]): r for r in advice["measures"]}
    periods = sorted({p for p, _ in arows})[-3:]
    acells = 0
    for cell in root.iter("td"):
        if cell.get("data-measure") != "advice_6w":
            continue
        key = (cell.get("data-period"), cell.get("data-group"))
        row = arows.get(key)
        check(f"advice {key} shown period", key[0] in periods, True)
        want = None if row is None or row[cell.get("data-field")] is None \
            else float(row[cell.get("data-field")])
        check(f"advice {key} {cell.get('data-field')}", number(cell), want)
        acells += 1
    check("advice cells: every adviser x period", acells,
          3 * len({g for p, g in arows if p in periods}) * len(periods))

    # Waiting summary: the same window.
    summary = {s["group"] or "": s for s in window["summary"]}
    scells = 0
    for cell in root.iter("td"):
        if cell.get("data-summary") is None:
            continue
        s = summary.get(cell.get("data-summary"))
        want = s and s[cell.get("data-field")]
        check(f"summary {cell.get('data-field')}", number(cell),
              None if want is None else float(want))
        scells += 1
    check("summary cells", scells, 13 * len(summary))

    # Cohorts and time to plan.
    rc, out, err = run("cohorts", *files, "--as-of", AS_OF, "--format", "json", "--quiet")
    check("cohorts json", (rc, err), (0, ""))
    cohorts = {c["month"]: c for c in json.loads(out)["cohorts"]} if rc == 0 else {}
    shown = set()
    ccells = 0
    for cell in root.iter("td"):
        month, field = cell.get("data-cohort"), cell.get("data-field")
        if not month:
            continue
        shown.add(month)
        c = cohorts.get(month)
        check(f"cohort {month} known", c is not None, True)
        if c is None:
            continue
        got = number(cell)
        week = cell.get("data-week")
        if week:
            p = next(x for x in c["time_to_plan"] if x["week"] == int(week))
            if got is None:
                check(f"cohort {month} week {week} {field}: a dash where the curve stops",
                      p["share"], None)
                continue
            want = p[field]
            if field == "share":
                check(f"cohort {month} week {week} share",
                      want is not None and abs(got - want * 100) < 0.05 + 1e-9, True)
            else:
                check(f"cohort {month} week {week} at risk", got, float(want))
        elif field == "share_within_20w":
            want = c["share_within_20w"]
            check(f"cohort {month} share within 20w", got, None if want is None else float(want))
        elif field.startswith("open_") and field != "open_past_20w":
            check(f"cohort {month} {field}", got, float(c["open"][field[5:]]))
        else:
            check(f"cohort {month} {field}", got, float(c[field]))
        ccells += 1
    check("cohort cells compared", ccells > 200, True)
    check("cohorts shown: the window's months",
          sorted(shown), sorted(m for m in cohorts if m in months))

    # The key figures repeat table figures.
    tiles = [text_of(li) for li in root.iter("li") if li.find("span") is not None]
    check("four key figures", len(tiles), 4)


# ---- rendering ------------------------------------------------------------------

def png_decode(data):
    """(width, height, rows of RGB(A) bytes, bytes per pixel) of an 8-bit PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
        elif kind == b"IDAT":
            idat += body
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        if f == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 255
        elif f == 2:
            for x in range(stride):
                line[x] = (line[x] + prev[x]) & 255
        elif f == 3:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + ((a + prev[x]) >> 1)) & 255
        elif f == 4:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b, c = prev[x], prev[x - bpp] if x >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows, bpp


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def chromium(*args):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=180)


def test_render(folder, files):
    path, _ = make_report(folder, files)
    png = os.path.join(folder, "report.png")
    p = chromium(f"--screenshot={png}", "--window-size=1200,3000", "file://" + path)
    check("chromium screenshot", (p.returncode, os.path.exists(png)), (0, True))
    if not os.path.exists(png):
        print(p.stderr[-2000:], file=sys.stderr)
        return
    data = open(png, "rb").read()
    w, h, rows, bpp = png_decode(data)
    check("screenshot size", (w, h), (1200, 3000))
    colours, non_white, blue = set(), 0, 0
    for y in range(0, h, 2):
        row = rows[y]
        for x in range(0, w * bpp, bpp * 2):
            px = row[x:x + 3]
            colours.add(px)
            non_white += px != b"\xff\xff\xff"
            blue += px == b"\x00\x72\xb2"  # the charts' first series (#0072B2)
    sampled = (h // 2) * (w // 2)
    check("not blank: many colours", len(colours) > 50, True)
    check("not blank: ink", 0.03 < non_white / sampled < 0.9, True)
    check("the charts were drawn (series colour present)", blue > 100, True)

    pdf = os.path.join(folder, "report.pdf")
    p = chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", "file://" + path)
    check("chromium print to PDF", (p.returncode, os.path.exists(pdf)), (0, True))
    if os.path.exists(pdf):
        boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", open(pdf, "rb").read())
        check("A4 pages", {(round(float(a)), round(float(b))) for a, b in boxes}, {(595, 842)})
        check("a page per section (at least)", len(boxes) >= 6, True)


def main():
    render = "--render" in sys.argv[1:]
    if render and not (shutil.which("chromium") or shutil.which("chromium-browser")):
        print("chromium is not installed: skipped (apt-get install chromium)")
        sys.exit(77)
    with tempfile.TemporaryDirectory() as folder:
        files = write_cases(folder)
        if render:
            test_render(folder, files)
        else:
            root = test_structure(folder, files)
            if root is not None:
                test_figures(root, files)
            rc, out, err = run("report", files[0], "--as-of", AS_OF)
            check("--html required", (rc, "--html" in err), (2, True))
            rc, out, err = run("report", files[0], "--html", os.path.join(folder, "x.html"),
                               "--target", "120")
            check("--target out of range", (rc, "--target" in err), (2, True))
            rc, out, err = run("report", files[0], "--html", os.path.join(folder, "x.html"),
                               "--format", "json")
            check("--format refused", (rc, "--format" in err), (2, True))
            rc, out, err = run("report", files[0], "--html",
                               os.path.join(folder, "no", "such", "dir", "x.html"), "--quiet")
            check("unwritable output", (rc, "cannot write" in err), (2, True))
            rc, out, _ = run("report", "--help")
            check("--help", (rc, out.startswith("usage: ehcp report")), (0, True))
    print(f"report{' render' if render else ''}: {checks} checks, {failures} failed")
    sys.exit(1 if failures else 0)


main()
