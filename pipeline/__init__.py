"""The training pipeline: data sources, the two models, their evaluation and their registry.

Importable without Flask, so the service and the pipeline share one implementation.
"""
