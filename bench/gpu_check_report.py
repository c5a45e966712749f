"""The last step of bench/gpu_check.sh: its test results (JUnit XML) and bench/probe_speed.py's JSON
as one OUT/gpu_check.json and one Markdown table, OUT/gpu_check.md, headed by the device's name.

    python bench/gpu_check_report.py OUT --tests-rc 0 --bench-rc 0
"""
from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from pathlib import Path


def test_counts(junit: Path) -> dict:
    if not junit.exists():
        return {"ran": False}
    suite = ET.parse(junit).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    counts = {key: int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped")}
    failed = [f"{case.get('classname')}::{case.get('name')}" for case in suite.iter("testcase")
              if case.find("failure") is not None or case.find("error") is not None]
    return {"ran": True, **counts, "passed": counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"],
            "failed": failed}


def markdown(report: dict) -> str:
    bench = report.get("bench") or {}
    tests = report["tests"]
    lines = [f"# GPU check: {bench.get('device', 'device unknown')}", ""]
    if tests["ran"]:
        lines.append(f"Tests: {tests['passed']} passed, {tests['failures'] + tests['errors']} failed, "
                     f"{tests['skipped']} skipped (exit {report['tests_rc']})."
                     + (" Failed: " + ", ".join(tests["failed"]) if tests["failed"] else ""))
    else:
        lines.append(f"Tests: did not run (exit {report['tests_rc']}).")
    lines.append("")
    if not bench:
        lines.append(f"Benchmark: no result (exit {report['bench_rc']}); see probe_speed.log.")
        return "\n".join(lines) + "\n"
    lines += [f"Benchmark (exit {report['bench_rc']}): model {bench['model']}, {bench['docs']} documents of "
              f"{bench['doc_tokens_min']}–{bench['doc_tokens']} tokens, chunks of {bench['chunk_tokens']} "
              f"tokens carrying state; torch {bench.get('torch')}, triton {bench.get('triton')}.", "",
              "| what | dtype | tokens/s | TFLOP/s | of dense peak | max rel. error vs fp64 |",
              "|---|---|---:|---:|---:|---:|"]
    for row in bench["rows"]:
        peak = f"{row['of_peak']:.1%}" if row.get("of_peak") is not None else "n/a"
        error = f"{row['max_rel_error']:.1e}" if row.get("max_rel_error") is not None else ""
        lines.append(f"| {row['what']} | {row['dtype']} | {row['tokens_per_s']:,.0f} | {row['tflops']:.3f} | "
                     f"{peak} | {error} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--tests-rc", type=int, required=True)
    parser.add_argument("--bench-rc", type=int, required=True)
    args = parser.parse_args()
    bench_file = args.out / "probe_speed.json"
    report = {"tests_rc": args.tests_rc, "bench_rc": args.bench_rc, "tests": test_counts(args.out / "tests.xml"),
              "bench": json.loads(bench_file.read_text()) if bench_file.exists() else None}
    (args.out / "gpu_check.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "gpu_check.md").write_text(markdown(report))


if __name__ == "__main__":
    main()
