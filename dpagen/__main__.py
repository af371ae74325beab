"""``python -m dpagen``."""

from .cli import main

main()
