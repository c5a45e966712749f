"""Connected components of the duplicate graph: union-find done as array operations.

FastSV (Zhang, Azad, Hu 2020): every node points to a parent (``parent[x] <= x`` always, so roots
are the smallest nodes); each round, for every edge u–v, both u and u's parent are pointed at v's
grandparent when that is smaller (hooking), and every node at its grandparent (shortcutting). All
three are scatter-minimum operations over the edge arrays. Rounds grow with the logarithm of the
longest chain, and at the end every node points at the smallest node of its component.
"""
from __future__ import annotations

import numpy as np


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


def flatten(parent: np.ndarray, chunk: int = 1 << 20) -> None:
    """Point every node straight at its root, in place. Parents are never above their nodes, so
    going up in chunks finds each parent already pointing at its root (or inside the chunk)."""
    for start in range(0, len(parent), chunk):
        part = parent[start:start + chunk]
        while True:
            up = parent[part]
            if np.array_equal(up, part):
                break
            part[:] = up
