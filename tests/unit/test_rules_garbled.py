"""Mojibake and letter-digit alternation: wrong decodings made here from real Chinese text, random
strings, and the real text (European accents, pinyin, hashes in a manual) they must leave alone."""
from __future__ import annotations

import base64
import random
import time

import pytest
from zh_quality_fixtures import CLEAN, EXCERPTS, WRITTEN, judge, misdecoded

from datacleaning.rules.filters.garbled import AlnumAlternation, Mojibake

WIKI = EXCERPTS["cmrc-DEV_578"]
TRADITIONAL = WRITTEN["traditional-taiwan"]


@pytest.mark.parametrize("written_as, read_as", [
    ("utf-8", "latin-1"),
    ("utf-8", "cp1252"),
    ("gbk", "latin-1"),
    ("gbk", "cp1252"),
    ("gbk", "utf-8"),
])
def test_mojibake_rejects_chinese_read_with_the_wrong_charset(written_as, read_as):
    value, kept, lang = judge(Mojibake(), misdecoded(WIKI, written_as, read_as))
    assert value > 0.5 and not kept, (lang, value)


def test_mojibake_counts_every_character_of_a_hand_made_example():
    # 中文 in UTF-8 read as cp1252 is "ä¸\xadæ–‡"; remove_invisible drops the soft hyphen (0xAD),
    # leaving two lead-continuation runs, "ä¸" and "æ–‡": all 5 characters are mojibake.
    assert misdecoded("中文", "utf-8", "cp1252") == "ä¸\xadæ–‡"
    assert judge(Mojibake(), "中文")[0] == 0.0
    assert judge(Mojibake(), "ä¸\xadæ–‡")[0] == 1.0
    # 中文 in GBK read as Latin-1: one run of four high Latin-1 letters.
    assert judge(Mojibake(), misdecoded("中文", "gbk", "latin-1"))[0] == 1.0


def test_mojibake_rejects_replacement_characters_and_gbk_read_fffd():
    # U+FFFD written as UTF-8 and read as GBK gives 锟斤拷: 3 of the 7 non-space characters below.
    assert misdecoded("\ufffd\ufffd", "utf-8", "gbk") == "锟斤拷"
    value, kept, _ = judge(Mojibake(), "页面锟斤拷标题")
    assert value == round(3 / 7, 4) and not kept
    value, kept, _ = judge(Mojibake(), "烫烫烫烫烫烫烫烫" + WIKI[:60])
    assert value == round(8 / 68, 4) and not kept


@pytest.mark.parametrize("text", [
    "Le café de la gare était fermé à cause de la grève, et nous avons dû marcher jusqu'à l'hôtel.",
    "Die Bäckerei in der Straße öffnet früh; Größe und Qualität der Brötchen überzeugen.",
    "Běijīng (北京) and Shànghǎi (上海) are written with tone marks in Hànyǔ Pīnyīn.",
    "本来想选择京东自营的产品应该不会是假货，谁知·····××公司的客服也不回复",
    "Le prix : 30 € ; « très bien » disait-il, à 20 °C.",
])
def test_mojibake_leaves_accents_pinyin_and_repeated_symbols(text):
    assert judge(Mojibake(), text)[0] == 0.0


def test_mojibake_keeps_a_long_text_with_one_broken_character():
    value, kept, _ = judge(Mojibake(), WIKI.replace("鹦鹉科", "鹦\ufffd科", 1))
    assert 0 < value < 0.01 and kept


def test_mojibake_keeps_all_clean_fixtures():
    for doc_id, text in CLEAN.items():
        value, kept, _ = judge(Mojibake(), text)
        assert kept and value <= 0.001, (doc_id, value)


def test_mojibake_is_linear_on_long_runs():
    started = time.perf_counter()
    assert judge(Mojibake(), "Ö" * 100_000)[0] == 0.0
    assert judge(Mojibake(), "ÖÐ" * 50_000)[0] == 1.0
    assert judge(Mojibake(), "\ufffd" * 100_000)[0] == 1.0
    assert time.perf_counter() - started < 2


def _switches(text: str) -> int:
    """Letter-digit switches counted the slow, obvious way."""
    return sum(1 for a, b in zip(text, text[1:], strict=False)
               if (a.isascii() and a.isalpha() and b.isdigit()) or (a.isdigit() and b.isascii() and b.isalpha()))


def test_alternation_value_by_hand():
    assert judge(AlnumAlternation(), "a1b2c3d4e5f6")[0] == {"switches": 11, "ratio": round(11 / 12, 4)}
    assert judge(AlnumAlternation(), "MP3 x86_64 5G")[0] == {"switches": 3, "ratio": round(3 / 11, 4)}


def test_alternation_counts_only_ascii_letters_and_digits_side_by_side():
    # A Han character between a letter and a digit separates them; an accented letter and a
    # superscript two are not ASCII letters or digits.
    assert judge(AlnumAlternation(), "a中1 é1 x² ab12cd")[0]["switches"] == 2


def test_alternation_rejects_hashes_and_base64():
    rng = random.Random(7)
    blobs = {
        "base64": base64.b64encode(rng.randbytes(600)).decode(),
        "hex": rng.randbytes(300).hex(),
        "hashes": "\n".join(f"{rng.randbytes(16).hex()}  file{i}.tar.gz" for i in range(20)),
    }
    for name, blob in blobs.items():
        value, kept, _ = judge(AlnumAlternation(), blob)
        assert value["switches"] == _switches(blob), name
        assert not kept, (name, value)


def test_alternation_keeps_model_numbers_hashes_in_a_manual_and_short_codes():
    for doc_id, text in CLEAN.items():
        value, kept, _ = judge(AlnumAlternation(), text)
        assert kept, (doc_id, value)
    # The MD5 section lists two hashes, but the prose around them keeps it well under 0.2.
    assert judge(AlnumAlternation(), EXCERPTS["debref-zh-cn-0534"])[0]["switches"] >= 10
    value, kept, _ = judge(AlnumAlternation(), "A1")
    assert value == {"switches": 1, "ratio": 0.5} and kept


def test_alternation_over_the_whole_document_not_a_prefix():
    tail = base64.b64encode(random.Random(3).randbytes(3000)).decode()
    value, kept, _ = judge(AlnumAlternation(), TRADITIONAL + "\n" + tail)
    assert value["switches"] == _switches(tail) and not kept
