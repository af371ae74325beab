"""The ``dpagen`` commands by stage: each parses options, calls one library function, prints."""
