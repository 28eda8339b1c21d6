"""The vectorised calendar forms: batch results equal the scalar ones on
random inputs, dtypes and shapes, out-of-range handling, and the GIL."""
import datetime as dt
import pathlib
import re
import threading
import time

import pytest

import ehcp
from conftest import BUILD_ROOT, D

np = pytest.importorskip("numpy")

LO = np.datetime64("1980-01-01").astype(np.int64)
HI = np.datetime64("2099-12-31").astype(np.int64)


@pytest.fixture(scope="module", params=["england-and-wales", "scotland"])
def cal(request):
    closures = [(D("2025-12-24"), D("2026-01-01"), "Office")] if request.param == "scotland" else []
    with ehcp.Calendar(request.param, closures=closures) as c:
        yield c


def dates(a):
    return [dt.date(1970, 1, 1) + dt.timedelta(days=int(x)) for x in a]


def test_batches_equal_scalars(cal):
    rng = np.random.default_rng(7)
    n = 4000
    b = rng.integers(LO + 200, HI - 200, n).astype("datetime64[D]")  # adds stay in range
    e = rng.integers(LO, HI + 1, n).astype("datetime64[D]")
    nth = rng.integers(-100, 100, n).astype(np.int32)
    counts = cal.count(b, e)
    added = cal.add(b, nth)
    work = cal.is_working_day(e)
    assert counts.dtype == np.int32 and counts.shape == (n,)
    assert added.dtype == np.dtype("datetime64[D]")
    assert work.dtype == np.bool_
    bl, el = dates(b.astype(np.int64)), dates(e.astype(np.int64))
    assert counts.tolist() == [cal.count(x, y) for x, y in zip(bl, el)]
    assert [x.item() for x in added] == [cal.add(x, int(k)) for x, k in zip(bl, nth)]
    assert work.tolist() == [cal.is_working_day(y) for y in el]


def test_inputs_convert(england):
    b = np.array(["2025-01-01", "2025-05-02"], dtype="datetime64[D]")
    e = np.array(["2026-01-01", "2025-05-07"], dtype="datetime64[D]")
    want = [253, 2]
    assert england.count(b, e).tolist() == want
    # Other datetime64 units, lists of dates, ISO strings, 2-D arrays, broadcasting.
    assert england.count(b.astype("datetime64[ns]"), e.astype("datetime64[s]")).tolist() == want
    assert england.count([D("2025-01-01"), D("2025-05-02")], [D("2026-01-01"), D("2025-05-07")]).tolist() == want
    assert england.count(np.array(["2025-01-01", "2025-05-02"]), e).tolist() == want
    assert england.count(b.reshape(2, 1), e.reshape(2, 1)).shape == (2, 1)
    assert england.count(b, D("2026-01-01")).tolist() == [253, england.count(D("2025-05-02"), D("2026-01-01"))]
    assert england.add(b, 1).tolist() == [D("2025-01-02"), D("2025-05-06")]
    assert england.add(b[:1], np.array([1, 2, 3], dtype=np.int64)).tolist() == [
        D("2025-01-02"), D("2025-01-03"), D("2025-01-06")]
    assert england.is_working_day(b).tolist() == [False, True]
    empty = np.array([], dtype="datetime64[D]")
    assert england.count(empty, empty).shape == (0,)
    # Non-contiguous views are copied, not misread.
    big = np.arange(np.datetime64("2025-01-01"), np.datetime64("2025-03-01"))
    assert england.is_working_day(big[::7]).tolist() == [england.is_working_day(x.item()) for x in big[::7]]
    with pytest.raises(TypeError, match="expected datetime64"):
        england.count(np.arange(3), np.arange(3))
    with pytest.raises(TypeError, match="expected integers"):
        england.add(b, np.array([1.5, 2.0]))


def test_out_of_range(england):
    b = np.array(["2025-01-01", "1979-12-31", "NaT", "2025-01-01", "9999-12-31"], dtype="datetime64[D]")
    e = np.array(["2026-01-01"] * 5, dtype="datetime64[D]")
    with pytest.raises(ehcp.RangeError) as exc:
        england.count(b, e)
    assert str(exc.value) == ("date or value out of range: count: 3 of 5 outside the calendar's range "
                              "1980-01-01..2099-12-31, the first at index 1")
    m = england.count(b, e, errors="coerce")
    assert isinstance(m, np.ma.MaskedArray)
    assert m.mask.tolist() == [False, True, True, False, True]
    assert m[0] == 253 and m[3] == 253
    # Far outside int32 days: clipped to "no date", never wrapped into range.
    far = np.array([np.datetime64("2025-01-01") + np.timedelta64(2**32, "D")], dtype="datetime64[D]")
    with pytest.raises(ehcp.RangeError):
        england.is_working_day(far)
    added = england.add(b, np.ones(5, dtype=np.int32), errors="coerce")
    assert np.isnat(added).tolist() == [False, True, True, False, True]
    with pytest.raises(ehcp.RangeError):
        england.add(b, 1)
    with pytest.raises(ehcp.RangeError, match="beyond 32 bits"):
        england.add(b[:1], np.array([2**40]))
    w = england.is_working_day(b, errors="coerce")
    assert w.mask.tolist() == [False, True, True, False, True]
    with pytest.raises(ehcp.InvalidArgument):
        england.count(b, e, errors="ignore")


def test_agrees_with_numpy_busday_count(england):
    """Forward ranges agree with numpy on the same holidays; reversed
    ranges follow ehcp's rule count(b, e) = -count(e, b)."""
    hol = np.array([d for c in england.closures()
                    for d in np.arange(np.datetime64(c.first), np.datetime64(c.last) + 1)], dtype="datetime64[D]")
    bdc = np.busdaycalendar(weekmask="1111100", holidays=hol)
    rng = np.random.default_rng(3)
    b = rng.integers(LO, HI + 1, 20000).astype("datetime64[D]")
    e = rng.integers(LO, HI + 1, 20000).astype("datetime64[D]")
    got = england.count(b, e)
    fwd = b <= e
    assert np.array_equal(got[fwd], np.busday_count(b[fwd], e[fwd], busdaycal=bdc))
    assert np.array_equal(got[~fwd], -np.busday_count(e[~fwd], b[~fwd], busdaycal=bdc))


def test_gil_released_in_generated_code():
    """cffi's API mode wraps every C call in Py_BEGIN_ALLOW_THREADS /
    Py_END_ALLOW_THREADS: check the generated source of this build."""
    if BUILD_ROOT is None:
        pytest.skip("EHCP_BUILD_ROOT not set")
    src = pathlib.Path(BUILD_ROOT, "bindings", "python", "ehcp", "_ehcp_cffi.c")
    if not src.exists():
        pytest.skip("generated C source not found")
    text = src.read_text()
    wrappers = re.findall(r"^_cffi_f_(ehcp_\w+)\(PyObject \*self.*?^}", text, flags=re.M | re.S)
    bodies = re.findall(r"^_cffi_f_ehcp_\w+\(PyObject \*self.*?^}", text, flags=re.M | re.S)
    assert len(wrappers) > 100
    for body in bodies:
        assert "Py_BEGIN_ALLOW_THREADS" in body and "Py_END_ALLOW_THREADS" in body, body[:80]


def test_gil_released_while_c_runs():
    """A thread in a long C call (reading a large buffer) lets the main
    thread run Python meanwhile: the longest pause the main thread sees is
    much shorter than the C call."""
    rows = ["case_id,event,date,detail,end_date,ref"]
    rows += [f"K{i},request_received,2024-{1 + i % 12:02d}-{1 + i % 28:02d},parent,," for i in range(300000)]
    data = ("\n".join(rows) + "\n").encode()
    cs = ehcp.CaseSet()
    t = time.perf_counter()
    cs.read_text(data, "big.csv")
    alone = time.perf_counter() - t
    cs.close()
    if alone < 0.05:
        pytest.skip(f"the C call is too quick to measure ({alone * 1000:.1f} ms)")
    cs = ehcp.CaseSet()
    worker = threading.Thread(target=cs.read_text, args=(data, "big.csv"))
    worker.start()
    gap, last, spins = 0.0, time.perf_counter(), 0
    while worker.is_alive():
        now = time.perf_counter()
        gap, last, spins = max(gap, now - last), now, spins + 1
    worker.join()
    assert len(cs) == 300000
    cs.close()
    assert spins > 100
    assert gap < 0.5 * alone, f"main thread stalled {gap * 1000:.0f} ms of a {alone * 1000:.0f} ms C call"
