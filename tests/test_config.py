from __future__ import annotations

import pytest

from brandwatch import ConfigError, load_config, load_watchlists
from brandwatch.config import default_risk_terms, risk_terms

GOOD = "owner: 某银行\nmarks:\n  - id: m1\n    name: 微众\n    aliases: [WeBank]\nallow: [某银行股份有限公司]\n"

# file text → the exact error (after the file name)
BAD = [
    ("owner: x\nmarks:\n  - id: m1\n    name: 微众\n    aliases: WeBank\n",
     "marks[0].aliases must be a list of strings, not one string (write [WeBank]) (got 'WeBank')"),
    ("owner: x\nmarks:\n  - id: m1\n    name: 微众\n    alias: [a]\n",
     "marks[0].alias is not a known key (check its spelling; see README)"),
    ("owner: x\nmarks:\n  - name: 微众\n", "marks[0].id is required"),
    ("owner: x\nmarks: []\n", "marks List should have at least 1 item after validation, not 0"),
    ("marks:\n  - id: m1\n    name: 微众\n", "owner is required"),
    ("owner: x\nmarks:\n  - id: 'bad id'\n    name: 微众\n",
     "marks[0].id must use only letters, digits, _ . - (it is a stable id) (got 'bad id')"),
    ("- just\n- a list\n", "must be a mapping with keys owner, marks, allow, official"),
    ("owner: x\nmarks:\n  - id: '" + "bad id " * 100_000 + "'\n    name: 微众\n",  # not quoted back whole
     "marks[0].id must use only letters, digits, _ . - (it is a stable id) (got "
     + repr(("bad id " * 10)[:60]) + "… (700,000 characters))"),
]



def _marks(n: int) -> str:
    return "".join(f"  - id: m{i}\n    name: 星{i}\n" for i in range(n))


# the sizes a matcher can hold: a 12 MB Latin alias took 15.9 GB to compile, a 5M-character name never finished
TOO_BIG = [
    ("owner: x\nmarks:\n  - id: m1\n    name: " + "微" * 5_000_000 + "\n",
     "marks[0].name is 5,000,000 characters long; a mark's name is at most 50 (the brand as it is registered, "
     "e.g. 微众); put a longer form in aliases"),
    ("owner: x\nmarks:\n  - id: m1\n    name: " + "微" * 51 + "\n",
     "marks[0].name is 51 characters long; a mark's name is at most 50 (the brand as it is registered, "
     "e.g. 微众); put a longer form in aliases"),
    ("owner: x\nmarks:\n  - id: m1\n    name: 微众\n    aliases: [WeBank, " + "a" * 12_000_000 + "]\n",
     "marks[0].aliases[1] is 12,000,000 characters long; an alias is at most 100 (a full company name fits); "
     "shorten it or split it into several aliases"),
    ("owner: x\nmarks:\n  - id: m1\n    name: 微众\n    aliases: [" + ", ".join(f"a{i}" for i in range(101)) + "]\n",
     "marks[0].aliases has 101 aliases; a mark has at most 100; keep the forms the brand is known by"),
    ("owner: x\nmarks:\n  - id: m1\n    name: 微众\n    reading: " + "wei " * 100 + "\n",
     "marks[0].reading is 399 characters long; a reading is at most 350 (one syllable for each of the name's "
     "at most 50 characters); give one syllable per character of the name"),
    ("owner: x\nmarks:\n" + _marks(20_001),
     "marks has 20,001 marks; a watchlist holds at most 20,000; split them into several watchlist files"),
]


@pytest.mark.parametrize(("text", "message"), TOO_BIG, ids=["5M name", "51 name", "12M alias", "101 aliases",
                                                           "long reading", "20001 marks"])
def test_a_watchlist_too_big_for_the_matcher_is_refused(tmp_path, text, message):
    f = tmp_path / "webank.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_watchlists(tmp_path)
    assert str(e.value) == f"{f}: {message}"


def test_the_largest_watchlist_allowed_loads(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "owner: x\nmarks:\n  - id: first\n    name: " + "微" * 50 + "\n    aliases: [" + ", ".join(
            ["b" * 100] + [f"a{i}" for i in range(99)]) + "]\n    reading: " + " ".join(["wei"] * 50) + "\n"
        + _marks(19_999), encoding="utf-8")
    (wl,) = load_watchlists(tmp_path)
    assert len(wl.marks) == 20_000 and len(wl.marks[0].name) == 50 and len(wl.marks[0].aliases) == 100


@pytest.mark.parametrize(("text", "message"), BAD)
def test_watchlist_errors_name_file_key_and_fix(tmp_path, text, message):
    f = tmp_path / "webank.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_watchlists(tmp_path)
    assert str(e.value) == f"{f}: {message}"


def test_yaml_syntax_error_names_the_line(tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text("owner: x\nmarks: [\n  - id: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"a\.yaml:\d+: not valid YAML"):
        load_watchlists(tmp_path)


def test_duplicate_mark_ids_across_files(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"marks\[0\]\.id 'm1' is already used in .*a\.yaml"):
        load_watchlists(tmp_path)


def test_good_watchlist(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (wl,) = load_watchlists(tmp_path)
    assert wl.marks[0].terms == ("微众", "WeBank") and wl.allow == ("某银行股份有限公司",)


def test_missing_folder(tmp_path):
    with pytest.raises(ConfigError, match="watchlist folder not found; pass --watchlists DIR"):
        load_watchlists(tmp_path / "nope")


def test_config_unknown_key(tmp_path):
    f = tmp_path / "config.yaml"
    f.write_text("matcher:\n  risk_term: [客服]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(f)
    assert str(e.value) == f"{f}: matcher.risk_term is not a known key (check its spelling; see README)"


def test_risk_terms_override_and_extend(tmp_path):
    f = tmp_path / "config.yaml"
    f.write_text("matcher:\n  risk_terms: [客服]\n  extra_risk_terms: [秒批]\n", encoding="utf-8")
    assert risk_terms(load_config(f)) == ("客服", "秒批")
    assert "征信修复" in default_risk_terms()


def test_shipped_examples_load():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    assert load_watchlists(root / "watchlists")
    load_config(root / "config.yaml")


# -- bounded reading: no anchors or aliases, regular files of a sane size --------------------------------------------

LAUGHS = "".join(f"{a}: &{a} [{', '.join([f'*{p}'] * 9)}]\n" for p, a in zip("abcdefgh", "bcdefghi", strict=True))
BILLION_LAUGHS = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + LAUGHS


# (file text, line, what is named): refused where the first anchor or alias stands, before anything is expanded
@pytest.mark.parametrize(("text", "line", "what"), [
    ("owner: x\nmarks: *i\n" + BILLION_LAUGHS, 2, "the alias *i"),
    ("owner: x\n" + BILLION_LAUGHS + "marks: *i\n", 2, "the anchor &a"),
    ("owner: x\nbase: &m {id: m1, name: 微众}\nmarks:\n  - <<: *m\n", 2, "the anchor &m"),
    ("owner: x\nmarks:\n  - id: m1\n    name: 微众\n    aliases: *undefined\n", 5, "the alias *undefined"),
])
def test_yaml_aliases_and_anchors_are_refused(tmp_path, text, line, what):
    f = tmp_path / "webank.yaml"
    f.write_text(text, encoding="utf-8")
    message = (f"{f}:{line}: {what}: YAML anchors and aliases (&name, *name, <<: *name) are not allowed here; write "
               "the values out in full")
    with pytest.raises(ConfigError) as e:
        load_watchlists(tmp_path)
    assert str(e.value) == message
    config = tmp_path / "config.yaml"
    config.write_text(text.replace("owner: x", "database: bw.db"), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(config)
    assert str(e.value) == message.replace(str(f), str(config))


def test_yaml_nested_too_deeply(tmp_path):
    f = tmp_path / "config.yaml"
    f.write_text("sources: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(f)
    assert str(e.value) == f"{f}: nested too deeply to be a config or watchlist; check the brackets"


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.mkdir(), "{p}: is a folder, not a YAML file; give the file itself"),
    (lambda p: __import__("os").mkfifo(p), "{p}: is a FIFO (named pipe), not a YAML file; give a regular file"),
    (lambda p: p.write_bytes(b"#" * (16 * 2**20 + 1)),
     "{p}: 16.0 MiB is over the limit of 16.0 MiB for a YAML file; a config or watchlist is far smaller; check that "
     "this is the right file"),
])
def test_config_that_is_not_a_sane_file(tmp_path, make, message):
    p = tmp_path / "config.yaml"
    make(p)
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert str(e.value) == message.format(p=p)


def test_config_from_a_device(tmp_path):
    with pytest.raises(ConfigError) as e:
        load_config("/dev/zero")
    assert str(e.value) == "/dev/zero: is a character device, not a YAML file; give a regular file"


@pytest.mark.parametrize(("hosts", "error"), [
    ({"https://api.example.com/": 5}, "fetch.hosts 'https://api.example.com/' is not a host; write the host "
                                      "(api.example.com) or host:port, without scheme or path"),
    ({"api.example.com/v1": 5}, "fetch.hosts 'api.example.com/v1' is not a host; write the host (api.example.com) "
                                "or host:port, without scheme or path"),
    ({"API.Example.com": 5, "api.example.com:8443": 2}, None),
])
def test_fetch_hosts_are_hosts(tmp_path, hosts, error):
    import yaml

    f = tmp_path / "config.yaml"
    f.write_text(yaml.safe_dump({"fetch": {"hosts": hosts}}), encoding="utf-8")
    if error is None:
        assert load_config(f).fetch.hosts == {"api.example.com": 5, "api.example.com:8443": 2}
        return
    with pytest.raises(ConfigError) as e:
        load_config(f)
    assert str(e.value).startswith(f"{f}: {error}"), str(e.value)
