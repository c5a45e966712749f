"""Rule names → rule classes, building validated rule instances from config tables, and importing
the user modules (plugins) that register more."""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
import traceback
import types
import typing
from dataclasses import MISSING, fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pydantic

from datacleaning.errors import ConfigError
from datacleaning.rules.base import Editor, Filter, Normalizer, Rule

if typing.TYPE_CHECKING:
    from datacleaning.config import CleanConfig

_RULES: dict[str, type[Rule]] = {}
KINDS = {"normalizers": Normalizer, "edits": Editor, "filters": Filter}


def register(name: str):
    """Class decorator: make a rule (a dataclass subclass of Normalizer, Editor or Filter)
    available to configs under ``name``."""

    def decorate(cls: type[Rule]) -> type[Rule]:
        if not (isinstance(cls, type) and issubclass(cls, (Normalizer, Editor, Filter))):
            raise TypeError(f"rule {name!r}: {cls!r} must subclass Normalizer, Editor or Filter")
        if not is_dataclass(cls):
            raise TypeError(f"rule {name!r}: {cls.__name__} must be a dataclass (its fields are its parameters)")
        _check_declarations(name, cls)
        existing = _RULES.get(name)
        if existing is not None and _defined_at(existing) != _defined_at(cls):
            raise ValueError(f"rule name {name!r} is already registered by {existing.__module__}.{existing.__qualname__}")
        cls.name = name
        _RULES[name] = cls
        _param_model.cache_clear()
        return cls

    return decorate


def _check_declarations(name: str, cls: type[Rule]) -> None:
    """A filter's ``thresholds`` and ``language_keyed`` name its parameters, and its
    ``threshold_fields`` pair one of those thresholds with one of its signals: a misspelt name
    would make a rejudge refuse the real parameter and leave the report without the threshold."""
    if not issubclass(cls, Filter):
        return
    from datacleaning.cleaning.stage import SIGNAL_TYPES  # the stage imports the rules: not at module level

    parameters = {f.name for f in fields(cls) if f.init}
    signals = set(cls.signals) or {"value"}
    unknown_kinds = sorted(set(cls.signals.values()) - set(SIGNAL_TYPES))
    wrong = [f"signals of unknown type {', '.join(unknown_kinds)} (known: {', '.join(SIGNAL_TYPES)})"
             if unknown_kinds else "",
             f"thresholds names {sorted(cls.thresholds - parameters)}, not parameters"
             if cls.thresholds - parameters else "",
             f"language_keyed names {sorted(cls.language_keyed - parameters)}, not parameters"
             if cls.language_keyed - parameters else "",
             *(f"threshold_fields pairs {threshold!r}, not one of its thresholds, with {field!r}"
               for threshold, field in cls.threshold_fields.items() if threshold not in cls.thresholds),
             *(f"threshold_fields pairs {threshold!r} with {field!r}, not one of its signals"
               for threshold, field in cls.threshold_fields.items() if field not in signals)]
    wrong = [w for w in wrong if w]
    if wrong:
        raise TypeError(f"rule {name!r}: {'; '.join(wrong)} (the parameters of {cls.__name__}: "
                        f"{', '.join(sorted(parameters)) or 'none'})")


def _source_file(cls: type) -> Path | None:
    """The file that defines ``cls``, None where there is none (a class made in a notebook)."""
    source = getattr(sys.modules.get(cls.__module__), "__file__", None)
    return Path(source) if source else None


def _defined_at(cls: type) -> tuple[str, str]:
    """Where a class is defined: the same class registered again (its file imported once more, by
    its module name and as a plugin file, or a script's classes as a spawned worker's
    ``__mp_main__``) is no clash; another class of the same name elsewhere is."""
    source = _source_file(cls)
    if source:
        return os.path.realpath(source), cls.__qualname__
    return "__main__" if cls.__module__ == "__mp_main__" else cls.__module__, cls.__qualname__


def rule_parameters(name: str) -> list[str] | None:
    """The parameters of the registered rule ``name``; None when no rule has that name (yet)."""
    cls = registered_rules().get(name)
    return None if cls is None else [f.name for f in fields(cls) if f.init]


def parameter_defaults(cls: type[Rule]) -> dict[str, Any]:
    """The default of each parameter of a rule class that has one (a factory's made afresh)."""
    return {f.name: f.default_factory() if f.default_factory is not MISSING else f.default
            for f in fields(cls) if f.init and (f.default is not MISSING or f.default_factory is not MISSING)}


def registered_rules() -> dict[str, type[Rule]]:
    import datacleaning.rules.library  # noqa: F401  (registers the built-in rules)

    return dict(_RULES)


@cache
def _param_model(cls: type[Rule]) -> type[pydantic.BaseModel]:
    hints = typing.get_type_hints(cls)
    definitions = {}
    for f in fields(cls):
        if not f.init:
            continue
        if f.default_factory is not MISSING:
            default = pydantic.Field(default_factory=f.default_factory)
        elif f.default is not MISSING:
            default = f.default
        else:
            default = ...
        definitions[f.name] = (hints[f.name], default)
    return pydantic.create_model(f"{cls.__name__}Params", __config__=pydantic.ConfigDict(extra="forbid", strict=True),
                                 **definitions)


def build_rule(section: str, index: int, table: dict[str, Any]) -> Rule:
    """Build the rule a config table describes: ``{"name": ..., <params>}``.

    Errors name the config key, e.g. ``clean.filters[2].min_chars: Input should be a valid integer``.
    """
    where = f"clean.{section}[{index}]"
    if not isinstance(table, dict) or "name" not in table:
        raise ConfigError(f"{where}: a rule needs a 'name'")
    params = {k: v for k, v in table.items() if k != "name"}
    name = table["name"]
    rules = registered_rules()
    if name not in rules:
        raise ConfigError(f"{where}.name: unknown rule {name!r}; known rules: {', '.join(sorted(rules))}")
    cls = rules[name]
    expected = KINDS[section]
    if not issubclass(cls, expected):
        raise ConfigError(f"{where}.name: {name!r} is a {cls.kind}, not allowed in clean.{section}")
    try:
        validated = _param_model(cls).model_validate(params)
    except pydantic.ValidationError as e:
        first = e.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{where}.{key}: {first['msg']} (rule {name!r})") from None
    try:
        return cls(**validated.model_dump())
    except ValueError as e:
        raise ConfigError(f"{where}: {e} (rule {name!r})") from None


def build_rules(clean: CleanConfig, base_dir: Path) -> dict[str, list[Rule]]:
    """Import the ``clean.plugins``, then build and prepare every rule the clean section names
    (paths in their parameters from ``base_dir``, the config's folder), or raise ConfigError."""
    registered_rules()  # the built-ins first, so that a plugin reusing one of their names is the one refused
    for plugin in clean.plugins:
        import_plugin(plugin, base_dir)
    built: dict[str, list[Rule]] = {}
    for section in KINDS:
        rules = []
        for i, table in enumerate(getattr(clean, section)):
            rule = build_rule(section, i, table)
            if clean.language_id.identifier == "cld2":
                check_language_keys(rule, f"clean.{section}[{i}]")
            try:
                rule.prepare(base_dir)
            except (OSError, ValueError) as e:
                raise ConfigError(f"clean.{section}[{i}] ({rule.name}): {e}") from None
            except Exception as e:  # a plugin's missing optional dependency, a bug: as a plugin that fails to import
                raise ConfigError(f"clean.{section}[{i}] ({rule.name}): prepare failed: "
                                  f"{_failure(e, _source_file(type(rule)))}") from None
            rules.append(rule)
        built[section] = rules
    return built


def check_language_keys(rule: Rule, where: str) -> None:
    """Refuse a language no document gets from the cld2 identifier, in a rule's ``languages`` or
    as a key of a mapping by language (``Filter.language_keyed``), and a key of such a mapping
    outside the rule's ``languages``: a threshold for a misspelt language, or for one the rule
    does not measure, would never apply."""
    from datacleaning.cleaning.language import cld2_languages

    named = rule.name or type(rule).__name__
    measured = set(rule.languages)
    for name, codes in (("languages", measured),
                        *((name, set(getattr(rule, name))) for name in getattr(rule, "language_keyed", ()))):
        unknown = sorted(codes - cld2_languages())
        if unknown:
            raise ConfigError(f"{where}.{name}: {', '.join(map(repr, unknown))} not a language the cld2 identifier "
                              f"gives a document (ISO 639-1 in lower case: zh, en, fr; other; und; a threshold "
                              f"holds for a language in either script) (rule {named!r})")
        unmeasured = sorted(codes - measured) if measured and name != "languages" else []
        if unmeasured:
            raise ConfigError(f"{where}.{name}: {', '.join(map(repr, unmeasured))} not among the languages the rule "
                              f"measures (languages = {sorted(measured)}) (rule {named!r})")


# The module name of a plugin imported from its file (no other process can import it by name).
PLUGIN_FILE_PREFIX = "datacleaning_plugin_"


def plugin_file_modules() -> list[types.ModuleType]:
    """The plugins this process imported from .py files."""
    return [module for name, module in list(sys.modules.items()) if name.startswith(PLUGIN_FILE_PREFIX)]


def import_plugin(plugin: str, base_dir: Path) -> None:
    """Import a user module by name (``my_rules``) or by file path (``rules/my_rules.py``); a
    module that fails to import (a syntax error, a missing dependency, a rule that cannot be
    registered) is a ConfigError naming it and where it failed."""
    if not plugin.endswith(".py"):
        try:
            importlib.import_module(plugin)
        except Exception as e:
            # The console script, unlike `python -m`, does not put the working folder on the path.
            hint = (f" (a module name is imported from Python's path, sys.path; name its file, {plugin}.py, "
                    f"to import it from the config's folder)"
                    if isinstance(e, ModuleNotFoundError) and e.name == plugin else "")
            raise ConfigError(f"clean.plugins: cannot import {plugin!r}: {_failure(e, None)}{hint}") from None
        return
    path = Path(plugin) if os.path.isabs(plugin) else base_dir / plugin
    if not path.exists():
        raise ConfigError(f"clean.plugins: no such file {path}")
    # Named by the file's whole path: two plugins called rules.py in different folders are
    # two modules, not the first one twice.
    where = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    name = f"{PLUGIN_FILE_PREFIX}{path.stem}_{where}"
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        del sys.modules[name]
        raise ConfigError(f"clean.plugins: cannot import {path}: {_failure(e, path)}") from None


def _failure(error: Exception, path: Path | None) -> str:
    """``error`` in one line, with the line of the plugin file where it was raised."""
    said = f"{type(error).__name__}: {error}"
    if path is None or isinstance(error, SyntaxError):  # a SyntaxError says its line itself
        return said
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == str(path)]
    return f"line {lines[-1]}: {said}" if lines else said
