"""xlqc: nominations for 全国优秀质量管理小组 from one master workbook."""

__version__ = "0.2.0"

# The add-in (macros/, built into xlqc.xlam) this package expects; `xlqc addin build` stamps it
# into the add-in and `xlqc addin check` compares. Raise it whenever macros/ changes.
ADDIN_VERSION = "1"
