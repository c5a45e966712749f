"""The report's charts, as Vega-Lite specifications built with altair: each hovers (tooltips) and
the histograms zoom and pan, in a page with no network access (page.py inlines Vega once)."""
from __future__ import annotations

import altair as alt

from datacleaning.report.tables import Histogram

WIDTH = 260
THRESHOLD_COLOR = "#d62728"


def _language_colour(languages: list[str]) -> alt.Color:
    """Colour by language, the same language the same colour in every chart given the same list."""
    return alt.Color("lang:N", title="language", scale=alt.Scale(domain=languages))


def funnel(rows: list[dict], steps: list[str], languages: list[str]) -> dict:
    """Documents and characters at each step, stacked by language."""
    base = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("step:N", sort=steps, title=None),
        color=_language_colour(languages),
        tooltip=["step:N", "lang:N", alt.Tooltip("docs:Q", format=","), alt.Tooltip("chars:Q", format=",")])
    return alt.hconcat(
        base.encode(y=alt.Y("sum(docs):Q", title="documents")).properties(width=WIDTH, title="documents"),
        base.encode(y=alt.Y("sum(chars):Q", title="characters")).properties(width=WIDTH, title="characters"),
    ).to_dict()


def by_rule(rows: list[dict], title: str, languages: list[str]) -> dict:
    """Documents per rule, stacked by language, the rule of most documents on top."""
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("rule:N", sort="-x", title=None),
        x=alt.X("sum(docs):Q", title="documents"),
        color=_language_colour(languages),
        tooltip=["rule:N", "lang:N", alt.Tooltip("docs:Q", format=",")],
    ).properties(width=2 * WIDTH, title=title).to_dict()


def distribution(hist: Histogram, thresholds: list[dict], title: str, zoom: str) -> alt.LayerChart:
    """A histogram with the thresholds drawn on it as red rules (hover for the parameter). ``zoom``
    names its pan-and-zoom selection, which must differ between the charts of one grid (or they
    zoom together)."""
    scale = alt.Scale(type="log") if hist.log else alt.Scale(zero=False)
    bars = alt.Chart(alt.Data(values=hist.bins)).mark_rect(opacity=0.8).encode(
        x=alt.X("lo:Q", scale=scale, title=None), x2="hi:Q",
        y=alt.Y("docs:Q", title="documents"), y2=alt.datum(0),
        tooltip=[alt.Tooltip("lo:Q", format=".3~g", title="from"), alt.Tooltip("hi:Q", format=".3~g", title="to"),
                 alt.Tooltip("docs:Q", format=",")])
    subtitle = f"{hist.documents:,} documents" + (f", {hist.zeros:,} at 0 (not drawn)" if hist.zeros else "")
    layers = [bars.add_params(alt.selection_interval(bind="scales", encodings=["x"], name=zoom))]
    marks = [t for t in thresholds if not hist.log or t["value"] > 0]
    if marks:
        layers.append(alt.Chart(alt.Data(values=marks)).mark_rule(color=THRESHOLD_COLOR, strokeWidth=2).encode(
            x=alt.X("value:Q", scale=scale), tooltip=["name:N", alt.Tooltip("value:Q", format=".4~g")]))
    return alt.layer(*layers).properties(width=WIDTH, height=120, title=alt.Title(title, subtitle=subtitle))


def grid(panels: list[tuple[Histogram, list[dict], str]], columns: int = 3) -> dict:
    """Distributions (histogram, thresholds, title) side by side, each zooming alone."""
    return alt.concat(*(distribution(*panel, zoom=f"zoom{i}") for i, panel in enumerate(panels)),
                      columns=columns).to_dict()


def cluster_sizes(sizes: dict[str, int]) -> dict:
    """How many duplicate clusters have each size (a log-like scale: the many small ones beside the
    few large)."""
    rows = [{"size": int(size), "clusters": n} for size, n in sizes.items()]
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("size:O", sort="ascending", title="documents in the cluster"),
        y=alt.Y("clusters:Q", scale=alt.Scale(type="symlog"), title="clusters"),
        tooltip=["size:O", alt.Tooltip("clusters:Q", format=",")],
    ).properties(width=2 * WIDTH, title="cluster sizes").to_dict()


def tokens_by_source(rows: list[dict]) -> dict:
    """Tokens per source, most first."""
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("source:N", sort="-x", title=None, axis=alt.Axis(labelLimit=360)),
        x=alt.X("tokens:Q", title="tokens"),
        tooltip=["source:N", alt.Tooltip("documents:Q", format=","), alt.Tooltip("tokens:Q", format=",")],
    ).properties(width=2 * WIDTH, title="tokens by source").to_dict()
