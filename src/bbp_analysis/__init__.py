"""Borough Based Partnership Annual Review: the shared analysis package (the area and period
come from the run parameters).

Importing it sets ``ARROW_DEFAULT_MEMORY_POOL=system`` unless the environment sets it: Arrow
(every pandas string column, every Parquet read) then allocates with the C library's malloc
instead of its bundled mimalloc, in this process (when Arrow has not allocated yet) and in
every process it starts (kernels, builds). mimalloc backs each fresh segment with a huge page
that the operating system must zero (2 MB at a time), a cost every short-lived notebook kernel
pays again. Measured with one PCN view's cold build (``bbp build --period 2025-26 --jobs 2``,
an idle 2-core machine, CPU of the whole process tree, three interleaved pairs): mimalloc
40.1, 37.9 and 37.4 CPU s (6.0 to 7.2 s in the kernel, mostly zeroing pages for
``mi_page_free_list_extend``); the system allocator 34.6, 34.7 and 36.1 CPU s (3.1 to 3.3 s).
"""

import os

os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

__version__ = "0.1.0"
