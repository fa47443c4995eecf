"""The look-alike table: known pairs present, known non-pairs absent, symmetric, scores in range."""

from __future__ import annotations

import pytest
from pypinyin_dict.pinyin_data.ktghz2013 import pinyin_dict as ktghz2013

from brandwatch.match import tables
from brandwatch.match.glyphs import shape_scores, shape_similar

STANDARD = frozenset(chr(cp) for cp in ktghz2013)

LOOKALIKES = [
    ("云", "去"),  # ⿱二厶 / ⿱土厶: one component one stroke apart
    ("小", "少"),  # plus one stroke
    ("大", "太"),
    ("大", "犬"),
    ("木", "本"),
    ("木", "末"),
    ("未", "末"),  # the same strokes, the top stroke longer or shorter
    ("己", "已"),
    ("已", "巳"),
    ("己", "巳"),
    ("贷", "货"),
    ("微", "徽"),
    ("赢", "嬴"),
    ("土", "士"),
    ("日", "曰"),
    ("人", "入"),
    ("天", "夭"),
    ("王", "玉"),
    ("辨", "辫"),
]

NOT_LOOKALIKES = [
    ("微", "众"),  # a homophone-ish pair of a real mark, not a shape
    ("银", "行"),
    ("花", "草"),
    ("微", "傲"),
    ("商", "市"),
    ("钓", "钢"),  # same four-corner code, different right-hand parts
    ("分", "纷"),  # one contains the other: not a look-alike
]


@pytest.mark.parametrize(("a", "b"), LOOKALIKES)
def test_known_pairs_present(a: str, b: str) -> None:
    assert b in shape_scores()[a]
    assert a in shape_scores()[b]


@pytest.mark.parametrize(("a", "b"), NOT_LOOKALIKES)
def test_known_non_pairs_absent(a: str, b: str) -> None:
    assert b not in shape_scores().get(a, {})


def test_symmetric_with_equal_scores() -> None:
    scores = shape_scores()
    asymmetric = [(a, b) for a, others in scores.items() for b, s in others.items() if scores.get(b, {}).get(a) != s]
    assert asymmetric == []


def test_scores_in_range_and_rounded() -> None:
    bad = [(a, b, s) for a, others in shape_scores().items() for b, s in others.items()
           if not (0 < s <= 1 and round(s, 2) == s)]
    assert bad == []


def test_no_character_is_its_own_lookalike() -> None:
    assert [a for a, others in shape_scores().items() if a in others] == []


def test_every_key_is_standard_or_a_lookalike_of_one() -> None:
    scores = shape_scores()
    stray = [ch for ch, others in scores.items() if ch not in STANDARD and not (set(others) & STANDARD)]
    assert stray == []


def test_counts_recorded_in_the_table_match() -> None:
    table = tables.data_json("shape_similar.json")
    similar = table["similar"]
    assert table["version"] == 2
    assert table["characters"] == len(STANDARD) == 8105
    assert table["pairs"] == sum(len(v) for v in similar.values()) // 2
    assert table["characters_with_lookalikes"] == sum(1 for ch in STANDARD if ch in similar)


@pytest.mark.parametrize(
    ("ch", "min_score", "present", "absent"),
    [
        ("未", 0.0, "末木", ""),
        ("未", 0.9, "末", "木"),  # 末 1.0, 木 0.8
        ("云", 0.8, "去", ""),
    ],
)
def test_shape_similar_threshold(ch: str, min_score: float, present: str, absent: str) -> None:
    found = shape_similar(min_score)[ch]
    assert set(present) <= found
    assert not set(absent) & found


def test_threshold_drops_characters_left_without_lookalikes() -> None:
    assert all(shape_similar(1.0).values())
    assert len(shape_similar(1.0)) < len(shape_similar())

