"""Package list for setuptools; everything else is in pyproject.toml.

0.1 listed its packages by hand and shipped no ``xlqc.excel`` and no ``xlqc.intake``: every
package under ``xlqc/`` is now found, and the two data folders at the top of the repository
(``templates/``, ``macros/``) are added as ``xlqc.templates`` and ``xlqc.macros``.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["xlqc", "xlqc.*"]), "xlqc.templates", "xlqc.macros"])
