"""``python -m dpagen``."""

from dpagen.cli import main

main()
