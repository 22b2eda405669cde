"""Program genomes: blocks, extraction from messy answers, tolerant diffs, AST duplicates."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evoforge.genomes.programs import (
    apply_diff,
    ast_key,
    blocks,
    descriptors,
    evolve_text,
    extract_code,
    extract_function,
    parse_diff,
    replace_block,
    replace_function,
    same_program,
)

PROGRAM = '''import numpy as np

# EVOLVE-BLOCK-START
def priority(item, bins):
    """Best fit."""
    return -(bins - item)
# EVOLVE-BLOCK-END


def run(items):
    return [priority(i, np.array([1.0])) for i in items]
'''

TWO_BLOCKS = (
    "x = 1\n# EVOLVE-BLOCK-START\na = 1\n# EVOLVE-BLOCK-END\ny = 2\n# EVOLVE-BLOCK-START\nb = 2\n# EVOLVE-BLOCK-END\n"
)


def test_blocks_and_replacement():
    assert [b.text for b in blocks(TWO_BLOCKS)] == ["a = 1\n", "b = 2\n"]
    out = replace_block(TWO_BLOCKS, 1, "b = 3")
    assert "b = 3\n# EVOLVE-BLOCK-END" in out and "a = 1" in out and out.count("EVOLVE-BLOCK") == 4
    assert evolve_text(TWO_BLOCKS) == "a = 1\nb = 2"
    assert blocks("no markers\n")[0].text == "no markers\n"


def test_replace_function_keeps_the_rest():
    out = replace_function(PROGRAM, "priority", "def priority(item, bins):\n    return bins - item\n")
    assert "return bins - item" in out and "def run(items)" in out and "Best fit" not in out
    assert replace_function(PROGRAM, "missing", "def missing(): pass") is None


def test_diff_exact_whitespace_and_fuzzy():
    edit = "<<<<<<< SEARCH\n{s}\n=======\n  gap = bins - item\n  return -gap\n>>>>>>> REPLACE"
    r = apply_diff(PROGRAM, edit.format(s="    return -(bins - item)"))
    assert r.applied == 1 and "    gap = bins - item\n    return -gap\n" in r.source
    r = apply_diff(PROGRAM, edit.format(s="  return -(bins-item)"))  # other spacing and indentation
    assert r.applied == 1 and "    return -gap\n# EVOLVE-BLOCK-END" in r.source
    r = apply_diff(PROGRAM, edit.format(s="return -(bins - itme)"))  # typo: fuzzy
    assert r.applied == 1 and any("fuzzy" in n for n in r.notes)
    r = apply_diff(PROGRAM, edit.format(s="return totally_unrelated_code(x, y, z)"))
    assert r.applied == 0 and "not found" in r.reason and r.source == PROGRAM


def test_diff_malformed_answers_have_reasons():
    for answer, why in [
        ("", "empty"),
        ("just prose", "no SEARCH"),
        ("<<<<<<< SEARCH\nx\n", "cut off"),
        ("<<<<<<< SEARCH\nx\n=======\ny\n", "cut off"),
        ("<<<<<<< SEARCH\n\n=======\ny\n>>>>>>> REPLACE", "empty SEARCH"),
        ("<<<<<<< SEARCH\n    return -(bins - item)\n=======\n    return -(bins - item)\n>>>>>>> REPLACE", "same"),
    ]:
        r = apply_diff(PROGRAM, answer)
        assert r.applied == 0 and why in r.reason, (answer, r.reason)


def test_diff_in_fences_with_short_markers():
    answer = "```\n<<< SEARCH\nreturn -(bins - item)\n===\nreturn -(bins - item) ** 2\n>>> REPLACE\n```"
    r = apply_diff(PROGRAM, answer)
    assert r.applied == 1 and "** 2" in r.source


def test_extract_function_from_messy_answer():
    msg = (
        "Sure! Improved version:\n```python\nimport math\n\ndef priority_v2(item, bins):\n"
        "    return -(bins - item) + math.log(item)\n\nprint(priority_v2(1, 2))\nbins = [1, 2]\n```\nDone."
    )
    e = extract_function(msg, "priority")
    assert e.ok and e.code.startswith("def priority(item, bins):") and "print" not in e.code
    assert e.imports == ["import math"]
    cut = "```python\ndef priority(item, bins):\n    s = bins - item\n    return s\n    x = [1,\n    2"
    e = extract_function(cut, "priority")
    assert e.ok and "return s" in e.code and any("cut off" in n for n in e.notes)
    assert not extract_function("I cannot help with that.", "priority").ok
    assert (
        "not priority"
        in extract_function("```python\ndef a():\n    return 1\ndef b():\n    return 2\n```", "priority").reason
    )


def test_extract_function_keeps_called_helpers():
    msg = "```python\ndef _gap(a, b):\n    return a - b\n\ndef priority(item, bins):\n    return -_gap(bins, item)\n```"
    e = extract_function(msg, "priority")
    assert e.ok and "def _gap" in e.code and "def priority" in e.code


def test_extract_code_prefers_block_with_target():
    msg = "```\nexample = 1\n```\nthen\n```python\ndef priority(i, b):\n    return b\n```"
    assert "def priority" in extract_code(msg, prefer="priority").code


def test_ast_duplicates():
    a = "def f(x):\n    '''doc'''\n    y = x + 1  # one\n    return y\n"
    b = "def f(x):\n    z = x+1\n    return z\n"
    c = "def f(x):\n    z = x + 2\n    return z\n"
    assert same_program(a, b) and not same_program(a, c)
    assert ast_key("def f(:") == ast_key("def f(:  ")  # unparsable text still hashes stably
    assert descriptors(a)[0] >= 3


code_chars = string.ascii_letters + string.digits + " \n\t()[]{}:=<>`#'\"-+*/.,_\\"
messy = st.one_of(
    st.text(alphabet=code_chars, max_size=400),
    st.lists(
        st.sampled_from(
            [
                "<<<<<<< SEARCH",
                "=======",
                ">>>>>>> REPLACE",
                "```python",
                "```",
                "<<< SEARCH",
                "    return -(bins - item)",
                "def priority(item, bins):",
                "    return 0",
                "  x = [1,",
                "",
                "=== ",
                "> REPLACE",
                "import math",
                "print(1)",
            ]
        ),
        max_size=20,
    ).map("\n".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy)
def test_property_diff_never_crashes_and_always_explains(answer):
    r = apply_diff(PROGRAM, answer)
    assert isinstance(r.source, str)
    if r.applied == 0:
        assert r.source == PROGRAM and r.reason  # every failure has a reason
    assert r.applied + len([f for f in r.failures if f.startswith("edit ")]) == r.edits
    edits, problems = parse_diff(answer)
    assert edits or problems


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy)
def test_property_extraction_never_crashes_and_always_explains(answer):
    e = extract_function(answer, "priority")
    assert (e.code is None) == (e.reason is not None)
    if e.ok:
        compile(e.code, "x", "exec")
        assert "def priority" in e.code
    c = extract_code(answer)
    assert c.ok or c.reason


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=code_chars, max_size=200))
def test_property_normalize_total(text):
    assert isinstance(ast_key(text), str)
    assert len(descriptors(text)) == 2
