"""Store: passages and vectors in Chroma, a BM25 index beside them, embedding backends."""

from store.chroma import CHUNKER_VERSION, PassageStore
from store.embeddings import load_embeddings
from store.lexical import LexicalIndex, load_or_build

__all__ = ["CHUNKER_VERSION", "LexicalIndex", "PassageStore", "load_embeddings", "load_or_build"]
