#!/usr/bin/python3
"""Compliance benchmark (issue: compliance and cohort analytics): the monthly
DfE headline (final plans within 20 weeks, excluding exceptions) over a
cases CSV of about a million cases (ten years of a large county), end to
end from the command line:

  (a) ehcp compliance FILE --by month --measure final_20w_ex --format json
      plus ehcp cohorts FILE --format json (the board's two views);
  (b) the straightforward pandas script an analyst would write: read_csv,
      due = received + 140 days, drop cases with an exception, group by the
      month of final_issued_date, numerator / denominator, DfE rounding.

Prints the wall-clock and CPU time of each (best of --runs), the ratio, and
checks that both give the same numbers month by month. Never fails on
time; exits non-zero only when the numbers differ (or a tool fails).

Run with Debian's /usr/bin/python3 (python3-pandas, python3-numpy).

usage: bench_compliance.py EHCP EHCP_GENERATE [NCASES] [--runs N]
  EHCP_GENERATE may be '-' (or not runnable): the script then writes its
  own cases CSV with numpy.
"""
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

PANDAS_SCRIPT = r'''
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import pandas as pd
t1 = time.perf_counter()
df = pd.read_csv(sys.argv[1], usecols=["received_date", "final_issued_date", "exception"],
                 dtype=str)
t2 = time.perf_counter()
received = pd.to_datetime(df["received_date"], format="%Y-%m-%d")
final = pd.to_datetime(df["final_issued_date"], format="%Y-%m-%d")
exception = df["exception"].fillna("0") != "0"          # 1 or a reason: SEN2 Week20 = 1
issued = final.notna() & ~exception & (final >= received)
due = received + pd.Timedelta(days=140)                 # 20 weeks: t0 + 140 is the last day
plans = pd.DataFrame({"month": final[issued].dt.strftime("%Y-%m"),
                      "met": final[issued] <= due[issued]})
rows = plans.groupby("month")["met"].agg(["sum", "count"])
p = rows["sum"] / rows["count"] * 100.0                 # divide first, then round half up
rows["percent"] = np.floor(p * 10 + 0.5) / 10
t3 = time.perf_counter()
json.dump({m: [int(r["sum"]), int(r["count"]), float(r["percent"])] for m, r in rows.iterrows()},
          sys.stdout)
print(json.dumps({"import": t1 - t0, "read": t2 - t1, "compute": t3 - t2}), file=sys.stderr)
'''


def timed(cmd, out_path):
    """Run cmd with stdout to out_path: (wall seconds, CPU seconds, stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    with open(out_path, "wb") as out:
        p = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        sys.exit(f"bench_compliance: {' '.join(cmd)} failed ({p.returncode}):\n"
                 f"{p.stderr.decode(errors='replace')}")
    return wall, cpu, p.stderr.decode(errors="replace")


def best(cmd, out_path, runs):
    results = [timed(cmd, out_path) for _ in range(runs)]
    return min(results, key=lambda r: r[0])


def numpy_cases(path, n, first_year, years, seed=1):
    """A plain cases CSV of n cases: requests over the years, ~75% assessed,
    most of those with a plan after 12-40 weeks (none after the last day),
    ~6% with an exception."""
    import numpy as np
    rng = np.random.default_rng(seed)
    start = np.datetime64(f"{first_year}-01-01")
    received = start + rng.integers(0, 365 * years, n).astype("timedelta64[D]")
    assessed = rng.random(n) < 0.75
    decided = received + rng.integers(20, 60, n).astype("timedelta64[D]")
    planned = assessed & (rng.random(n) < 0.9)
    final = received + rng.integers(84, 280, n).astype("timedelta64[D]")
    planned &= final <= np.datetime64(f"{first_year + years - 1}-12-31")  # not yet issued
    exception = planned & (rng.random(n) < 0.06)
    teams = np.array(["North", "South", "East", "West"])[rng.integers(0, 4, n)]
    with open(path, "w") as f:
        f.write("case_id,received_date,assessment_decision,assessment_decision_date,"
                "final_issued_date,exception,team\n")
        for i in range(n):
            f.write(f"C{i:07d},{received[i]},{'yes' if assessed[i] else 'no'},{decided[i]},"
                    f"{final[i] if planned[i] else ''},{1 if exception[i] else 0},{teams[i]}\n")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--runs")]
    runs = 3
    for a in sys.argv[1:]:
        if a.startswith("--runs="):
            runs = int(a.split("=", 1)[1])
    if len(args) < 2:
        sys.exit(__doc__)
    ehcp, generate = args[0], args[1]
    n = int(args[2]) if len(args) > 2 else 1_000_000
    first_year, years = 2016, 10
    as_of = f"{first_year + years - 1}-12-31"

    tmp = tempfile.mkdtemp(prefix="bench_compliance.")
    try:
        return run(ehcp, generate, n, runs, first_year, years, as_of, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(ehcp, generate, n, runs, first_year, years, as_of, tmp):
    cases = os.path.join(tmp, "cases.csv")
    t = time.perf_counter()
    generated_by = "ehcp-generate"
    try:
        # ehcp-generate's council grows ~6% a year: aim the rate at n cases in all.
        rate = max(1, round(n / years / 1.0205))
        subprocess.run([generate, "--seed", "1", "--start-year", str(first_year), "--years",
                        str(years), "--requests-per-year", str(rate), "--as-of", as_of,
                        "--quiet", "--cases", cases], check=True, stderr=subprocess.PIPE)
    except (OSError, subprocess.CalledProcessError):
        generated_by = "this script (numpy): ehcp-generate was not available"
        numpy_cases(cases, n, first_year, years)
    with open(cases, "rb") as f:
        ncases = sum(1 for _ in f) - 1
    print(f"cases CSV: {ncases:,} cases, {os.path.getsize(cases) / 1e6:.0f} MB, made by "
          f"{generated_by} in {time.perf_counter() - t:.1f} s")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
          "(times are the best of {runs} runs; CPU = user + system of the process)".format(
              runs=runs))

    compliance_json = os.path.join(tmp, "compliance.json")
    comp = best([ehcp, "compliance", cases, "--by", "month", "--measure", "final_20w_ex",
                 "--as-of", as_of, "--format", "json", "--quiet"], compliance_json, runs)
    print(f"(a) ehcp compliance:  {comp[0]:6.2f} s wall, {comp[1]:6.2f} s CPU")

    cohorts_ready = subprocess.run([ehcp, "cohorts", "--help"], capture_output=True).returncode == 0
    if cohorts_ready:
        coh = best([ehcp, "cohorts", cases, "--as-of", as_of, "--format", "json", "--quiet"],
                   os.path.join(tmp, "cohorts.json"), runs)
        print(f"    ehcp cohorts:     {coh[0]:6.2f} s wall, {coh[1]:6.2f} s CPU")
    else:
        coh = (0.0, 0.0, "")
        print("    ehcp cohorts:     not built yet: timing compliance alone")
    ehcp_wall, ehcp_cpu = comp[0] + coh[0], comp[1] + coh[1]
    print(f"    ehcp total:       {ehcp_wall:6.2f} s wall, {ehcp_cpu:6.2f} s CPU")

    script = os.path.join(tmp, "headline_pandas.py")
    with open(script, "w") as f:
        f.write(PANDAS_SCRIPT)
    pandas_json = os.path.join(tmp, "pandas.json")
    pd_run = best([sys.executable, script, cases], pandas_json, runs)
    stages = json.loads(pd_run[2].strip().splitlines()[-1])
    print(f"(b) pandas script:    {pd_run[0]:6.2f} s wall, {pd_run[1]:6.2f} s CPU "
          f"(import {stages['import']:.2f} s, read_csv {stages['read']:.2f} s, "
          f"compute {stages['compute']:.2f} s)")
    print(f"ratio pandas / ehcp:  {pd_run[0] / ehcp_wall:.2f}x wall, "
          f"{pd_run[1] / ehcp_cpu:.2f}x CPU (target: ehcp at least 10x faster)")

    with open(compliance_json) as f:
        ours = {r["period"]: [r["numerator"], r["denominator"], r["percent"]]
                for r in json.load(f)["measures"] if r["measure"] == "final_20w_ex"}
    with open(pandas_json) as f:
        theirs = json.load(f)
    diffs = [(m, ours.get(m), theirs.get(m)) for m in sorted(set(ours) | set(theirs))
             if ours.get(m) != theirs.get(m)]
    if diffs:
        print(f"MISMATCH in {len(diffs)} of {len(set(ours) | set(theirs))} months:")
        for m, a, b in diffs[:20]:
            print(f"  {m}: ehcp {a}, pandas {b}")
        return 1
    total = [sum(v[0] for v in ours.values()), sum(v[1] for v in ours.values())]
    print(f"same figures: {len(ours)} months, {total[0]:,} of {total[1]:,} plans within 20 "
          "weeks excluding exceptions, every numerator, denominator and percentage equal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
