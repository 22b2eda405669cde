"""The process that runs one agent's code on a list of items (started by :mod:`evoforge.genomes.agents.runtime`;
not imported by evoforge).

Run as ``python -I driver.py TO_PARENT_FD FROM_PARENT_FD CONFIG_JSON``. It loads the core sandbox
driver (limits, audit hook) and :mod:`.tools` by path, sets the limits, installs the hook, runs the
agent's code as module ``agent`` and calls ``forward(task, tools)`` for every item in turn. The model
and the task's environment actions are reached only through ``tools``, whose requests travel to the
parent as one JSON line each; the parent answers each on the other pipe. Messages to the parent:
``ready`` | ``load-error``, then per item ``item``, any number of ``llm`` / ``act``, and ``done`` or
``fail``.
"""

import json
import os
import sys


def load(path, name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ModelCallError(RuntimeError):
    """The model did not give a usable reply (failed, empty, or the call limit is reached)."""


class ActionError(RuntimeError):
    """The task's environment refused an action."""


class Channel:
    def __init__(self, out_fd, in_fd):
        self.out_fd = out_fd
        self.reader = os.fdopen(in_fd, "rb", buffering=0)

    def send(self, message):
        data = (json.dumps(message, default=str) + "\n").encode()
        view = memoryview(data)
        while view:
            view = view[os.write(self.out_fd, view) :]

    def ask(self, message):
        self.send(message)
        line = b""
        while not line.endswith(b"\n"):
            chunk = self.reader.readline()
            if not chunk:
                raise SystemExit(0)  # the parent is gone: nothing more to do
            line += chunk
        return json.loads(line)


class Tools:
    """What an agent's ``forward`` may use: ``llm``, ``chat``, ``calculator``, ``python``, ``search``,
    ``act`` (the task's environment actions, named in ``actions``) and ``parts`` (its text parts)."""

    def __init__(self, channel, tools_lib, parts, corpus, actions):
        self._channel, self._lib = channel, tools_lib
        self.parts = dict(parts)
        self.actions = tuple(actions)
        self._index = tools_lib.BM25(corpus) if corpus else None

    def chat(self, messages, temperature=0.0, max_tokens=256):
        reply = self._channel.ask(
            {"op": "llm", "messages": messages, "temperature": temperature, "max_tokens": max_tokens}
        )
        if not reply.get("ok"):
            raise ModelCallError(str(reply.get("error") or "model call failed"))
        return str(reply["text"])

    def llm(self, prompt, system=None, temperature=0.0, max_tokens=256):
        messages = ([{"role": "system", "content": str(system)}] if system else []) + [
            {"role": "user", "content": str(prompt)}
        ]
        return self.chat(messages, temperature=temperature, max_tokens=max_tokens)

    def calculator(self, expression):
        return self._lib.calculate(expression)

    def python(self, code, timeout=2.0):
        return self._lib.run_python(code, timeout)

    def search(self, query, k=3):
        return self._index.search(str(query), k) if self._index is not None else []

    def act(self, name, *args):
        reply = self._channel.ask({"op": "act", "name": str(name), "args": list(args)})
        if not reply.get("ok"):
            raise ActionError(str(reply.get("error") or "action failed"))
        return reply.get("value")


def where(err):
    import traceback

    return [
        f"agent line {f.lineno}, in {f.name}: {(f.line or '').strip()}"
        for f in traceback.extract_tb(err.__traceback__)
        if f.filename == "agent.py"
    ][-3:]


def main():
    out_fd, in_fd, cfg = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
    channel = Channel(out_fd, in_fd)
    try:
        core = load(cfg["guard_file"], "evoforge_sandbox_driver")
        tools_lib = load(cfg["tools_file"], "evoforge_agent_tools")
        source, _, inputs, network = core.setup(cfg)
    except BaseException as err:
        channel.send({"op": "load-error", "error": f"sandbox setup failed: {type(err).__name__}: {err}"})
        os._exit(0)
    import types

    describe, send, where_ = core.describe, channel.send, where
    tools = Tools(
        channel, tools_lib, inputs.get("parts") or {}, inputs.get("corpus") or [], inputs.get("actions") or []
    )
    tools.ModelCallError, tools.ActionError, tools.ToolError = ModelCallError, ActionError, tools_lib.ToolError
    sys.addaudithook(core.make_guard(os.path.realpath(os.getcwd()), network == "guard", (describe, main)))
    sys.setrecursionlimit(max(1000, int(cfg["recursion"])))
    try:
        module = types.ModuleType("agent")
        module.__file__ = "agent.py"
        import linecache

        linecache.cache["agent.py"] = (len(source), None, source.splitlines(True), "agent.py")
        sys.modules["agent"] = module
        module.__dict__["final"] = tools_lib.final  # a helper the agent may use (its own definition wins)
        exec(compile(source, "agent.py", "exec"), module.__dict__)
        forward = module.__dict__.get("forward")
        if not callable(forward):
            raise NameError("the agent's code defines no function forward(task, tools)")
    except BaseException as err:
        send({"op": "load-error", "error": describe(err)[:1000], "where": where_(err), "network": network})
        os._exit(0)
    send({"op": "ready", "network": network})
    for i, item in enumerate(inputs["items"]):
        send({"op": "item", "i": i})
        try:
            answer = forward(dict(item), tools)
            message = {"op": "done", "i": i, "answer": answer}
        except BaseException as err:
            message = {"op": "fail", "i": i, "error": describe(err)[:1000], "where": where_(err)}
        try:
            send(message)
        except BaseException:
            send({"op": "done", "i": i, "answer": repr(message.get("answer"))[:4000]})
    send({"op": "end"})
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        pass
    os._exit(0)


if __name__ == "__main__":
    main()
