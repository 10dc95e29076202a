# Included by features_kernel.pyx (its cimports and constants): the serving tables read as C
# arrays, and the lookup of a value per hashed string.

# ----------------------------------------------------------------------------- sorted hash tables

cdef struct Buckets:
    const int64_t *keys
    const int64_t *starts
    int shift


cdef inline Py_ssize_t find(const Buckets *b, int64_t key) noexcept nogil:
    """:meth:`HashBuckets.find` of one key: its position, -1 when absent."""
    cdef Py_ssize_t bucket = <Py_ssize_t> (((<uint64_t> key) ^ SIGN) >> b.shift)
    cdef Py_ssize_t i = b.starts[bucket], end = b.starts[bucket + 1]
    while i < end and b.keys[i] < key:
        i += 1
    return i if i < end and b.keys[i] == key else -1


cdef struct Grams:
    const char *slots  # open addressing: a key (EMPTY in a free slot), then its values
    Py_ssize_t stride  # bytes a slot: 8 for the key, 8 a value
    uint64_t mask
    int bits


cdef inline const double *lookup(const Grams *g, uint64_t key) noexcept nogil:
    """The values of ``key`` in one slot read (a cache line, where separate arrays of keys and
    values take two), NULL when absent.
    """
    cdef uint64_t slot = (key * GOLDEN) >> (64 - g.bits), found
    cdef const char *at
    while True:
        at = g.slots + slot * g.stride
        memcpy(&found, at, 8)
        if found == key:
            return <const double *> (at + 8)
        if found == EMPTY:
            return NULL
        slot = (slot + 1) & g.mask


def gram_table(const uint64_t[::1] keys, const double[:, ::1] values):
    """The open-addressing table of n-gram keys (packed bytes) and their values, at least half
    empty: ``(slots, bits)``, the slots a float64 array of rows ``[key bits, values...]``.
    """
    cdef Py_ssize_t n = keys.shape[0], width = values.shape[1], i, j
    cdef int bits = 1
    while (1 << bits) < 2 * n + 2:
        bits += 1
    table = np.zeros((1 << bits, 1 + width), dtype=np.float64)
    table.view(np.uint64)[:, 0] = EMPTY
    cdef uint64_t[:, ::1] key_of = table.view(np.uint64)
    cdef double[:, ::1] value_of = table
    cdef uint64_t mask = (<uint64_t> 1 << bits) - 1
    cdef uint64_t slot
    for i in range(n):
        if keys[i] == EMPTY:
            raise ValueError("an n-gram key may not be the empty marker")
        slot = (keys[i] * GOLDEN) >> (64 - bits)
        while key_of[slot, 0] != EMPTY and key_of[slot, 0] != keys[i]:
            slot = (slot + 1) & mask
        if key_of[slot, 0] == keys[i]:
            raise ValueError("duplicate n-gram key")
        key_of[slot, 0] = keys[i]
        for j in range(width):
            value_of[slot, 1 + j] = values[i, j]
    return table, bits

# ------------------------------------------------------------------------- the listed frequency

cdef class HashedValues:
    """A float per hashed string, the string hashed and looked up in one call: a listed
    frequency (``ServingTables.frequency`` of its ``hash64``) or whether a word is in the word
    lists. A served password asks up to ten (its own answer, the edits its feedback tries, two
    dictionary words), and the Python lookup is a dozen interpreter steps each.

    The exact rows are a :class:`HashBuckets` with their values (``OneExact``); a compact list
    adds its buckets of tags and one-byte counts (``OneCompact``, the same scan and floats).
    """

    cdef list _arrays
    cdef Buckets exact
    cdef const double *exact_frequencies
    cdef bint compact
    cdef int shift
    cdef const uint32_t *starts
    cdef const uint16_t *tags
    cdef const uint8_t *counts
    cdef double total

    def __init__(self, exact, exact_frequencies, compact=None):
        """``exact`` is ``(keys int64, starts int64, shift)`` of a :class:`HashBuckets`, with
        ``exact_frequencies`` (float64, the values) beside its keys; ``compact`` is None or ``(bits,
        starts uint32, tags uint16, counts uint8, total)`` of a ``CompactAnswers``.
        """
        keys, starts, shift = exact
        cdef const int64_t[::1] k = np.ascontiguousarray(keys, dtype=np.int64)
        cdef const int64_t[::1] s = np.ascontiguousarray(starts, dtype=np.int64)
        cdef const double[::1] f = np.ascontiguousarray(exact_frequencies, dtype=np.float64)
        if k.shape[0] != f.shape[0]:
            raise ValueError("one frequency per exact key")
        if k.shape[0] == 0:
            k = np.zeros(1, dtype=np.int64)  # never read: every bucket is empty
            f = np.zeros(1)
        self._arrays = [k, s, f]
        self.exact.keys, self.exact.starts, self.exact.shift = &k[0], &s[0], shift
        self.exact_frequencies = &f[0]
        self.compact = compact is not None
        if not self.compact:
            return
        bits, tag_starts, tags, counts, total = compact
        cdef const uint32_t[::1] ts = np.ascontiguousarray(tag_starts, dtype=np.uint32)
        cdef const uint16_t[::1] tg = np.ascontiguousarray(tags, dtype=np.uint16)
        cdef const uint8_t[::1] c = np.ascontiguousarray(counts, dtype=np.uint8)
        if ts.shape[0] != (1 << bits) + 1 or tg.shape[0] != c.shape[0]:
            raise ValueError("a compact list of another shape")
        if tg.shape[0] == 0:
            tg, c = np.zeros(1, dtype=np.uint16), np.zeros(1, dtype=np.uint8)
        self._arrays += [ts, tg, c]
        self.shift = 64 - bits
        self.starts, self.tags, self.counts = &ts[0], &tg[0], &c[0]
        self.total = total

    def get(self, bytes text):
        """The value of ``text`` (a string's bytes, as ``hash64`` encodes it), None when it is
        not listed.
        """
        cdef int64_t key = blake2b_8(<const uint8_t *> PyBytes_AS_STRING(text), PyBytes_GET_SIZE(text))
        cdef Py_ssize_t i = find(&self.exact, key), end
        cdef uint64_t u
        cdef uint16_t tag
        if i >= 0:
            return self.exact_frequencies[i]
        if not self.compact:
            return None
        u = (<uint64_t> key) ^ SIGN
        i = self.starts[u >> self.shift]
        end = self.starts[(u >> self.shift) + 1]
        tag = <uint16_t> ((u >> (self.shift - 16)) & 0xFFFF)
        while i < end:
            if self.tags[i] == tag:
                return (<double> self.counts[i]) * 1e6 / self.total
            i += 1
        return None
