"""What each passage is about (years, cities), kept in memory per store generation.

A question is answered from the passages of its scope: its years (the document's year, or a
year the passage names) and its cities (the document's city, or a city the passage names; ""
for documents about no city). Asking Chroma for a scope with a metadata filter costs a scan of
the store (50 ms at 10k passages, growing with it), and so did the facets (every year and city
a question can name). This table answers both from memory: built once with the BM25 index
from the same rows, saved beside it with the same stamp, so that a question's cost does not
grow with the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FILE = "scope.json"
SCOPES = 32  # passage id sets kept by (years, cities): at 100k passages one may hold 30k ids


class ScopeTable:
    def __init__(self, rows: Iterable[tuple[str, int, str, list[int], list[str]]]) -> None:
        """``rows``: (passage id, document year or 0, document city or "", years named, cities named)."""
        self.rows = list(rows)
        self._ids: dict[tuple[frozenset[int], frozenset[str]], frozenset[str]] = {}
        self._by_year: dict[int, set[str]] = {}
        self._by_city: dict[str, set[str]] = {}
        self.doc_years: set[int] = set()
        self.cities: set[str] = set()
        self.city_years: dict[str, set[int]] = {}
        self._known: set[str] = set()
        mentioned: set[int] = set()
        for pid, doc_year, city, years, cities in self.rows:
            self._known.add(pid)
            for year in {doc_year, *years} - {0}:
                self._by_year.setdefault(year, set()).add(pid)
            for c in {city, *cities}:  # "": the document is about no city
                self._by_city.setdefault(c, set()).add(pid)
            if doc_year:
                self.doc_years.add(doc_year)
            mentioned.update(years)
            self.cities.update(c for c in cities if c)
            if city:
                self.cities.add(city)
                if doc_year:
                    self.city_years.setdefault(city, set()).add(doc_year)
        self.years = self.doc_years | mentioned

    @staticmethod
    def rows_of(
        ids: list[str], metadatas: list[dict[str, Any]]
    ) -> list[tuple[str, int, str, list[int], list[str]]]:
        """The table's rows for passages with this Chroma metadata."""
        return [
            (
                pid,
                int(meta.get("doc_year") or 0),
                str(meta.get("city") or ""),
                [int(y) for y in str(meta.get("years", "")).split(",") if y],
                [c for c in str(meta.get("cities", "")).split(",") if c],
            )
            for pid, meta in zip(ids, metadatas, strict=True)
        ]

    def facets(self) -> dict[str, Any]:
        """Document years, years named anywhere, cities, and each city's document years."""
        return {
            "doc_years": set(self.doc_years),
            "years": set(self.years),
            "cities": set(self.cities),
            "city_years": {c: set(y) for c, y in self.city_years.items()},
        }

    def knows(self, pid: str) -> bool:
        return pid in self._known

    def about_year(self, pid: str, year: int) -> bool:
        """Whether passage ``pid`` (one the table ``knows``) is about ``year``: its document's
        year, or a year it names (what ``retrieve.hybrid.about_year`` reads in its metadata)."""
        return pid in self._by_year.get(year, ())

    def ids(self, years: set[int] | None, cities: set[str] | None) -> frozenset[str] | None:
        """The passages about any of ``years`` and any of ``cities`` (the same passages as
        ``answer.chain.scope_filter`` selects in Chroma); None when neither narrows. Kept per
        scope (``SCOPES``): a year's passages are a third of a 100k store, and their union
        and intersection took 1.3 ms a question."""
        if not years and not cities:
            return None
        key = (frozenset(years or ()), frozenset(cities or ()))
        found = self._ids.get(key)
        if found is None:
            if len(self._ids) >= SCOPES:
                self._ids.pop(next(iter(self._ids)), None)  # the oldest (two threads may both drop it)
            found = self._ids[key] = frozenset(self._select(years, cities) or ())
        return found

    def _select(self, years: set[int] | None, cities: set[str] | None) -> set[str] | None:
        found: set[str] | None = None
        if years:
            found = set().union(*(self._by_year.get(y, set()) for y in years))
        if cities:
            in_cities = set().union(*(self._by_city.get(c, set()) for c in cities))
            found = in_cities if found is None else found & in_cities
        return found

    def save(self, folder: Path) -> None:
        tmp = folder / (FILE + ".tmp")
        tmp.write_text(json.dumps(self.rows, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        tmp.replace(folder / FILE)

    @classmethod
    def load(cls, folder: Path) -> ScopeTable:
        """Raises FileNotFoundError when there is none (an index saved before this table)."""
        return cls(tuple(row) for row in json.loads((folder / FILE).read_text(encoding="utf-8")))
