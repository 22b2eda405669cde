"""Fixtures of the memory tests."""

from __future__ import annotations

import pytest
from memory_helpers import ScriptedPhoneModel


@pytest.fixture
def phone_model():
    from evoforge.genomes.agents import set_agent_model

    model = ScriptedPhoneModel()
    set_agent_model(model)
    yield model
    set_agent_model(None)
