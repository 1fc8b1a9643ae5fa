"""Benchmark cscomp against what a RevOps analyst would write instead, in one run, on the same data.

    pip install -e '.[bench]'            # duckdb, the peer
    python benchmarks/run.py             # generates benchmarks/data/large (≈2.3 M rows) on first use
    python benchmarks/run.py --small     # a 230 k-row org, for a quick look

Times, as medians of several runs in this one process (the loop runs once: it is slow):
  (a) cscomp's load of the data folder;
  (b) cscomp's replay + comparison of benchmarks/plan_all.yaml (every construct of the plan language);
  (c) the same plan as a per-row pure-Python loop (benchmarks/reference_loop.py);
  (d) the same metrics and payouts as DuckDB SQL (benchmarks/reference_duckdb.py), load and compute;
  (e) cscomp's load of the same org written as raw exports (benchmarks/exports.py), through a data map;
checks that all three agree to the cent on every CSM-quarter, and measures the other targets of
the performance issue. Targets are ratios within the run, never absolute timings. Writes RESULTS.md
(keeping the workbook's section, which benchmarks/workbook.py writes).

End to end, as separate processes, on two variants of the org: "clean" (benchmarks/generate.py)
and "real" (benchmarks/real.py: health mostly blank, a few $1,234.00 amounts), alternating
  cscomp stress-test benchmarks/plan_all.yaml --data D -n 8 --format csv|json --output F -q
  python benchmarks/duckdb_e2e.py D -n 8 --output F            (the same plan as DuckDB SQL)
and checking the two CSVs agree to the cent on every CSM-quarter and shared column
(benchmarks/agreement.py); cscomp's peak memory is its process's own (os.wait4). In process, the
same command's steps: load, replay, comparison, output (csv and json).

    python benchmarks/run.py --only e2e --small --repeat 3    # a quick look at the end-to-end figures
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from measuring import machine, timed

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

PLAN = HERE / "plan_all.yaml"
# Three plans that run on the benchmark data, for `cscomp compare` (the two variants extend PLAN).
COMPARED = [PLAN, HERE / "plan_all_retention.yaml", HERE / "plan_all_ttm.yaml"]
LARGE = HERE / "data" / "large"
SMALL = HERE / "data" / "small"
CSCOMP = [sys.executable, "-m", "cscomp_cli"]
SWEEP = "components.retention.target=0.80:1.045:0.005"  # 50 values
SECTIONS = ("e2e", "targets", "steps")
# Variants of PLAN with SPEC 6.4-6.6's pay rules, timed against it: plan_all_<name>.yaml.
PAY_RULE_VARIANTS = {"period": "annual goals, 75 % advances, ramp and guarantee",
                     "clawback": "two-quarter expansion clawback"}  # --only: what a run measures (all by default)
# The plan_all constructs of SPEC section 3 alone (no custom metrics, no windows): the plan DuckDB computes
# quickest, timed end to end too so the figures do not rest on the window SQL alone.
CORE_PLAN = HERE / "plan_core.yaml"
# Commands run as on a user's machine, where Python caches compiled modules: a development shell's
# PYTHONDONTWRITEBYTECODE would make every run recompile cscomp (~0.2 s) and time that instead.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

# Runs one command and reports its wall time, its own peak RSS and its exit status. ru_maxrss
# carries over fork and exec on Linux, so the command is started from this small, fresh Python
# (a few MB), never from the benchmark's process, which holds the loaded data.
_CHILD = """import json, os, sys, time
out = os.open(os.devnull, os.O_WRONLY)
err = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ,
                     file_actions=[(os.POSIX_SPAWN_DUP2, out, 1), (os.POSIX_SPAWN_DUP2, err, 2)])
_, status, usage = os.wait4(pid, 0)
print(json.dumps([time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status)]))
"""


def measured(args: list[str], errors: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one run of a command; its stderr goes to `errors`."""
    done = subprocess.run([sys.executable, "-c", _CHILD, str(errors), *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, check=True, env=CHILD_ENV)
    seconds, maxrss_kib, status = json.loads(done.stdout)
    if status != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} exited {status}:\n{errors.read_text(errors='replace')[-2000:]}")
    return seconds, maxrss_kib / 1024


def process_median(args: list[str], repeat: int, errors: Path) -> tuple[float, float]:
    """Median wall seconds and the highest peak memory (MB) of `repeat` runs of a command."""
    runs = [measured(args, errors) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def end_to_end(data: Path, currency: bool, repeat: int, work: Path, plan: Path = PLAN) -> dict:
    """cscomp stress-test (csv, json) and the DuckDB script, alternating, each `repeat` times; then
    whether their CSVs agree to the cent (and cscomp's JSON with its CSV on the proposed payouts)."""
    import agreement

    work.mkdir(parents=True, exist_ok=True)
    out = {fmt: work / f"cscomp.{fmt}" for fmt in ("csv", "json")}
    commands = {fmt: [*CSCOMP, "stress-test", plan, "--data", data, "-n", "8", "--format", fmt, "--output", out[fmt],
                      "-q"] for fmt in out}
    commands["duckdb"] = [sys.executable, HERE / "duckdb_e2e.py", data, "--plan", plan, "-n", "8",
                          "--output", work / "duckdb.csv", *(["--currency"] if currency else [])]
    runs = {name: [] for name in commands}
    for name in ("csv", "duckdb"):  # once each, untimed: compiled modules cached, files in the page cache
        measured(commands[name], work / f"{name}.stderr")
    for _ in range(repeat):
        for name in ("csv", "duckdb", "json"):  # cscomp and DuckDB take turns
            runs[name].append(measured(commands[name], work / f"{name}.stderr"))
    rows, shared, problems = agreement.disagreements(out["csv"], work / "duckdb.csv")
    document = json.loads(out["json"].read_text(encoding="utf-8"))
    _, csv_rows = agreement.read_rows(out["csv"])
    problems += [f"{r['quarter']} {r['csm_id']}: json proposed {r['proposed']} vs csv "
                 f"{csv_rows.get((r['quarter'], r['csm_id']), {}).get('proposed')}" for r in document["rows"]
                 if not agreement.same(str(r["proposed"]), csv_rows.get((r["quarter"], r["csm_id"]), {}).get("proposed", ""))]
    if len(document["rows"]) != len(csv_rows):
        problems.append(f"json has {len(document['rows'])} rows, csv {len(csv_rows)}")
    median = {name: statistics.median(t for t, _ in r) for name, r in runs.items()}
    peak = {name: max(m for _, m in r) for name, r in runs.items()}
    return {"seconds": median, "peak_mb": peak, "rows": rows, "columns": shared, "problems": problems}


def steps(data: Path, plan, repeat: int, work: Path) -> dict:
    """The stress-test command's steps in this process: load, replay, comparison, output (csv, json)."""
    from cscomp_cli.analyses.stress_test import stress_test_result
    from cscomp_cli.commands.emit import emit
    from cscomp_cli.engine.replay import replay
    from cscomp_cli.engine.versus_actual import compare_with_actual
    from cscomp_cli.inputs.dataset import load_dataset
    from cscomp_cli.render.formats import Format

    load_s, dataset = timed(lambda: load_dataset(data, columns=plan.account_columns()), repeat)
    replay_s, replayed = timed(lambda: replay(plan, dataset, 8), repeat)
    compare_s, comparison = timed(lambda: compare_with_actual(replayed), repeat)
    # As stress-test renders (cscomp_cli/commands/replay.py): the document, then the format.
    # If the output path's functions change, say so and go on: the end-to-end figures do not need them.
    render = {}
    for fmt in ("csv", "json"):
        try:
            render[fmt] = timed(lambda: emit(stress_test_result(comparison, [], data=str(data), plan=plan, source=""),
                                             Format(fmt), work / f"steps.{fmt}"), repeat)[0]
        except Exception as exc:  # noqa: BLE001
            print(f"steps: rendering {fmt} as stress-test does failed: {exc!r}", file=sys.stderr)
            render[fmt] = float("nan")
    return {"load": load_s, "replay": replay_s, "compare": compare_s, **render, "rows": len(dataset.accounts)}


def cents_by_csm_quarter(replayed) -> dict[tuple[str, str], int]:
    rows = replayed.rows
    return {(q, c): int(v) for q, c, v in zip(rows["quarter"], rows["csm_id"], rows["proposed_cents"])}


def disagreements(reference: dict, other: dict) -> list[str]:
    keys = sorted(set(reference) | set(other))
    return [f"{q} {c}: cscomp {reference.get((q, c))} vs {other.get((q, c))}" for q, c in keys
            if reference.get((q, c)) != other.get((q, c))]


def ratio(ours: float, theirs: float) -> str:
    return f"{ours:.2f} s vs {theirs:.2f} s: {ours / theirs:.2f} ×"


def legacy(args, data: Path, plan, log) -> tuple[list, list, list, dict]:
    """(a)-(e): in-process load and replay against the per-row loop and DuckDB's load and compute."""
    import exports
    import reference_duckdb

    from cscomp_cli.engine.paid_quarters import select_quarters
    from cscomp_cli.engine.replay import replay
    from cscomp_cli.engine.versus_actual import compare_with_actual
    from cscomp_cli.inputs.dataset import load_dataset
    from cscomp_cli.plan.loading import load_plan

    load_s, dataset = timed(lambda: load_dataset(data, columns=plan.account_columns()), max(2, args.repeat // 2))
    window = select_quarters(dataset, 8)
    log(f"(a) cscomp load: {load_s:.2f} s for {len(dataset.accounts):,} rows")
    replay_s, comparison = timed(lambda: compare_with_actual(replay(plan, dataset, window=window)), args.repeat)
    ours = cents_by_csm_quarter(comparison.replay)
    log(f"(b) cscomp replay + comparison: {replay_s:.3f} s")
    # The same plan's annual variant (advances, true-up, floors) and its clawback variant, timed turn about
    # with it so a busy machine slows all three alike: SPEC 6.4-6.6 may cost at most half as much again.
    variants = {name: load_plan(HERE / f"plan_all_{name}.yaml") for name in PAY_RULE_VARIANTS}
    variant_s = alternating({"base": lambda: compare_with_actual(replay(plan, dataset, window=window)),
                             **{name: (lambda p=p: compare_with_actual(replay(p, dataset, window=window)))
                                for name, p in variants.items()}}, args.repeat)
    log("(b) variants: " + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in variant_s.items()))
    con_s, con = timed(lambda: reference_duckdb.load_duckdb(data), max(2, args.repeat // 2))
    duck_s, duck = timed(lambda: reference_duckdb.payouts_duckdb(data, PLAN, window, con=con), args.repeat)
    log(f"(d) DuckDB load {con_s:.2f} s, compute {duck_s:.3f} s")
    diffs = {"DuckDB": disagreements(ours, duck)}
    loop_s, loop_total_s, reading_s = None, None, None
    if not args.no_loop:
        import reference_loop

        loop_total_s, loop = timed(lambda: reference_loop.payouts_loop(data, PLAN, window), 1)
        diffs["loop"] = disagreements(ours, loop)
        # The loop reads its own CSVs; cscomp's replay is timed without loading, so take the loop's
        # reading out too (it reads each file once with csv.DictReader) and compare the work alone.
        reading_s = timed(lambda: [reference_loop.read_csv(data / name) for name in
                                   ("accounts.csv", "roster.csv", "payouts.csv", "quotas.csv")], 1)[0]
        loop_s = max(loop_total_s - reading_s, 1e-9)
        log(f"(c) per-row loop: {loop_total_s:.1f} s, of which {reading_s:.1f} s reading CSVs")
    # The same org as a CRM, HR and payroll export it ($1,234.00, '-' for 0, Q1 2025, status words),
    # read through a data map: loading costs more, the replay must not differ by a cent.
    raw = data.parent / f"{data.name}_exports"
    if not (raw / "cscomp-data.yaml").exists():
        exports.write_exports(data, raw)
    mapped_s, mapped = timed(lambda: load_dataset(raw, columns=plan.account_columns()), max(2, args.repeat // 2))
    diffs["the data map"] = disagreements(ours, cents_by_csm_quarter(compare_with_actual(
        replay(plan, mapped, window=window)).replay))
    log(f"(e) cscomp load through the data map: {mapped_s:.2f} s")
    rows = [
        ("(a) cscomp load (CSV → validated frames)", f"{load_s:.2f}"),
        ("(b) cscomp replay + comparison", f"{replay_s:.3f}"),
        *((f"(b) … of `plan_all_{name}.yaml` ({PAY_RULE_VARIANTS[name]})", f"{variant_s[name]:.3f}")
          for name in PAY_RULE_VARIANTS),
        ("(c) per-row pure-Python loop, computing", "—" if loop_s is None else f"{loop_s:.1f}"),
        ("(c) per-row pure-Python loop, reading its CSVs (csv.DictReader)",
         "—" if reading_s is None else f"{reading_s:.1f}"),
        ("(d) DuckDB load (read_csv into tables)", f"{con_s:.2f}"),
        ("(d) DuckDB compute (the plan as SQL)", f"{duck_s:.3f}"),
        ("(e) cscomp load of the same org as raw exports, through the data map", f"{mapped_s:.2f}"),
    ]
    checks = [
        ("replay + comparison ≤ 1.5 × DuckDB compute", replay_s <= 1.5 * duck_s, ratio(replay_s, duck_s)),
        *((f"replay + comparison of the {PAY_RULE_VARIANTS[name]} variant ≤ 1.5 × the plan's, timed turn about",
           variant_s[name] <= 1.5 * variant_s["base"], ratio(variant_s[name], variant_s["base"]))
          for name in PAY_RULE_VARIANTS),
        ("≥ 50 × faster than the per-row loop (computing)", None if loop_s is None else loop_s >= 50 * replay_s,
         "skipped" if loop_s is None else f"{loop_s:.1f} s vs {replay_s:.3f} s: {loop_s / replay_s:,.0f} ×"),
        ("load + replay vs the loop reading + computing (for reference)", None,
         "skipped" if loop_s is None else f"{loop_total_s:.1f} s vs {load_s + replay_s:.2f} s: "
         f"{loop_total_s / (load_s + replay_s):,.1f} ×"),
        ("raw exports through the data map load ≤ 2.5 × the canonical folder", mapped_s <= 2.5 * load_s,
         f"{mapped_s:.2f} s vs {load_s:.2f} s: {mapped_s / load_s:.2f} ×"),
        ("in process, cscomp, DuckDB, the loop and the data map agree to the cent", not any(diffs.values()),
         f"{len(ours):,} CSM-quarters; " + ", ".join(f"{name} {len(d)} differ" for name, d in diffs.items())),
    ]
    problems = [f"{name}: {line}" for name, d in diffs.items() for line in d[:10]]
    return rows, checks, problems, {"dataset": dataset, "window": window, "replay_s": replay_s}


def alternating(actions: dict, repeat: int) -> dict[str, float]:
    """Median seconds of each action, run turn about ``repeat`` times (the first round untimed)."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for round_ in range(repeat + 1):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            if round_:
                times[name].append(time.perf_counter() - started)
    return {name: statistics.median(seconds) for name, seconds in times.items()}


def current(data: Path) -> bool:
    """Whether a generated org is there and carries every column the benchmark plan reads (an org
    generated before the plan's own metrics lacks csat and churn_reason: it is generated again)."""
    try:
        with open(data / "accounts.csv", encoding="utf-8") as handle:
            header = set(handle.readline().strip().split(","))
    except OSError:
        return False
    return {"csat", "churn_reason"} <= header


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark cscomp against a per-row loop and DuckDB.")
    parser.add_argument("--small", action="store_true", help="use a 230 k-row org instead of 2.3 M rows")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (median); the loop runs once")
    parser.add_argument("--no-loop", action="store_true", help="skip the per-row loop (slow)")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run, of {', '.join(SECTIONS)} (steps: the in-process "
                             "(a)-(e) and the steps of stress-test); RESULTS.md is only written by a full run "
                             "unless --output is given")
    parser.add_argument("--output", type=Path, default=None, help="default benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    if not only <= set(SECTIONS):
        parser.error(f"--only takes {', '.join(SECTIONS)}")
    output = args.output or (HERE / "RESULTS.md" if only == set(SECTIONS) else None)

    import generate
    import real

    data = SMALL if args.small else LARGE
    stale = not current(data)
    if stale:
        sizes = ["--csms", "200", "--accounts", "25000"] if args.small else []
        generate.main([*sizes, "--out", str(data)])
    real_data = HERE / "data" / f"{data.name}_real"
    if stale or not (real_data / "accounts.csv").exists():
        real.write_real(data, real_data)
    variants = {"clean": (data, False), "real": (real_data, True)}

    from workbook import keep_section

    from cscomp_cli.plan.loading import load_plan, load_plan_document

    plan = load_plan(PLAN)
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    log(f"data: {data} and {real_data}")
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"cscomp-bench-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    checks, problems, e2e_rows, step_rows, legacy_rows = [], [], [], [], []

    e2e = {}
    if "e2e" in only:  # first, while this process is small (it does not matter for memory, but for the CPUs)
        for name, (folder, currency) in variants.items():
            e2e[name] = result = end_to_end(folder, currency, args.repeat, work / name)
            s = result["seconds"]
            log(f"e2e {name}: cscomp csv {s['csv']:.2f} s, json {s['json']:.2f} s, DuckDB {s['duckdb']:.2f} s; "
                f"peak {result['peak_mb']['csv']:,.0f} MB; {len(result['problems'])} disagreements")
            e2e_rows.append(f"| {name} | {s['csv']:.2f} | {s['json']:.2f} | {s['duckdb']:.2f} | "
                            f"{s['csv'] / s['duckdb']:.2f} × | {s['json'] / s['duckdb']:.2f} × | "
                            f"{max(result['peak_mb']['csv'], result['peak_mb']['json']):,.0f} | "
                            f"{result['peak_mb']['duckdb']:,.0f} |")
            problems += [f"end to end, {name}: {line}" for line in result["problems"][:10]]
        core = end_to_end(data, False, args.repeat, work / "core", plan=CORE_PLAN)
        s = core["seconds"]
        log(f"e2e core plan, clean: cscomp csv {s['csv']:.2f} s, json {s['json']:.2f} s, DuckDB {s['duckdb']:.2f} s")
        e2e_rows.append(f"| clean, `plan_core.yaml` (no custom metrics) | {s['csv']:.2f} | {s['json']:.2f} | "
                        f"{s['duckdb']:.2f} | {s['csv'] / s['duckdb']:.2f} × | {s['json'] / s['duckdb']:.2f} × | "
                        f"{max(core['peak_mb']['csv'], core['peak_mb']['json']):,.0f} | {core['peak_mb']['duckdb']:,.0f} |")
        problems += [f"end to end, core plan: {line}" for line in core["problems"][:10]]
        for name, result in [*e2e.items(), ("clean, plan_core.yaml", core)]:
            s = result["seconds"]
            worst = max(s["csv"], s["json"])
            checks.append((f"end to end ≤ 1.0 × DuckDB's, {name} data (csv and json; the floor is 1.5 ×)",
                           worst <= s["duckdb"], f"{ratio(worst, s['duckdb'])}"
                           + ("" if worst <= 1.5 * s["duckdb"] else "; **below the 1.5 × floor**")))
        peak = max(max(r["peak_mb"]["csv"], r["peak_mb"]["json"]) for r in e2e.values())
        checks.append(("peak memory of the stress-test process < 1.2 GB" + ("" if not args.small else " (small org)"),
                       peak < 1200, f"{peak:,.0f} MB"))
        checks.append(("end to end, cscomp's CSV and DuckDB's agree to the cent on every CSM-quarter",
                       not any(r["problems"] for r in [*e2e.values(), core]),
                       "; ".join(f"{name}: {r['rows']:,} CSM-quarters × {len(r['columns'])} columns, "
                                 f"{len(r['problems'])} differ" for name, r in [*e2e.items(), ("core plan", core)])))

    if "steps" in only:
        for name, (folder, _) in variants.items():
            st = steps(folder, plan, max(2, args.repeat // 2), work / name)
            log(f"steps {name}: {st}")
            step_rows.append(f"| {name} | {st['load']:.2f} | {st['replay']:.3f} | {st['compare']:.3f} | "
                             f"{st['csv']:.2f} | {st['json']:.2f} |")
        legacy_rows, legacy_checks, legacy_problems, _ = legacy(args, data, plan, log)
        checks += legacy_checks
        problems += legacy_problems

    if "targets" in only:
        errors = work / "targets.stderr"
        # Once untimed first: compiled modules cached, as on a user's machine after the first run.
        process_median([*CSCOMP, "stress-test", "plans/nrr_focus.yaml", "--format", "json"], 1, errors)
        help_s = process_median([*CSCOMP, "--help"], 5, errors)[0]
        sample_s = process_median([*CSCOMP, "stress-test", "plans/nrr_focus.yaml", "--format", "json"], 5, errors)[0]
        simulate_s = process_median([*CSCOMP, "simulate", "plans/nrr_focus.yaml", "--runs", "10000", "--format",
                                     "json"], 3, errors)[0]
        one_s = process_median([*CSCOMP, "stress-test", PLAN, "--data", data, "-n", "8", "--format", "csv", "--output",
                                work / "one.csv", "-q"], args.repeat, errors)[0]
        compare_s = process_median([*CSCOMP, "compare", *COMPARED, "--data", data, "-n", "8", "--format", "csv",
                                    "--output", work / "compare.csv", "-q"], max(1, args.repeat // 2), errors)[0]
        sweep_cli_s = process_median([*CSCOMP, "sweep", PLAN, "--set", SWEEP, "--data", data, "-n", "8", "--format",
                                      "csv", "--output", work / "sweep.csv", "-q"], 1, errors)[0]
        from cscomp_cli.analyses.sweep import parse_setting, sweep
        from cscomp_cli.inputs.dataset import load_dataset

        dataset = load_dataset(data, columns=plan.account_columns())
        document, label = load_plan_document(PLAN)
        setting = parse_setting(SWEEP)
        sweep_s, swept = timed(lambda: sweep(document, label, setting, dataset, 8), 1)
        sweep_errors = [r for r in swept["rows"] if r["error"]]
        log(f"sweep of {len(setting.values)} values: {sweep_cli_s:.1f} s end to end, {sweep_s:.1f} s in process")
        checks += [
            ("`cscomp --help` < 0.25 s", help_s < 0.25, f"{help_s:.3f} s"),
            ("sample-org stress-test ≤ 0.5 s end to end", sample_s <= 0.5, f"{sample_s:.2f} s"),
            ("`simulate --runs 10000` on the sample org < 5 s", simulate_s < 5, f"{simulate_s:.2f} s"),
            (f"sweep of {len(setting.values)} values ≤ 5 s end to end (`cscomp sweep`)", sweep_cli_s <= 5 and
             not sweep_errors, f"{sweep_cli_s:.1f} s; in process (data loaded) {sweep_s:.1f} s, "
             f"{sweep_s / len(setting.values):.3f} s a value"),
            (f"`compare` of {len(COMPARED)} plans ≤ 2 × one stress test (end to end, csv)", compare_s <= 2 * one_s,
             ratio(compare_s, one_s)),
        ]

    rows = sum(1 for _ in open(data / "accounts.csv", encoding="utf-8")) - 1
    report = [
        "# Benchmark results",
        "",
        f"Written by `python benchmarks/run.py{' --small' if args.small else ''}"
        f"{'' if only == set(SECTIONS) else ' --only ' + ','.join(sorted(only))}` on "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}.",
        "",
        f"- Machine: {machine()}; load average {os.getloadavg()[0]:.1f} when the run ended (the CPUs may be shared)",
        f"- Data: `{data.relative_to(REPO)}` (clean) and `{real_data.relative_to(REPO)}` (real: benchmarks/real.py, "
        f"health blank in ~70 % of rows, NPS in ~30 %, risk missing in ~10 %, yes/no flags, ~0.3 % of amount cells "
        f"as $1,234.00): {rows:,} account-quarter rows each, 8 quarters",
        "- Plan: `benchmarks/plan_all.yaml` (every construct of the plan language)",
        f"- Medians of {args.repeat} runs (the loop and the sweep: 1 run)",
        "",
    ]
    if e2e_rows:
        report += [
            "## End to end (separate processes, cscomp and DuckDB alternating)", "",
            "`cscomp stress-test benchmarks/plan_all.yaml --data D -n 8 --format csv|json --output F -q` against "
            "`python benchmarks/duckdb_e2e.py D -n 8 --output F` (reads the same CSVs, the same plan as SQL, "
            "writes the same CSV columns; `--currency` on the real data).", "",
            "| data | cscomp csv (s) | cscomp json (s) | DuckDB (s) | csv / DuckDB | json / DuckDB | cscomp peak MB "
            "| DuckDB peak MB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|", *e2e_rows, ""]
    if step_rows:
        report += ["## The stress-test's steps, in process", "",
                   "| data | load_dataset | replay | compare_with_actual | output csv | output json |",
                   "|---|---:|---:|---:|---:|---:|", *step_rows, "",
                   "## In process against the references (clean data)", "",
                   "| step | seconds |", "|---|---:|", *[f"| {name} | {value} |" for name, value in legacy_rows], ""]
    report += [
        "## Targets", "",
        "| target | met | measured |",
        "|---|:---:|---|",
        *[f"| {name} | {'—' if ok is None else ('yes' if ok else '**no**')} | {measured_} |"
          for name, ok, measured_ in checks],
        "",
    ]
    if problems:
        report += ["Disagreements (first 10 of each):", ""] + [f"- {line}" for line in problems] + [""]
    if output is not None:
        workbook = keep_section(output)  # benchmarks/workbook.py writes its own section: keep it
        output.write_text("\n".join(report + ([workbook] if workbook else [])), encoding="utf-8")
    print("\n".join(report))
    if problems:
        log(f"the outputs compared are kept in {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
