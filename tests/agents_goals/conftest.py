"""Fixtures of the goal tests."""

from __future__ import annotations

import pytest
from goal_helpers import ScriptedGoalModel


@pytest.fixture
def goal_model():
    from evoforge.genomes.agents import set_agent_model

    model = ScriptedGoalModel()
    set_agent_model(model)
    yield model
    set_agent_model(None)
