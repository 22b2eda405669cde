"""evolutionary-agent, cultural-evolution and language-games end to end with a scripted society."""

import pytest
from social_helpers import Society

from evoforge.core.budget import Budget
from evoforge.core.task import load_task
from evoforge.genomes.games import language_game as lg
from evoforge.genomes.games import norms
from evoforge.recipes.registry import get_recipe
from evoforge.run.engine import Engine
from evoforge.run.executors import InProcessExecutor


def run(name, task, model, generations, **params):
    task = load_task(task)
    recipe = get_recipe(name).from_params(params)
    recipe.model = model
    result = Engine(task, recipe, seed=1, budget=Budget(evaluations=generations)).run(InProcessExecutor(task))
    return recipe, result


def test_evolutionary_agent_selects_and_varies_traits_under_drifting_norms():
    model = Society(garbage=7)
    recipe, result = run("evolutionary-agent", "norms", model, 6, population=6, survivors=3, drift_every=2)
    rows = recipe.history
    assert result.evaluations == 6 and [r["generation"] for r in rows] == list(range(6))
    assert norms.norms_at(0, 0, 2) != norms.norms_at(2, 0, 2)  # the norms drift
    assert sum(r["invalid"] for r in rows) > 0 and any(r["choices"].get("invalid") for r in rows)
    assert model.usage.snapshot()["by_tag"]["vary"]["calls"] == 5 * 3  # children of generations 1..5
    assert model.usage.snapshot()["total"]["calls"] == len(model.prompts) == 6 * 6 + 5 * 3
    # the survivors are the fittest of the last generation, children are the model's variations
    assert recipe.parents and all(t in recipe.traits for t in recipe.parents)
    assert sum(t.startswith("someone who") for t in recipe.traits) >= 3
    assert recipe.answer(None)["genome"]["traits"] == rows[-1]["best_traits"]
    assert "evolutionary-agent" in recipe.report(None) and len(recipe.report(None).splitlines()) == 7


def test_invalid_actions_get_the_worst_fitness_with_a_reason():
    task = load_task("norms")
    agents = [{"traits": "x", "reply": "A"}, {"traits": "y", "reply": "the weather"}, {"traits": "z", "reply": ""}]
    out = task.evaluate({"game": "norms", "generation": 0, "agents": agents})
    fit = out["metrics"]["fitness"]
    assert fit[1] == fit[2] < fit[0] and out["metrics"]["invalid"] == 2
    assert out["metrics"]["reasons"] == ["names no option A-C: 'the weather'", "empty reply"]


@pytest.mark.parametrize("topology", ["chain", "network"])
def test_cultural_evolution_measures_what_survives_the_chain(topology):
    model = Society()
    recipe, _ = run("cultural-evolution", "transmission", model, 4, topology=topology, agents=3)
    kept = [r["retention"] for r in recipe.history]
    assert len(kept) == 4 and kept[0] < 1.0 and kept == sorted(kept, reverse=True) and kept[-1] < kept[0]
    assert recipe.history[-1]["lost"] and model.usage.snapshot()["total"]["calls"] == 4 * 3
    if topology == "network":
        assert all("versions of a story" in p for p in model.prompts)
    ans = recipe.answer(None)
    assert ans["score"] == kept[-1] and ans["seed"]["score"] == 1.0 and len(ans["genome"]["texts"]) == 3
    assert "latest retelling" in recipe.report(None)


def test_language_games_swap_roles_change_rules_and_players_learn_from_notes():
    learned, _ = run("language-games", "language", Society(), 6, games=4)
    control, _ = run("language-games", "language", Society(), 6, games=4, learn=False)
    assert len({(r["rule"], r["reward"]) for r in learned.history}) > 1  # rules and rewards change
    assert learned.history[0]["outcomes"][0]["speaker"] != learned.history[0]["outcomes"][1]["speaker"]
    assert control.notes == ["", ""] and "control arm" in control.report(None)
    assert any("distinguishing" in n for n in learned.notes)
    late = lambda recipe: sum(r["score"] for r in recipe.history[2:])  # noqa: E731
    assert late(learned) > late(control)
    assert learned.answer(None)["genome"]["notes"] == learned.notes


def test_a_garbage_clue_or_guess_is_invalid_with_a_reason():
    objs, _target, order = lg.objects(1)
    assert lg.check_clue("", "free") == "empty clue"
    assert "number" in lg.check_clue("the 2nd one", "free") and "rule one-word" in lg.check_clue("big red", "one-word")
    assert lg.parse_guess("banana", objs, order)[0] is None and lg.parse_guess("", objs, order)[1] == "empty reply"
    assert lg.parse_guess("Answer: 2", objs, order) == (order[1], "")


def test_recipes_refuse_the_wrong_task():
    from evoforge.core.errors import ConfigError

    for name, task in (
        ("evolutionary-agent", "norms"),
        ("cultural-evolution", "transmission"),
        ("language-games", "language"),
    ):
        with pytest.raises(ConfigError, match=f"--task {task}"):
            get_recipe(name)().check_task(load_task("negotiation"))
