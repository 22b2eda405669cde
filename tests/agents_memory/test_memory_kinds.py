"""The memory formats: updates from reflector replies (good, garbage, hostile), JSON state round trips."""

import json

import pytest
from memory_helpers import shortcut

from evoforge.genomes.agents import MemoryFormatError, load_memory, new_memory
from evoforge.genomes.agents.memory.kinds import KINDS, checked_shortcut

TRAJECTORY = [
    {"action": "open_app", "args": ["Contacts"], "screen": "Contacts list: [Ann Lee]"},
    {"action": "type", "args": ["phone", "555-0101"], "error": "phone: digits only, e.g. 5550123"},
]
WIN = {"goal": "Add a contact named Bo Ito with phone 555-0101.", "success": True, "score": 1.0}
LOSS = {**WIN, "success": False, "score": 0.0}
GARBAGE = ["", "I cannot help.", "{not json", '{"tips": "one string", "new_shortcut": 7}', "[1, 2", "ADD 99"]


def replying(*replies):
    queue, prompts = list(replies), []

    def reflect(prompt):
        prompts.append(prompt)
        return queue.pop(0) if queue else None

    reflect.prompts = prompts
    return reflect


def roundtrip(memory):
    again = load_memory(json.loads(json.dumps(memory.state())))
    assert again.state() == memory.state() and type(again) is type(memory)
    return again


def test_tips_and_shortcuts_follow_the_reflector():
    memory = new_memory("tips-shortcuts")
    reply = json.dumps(
        {"tips": ["Phones: digits only.", "Phones: digits only.", ""], "new_shortcut": shortcut("New contact")}
    )
    reflect = replying("Sure:\n```json\n" + reply + "\n```")
    assert memory.update(TRAJECTORY, LOSS, reflect) == "1 tips, shortcut add_contact"
    assert "digits only" in reflect.prompts[0] and "FAILURE" in reflect.prompts[0]  # it saw the error and outcome
    parts = memory.parts({"question": "anything"})
    assert parts["memory"] == "- Phones: digits only." and json.loads(parts["shortcuts"])[0]["name"] == "add_contact"
    roundtrip(memory)


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "none"])
def test_garbage_replies_change_nothing_and_are_counted(kind):
    memory = new_memory(kind)
    before = memory.entries()
    reflect = replying(*GARBAGE)
    for _ in GARBAGE:
        memory.update(TRAJECTORY, LOSS if kind != "guides" else WIN, reflect)
    assert memory.entries() == before
    assert memory.reflections == len(GARBAGE) and memory.unusable == len(GARBAGE)


@pytest.mark.parametrize(
    "bad",
    [
        {**shortcut("New note"), "name": "tap"},  # shadows an atomic action
        {**shortcut("New note"), "arguments": ["title"]},  # uses {body}, which it does not take
        {**shortcut("New note"), "atomic_action_sequence": [{"name": "rm_rf", "arguments_map": {}}]},
        {**shortcut("New note"), "atomic_action_sequence": [{"name": "back"}] * 13},  # too long
        {**shortcut("New note"), "name": "x; import os"},
        "create_note",
    ],
)
def test_unusable_shortcuts_are_refused(bad):
    assert checked_shortcut(shortcut("New note")) is not None
    assert checked_shortcut(bad) is None


def test_insight_votes_add_edit_agree_remove():
    memory = new_memory("insights")
    memory.update(TRAJECTORY, LOSS, replying("ADD: Type phones as digits.\nADD: Save before leaving.\nADD 3: x"))
    assert [(r["rule"], r["importance"]) for r in memory.rules] == [
        ("Type phones as digits.", 2),
        ("Save before leaving.", 2),
    ]
    memory.update(TRAJECTORY, WIN, replying("AGREE 1\nEDIT 2: Tap Save before leaving an editor.\nREMOVE 7"))
    assert [(r["rule"], r["importance"]) for r in memory.rules] == [
        ("Type phones as digits.", 3),
        ("Tap Save before leaving an editor.", 3),
    ]
    memory.update(TRAJECTORY, WIN, replying("REMOVE 2\nREMOVE 2\nREMOVE 2\nREMOVE 1"))  # at most 3 operations
    assert [r["rule"] for r in memory.rules] == ["Type phones as digits."] and memory.rules[0]["importance"] == 3
    assert memory.update(TRAJECTORY, WIN, replying("No change.")) == "no change" and memory.unusable == 0
    assert memory.recall({}) == "- Type phones as digits."
    roundtrip(memory)


def test_guides_come_from_successes_and_are_recalled_by_similarity():
    memory = new_memory("guides")
    assert memory.update(TRAJECTORY, LOSS, replying()) == "failed task: no guide" and memory.reflections == 0
    memory.update(TRAJECTORY, WIN, replying('{"title": "new contact", "guide": "Open Contacts, digits only."}'))
    event = {**WIN, "goal": "Add a calendar event 'Yoga' on 3 May 2025 at 3pm."}
    memory.update(TRAJECTORY, event, replying('{"title": "calendar event", "guide": "Dates as YYYY-MM-DD."}'))
    memory.update(TRAJECTORY, WIN, replying('{"title": "New Contact", "guide": "Open Contacts, tap Save."}'))
    assert [(g["title"], g["successes"]) for g in memory.guides] == [("calendar event", 1), ("New Contact", 2)]
    assert memory.recall({"question": "Add a contact named Al"}).startswith("Guide: New Contact\nOpen Contacts, tap")
    assert memory.recall({"question": "Yoga on 4 May"}).startswith("Guide: calendar event")
    assert memory.recall({"question": "zzz"}) == ""
    roundtrip(memory)


def test_long_term_store_is_retrieved_deduplicated_and_capped():
    memory = new_memory("long-term")
    memory.update(
        TRAJECTORY, LOSS, replying('["Contact phone numbers are digits only.", "Ann Lee email is ann@x.org"]')
    )
    memory.update(TRAJECTORY, WIN, replying('["contact phone numbers are digits only.", "Notes need a title."]'))
    assert len(memory.facts) == 3
    assert memory.recall({"question": "Add a contact with phone 555"}).startswith("- Contact phone numbers")
    assert memory.recall({"question": "zzz"}) == ""
    for i in range(80):
        memory.update([], WIN, replying(json.dumps([f"fact number {i}"])))
    assert len(memory.facts) == memory.max_facts
    roundtrip(memory)


@pytest.mark.parametrize(
    "state",
    [
        None,
        {"kind": "pickle"},
        {"kind": "tips-shortcuts", "entries": "all"},
        {"kind": "tips-shortcuts", "entries": [{"shortcut": {"name": "tap"}}]},
        {"kind": "insights", "entries": [{"rule": "x", "importance": "lots"}]},
        {"kind": "guides", "entries": [7]},
        {"kind": "long-term", "entries": [{"fact": ["not", "text"]}]},
    ],
)
def test_unreadable_states_are_refused_in_one_line(state):
    with pytest.raises(MemoryFormatError) as err:
        load_memory(state)
    assert "\n" not in str(err.value)
