"""More budget for a stored run: ``evoforge resume RUN --budget N`` / ``--max-calls N`` (and the other
limits) write new limits into the run's configuration and, for a finished run, mark it running again,
so ``resume`` continues from its last checkpoint until the new limits stop it. A new limit is a total
for the whole run, like the flag of ``run``; one the run has already spent is refused in one line."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from evoforge.core.errors import ConfigError, StoreError
from evoforge.store.run_file import RunStore

from .prepare import RunConfig, check_config

LIMITS = ("budget", "generations", "seconds", "max_calls", "max_tokens", "max_cost")
FLAGS = {name: "--" + name.replace("_", "-") for name in LIMITS}


def spent(store: RunStore) -> dict[str, float]:
    """What the run has spent of the limits that can be compared before it runs again."""
    last = store.last_batch() or {}
    usage = (last.get("usage") or {}).get("total") or {}
    return {
        "budget": last.get("evaluations", 0),
        "generations": last.get("batch", 0),
        "max_calls": usage.get("calls", 0),
    }


def extend(store: RunStore, limits: dict[str, Any]) -> RunConfig:
    """Write ``limits`` (names of :data:`LIMITS`, None: unchanged) into ``store``'s configuration, marked
    running again; ConfigError (one line) for a bad value or a limit already spent."""
    given = {k: v for k, v in limits.items() if v is not None}
    unknown = sorted(set(given) - set(LIMITS))
    if unknown:
        raise ConfigError(f"resume cannot change {', '.join(unknown)}")
    try:
        config = RunConfig.from_dict(store.config)
    except TypeError as err:
        raise StoreError(f"{store.path}: unreadable run configuration ({err})") from None
    config = replace(config, **given)
    check_config(config, FLAGS)
    done = spent(store)
    for name, value in given.items():
        if name in done and value <= done[name]:
            raise ConfigError(f"{FLAGS[name]} {value} is not more than the run has spent ({done[name]:g})")
    store.reopen(config.to_dict())
    return config
