"""Run settings from flags, a config file and ``--set key=value``, merged with one set of keys.

Precedence: command-line flags > config file > defaults. Config files are TOML or JSON and use the
flags' names (``budget``, ``seed``, ``executor``, ``memory-mb`` ...) plus an optional ``set`` table of
recipe parameters and ``task.*`` options. Unknown keys are errors. Every value is checked once (type,
range, finite; :mod:`evoforge.core.settings`), before anything runs: the run's settings by
:func:`evoforge.run.prepare.prepare`, with messages that name the flag or the config file each value
came from; a file value that a flag replaces, here (it never reaches the run).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from evoforge.core.errors import ConfigError
from evoforge.core.settings import value_problem
from evoforge.recipes.registry import get_recipe
from evoforge.run.prepare import RunConfig

# flag name (as in config files) -> RunConfig field
FLAG_KEYS = {
    "recipe": "recipe",
    "task": "task",
    "budget": "budget",
    "seed": "seed",
    "executor": "executor",
    "workers": "workers",
    "timeout": "timeout",
    "memory-mb": "memory_mb",
    "address": "address",
    "batch-size": "batch_size",
    "generations": "generations",
    "seconds": "seconds",
    "model": "model",
    "base-url": "base_url",
    "task-model": "task_model",
    "task-base-url": "task_base_url",
    "max-calls": "max_calls",
    "max-tokens": "max_tokens",
    "max-cost": "max_cost",
    "checkpoint-every": "checkpoint_every",
    "sandbox": "sandbox",
    "concurrency": "concurrency",
    "async": "asynchronous",
    "cache": "cache",
}
OTHER_KEYS = {"out", "set"}


def read_config_file(path: str | Path) -> dict[str, Any]:
    """Load a TOML or JSON config file into a dict with flag names as keys; unknown keys are errors."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        text = path.read_text()
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(
            f"config file {path} is not valid {'JSON' if path.suffix == '.json' else 'TOML'}: {err}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a table of settings")
    data = {str(k).replace("_", "-"): v for k, v in data.items()}
    unknown = sorted(set(data) - set(FLAG_KEYS) - OTHER_KEYS)
    if unknown:
        raise ConfigError(
            f"config file {path}: unknown key{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)} (known: {', '.join(sorted(set(FLAG_KEYS) | OTHER_KEYS))})"
        )
    if "set" in data and not isinstance(data["set"], dict):
        raise ConfigError(f"config file {path}: 'set' must be a table of key = value")
    _check_file_value(path, "out", data.get("out"))  # not a run setting: the run file's place
    return data


def _check_file_value(path: str | Path, key: str, value: Any) -> None:
    problem = value_problem(key, value)  # null (JSON) means the default, like a flag not given
    if problem:
        raise ConfigError(f"config file {path}: {key} {problem}")


def run_settings(
    config_file: str | None, flags: dict[str, Any], sets: tuple[str, ...]
) -> tuple[RunConfig, str | None, dict[str, str]]:
    """(the run's config, ``out`` from the file if any, how messages name each setting) from a config
    file, click's flag values (``None`` for flags not given) and ``--set`` pairs."""
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    file_sets: dict[str, Any] = {}
    out = None
    if config_file:
        file_values = read_config_file(config_file)
        file_sets, out = file_values.pop("set", {}), file_values.pop("out", None)
        values.update(file_values)
        names.update({k: f"config file {config_file}: {k}" for k in file_values})
    given = {("async" if k == "asynchronous" else k.replace("_", "-")): v for k, v in flags.items() if v is not None}
    for key in given.keys() & values.keys():  # replaced by a flag: checked here, as the file's own input
        _check_file_value(config_file or "", key, values[key])
    values.update(given)
    names.update({k: f"--{k}" for k in given})
    config = build_config(values, {**file_sets, **parse_sets(sets)})
    return config, out, {FLAG_KEYS[k]: label for k, label in names.items() if k in FLAG_KEYS}


def parse_sets(pairs: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``["sigma=0.5", "task.dim=30"]`` -> ``{"sigma": "0.5", "task.dim": "30"}``."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects key=value, got {pair!r}")
        out[key.strip()] = value.strip()
    return out


def build_config(values: dict[str, Any], sets: dict[str, Any]) -> RunConfig:
    """Make a :class:`RunConfig` from flag-named ``values`` and ``--set`` entries; the values and the
    recipe parameters are checked when the run is prepared."""
    fields = {FLAG_KEYS[k]: v for k, v in values.items() if k in FLAG_KEYS and v is not None}
    if not fields.get("recipe"):
        raise ConfigError("no recipe given")
    if not fields.get("task"):
        raise ConfigError("no task given: use --task NAME or --task path/to/task.py")
    recipe_cls = get_recipe(fields["recipe"])
    task_options = {k[5:]: _literal(v) for k, v in sets.items() if k.startswith("task.")}
    recipe_params = {k: v for k, v in sets.items() if not k.startswith("task.")}
    fields.setdefault("budget", recipe_cls.default_budget)
    return RunConfig(recipe_params=recipe_params, task_options=task_options, **fields)


def _literal(value: Any) -> Any:
    """Interpret a ``--set task.x=...`` string as JSON when it parses (numbers, lists, booleans)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
