"""self_training."""
