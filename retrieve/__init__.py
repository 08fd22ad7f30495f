"""Retrieve: hybrid (dense + BM25) search over the store, as a langchain retriever."""

from retrieve.hybrid import HybridRetriever, query_years

__all__ = ["HybridRetriever", "query_years"]
