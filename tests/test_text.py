from __future__ import annotations

import pytest

from brandwatch.match.text import pinyin_syllables, tokenize

SYLLABLES = [
    ("Weizhong", ["wei", "zhong"]),
    ("WeiLiDai", ["wei", "li", "dai"]),
    ("HuaBei", ["hua", "bei"]),
    ("ZhiFuBao", ["zhi", "fu", "bao"]),
    ("qifu", ["qi", "fu"]),
    ("DUXIAOMAN", ["du", "xiao", "man"]),
    ("Webex", None),
    ("Alipay", None),
    ("Qiwi", None),
]


@pytest.mark.parametrize(("run", "expected"), SYLLABLES)
def test_pinyin_syllables(run, expected):
    got = pinyin_syllables(run)
    assert (None if got is None else [s for _, _, s in got]) == expected


TOKENS = [
    # name, token values, which tokens follow a separator
    ("微|众", ["微", "众"], [False, True]),
    ("花\u200b呗", ["花", "呗"], [False, True]),
    ("借❤呗", ["借", "呗"], [False, True]),
    ("微眾", ["微", "众"], [False, False]),
    ("hua呗", ["hua", "呗"], [False, False]),
    ("Ｗｅｉ众", ["wei", "众"], [False, False]),
]


@pytest.mark.parametrize(("name", "values", "seps"), TOKENS)
def test_tokenize(name, values, seps):
    tokens = tokenize(name).tokens
    assert [t.value for t in tokens] == values
    assert [t.sep_before for t in tokens] == seps


def test_offsets_point_into_the_original():
    name = "微  众在线客服"
    t = tokenize(name).tokens
    assert name[t[0].start : t[1].end] == "微  众"


def test_latin_words_join_across_separators():
    (word,) = tokenize("We Bank借钱").words
    assert (word.text, word.parts) == ("WeBank", 2)


def test_lookalike_letters_are_flagged():
    (word,) = tokenize("\u0410lipay").words
    assert word.text == "alipay" and word.lookalike
