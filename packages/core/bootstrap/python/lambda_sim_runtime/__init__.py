"""lambda-sim's Python runtime: the modules bootstrap.py loads before the handler (standard library only)."""
