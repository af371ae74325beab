"""The document model and how one agreement in one language is assembled into it."""
