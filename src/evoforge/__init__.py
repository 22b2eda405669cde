"""evoforge: one small engine for self-evolving AI systems (acquire, refine, update, evaluate)."""

from .agents.task import AgentTask
from .api import RunConfig, evolve, resume
from .archives import AgingPopulation, GridArchive, Islands, NoveltyArchive, ParetoFront
from .budget import Budget
from .candidate import Candidate
from .engine import Engine, RunResult
from .errors import ConfigError, EvoforgeError, StoreError, TaskError
from .executors import InProcessExecutor, ProcessPoolExecutor, RayExecutor, make_executor
from .programs.task import ProgramTask
from .prompts.prompt_task import PromptTask
from .recipe import Recipe, register
from .registry import get_recipe
from .store import RunStore
from .task import Task, load_task
from .vectors.task import VectorTask

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
    "VectorTask",
    "evolve",
    "get_recipe",
    "load_task",
    "make_executor",
    "register",
    "resume",
]
