"""The evolved function's required signature: a child is callable the way the seed's function is called
(the task's harness calls it with the seed's arguments), or it is not evaluated.

A child keeps the signature when its function takes the seed's positional parameters, in order, under the
same names, and every parameter it adds has a default. Type annotations are not compared (Python ignores
them at run time). :func:`keep_signature` repairs the one change small models make most, renamed
parameters of the same count, by putting the seed's ``def`` line back when the body does not use the new
names; anything else gives the reason, which the recipes count."""

from __future__ import annotations

import ast

from .blocks import blocks, function_node, replace_block, signature_of


def _positional(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [a.arg for a in fn.args.posonlyargs + fn.args.args]


def _required_extra(fn: ast.FunctionDef | ast.AsyncFunctionDef, keep: int) -> list[str]:
    """Parameters past the first ``keep`` positional ones that have no default (a call with the seed's
    arguments would fail)."""
    args = fn.args.posonlyargs + fn.args.args
    defaults = len(fn.args.defaults)
    first_default = len(args) - defaults
    extra = [a.arg for i, a in enumerate(args) if i >= keep and i < first_default]
    extra += [a.arg for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults) if d is None]
    return extra


def signature_problem(program: str, seed: str, function: str) -> str | None:
    """Why ``program``'s ``function`` cannot be called as the seed's is (None: it can, or the seed has
    no such function to compare with)."""
    want = function_node(seed, function)
    if want is None:
        return None
    got = function_node(program, function)
    if got is None:
        return f"signature: `{function}` is missing"
    need, have = _positional(want), _positional(got)
    if want.args.vararg is not None or (got.args.vararg is not None and not have):
        return None  # the seed takes *args (calls unknown), or the child's def f(*args) accepts any call
    names = set(have) | {a.arg for a in got.args.kwonlyargs}
    missing = [a.arg for a in want.args.kwonlyargs if a.arg not in names and got.args.kwarg is None]
    if missing:
        return f"signature: `{function}` lost keyword parameters ({', '.join(missing)})"
    if have[: len(need)] != need:
        return f"signature: `{function}({', '.join(have)})` changed the required `({', '.join(need)})`"
    extra = _required_extra(got, len(need))
    if extra:
        return f"signature: `{function}` added parameters without defaults ({', '.join(extra)})"
    return None


def keep_signature(program: str, seed: str, function: str) -> tuple[str | None, str | None]:
    """(the program, None) when its ``function`` keeps the seed's signature, or was repaired to (same
    number of parameters, only renamed, the new names unused in the body); (None, reason) otherwise."""
    why = signature_problem(program, seed, function)
    if why is None:
        return program, None
    want, got = function_node(seed, function), function_node(program, function)
    if want is None or got is None or len(_positional(got)) != len(_positional(want)):
        return None, why
    if got.args.vararg or got.args.kwarg or got.args.kwonlyargs or got.args.defaults:
        return None, why
    renamed = set(_positional(got)) - set(_positional(want))
    body_names = {n.id for stmt in got.body for n in ast.walk(stmt) if isinstance(n, ast.Name)}
    if renamed & body_names:
        return None, why  # the body uses the new names: putting the old ones back would break it
    for block in blocks(program):
        fn = function_node(block.text, function)
        if fn is None:
            continue
        lines = block.text.split("\n")
        head = lines[fn.lineno - 1 : fn.body[0].lineno - 1]
        if len(head) != 1:
            return None, why  # a def over several lines: not repaired
        indent = head[0][: len(head[0]) - len(head[0].lstrip())]
        lines[fn.lineno - 1] = indent + signature_of(seed, function)
        fixed = replace_block(program, block.index, "\n".join(lines))
        return (fixed, None) if signature_problem(fixed, seed, function) is None else (None, why)
    return None, why
