"""Checks of what was read: every problem of every file (validate) and GDPR Art. 28 (check)."""
