#!/usr/bin/python3
"""Worked example of the Python binding: a caseworker's overdue list and
the board's monthly 20-week trajectory, from the bundled sample.

Reads examples/data/events.csv and attributes.csv (306 synthetic cases),
evaluates every case as of the sample's "today", 2025-12-31, with the
school URN999001's term calendar for the reg 10(4)(a) exception, prints what
is overdue (most overdue first), then the monthly share of new plans issued
within 20 weeks as the DfE counts it (final_20w_ex) and, if matplotlib is
installed, plots that trajectory into a PNG (no window is opened).

usage: python_overdue.py [--data DIR] [--as-of YYYY-MM-DD] [--png FILE]
Run from the top of the tree after `pip install ./bindings/python`, or with
PYTHONPATH=build/bindings/python after a meson build.
"""
import argparse
import datetime as dt
import os
import sys

import ehcp

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.path.join(HERE, "data"), help="the sample's directory")
    ap.add_argument("--as-of", default="2025-12-31", type=dt.date.fromisoformat)
    ap.add_argument("--png", default="python_overdue.png", help="where to save the chart")
    args = ap.parse_args()
    data = lambda name: os.path.join(args.data, name)  # noqa: E731

    # 1. Read the case files. Problems in rows would be diagnostics, not
    #    exceptions; an unreadable file raises ehcp.FileError.
    cases = ehcp.CaseSet.read(data("events.csv"), data("attributes.csv"))
    for r in cases.reads:
        print(f"{os.path.basename(r.path)}: {r.format}, {r.rows_read} rows read, "
              f"{r.accepted} accepted, {r.rejected} rejected")
    for d in cases.diagnostics[:10]:
        print(d)

    # 2. The statutory rule set, England's bank holidays and one school's
    #    term calendar. `with` frees the C objects at the end of the block.
    with ehcp.RuleSet("england-2014") as rules, ehcp.Calendar("england-and-wales") as cal, \
            ehcp.Evaluator(rules, cal, settings={"URN999001": data("school-term.ics")}) as ev:
        # 3. Every milestone of every case as of the date (all cores, GIL released).
        results = ev.deadlines(cases, args.as_of, open_only=True)
        overdue = sorted((r for r in results if r.status == "overdue"),
                         key=lambda r: (-r.days_late, r.due, r.case_id))
        print(f"\nOverdue as of {args.as_of}: {len(overdue)} steps of "
              f"{len({r.case_id for r in overdue})} cases (most overdue first)")
        print(f"{'case':<17}{'step':<6}{'milestone':<23}{'due':<12}{'late':>5}  {'stage':<11}"
              f"{'team':<7}{'worker':<7}exception")
        for r in overdue:
            attrs = cases[r.case_id].attributes
            exc = r.exception_kind or ("yes" if r.exception else "")
            print(f"{r.case_id:<17}{r.milestone:<6}{r.name:<23}{r.due.isoformat():<12}{r.days_late:>5}  "
                  f"{r.stage:<11}{attrs.get('team', ''):<7}{attrs.get('caseworker', ''):<7}{exc}")
        due_soon = [r for r in results if r.status == "due" and r.days_left <= 14]
        print(f"... and {len(due_soon)} steps fall due within 14 days.")

        # 4. The DfE headline month by month: plans issued within 20 weeks,
        #    excluding cases with an exception. (A pandas DataFrame when
        #    pandas is installed; as_frame=False keeps plain dicts.)
        rows = ehcp.compliance(cases, by="month", measures=["final_20w_ex"], as_of=args.as_of,
                               evaluator=ev, as_frame=False)
    rows = [r for r in rows if r["denominator"]]
    print("\nNew plans within 20 weeks (final_20w_ex), last 12 months:")
    for r in rows[-12:]:
        bar = "#" * round(r["percent"] / 5)
        print(f"  {r['period']}  {r['numerator']:>3} of {r['denominator']:<3} {r['percent']:5.1f}%  {bar}")
    cases.close()

    # 5. The trajectory as a chart, if matplotlib is there.
    try:
        import matplotlib
        matplotlib.use("Agg")  # files only, never a window
        import matplotlib.pyplot as plt
    except ImportError:
        print("\n(matplotlib is not installed: no chart)")
        return 0
    months = [dt.date(int(r["period"][:4]), int(r["period"][5:]), 1) for r in rows]
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.plot(months, [r["percent"] for r in rows], marker="o", label="within 20 weeks (final_20w_ex)")
    ax.axhline(75, color="grey", linestyle="--", label="75% target")
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of new EHC plans")
    ax.set_title(f"New EHC plans issued within 20 weeks, by month (as of {args.as_of})")
    ax.legend(loc="upper right")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(args.png, dpi=100)
    plt.close(fig)
    print(f"\nchart: {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
