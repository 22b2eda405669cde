"""What the multi-agent recipes (``self-play``, ``evolutionary-agent``, ``cultural-evolution``,
``language-games``) share: their environment is trusted task code run in the parent; every move,
trait or retelling is one call to a metered model (the run's ``--model``, or a checkpoint metered by
it), and each generation or round is one candidate whose genome records what happened, so the task's
``evaluate`` scores it again from the record (no model call) and the run file keeps the whole story."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar

from evoforge.core.errors import BudgetExhausted, ConfigError
from evoforge.core.recipe import Recipe, state
from evoforge.core.task import Task
from evoforge.genomes.games.task import game_of
from evoforge.llm.errors import ModelError


@dataclass(kw_only=True)
class SocialRecipe(Recipe):
    """Base of the multi-agent recipes (not registered itself)."""

    genomes = ("game",)
    needs_model = True
    dedupe = False
    eval_timeout = 120.0
    default_budget = 8
    game: ClassVar[str] = ""  # the game this recipe plays (its task's ``game``)

    unusable: Counter = state(factory=Counter)  # why model replies could not be used
    history: list[dict[str, Any]] = state(factory=list)  # one row per round / generation

    def check_task(self, task: Task) -> None:
        super().check_task(task)
        if game_of(task) != self.game:
            raise ConfigError(f"recipe {self.name!r} plays the {self.game!r} game; use --task {self.game}")

    def say(
        self,
        prompt: str,
        *,
        seed: int,
        tag: str,
        model: Any = None,
        temperature: float = 0.7,
        max_tokens: int = 48,
        one_line: bool = True,
    ) -> str:
        """One metered completion of ``prompt`` (its first line with ``one_line``, stripped); '' when the
        call failed or was empty
        (the reason is counted). Past the run's model budget it raises, which ends the run cleanly."""
        try:
            out = (model or self.model).complete(
                prompt,
                temperature=temperature,
                max_tokens=max_tokens,
                seed=seed,
                tag=tag,
                stop="\n" if one_line else None,
            )
        except BudgetExhausted:
            raise
        except ModelError as err:
            self.unusable[f"{tag}: model call failed: {str(err)[:60]}"] += 1
            return ""
        text = (out[0].text if out else "").strip()
        if not text:
            self.unusable[f"{tag}: empty reply"] += 1
        return text.splitlines()[0].strip() if text and one_line else text

    def discarded(self) -> dict[str, int]:
        return dict(self.unusable)
