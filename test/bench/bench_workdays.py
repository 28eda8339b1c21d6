#!/usr/bin/python3
"""Working-day benchmark (issue: foundation): 10 million random date pairs
over the England & Wales calendar 1980-2099, ehcp's batch functions against
numpy's busday_count / busday_offset on the same arrays, in the same run.

Prints ns per pair for each, the ratio, and checks that both give the same
answers. Never fails on time; exits non-zero only if the answers differ.

usage: bench_workdays.py LIBEHCP_SO [N]
"""
import ctypes
import sys
import time

import numpy as np

lib_path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
lib = ctypes.CDLL(lib_path)
c_int32_p = ctypes.POINTER(ctypes.c_int32)
vp = ctypes.c_void_p
lib.ehcp_calendar_builder_new.argtypes = [ctypes.POINTER(vp)]
lib.ehcp_calendar_builder_set_region.argtypes = [vp, ctypes.c_int]
lib.ehcp_calendar_build.argtypes = [ctypes.POINTER(vp), vp]
lib.ehcp_calendar_builder_free.argtypes = [vp]
lib.ehcp_calendar_free.argtypes = [vp]
lib.ehcp_calendar_closure_count.argtypes = [vp]
lib.ehcp_calendar_closure_count.restype = ctypes.c_size_t
lib.ehcp_calendar_closure.argtypes = [c_int32_p, c_int32_p, vp, vp, vp, ctypes.c_size_t]
for name in ("ehcp_calendar_count_batch", "ehcp_calendar_add_batch"):
    getattr(lib, name).argtypes = [c_int32_p, vp, c_int32_p, c_int32_p, ctypes.c_size_t]

builder, cal = vp(), vp()
assert lib.ehcp_calendar_builder_new(ctypes.byref(builder)) == 0
assert lib.ehcp_calendar_builder_set_region(builder, 1) == 0  # england-and-wales
assert lib.ehcp_calendar_build(ctypes.byref(cal), builder) == 0
lib.ehcp_calendar_builder_free(builder)

holidays = []
first, last = ctypes.c_int32(), ctypes.c_int32()
for i in range(lib.ehcp_calendar_closure_count(cal)):
    lib.ehcp_calendar_closure(ctypes.byref(first), ctypes.byref(last), None, None, cal, i)
    holidays.extend(range(first.value, last.value + 1))
holidays = np.array(holidays, dtype="datetime64[D]")
calendar = np.busdaycalendar(weekmask="1111100", holidays=holidays)

lo = np.datetime64("1980-01-01").astype(np.int64)
hi = np.datetime64("2099-12-31").astype(np.int64)
rng = np.random.default_rng(20250115)
# Ranges in both directions, and offsets of 1..250 working days ending
# before the calendar does (the last 400 days are left as headroom).
b32 = rng.integers(lo, hi + 1, n, dtype=np.int32)
e32 = rng.integers(lo, hi + 1, n, dtype=np.int32)
d32 = rng.integers(lo, hi - 400, n, dtype=np.int32)
nth = rng.integers(1, 251, n, dtype=np.int32)
b64, e64, d64 = (a.astype("datetime64[D]") for a in (b32, e32, d32))
out = np.empty(n, dtype=np.int32)


def ptr(a):
    return a.ctypes.data_as(c_int32_p)


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
    print(f"{what:<34} ehcp {t_ehcp / n * 1e9:6.2f} ns/pair   numpy {t_numpy / n * 1e9:7.2f} ns/pair"
          f"   ratio {t_numpy / t_ehcp:6.1f}x   {'same answers' if same else 'ANSWERS DIFFER'}")


t_c = best_of(5, lambda: lib.ehcp_calendar_count_batch(ptr(out), cal, ptr(b32), ptr(e32), n))
counts = out.copy()
t_np = best_of(2, lambda: np.busday_count(b64, e64, busdaycal=calendar))
want = np.busday_count(b64, e64, busdaycal=calendar)
forward = b32 <= e32
same_forward = np.array_equal(counts[forward], want[forward])
# numpy >= 1.25 counts a reversed range over (e, b]; ehcp over [e, b) negated
# (calendars.md 3). Compare reversed pairs with the rule, not with numpy.
swapped = -np.busday_count(e64[~forward], b64[~forward], busdaycal=calendar)
same_reversed = np.array_equal(counts[~forward], swapped)
report("count over [b, e)", t_c, t_np, same_forward and same_reversed)
if not np.array_equal(counts[~forward], want[~forward]):
    print(f"  (numpy {np.__version__} counts {np.count_nonzero(counts[~forward] != want[~forward])} "
          "reversed ranges differently: (e, b] instead of [e, b))")

t_c = best_of(5, lambda: lib.ehcp_calendar_add_batch(ptr(out), cal, ptr(d32), ptr(nth), n))
added = out.copy()
t_np = best_of(2, lambda: np.busday_offset(d64, nth, roll="backward", busdaycal=calendar))
want = np.busday_offset(d64, nth, roll="backward", busdaycal=calendar).astype(np.int64)
report("N-th working day after d", t_c, t_np, np.array_equal(added.astype(np.int64), want))

print(f"pairs: {n:,}; calendar: england-and-wales 1980-2099, {len(holidays)} bank holidays; "
      f"numpy {np.__version__}; best of 5 (ehcp) and 2 (numpy) runs")
lib.ehcp_calendar_free(cal)
sys.exit(1 if failures else 0)
