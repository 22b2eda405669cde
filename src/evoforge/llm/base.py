"""The one interface every backend implements: :class:`Model`."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from .account import CallLedger, run_ledger
from .cache import ResponseCache, cache_key
from .errors import BadRequestError, BudgetExceededError, ModelError
from .types import Completion, Kind, Messages, Request
from .usage import UsageMeter

if TYPE_CHECKING:
    from evoforge.core.budget import Budget

T = TypeVar("T")

DEFAULT_TEMPERATURE = 0.7
DEFAULT_MAX_TOKENS = 256


class TransientError(Exception):
    """Raised by a backend for a failure worth retrying; carries the error to raise at the end."""

    def __init__(self, final: ModelError) -> None:
        super().__init__(str(final))
        self.final = final


def retry(
    fn: Callable[[], T],
    *,
    max_retries: int,
    backoff: float,
    max_backoff: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn``; on :class:`TransientError` retry up to ``max_retries`` times with
    exponential backoff (``backoff * 2**k``, jittered, capped), then raise its ``final`` error."""
    attempt = 0
    while True:
        try:
            return fn()
        except TransientError as e:
            if attempt >= max_retries:
                raise e.final from None
            delay = min(max_backoff, backoff * (2**attempt)) * (0.5 + random.random() / 2)
            sleep(delay)
            attempt += 1


def _is_single_chat(messages: Any) -> bool:
    return isinstance(messages, list) and (not messages or isinstance(messages[0], dict))


def _check_messages(messages: Any) -> Messages:
    if not isinstance(messages, list) or not messages:
        raise BadRequestError("messages must be a non-empty list of {'role', 'content'} dicts")
    for m in messages:
        if not isinstance(m, dict) or "role" not in m or "content" not in m:
            raise BadRequestError("each message must be a dict with 'role' and 'content'")
    return [{"role": str(m["role"]), "content": _content_text(m["content"])} for m in messages]


def _content_text(content: Any) -> str:
    """Message content as text; OpenAI-style lists of parts keep their text parts."""
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


class Model:
    """A language model behind one interface: chat or plain completion, ``n`` samples,
    temperature, top_p, max_tokens, stop sequences and seed; batches run with up to
    ``max_concurrency`` requests in flight.

    Results come back as a flat list of :class:`Completion`, prompt-major: for ``k``
    prompts and ``n`` samples, ``result[i * n + j]`` is sample ``j`` of prompt ``i``.

    Seeded requests (and greedy ones, ``temperature == 0``) are cached when a cache is
    set: the same call again returns ``cached=True`` completions and spends no tokens
    (it still counts as an answer against a ``budget``'s ``max_calls``).
    Unseeded sampling is never cached, so it stays random.

    ``max_concurrency`` bounds the requests in flight across every thread that uses the model (a
    batch's own threads and callers' threads alike); ``peak_in_flight`` records the most seen. With a
    ``budget``, a request reserves its answer before it is sent, so concurrent requests never pass
    ``max_calls`` together. A model that ``counts_for_run`` (the run's model, the models evaluators
    call) also takes a permit for every request from the active run's
    :class:`~evoforge.llm.account.CallLedger`, shared with pool workers, so the whole run never passes
    ``max_calls``.

    Subclasses implement :meth:`_generate` for one request.
    """

    backend: str = "base"

    def __init__(
        self,
        name: str,
        *,
        cache: ResponseCache | None = None,
        max_concurrency: int = 1,
        max_retries: int = 3,
        backoff: float = 0.5,
        timeout: float | None = 120.0,
        price_in: float = 0.0,
        price_out: float = 0.0,
        budget: Budget | None = None,
    ) -> None:
        self.name = name
        self.cache = cache
        self.max_concurrency = max(1, int(max_concurrency))
        self.max_retries = max(0, int(max_retries))
        self.backoff = float(backoff)
        self.timeout = timeout
        self.price_in = float(price_in)  # USD per 1M prompt tokens
        self.price_out = float(price_out)  # USD per 1M completion tokens
        self.budget = budget
        self.counts_for_run = False  # the run's or an evaluator's model: its requests take ledger permits
        self.usage = UsageMeter()
        self._slots = threading.BoundedSemaphore(self.max_concurrency)
        self._books = threading.Lock()  # guards the reservations below and their recording in usage
        self._reserved = 0  # answers being fetched: counted against max_calls before they arrive
        self.in_flight = 0  # requests being generated right now
        self.peak_in_flight = 0

    def set_concurrency(self, n: int) -> None:
        """Bound requests in flight to ``n`` (call before requests are made)."""
        self.max_concurrency = max(1, int(n))
        self._slots = threading.BoundedSemaphore(self.max_concurrency)

    # -- public API -----------------------------------------------------------------

    @property
    def spec(self) -> str:
        """The ``get_model`` spec string of this model."""
        return f"{self.backend}:{self.name}"

    def chat(
        self,
        messages: Messages | Sequence[Messages],
        *,
        n: int = 1,
        temperature: float = DEFAULT_TEMPERATURE,
        top_p: float = 1.0,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        stop: str | Sequence[str] | None = None,
        seed: int | None = None,
        tag: str = "",
    ) -> list[Completion]:
        """Answer one conversation or a batch of them; ``n`` samples each."""
        convs = [messages] if _is_single_chat(messages) else list(messages)  # type: ignore[list-item]
        inputs: list[Messages | str] = [_check_messages(c) for c in convs]
        return self._run("chat", inputs, n, temperature, top_p, max_tokens, stop, seed, tag)

    def chat_each(
        self,
        conversations: Sequence[Messages],
        *,
        seeds: Sequence[int | None],
        tags: Sequence[str],
        temperature: float = DEFAULT_TEMPERATURE,
        top_p: float = 1.0,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        stop: str | Sequence[str] | None = None,
    ) -> list[str | ModelError]:
        """Answer several conversations at once, each with its own seed and tag (one sample each),
        up to ``max_concurrency`` in flight. Each place holds the answer's text, or the
        :class:`ModelError` its request ended with (a refused or failed request does not void the
        others: their answers are paid for and kept)."""
        if not (len(conversations) == len(seeds) == len(tags)):
            raise BadRequestError("chat_each needs one seed and one tag per conversation")
        calls = [
            lambda c=c, s=s, t=t: self.chat(
                c, temperature=temperature, top_p=top_p, max_tokens=max_tokens, stop=stop, seed=s, tag=t
            )
            for c, s, t in zip(conversations, seeds, tags)
        ]

        def answer(call: Callable[[], list[Completion]]) -> str | ModelError:
            try:
                out = call()
            except ModelError as err:
                return err
            return out[0].text if out else ""

        if len(calls) <= 1 or self.max_concurrency == 1:
            return [answer(call) for call in calls]
        with ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(calls))) as ex:
            return list(ex.map(answer, calls))

    def complete(
        self,
        prompt: str | Sequence[str],
        *,
        n: int = 1,
        temperature: float = DEFAULT_TEMPERATURE,
        top_p: float = 1.0,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        stop: str | Sequence[str] | None = None,
        seed: int | None = None,
        tag: str = "",
    ) -> list[Completion]:
        """Continue one plain-text prompt or a batch of them; ``n`` samples each."""
        prompts = [prompt] if isinstance(prompt, str) else list(prompt)
        for p in prompts:
            if not isinstance(p, str):
                raise BadRequestError("prompt must be a string or a list of strings")
        return self._run("complete", list(prompts), n, temperature, top_p, max_tokens, stop, seed, tag)

    def check(self) -> str:
        """Make one tiny request; return a short description, or raise :class:`ModelError`."""
        out = self.complete("Hello", max_tokens=1, temperature=0.0)
        return f"answered ({out[0].completion_tokens} token)"

    def close(self) -> None:
        """Release resources (connections, cache file)."""
        if self.cache is not None:
            self.cache.close()

    def __enter__(self) -> Model:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec}>"

    # -- machinery ----------------------------------------------------------------------

    def _run(
        self,
        kind: Kind,
        inputs: list[Messages | str],
        n: int,
        temperature: float,
        top_p: float,
        max_tokens: int,
        stop: str | Sequence[str] | None,
        seed: int | None,
        tag: str,
    ) -> list[Completion]:
        if n < 1:
            raise BadRequestError(f"n must be >= 1 (got {n})")
        if max_tokens < 1:
            raise BadRequestError(f"max_tokens must be >= 1 (got {max_tokens})")
        if temperature < 0:
            raise BadRequestError(f"temperature must be >= 0 (got {temperature})")
        stops = (stop,) if isinstance(stop, str) else tuple(stop or ())
        reqs = [
            Request(
                kind,
                x,
                int(n),
                float(temperature),
                float(top_p),
                int(max_tokens),
                stops,
                None if seed is None else int(seed),
            )
            for x in inputs
        ]
        if len(reqs) == 1 or self.max_concurrency == 1:
            results = [self._one(r, tag) for r in reqs]
        else:
            with ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(reqs))) as ex:
                results = list(ex.map(lambda r: self._one(r, tag), reqs))
        return [c for group in results for c in group]

    def _cacheable(self, req: Request) -> bool:
        return self.cache is not None and (req.seed is not None or req.temperature == 0.0)

    def _one(self, req: Request, tag: str) -> list[Completion]:
        ledger = self._reserve()  # before the cache: a cached answer counts against max_calls too
        try:
            key = cache_key(self.backend, self.name, req) if self._cacheable(req) else None
            if key is not None:
                hit = self.cache.get(key)  # type: ignore[union-attr]
                if hit is not None and len(hit) == req.n:
                    self._settle(tag, cache_hits=1)
                    return hit
            out = self._generate_bounded(req)
            if len(out) != req.n:
                raise ModelError(f"{self.spec} returned {len(out)} samples, expected {req.n}")
            p_tok = out[0].prompt_tokens if out else 0
            c_tok = sum(c.completion_tokens for c in out)
            cost = (p_tok * self.price_in + c_tok * self.price_out) / 1e6
            self._settle(tag, calls=1, prompt_tokens=p_tok, completion_tokens=c_tok, cost=cost)
        except BaseException:
            self._settle(None)  # a failed request spends no answer
            if ledger is not None:
                ledger.give_back()
            raise
        if key is not None:
            self.cache.put(key, out, {"model": self.spec, "tag": tag})  # type: ignore[union-attr]
        return out

    def _reserve(self) -> CallLedger | None:
        """Count one answer against the budget before it is fetched (refuse it when none is left), and
        against the active run's ledger of answers across processes if this model ``counts_for_run``
        (returned: give the permit back if the request fails)."""
        with self._books:
            if self.budget is not None:
                why = self.budget.model_limit(self.usage.total, pending=self._reserved)
                if why is not None:
                    raise BudgetExceededError(f"LLM budget exhausted: {why}")
            ledger = run_ledger() if self.counts_for_run else None
            if ledger is not None:
                ledger.take()
            self._reserved += 1
        return ledger

    def _settle(self, tag: str | None, **counts: Any) -> None:
        """Turn a reservation into recorded usage, atomically (``tag`` None: release it unused)."""
        with self._books:
            self._reserved -= 1
            if tag is not None:
                self.usage.record(tag, **counts)

    def _generate_bounded(self, req: Request) -> list[Completion]:
        with self._slots:
            with self._books:
                self.in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                return self._generate(req)
            finally:
                with self._books:
                    self.in_flight -= 1

    def _generate(self, req: Request) -> list[Completion]:
        """Produce ``req.n`` samples for one prompt. Raise :class:`ModelError` on failure."""
        raise NotImplementedError


def truncate_at_stop(text: str, stops: Sequence[str]) -> tuple[str, bool]:
    """Cut ``text`` at the first stop sequence; return (text, whether one was found)."""
    cut = min((i for i in (text.find(s) for s in stops if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)
