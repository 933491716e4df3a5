"""Plain-Python step logic behind the pipeline components (testable without kfp)."""
