"""Files shipped beside the code: the Word templates (templates/) and the add-in (macros/).

Installed, they are the packages ``xlqc.templates`` and ``xlqc.macros`` (pyproject maps the
repository's top-level folders there). Run from a source tree without installing — ``python -m
xlqc`` in a checkout, or tests importing the checkout — those packages do not exist, so the
folders beside ``xlqc/`` are read instead.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[1]


def read_resource(folder: str, name: str) -> bytes:
    """The bytes of ``folder/name`` (``folder`` is "templates" or "macros")."""
    if (SOURCE_ROOT / "pyproject.toml").is_file() and (SOURCE_ROOT / folder).is_dir():
        # xlqc imported from a checkout: its own files, not those of another install (an
        # editable install elsewhere maps xlqc.macros to its own checkout's folder)
        return (SOURCE_ROOT / folder / name).read_bytes()
    try:
        return resources.files(f"xlqc.{folder}").joinpath(name).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        return (SOURCE_ROOT / folder / name).read_bytes()
