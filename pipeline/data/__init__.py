"""External data: where each data set comes from (``sources``) and how its bytes get here
(``fetch``: cache, mirror or download, each checked by sha256).
"""
