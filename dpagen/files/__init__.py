"""File mechanics: atomic writes, file locks, round-trip YAML edits and bounded DOCX reading."""
