"""Fixtures of the agent tests."""

from __future__ import annotations

import pytest
from agent_helpers import TASK_FILE, ScriptedAgentModel


@pytest.fixture
def scripted():
    from evoforge.genomes.agents import set_agent_model

    model = ScriptedAgentModel()
    set_agent_model(model)
    yield model
    set_agent_model(None)


@pytest.fixture
def add_task(write_task):
    return write_task(TASK_FILE, "add_task.py")
