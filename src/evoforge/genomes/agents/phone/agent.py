"""The phone agent that memory recipes carry from task to task (the same code with and without memory).

One model call per step: the model is shown the goal, what memory recalls (``parts["memory"]``:
tips, guides, facts or insights as text), the shortcuts it may use (``parts["shortcuts"]``: JSON in
Mobile-Agent-E's format), the steps so far and the current screen, and answers with one JSON action.
A shortcut runs all of its atomic actions for that one call, stopping at the first refused action.
The loop ends after ``parts["max_steps"]`` calls (set to the task's per-item call limit).
``parts["goal"]``, when set, replaces the item's goal (an agent pursuing a goal it chose itself).
"""

from __future__ import annotations

from typing import Any

from evoforge.genomes.agents.genome import make_genome

CODE = r'''
import json
import re

SIGNATURES = {"open_app": ["app"], "tap": ["label"], "type": ["field", "text"], "back": []}


def parse(reply):
    """(action name, args) from the model's reply: a JSON object, else name(arg, ...)."""
    start = reply.find("{")
    while start >= 0:
        try:
            value, _ = json.JSONDecoder().raw_decode(reply, start)
            if isinstance(value, dict) and value.get("action"):
                args = value.get("args") or []
                return str(value["action"]).strip(), [str(a) for a in (args if isinstance(args, list) else [args])]
        except ValueError:
            pass
        start = reply.find("{", start + 1)
    found = re.search(r"(\w+)\((.*?)\)", reply)
    if found:
        return found.group(1), [a.strip().strip("'\"") for a in found.group(2).split(",") if a.strip()]
    return "", []


def run_shortcut(tools, shortcut, args):
    """Run a shortcut's atomic actions; "{argument}" in an arguments_map value is replaced by its value."""
    given = dict(zip(shortcut.get("arguments") or [], args))
    screen = None
    for step in shortcut.get("atomic_action_sequence") or []:
        name, mapping = step.get("name"), step.get("arguments_map") or {}
        values = [
            re.sub(r"\{(\w+)\}", lambda m: str(given.get(m.group(1), "")), str(mapping.get(p, "")))
            for p in SIGNATURES.get(name, [])
        ]
        try:
            screen = tools.act(name, *values)
        except tools.ActionError as err:
            return screen, f"Error in shortcut step {name}: {err}"
    return screen, (screen or "").splitlines()[0] if screen else "done"


def forward(task, tools):
    parts = tools.parts
    try:
        listed = json.loads(parts.get("shortcuts") or "[]")
    except ValueError:
        listed = []
    shortcuts = {s["name"]: s for s in listed if isinstance(s, dict) and s.get("name")}
    known = "\n".join(
        f"- {s['name']}({', '.join(s.get('arguments') or [])}): {s.get('description', '')} "
        f"Precondition: {s.get('precondition', 'any screen')}" for s in shortcuts.values()
    )
    memory = str(parts.get("memory") or "").strip()
    screen = tools.act("screen")
    steps = []
    for _ in range(int(parts.get("max_steps", 8))):
        prompt = (
            f"{parts['instruction']}\n\nGoal: {parts.get('goal') or task['question']}\n\n"
            + (f"What you learned in earlier tasks:\n{memory}\n\n" if memory else "")
            + (f"Shortcuts (one action runs all their steps):\n{known}\n\n" if known else "")
            + "Steps so far:\n" + ("\n".join(steps) or "(none)")
            + f"\n\nCurrent screen:\n{screen}\n\n{parts['answer']}"
        )
        name, args = parse(tools.llm(prompt, max_tokens=int(parts.get("max_tokens", 96))))
        if name == "finish":
            return args[0] if args else ""
        if name in shortcuts:
            new_screen, said = run_shortcut(tools, shortcuts[name], args)
            screen = new_screen or tools.act("screen")
        elif name in SIGNATURES:
            try:
                screen = tools.act(name, *args)
                said = screen.splitlines()[0]
            except tools.ActionError as err:
                said = f"Error: {err}"
        else:
            said = "Error: no such action; answer with one JSON object"
        steps.append(f"{len(steps) + 1}. {json.dumps({'action': name, 'args': args})} -> {said}")
    return "stopped at the step limit"
'''

INSTRUCTION = (
    "You operate a phone with three apps: Notes, Contacts and Calendar. Reach the goal in as few steps as you can.\n"
    "Actions: open_app(app), tap(label), type(field, text), back(), finish(answer). "
    "Tap buttons and list entries by their label."
)
ANSWER = 'Reply with the next action as one JSON object, e.g. {"action": "tap", "args": ["Save"]}'


def app_agent(max_steps: int = 8) -> dict[str, Any]:
    """The phone agent's genome: its code and text parts (memory parts are added per task)."""
    parts = {"instruction": INSTRUCTION, "answer": ANSWER, "max_steps": max_steps, "memory": "", "shortcuts": "[]"}
    return make_genome(CODE, parts, name="phone-react")
