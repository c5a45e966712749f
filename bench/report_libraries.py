"""The run report's plotting library, chosen by the size of a self-contained page: the same
histogram (40 bars and a threshold rule, hover and zoom) written as a page that opens with no
network, by altair + vl-convert (Vega inlined) and by plotly (plotly.js inlined), and as
matplotlib's SVG (no hover, no zoom).

    python bench/report_libraries.py      # plotly and matplotlib from the bench extra

Prints one Markdown table: library, page bytes, hover, zoom.
"""
from __future__ import annotations

import io
import random

import altair as alt


def _bars() -> list[dict]:
    rng = random.Random(0)
    return [{"lo": i / 40, "hi": (i + 1) / 40, "docs": rng.randint(1, 500)} for i in range(40)]


def altair_page(bars: list[dict]) -> str:
    chart = alt.layer(
        alt.Chart(alt.Data(values=bars)).mark_rect().encode(x="lo:Q", x2="hi:Q", y="docs:Q", y2=alt.datum(0),
                                                             tooltip=["lo:Q", "docs:Q"]).interactive(),
        alt.Chart(alt.Data(values=[{"value": 0.3}])).mark_rule(color="red").encode(x="value:Q"))
    return chart.to_html(inline=True)


def plotly_page(bars: list[dict]) -> str:
    import plotly.graph_objects as go
    figure = go.Figure(go.Bar(x=[b["lo"] for b in bars], y=[b["docs"] for b in bars]))
    figure.add_vline(x=0.3, line_color="red")
    return figure.to_html(include_plotlyjs=True, full_html=True)


def matplotlib_svg(bars: list[dict]) -> str:
    import matplotlib
    matplotlib.use("svg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.bar([b["lo"] for b in bars], [b["docs"] for b in bars], width=1 / 40, align="edge")
    ax.axvline(0.3, color="red")
    out = io.StringIO()
    fig.savefig(out, format="svg")
    return out.getvalue()


def main() -> None:
    bars = _bars()
    print("| library | self-contained page | hover | zoom |\n|---|---:|---|---|")
    for name, make, interactive in (("altair + vl-convert", altair_page, "yes"), ("plotly", plotly_page, "yes"),
                                    ("matplotlib (SVG)", matplotlib_svg, "no")):
        try:
            size = f"{len(make(bars).encode()) / 1e6:.2f} MB"
        except ImportError as e:
            size = f"not installed ({e.name})"
        print(f"| {name} | {size} | {interactive} | {interactive} |")


if __name__ == "__main__":
    main()
