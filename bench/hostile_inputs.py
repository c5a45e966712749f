"""How the clean stage's time grows on documents shaped to make a rule slow: a long run of blanks
after a contact label, a comma keyword list on one line of a page with repeated lines, a long run
of dots before a letter, thousands of @mentions. One such document must not stall a worker: its
time should grow with its size, not with its square.

    python bench/hostile_inputs.py [--profile mixed_web] [--size 20000] [--growth 8]

Each shape is cleaned at ``--size`` characters and at ``--growth`` times that, in this process,
best of three; the table gives both times and the growth of time against the growth of size
(about 1 for a linear rule, ``--growth`` for a quadratic one). Writes bench/out/hostile_inputs.json.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

from _common import BENCH_OUT
import datacleaning as dc
from datacleaning.config import load_config

PROSE = "今天天气很好，我们去公园散步，然后回家吃饭。"


def shapes(size: int) -> dict[str, str]:
    """Each hostile shape as a document of about ``size`` characters (written for this script)."""
    return {
        "blanks after a QQ label": f"{PROSE}联系QQ{' ' * size}客服人员。{PROSE}",
        "blanks after a WeChat label": f"{PROSE}加微信号{' ' * size}客服人员。{PROSE}",
        "keyword list on one line, lines repeated": "标题\n标题\n" + "今天天气很好我们,去公园散步吃饭,然后回家了。" * (size // 24),
        "dots before a letter": "The update is still running. " * 10 + "Loading" + "." * size + "done.",
        "mentions": "谢谢@张三，" * (size // 6),
    }


def seconds(pipeline: dc.Pipeline, text: str) -> float:
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        list(pipeline.clean([text]))
        best = min(best, time.perf_counter() - began)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="mixed_web")
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--growth", type=int, default=8)
    parser.add_argument("--out", default=str(BENCH_OUT / "hostile_inputs.json"))
    args = parser.parse_args()
    pipeline = dc.Pipeline(load_config(None, profile=args.profile))
    small, large = shapes(args.size), shapes(args.size * args.growth)
    rows = []
    print(f"| shape ({args.profile}) | chars | seconds | chars ×{args.growth} | seconds | time growth / size growth |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in small:
        t_small, t_large = seconds(pipeline, small[name]), seconds(pipeline, large[name])
        ratio = (t_large / t_small) / (len(large[name]) / len(small[name]))
        rows.append({"shape": name, "chars": [len(small[name]), len(large[name])], "seconds": [t_small, t_large],
                     "growth_ratio": ratio})
        print(f"| {name} | {len(small[name]):,} | {t_small:.4f} | {len(large[name]):,} | {t_large:.4f} | {ratio:.2f} |")
    BENCH_OUT.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"profile": args.profile, "rows": rows}, f, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
