"""Agent designs as genomes: an agent's code (``forward(task, tools)``) plus its text parts.

- :mod:`.genome`: the genome dict, its checks, a model's answer parsed into a genome;
- :mod:`.runtime`: run an agent on items in the sandbox (:mod:`.driver` is the process inside),
  the model behind a metered proxy, per-item limits on calls and time;
- :mod:`.tools`: calculator, Python runner, BM25 retrieval (standard library; also used in the sandbox);
- :mod:`.task`: :class:`AgentTask`, the typed task value, and :class:`AgentFailure`;
- :mod:`.model`: the model agents call (per run, per process);
- :mod:`.baselines`: hand-designed agents by name (CoT, CoT-SC, Self-Refine, LLM Debate, ...);
- :mod:`.templates`: the meta agent's prompts; :mod:`.fitness`: bootstrap fitness;
- :mod:`.archive`: the open-ended archive of the DGM-style search (parents by score and few children);
- :mod:`.memory` (+ :mod:`.memory_kinds`, :mod:`.memory_store`): what an agent carries from task to task;
- :mod:`.apps` (+ :mod:`.app_task`, :mod:`.app_agent`): the text phone simulator, its tasks and agent.
"""

from evoforge.genomes.agents.memory.base import Memory, MemoryFormatError
from evoforge.genomes.agents.memory.kinds import load_memory, new_memory
from evoforge.genomes.agents.phone.apps import Phone
from evoforge.genomes.agents.phone.task import AppTask

from .answer import parse_answer
from .baselines import baseline, baselines
from .genome import AgentGenomeError, check_genome, design, make_genome
from .model import set_agent_model
from .runtime import AgentRun, ItemRun, run_agent
from .task import AgentFailure, AgentTask

__all__ = [
    "AgentFailure",
    "AgentGenomeError",
    "AgentRun",
    "AgentTask",
    "AppTask",
    "ItemRun",
    "Memory",
    "MemoryFormatError",
    "Phone",
    "baseline",
    "baselines",
    "check_genome",
    "design",
    "load_memory",
    "make_genome",
    "new_memory",
    "parse_answer",
    "run_agent",
    "set_agent_model",
]
