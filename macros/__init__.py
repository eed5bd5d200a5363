"""The Excel add-in as text: the VBA callback module and the ribbon XML (DESIGN.md §5)."""
