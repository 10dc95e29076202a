# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""One ASCII password's features, compiled: the serving path's feature step.

The Python one-row features are many small interpreter steps (~25 hashed strings, ~45 n-gram
lookups, a list per transform), and under load each request runs them with cold caches; they were
the biggest model step of a served password (benchmarks/RESULTS.md has the A/B). This loop
computes the same 55 values from the same tables with a few kilobytes of stack and no Python
object until the result.

It covers the strings where the Python definitions reduce to byte operations: ASCII, not ending in
a newline (where ``$`` in the definitions' regular expressions also matches before it), at most
:data:`MAX_CHARS` long. :mod:`pipeline.passwords.features.compiled` sends every other string to
the Python path. The values are the Python path's: the same hashes (BLAKE2b with an 8-byte digest,
RFC 7693, written out in ``features_kernel_blake2b.pxi``), the same tables (read as C arrays by
``features_kernel_tables.pxi``), the same floats summed in the same order; a test compares them on
thousands of strings.

Built in place by ``scripts/build_kernel.py``; without it the Python path serves, slower.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.float cimport PyFloat_FromDouble
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.ref cimport Py_INCREF
from libc.stdint cimport int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.string cimport memcpy, memset

import numpy as np

cdef enum:
    MAXC = 1024
    MAXO = 8
    NF = 55
    WIDTH = 6  # dictionaries (features.dictionaries.DICTIONARIES)
    MAX_GROUPS = 8
    MAX_WIDTH = 4

cdef double MISSING = -1.0
cdef uint64_t EMPTY = 0xFFFFFFFFFFFFFFFF  # no ASCII n-gram packs to this (its bytes are 0xFF)
cdef uint64_t SIGN = 0x8000000000000000
cdef uint64_t GOLDEN = 0x9E3779B97F4A7C15  # Fibonacci hashing's multiplier

MAX_CHARS = MAXC  # longer strings take the Python path (the service accepts 256)
MAX_ORDER = MAXO  # an n-gram of at most this many ASCII characters packs into a uint64
N_FEATURES = NF

include "features_kernel_blake2b.pxi"
include "features_kernel_tables.pxi"


# --------------------------------------------------------------------------------- the features

cdef inline bint is_lower(uint8_t c) noexcept nogil:
    return 97 <= c <= 122


cdef inline bint is_upper(uint8_t c) noexcept nogil:
    return 65 <= c <= 90


cdef inline bint is_digit(uint8_t c) noexcept nogil:
    return 48 <= c <= 57


cdef inline bint is_letter(uint8_t c) noexcept nogil:
    return is_lower(c) or is_upper(c)


cdef inline uint8_t to_lower(uint8_t c) noexcept nogil:
    return c + 32 if is_upper(c) else c


cdef uint8_t LEET[128]
for _i in range(128):
    LEET[_i] = _i
for _a, _b in zip(b"4@310$5!7", b"aaeiossit"):  # features.strings.LEET
    LEET[_a] = _b


cdef inline bint same(const uint8_t *a, Py_ssize_t na, const uint8_t *b, Py_ssize_t nb) noexcept nogil:
    cdef Py_ssize_t i
    if na != nb:
        return False
    for i in range(na):
        if a[i] != b[i]:
            return False
    return True


cdef class OneRow:
    """The serving tables as C arrays, and :meth:`features` over them. The arrays are kept here,
    so the pointers stay valid.
    """

    cdef list _arrays
    cdef Buckets dictionaries
    cdef Buckets known
    cdef Buckets views[3]
    cdef const double *dict_log_ranks  # per dictionary key, WIDTH values
    cdef const double *known_log_units
    cdef const double *view_n[3]
    cdef const double *view_log_total[3]
    cdef int n_groups
    cdef int order[MAX_GROUPS]
    cdef int width[MAX_GROUPS]
    cdef Grams seen[MAX_GROUPS]
    cdef Grams unseen[MAX_GROUPS]
    cdef double fallback[MAX_GROUPS][MAX_WIDTH]  # an unseen context's terms
    cdef int n_markov

    def __init__(self, dictionaries, dict_log_ranks, known, known_log_units, views, groups):
        """``dictionaries``, ``known`` and each of the three ``views`` (fwd, rev, low) are
        ``(keys int64, starts int64, shift)`` of a :class:`HashBuckets`; ``views`` also carry
        their family sizes and log count sums (float64); ``groups`` are ``(order, width, seen,
        unseen, default)`` with ``seen``/``unseen`` as :func:`gram_table` made them.
        """
        self._arrays = []
        self._buckets(&self.dictionaries, dictionaries)
        self.dict_log_ranks = self._doubles(dict_log_ranks)
        self._buckets(&self.known, known)
        self.known_log_units = self._doubles(known_log_units)
        if len(views) != 3:
            raise ValueError("three views: fwd, rev, low")
        for v, (buckets, n, log_total) in enumerate(views):
            self._buckets(&self.views[v], buckets)
            self.view_n[v] = self._doubles(n)
            self.view_log_total[v] = self._doubles(log_total)
        if len(groups) > MAX_GROUPS:
            raise ValueError("too many n-gram groups")
        self.n_groups = len(groups)
        self.n_markov = 0
        for k, (order, width, seen, unseen, default) in enumerate(groups):
            if not 1 <= order <= MAXO or not 1 <= width <= MAX_WIDTH:
                raise ValueError("an n-gram group this kernel cannot score")
            self.order[k], self.width[k] = order, width
            self._grams(&self.seen[k], seen, width)
            self._grams(&self.unseen[k], unseen, width)
            for j in range(width):
                self.fallback[k][j] = default[j]
            self.n_markov += width
        if 12 + 2 * WIDTH + 2 * self.n_markov + 11 + 12 != NF:
            raise ValueError("the tables do not make the model's 55 features")

    cdef const double *_doubles(self, values) except NULL:
        cdef const double[::1] view = np.ascontiguousarray(values, dtype=np.float64)
        if view.shape[0] == 0:
            view = np.zeros(1)
        self._arrays.append(view)
        return &view[0]

    cdef int _buckets(self, Buckets *b, spec) except -1:
        keys, starts, shift = spec
        cdef const int64_t[::1] k = np.ascontiguousarray(keys, dtype=np.int64)
        cdef const int64_t[::1] s = np.ascontiguousarray(starts, dtype=np.int64)
        if k.shape[0] == 0:
            k = np.zeros(1, dtype=np.int64)  # never read: every bucket is empty
        self._arrays += [k, s]
        b.keys = &k[0]
        b.starts = &s[0]
        b.shift = shift
        return 0

    cdef int _grams(self, Grams *g, spec, int width) except -1:
        table, bits = spec
        cdef const double[:, ::1] slots = table
        if slots.shape[1] != 1 + width or slots.shape[0] != 1 << bits:
            raise ValueError("an n-gram table of another width")
        self._arrays.append(slots)
        g.slots = <const char *> &slots[0, 0]
        g.stride = 8 * (1 + width)
        g.bits = bits
        g.mask = (<uint64_t> 1 << g.bits) - 1
        return 0

    cdef inline double known_log(self, const uint8_t *s, Py_ssize_t n) noexcept nogil:
        cdef Py_ssize_t i = find(&self.known, blake2b_8(s, n))
        return self.known_log_units[i] if i >= 0 else MISSING

    cdef inline void family(self, int view, const uint8_t *s, Py_ssize_t n, double *out) noexcept nogil:
        cdef Py_ssize_t i
        if n == 0:
            out[0] = out[1] = MISSING
            return
        i = find(&self.views[view], blake2b_8(s, n))
        if i >= 0:
            out[0], out[1] = self.view_n[view][i], self.view_log_total[view][i]
        else:
            out[0] = out[1] = 0.0

    cdef inline void ranks(self, const uint8_t *s, Py_ssize_t n, int64_t key, double *out) noexcept nogil:
        cdef Py_ssize_t i = find(&self.dictionaries, key) if n else -1
        cdef int d
        for d in range(WIDTH):
            out[d] = self.dict_log_ranks[i * WIDTH + d] if i >= 0 else MISSING

    def features(self, bytes password):
        """``features_one`` of an ASCII password that does not end in a newline, of 1 to
        :data:`MAX_CHARS` characters (the caller checks), as a list of floats.
        """
        cdef const uint8_t *p = <const uint8_t *> PyBytes_AS_STRING(password)
        cdef Py_ssize_t n = PyBytes_GET_SIZE(password)
        cdef double x[NF]
        cdef uint8_t low[MAXC]
        cdef uint8_t work[MAXC]
        cdef uint8_t rev[MAXC]
        cdef uint8_t padded[MAXC + 2 * MAXO]
        cdef Py_ssize_t i, j, m, tail_digits = 0, tail_other = 0, head_digits = 0
        cdef int n_lower = 0, n_upper = 0, n_digit = 0, n_space = 0, n_unique = 0, runs = 0
        cdef int cls, previous = -1, k, order, width, at
        cdef uint8_t c
        cdef uint8_t seen_char[128]
        cdef int64_t low_key
        cdef uint64_t key, context, top
        cdef double total[MAX_WIDTH]
        cdef const double *term
        cdef double chars
        if not 1 <= n <= MAXC:
            raise ValueError("the kernel takes 1 to MAX_CHARS characters")
        memset(seen_char, 0, 128)
        for i in range(n):
            c = p[i]
            if c >= 128:
                raise ValueError("the kernel takes ASCII only")
            cls = 0 if is_lower(c) else 1 if is_upper(c) else 2 if is_digit(c) else 3
            n_lower += cls == 0
            n_upper += cls == 1
            n_digit += cls == 2
            n_space += c == 32
            if not seen_char[c]:
                seen_char[c] = 1
                n_unique += 1
            if cls != previous:
                runs += 1
                previous = cls
            low[i] = to_lower(c)
            rev[n - 1 - i] = c
        if p[n - 1] == 10:
            raise ValueError("a string ending in a newline takes the Python path")
        while tail_digits < n and is_digit(p[n - 1 - tail_digits]):
            tail_digits += 1
        while tail_other < n and not is_letter(p[n - 1 - tail_other]):
            tail_other += 1
        while head_digits < n and is_digit(p[head_digits]):
            head_digits += 1

        # shape (features.shape.one)
        x[0] = n
        x[1] = n_lower
        x[2] = n_upper
        x[3] = n_digit
        x[4] = n_space
        x[5] = n - n_lower - n_upper - n_digit - n_space
        x[6] = n_unique
        x[7] = runs
        x[8] = tail_digits
        x[9] = 1.0 if (
            n >= 4 and is_digit(p[n - 2]) and is_digit(p[n - 1])
            and ((p[n - 4] == 49 and p[n - 3] == 57) or (p[n - 4] == 50 and p[n - 3] == 48))
        ) else 0.0
        x[10] = 1.0 if n_digit == n else 0.0
        x[11] = 1.0 - (<double> n_unique) / (<double> n)

        # dictionaries (features.dictionaries.one): the lowercase string, and its letters un-leeted
        low_key = blake2b_8(low, n)
        self.ranks(low, n, low_key, &x[12])
        m = 0
        for i in range(n):
            c = LEET[low[i]]
            if is_lower(c):
                work[m] = c
                m += 1
        self.ranks(work, m, blake2b_8(work, m), &x[12 + WIDTH])

        # n-grams (features.markov.one): each group's terms summed left to right
        at = 12 + 2 * WIDTH
        chars = (<double> n) + 1.0
        for k in range(self.n_groups):
            order, width = self.order[k], self.width[k]
            for i in range(order - 1):
                padded[i] = 2
            memcpy(padded + order - 1, p, n)
            padded[order - 1 + n] = 3
            for j in range(width):
                total[j] = 0.0
            for i in range(n + 1):  # len(padded) - order + 1 grams
                context = 0
                for j in range(order - 1):
                    context |= (<uint64_t> padded[i + j]) << (8 * j)
                key = context | ((<uint64_t> padded[i + order - 1]) << (8 * (order - 1)))
                term = lookup(&self.seen[k], key)
                if term == NULL:
                    term = lookup(&self.unseen[k], context)
                    if term == NULL:
                        term = self.fallback[k]
                for j in range(width):
                    total[j] = total[j] + term[j]
            for j in range(width):
                x[at] = total[j]
                at += 1
        for j in range(self.n_markov):
            x[at + j] = x[at - self.n_markov + j] / chars
        at += self.n_markov

        # transforms (features.transforms.one): a transform that changes nothing is MISSING
        x[at] = MISSING if same(low, n, p, n) else self.known_log(low, n)  # lower
        x[at + 1] = MISSING if tail_digits == 0 else self.known_log(p, n - tail_digits)
        x[at + 2] = MISSING if tail_other == 0 else self.known_log(p, n - tail_other)
        m = 0
        for i in range(n):
            if is_letter(p[i]):
                work[m] = p[i]
                m += 1
        x[at + 3] = MISSING if m == n else self.known_log(work, m)  # letters
        m = 0
        for i in range(n):
            if is_digit(p[i]):
                work[m] = p[i]
                m += 1
        x[at + 4] = MISSING if m == n else self.known_log(work, m)  # digits
        x[at + 5] = MISSING if head_digits == 0 else self.known_log(p + head_digits, n - head_digits)
        x[at + 6] = self.known_log(p, n - 1)  # drop_last
        x[at + 7] = self.known_log(p + 1, n - 1)  # drop_first
        for i in range(n):
            work[i] = LEET[low[i]]
        x[at + 8] = MISSING if same(work, n, p, n) else self.known_log(work, n)  # unleet
        x[at + 9] = MISSING if same(rev, n, p, n) else self.known_log(rev, n)  # reversed
        x[at + 10] = self.known_log(p, n // 2) if n % 2 == 0 else MISSING  # half
        at += 11

        # families (features.families.one), by view: fwd, rev, low
        self.family(0, p, n, &x[at])
        self.family(0, p, n - tail_other, &x[at + 2])  # the string less its trailing non-letters
        self.family(1, rev, n, &x[at + 4])
        self.family(1, rev, tail_other, &x[at + 6])  # its trailing non-letters, reversed
        self.family(2, low, n, &x[at + 8])
        m = 0
        for i in range(n):
            if is_lower(low[i]):
                work[m] = low[i]
                m += 1
        self.family(2, work, m, &x[at + 10])

        out = PyList_New(NF)
        for i in range(NF):
            value = PyFloat_FromDouble(x[i])
            Py_INCREF(value)
            PyList_SET_ITEM(out, i, value)
        return out
