"""The password-complexity regressor: frequency per million leaked passwords.

A password in the known list (the training and validation splits) gets its known frequency: that
is exact knowledge and beats any estimate. Any other string gets a gradient-boosted estimate of
``log1p(frequency)`` from :mod:`pipeline.passwords.features`, fit on the training split, early
stopped on the validation split, and taught the list's censoring by strings known to be absent.
The test split is never in the known list, so metrics on it measure the estimate alone.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

import joblib
import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import ThreadpoolController

from pipeline.passwords import features as feat
from pipeline.passwords.forest import FlatForest
from pipeline.passwords.split import bucket

ARTIFACT = "model.joblib"
SMALL_BATCH = 64


class PasswordModel:
    """Frequency-per-million predictor; ``fit``, ``predict``, ``save`` and ``load``."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = dict(params)
        self.known: feat.KnownList | None = None
        self.markovs: list[feat.Markov] = []
        self.regressor: HistGradientBoostingRegressor | None = None
        self.feature_names: list[str] = feat.feature_names()
        self._threads: ThreadpoolController | None = None
        self._flat: FlatForest | None = None

    def fit(
        self,
        train: Sequence[str],
        train_freq: Sequence[float],
        validation: Sequence[str],
        validation_freq: Sequence[float],
        absent: Sequence[str] = (),
        absent_frequency: float = 0.0,
    ) -> PasswordModel:
        """Learn from the known list (train + validation) and from strings absent from it."""
        passwords = list(train) + list(validation)
        freqs = np.concatenate([np.asarray(train_freq, float), np.asarray(validation_freq, float)])
        units = feat.to_units(freqs)
        self.known = feat.KnownList.build(passwords, freqs)
        self.markovs = feat.fit_markovs(passwords, units.tolist())

        # Rows of the known list are scored by n-gram models fit on the other folds.
        n_folds = int(self.params["markov_folds"])
        fold = np.array([bucket(p) % n_folds for p in passwords])
        fold_models = [
            feat.fit_markovs(
                [p for p, f in zip(passwords, fold, strict=True) if f != k],
                units[fold != k].tolist(),
            )
            for k in range(n_folds)
        ]
        x_known = feat.build_features(passwords, self.known, fold_models, units, fold)
        y_known = np.log1p(freqs)
        n_train = len(train)
        x_absent = feat.build_features(list(absent), self.known, self.markovs)
        y_absent = np.full(len(absent), np.log1p(absent_frequency))

        x_fit = np.vstack([x_known[:n_train], x_absent])
        y_fit = np.concatenate([y_known[:n_train], y_absent])
        weight = np.concatenate(
            [np.ones(n_train), np.full(len(absent), float(self.params["absent_weight"]))]
        )
        gbm = self.params["gbm"]
        self.regressor = HistGradientBoostingRegressor(
            learning_rate=float(gbm["learning_rate"]),
            max_iter=int(gbm["max_iter"]),
            max_leaf_nodes=int(gbm["max_leaf_nodes"]),
            min_samples_leaf=int(gbm["min_samples_leaf"]),
            l2_regularization=float(gbm["l2_regularization"]),
            early_stopping=len(validation) > 0,
            n_iter_no_change=int(gbm["n_iter_no_change"]),
            validation_fraction=None,
            random_state=int(self.params["seed"]),
        )
        fit_kwargs: dict[str, Any] = {"sample_weight": weight}
        if len(validation):
            fit_kwargs |= {"X_val": x_known[n_train:], "y_val": y_known[n_train:]}
        # One OpenMP thread: measured here, two threads fit only ~15% faster on two cores, and
        # when another process holds a core every parallel region waits on it (a 4 s fit took
        # minutes). One thread degrades gracefully.
        threads = int(self.params.get("fit_threads", 1))
        with self._thread_limiter().limit(limits=threads, user_api="openmp"):
            self.regressor.fit(x_fit, y_fit, **fit_kwargs)
        self._flat = FlatForest.from_sklearn(self.regressor)
        return self

    @overload
    def predict(self, passwords: str) -> float: ...
    @overload
    def predict(self, passwords: Sequence[str]) -> np.ndarray: ...

    def predict(self, passwords: str | Sequence[str]) -> float | np.ndarray:
        """Frequency per million for one password (a float) or many (an array, same order)."""
        if isinstance(passwords, str):
            return float(self.predict([passwords])[0])
        if self.known is None or self.regressor is None:
            raise RuntimeError("the model is not fitted; call fit() or load() first")
        batch = list(passwords)
        out = self.known.frequency_of(feat.hash_all(batch))
        unknown = np.flatnonzero(np.isnan(out))
        if len(unknown):
            out[unknown] = self.estimate([batch[i] for i in unknown])
        return out

    def estimate(self, passwords: Sequence[str]) -> np.ndarray:
        """The regressor's estimate for strings treated as unknown, ignoring the known list."""
        assert self.known is not None and self.regressor is not None
        if not passwords:
            return np.zeros(0)
        x = feat.build_features(list(passwords), self.known, self.markovs)
        if len(passwords) <= SMALL_BATCH:
            # A handful of rows: the flat forest avoids scikit-learn's per-tree Python loop and
            # its OpenMP threads, which fight each other under a multi-worker server.
            log_pred = self._forest().predict(x)
        else:
            log_pred = self.regressor.predict(x)
        return np.maximum(np.expm1(log_pred), 0.0)

    def _forest(self) -> FlatForest:
        if self._flat is None:
            assert self.regressor is not None
            self._flat = FlatForest.from_sklearn(self.regressor)
        return self._flat

    def _thread_limiter(self) -> ThreadpoolController:
        if self._threads is None:
            self._threads = ThreadpoolController()
        return self._threads

    def save(self, directory: Path) -> Path:
        """Write the model into ``directory`` atomically (a temporary file, then a rename)."""
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / ARTIFACT
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".model.", suffix=".tmp")
        os.close(fd)
        try:
            joblib.dump(self, tmp, compress=3)
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    @classmethod
    def load(cls, directory: Path) -> PasswordModel:
        """Read a model saved by :meth:`save`."""
        model = joblib.load(directory / ARTIFACT)
        if not isinstance(model, cls):
            raise TypeError(f"{directory / ARTIFACT} does not hold a {cls.__name__}")
        if getattr(model, "feature_names", None) != feat.feature_names():
            # Features are code, not pickled: an artifact from another feature set would mispredict.
            raise TypeError(
                f"{directory / ARTIFACT} was built with a different feature set than this code; "
                "retrain it (./run_all.sh passwords)"
            )
        return model

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_threads"] = None  # holds handles to loaded libraries; rebuilt on first use
        state["_flat"] = None  # derived from the regressor; rebuilt on first use
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({"_threads": None, "_flat": None} | state)
