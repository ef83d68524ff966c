"""``exitkit scan``: find hand-written exit-code handling in shell scripts, Makefiles and GitHub
workflows, and name what replaces it (docs/scan.md).

The parts, bottom-up: :mod:`~exitkit.scan.model` (findings, rules, snippets that map back to the
original file), :mod:`~exitkit.scan.inputs` (which files, honouring ``.gitignore``),
:mod:`~exitkit.scan.extract` (the shell code inside Makefile recipes and workflow steps),
:mod:`~exitkit.scan.shell` (the rules, over a tree-sitter-bash syntax tree),
:mod:`~exitkit.scan.engine` (one file end to end), :mod:`~exitkit.scan.report` (text, JSON, SARIF,
GitHub annotations) and :mod:`~exitkit.scan.command` (the command).

Nothing here is imported by another command: tree-sitter is an optional extra (``exitkit[scan]``)
and ``exitkit run`` and ``exitkit shell`` keep their start-up time.
"""
