"""`make mutation`: would the tests notice a wrong line? Mutation scores per module.

Runs mutmut (pinned in the Makefile) over the modules whose every line guards an exit status or an
escape, then prints, per module, how many single mutations the suite killed. A surviving mutant is
either a missing test or an *equivalent* mutant (one no test can tell apart, because the program
behaves the same): the equivalent ones are listed in tools/mutation-equivalents.txt with the
reason, matched by function and changed line so that renumbering does not matter. Any other
survivor in a STRICT module fails the run.

    python tools/mutation.py                       # run mutmut from scratch, then report
    python tools/mutation.py --module text.py      # one module's mutants only, then report
    python tools/mutation.py --report              # report on the last run only

mutmut's own progress goes to mutants/mutmut-run.log.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = str(Path(sys.executable).parent / "mutmut")
EQUIVALENTS = ROOT / "tools" / "mutation-equivalents.txt"

#: module path under src/exitkit → whether a meaningful survivor fails `make mutation`.
MODULES: dict[str, bool] = {
    "run/report/github.py": True,
    "shells/quote.py": True,
    "text.py": True,
    "signals.py": False,
    "run/durations.py": False,
    "contracts/model.py": False,
    "run/outcome.py": False,
    "run/policy.py": False,
    "run/options.py": False,
    "run/result.py": False,
    "run/report/stderr.py": False,
    "contracts/classify.py": False,
    "contracts/names.py": False,
    "scan/config.py": False,
    "scan/report.py": False,
}


def module_of(mutant: str) -> str | None:
    """``exitkit.shells.quote.x_quote_posix__mutmut_4`` → ``shells/quote.py``."""
    dotted = mutant.split(".x", 1)[0] if ".x" in mutant else mutant
    for path in MODULES:
        if dotted == "exitkit." + path[:-3].replace("/", "."):
            return path
    return None


def results() -> dict[str, str]:
    out = subprocess.run([MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            found[name] = status
    return found


def change(mutant: str) -> tuple[str, str, str]:
    """(function, removed line, added line) of a mutant, as ``mutmut show`` prints its diff."""
    diff = subprocess.run([MUTMUT, "show", mutant], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout
    minus = next((ln[1:].strip() for ln in diff.splitlines()
                  if ln.startswith("-") and not ln.startswith("---")), "")
    plus = next((ln[1:].strip() for ln in diff.splitlines()
                 if ln.startswith("+") and not ln.startswith("+++")), "")
    function = mutant.rsplit(".", 1)[1].split("__mutmut_")[0].removeprefix("x").lstrip("_ǁ")
    return function.replace("ǁ", "."), minus, plus


def equivalents() -> list[tuple[str, str, str, str, str]]:
    """(module, function, removed, added, reason) from tools/mutation-equivalents.txt: blocks of
    ``module function`` / ``- line`` / ``+ line`` / ``why: reason`` separated by blank lines."""
    entries = []
    for block in EQUIVALENTS.read_text(encoding="utf-8").split("\n\n"):
        lines = [ln for ln in block.strip().splitlines() if not ln.startswith("#")]
        if not lines:
            continue
        module, function = lines[0].split()
        fields = {ln[:2]: ln[2:].strip() for ln in lines[1:] if ln[:2] in ("- ", "+ ")}
        why = next(ln[4:].strip() for ln in lines if ln.startswith("why:"))
        entries.append((module, function, fields["- "], fields["+ "], why))
    return entries


def report() -> int:
    from concurrent.futures import ThreadPoolExecutor

    statuses = results()
    known = equivalents()
    # "not checked": another module's mutants, when --module ran one only
    statuses = {n: s for n, s in statuses.items() if s != "not checked"}
    if not any(module_of(n) for n in statuses):
        # mutmut exits 0 or 1 even when the suite failed before any mutant ran (its "stats" run):
        # a report of nothing would read as a pass
        log = ROOT / "mutants" / "mutmut-run.log"
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        print(f"{tail}\nno mutant was checked: the suite must pass unmutated in mutants/ first "
              f"(see {log.relative_to(ROOT)})", file=sys.stderr)
        return 2
    survivors = [n for n, s in statuses.items() if module_of(n) and s not in ("killed", "timeout")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        changes = dict(zip(survivors, pool.map(change, survivors), strict=True))
    used: set[int] = set()
    failed = False
    print(f"{'module':<24} {'mutants':>7} {'killed':>7} {'equiv.':>7} {'missed':>7} {'score':>7}")
    for path, strict in MODULES.items():
        names = sorted(n for n in statuses if module_of(n) == path)
        killed = [n for n in names if statuses[n] in ("killed", "timeout")]
        survivors = [n for n in names if n not in killed]
        equivalent, missed = [], []
        for name in survivors:
            function, minus, plus = changes[name]
            match = next((i for i, (m, f, a, b, _) in enumerate(known)
                          if (m, f, a, b) == (path, function, minus, plus)), None)
            if match is None:
                missed.append((name, function, minus, plus, statuses[name]))
            else:
                used.add(match)
                equivalent.append(name)
        meaningful = len(names) - len(equivalent)
        score = f"{100 * len(killed) / meaningful:.1f}%" if meaningful else "-"
        print(f"{path:<24} {len(names):>7} {len(killed):>7} {len(equivalent):>7} "
              f"{len(missed):>7} {score:>7}")
        for name, function, minus, plus, status in missed:
            print(f"    {status}: {name}\n      {function}: - {minus}\n      {' ' * len(function)}"
                  f"  + {plus}")
        failed = failed or (strict and bool(missed))
    ran = {module_of(n) for n in statuses}
    stale = [entry for i, entry in enumerate(known) if i not in used and entry[0] in ran]
    for module, function, minus, _, _ in stale:
        print(f"note: no longer a survivor, drop it from {EQUIVALENTS.name}: {module} {function}: "
              f"- {minus}")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", action="store_true", help="only report on the last run")
    parser.add_argument("--module", choices=sorted(MODULES),
                        help="run the mutants of one module only")
    args = parser.parse_args()
    if not args.report:
        only = [f"src/exitkit/{path}" for path in MODULES]
        config = ROOT / "pyproject.toml"
        text = config.read_text(encoding="utf-8")
        if any(path not in text for path in only):
            print("pyproject.toml [tool.mutmut] only_mutate must list: " + ", ".join(only),
                  file=sys.stderr)
            return 2
        names = []
        if args.module:
            names = ["exitkit." + args.module[:-3].replace("/", ".") + ".*"]
        # mutmut copies over its last copy, and a file deleted or regenerated since would linger
        subprocess.run(["rm", "-rf", str(ROOT / "mutants")], check=True)
        (ROOT / "mutants").mkdir(exist_ok=True)
        log = ROOT / "mutants" / "mutmut-run.log"
        print(f"running mutmut (progress in {log.relative_to(ROOT)}) ...", flush=True)
        with log.open("w") as out:
            run = subprocess.run([MUTMUT, "run", *names], cwd=ROOT, stdout=out,
                                 stderr=subprocess.STDOUT)
        if run.returncode not in (0, 1):
            print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
            return run.returncode
    return report()


if __name__ == "__main__":
    sys.exit(main())
