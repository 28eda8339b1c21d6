#!/usr/bin/env python3
"""The bad-input corpus through the command line: `ehcp validate FILE --format
json` reports exactly the diagnostics bad_inputs/*.expected lists for the
reader (then, as of the expected as_of date, exactly the validation ones),
prints the same row accounting, and exits 2 where the read fails.

Cases that need a format or a column mapping the tool cannot be told
(it detects the format) are skipped when detection gives another format.

Environment: EHCP_TOOL (the ehcp program), EHCP_BAD_INPUTS (the corpus).
"""
import json
import os
import re
import subprocess
import sys

TOOL = os.environ.get("EHCP_TOOL", "build/tools/ehcp/ehcp")
DIR = os.environ.get("EHCP_BAD_INPUTS", "test/hardening/bad_inputs")


def parse(path):
    conf = {"maps": 0, "as_of": None, "diag": [], "validate": []}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#") or not line:
            continue
        key, _, rest = line.partition(" ") if not line.startswith(("diag\t", "validate\t")) \
            else line.partition("\t")
        if key in ("diag", "validate"):
            sev, code, num, p, case, msg = rest.split("\t", 5)
            conf[key].append((sev, code, int(num), p, case, msg))
        elif key == "map":
            conf["maps"] += 1
        else:
            conf[key] = rest
    return conf


def main():
    failures, checked, skipped = [], 0, []
    for name in sorted(os.listdir(DIR)):
        if not name.endswith(".expected"):
            continue
        conf = parse(os.path.join(DIR, name))
        if conf["maps"] or conf.get("method") == "file":
            skipped.append(name)
            continue
        as_of = conf["as_of"] or "2025-12-31"
        p = subprocess.run([TOOL, "validate", conf["input"], "--as-of", as_of, "--format", "json"],
                           cwd=DIR, capture_output=True, timeout=60)
        err = p.stderr.decode("utf-8", "replace")
        m = re.search(r"^(.*): (\w+), (\d+) rows read, (\d+) accepted, (\d+) rejected$", err, re.M)
        if m and m.group(2) != conf["detected"]:
            skipped.append(name)  # the tool detects another format
            continue
        if conf["rc"] != "ok":
            if p.returncode != 2 or conf["input"] not in err:
                failures.append(f"{name}: want exit status 2 naming the file, got "
                                f"{p.returncode}: {err!r}")
            checked += 1
            continue
        if not m:
            failures.append(f"{name}: no row accounting on stderr: {err!r}")
            continue
        checked += 1
        rows = " ".join(m.group(3, 4, 5))
        if rows != conf["rows"]:
            failures.append(f"{name}: accounting {rows}, want {conf['rows']}")
        doc = json.loads(p.stdout.decode("utf-8"))
        got = [(d["severity"], d["code"], d["line"] or 0, d["path"] or "-", d["case_id"] or "-",
                d["message"]) for d in doc["diagnostics"]]
        want = conf["diag"]
        if conf["as_of"]:
            want = want + conf["validate"]
            if got != want:
                failures.append(f"{name}: diagnostics differ:\n  got  {got}\n  want {want}")
        elif got[:len(want)] != want:
            failures.append(f"{name}: reader diagnostics differ:\n  got  {got[:len(want)]}\n"
                            f"  want {want}")
        errors = sum(1 for d in got if d[0] == "error")
        if p.returncode != (1 if errors else 0) or doc["errors"] != errors:
            failures.append(f"{name}: exit status {p.returncode} and errors {doc['errors']} "
                            f"with {errors} error diagnostics")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    print(f"bad_inputs_cli: {checked} inputs checked, {len(skipped)} skipped "
          f"({', '.join(skipped)}), {len(failures)} failed")
    return 1 if failures or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
