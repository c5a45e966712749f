"""The Chinese segmenter cuts where jieba (dictionary only) cuts, from the bundled dictionary file,
on real text: the fixture corpus and the blacklist and rule fixture pages (sources in their NOTICE
files)."""
from __future__ import annotations

import json

import jieba
import numpy as np

from datacleaning.zh_segmenter import WORDS, jieba_dictionary, load_segmenter
from helpers import FIXTURES, fixture_records
from zh_segmenter_helpers import jieba_cut


def fixture_texts() -> list[str]:
    texts = [record["text"] for record in fixture_records()]
    with open(FIXTURES / "blacklists" / "real_texts.jsonl", encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for line in f]
    texts += [path.read_text(encoding="utf-8") for folder in ("blacklists", "rules/zh_quality", "rules/web_quality")
              for path in sorted((FIXTURES / folder).glob("zh_*.txt"))]
    return texts


def test_the_bundled_dictionary_is_the_installed_jiebas():
    words, counts, total, longest = jieba_dictionary()
    with np.load(WORDS, allow_pickle=False) as bundled:
        assert bundled["trie"].tobytes() == words.tobytes()
        assert np.array_equal(bundled["counts"], counts)
        assert int(bundled["total"]) == total and int(bundled["longest"]) == longest


def test_cuts_are_jiebas_on_real_text():
    texts = fixture_texts()
    assert sum(len(t) for t in texts) > 20_000
    segmenter = load_segmenter()
    for text in texts:
        assert list(segmenter.cut(text)) == jieba_cut(text)


def test_cuts_are_jiebas_where_scripts_spaces_and_symbols_meet():
    segmenter = load_segmenter()
    for text in ["他来到了网易杭研大厦", "iPhone 15 Pro Max售价8999元,京东618打5折!",
                 "C++和C#都是编程语言;版本v2.0-beta_1 发布于2024.06.18。",
                 "  \r\n行首空格\t制表符\r\n\u3000全角空格", "", "abc", "一", "𠀀𠀁汉字外的字"]:
        assert list(segmenter.cut(text)) == jieba_cut(text), text


def test_word_counts_are_jiebas():
    segmenter = load_segmenter()
    jieba.dt.check_initialized()
    for word in ["性能", "的", "网易", "验证码", "其他"]:
        assert segmenter.frequency(word) == jieba.dt.FREQ[word] > 0
    # jieba also keeps every prefix of a word, with count 0: not words, here as there.
    prefixes = [word for word, count in jieba.dt.FREQ.items() if count == 0][:50]
    assert len(prefixes) == 50 and all(segmenter.frequency(prefix) == 0 for prefix in prefixes)
    assert segmenter.frequency("不存在的词啊") == 0
