# Included by features_kernel.pyx (its cimports and constants): BLAKE2b with an 8-byte digest,
# as features.hashing.hash64 computes it with hashlib (a test compares them).

# ---------------------------------------------------------------- BLAKE2b, 8-byte digest, no key

cdef uint64_t IV[8]
cdef uint8_t SIGMA[12][16]
_IV = (
    0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
    0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
)
_SIGMA = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3),
    (11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4),
    (7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8),
    (9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13),
    (2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9),
    (12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11),
    (13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10),
    (6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5),
    (10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0),
)
for _i in range(8):
    IV[_i] = _IV[_i]
for _r in range(12):
    for _i in range(16):
        SIGMA[_r][_i] = _SIGMA[_r % 10][_i]


cdef inline uint64_t rotr(uint64_t x, int n) noexcept nogil:
    return (x >> n) | (x << (64 - n))


cdef inline void mix(uint64_t *v, int a, int b, int c, int d, uint64_t x, uint64_t y) noexcept nogil:
    v[a] = v[a] + v[b] + x
    v[d] = rotr(v[d] ^ v[a], 32)
    v[c] = v[c] + v[d]
    v[b] = rotr(v[b] ^ v[c], 24)
    v[a] = v[a] + v[b] + y
    v[d] = rotr(v[d] ^ v[a], 16)
    v[c] = v[c] + v[d]
    v[b] = rotr(v[b] ^ v[c], 63)


cdef void compress(uint64_t *h, const uint8_t *block, uint64_t t, bint last) noexcept nogil:
    cdef uint64_t v[16]
    cdef uint64_t m[16]
    cdef int i, r
    cdef const uint8_t *s
    memcpy(m, block, 128)  # little-endian words: this module is built for x86-64 and arm64 hosts
    for i in range(8):
        v[i] = h[i]
        v[i + 8] = IV[i]
    v[12] ^= t
    if last:
        v[14] = ~v[14]
    for r in range(12):
        s = SIGMA[r]
        mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]])
        mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]])
        mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]])
        mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]])
        mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]])
        mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]])
        mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]])
        mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]])
    for i in range(8):
        h[i] ^= v[i] ^ v[i + 8]


cdef int64_t blake2b_8(const uint8_t *data, Py_ssize_t n) noexcept nogil:
    """``features.hashing.hash64`` of the bytes: BLAKE2b, 8-byte digest, read as a signed
    little-endian integer (the digest is the first word of the state).
    """
    cdef uint64_t h[8]
    cdef uint8_t block[128]
    cdef uint64_t t = 0
    cdef int i
    for i in range(8):
        h[i] = IV[i]
    h[0] ^= 0x01010008  # digest length 8, no key, fanout 1, depth 1
    while n > 128:
        t += 128
        compress(h, data, t, False)
        data += 128
        n -= 128
    memset(block, 0, 128)
    memcpy(block, data, n)
    t += n
    compress(h, block, t, True)
    return <int64_t> h[0]


def hash64(bytes data):
    """The hash of ``data`` (for the tests, which compare it with hashlib's)."""
    return blake2b_8(<const uint8_t *> PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
