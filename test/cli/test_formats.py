#!/usr/bin/env python3
"""Cross-format agreement: the same synthetic council, written by
ehcp-generate --sen2-compatible as an events CSV (+ attributes), a cases CSV
and a SEN2 XML return, must give identical `ehcp deadlines` JSON case by
case (ids, stages, every milestone), with exact row accounting and no row
rejected. `large` (the second test) reads ~200,000 generated cases with
`ehcp validate --format json` and checks its accounting.

Run by meson with EHCP_TOOL (ehcp), EHCP_GENERATE (ehcp-generate) and
EHCP_TEST_DATA set. Usage: test_formats.py [agreement|large]"""
import json
import os
import re
import subprocess
import sys
import tempfile

TOOL = os.environ["EHCP_TOOL"]
GENERATE = os.environ["EHCP_GENERATE"]
checks = failures = 0

SEED = "20240917"
AS_OF = "2025-12-31"  # the generator's default today: end of the last year
ACCOUNTING = re.compile(r"^(.*): (\w+), (\d+) rows read, (\d+) accepted, (\d+) rejected$")
MAX_SHOWN = 12  # differences printed per comparison


def run(*args):
    p = subprocess.run(list(args), capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def check(what, got, want):
    global checks, failures
    checks += 1
    if got != want:
        failures += 1
        print(f"FAIL {what}:\n  got  {got!r}\n  want {want!r}", file=sys.stderr)
    return got == want


def generate(directory, *options):
    paths = {name: os.path.join(directory, name)
             for name in ("events.csv", "attributes.csv", "cases.csv", "sen2.xml")}
    rc, _, err = run(GENERATE, "--seed", SEED, *options, "--quiet",
                     "--events", paths["events.csv"], "--attributes", paths["attributes.csv"],
                     "--cases", paths["cases.csv"], "--sen2", paths["sen2.xml"])
    check(f"ehcp-generate {' '.join(options)}", (rc, err), (0, ""))
    return paths


def data_rows(path):
    """Records after the header (the generator never quotes or embeds newlines)."""
    with open(path, encoding="utf-8") as f:
        return sum(1 for _ in f) - 1


def count_tag(path, tag):
    with open(path, encoding="utf-8") as f:
        return f.read().count(f"<{tag}>")


def check_accounting(label, stderr, expected):
    """expected: [(file, format, rows)]. Each file's line must say rows read =
    accepted + rejected, with the rows the file holds and none rejected."""
    got = []
    for line in stderr.splitlines():
        m = ACCOUNTING.match(line)
        if not m:
            check(f"{label}: stderr line is accounting", line, "FILE: FORMAT, N rows read, ...")
            continue
        name, fmt, read, accepted, rejected = m.group(1), m.group(2), *map(int, m.group(3, 4, 5))
        check(f"{label}: {os.path.basename(name)} read = accepted + rejected",
              read, accepted + rejected)
        got.append((name, fmt, read, rejected))
    check(f"{label}: accounting", got, [(f, fmt, rows, 0) for f, fmt, rows in expected])


def describe(m):
    return f"{m['id']} start {m['start']}"


def compare(label, ref, other):
    """Compare two deadlines documents case by case; print what differs."""
    check(f"{label}: as_of and ruleset", (other.get("as_of"), other.get("ruleset")),
          (ref.get("as_of"), ref.get("ruleset")))
    a = {c["case_id"]: c for c in ref["cases"]}
    b = {c["case_id"]: c for c in other["cases"]}
    check(f"{label}: no duplicate case ids", (len(b), len(a)),
          (len(other["cases"]), len(ref["cases"])))
    missing, extra = sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys())
    check(f"{label}: same case ids ({len(missing)} missing, {len(extra)} extra)",
          (missing[:MAX_SHOWN], extra[:MAX_SHOWN]), ([], []))
    differences = []
    for cid in sorted(a.keys() & b.keys()):
        x, y = a[cid], b[cid]
        if x["stage"] != y["stage"]:
            differences.append(f"{cid}: stage {y['stage']!r}, events CSV {x['stage']!r}")
        if x["milestones"] == y["milestones"]:
            continue
        xs, ys = x["milestones"], y["milestones"]
        if len(xs) != len(ys) or [m["id"] for m in xs] != [m["id"] for m in ys]:
            differences.append(f"{cid}: milestones {[describe(m) for m in ys]}, "
                               f"events CSV {[describe(m) for m in xs]}")
            continue
        for mx, my in zip(xs, ys):
            for key in mx.keys() | my.keys():
                if mx.get(key) != my.get(key):
                    differences.append(f"{cid} {describe(mx)}: {key} {my.get(key)!r}, "
                                       f"events CSV {mx.get(key)!r}")
    if not check(f"{label}: {len(differences)} cases/milestones differ from the events CSV",
                 len(differences), 0):
        for d in differences[:MAX_SHOWN]:
            print(f"  {d}", file=sys.stderr)
        if len(differences) > MAX_SHOWN:
            print(f"  ... and {len(differences) - MAX_SHOWN} more", file=sys.stderr)


def test_deterministic():
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        options = ("--years", "2", "--requests-per-year", "150")
        p, q = generate(one, *options), generate(two, *options)
        for name in p:
            with open(p[name], "rb") as f, open(q[name], "rb") as g:
                check(f"same seed, same bytes: {name}", f.read() == g.read(), True)
        rc, out, _ = run(GENERATE, "--seed", "1", "--years", "2", "--requests-per-year", "150",
                         "--quiet", "--events", "-")
        with open(p["events.csv"], encoding="utf-8") as f:
            check("another seed, other data", out != f.read(), True)


def test_agreement():
    with tempfile.TemporaryDirectory() as tmp:
        # ~500 cases over two years: plans, a year of reviews, phase transfers.
        paths = generate(tmp, "--sen2-compatible", "--start-year", "2024", "--years", "2",
                         "--requests-per-year", "250")
        ncases = data_rows(paths["attributes.csv"])
        check("generated ~500 cases", 400 <= ncases <= 650, True)
        inputs = {
            "events CSV": ([paths["events.csv"], paths["attributes.csv"]],
                           [(paths["events.csv"], "events_csv", data_rows(paths["events.csv"])),
                            (paths["attributes.csv"], "attributes_csv", ncases)]),
            "cases CSV": ([paths["cases.csv"]],
                          [(paths["cases.csv"], "cases_csv", data_rows(paths["cases.csv"]))]),
            # A SEN2 "row" is one <Requests>: one case.
            "SEN2 XML": ([paths["sen2.xml"]],
                         [(paths["sen2.xml"], "sen2_xml", count_tag(paths["sen2.xml"], "Requests"))]),
        }
        docs = {}
        for label, (files, expected) in inputs.items():
            rc, out, err = run(TOOL, "deadlines", *files, "--as-of", AS_OF, "--format", "json",
                               "--quiet")
            if not check(f"{label}: deadlines --quiet exit and stderr", (rc, err), (0, "")):
                continue
            docs[label] = json.loads(out)
            check(f"{label}: one entry per generated case", len(docs[label]["cases"]), ncases)
            rc, _, err = run(TOOL, "deadlines", *files, "--as-of", AS_OF, "--format", "csv")
            check(f"{label}: deadlines exit", rc, 0)
            check_accounting(label, err, expected)
        if "events CSV" in docs:
            milestones = sum(len(c["milestones"]) for c in docs["events CSV"]["cases"])
            check("the events CSV gives milestones to compare", milestones > 3 * ncases, True)
            for label in ("cases CSV", "SEN2 XML"):
                if label in docs:
                    compare(label, docs["events CSV"], docs[label])


def test_large():
    with tempfile.TemporaryDirectory() as tmp:
        events = os.path.join(tmp, "events.csv")
        attributes = os.path.join(tmp, "attributes.csv")
        # ~200,000 cases over three years, every kind of event.
        rc, _, err = run(GENERATE, "--seed", SEED, "--requests-per-year", "66667", "--quiet",
                         "--events", events, "--attributes", attributes)
        check("ehcp-generate large", (rc, err), (0, ""))
        ncases, nevents = data_rows(attributes), data_rows(events)
        check("~200,000 cases", 180000 <= ncases <= 220000, True)
        rc, out, err = run(TOOL, "validate", events, attributes, "--as-of", AS_OF,
                           "--format", "json")
        check("validate large exit", rc, 0)
        lines = err.splitlines()
        check_accounting("validate large", "\n".join(lines[:-1]),
                         [(events, "events_csv", nevents), (attributes, "attributes_csv", ncases)])
        check("validate large summary", lines[-1:], [f"{ncases} cases: 0 errors, 0 warnings, 0 notes"])
        doc = json.loads(out)
        check("validate large json counts", (doc["cases"], doc["errors"], doc["warnings"]),
              (ncases, 0, 0))
        check("validate large: no diagnostics", doc["diagnostics"][:3], [])


which = sys.argv[1] if len(sys.argv) > 1 else "agreement"
if which == "large":
    test_large()
else:
    test_deterministic()
    test_agreement()
print(f"formats {which}: {checks} checks, {failures} failed")
sys.exit(1 if failures else 0)
