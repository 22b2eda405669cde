"""Agent memory behind one small interface (``base``): tips and shortcuts, guides, long-term facts,
insight rules, goal trees."""
