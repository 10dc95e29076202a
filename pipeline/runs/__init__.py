"""Pipeline runs as a whole: the summary printed at the end (``summary``), each run logged to
MLflow (``record`` gathers it, ``tracking`` logs it), recent runs in a table (``history``), and the
twice-run reproducibility check (``reproduce``).
"""
