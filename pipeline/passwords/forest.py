"""A flat copy of a fitted HistGradientBoostingRegressor that predicts without scikit-learn.

scikit-learn predicts tree by tree in a Python loop, slow for one row, and importing it costs
much memory per serving process. This module needs numpy only; scikit-learn is
imported by :meth:`FlatForest.from_sklearn`, at fit time.

Prediction follows QuickScorer (Lucchese et al., SIGIR 2015) instead of descending the trees:

* each tree's leaves are numbered left to right (at most 64, one bit each of a ``uint64``);
* a split node whose test sends the row right rules out the leaves of its left subtree: its
  *mask* has their bits cleared. The row's exit leaf is the leftmost leaf that no such node rules
  out, i.e. the lowest set bit of the AND of those masks;
* a node sends the row right exactly when ``x[feature] > threshold`` (scikit-learn's rule is
  ``x <= threshold`` goes left, NaN goes where ``missing_go_to_left`` says). For one feature the
  nodes sending a row right are those with the smallest thresholds, so per feature and per rank
  of ``x[feature]`` among that feature's thresholds, the AND of their masks, per tree, is
  precomputed at load (:attr:`table`). A row then costs a binary search
  per feature among its thresholds (one ``searchsorted`` for all features), one table row per
  feature, an AND, and a lowest-bit lookup: a dozen numpy calls whatever the depth of the trees.

Leaf values are added tree by tree in scikit-learn's order (``baseline + v0 + v1 + ...``), so the
predictions equal scikit-learn's bit for bit. A test checks it.

One row (the service's case) goes through a compiled loop over the same tables when it is built
(:mod:`pipeline.passwords.forest_kernel`, ``scripts/build_kernel.py``): every numpy call costs
microseconds under load, and the loop makes none. Without it, :meth:`_Index.predict_one_numpy`
gives the same floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

try:  # compiled by scripts/build_kernel.py; the numpy path gives the same floats, slower
    from pipeline.passwords import forest_kernel as _kernel
except ImportError:
    _kernel = None

if TYPE_CHECKING:
    from sklearn.ensemble import HistGradientBoostingRegressor

KERNEL = "compiled" if _kernel is not None else "numpy"  # how one row is predicted (logged)

MAX_LEAVES = 64  # one bit per leaf in a uint64 mask
ALL_LEAVES = np.uint64(2**64 - 1)
CHUNK_ROWS = 16  # rows per step of a batch: bounds the (rows, features, trees) temporary to ~4 MB


@dataclass
class FlatForest:
    """The split nodes and leaves of every tree; what is saved with the model.

    Split node ``i`` belongs to tree ``node_tree[i]``, tests ``node_feature[i]`` against
    ``node_threshold[i]``, sends NaN left when ``node_nan_left[i]`` and rules out, when the row goes
    right, the leaves whose bits ``node_mask[i]`` clears. Tree ``t``'s leaves, left to right, are
    ``leaf_value[leaf_start[t]:]`` (as many as it has).
    """

    node_tree: np.ndarray
    node_feature: np.ndarray
    node_threshold: np.ndarray
    node_nan_left: np.ndarray
    node_mask: np.ndarray
    leaf_value: np.ndarray
    leaf_start: np.ndarray
    baseline: float
    n_features: int
    _index: _Index | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_sklearn(cls, model: HistGradientBoostingRegressor) -> FlatForest:
        """Flatten a fitted single-output regressor without categorical features."""
        trees = [predictors[0].nodes for predictors in model._predictors]
        node_tree, node_feature, node_threshold, node_nan_left, node_mask = [], [], [], [], []
        leaf_value: list[float] = []
        leaf_start = []
        for t, nodes in enumerate(trees):
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not supported by FlatForest")
            leaf_start.append(len(leaf_value))
            # Depth-first, left before right: leaves come out left to right. Each split node
            # records the range of leaf numbers its left subtree covers.
            first_leaf = len(leaf_value)
            pending: list[tuple[int, int | None]] = [(0, None)]  # (node, split node to close)
            left_begin: dict[int, int] = {}
            left_ranges: dict[int, tuple[int, int]] = {}
            while pending:
                i, closes = pending.pop()
                if closes is not None:  # the left subtree of `closes` is complete
                    left_ranges[closes] = (left_begin[closes], len(leaf_value) - first_leaf)
                if nodes["is_leaf"][i]:
                    leaf_value.append(float(nodes["value"][i]))
                    continue
                left_begin[i] = len(leaf_value) - first_leaf
                pending.append((int(nodes["right"][i]), i))
                pending.append((int(nodes["left"][i]), None))
            n_leaves = len(leaf_value) - first_leaf
            if n_leaves > MAX_LEAVES:
                raise ValueError(
                    f"a tree has {n_leaves} leaves; FlatForest supports at most {MAX_LEAVES} "
                    "(max_leaf_nodes <= 64)"
                )
            for i, (begin, end) in sorted(left_ranges.items()):
                left_bits = ((1 << (end - begin)) - 1) << begin
                node_tree.append(t)
                node_feature.append(int(nodes["feature_idx"][i]))
                node_threshold.append(float(nodes["num_threshold"][i]))
                node_nan_left.append(bool(nodes["missing_go_to_left"][i]))
                node_mask.append(((1 << MAX_LEAVES) - 1) & ~left_bits)
        return cls(
            node_tree=np.array(node_tree, dtype=np.int32),
            node_feature=np.array(node_feature, dtype=np.int32),
            node_threshold=np.array(node_threshold, dtype=np.float64),
            node_nan_left=np.array(node_nan_left, dtype=bool),
            node_mask=np.array(node_mask, dtype=np.uint64),
            leaf_value=np.array(leaf_value, dtype=np.float64),
            leaf_start=np.array(leaf_start, dtype=np.intp),
            baseline=float(np.ravel(model._baseline_prediction)[0]),
            n_features=int(model.n_features_in_),
        )

    @property
    def n_trees(self) -> int:
        """How many trees the forest holds."""
        return len(self.leaf_start)

    def predict(self, x: np.ndarray) -> np.ndarray | float:
        """Raw predictions (for squared error: the prediction itself).

        ``x`` is one row (1-D: a float is returned) or a matrix of rows (an array is returned).
        """
        x = np.asarray(x, dtype=np.float64)
        index = self.index()
        if x.ndim == 1:
            return index.predict_one(x.tolist())
        out = np.empty(len(x))
        for start in range(0, len(x), CHUNK_ROWS):
            out[start : start + CHUNK_ROWS] = index.predict_rows(x[start : start + CHUNK_ROWS])
        return out

    def predict_one(self, values: Sequence[float]) -> float:
        """The raw prediction for one row given as a list of floats: the serving path, which
        builds its features as a list and saves numpy calls by not making an array of them.
        """
        return self.index().predict_one(values)

    def index(self) -> _Index:
        """The lookup tables, built on first use (not saved: far larger than the forest)."""
        if self._index is None:
            self._index = _Index.build(self)
        return self._index

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_index"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state | {"_index": None})


@dataclass
class _Index:
    """Per-feature threshold ranks and the per-rank AND of masks (see the module docstring).

    A value's rank among its feature's thresholds comes from one ``searchsorted`` over all the
    features at once: numpy orders complex numbers lexicographically (real part, then imaginary
    part), so with ``feature + 1j * threshold`` as keys, a query ``f + 1j * x[f]`` lands after
    every key of a lower feature and after the thresholds of ``f`` below ``x[f]``. Each feature's
    keys are framed by ``f - 1j*inf`` and ``f + 1j*inf``, so the positions of two features never
    meet and a position is a table row as it is: no offset to add.
    """

    keys: np.ndarray  # per feature: f - 1j*inf, f + 1j*threshold ascending, f + 1j*inf
    numbers: np.ndarray  # 0.0, 1.0, ... per feature: the real parts of a query
    first_row: np.ndarray  # per feature: its row for "no split sends the row right" (all ones)
    nan_row: np.ndarray  # per feature: its row for a NaN value
    table: np.ndarray  # (rows, trees) uint64 masks: a row per key position, then the NaN rows
    leaf_before: np.ndarray  # per tree: the position before its first leaf in ``leaf_value``
    leaf_value: np.ndarray  # the baseline is added to the first tree's leaves (see build)
    baseline: float
    # the compiled kernel's view of the keys: per feature its thresholds, from first_row on
    thresholds: np.ndarray  # the imaginary parts of ``keys``
    n_thresholds: np.ndarray
    # the compiled kernel over these tables (None without it), made once: a call then converts
    # only its row
    kernel: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if _kernel is not None and self.kernel is None:
            self.kernel = _kernel.OneRow(self)  # holds the tables above

    @classmethod
    def build(cls, forest: FlatForest) -> _Index:
        n_trees, n_features = forest.n_trees, forest.n_features
        all_ones = np.full((1, n_trees), ALL_LEAVES, dtype=np.uint64)
        keys: list[complex] = []
        blocks: list[np.ndarray] = []  # the rows of the keys' positions, in key order
        nan_rows = np.full((n_features, n_trees), ALL_LEAVES, dtype=np.uint64)
        first_row = np.zeros(n_features, dtype=np.intp)
        for f in range(n_features):
            sel = forest.node_feature == f
            values, rank = np.unique(forest.node_threshold[sel], return_inverse=True)
            if not np.isfinite(values).all():  # the sentinels below must sort outside them
                raise ValueError(f"feature {f} has a split threshold that is not finite")
            tree, mask = forest.node_tree[sel], forest.node_mask[sel]
            # by_rank[r, t]: AND of tree t's masks over its nodes of threshold rank r
            by_rank = np.full((len(values), n_trees), ALL_LEAVES, dtype=np.uint64)
            np.bitwise_and.at(by_rank, (rank, tree), mask)
            # Keys -inf, the thresholds, +inf: a query at position base + 1 + k is above exactly
            # k thresholds, sent right by the nodes of ranks 0..k-1; position base is -inf.
            first_row[f] = len(keys) + 1
            keys += [complex(f, -math.inf), *(complex(f, v) for v in values.tolist())]
            keys.append(complex(f, math.inf))
            blocks += [all_ones, all_ones, np.bitwise_and.accumulate(by_rank, axis=0)]
            right = ~forest.node_nan_left[sel]
            np.bitwise_and.at(nan_rows[f], tree[right], mask[right])
        # Summing [baseline + v0, v1, ...] left to right gives the floats of [baseline, v0, v1,
        # ...]: the first addition is the same one, done once here.
        leaf_value = forest.leaf_value.copy()
        if n_trees:
            first = slice(forest.leaf_start[0], forest.leaf_start[1] if n_trees > 1 else None)
            leaf_value[first] = forest.baseline + leaf_value[first]
        key_array = np.array(keys, dtype=np.complex128)
        # feature f's thresholds sit between its -inf key (first_row[f] - 1) and its +inf key
        n_thresholds = np.append(first_row[1:], len(keys) + 1) - first_row - 2
        return cls(
            keys=key_array,
            numbers=np.arange(n_features, dtype=np.float64),
            first_row=first_row,
            nan_row=len(keys) + np.arange(n_features, dtype=np.intp),
            table=np.ascontiguousarray(np.vstack([*blocks, nan_rows])),
            leaf_before=forest.leaf_start.astype(np.intp) - 1,
            leaf_value=leaf_value,
            baseline=forest.baseline,
            thresholds=np.ascontiguousarray(key_array.imag),
            n_thresholds=n_thresholds.astype(np.intp),
        )

    def _rows(
        self, x: np.ndarray | Sequence[float], shape: int | tuple[int, ...], maybe_nan: bool
    ) -> np.ndarray:
        """The table row of each feature of each row of ``x`` (an array of ``shape``, features
        last, or one row as a list); ``maybe_nan`` is False only when ``x`` holds no NaN.
        """
        query = np.empty(shape, dtype=np.complex128)
        query.real = self.numbers
        query.imag = x  # assigned, not multiplied: 1j * inf would make the real part NaN
        rows = self.keys.searchsorted(query)  # NaN queries: any position, replaced below
        if maybe_nan:
            rows = np.where(np.isnan(query.imag), self.nan_row, rows)
        return rows

    def predict_rows(self, x: np.ndarray) -> np.ndarray:
        """Predictions for a few rows (the temporaries are rows x features x trees)."""
        if not len(self.leaf_before):
            return np.full(len(x), self.baseline)
        # max propagates NaN, and does not warn on inf - inf as a sum would
        rows = self._rows(x, x.shape, math.isnan(x.max()))
        alive = np.bitwise_and.reduce(self.table[rows], axis=1)
        values = self.leaf_value[self.exit_leaves(alive)]
        return np.cumsum(values, axis=1)[:, -1]  # scikit-learn's order: tree by tree

    def predict_one(self, values: Sequence[float]) -> float:
        """:meth:`predict_rows` for one row given as a list: by the compiled kernel when it is
        built (:mod:`pipeline.passwords.forest_kernel`), else by :meth:`predict_one_numpy`.
        """
        if self.kernel is None:
            return self.predict_one_numpy(values)
        return self.kernel.predict(values if type(values) is list else list(values))

    def predict_one_numpy(self, values: Sequence[float]) -> float:
        """:meth:`predict_rows` for one row given as a list, in as few numpy calls as it takes.

        Under load each numpy call costs microseconds with cold caches whatever its size. So the row
        stays a list until the query array takes it, NaN is looked for by a Python ``sum`` (NaN,
        or inf - inf, which only costs the exact check), and the exit leaves come from a bit
        count. A feature below all its thresholds sends the row right nowhere: its table row is
        all ones and is skipped: most features of a typical password, and most of the table rows
        that would be read.
        """
        if not len(self.leaf_before):
            return self.baseline
        rows = self._rows(values, len(values), math.isnan(sum(values)))
        alive = np.bitwise_and.reduce(self.table.take(rows[rows != self.first_row], axis=0), axis=0)
        return np.cumsum(self.leaf_value.take(self.exit_leaves(alive))).item(-1)

    def exit_leaves(self, alive: np.ndarray) -> np.ndarray:
        """Positions in ``leaf_value`` of each tree's exit leaf (any shape, trees last).

        The exit leaf is the lowest bit set in ``alive``; its number is the bit count of
        ``alive ^ (alive - 1)`` less one: one numpy call, where isolating the bit and taking its
        log2 takes five.
        """
        return np.bitwise_count(alive ^ (alive - np.uint64(1))) + self.leaf_before
