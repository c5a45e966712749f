"""Language identification: the script guess that routes Chinese, Japanese and Korean, and CLD2
behind it for the rest."""
from __future__ import annotations

import opencc
import pytest

from datacleaning.cleaning.language import guess_language, identify_language
from helpers import fixture_records


@pytest.mark.parametrize("text, expected", [
    ("今天天气很好，我们去公园散步吧。", "zh"),
    ("ab - Apache HTTP 服务器性能测试工具\n描述 DESCRIPTION\n  ab 是用于测试 Apache 超文本传输协议 (HTTP) 服务器的工具。"
     "它可以告诉你当前的 Apache 服务器每秒能处理多少个请求。", "zh"),
    ("The European lobster, Homarus gammarus, lives in the eastern Atlantic.", "en"),
    ("Café au lait, naïve résumé: the façade of the château.", "en"),
    # A katakana middle dot (U+30FB) is punctuation, not a Japanese letter (dolma test data).
    ("Technical HCI Research・Semantic Scholar・Allen Institute for AI", "en"),
    ("“Don’t panic” — it’s printed on the cover, in large friendly letters.", "en"),
    ("The poet Li Bai (李白) wrote about the moon and wine in the Tang dynasty, and his poems are still read.", "en"),
    # Debian Reference 2.100 (zh-cn), section 10.1.3, GPL-2+: more command than prose, but the
    # Latin words are no English prose.
    ("10.1.3.\u00a0归档语法\n\n    以下是用不同的工具压缩和解压缩整个 \"./source\" 目录中的内容。\n\n    GNU tar(1):\n\n"
     "    $ tar -cvJf archive.tar.xz ./source\n    $ tar -xvJf archive.tar.xz\n\n    或者，如下所示。\n\n"
     "    $ find ./source -xdev -print0 | tar -cvJf archive.tar.xz --null -F -\n\n    cpio(1):\n\n"
     "    $ find ./source -xdev -print0 | cpio -ov --null > archive.cpio; xz archive.cpio\n"
     "    $ zcat archive.cpio.xz | cpio -i", "zh"),
    # English prose quoting a Chinese sentence stays English.
    ("The sign at the gate of the garden said 欢迎各位游客来到我们美丽的花园参观游览拍照 in red letters, and below it, in "
     "smaller print, the opening hours and the price of a ticket for the children of the village and "
     "for the visitors who came from the city on the morning bus.", "en"),
    ("東京は日本の首都です。ひらがなとカタカナも使います。", "ja"),
    # English prose quoting a Japanese title stays English, as with a Chinese or Korean one.
    ("My Daddy Long Legs (私のあしながおじさん Watashi No Ashinaga Ojisan) is a 1990 Japanese anime television "
     "series based on the novel Daddy-Long-Legs written by Jean Webster.", "en"),
    ("新作の発表はInternational Game Developers Conferenceで行われました。", "ja"),
    ("서울은 한국의 수도입니다.", "ko"),
    ("Москва — столица России.", "other"),
    ("Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.", "other"),
    ("2024-01-01 12:00:00 | 3.14 | 42 %", "und"),
    ("", "und"),
    ("   \n\t  ", "und"),
])
def test_guess(text, expected):
    assert guess_language(text) == expected


def test_fixture_documents_route_by_their_known_language():
    for record in fixture_records():
        if not any(c.isalpha() for c in record["text"]):
            expected = "und"  # e.g. the fortune "$3,000,000."
        elif record["id"].startswith(("cmrc-", "fortunes-zh", "debref-zh")):
            expected = "zh"
        else:
            expected = "en"
        assert guess_language(record["text"]) == expected, record["id"]


# Sentences written for this test, one per language the script guess cannot tell apart.
@pytest.mark.parametrize("text, expected", [
    ("Le boulanger ouvre sa boutique à six heures, et les habitants du quartier font déjà la queue "
     "pour acheter du pain frais et des croissants encore chauds.", "fr"),
    ("Der Zug nach München hatte wegen eines Stellwerksausfalls fast eine Stunde Verspätung, und die "
     "Reisenden warteten geduldig auf dem Bahnsteig.", "de"),
    ("La biblioteca municipal amplía su horario durante los exámenes para que los estudiantes puedan "
     "preparar sus pruebas con tranquilidad.", "es"),
    ("The committee will publish its report on the new bridge next week, after the engineers have "
     "finished their inspection of the foundations.", "en"),
    ("Вчера вечером в городском парке прошёл концерт, и несмотря на дождь, люди пришли послушать "
     "музыку и потанцевать.", "ru"),
])
def test_identify_tells_languages_of_one_script_apart(text, expected):
    assert identify_language(text).lang == expected


def test_chinese_gets_its_script_and_code_routes_to_english():
    simplified = next(r["text"] for r in fixture_records() if r["id"].startswith("cmrc-"))
    traditional = opencc.OpenCC("s2t").convert(simplified)
    assert identify_language(simplified) == identify_language(simplified)  # deterministic
    assert (identify_language(simplified).lang, identify_language(simplified).script) == ("zh", "Hans")
    assert (identify_language(traditional).lang, identify_language(traditional).script) == ("zh", "Hant")
    # Han without kana stays Chinese: CLD2 reads a few short Chinese texts as Japanese.
    assert identify_language("味道好，送餐快，分量足").lang == "zh"
    code = "Sub ExampleSqr\n    Dim iVar As Single\n    iVar = 36\n    MsgBox Sqr(iVar)\nEnd Sub"
    assert identify_language(code).lang == "en"
    guess = identify_language("2024-01-01 12:00:00 | 3.14 | 42 %")
    assert (guess.lang, guess.confidence) == ("und", 0.0)


@pytest.mark.parametrize("standard", ["s2tw", "s2hk"])
def test_taiwan_and_hong_kong_text_is_traditional_though_it_writes_forms_mainland_text_shares(standard):
    """Taiwan's standard writes 吃 群 峰, Hong Kong's 台 温 税 脱: forms OpenCC's s2t changes, so
    counted as Simplified only they outweighed the one Traditional character of a short review."""
    convert = opencc.OpenCC(standard).convert
    # Short reviews and a sentence, written for this test.
    for simplified in ["好吃，下次还吃", "吃了两碗，还想吃", "脱了鞋去台北吃饭"]:
        written = convert(simplified)
        assert written != simplified
        assert identify_language(written).script == "Hant", written
        assert identify_language(simplified).script == "Hans", simplified


def test_a_long_document_is_judged_by_its_head_middle_and_tail():
    """An English preface or licence of a few thousand characters before a Chinese book made the
    book English (only its first 4,000 characters were read). Its head, middle and tail are
    judged one by one, two of three deciding: the book is Chinese, and an English text with a
    Chinese passage in its middle or a Chinese footer stays English."""
    records = fixture_records()
    english = "\n".join(r["text"] for r in records if guess_language(r["text"]) == "en")
    chinese = "\n".join(r["text"] for r in records if r["id"].startswith("cmrc-"))
    preface, passage = english[:4500], chinese[:1500]
    assert len(preface) == 4500 and len(chinese) > 2 * len(preface) and len(english) > 10_000
    book = preface + "\n" + chinese
    assert (identify_language(book).lang, identify_language(book).script) == ("zh", "Hans")
    assert identify_language(book).confidence > 0.5  # CLD2 reads the Chinese pieces
    assert identify_language(chinese + "\n" + preface).lang == "zh"
    half = len(english) // 2
    for text in (english + "\n" + passage, english[:half] + "\n" + passage + "\n" + english[half:]):
        guess = identify_language(text)
        assert (guess.lang, guess.confidence > 0.9) == ("en", True)
