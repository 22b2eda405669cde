"""AST normalisation: programs that differ only in comments, docstrings, formatting or the names of
local variables are the same program, rejected before anyone pays for their evaluation."""

from __future__ import annotations

import ast
import hashlib


class _Strip(ast.NodeTransformer):
    def __init__(self, rename_locals: bool):
        self.rename_locals = rename_locals

    def _strip_docstring(self, node):
        body = getattr(node, "body", None)
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(getattr(body[0], "value", None), ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
        return node

    def visit_Module(self, node):
        self.generic_visit(node)
        return self._strip_docstring(node)

    def visit_ClassDef(self, node):
        self.generic_visit(node)
        return self._strip_docstring(node)

    def visit_FunctionDef(self, node):
        node.returns = None
        for arg in node.args.args + node.args.kwonlyargs + node.args.posonlyargs:
            arg.annotation = None
        if node.args.vararg:
            node.args.vararg.annotation = None
        if node.args.kwarg:
            node.args.kwarg.annotation = None
        if self.rename_locals:
            _rename_locals(node)
        self.generic_visit(node)
        return self._strip_docstring(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_AnnAssign(self, node):
        if node.value is None:
            return None
        return ast.Assign(targets=[node.target], value=node.value, lineno=node.lineno)


def _rename_locals(func: ast.FunctionDef) -> None:
    """Rename names assigned inside ``func`` (not its parameters, not globals) to v0, v1, ..."""
    params = {a.arg for a in func.args.args + func.args.kwonlyargs + func.args.posonlyargs}
    declared: set[str] = set()
    for node in ast.walk(func):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
    assigned: list[str] = []
    for node in ast.walk(func):
        if node is func:
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return  # nested scopes: leave the names alone rather than get scoping wrong
        if (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Store)
            and node.id not in params
            and node.id not in declared
            and node.id not in assigned
        ):
            assigned.append(node.id)
    mapping = {name: f"v{i}" for i, name in enumerate(assigned)}
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and node.id in mapping:
            node.id = mapping[node.id]


def normalize(source: str, rename_locals: bool = True) -> str | None:
    """Canonical text of ``source`` (None when it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    try:
        tree = _Strip(rename_locals).visit(tree)
        ast.fix_missing_locations(tree)
        return ast.unparse(tree)
    except (RecursionError, ValueError, AttributeError, TypeError):
        return None


def ast_key(source: str) -> str:
    """A hash of the normalised program; unparsable text hashes as its stripped text."""
    canon = normalize(source)
    text = canon if canon is not None else "\0raw\0" + "\n".join(line.rstrip() for line in source.strip().splitlines())
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def same_program(a: str, b: str) -> bool:
    return ast_key(a) == ast_key(b)


def complexity(source: str) -> int:
    """Cyclomatic-style complexity: 1 + branches, loops, boolean operators, comprehensions."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return 0
    branching = (
        ast.If,
        ast.For,
        ast.While,
        ast.IfExp,
        ast.ExceptHandler,
        ast.comprehension,
        ast.With,
        ast.AsyncFor,
        ast.Assert,
    )
    count = 1
    for node in ast.walk(tree):
        if isinstance(node, branching):
            count += 1
        elif isinstance(node, ast.BoolOp):
            count += len(node.values) - 1
    return count


def descriptors(source: str) -> list[float]:
    """Default program descriptors: (non-blank code lines, complexity)."""
    lines = [ln for ln in source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return [float(len(lines)), float(complexity(source))]
