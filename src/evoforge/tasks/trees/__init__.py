"""Built-in tasks over expression trees (symbolic regression)."""
