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
the performance issue (peak memory, `cscomp --help`, the sample-org stress test, simulate, a sweep
of 50 values). Targets are ratios within the run, never absolute timings. Writes RESULTS.md
(keeping the workbook's section, which benchmarks/workbook.py writes).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

PLAN = HERE / "plan_all.yaml"
LARGE = HERE / "data" / "large"
SMALL = HERE / "data" / "small"
CSCOMP = [sys.executable, "-m", "cscomp_cli"]


def timed(action, repeat: int) -> tuple[float, object]:
    """Median seconds of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def command_time(args: list[str], repeat: int) -> float:
    """Median wall time of a command, output discarded (piped, as in cron)."""
    def run():
        subprocess.run(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return timed(run, repeat)[0]


def peak_memory_mb(data: Path) -> float:
    """Peak resident memory of a fresh process that loads the data and replays the plan."""
    code = ("import resource,sys; sys.path.insert(0, %r)\n"
            "from cscomp_cli.data import load_dataset\nfrom cscomp_cli.plan import load_plan\n"
            "from cscomp_cli.engine import replay\nfrom cscomp_cli.versus_actual import compare_with_actual\n"
            "plan = load_plan(%r)\n"
            "compare_with_actual(replay(plan, load_dataset(%r, columns=plan.account_columns()), 8))\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
            "print(next((l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')), ''))"
            ) % (str(REPO), str(PLAN), str(data))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    # ru_maxrss survives exec on Linux, so a child forked from this (large) process would report our
    # memory too; VmHWM is the high-water mark of the child's own address space. Both are in KiB.
    return int(out[1] if len(out) > 1 else out[0]) / 1024


def cents_by_csm_quarter(replayed) -> dict[tuple[str, str], int]:
    rows = replayed.rows
    return {(q, c): int(v) for q, c, v in zip(rows["quarter"], rows["csm_id"], rows["proposed_cents"])}


def disagreements(reference: dict, other: dict) -> list[str]:
    keys = sorted(set(reference) | set(other))
    return [f"{q} {c}: cscomp {reference.get((q, c))} vs {other.get((q, c))}" for q, c in keys
            if reference.get((q, c)) != other.get((q, c))]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark cscomp against a per-row loop and DuckDB.")
    parser.add_argument("--small", action="store_true", help="use a 230 k-row org instead of 2.3 M rows")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (median); the loop runs once")
    parser.add_argument("--no-loop", action="store_true", help="skip the per-row loop (slow)")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)

    import generate

    data = SMALL if args.small else LARGE
    if not (data / "accounts.csv").exists():
        sizes = ["--csms", "200", "--accounts", "25000"] if args.small else []
        generate.main([*sizes, "--out", str(data)])

    from cscomp_cli.versus_actual import compare_with_actual
    from cscomp_cli.data import load_dataset
    from cscomp_cli.engine import replay, select_quarters
    from cscomp_cli.plan import load_plan, load_plan_document
    from cscomp_cli.sweep import parse_setting, sweep

    import reference_duckdb
    from workbook import keep_section

    plan = load_plan(PLAN)
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    log(f"data: {data}")
    load_s, dataset = timed(lambda: load_dataset(data, columns=plan.account_columns()), max(2, args.repeat // 2))
    rows = len(dataset.accounts)
    window = select_quarters(dataset, 8)
    log(f"(a) cscomp load: {load_s:.2f} s for {rows:,} rows")
    replay_s, comparison = timed(lambda: compare_with_actual(replay(plan, dataset, window=window)), args.repeat)
    ours = cents_by_csm_quarter(comparison.replay)
    log(f"(b) cscomp replay + comparison: {replay_s:.3f} s")

    con_s, con = timed(lambda: reference_duckdb.load_duckdb(data), max(2, args.repeat // 2))
    duck_s, duck = timed(lambda: reference_duckdb.payouts_duckdb(data, PLAN, window, con=con), args.repeat)
    log(f"(d) DuckDB load {con_s:.2f} s, compute {duck_s:.3f} s")
    duck_diff = disagreements(ours, duck)

    loop_s, loop_total_s, reading_s, loop_diff = None, None, None, []
    if not args.no_loop:
        import reference_loop

        loop_total_s, loop = timed(lambda: reference_loop.payouts_loop(data, PLAN, window), 1)
        loop_diff = disagreements(ours, loop)
        # The loop reads its own CSVs; cscomp's replay is timed without loading, so take the loop's
        # reading out too (it reads each file once with csv.DictReader) and compare the work alone.
        reading_s = timed(lambda: [reference_loop.read_csv(data / name) for name in
                                   ("accounts.csv", "roster.csv", "payouts.csv", "quotas.csv")], 1)[0]
        loop_s = max(loop_total_s - reading_s, 1e-9)
        log(f"(c) per-row loop: {loop_total_s:.1f} s, of which {reading_s:.1f} s reading CSVs")

    # The same org as a CRM, HR and payroll export it ($1,234.00, '-' for 0, Q1 2025, status words),
    # read through a data map: loading costs more, the replay must not differ by a cent.
    import exports

    raw = data.parent / f"{data.name}_exports"
    if not (raw / "cscomp-data.yaml").exists():
        exports.write_exports(data, raw)
    mapped_s, mapped = timed(lambda: load_dataset(raw, columns=plan.account_columns()), max(2, args.repeat // 2))
    mapped_diff = disagreements(ours, cents_by_csm_quarter(compare_with_actual(replay(plan, mapped,
                                                                                      window=window)).replay))
    log(f"(e) cscomp load through the data map: {mapped_s:.2f} s")

    memory = peak_memory_mb(data)
    log(f"peak memory: {memory:,.0f} MB")
    help_s = command_time([*CSCOMP, "--help"], 5)
    sample_s = command_time([*CSCOMP, "stress-test", "plans/nrr_focus.yaml", "--format", "json"], 3)
    simulate_s = command_time([*CSCOMP, "simulate", "plans/nrr_focus.yaml", "--runs", "10000", "--format",
                               "json"], 3)
    document, label = load_plan_document(PLAN)
    setting = parse_setting("components.retention.target=0.80:1.045:0.005")
    sweep_s, swept = timed(lambda: sweep(document, label, setting, dataset, 8), 1)
    sweep_errors = [r for r in swept["rows"] if r["error"]]
    log(f"sweep of {len(setting.values)} values: {sweep_s:.1f} s")

    agree = not duck_diff and not loop_diff and not mapped_diff
    checks = [
        ("replay + comparison ≤ 1.5 × DuckDB compute", replay_s <= 1.5 * duck_s,
         f"{replay_s:.3f} s vs {duck_s:.3f} s: {replay_s / duck_s:.2f} ×"),
        ("≥ 50 × faster than the per-row loop (computing)", None if loop_s is None else loop_s >= 50 * replay_s,
         "skipped" if loop_s is None else f"{loop_s:.1f} s vs {replay_s:.3f} s: {loop_s / replay_s:,.0f} ×"),
        ("load + replay vs the loop reading + computing (for reference)", None,
         "skipped" if loop_s is None else f"{loop_total_s:.1f} s vs {load_s + replay_s:.2f} s: "
         f"{loop_total_s / (load_s + replay_s):,.1f} ×"),
        ("raw exports through the data map load ≤ 2.5 × the canonical folder", mapped_s <= 2.5 * load_s,
         f"{mapped_s:.2f} s vs {load_s:.2f} s: {mapped_s / load_s:.2f} ×"),
        ("peak memory < 1.5 GB", memory < 1536, f"{memory:,.0f} MB"),
        ("`cscomp --help` < 0.25 s", help_s < 0.25, f"{help_s:.3f} s"),
        ("sample-org stress-test < 1.5 s end to end", sample_s < 1.5, f"{sample_s:.2f} s"),
        ("`simulate --runs 10000` on the sample org < 5 s", simulate_s < 5, f"{simulate_s:.2f} s"),
        (f"sweep of {len(setting.values)} values reuses the loaded data and metrics", not sweep_errors,
         f"{sweep_s:.1f} s ({sweep_s / len(setting.values):.3f} s a value; one replay alone {replay_s:.3f} s)"),
        ("all implementations agree to the cent", agree,
         f"{len(ours):,} CSM-quarters; DuckDB {len(duck_diff)} differ; through the data map {len(mapped_diff)} "
         "differ" + (
             "" if loop_s is None else f", loop {len(loop_diff)} differ")),
    ]
    report = [
        "# Benchmark results",
        "",
        f"Written by `python benchmarks/run.py{' --small' if args.small else ''}` on "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}.",
        "",
        f"- Machine: {machine()}",
        f"- Data: `{data.relative_to(REPO)}`: {rows:,} account-quarter rows, "
        f"{dataset.accounts['csm_id'].nunique():,} CSMs, {len(window)} quarters ({window[0]}–{window[-1]}); "
        f"{len(ours):,} CSM-quarters replayed",
        "- Plan: `benchmarks/plan_all.yaml` (every construct of the plan language)",
        f"- Medians of {args.repeat} runs in one process (the loop and the sweep: 1 run)",
        "",
        "| step | seconds |",
        "|---|---:|",
        f"| (a) cscomp load (CSV → validated frames) | {load_s:.2f} |",
        f"| (b) cscomp replay + comparison | {replay_s:.3f} |",
        f"| (c) per-row pure-Python loop, computing | {'—' if loop_s is None else f'{loop_s:.1f}'} |",
        f"| (c) per-row pure-Python loop, reading its CSVs (csv.DictReader) | "
        f"{'—' if reading_s is None else f'{reading_s:.1f}'} |",
        f"| (d) DuckDB load (read_csv into tables) | {con_s:.2f} |",
        f"| (e) cscomp load of the same org as raw exports, through the data map | {mapped_s:.2f} |",
        f"| (d) DuckDB compute (the plan as SQL) | {duck_s:.3f} |",
        "",
        "| target | met | measured |",
        "|---|:---:|---|",
        *[f"| {name} | {'—' if ok is None else ('yes' if ok else '**no**')} | {measured} |"
          for name, ok, measured in checks],
        "",
    ]
    if duck_diff or loop_diff or mapped_diff:
        report += ["Disagreements (first 10):", ""] + [f"- {line}" for line in
                                                       (duck_diff + loop_diff + mapped_diff)[:10]] + [""]
    workbook = keep_section(args.output)  # benchmarks/workbook.py writes its own section: keep it
    args.output.write_text("\n".join(report + ([workbook] if workbook else [])), encoding="utf-8")
    print("\n".join(report))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
