"""glibc's allocator told to keep freed memory for reuse while the stage trains.

By default glibc serves every allocation above a threshold (128 kB, raised as blocks are freed)
with a fresh mmap and gives it back on free, so a loop that allocates and frees a few MB of
numpy temporaries per step (the explainer's listener search) pays page faults and zeroing on every
step: a sixth of each explanation's CPU in the kernel. Fixed thresholds keep such blocks in the
heap, which holds at most what the stage's largest step needed. Training side only: the service
keeps glibc's defaults, whose memory its PSS target counts.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
MMAP_THRESHOLD = 64 << 20  # blocks this big or bigger are still mapped
TRIM_THRESHOLD = 512 << 20  # the heap's free top kept for reuse, at most


def keep_freed_memory() -> bool:
    """Set the thresholds in this process (and the workers it forks later); False where the C
    library is not glibc, which then keeps its own behaviour.
    """
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and (
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    )
