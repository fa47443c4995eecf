"""Social platforms, imported never crawled: every fixture's listings, every refusal, and a full import.

The fixtures in tests/fixtures/social/ are written by hand (fictitious people and ids) in the
structure of each platform's public pages and web API answers; README.md there says which.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from brandwatch.cli import main
from brandwatch.errors import BrandwatchError, ParseError
from brandwatch.sources import (
    SOURCE_TYPES,
    Request,
    SourceOptions,
    parse_douyin,
    parse_kuaishou,
    parse_wechat,
    parse_xiaohongshu,
    social,
)

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "social"
WL = ROOT / "tests" / "fixtures" / "watchlists"
PARSERS = {"douyin": parse_douyin, "kuaishou": parse_kuaishou, "xiaohongshu": parse_xiaohongshu,
           "wechat": parse_wechat}


def parse(platform: str, name: str, text: str | None = None) -> list:
    path = FIX / platform / name
    body = path.read_text(encoding="utf-8") if text is None else text
    return PARSERS[platform](body, Request(path.resolve().as_uri()), platform)


# -- every fixture: its listings (key, kind, name), in order ---------------------------------------------

DY_VIDEO = "douyin:7301122334455667788"
DY_DESC = "微众银行官方贷款通道，征信花了也能下款，当天放款！私信或加V：wzdk-2024 #微众银行 #贷款 #急用钱"
DY_USER = "douyin:user:MS4wLjABAAAAq3Zx0fIctNoTaRealUser8e2Kp7LmWqYt5vBn0cXsD1"
KS_CAPTION = "花呗额度不够？借呗开通不了？专业团队帮你提额，不成功不收费 加微信 hb-te-e-0001"
XHS_NOTE = "xiaohongshu:6650a1b2000000001e03c4d5"
WX_ARTICLE = "wechat:MzkxNjAwMDAwMA==_2247483650_1"
WX_TITLE = "招商银行信用卡中心：2024年额度提升特别通知"

LISTINGS = [
    ("douyin", "video.html", [  # the detail and its comments; the related video beside it is not this page's
        (DY_VIDEO, "post", DY_DESC),
        ("douyin:comment:7301200000000000001", "post", "真的能下款吗？我上个月被拒了"),
        ("douyin:comment:7301200000000000002", "post", "已私信，客服让先交888元会员费，大家小心")]),
    ("douyin", "user.html", [
        (DY_USER, "account", "微众金融服务中心"),
        (DY_VIDEO, "post", DY_DESC),
        ("douyin:7298000000000000111", "post", "额度怎么提？看图文教程")]),
    ("douyin", "search.html", [
        (DY_VIDEO, "post", "微众银行官方贷款通道，征信花了也能下款，当天放款！"),
        ("douyin:7299000000000000222", "post", "微众银行 微粒贷 额度秒批 内部渠道 #微粒贷"),
        ("douyin:7299000000000000333", "post", "理财小知识：怎么看银行app是不是正版")]),
    ("douyin", "search_api.json", [
        ("douyin:7302000000000000444", "post", "招商银行信用卡提额，内部渠道代办，百分百成功 #招行"),
        ("douyin:7302000000000000555", "post", "信用卡逾期了怎么办？律师说法")]),
    ("douyin", "aweme_post.json", [("douyin:7302000000000000666", "post", "度小满有钱花 放款教程 私信领取内部链接")]),
    ("douyin", "comments_api.json", [
        ("douyin:comment:7302100000000000001", "post", "花呗套现找我，秒到，私聊"),
        ("douyin:comment:7302100000000000002", "post", "举报了，这是骗子")]),
    ("kuaishou", "video.html", [("kuaishou:3xq9ffictional01", "post", KS_CAPTION)]),
    ("kuaishou", "profile.html", [
        ("kuaishou:user:3xauthorfict01", "account", "支付宝花呗额度客服"),
        ("kuaishou:3xprofilephoto02", "post", "借呗额度秒批，内部渠道！")]),
    ("kuaishou", "search.json", [("kuaishou:3xsearchphoto03", "post", "奇富借条 额度 下款 教程 #奇富借条 #网贷")]),
    ("xiaohongshu", "note.html", [
        (XHS_NOTE, "post", "借呗逾期协商还款 真实经历分享"),
        ("xiaohongshu:comment:6650b0000000000000c00001", "post", "求联系方式，借呗逾期三个月了")]),
    ("xiaohongshu", "user.html", [
        ("xiaohongshu:user:5f0e1a2b000000000101c3d4", "account", "度小满提额官"),
        ("xiaohongshu:6640000000000000000000a1", "post", "度小满有钱花额度秒批教程"),
        ("xiaohongshu:6640000000000000000000a2", "post", "提额内部通道（视频）")]),
    ("xiaohongshu", "search.json", [  # the recommended-queries card is not a note
        ("xiaohongshu:6651000000000000000000b1", "post", "招行信用卡逾期 协商分期 找我们"),
        ("xiaohongshu:6651000000000000000000b2", "post", "小红书视频笔记 6651000000000000000000b2")]),
    ("wechat", "article.html", [
        (WX_ARTICLE, "post", WX_TITLE),
        ("wechat:user:gh_0f1e2d3c4b5a", "account", "招行卡中心服务号")]),
    ("wechat", "export.json", [
        ("wechat:export/finder/14000000000000000001", "post", "支付宝花呗提额 内部渠道"),
        ("wechat:user:v2_fictional@finder", "account", "花呗提额小助手"),
        ("wechat:FictionalShortLink0001", "post", "微众银行微粒贷开通指南")]),
]


@pytest.mark.parametrize(("platform", "name", "expected"), LISTINGS, ids=[f"{p}/{n}" for p, n, _ in LISTINGS])
def test_fixture_listings(platform, name, expected):
    listings = parse(platform, name)
    assert [(x.key, x.kind, x.name) for x in listings] == expected
    assert all(x.source == platform and x.field("平台") for x in listings)
    assert all(list(x.fields) == sorted(x.fields) for x in listings)  # sorted tuples, as the store keeps them


def test_every_fixture_is_in_a_table():
    named = {(p, n) for p, n, _ in LISTINGS} | {(p, n) for p, n, _ in REFUSED_FILES}
    assert {(f.parent.name, f.name) for f in FIX.glob("*/*.*") if f.name != "README.md"} == named


# -- what a listing says: fields (with times in UTC), text, url ---------------------------------------------

FIELDS = [
    ("douyin", "video.html", DY_VIDEO, {
        "平台": "抖音", "作者": "微众金融服务中心", "作者ID": "68112233445", "发布时间": "2024-05-01T02:00:00.000000Z",
        "链接": "https://www.douyin.com/video/7301122334455667788", "类型": "视频", "点赞": "356", "评论": "2",
        "分享": "41", "收藏": "18", "播放": "0",
        "作者主页": "https://www.douyin.com/user/MS4wLjABAAAAq3Zx0fIctNoTaRealUser8e2Kp7LmWqYt5vBn0cXsD1"},
     DY_DESC + "\n#额度提升"),  # the hashtag not typed in the text is added; the typed ones are not doubled
    ("douyin", "video.html", "douyin:comment:7301200000000000002", {
        "平台": "抖音", "作者": "小心被骗", "作者ID": "9100000002", "发布时间": "2024-05-01T04:00:00.000000Z",
        "链接": "https://www.douyin.com/video/7301122334455667788", "类型": "评论", "点赞": "27",
        "原帖": DY_VIDEO}, "已私信，客服让先交888元会员费，大家小心"),
    ("douyin", "user.html", DY_USER, {
        "平台": "抖音", "账号ID": "wzjr8888", "粉丝": "1832",
        "简介": "微众银行合作机构｜正规渠道｜低息快贷 业务咨询看主页 非官方账号勿私信转账", "用户ID": "68112233445"},
     "微众银行合作机构｜正规渠道｜低息快贷\n业务咨询看主页\n非官方账号勿私信转账"),
    ("douyin", "search_api.json", "douyin:7302000000000000444", {
        "平台": "抖音", "作者": "招行卡中心客服", "作者ID": "70000000444", "发布时间": "2024-05-06T12:53:20.000000Z",
        "链接": "https://www.douyin.com/video/7302000000000000444", "类型": "视频", "点赞": "73", "评论": "5",
        "分享": "2", "收藏": "1", "播放": "0", "作者抖音号": "zhkf2024", "作者简介": "正规渠道，额度高，下款快",
        "作者主页": "https://www.douyin.com/user/MS4wLjABAAAAzhaohangFake0000000000000000000444"},
     "招商银行信用卡提额，内部渠道代办，百分百成功 #招行"),
    ("kuaishou", "video.html", "kuaishou:3xq9ffictional01", {
        "平台": "快手", "作者": "支付宝花呗额度客服", "作者ID": "3xauthorfict01",
        "发布时间": "2024-05-05T03:33:20.000000Z",
        "链接": "https://www.kuaishou.com/short-video/3xq9ffictional01", "类型": "视频", "点赞": "21034",
        "播放": "38.5万", "作者主页": "https://www.kuaishou.com/profile/3xauthorfict01"},
     KS_CAPTION + "\n#花呗提额 #借呗"),
    ("kuaishou", "profile.html", "kuaishou:user:3xauthorfict01", {
        "平台": "快手", "账号ID": "3xauthorfict01", "用户ID": "3xauthorfict01",
        "简介": "专注花呗借呗提额十年 官方合作 安全放心 合作V：hb-te-e-0001"},
     "专注花呗借呗提额十年\n官方合作 安全放心\n合作V：hb-te-e-0001"),
    ("xiaohongshu", "note.html", XHS_NOTE, {
        "平台": "小红书", "作者": "上岸的小鹿", "作者ID": "5f0e1a2b000000000101c3d4",
        "发布时间": "2024-05-23T07:40:00.000000Z", "链接": "https://www.xiaohongshu.com/explore/6650a1b2000000001e03c4d5",
        "类型": "笔记", "点赞": "1562", "收藏": "893", "评论": "247", "分享": "56", "IP属地": "江苏",
        "作者主页": "https://www.xiaohongshu.com/user/profile/5f0e1a2b000000000101c3d4"},
     # title, body (the word undefined in the text kept: only the literals outside strings are null), topics
     "借呗逾期协商还款 真实经历分享\n借呗逾期了别慌！我找了专业团队协商，停息挂账成功\n需要的姐妹私我，收费透明 \n"
     "对了 前端显示 undefined 的情况别管\n#借呗 #停息挂账 #债务优化"),
    ("xiaohongshu", "user.html", "xiaohongshu:user:5f0e1a2b000000000101c3d4", {
        "平台": "小红书", "账号ID": "9527000111", "粉丝": "1.2万", "IP属地": "广东",
        "简介": "度小满官方合作｜有钱花 提额 下款 私信备注「额度」"},
     "度小满官方合作｜有钱花 提额 下款\n私信备注「额度」"),
    ("wechat", "article.html", WX_ARTICLE, {
        "平台": "微信", "作者": "招行卡中心服务号", "作者ID": "gh_0f1e2d3c4b5a",
        "发布时间": "2024-05-20T02:30:00.000000Z",
        "链接": "https://mp.weixin.qq.com/s?__biz=MzkxNjAwMDAwMA==&mid=2247483650&idx=1"
                "&sn=0a1b2c3d4e5f60718293a4b5c6d7e8f9",  # https, without the reader's chksm and #rd
        "类型": "公众号文章", "署名": "客服小招", "摘要": "额度提升名额有限，先到先得"},
     f"{WX_TITLE}\n尊敬的持卡人：\n为回馈广大用户，即日起开放信用卡临时额度提升通道，最高可提至 20万。\n"
     "办理方式：添加客服微信 zh-ed-kf01，提供卡号及有效期即可办理，需缴纳 299 元服务费。\n名额有限，先到先得。"),
    ("wechat", "article.html", "wechat:user:gh_0f1e2d3c4b5a", {
        "平台": "微信", "账号ID": "gh_0f1e2d3c4b5a", "微信号": "zhkzx-fw", "类型": "公众号",
        "简介": "招行信用卡额度提升、账单分期、逾期协商一站式服务"},
     "招行信用卡额度提升、账单分期、逾期协商一站式服务"),
    ("wechat", "export.json", "wechat:export/finder/14000000000000000001", {
        "平台": "微信", "作者": "花呗提额小助手", "作者ID": "v2_fictional@finder",
        "发布时间": "2024-05-21T12:15:00.000000Z",
        "类型": "视频号"}, "支付宝花呗提额 内部渠道\n花呗额度低？找我提额，成功后付款。视频号私信"),
]


@pytest.mark.parametrize(("platform", "name", "key", "fields", "text"), FIELDS,
                         ids=[f"{p}/{n}/{k.split(':')[-1]}" for p, n, k, _, _ in FIELDS])
def test_listing_fields_and_text(platform, name, key, fields, text):
    listing = next(x for x in parse(platform, name) if x.key == key)
    assert dict(listing.fields) == fields
    assert listing.text == text
    if listing.kind == "post":
        assert listing.url == fields.get("链接", listing.url)


def test_a_name_is_the_first_line_cut_to_80_characters():
    doc = json.loads((FIX / "douyin" / "aweme_post.json").read_text(encoding="utf-8"))
    doc["aweme_list"][0]["desc"] = "第一行" + "长" * 100 + "\n第二行"
    [listing] = parse_douyin(json.dumps(doc, ensure_ascii=False), Request("file:///x.json"))
    assert listing.name == ("第一行" + "长" * 100)[:80] and listing.text.endswith("\n第二行\n#度小满")


# -- refusals: walls, shells, refused answers, another platform's page, malformed JSON ---------------------

WALL_FIX = "sign in or pass the check in the browser yourself, wait until the page shows, then save it again"
REFUSED_FILES = [
    ("douyin", "captcha.html",
     f"captcha.html: Douyin's verification page (验证码中间页) was saved, not the page; {WALL_FIX}"),
    ("douyin", "shell.html",
     "shell.html: no RENDER_DATA script: not a saved Douyin page (an app shell saved before it loaded?); save the "
     "page with the browser's 'Save Page As…, Webpage, Complete' (网页，全部) once it shows"),
    ("douyin", "search_verify.json", "search_verify.json: the answer asks for verification (search_nil_info: "
                                     "verify_check), not a result list; pass the check in the browser, then save the "
                                     "search answer again"),
    ("kuaishou", "captcha.html",
     f"captcha.html: Kuaishou's verification (请完成下列验证) was saved, not the page; {WALL_FIX}"),
    ("kuaishou", "search_refused.json", "search_refused.json: visionSearchPhoto.result is 2 (not 1): Kuaishou refused "
                                        "the request (sign-in or verification); pass it in the browser, then save the "
                                        "answer again"),
    ("xiaohongshu", "security.html", f"security.html: Xiaohongshu's 安全限制 page was saved, not the page; {WALL_FIX}"),
    ("xiaohongshu", "login_expired.json",
     "login_expired.json: the answer's code is -100: sign-in expired (登录已过期); sign in and pass any check in the "
     "browser, then save an answer with code 0"),
    ("xiaohongshu", "note_signed_out.html",  # the state is there, the note is not: the sign-in panel is on every page
     "note_signed_out.html: window.__INITIAL_STATE__ holds no note, user or search result (Xiaohongshu shows them to "
     "signed-in visitors; the note may be removed); sign in, open the page until it shows, then save it again"),
    ("wechat", "verify.html",
     f"verify.html: WeChat's verification page (环境异常) was saved, not the page; {WALL_FIX}"),
    ("wechat", "deleted.html",
     "deleted.html: an article its publisher deleted (该内容已被发布者删除) was saved, not the page; nothing on it to "
     "import; keep it (and a screenshot) as evidence of the removal"),
]


@pytest.mark.parametrize(("platform", "name", "message"), REFUSED_FILES, ids=[f"{p}/{n}" for p, n, _ in REFUSED_FILES])
def test_refused_files(platform, name, message):
    with pytest.raises(ParseError) as e:
        parse(platform, name)
    assert str(e.value) == message


def _text(platform: str, name: str) -> str:
    return (FIX / platform / name).read_text(encoding="utf-8")


OTHER = [  # each platform's page given to another platform's parser: named, with the source type to use
    ("douyin", "kuaishou", "video.html", "video.html: not a 抖音 page; it is a 快手 (kuaishou) page or answer "
                                         "(__APOLLO_STATE__ is in it): import it into a source of type kuaishou"),
    ("kuaishou", "xiaohongshu", "note.html",
     "note.html: not a 快手 page; it is a 小红书 (xiaohongshu) page or answer (\"noteDetailMap\" is in it): import it "
     "into a source of type xiaohongshu"),
    ("xiaohongshu", "wechat", "article.html", "article.html: not a 小红书 page; it is a 微信 (wechat) page or answer "
                                              "(id=\"js_content\" is in it): import it into a source of type wechat"),
    ("wechat", "douyin", "user.html", "user.html: not a 微信 page; it is a 抖音 (douyin) page or answer "
                                      "(id=\"RENDER_DATA\" is in it): import it into a source of type douyin"),
    ("xiaohongshu", "douyin", "search_api.json", "search_api.json: an answer without code or success; it is a 抖音 "
                                                 "(douyin) page or answer (\"aweme_info\" is in it): import it into a "
                                                 "source of type douyin"),
    ("wechat", "kuaishou", "search.json",
     "search.json: not a WeChat export ({\"wechat_export\": 1, \"items\": [...]}); it is a 快手 (kuaishou) page or "
     "answer (\"visionSearchPhoto\" is in it): import it into a source of type kuaishou"),
]


@pytest.mark.parametrize(("parser", "platform", "name", "message"), OTHER, ids=[f"{p}<-{o}" for p, o, _, _ in OTHER])
def test_another_platforms_page_is_named(parser, platform, name, message):
    path = FIX / platform / name
    with pytest.raises(ParseError) as e:
        PARSERS[parser](_text(platform, name), Request(path.resolve().as_uri()), parser)
    assert str(e.value) == message


def _cut_render_data() -> str:
    page = _text("douyin", "video.html")
    start = page.index('type="application/json">') + len('type="application/json">')
    return page[:start + 500] + page[page.index("</script>", start):]


def _other_video() -> str:
    return _text("douyin", "video.html").replace("%22_location%22%3A%22%2Fvideo%2F7301122334455667788",
                                                 "%22_location%22%3A%22%2Fvideo%2F7000000000000000001")


INLINE = [
    ("douyin", "x.json", '{"status_code": 8, "status_msg": "用户未登录", "aweme_list": []}',
     "x.json: the answer's status_code is 8 (用户未登录): Douyin refused the request (sign-in or verification); pass "
     "it in the browser, then save an answer with status_code 0"),
    ("douyin", "empty.html", "",
     "empty.html: no RENDER_DATA script: not a saved Douyin page (an app shell saved before it loaded?); save the page "
     "with the browser's 'Save Page As…, Webpage, Complete' (网页，全部) once it shows"),
    ("douyin", "x.json", '{"status_code": 0, "extra": {}}',
     "x.json: none of aweme_detail, aweme_list, data, comments, user_list, user is in the answer; save the answer of a "
     "Douyin web API request (aweme/detail, aweme/post, search, comment/list)"),
    ("douyin", "x.json", '{"status_code": 0, "aweme_list": [{"aweme_id": "1",',
     "x.json: the answer is not JSON (Expecting property name enclosed in double quotes at line 1 column 52); the "
     "file may be cut short: save it again"),
    ("douyin", "cut.html", _cut_render_data(),
     "cut.html: RENDER_DATA is not JSON (Expecting ',' delimiter at line 1 column 306); the file may be cut "
     "short: save it again"),
    ("douyin", "other.html", _other_video(),
     "other.html: a Douyin video page whose RENDER_DATA holds no detail of 7000000000000000001 (removed, private, "
     "behind sign-in, or saved before it loaded); open it in the browser until it plays, then save it again"),
    ("kuaishou", "x.html", "<html><script>window.__APOLLO_STATE__={\"defaultClient\":{\"a\":</script></html>",
     "x.html: window.__APOLLO_STATE__ is not JSON (Expecting value at column 23); the file may be cut short: save it "
     "again"),
    ("douyin", "login.html", "<html><body><div class=login><p>扫码登录</p></div><div id=root></div></body></html>",
     f"login.html: a sign-in wall (扫码登录) was saved, not the page; {WALL_FIX}"),
    ("kuaishou", "x.html", "<html><body><div id=app></div></body></html>",
     "x.html: no window.__APOLLO_STATE__: not a saved Kuaishou page (an app shell saved before it loaded?); save the "
     "page with the browser's 'Save Page As…, Webpage, Complete' (网页，全部) once it shows"),
    ("kuaishou", "x.json", '{"errors": [{"message": "need login"}], "data": null}',
     'x.json: the answer is a GraphQL error ([{"message": "need login"}]); save an answer that holds data'),
    ("xiaohongshu", "x.json", '{"code": 300013, "success": false, "msg": "访问频次异常"}',
     "x.json: the answer's code is 300013: 安全限制 (access too frequent); sign in and pass any check in the browser, "
     "then save an answer with code 0"),
    ("xiaohongshu", "x.html", "<html><script>window.__INITIAL_STATE__={\"global\":{}}</script></html>",
     "x.html: window.__INITIAL_STATE__ holds no note, user or search result (Xiaohongshu shows them to signed-in "
     "visitors; the note may be removed); sign in, open the page until it shows, then save it again"),
    ("wechat", "x.html", "<html><body><h1 id=activity-name>标题</h1></body></html>",
     "x.html: neither #activity-name with #js_content (a 公众号 article's title and body) is on the page; open the "
     "article at mp.weixin.qq.com in a browser and save it"),
    ("wechat", "x.json", '{"wechat_export": 1, "items": [{"type": "moments", "id": "1"}]}',
     "x.json: items[0].type must be article, channels or account"),
    ("wechat", "x.json", '{"wechat_export": 1, "items": [{"type": "channels", "id": "1", "published": "昨天"}]}',
     "x.json: items[0].published is not an ISO 8601 time (2024-05-01T10:00:00+08:00)"),
    ("wechat", "x.json", '{"wechat_export": 1, "items": [{"type": "channels", "title": "t"}]}',
     "x.json: items[0] has neither id nor url; give one so it can be found again"),
]


@pytest.mark.parametrize(("platform", "name", "text", "message"), INLINE,
                         ids=[f"{p}/{i}" for i, (p, *_rest) in enumerate(INLINE)])
def test_refused_texts(platform, name, text, message):
    with pytest.raises(ParseError) as e:
        PARSERS[platform](text, Request(f"file:///tmp/{name}"), platform)
    assert str(e.value) == message


def test_walls_prove_nothing_in_a_page_that_holds_its_data():
    """Every page loads the platform's captcha and sign-in scripts: their words beside the data are no wall."""
    page = _text("douyin", "video.html")
    assert "扫码登录" in page and "verifycenter" in page
    assert parse("douyin", "video.html")


def test_embedded_json_is_read_only_up_to_the_import_cap(monkeypatch):
    monkeypatch.setattr(social.common, "IMPORT_MAX_BYTES", 1000)
    with pytest.raises(ParseError, match=r"^x.html: window.__INITIAL_STATE__ is over the import limit of 1,000 "):
        parse_xiaohongshu(_text("xiaohongshu", "note.html"), Request("file:///x.html"))
    with pytest.raises(ParseError, match=r"^x.json: the answer is 2,\d{3} characters, over the import limit of 1,000"):
        parse_douyin(_text("douyin", "search_api.json"), Request("file:///x.json"))


def test_deep_nesting_is_a_parse_error_not_a_crash():
    with pytest.raises(ParseError, match="nested too deep"):
        parse_douyin("[" * 100_000 + "]" * 100_000, Request("file:///deep.json"))


# -- import-only: no requests, and run says so -------------------------------------------------------------

LISTING_FILE = {"douyin": "video.html", "kuaishou": "video.html", "xiaohongshu": "note.html", "wechat": "article.html"}


@pytest.mark.parametrize("platform", list(PARSERS))
def test_the_source_types_plan_no_requests(platform):
    kind = SOURCE_TYPES[platform]
    source = kind(platform, SourceOptions())
    assert kind.import_only and list(source.requests(["微众银行"])) == []
    assert source.parse(_text(platform, LISTING_FILE[platform]), Request("file:///a")).listings


def write_config(tmp_path: Path) -> Path:
    config = {"watchlists": str(WL), "database": str(tmp_path / "bw.db"),
              "sources": [{"name": f"my-{p}", "type": p} for p in PARSERS]}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def cli(cfg: Path, *args: str):
    return CliRunner().invoke(main, ["--config", str(cfg), *args], catch_exceptions=False)


def test_run_says_import_only(tmp_path, caplog):
    cfg = write_config(tmp_path)
    r = cli(cfg, "run", "--once", "--source", "my-douyin")
    assert r.exit_code == 2
    assert r.stderr == ("Error: my-douyin: import-only: save pages in a browser and run brandwatch import --source "
                        "my-douyin FILES (this source is never crawled)\n")
    with caplog.at_level(logging.INFO, logger="brandwatch"):
        r = cli(cfg, "run", "--once")  # every source: the import-only ones are passed by, each said so
    assert r.exit_code == 0 and r.stdout == ""
    assert "my-wechat: import-only: save pages in a browser and run brandwatch import --source my-wechat FILES" \
        in r.stderr + caplog.text
    conn = sqlite3.connect(tmp_path / "bw.db")
    assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 0  # no empty ok run recorded
    conn.close()


def test_run_source_refuses_an_import_only_source():
    from brandwatch.pipeline import run_source

    with pytest.raises(BrandwatchError, match=r"^x: import-only: save pages"):
        run_source(SOURCE_TYPES["douyin"]("x", SourceOptions()), [], fetcher=None, store=None, archive=None,
                   matcher=None)  # type: ignore[arg-type]


# -- a full import into a store ----------------------------------------------------------------------------

IMPORTS = [  # platform, files, listings, the listing checked in the store
    ("douyin", ["video.html", "user.html", "search_api.json"], 7, DY_VIDEO),
    ("kuaishou", ["video.html", "profile.html", "search.json"], 4, "kuaishou:3xq9ffictional01"),
    ("xiaohongshu", ["note.html", "user.html", "search.json"], 7, XHS_NOTE),
    ("wechat", ["article.html", "export.json"], 5, WX_ARTICLE),
]


@pytest.mark.parametrize(("platform", "files", "count", "key"), IMPORTS, ids=[p for p, *_ in IMPORTS])
def test_import_into_a_store(tmp_path, platform, files, count, key):
    cfg = write_config(tmp_path)
    r = cli(cfg, "import", "--source", f"my-{platform}", *(str(FIX / platform / f) for f in files))
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"imported {len(files)} file(s): ")
    expected = next(x for f in files for x in parse(platform, f) if x.key == key)
    conn = sqlite3.connect(tmp_path / "bw.db")
    conn.row_factory = sqlite3.Row
    rows = {row["key"]: row for row in conn.execute("SELECT * FROM listings WHERE source = ?", [f"my-{platform}"])}
    assert len(rows) == count
    row = rows[key]
    assert (row["kind"], row["name"], row["url"]) == (expected.kind, expected.name, expected.url)
    assert json.loads(row["fields"]) == dict(expected.fields)
    if "text" in row.keys():  # the store keeps a listing's text once it has the column
        assert row["text"] == expected.text
    captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
    assert captures == len(files)  # each saved file kept as evidence
    run = conn.execute("SELECT source, outcome, pages FROM runs").fetchone()
    assert tuple(run) == (f"my-{platform}:import", "ok", len(files))
    conn.close()


def test_import_refuses_a_wall_and_names_it(tmp_path):
    cfg = write_config(tmp_path)
    page = FIX / "xiaohongshu" / "security.html"
    r = cli(cfg, "import", "--source", "my-xiaohongshu", str(page))
    assert r.exit_code == 2
    assert r.stderr == (f"Error: {page}: not a page my-xiaohongshu can read (security.html: Xiaohongshu's 安全限制 "
                        f"page was saved, not the page; {WALL_FIX}); nothing was imported from it\n")


def test_status_shows_the_last_import_and_no_next_run(tmp_path):
    cfg = write_config(tmp_path)
    r = cli(cfg, "import", "--source", "my-wechat", str(FIX / "wechat" / LISTING_FILE["wechat"]))
    assert r.exit_code in (0, 3), r.output
    r = cli(cfg, "status")
    lines = r.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("my-wechat [wechat]"))
    assert "(import-only: brandwatch import --source NAME FILES): last import" in lines[at]
    assert lines[at + 1].strip() == "next: -"
    douyin = next(line for line in lines if line.startswith("my-douyin [douyin]"))
    assert douyin.endswith("nothing imported yet")
