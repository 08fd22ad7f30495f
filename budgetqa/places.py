"""Korean cities and provinces: the names a question or a document may use for them.

A document's city is the one it names most; a question that names a city is answered only
from documents about that city (and abstains when there are none).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

# canonical Korean name -> other spellings (Korean short forms, English)
CITIES: dict[str, tuple[str, ...]] = {
    "서울": ("서울시", "서울특별시", "Seoul"),
    "부산": ("부산시", "부산광역시", "Busan", "Pusan"),
    "대구": ("대구시", "대구광역시", "Daegu"),
    "인천": ("인천시", "인천광역시", "Incheon"),
    "광주": ("광주시", "광주광역시", "Gwangju"),
    "대전": ("대전시", "대전광역시", "Daejeon"),
    "울산": ("울산시", "울산광역시", "Ulsan"),
    "세종": ("세종시", "세종특별자치시", "Sejong"),
    "경기": ("경기도", "Gyeonggi"),
    "강원": ("강원도", "Gangwon"),
    "충북": ("충청북도", "Chungbuk", "North Chungcheong"),
    "충남": ("충청남도", "Chungnam", "South Chungcheong"),
    "전북": ("전라북도", "Jeonbuk", "North Jeolla"),
    "전남": ("전라남도", "Jeonnam", "South Jeolla"),
    "경북": ("경상북도", "Gyeongbuk", "North Gyeongsang"),
    "경남": ("경상남도", "Gyeongnam", "South Gyeongsang"),
    "제주": ("제주도", "제주특별자치도", "Jeju"),
    "수원": ("수원시", "Suwon"),
    "창원": ("창원시", "Changwon"),
    "성남": ("성남시", "Seongnam"),
    "고양": ("고양시", "Goyang"),
    "용인": ("용인시", "Yongin"),
}

# The other cities (시) of Korea: canonical name -> English. Names that are also common words
# ("상주" resident, "동해" East Sea, "공주" princess, "구리" copper ...) are only recognised with
# 시 ("상주시"); the others also bare ("청주 2025년 예산"). 경기 광주 is left out: it would be
# taken for 광주광역시.
MORE_CITIES: dict[str, str] = {
    "부천": "Bucheon", "안산": "Ansan", "안양": "Anyang", "남양주": "Namyangju", "화성": "Hwaseong",
    "평택": "Pyeongtaek", "의정부": "Uijeongbu", "시흥": "Siheung", "파주": "Paju", "광명": "Gwangmyeong",
    "김포": "Gimpo", "군포": "Gunpo", "이천": "Icheon", "양주": "Yangju", "오산": "Osan", "구리": "Guri",
    "안성": "Anseong", "포천": "Pocheon", "의왕": "Uiwang", "하남": "Hanam", "여주": "Yeoju",
    "동두천": "Dongducheon", "과천": "Gwacheon", "춘천": "Chuncheon", "원주": "Wonju", "강릉": "Gangneung",
    "동해": "Donghae", "태백": "Taebaek", "속초": "Sokcho", "삼척": "Samcheok", "청주": "Cheongju",
    "충주": "Chungju", "제천": "Jecheon", "천안": "Cheonan", "공주": "Gongju", "보령": "Boryeong",
    "아산": "Asan", "서산": "Seosan", "논산": "Nonsan", "계룡": "Gyeryong", "당진": "Dangjin",
    "전주": "Jeonju", "군산": "Gunsan", "익산": "Iksan", "정읍": "Jeongeup", "남원": "Namwon",
    "김제": "Gimje", "목포": "Mokpo", "여수": "Yeosu", "순천": "Suncheon", "나주": "Naju",
    "광양": "Gwangyang", "포항": "Pohang", "경주": "Gyeongju", "김천": "Gimcheon", "안동": "Andong",
    "구미": "Gumi", "영주": "Yeongju", "영천": "Yeongcheon", "상주": "Sangju", "문경": "Mungyeong",
    "경산": "Gyeongsan", "진주": "Jinju", "통영": "Tongyeong", "사천": "Sacheon", "김해": "Gimhae",
    "밀양": "Miryang", "거제": "Geoje", "양산": "Yangsan", "서귀포": "Seogwipo",
}  # fmt: skip
COMMON_WORDS = {
    "구리",
    "동해",
    "공주",
    "상주",
    "영주",
    "여주",
    "사천",
    "나주",
    "양주",
    "화성",
    "오산",
    "이천",
    "아산",
    "광명",
    "문경",
    "안성",
    "진주",
    "구미",
}


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    names = {alias.lower(): city for city, aliases in CITIES.items() for alias in (city, *aliases)}
    for city, english in MORE_CITIES.items():
        spellings = [f"{city}시", english] + ([] if city in COMMON_WORDS else [city])
        names.update({alias.lower(): city for alias in spellings if alias.lower() not in names})
    alternatives = sorted(names, key=len, reverse=True)
    # Korean names may be followed by particles ("서울시가"); English ones are whole words
    pattern = re.compile(
        "|".join(
            re.escape(n) if re.match(r"[가-힣]", n) else rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])"
            for n in alternatives
        ),
        re.IGNORECASE,
    )
    return pattern, names


def cities_in(text: str) -> Counter[str]:
    """How often each city is named in ``text``."""
    pattern, names = _pattern()
    return Counter(names[m.group(0).lower()] for m in pattern.finditer(text))


def main_city(text: str) -> str:
    counts = cities_in(text)
    return counts.most_common(1)[0][0] if counts else ""


def document_city(title: str, body: str) -> str:
    """The city a document is about: the one its title names, else the one its body names in
    at least half of its city mentions (a ministry's notice naming every region is about none:
    "")."""
    named = cities_in(title)
    if len(named) == 1:
        return next(iter(named))
    counts = cities_in(body)
    if not counts:
        return ""
    city, top = counts.most_common(1)[0]
    return city if top >= 2 and top >= 0.5 * sum(counts.values()) else ""


def english_name(city: str) -> str:
    """The English name of a canonical Korean city name ("부산" -> "Busan"); "" if unknown."""
    return next((a for a in CITIES.get(city, ()) if a.isascii()), "")
