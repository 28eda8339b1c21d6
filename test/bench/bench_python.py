#!/usr/bin/python3
"""Working-day benchmark of the Python binding (issue 6): counts over 10
million random NumPy date pairs (England and Wales, 1980-2099) through
`ehcp.Calendar.count` on `datetime64[D]` arrays, against
`numpy.busday_count` on the same arrays with the same holidays, in the same
run. Also the N-th working day (`Calendar.add` against `busday_offset`), and
for reference the C batch call alone on ready int32 day numbers (the
binding's overhead is the datetime64 -> int32 conversion and its range
check) and a scalar call.

Prints ns per pair for each, the ratio, and checks that both give the same
answers. Never fails on time; exits non-zero only if the answers differ.

usage: bench_python.py [N]   (PYTHONPATH must reach the built `ehcp` package,
e.g. PYTHONPATH=build/bindings/python)
"""
import datetime as dt
import sys
import time

import numpy as np

import ehcp
from ehcp._ehcp_cffi import ffi, lib

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
cal = ehcp.Calendar("england-and-wales")
holidays = np.array([d for c in cal.closures()
                     for d in np.arange(np.datetime64(c.first), np.datetime64(c.last) + 1)], dtype="datetime64[D]")
busdaycal = np.busdaycalendar(weekmask="1111100", holidays=holidays)

lo = np.datetime64("1980-01-01").astype(np.int64)
hi = np.datetime64("2099-12-31").astype(np.int64)
rng = np.random.default_rng(20250115)
# Ranges in both directions; offsets of 1..250 working days that end before
# the calendar does (the last 400 days are headroom), as bench_workdays.py.
b = rng.integers(lo, hi + 1, n).astype("datetime64[D]")
e = rng.integers(lo, hi + 1, n).astype("datetime64[D]")
d = rng.integers(lo, hi - 400, n).astype("datetime64[D]")
nth = rng.integers(1, 251, n, dtype=np.int32)


def best_of(runs, fn):
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


failures = 0


def report(what, t_ehcp, t_numpy, same):
    global failures
    failures += not same
    print(f"{what:<40} ehcp {t_ehcp / n * 1e9:6.2f} ns/pair   numpy {t_numpy / n * 1e9:7.2f} ns/pair"
          f"   ratio {t_numpy / t_ehcp:6.1f}x   {'same answers' if same else 'ANSWERS DIFFER'}")


# Working-day counts: the binding on datetime64[D] arrays vs numpy.
t_py = best_of(5, lambda: cal.count(b, e))
counts = cal.count(b, e)
t_np = best_of(2, lambda: np.busday_count(b, e, busdaycal=busdaycal))
want = np.busday_count(b, e, busdaycal=busdaycal)
fwd = b <= e
# numpy >= 1.25 counts a reversed range over (e, b]; ehcp over [e, b)
# negated (calendars.md 3): compare reversed pairs with the rule.
same = (np.array_equal(counts[fwd], want[fwd])
        and np.array_equal(counts[~fwd], -np.busday_count(e[~fwd], b[~fwd], busdaycal=busdaycal)))
report("Calendar.count(datetime64[D] arrays)", t_py, t_np, same)

# The N-th working day after d.
t_py = best_of(5, lambda: cal.add(d, nth))
added = cal.add(d, nth)
t_np2 = best_of(2, lambda: np.busday_offset(d, nth, roll="backward", busdaycal=busdaycal))
report("Calendar.add(datetime64[D], int32)", t_py, t_np2,
       np.array_equal(added, np.busday_offset(d, nth, roll="backward", busdaycal=busdaycal)))

# Reference: the C batch alone on int32 day numbers (no conversion).
b32, e32 = b.astype(np.int64).astype(np.int32), e.astype(np.int64).astype(np.int32)
out = np.empty(n, dtype=np.int32)
p_out, p_b, p_e = (ffi.from_buffer("int32_t[]", a) for a in (out, b32, e32))
t_c = best_of(5, lambda: lib.ehcp_calendar_count_batch(p_out, cal._ptr, p_b, p_e, n))
report("  (C batch alone, int32 day numbers)", t_c, t_np, np.array_equal(out, counts))

# Scalar calls from Python, for scale.
k = min(n, 200_000)
bl = [dt.date(1970, 1, 1) + dt.timedelta(days=int(x)) for x in b[:k].astype(np.int64)]
el = [dt.date(1970, 1, 1) + dt.timedelta(days=int(x)) for x in e[:k].astype(np.int64)]
t0 = time.perf_counter()
scalar = [cal.count(x, y) for x, y in zip(bl, el)]
t_s = time.perf_counter() - t0
print(f"{'Calendar.count(date, date), one call':<40} ehcp {t_s / k * 1e9:6.0f} ns/call"
      f"   ({'same answers' if scalar == counts[:k].tolist() else 'ANSWERS DIFFER'})")
failures += scalar != counts[:k].tolist()

print(f"pairs: {n:,}; calendar: england-and-wales 1980-2099, {len(holidays)} closed days; "
      f"numpy {np.__version__}; ehcp {ehcp.library_version()}; best of 5 (ehcp) and 2 (numpy) runs")
cal.close()
sys.exit(1 if failures else 0)
