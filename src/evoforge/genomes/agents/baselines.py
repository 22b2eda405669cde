"""Hand-designed agents, available by name (:func:`baseline`): the designs of ADAS's starting archive
(chain of thought, self-consistency, self-refine, debate, step-back, quality-diversity, role
assignment), written for this runtime. Each is a genome: code using ``tools`` plus its text parts,
so a search can change either. Model calls per item are in :data:`CALLS`."""

# ruff: noqa: E501  (tables of templates and test data read better on one line)

from __future__ import annotations

from typing import Any

from .genome import make_genome

FINAL = '''
def final(text):
    """The answer after the last 'Answer:' (else the last line), for voting and comparison."""
    i = text.rfind("Answer:")
    tail = text[i + 7:] if i >= 0 else text.strip().splitlines()[-1] if text.strip() else ""
    return tail.strip().strip(".").strip()
'''

COT = """
def forward(task, tools):
    prompt = task["question"] + "\\n\\n" + tools.parts["instruction"] + " " + task["format"]
    return tools.llm(prompt, system=tools.parts["role"])
"""

COT_SC = (
    FINAL
    + """
def forward(task, tools):
    prompt = task["question"] + "\\n\\n" + tools.parts["instruction"] + " " + task["format"]
    replies = [tools.llm(prompt, system=tools.parts["role"], temperature=0.8) for _ in range(int(tools.parts["samples"]))]
    votes = {}
    for reply in replies:
        votes.setdefault(final(reply), []).append(reply)
    return max(votes.values(), key=len)[0]
"""
)

SELF_REFINE = """
def forward(task, tools):
    prompt = task["question"] + "\\n\\n" + tools.parts["instruction"] + " " + task["format"]
    answer = tools.llm(prompt, system=tools.parts["role"])
    for _ in range(int(tools.parts["rounds"])):
        review = tools.llm(task["question"] + "\\n\\nProposed solution:\\n" + answer + "\\n\\n" + tools.parts["critic"])
        if "CORRECT" in review.upper():
            break
        answer = tools.llm(prompt + "\\n\\nAn earlier attempt:\\n" + answer + "\\n\\nFeedback:\\n" + review
                           + "\\n\\nWrite an improved solution. " + task["format"], system=tools.parts["role"])
    return answer
"""

DEBATE = """
def forward(task, tools):
    prompt = task["question"] + "\\n\\n" + tools.parts["instruction"] + " " + task["format"]
    roles = [r.strip() for r in tools.parts["debaters"].split("|") if r.strip()]
    answers = [tools.llm(prompt, system=role, temperature=0.7) for role in roles]
    for _ in range(int(tools.parts["rounds"])):
        others = "\\n\\n".join(f"Solution {k + 1}:\\n{a}" for k, a in enumerate(answers))
        answers = [tools.llm(prompt + "\\n\\nOther solutions:\\n" + others + "\\n\\nGive your updated solution. "
                             + task["format"], system=role) for role in roles]
    joined = "\\n\\n".join(f"Solution {k + 1}:\\n{a}" for k, a in enumerate(answers))
    return tools.llm(task["question"] + "\\n\\n" + joined + "\\n\\n" + tools.parts["judge"] + " " + task["format"])
"""

STEP_BACK = """
def forward(task, tools):
    principles = tools.llm(task["question"] + "\\n\\n" + tools.parts["step_back"])
    prompt = (task["question"] + "\\n\\nUseful principles:\\n" + principles + "\\n\\n"
              + tools.parts["instruction"] + " " + task["format"])
    return tools.llm(prompt, system=tools.parts["role"])
"""

QUALITY_DIVERSITY = """
def forward(task, tools):
    prompt = task["question"] + "\\n\\n" + tools.parts["instruction"] + " " + task["format"]
    attempts = [tools.llm(prompt, system=tools.parts["role"])]
    for _ in range(int(tools.parts["attempts"]) - 1):
        seen = "\\n\\n".join(attempts)
        attempts.append(tools.llm(prompt + "\\n\\nEarlier attempts:\\n" + seen + "\\n\\n" + tools.parts["diversify"],
                                  system=tools.parts["role"], temperature=0.8))
    listed = "\\n\\n".join(f"Attempt {k + 1}:\\n{a}" for k, a in enumerate(attempts))
    return tools.llm(task["question"] + "\\n\\n" + listed + "\\n\\n" + tools.parts["judge"] + " " + task["format"])
"""

ROLE_ASSIGNMENT = """
def forward(task, tools):
    roles = [r.strip() for r in tools.parts["roles"].split("|") if r.strip()]
    menu = "\\n".join(f"{k + 1}. {r}" for k, r in enumerate(roles))
    choice = tools.llm(task["question"] + "\\n\\nWhich expert should answer this? Reply with the number only.\\n" + menu)
    digits = [int(c) for c in choice if c.isdigit()]
    role = roles[(digits[0] - 1) % len(roles)] if digits else roles[0]
    prompt = task["question"] + "\\n\\n" + tools.parts["instruction"] + " " + task["format"]
    return tools.llm(prompt, system=role)
"""

_COMMON = {"role": "You are a careful problem solver.", "instruction": "Think step by step."}
_JUDGE = "Read the solutions above and give the single best final answer."
DESIGNS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "cot": ("Chain-of-Thought", COT, {}),
    "cot-sc": ("Self-Consistency with Chain-of-Thought", COT_SC, {"samples": 3}),
    "self-refine": (
        "Self-Refine",
        SELF_REFINE,
        {"rounds": 1, "critic": "Check this solution. If it is right, reply CORRECT; otherwise say what is wrong."},
    ),
    "llm-debate": (
        "LLM Debate",
        DEBATE,
        {"debaters": "You are a careful mathematician.|You are a sceptical reviewer.", "rounds": 1, "judge": _JUDGE},
    ),
    "step-back": (
        "Step-back Abstraction",
        STEP_BACK,
        {"step_back": "Before solving: which principles or facts does this problem rely on? List them briefly."},
    ),
    "quality-diversity": (
        "Quality-Diversity",
        QUALITY_DIVERSITY,
        {"attempts": 2, "diversify": "Solve it again with a different approach.", "judge": _JUDGE},
    ),
    "role-assignment": (
        "Dynamic Assignment of Roles",
        ROLE_ASSIGNMENT,
        {"roles": "a mathematician|a programmer|a logician|a careful reader"},
    ),
}
CALLS = {
    "cot": 1,
    "cot-sc": 3,
    "self-refine": 3,
    "llm-debate": 5,
    "step-back": 2,
    "quality-diversity": 3,
    "role-assignment": 2,
}


def names() -> list[str]:
    return list(DESIGNS)


def baseline(name: str) -> dict[str, Any]:
    """The hand-designed agent ``name`` (see :func:`names`) as a genome."""
    if name not in DESIGNS:
        raise KeyError(f"no baseline agent {name!r} (have: {', '.join(DESIGNS)})")
    title, code, parts = DESIGNS[name]
    return make_genome(code.strip() + "\n", {**_COMMON, **parts}, title)


def standard_parts() -> dict[str, Any]:
    """Every text part the hand-designed agents use (the meta agent sees them in the archive and new
    agents often read them without defining them)."""
    merged: dict[str, Any] = dict(_COMMON)
    for _, _, parts in DESIGNS.values():
        merged.update({k: v for k, v in parts.items() if k not in merged})
    return merged


def baselines() -> list[dict[str, Any]]:
    return [baseline(n) for n in DESIGNS]
