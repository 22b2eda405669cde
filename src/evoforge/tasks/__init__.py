"""Built-in tasks, one folder per genome kind (``vectors``, ``bits``, ``trees``, ``programs``, ``prompts``,
``weights``, ``agents``, ``games``, ``soups``, ``samples``, ``boolnets``, ``protocells``, ``quines``): each
module is one task, found by name (``sphere``); modules starting with ``_`` are helpers a kind's tasks share."""
