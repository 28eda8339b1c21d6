#!/usr/bin/python3
"""Compliance benchmark (issue: compliance and cohort analytics): the monthly
DfE headline (final plans within 20 weeks, excluding exceptions) over a
cases CSV of about a million cases (ten years of a large county), end to
end from the command line:

  (a) ehcp compliance FILE --by month --measure final_20w_ex --cohorts
      --format json: the board's two views (the trajectory and the cohort
      table) from one reading of the file;
  (b) the straightforward pandas script an analyst would write: read_csv of
      the columns needed; the headline (due = received + 140 days, drop
      cases with an exception, group by the month of final_issued_date,
      numerator / denominator, DfE rounding); and the cohort table (group
      by the month received: decisions, plans within and after 20 weeks,
      closed without a plan, open by stage and past 20 weeks, as of the
      as-of date).

Prints the wall-clock and CPU time of each (best of --runs), the ratio, and
checks that both give the same numbers, month by month and cohort by
cohort. Never fails on time; exits non-zero only when the numbers differ
(or a tool fails).

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
as_of = pd.Timestamp(sys.argv[2])
df = pd.read_csv(sys.argv[1], dtype=str, usecols=[
    "received_date", "assessment_decision", "assessment_decision_date", "issue_decision",
    "issue_decision_date", "draft_issued_date", "final_issued_date", "exception"])
t2 = time.perf_counter()
day = lambda col: pd.to_datetime(df[col], format="%Y-%m-%d")
received, final = day("received_date"), day("final_issued_date")
due = received + pd.Timedelta(days=140)                 # 20 weeks: t0 + 140 is the last day

# The headline: plans by the month issued, cases with an exception left out.
exception = df["exception"].fillna("0") != "0"          # 1 or a reason: SEN2 Week20 = 1
planned = final.notna() & (final >= received) & (final <= as_of)
issued = planned & ~exception
plans = pd.DataFrame({"month": final[issued].dt.strftime("%Y-%m"),
                      "met": final[issued] <= due[issued]})
rows = plans.groupby("month")["met"].agg(["sum", "count"])
p = rows["sum"] / rows["count"] * 100.0                 # divide first, then round half up
rows["percent"] = np.floor(p * 10 + 0.5) / 10
headline = {m: [int(r["sum"]), int(r["count"]), float(r["percent"])] for m, r in rows.iterrows()}

# The cohort table as of the as-of date: each request by the month received.
def happened(col):                                       # a date from the request to as-of
    d = day(col)
    return d.where((d >= received) & (d <= as_of))
assess, issue = df["assessment_decision"], df["issue_decision"]
assess_at, issue_at, draft = (happened("assessment_decision_date"),
                              happened("issue_decision_date"), happened("draft_issued_date"))
yes = (assess == "yes") & assess_at.notna()
# Closed without a plan: the first "no" or "withdrawn", the decision to
# assess before the decision to issue on the same day.
a_close = assess.isin(["no", "withdrawn"]) & assess_at.notna()
i_close = issue.isin(["no", "withdrawn"]) & issue_at.notna()
first_a = a_close & ~(i_close & (issue_at < assess_at))
closed = ~planned & (a_close | i_close)
closed_as = np.where(first_a, np.where(assess == "no", "assess_no", "withdrawn"),
                     np.where(issue == "no", "not_issued", "withdrawn"))
ended = planned | closed
t = pd.DataFrame({
    "month": received.dt.strftime("%Y-%m"),
    "requests": 1,
    "assess_yes": yes,
    "assess_no": closed & (closed_as == "assess_no"),
    "withdrawn": closed & (closed_as == "withdrawn"),
    "issued_within_20w": planned & (final <= due),
    "issued_after_20w": planned & (final > due),
    "not_issued": closed & (closed_as == "not_issued"),
    "open_request": ~ended & ~yes & draft.isna(),
    "open_assessment": ~ended & yes & draft.isna(),
    "open_draft": ~ended & draft.notna(),
    "open_past_20w": ~ended & (due < as_of)})[received <= as_of]
cohorts = t.groupby("month").sum(numeric_only=True).astype(int)
t3 = time.perf_counter()
json.dump({"headline": headline,
           "cohorts": {m: r.to_dict() for m, r in cohorts.iterrows()}}, sys.stdout,
          default=int)
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
    most of those with a draft and a plan after 12-40 weeks (none after the
    last day), some refused a plan, ~6% with an exception."""
    import numpy as np
    rng = np.random.default_rng(seed)
    start = np.datetime64(f"{first_year}-01-01")
    received = start + rng.integers(0, 365 * years, n).astype("timedelta64[D]")
    assessed = rng.random(n) < 0.75
    decided = received + rng.integers(20, 60, n).astype("timedelta64[D]")
    planned = assessed & (rng.random(n) < 0.9)
    final = received + rng.integers(84, 280, n).astype("timedelta64[D]")
    planned &= final <= np.datetime64(f"{first_year + years - 1}-12-31")  # not yet issued
    refused = assessed & ~planned & (rng.random(n) < 0.3)
    issue_at = np.where(planned, final - np.timedelta64(28, "D"), received + np.timedelta64(112, "D"))
    draft = final - np.timedelta64(21, "D")
    exception = planned & (rng.random(n) < 0.06)
    teams = np.array(["North", "South", "East", "West"])[rng.integers(0, 4, n)]
    with open(path, "w") as f:
        f.write("case_id,received_date,assessment_decision,assessment_decision_date,"
                "issue_decision,issue_decision_date,draft_issued_date,final_issued_date,"
                "exception,team\n")
        for i in range(n):
            issue = "yes" if planned[i] else "no" if refused[i] else ""
            f.write(f"C{i:07d},{received[i]},{'yes' if assessed[i] else 'no'},{decided[i]},"
                    f"{issue},{issue_at[i] if issue else ''},{draft[i] if planned[i] else ''},"
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

    ehcp_json = os.path.join(tmp, "ehcp.json")
    ours_run = best([ehcp, "compliance", cases, "--by", "month", "--measure", "final_20w_ex",
                     "--cohorts", "--as-of", as_of, "--format", "json", "--quiet"], ehcp_json, runs)
    print(f"(a) ehcp compliance --cohorts: {ours_run[0]:6.2f} s wall, {ours_run[1]:6.2f} s CPU")
    ehcp_wall, ehcp_cpu = ours_run[0], ours_run[1]

    script = os.path.join(tmp, "board_pandas.py")
    with open(script, "w") as f:
        f.write(PANDAS_SCRIPT)
    pandas_json = os.path.join(tmp, "pandas.json")
    pd_run = best([sys.executable, script, cases, as_of], pandas_json, runs)
    stages = json.loads(pd_run[2].strip().splitlines()[-1])
    print(f"(b) pandas script:             {pd_run[0]:6.2f} s wall, {pd_run[1]:6.2f} s CPU "
          f"(import {stages['import']:.2f} s, read_csv {stages['read']:.2f} s, "
          f"compute {stages['compute']:.2f} s)")
    print(f"ratio pandas / ehcp: {pd_run[0] / ehcp_wall:.2f}x wall, "
          f"{pd_run[1] / ehcp_cpu:.2f}x CPU (target: ehcp at least 10x faster)")

    with open(ehcp_json) as f:
        ehcp_out = json.load(f)
    with open(pandas_json) as f:
        theirs = json.load(f)
    ours = {r["period"]: [r["numerator"], r["denominator"], r["percent"]]
            for r in ehcp_out["measures"] if r["measure"] == "final_20w_ex"}
    our_cohorts = {c["month"]: {k: c[k] for k in COHORT_COUNTS if k in c} |
                   {"open_" + k: v for k, v in c["open"].items()} for c in ehcp_out["cohorts"]}
    failed = compare("months of the headline", ours, theirs["headline"])
    failed |= compare("cohorts", our_cohorts, theirs["cohorts"])
    if failed:
        return 1
    total = [sum(v[0] for v in ours.values()), sum(v[1] for v in ours.values())]
    requests = sum(c["requests"] for c in our_cohorts.values())
    print(f"same figures: {len(ours)} months, {total[0]:,} of {total[1]:,} plans within 20 "
          "weeks excluding exceptions, every numerator, denominator and percentage equal; "
          f"{len(our_cohorts)} cohorts of {requests:,} requests, every count equal")
    return 0


COHORT_COUNTS = ["requests", "assess_yes", "assess_no", "withdrawn", "issued_within_20w",
                 "issued_after_20w", "not_issued", "open_past_20w"]


def compare(what, ours, theirs):
    """Print the differences between two {key: value} maps; True if any."""
    diffs = [(k, ours.get(k), theirs.get(k)) for k in sorted(set(ours) | set(theirs))
             if ours.get(k) != theirs.get(k)]
    for k, a, b in diffs[:20]:
        print(f"  {k}: ehcp {a}, pandas {b}")
    if diffs:
        print(f"MISMATCH in {len(diffs)} of {len(set(ours) | set(theirs))} {what}")
    return bool(diffs)


if __name__ == "__main__":
    sys.exit(main())
