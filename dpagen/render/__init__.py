"""Renderers: pure functions from a document model (and templates) to bytes.

WeasyPrint and docxtpl are imported inside :mod:`dpagen.render.pdf` and :mod:`dpagen.render.docx`
only, so commands that do not render start fast.
"""
