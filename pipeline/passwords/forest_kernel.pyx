# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""One row of :class:`pipeline.passwords.forest.FlatForest`, compiled: the serving path's forest step.

The numpy one-row path makes several numpy calls, and under load each costs microseconds with
cold caches whatever its size; this loop over the same tables makes none. The tables are :class:`_Index`'s, the
rule is its own (a feature's table row is its count of thresholds below the value, NaN has a row
of its own, a feature below all its thresholds rules nothing out), and the leaf values are added
tree by tree from the first tree's, as ``np.cumsum`` adds them: the same floats, which a test
checks against the numpy path and scikit-learn.

Built in place by ``scripts/build_kernel.py``; without it the numpy path serves, slower.
"""

from cpython.float cimport PyFloat_AsDouble
from libc.stdint cimport uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memset


cdef extern from *:
    int __builtin_ctzll(unsigned long long) nogil


cdef class OneRow:
    """The forest's tables, held: a call then only converts its row. Acquiring the eight arrays'
    buffers is most of the work of a call that takes them as arguments.

    ``thresholds[first_row[f]:][:n_thresholds[f]]`` are feature ``f``'s split thresholds in
    ascending order, and ``table`` row ``first_row[f] + k`` is the AND of the masks of its nodes
    that a value above ``k`` of them sends right; ``nan_row[f]`` is the row for NaN. Tree ``t``'s
    leaves follow ``leaf_before[t]`` in ``leaf_value`` (the baseline already in the first tree's).
    """

    cdef const double[::1] thresholds
    cdef const Py_ssize_t[::1] first_row
    cdef const Py_ssize_t[::1] n_thresholds
    cdef const Py_ssize_t[::1] nan_row
    cdef const uint64_t[:, ::1] table
    cdef const Py_ssize_t[::1] leaf_before
    cdef const double[::1] leaf_value
    cdef double baseline

    def __init__(self, index):
        """Hold the tables of ``index`` (a :class:`pipeline.passwords.forest._Index`: the
        attributes named above, and ``baseline``, what a forest of no trees predicts).
        """
        self.thresholds, self.first_row = index.thresholds, index.first_row
        self.n_thresholds, self.nan_row = index.n_thresholds, index.nan_row
        self.table, self.leaf_before = index.table, index.leaf_before
        self.leaf_value, self.baseline = index.leaf_value, index.baseline

    def predict(self, list values) -> float:
        """The raw prediction for one row of features given as a list of numbers."""
        return self._predict(values)

    cdef double _predict(self, list values) except? -1.0:
        cdef const double[::1] thresholds = self.thresholds
        cdef const Py_ssize_t[::1] first_row = self.first_row
        cdef const Py_ssize_t[::1] n_thresholds = self.n_thresholds
        cdef const Py_ssize_t[::1] nan_row = self.nan_row
        cdef const uint64_t[:, ::1] table = self.table
        cdef const Py_ssize_t[::1] leaf_before = self.leaf_before
        cdef const double[::1] leaf_value = self.leaf_value
        cdef Py_ssize_t n_features = first_row.shape[0], n_trees = leaf_before.shape[0]
        cdef Py_ssize_t f, t, lo, hi, mid, row
        cdef double x, total = 0.0, value
        cdef uint64_t *alive
        cdef const uint64_t *masks
        if len(values) != n_features:
            raise ValueError(f"the forest takes {n_features} features, got {len(values)}")
        if n_trees == 0:
            return self.baseline
        alive = <uint64_t *> malloc(n_trees * sizeof(uint64_t))
        if alive == NULL:
            raise MemoryError()
        memset(alive, 0xFF, n_trees * sizeof(uint64_t))  # no leaf ruled out yet
        try:
            for f in range(n_features):
                x = PyFloat_AsDouble(values[f])
                if x != x:  # NaN
                    row = nan_row[f]
                else:  # lower bound: how many thresholds are below x
                    lo = first_row[f]
                    hi = lo + n_thresholds[f]
                    while lo < hi:
                        mid = (lo + hi) >> 1
                        if thresholds[mid] < x:
                            lo = mid + 1
                        else:
                            hi = mid
                    if lo == first_row[f]:
                        continue
                    row = lo
                masks = &table[row, 0]
                for t in range(n_trees):
                    alive[t] &= masks[t]
            # Each tree's exit leaf is the lowest bit still set: the leaf no node on its path rules
            # out, so there is one; a table that leaves none is not a forest's (and ctz(0) would
            # read outside the tree). The sum starts from the first value, as np.cumsum does.
            for t in range(n_trees):
                if alive[t] == 0:
                    raise ValueError(f"tree {t} has no leaf left: the tables are inconsistent")
                value = leaf_value[leaf_before[t] + 1 + __builtin_ctzll(alive[t])]
                total = value if t == 0 else total + value
            return total
        finally:
            free(alive)
