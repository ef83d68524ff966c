"""Contracts: the model, loading and validation, the built-ins, and what is derived from them
(explanations, renderings, the stability check). Nothing here runs a command or knows the CLI."""
