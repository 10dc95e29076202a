"""The password-complexity model: frequency per million leaked passwords.

Two parts. The **estimate**: a gradient-boosted regression of ``log1p(frequency)`` from
:mod:`pipeline.passwords.features`, fit on the training split, early stopped on the validation
split, and taught where the list ends by strings known to be absent. The test split is not in the
known list of the fit, so metrics on it measure the estimate alone. The **served answer**: a
password in the known list gets its listed frequency (exact knowledge beats any estimate); any
other string is absent from the list, so it gets a level below the list's rarest frequency
(:mod:`pipeline.passwords.tail`) chosen by its estimate. The production artifact answers every
listed password (:meth:`PasswordModel.knowing`), the test split included, while the estimate's
features keep reading the fit's own known list, the one the regressor was trained against.
"""

from __future__ import annotations

import gzip
import math
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from pipeline.errors import ArtifactError
from pipeline.passwords import features as feat
from pipeline.passwords.answers import Answers, CompactAnswers
from pipeline.passwords.feedback import Feedback, advise
from pipeline.passwords.forest import FlatForest
from pipeline.passwords.guesses import RankTable
from pipeline.passwords.split import bucket
from pipeline.passwords.tail import Tail
from pipeline.progress import heartbeat

if TYPE_CHECKING:
    from sklearn.ensemble import HistGradientBoostingRegressor

# A gzip-compressed pickle: the standard library loads it (streaming, so the decompressed bytes
# never sit in memory whole), and serving needs neither joblib nor scikit-learn (the regressor is
# saved as its FlatForest copy). Like any pickle, load only artifacts you trust.
ARTIFACT = "model.pkl.gz"
LEGACY_ARTIFACT = "model.joblib"  # before the FlatForest-only format: holds a scikit-learn model
ANSWERS_DIR = "answers"  # a big list's compact answers, as memory-mapped .npy files
FEATURE_CHUNK = 100_000  # rows per batch of features (bounds the Python lists of a batch)


class PasswordModel:
    """Frequency-per-million predictor; ``fit``, ``predict``, ``save`` and ``load``.

    Serving needs numpy and the standard library only: the boosted trees are predicted by
    :class:`FlatForest`, zxcvbn's dictionaries travel as :class:`features.Dictionaries`, and
    scikit-learn is imported by :meth:`fit` alone. ``regressor`` (the fitted scikit-learn model)
    exists only in the process that fit it and is not saved.
    """

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = dict(params)
        self.known: feat.KnownList | None = None
        self.markovs: list[feat.Markov] = []
        self.dictionaries: feat.Dictionaries | None = None
        self.forest: FlatForest | None = None
        self.boosting_rounds: int | None = None
        self.feature_names: list[str] = feat.feature_names()
        self.listed: Answers | None = None  # the whole list's answers; None: the known list
        self.tail: Tail | None = None  # absent strings' levels; None: the estimate as it is
        self.ranks: RankTable | None = None  # frequency -> guesses (the list's rank order)
        self.regressor: HistGradientBoostingRegressor | None = None  # not saved
        self._tables: feat.ServingTables | None = None  # built from known/dictionaries, not saved

    def fit(
        self,
        train: Sequence[str],
        train_freq: Sequence[float],
        validation: Sequence[str],
        validation_freq: Sequence[float],
        absent: Sequence[str] = (),
        absent_frequency: float = 0.0,
        weights: Sequence[float] | None = None,
        log: Callable[[str], None] | None = None,
    ) -> PasswordModel:
        """Learn from the known list (train + validation) and from strings absent from it.

        ``weights`` (train rows, then validation rows) say how many rows of the whole list each
        row stands for, when the list was sampled (default 1); ``log`` receives progress lines.
        """
        from sklearn.ensemble import HistGradientBoostingRegressor
        from threadpoolctl import ThreadpoolController

        say = log or (lambda _: None)
        passwords = list(train) + list(validation)
        freqs = np.concatenate([np.asarray(train_freq, float), np.asarray(validation_freq, float)])
        rows = np.ones(len(passwords)) if weights is None else np.asarray(weights, float)
        units = feat.to_units(freqs)
        self.known = feat.KnownList.build(passwords, freqs, log)
        self._tables = None
        self.markovs = feat.fit_markovs(passwords, units.tolist(), rows.tolist())
        self.dictionaries = feat.zxcvbn_dictionaries()
        say(f"known list and n-gram models of {len(passwords):,} passwords built")

        # Rows of the known list are scored by n-gram models fit on the other folds.
        n_folds = int(self.params["markov_folds"])
        fold = np.array([bucket(p) % n_folds for p in passwords])
        fold_models = []
        for k in range(n_folds):
            fold_models.append(
                feat.fit_markovs(
                    [p for p, f in zip(passwords, fold, strict=True) if f != k],
                    units[fold != k].tolist(),
                    rows[fold != k].tolist(),
                )
            )
            say(f"out-of-fold n-gram models: {k + 1}/{n_folds} built")
        x_known = self._features(passwords, fold_models, units, fold, say)
        y_known = np.log1p(freqs)
        n_train = len(train)
        x_absent = self._features(list(absent), self.markovs, log=say)
        y_absent = np.full(len(absent), np.log1p(absent_frequency))

        x_fit = np.vstack([x_known[:n_train], x_absent])
        y_fit = np.concatenate([y_known[:n_train], y_absent])
        weight = np.concatenate(
            [rows[:n_train], np.full(len(absent), float(self.params["absent_weight"]))]
        )
        gbm = self.params["gbm"]
        max_iter = int(gbm["max_iter"])
        regressor = HistGradientBoostingRegressor(
            learning_rate=float(gbm["learning_rate"]),
            max_iter=max_iter,
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
            if weights is not None:
                fit_kwargs["sample_weight_val"] = rows[n_train:]
        # One OpenMP thread: two threads fit barely faster on two cores, and when another process
        # holds a core every parallel region waits on it. One thread degrades gracefully. A long
        # fit reports its rounds as it goes (scikit-learn appends each round's trees to
        # ``_predictors``; a warm-started fit in steps would re-predict every tree each step).
        threads = int(self.params.get("fit_threads", 1))
        say(f"boosting up to {max_iter} rounds on {len(y_fit):,} rows")
        with (
            ThreadpoolController().limit(limits=threads, user_api="openmp"),
            heartbeat(say, "boosting rounds", lambda: len(getattr(regressor, "_predictors", []))),
        ):
            regressor.fit(x_fit, y_fit, **fit_kwargs)
        say(f"boosting: {regressor.n_iter_} rounds (early stopping)")
        self.regressor = regressor
        self.forest = FlatForest.from_sklearn(regressor)
        self.boosting_rounds = int(regressor.n_iter_)
        return self

    @overload
    def predict(self, passwords: str) -> float: ...
    @overload
    def predict(self, passwords: Sequence[str]) -> np.ndarray: ...

    def predict(self, passwords: str | Sequence[str]) -> float | np.ndarray:
        """Frequency per million for one password (a float) or many (an array, same order)."""
        if self.known is None or self.forest is None:
            raise RuntimeError("the model is not fitted; call fit() or load() first")
        if isinstance(passwords, str):
            return self._predict_one(passwords)
        batch = list(passwords)
        if len(batch) == 1:  # the service's usual request: the one-row path is much faster
            return np.array([self._predict_one(batch[0])])
        table = self.listed if self.listed is not None else self.known
        out = table.frequency_of(feat.hash_all(batch))
        unknown = np.flatnonzero(np.isnan(out))
        if len(unknown):
            strings = [batch[i] for i in unknown]
            estimate = self.estimate(strings)
            if self.tail is not None:
                estimate = self.tail.frequencies(estimate, np.array([len(p) for p in strings]))
            out[unknown] = estimate
        return out

    def _predict_one(self, password: str) -> float:
        """One password, the service's case: the same value as a batch of one, sooner."""
        assert self.forest is not None
        tables = self.serving_tables()
        frequency = tables.listed(password)
        if frequency is not None:
            return frequency
        log_estimate = self.forest.predict_one(feat.features_one(password, tables))
        if self.tail is not None:  # the served model's case: a level decided by the estimate
            return self.tail.frequency_of_log(log_estimate, len(password))
        # np.expm1 on a scalar gives the batch path's floats (checked on 1e6 values); the clamp
        # is the batch path's np.maximum(f, 0.0): NaN stays NaN, -0.0 and below become 0.0
        frequency = float(np.expm1(log_estimate))
        return frequency if frequency > 0.0 or math.isnan(frequency) else 0.0

    def knowing(
        self, answers: Answers, tail: Tail | None, ranks: RankTable | None = None
    ) -> PasswordModel:
        """A copy that answers the listed passwords (the whole list's ``answers``, for
        production) exactly and absent strings by ``tail``. The estimate is shared, its features
        still read the fit's known list: the one the regressor was trained against.
        """
        served = PasswordModel.__new__(PasswordModel)
        served.__dict__.update(self.__dict__)
        served.listed = answers
        served.tail = tail
        served.ranks = ranks
        served.regressor = None
        served._tables = None
        return served

    def guesses(self, frequency: float) -> float:
        """The expected number of guesses before an attacker reaches a password this frequent
        (:mod:`pipeline.passwords.guesses`); the rank table is the whole list's.
        """
        if self.ranks is None:
            raise RuntimeError("this model has no rank table; retrain it (./run_all.sh passwords)")
        return self.ranks.guesses(frequency)

    def advise(self, password: str, frequency: float, band: str) -> Feedback:
        """What to tell a person about ``password`` (served at ``frequency``, in ``band``)."""
        tables = self.serving_tables()
        ranks = self.ranks

        def listed_rank(s: str) -> float | None:
            found = tables.listed(s)
            return None if found is None or ranks is None else ranks.guesses(found)

        return advise(password, band, listed_rank, tables.dictionaries.is_word)

    def serving_tables(self) -> feat.ServingTables:
        """The known list and dictionaries arranged for one-password lookups, built once."""
        if self.known is None:
            raise RuntimeError("the model is not fitted; call fit() or load() first")
        if self._tables is None:
            dictionaries = self.dictionaries or feat.zxcvbn_dictionaries()
            self._tables = feat.ServingTables(self.known, dictionaries, self.markovs, self.listed)
        return self._tables

    def estimate(self, passwords: Sequence[str]) -> np.ndarray:
        """The regressor's estimate for strings treated as unknown, ignoring the known list."""
        if self.known is None or self.forest is None:
            raise RuntimeError("the model is not fitted; call fit() or load() first")
        if not passwords:
            return np.zeros(0)
        log_pred = self.forest.predict(self._features(list(passwords), self.markovs))
        return np.maximum(np.expm1(log_pred), 0.0)

    def _features(
        self,
        passwords: list[str],
        markovs: Sequence[Any],
        own_units: np.ndarray | None = None,
        markov_of_row: np.ndarray | None = None,
        log: Callable[[str], None] | None = None,
    ) -> np.ndarray:
        """The batch features, a chunk of rows at a time, with progress for a big batch."""
        assert self.known is not None
        if len(passwords) <= FEATURE_CHUNK:
            return feat.build_features(
                passwords, self.known, markovs, own_units, markov_of_row, self.dictionaries
            )
        parts = []
        started = time.perf_counter()
        for lo in range(0, len(passwords), FEATURE_CHUNK):
            hi = min(lo + FEATURE_CHUNK, len(passwords))
            parts.append(
                feat.build_features(
                    passwords[lo:hi],
                    self.known,
                    markovs,
                    None if own_units is None else own_units[lo:hi],
                    None if markov_of_row is None else markov_of_row[lo:hi],
                    self.dictionaries,
                )
            )
            if log is not None:
                rate = hi / max(time.perf_counter() - started, 1e-9)
                log(
                    f"features: {hi:,}/{len(passwords):,} rows ({rate:,.0f}/s, "
                    f"~{(len(passwords) - hi) / rate:.0f}s left)"
                )
        return np.vstack(parts)

    def save(self, directory: Path) -> Path:
        """Write the model into ``directory`` atomically (a temporary file, then a rename)."""
        directory.mkdir(parents=True, exist_ok=True)
        if isinstance(self.listed, CompactAnswers):  # big arrays beside the pickle, mmapped
            self.listed.save(directory / ANSWERS_DIR)
        target = directory / ARTIFACT
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".model.", suffix=".tmp")
        try:
            with (
                os.fdopen(fd, "wb") as raw,
                gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=3, mtime=0) as out,
            ):
                pickle.dump(self, out, protocol=5)
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    @classmethod
    def load(cls, directory: Path) -> PasswordModel:
        """Read a model saved by :meth:`save`."""
        path = directory / ARTIFACT
        if not path.exists() and (directory / LEGACY_ARTIFACT).exists():
            raise ArtifactError(
                f"{directory / LEGACY_ARTIFACT} is in the older format (a scikit-learn model in "
                "joblib); retrain it (./run_all.sh passwords)"
            )
        with gzip.open(path, "rb") as stream:
            model = pickle.load(stream)
        if not isinstance(model, cls):
            raise ArtifactError(f"{path} does not hold a {cls.__name__}")
        if getattr(model, "feature_names", None) != feat.feature_names():
            # Features are code, not pickled: an artifact from another feature set would mispredict.
            raise ArtifactError(
                f"{path} was built with a different feature set than this code; "
                "retrain it (./run_all.sh passwords)"
            )
        if isinstance(model.listed, CompactAnswers):
            model.listed = model.listed.attach(directory / ANSWERS_DIR)
        if model.forest is not None:
            model.forest.index()  # build the lookup tables now, not on the first request
        if model.known is not None:
            model.serving_tables()
        return model

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["regressor"] = None  # scikit-learn stays out of the artifact; the forest is saved
        if isinstance(self.listed, CompactAnswers):
            state["listed"] = self.listed.detached()  # its arrays are .npy files beside it
        state["_tables"] = None  # derived from the saved tables at load
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        defaults = {"regressor": None, "tail": None, "listed": None, "ranks": None}
        self.__dict__.update(defaults | state | {"_tables": None})
