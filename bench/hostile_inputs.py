"""How the clean stage's time grows on documents shaped to make a rule slow: a long run of blanks
after a contact label, a comma keyword list on one line of a page with repeated lines, a long run
of dots before a letter, thousands of @mentions. One such document must not stall a worker: its
time should grow with its size, not with its square.

    python bench/hostile_inputs.py [--profile mixed_web] [--size 20000] [--growth 8]
    python bench/hostile_inputs.py --html [--size 20000] [--growth 8]

Each shape is cleaned at ``--size`` characters and at ``--growth`` times that, in this process,
best of three; the table gives both times and the growth of time against the growth of size
(about 1 for a linear rule, ``--growth`` for a quadratic one). With ``--html`` the shapes are HTML
pages made to slow the HTML parser (``datacleaning/readers/html_guard.py``), each read into text
by every ``input.html_extractor``, and by the default one without the guard. Writes bench/out/hostile_inputs.json (hostile_html.json).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from _common import BENCH_OUT, add_dev_data_option, dev_data_or_exit
from resiliparse.parse.html import HTMLTree

import datacleaning as dc
from datacleaning.config import load_config
from datacleaning.readers.page import EXTRACTORS, page_text

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


def html_shapes(size: int) -> dict[str, str]:
    """Each hostile page shape at about ``size`` characters (written for this script)."""
    def page(body: str) -> str:
        return f"<html><body>{body}</body></html>"
    return {
        "formatting tags left open, other attributes each": page("".join(
            f'<font color="#{k:06x}"><p>{PROSE}' for k in range(size // 45))),
        "lists left open inside one another": page(f"<ul><li>{PROSE}" * (size // 30)),
        "one select of many options": page("<select>" + "<option>选项" * (size // 10) + "</select>"),
        "divs left open inside one another": page(f"<div>{PROSE}" * (size // 27)),
    }


def unguarded_text(page: str) -> str:
    """The default reader's text of ``page`` as it was before the guard: parsed as it is."""
    return EXTRACTORS["resiliparse"](page, HTMLTree.parse(page))


def guard_cost(dev: Path, profile: str) -> float:
    """Seconds with the guard ÷ seconds without, of reading the gold pages (default reader) and
    cleaning them with ``profile``, best of three interleaved rounds each."""
    from main_content import gold_pages

    pages = [page["html"] for page in gold_pages(dev)]
    pipeline = dc.Pipeline(load_config(None, profile=profile))
    readers = {"guarded": lambda page: page_text(page, "resiliparse")[0],
               "unguarded": unguarded_text}
    best = dict.fromkeys(readers, float("inf"))
    for _ in range(3):
        for name, read in readers.items():
            began = time.process_time()
            list(pipeline.clean(read(page) for page in pages))
            best[name] = min(best[name], time.process_time() - began)
    print(f"\n{len(pages)} gold pages, default reader and {profile}: {best['guarded']:.2f} s with the guard, "
          f"{best['unguarded']:.2f} s without ({best['guarded'] / best['unguarded']:.3f}x)")
    return best["guarded"] / best["unguarded"]


def seconds(clean, text: str) -> float:
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        clean(text)
        best = min(best, time.perf_counter() - began)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="mixed_web")
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--growth", type=int, default=8)
    parser.add_argument("--html", action="store_true",
                        help="hostile HTML pages through every HTML extractor; with the development corpus, "
                             "also the guard's cost on its gold pages")
    add_dev_data_option(parser)
    parser.add_argument("--out", help="JSON results (default: bench/out/hostile_inputs.json or hostile_html.json)")
    args = parser.parse_args()
    dev = None
    if args.html and args.dev_data:
        dev = dev_data_or_exit(args.dev_data, "hostile_inputs", needs=("boilerplate",))
    if args.html:
        cleaners = {name: (lambda page, name=name: page_text(page, name)) for name in EXTRACTORS}
        cleaners["resiliparse, unguarded"] = unguarded_text
        small, large = html_shapes(args.size), html_shapes(args.size * args.growth)
        out = args.out or str(BENCH_OUT / "hostile_html.json")
    else:
        pipeline = dc.Pipeline(load_config(None, profile=args.profile))
        cleaners = {args.profile: lambda text: list(pipeline.clean([text]))}
        small, large = shapes(args.size), shapes(args.size * args.growth)
        out = args.out or str(BENCH_OUT / "hostile_inputs.json")
    rows = []
    print(f"| shape | reader or profile | chars | seconds | chars ×{args.growth} | seconds | time growth / size growth |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name in small:
        for cleaner, clean in cleaners.items():
            t_small, t_large = seconds(clean, small[name]), seconds(clean, large[name])
            ratio = (t_large / t_small) / (len(large[name]) / len(small[name]))
            rows.append({"shape": name, "cleaner": cleaner, "chars": [len(small[name]), len(large[name])],
                         "seconds": [t_small, t_large], "growth_ratio": ratio})
            print(f"| {name} | {cleaner} | {len(small[name]):,} | {t_small:.4f} | {len(large[name]):,} | "
                  f"{t_large:.4f} | {ratio:.2f} |")
    cost = guard_cost(dev, args.profile) if dev else None
    BENCH_OUT.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"profile": args.profile, "rows": rows, "guard_cost": cost}, f, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
