"""A flat copy of a fitted HistGradientBoostingRegressor for low-latency prediction of a few rows.

scikit-learn predicts tree by tree in a Python loop: with ~500 trees that is ~2-3 ms for one row,
the whole latency budget of a strength meter. Here every tree's nodes live in one array and all
trees descend together, one vectorised step per tree level (~20 steps). The rule is scikit-learn's
for numeric features: go left when ``x <= threshold``, NaN goes where ``missing_go_to_left`` says.
A test checks that both give the same predictions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor


@dataclass
class FlatForest:
    """All trees of a boosted model, concatenated; children hold absolute node indices."""

    feature: np.ndarray
    threshold: np.ndarray
    nan_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    is_leaf: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    baseline: float
    depth: int

    @classmethod
    def from_sklearn(cls, model: HistGradientBoostingRegressor) -> FlatForest:
        """Flatten a fitted single-output regressor without categorical features."""
        trees = [predictors[0] for predictors in model._predictors]
        parts, roots, offset = [], [], 0
        for tree in trees:
            nodes = tree.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not supported by FlatForest")
            roots.append(offset)
            left = nodes["left"].astype(np.int64) + offset
            right = nodes["right"].astype(np.int64) + offset
            parts.append((nodes, left, right))
            offset += len(nodes)
        nodes = np.concatenate([p[0] for p in parts])
        is_leaf = nodes["is_leaf"].astype(bool)
        index = np.arange(len(nodes))
        # Leaves point at themselves, so the descent can run a fixed number of steps.
        left = np.where(is_leaf, index, np.concatenate([p[1] for p in parts]))
        right = np.where(is_leaf, index, np.concatenate([p[2] for p in parts]))
        return cls(
            feature=np.where(is_leaf, 0, nodes["feature_idx"]).astype(np.int64),
            threshold=nodes["num_threshold"].astype(np.float64),
            nan_left=nodes["missing_go_to_left"].astype(bool),
            left=left,
            right=right,
            is_leaf=is_leaf,
            value=nodes["value"].astype(np.float64),
            roots=np.array(roots, dtype=np.int64),
            baseline=float(np.ravel(model._baseline_prediction)[0]),
            depth=int(nodes["depth"].max()) if len(nodes) else 0,
        )

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Raw predictions (for squared error: the prediction itself) of the rows of ``x``."""
        x = np.asarray(x, dtype=np.float64)
        rows = np.arange(len(x))[:, None]
        node = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        for _ in range(self.depth):
            values = x[rows, self.feature[node]]
            go_left = np.where(
                np.isnan(values), self.nan_left[node], values <= self.threshold[node]
            )
            step = np.where(go_left, self.left[node], self.right[node])
            if np.array_equal(step, node):  # every tree has reached its leaf
                break
            node = step
        return self.baseline + self.value[node].sum(axis=1)
