"""Write (or, with --check, verify) every generated file exitkit commits.

Generated files are golden files: the code is their source of truth, and ``make generate-check``
(run by the tests) fails when a committed copy drifts from what the code produces.
"""

from __future__ import annotations

import argparse
import difflib
import pprint
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as the tomli package
    import tomli as tomllib


ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "exitkit"
CONTRACTS = PACKAGE / "contracts" / "builtin"


def builtins_module() -> str:
    data = {}
    for path in sorted(CONTRACTS.glob("*.toml")):
        with path.open("rb") as fh:
            data[path.stem] = tomllib.load(fh)
    body = pprint.pformat(data, sort_dicts=False, width=100)
    return (
        '"""Built-in contracts as Python literals. Generated from contracts/builtin/*.toml by\n'
        "tools/generate.py; do not edit. Loading a .pyc costs far less than importing "
        "tomllib.\"\"\"\n\n"
        "from __future__ import annotations\n\n"
        "TYPE_CHECKING = False\n"
        "if TYPE_CHECKING:\n"
        "    from typing import Any\n\n"
        f"CONTRACTS: dict[str, dict[str, Any]] = {body}\n"
    )


def exitkit_statuses() -> str:
    from exitkit.contracts.loader import load_builtin
    from exitkit.contracts.render import _cell

    rows = ["| status | name | meaning | when |", "|---:|---|---|---|"]
    for e in load_builtin("exitkit").exits:
        rows.append(f"| {e.code} | `{e.name}` | {_cell(e.meaning)} | {_cell(e.when)} |")
    return "\n".join(rows) + "\n"


#: README regions rewritten from the code: name -> producer.
def proxxx_markdown() -> str:
    from exitkit.contracts.loader import load_builtin
    from exitkit.contracts.render import render_markdown

    return render_markdown(load_builtin("proxxx"))


README_REGIONS: dict[str, Callable[[], str]] = {
    "exitkit-statuses": exitkit_statuses,
    "proxxx-markdown": proxxx_markdown,
}


def readme() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, produce in README_REGIONS.items():
        begin = f"<!-- BEGIN generated: {name} (make generate) -->\n"
        end = "<!-- END generated -->"
        start = text.index(begin) + len(begin)
        stop = text.index(end, start)
        text = text[:start] + produce() + text[stop:]
    return text


def targets() -> Iterator[tuple[Path, Callable[[], str]]]:
    yield PACKAGE / "contracts" / "_builtins.py", builtins_module
    yield ROOT / "README.md", readme
    from exitkit import complete

    for shell, filename in complete.FILENAMES.items():
        yield ROOT / "completions" / filename, (lambda s=shell: complete.script(s))
    from exitkit import shells
    from exitkit.contracts.loader import builtin_names, load_builtin

    for shell in shells.SHELLS:
        for name in builtin_names():
            path = ROOT / "shell" / shell / f"{name}{shells.EXTENSIONS[shell]}"
            yield path, (lambda s=shell, n=name: shells.render(s, [load_builtin(n)]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when a file differs")
    args = parser.parse_args()
    drift = []
    for path, produce in targets():
        text = produce()
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            continue
        if args.check:
            drift.append(path)
            diff = difflib.unified_diff(
                (old or "").splitlines(keepends=True), text.splitlines(keepends=True),
                str(path.relative_to(ROOT)), "generated", n=1,
            )
            sys.stderr.writelines(list(diff)[:40])
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if drift:
        print(f"{len(drift)} generated file(s) out of date; run 'make generate':", file=sys.stderr)
        for path in drift:
            print(f"  {path.relative_to(ROOT)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
