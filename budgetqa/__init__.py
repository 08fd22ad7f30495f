"""Seoul Budget Q&A: bilingual question answering over public budget documents.

Data flow: ingest/ (load, clean, split) -> store/ (Chroma + BM25) -> retrieve/ (hybrid)
-> answer -> app.py (UI/API). This package holds what every stage shares: settings,
plain data types, errors, Korean text helpers and the CLI.
"""

__version__ = "0.1.0"
