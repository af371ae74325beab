"""What changed between two versions: diffs by identity, alignment, edited DOCX from outside."""
