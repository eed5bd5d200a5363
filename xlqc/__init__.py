"""xlqc: nominations for 全国优秀质量管理小组 from one master workbook."""

__version__ = "0.1.0"
