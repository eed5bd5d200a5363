"""The Word templates of 附件2–4, shipped as package data (``xlqc.templates``).

Rebuild them with ``python templates/build_templates.py``.
"""
