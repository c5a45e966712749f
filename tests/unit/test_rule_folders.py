"""The built-in rules are arranged by kind: a rule's module sits in the folder of its kind, and a
``zh_`` module holds rules that run on Chinese only. Rules that carry a trained model or word
lists of their own live in their own packages."""
from __future__ import annotations

from datacleaning.rules import Editor, Filter, Normalizer, registered_rules

FOLDERS = {Normalizer: "datacleaning.rules.normalizers.", Editor: "datacleaning.rules.edits.",
           Filter: "datacleaning.rules.filters."}
OWN_PACKAGES = ("datacleaning.blacklists.", "datacleaning.quality.", "datacleaning.reference_lm.",
                "datacleaning.main_text.")


def _built_in() -> dict[str, type]:
    """The package's own rules (tests and plugins may have registered more)."""
    return {name: cls for name, cls in registered_rules().items() if cls.__module__.startswith("datacleaning.")}


def test_every_rule_lives_in_the_folder_of_its_kind():
    misplaced = []
    for name, cls in _built_in().items():
        if cls.__module__.startswith(OWN_PACKAGES):
            continue
        [kind] = [kind for kind in FOLDERS if issubclass(cls, kind)]
        if not cls.__module__.startswith(FOLDERS[kind]):
            misplaced.append((name, cls.__module__))
    assert not misplaced, misplaced


def test_chinese_modules_hold_chinese_rules():
    for name, cls in _built_in().items():
        if cls.__module__.rpartition(".")[2].startswith("zh_"):
            assert cls.languages == frozenset({"zh"}), (name, cls.languages)


def test_the_folders_hold_rules_of_every_kind():
    modules = {cls.__module__ for cls in _built_in().values()}
    for prefix in FOLDERS.values():
        assert any(module.startswith(prefix) for module in modules), prefix
