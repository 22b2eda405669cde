"""Built-in GARD chemistries: catalysis matrices that populations of protocells grow in."""
