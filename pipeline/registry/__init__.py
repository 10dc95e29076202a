"""The model lifecycle after training: versioned artifacts and ``registry.json`` (``store``), the
promotion rule (``rule``) and the CI gate over a run (``gate``), the shared end of every training
stage (``publish``), what an artifact records of its making (``lineage``), and the export of the
production versions for an image (``export``).
"""
