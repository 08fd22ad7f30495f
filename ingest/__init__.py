"""Ingestion: load files -> clean page boilerplate -> extract metadata -> split into passages."""

from ingest.loaders import SUPPORTED_SUFFIXES, load_document
from ingest.split import split_document

__all__ = ["SUPPORTED_SUFFIXES", "load_document", "split_document"]
