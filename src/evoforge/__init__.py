"""evoforge: one small engine for self-evolving AI systems (acquire, refine, update, evaluate)."""

from evoforge.core.archives import AgingPopulation, GridArchive, Islands, NoveltyArchive, ParetoFront
from evoforge.core.budget import Budget
from evoforge.core.candidate import Candidate
from evoforge.core.errors import ConfigError, EvoforgeError, StoreError, TaskError
from evoforge.core.recipe import Recipe, register
from evoforge.core.task import Task, load_task
from evoforge.core.task_value import TaskValue, option
from evoforge.genomes.agents.task import AgentTask
from evoforge.genomes.programs.task import ProgramTask
from evoforge.genomes.prompts.prompt_task import PromptTask
from evoforge.genomes.vectors.task import VectorTask
from evoforge.recipes.registry import get_recipe
from evoforge.run.api import RunConfig, evolve, resume
from evoforge.run.engine import Engine, RunResult
from evoforge.run.executors import InProcessExecutor, ProcessPoolExecutor, RayExecutor, make_executor
from evoforge.store.run_file import RunStore

__version__ = "0.1.0"

__all__ = [
    "AgentTask",
    "AgingPopulation",
    "Budget",
    "Candidate",
    "ConfigError",
    "Engine",
    "EvoforgeError",
    "GridArchive",
    "InProcessExecutor",
    "Islands",
    "NoveltyArchive",
    "ParetoFront",
    "ProcessPoolExecutor",
    "ProgramTask",
    "PromptTask",
    "RayExecutor",
    "Recipe",
    "RunConfig",
    "RunResult",
    "RunStore",
    "StoreError",
    "Task",
    "TaskError",
    "TaskValue",
    "VectorTask",
    "evolve",
    "get_recipe",
    "load_task",
    "make_executor",
    "option",
    "register",
    "resume",
]
