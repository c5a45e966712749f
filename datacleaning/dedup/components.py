"""Connected components of the duplicate graph, as array operations.

In memory, FastSV (Zhang, Azad, Hu 2020): every node points to a parent (``parent[x] <= x``
always, so roots are the smallest nodes); each round, for every edge u–v, both u and u's parent
are pointed at v's grandparent when that is smaller (hooking), and every node at its grandparent
(shortcutting). All three are scatter-minimum operations over the edge arrays. Rounds grow with
the logarithm of the longest chain, and at the end every node points at the smallest node of its
component.

Across partitions, large-star and small-star rounds (Kiveris et al., "Connected Components in
MapReduce and Beyond", 2014): each round groups the edges by one endpoint, so a partition of
the node range is computed alone, and rewrites every group's edges to point at the group's
smallest node. Alternating the two, the graph becomes, in O(log² n) rounds, one star per
component with the component's smallest node at its centre.
"""
from __future__ import annotations

import numpy as np

from datacleaning.dedup.runs import PAIR_RECORD, unique_pairs

# A star's centre and how many nodes hang on it, written by every large-star round.
CENTER_RECORD = np.dtype([("doc", "<u8"), ("members", "<u8")])


def component_minimum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the undirected edges a[i]–b[i] over integer node ids: (nodes, smallest node of each
    node's component), nodes sorted, covering every node that has an edge."""
    nodes, index = np.unique(np.concatenate([a, b]), return_inverse=True)
    u = np.concatenate([index[: len(a)], index[len(a):]])
    v = np.concatenate([index[len(a):], index[: len(a)]])
    parent = np.arange(len(nodes))
    grandparent = parent.copy()
    while True:
        hooked = parent.copy()
        np.minimum.at(hooked, parent[u], grandparent[v])
        np.minimum.at(hooked, u, grandparent[v])
        np.minimum(hooked, grandparent, out=hooked)
        parent = hooked
        previous, grandparent = grandparent, parent[parent]
        if np.array_equal(previous, grandparent):
            break
    while not np.array_equal(parent, grandparent):
        parent, grandparent = grandparent, grandparent[grandparent]
    return nodes, nodes[parent]


def roots(parent: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """The root of each node in the forest ``parent``."""
    current = parent[nodes]
    while True:
        up = parent[current]
        if np.array_equal(up, current):
            return current
        current = up


def merge_edges(parent: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Join the components of a[i] and b[i] in the forest ``parent`` (each node's parent, never
    above the node, so every root is the smallest node of its tree), in place. Only the edges'
    nodes and their old roots move, so a batch of edges costs memory in proportion to the batch,
    whatever the size of ``parent``."""
    ends = np.concatenate([a, b])
    old_roots = roots(parent, ends)
    nodes, smallest = component_minimum(np.concatenate([a, ends]), np.concatenate([b, old_roots]))
    parent[nodes] = smallest.astype(parent.dtype)


def both_directions(pairs: np.ndarray) -> np.ndarray:
    """Each edge a–b as the records (a, b) and (b, a)."""
    out = np.empty(2 * len(pairs), PAIR_RECORD)
    out["a"] = np.concatenate([pairs["a"], pairs["b"]])
    out["b"] = np.concatenate([pairs["b"], pairs["a"]])
    return out


def large_star(edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """One large-star round over the nodes whose edges ``edges`` holds in both directions, keyed
    by ``a``: for each node u with neighbours Γ(u) and m = min(Γ(u) ∪ {u}), the edges v–m for
    every neighbour v > u. Returns (those edges keyed by their larger end, the nodes that are
    their group's minimum with their neighbour counts, the number of nodes not yet a star's
    leaf or centre). With no such node, every component is a star at its smallest node and the
    edges returned (leaf, centre) are the same as those read."""
    edges = unique_pairs(edges)
    a, b = edges["a"], edges["b"]
    opens = np.ones(len(a), dtype=bool)
    opens[1:] = a[1:] != a[:-1]
    firsts = np.flatnonzero(opens)
    nodes = a[firsts]
    smallest = np.minimum(nodes, b[firsts])
    degree = np.diff(np.append(firsts, len(a)))
    upper = b > a
    out = np.empty(int(upper.sum()), PAIR_RECORD)
    out["a"], out["b"] = b[upper], np.repeat(smallest, degree)[upper]
    centre = smallest == nodes
    centers = np.empty(int(centre.sum()), CENTER_RECORD)
    centers["doc"], centers["members"] = nodes[centre], degree[centre]
    # A node below its smallest neighbour is a centre; one above it is a leaf only when that
    # neighbour is its only one.
    unsettled = int(((smallest < nodes) & (degree > 1)).sum())
    return out, centers, unsettled


def small_star(edges: np.ndarray) -> np.ndarray:
    """One small-star round over edges keyed by their larger end ``a``: for each node u with
    smaller neighbours N(u) and m = min(N(u)), the edges v–m for every v in N(u) ∪ {u} but m.
    Returns them in both directions, as the large-star round reads them."""
    edges = unique_pairs(edges)
    a, b = edges["a"], edges["b"]
    opens = np.ones(len(a), dtype=bool)
    opens[1:] = a[1:] != a[:-1]
    smallest = b[opens][np.cumsum(opens) - 1]
    rest = b != smallest
    out = np.empty(int(opens.sum()) + int(rest.sum()), PAIR_RECORD)
    out["a"] = np.concatenate([a[opens], b[rest]])
    out["b"] = np.concatenate([smallest[opens], smallest[rest]])
    return both_directions(out)
