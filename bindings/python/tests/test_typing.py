"""The type hints (py.typed) check a user's program with mypy: right uses
pass, a wrong one is caught. Skipped when mypy (python3-mypy) is absent."""
import importlib.util
import os
import subprocess
import sys

import pytest

import ehcp

PROGRAM = '''
import datetime as dt
import numpy as np
import ehcp

with ehcp.Calendar("england-and-wales", closures=[(dt.date(2025, 12, 24), dt.date(2026, 1, 1), "Office")]) as cal:
    n: int = cal.count(dt.date(2025, 1, 1), "2026-01-01")
    d: dt.date = cal.add(dt.date(2025, 1, 1), 3)
    w: bool = cal.is_working_day("2025-01-01")
    a: np.ndarray = cal.count(np.array(["2025-01-01"], dtype="datetime64[D]"), dt.date(2026, 1, 1))
cs = ehcp.CaseSet.read("events.csv")
cs.add_event("C1", "request_received", dt.date(2025, 1, 15), detail="parent")
tl: ehcp.Timeline = ehcp.evaluate(cs, "C1", dt.date(2025, 3, 1))
due: "dt.date | None" = tl["A5"].due
rows = ehcp.deadlines(cs, dt.date(2025, 3, 1))
first: ehcp.MilestoneResult = rows[0]
try:
    ehcp.parse_date("31/02/2025")
except ehcp.RangeError as e:
    print(e.message, e.code)
wrong: str = cal.count(dt.date(2025, 1, 1), dt.date(2026, 1, 1))
'''


def test_mypy_on_a_user_program(tmp_path):
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (python3-mypy)")
    prog = tmp_path / "user.py"
    prog.write_text(PROGRAM)
    package_root = os.path.dirname(os.path.dirname(ehcp.__file__))
    env = dict(os.environ, MYPYPATH=package_root)
    r = subprocess.run([sys.executable, "-m", "mypy", "--ignore-missing-imports", "--no-error-summary",
                        "--cache-dir", str(tmp_path / "cache"), str(prog)],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    errors = [line for line in r.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, r.stdout + r.stderr
    assert "user.py:21:" in errors[0] and 'expression has type "int", variable has type "str"' in errors[0]
