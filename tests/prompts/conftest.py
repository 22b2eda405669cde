"""Fixtures of the prompt-evolution unit tests."""

from __future__ import annotations

import pytest
from prompt_helpers import ScriptedModel


@pytest.fixture
def scripted():
    return ScriptedModel()


@pytest.fixture
def scripted_task_model(scripted):
    from evoforge.genomes.prompts import task as prompt_task

    prompt_task.set_task_model(scripted)
    yield scripted
    prompt_task.set_task_model(None)
