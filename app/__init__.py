"""The Flask service (issue 4): JSON predictions, the Hat endpoints, a web page, health, metrics.

Not built yet; the models it will serve are trained by ``run_all.sh`` into ``models/``.
"""
