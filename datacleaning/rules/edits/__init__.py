"""Edit rules: they remove the unwanted parts of a document and keep the rest. Each runs on the
documents of its languages, after the language is identified; ``zh_`` modules hold the rules made
for Chinese.

- ``boilerplate``: navigation, related-article lists, boilerplate lines and page edges
- ``c4_lines``: C4's line rules (lines that are not sentences)
- ``code_lines``: stray JavaScript lines
- ``pii``: links, contacts and personal data (URLs, e-mail addresses, mentions, WeChat ids, PRC id
  and phone numbers)
- ``repetition``: repeated lines and repeated substrings
- ``zh_inline_pinyin``, ``zh_punctuation``, ``zh_script``, ``zh_spaces``: pinyin after characters,
  the width of Chinese punctuation, Traditional to Simplified, spaces inside Chinese text
"""
