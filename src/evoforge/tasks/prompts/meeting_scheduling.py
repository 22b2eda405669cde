"""Planning task: find a meeting time that fits everyone's calendar (a small Natural-Plan-style
meeting-scheduling problem). The genome is a proposed solution as text ("10:30-11:00"); the checker
parses the first time range, and returns score 1.0 only for a valid slot, partial credit otherwise, and
text feedback naming every violated constraint (for Mind Evolution's critic/author refinement).

``problem`` is the problem statement for solution-evolution recipes; options: ``instance`` (which
generated problem), ``people`` and ``duration`` (minutes).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from evoforge.core.task_value import option
from evoforge.genomes.prompts.solutions import SolutionTask

NAMES = ["Alice", "Bruno", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hana"]
DAY_START, DAY_END = 9 * 60, 17 * 60
Busy = dict[str, list[tuple[int, int]]]


def fmt(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def make_instance(instance: int, people: int, duration: int) -> dict[str, list[tuple[int, int]]]:
    rng = random.Random(f"meeting-{instance}-{people}-{duration}")
    while True:
        busy: dict[str, list[tuple[int, int]]] = {}
        for name in rng.sample(NAMES, people):
            blocks: list[tuple[int, int]] = []
            for _ in range(rng.randint(2, 4)):
                start = DAY_START + 30 * rng.randrange(0, 16)
                end = min(DAY_END, start + 30 * rng.randint(1, 4))
                if all(end <= s or start >= e for s, e in blocks):
                    blocks.append((start, end))
            busy[name] = sorted(blocks)
        if feasible(busy, duration):
            return busy


def feasible(busy, duration) -> list[int]:
    return [
        t
        for t in range(DAY_START, DAY_END - duration + 1, 30)
        if all(t + duration <= s or t >= e for blocks in busy.values() for s, e in blocks)
    ]


_TIME = re.compile(r"(\d{1,2})[:.](\d{2})\s*(am|pm|AM|PM)?")


def _minutes(h: str, m: str, ampm: str | None) -> int:
    hour = int(h) % 24
    if ampm and ampm.lower() == "pm" and hour < 12:
        hour += 12
    if hour < 8:  # "1:00" in a working day means 13:00
        hour += 12
    return hour * 60 + min(int(m), 59)


def parse(text: str) -> tuple[int, int | None] | None:
    times = [_minutes(*m.groups()) for m in _TIME.finditer(text or "")]
    if not times:
        return None
    return times[0], (times[1] if len(times) > 1 else None)


def check(text: str, busy: Busy, duration: int) -> tuple[float, list[str], tuple[int, int] | None]:
    """(score, every violated constraint, the slot read) of a proposed ``START-END`` in ``text``."""
    parsed = parse(text if isinstance(text, str) else str(text))
    if parsed is None:
        return 0.0, ["no time found: write the meeting time as START-END, e.g. 10:00-10:30"], None
    start, end = parsed
    problems: list[str] = []
    if end is None or end <= start:
        end = start + duration
        problems.append(f"give an end time too: {fmt(start)}-{fmt(end)}")
    elif end - start != duration:
        problems.append(f"{fmt(start)}-{fmt(end)} lasts {end - start} minutes, the meeting needs {duration}")
        end = start + duration
    if start < DAY_START or end > DAY_END:
        problems.append(f"{fmt(start)}-{fmt(end)} is outside working hours 9:00-17:00")
    for name, blocks in busy.items():
        for s, e in blocks:
            if start < e and end > s:
                problems.append(f"{name} is busy {fmt(s)}-{fmt(e)}, which overlaps {fmt(start)}-{fmt(end)}")
    constraints = len(busy) + 2
    score = 1.0 if not problems else max(0.0, 1.0 - len(problems) / constraints) * 0.99
    return score, problems, (start, end)


@dataclass(kw_only=True)
class MeetingScheduling(SolutionTask):
    description: str = "planning: schedule a meeting around busy calendars (text solution, checker with feedback)"
    instance: int = option(0, help="which generated problem")
    people: int = option(4, help="people to schedule")
    duration: int = option(60, help="meeting length in minutes")
    busy: Busy = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.busy = make_instance(self.instance, self.people, self.duration)
        lines = [
            f"- {name} is busy " + ", ".join(f"{fmt(s)}-{fmt(e)}" for s, e in blocks) + "."
            for name, blocks in self.busy.items()
        ]
        self.problem = (
            f"Schedule a {self.duration}-minute meeting for {', '.join(self.busy)} between 9:00 and 17:00 today.\n"
            + "\n".join(lines)
            + "\nGive the meeting time as START-END, for example 9:00-9:30."
        )

    def evaluate(self, genome) -> dict:
        score, problems, slot = check(genome, self.busy, self.duration)
        feedback = "valid: everyone is free" if not problems else "; ".join(problems)
        return {
            "score": score,
            "feedback": feedback,
            "metrics": {
                "success": int(not problems),
                "violations": len(problems),
                "slot": [fmt(slot[0]), fmt(slot[1])] if slot else None,
            },
        }


TASK = MeetingScheduling()
