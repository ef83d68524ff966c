"""A scan's findings for people (text), programs (JSON), code scanning (SARIF 2.1.0) and GitHub
Actions (workflow annotations, escaped as the rest of exitkit's GitHub output)."""

from __future__ import annotations

from exitkit.scan.model import RULES, FileError, Finding

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HELP_URI = "https://github.com/OWNER/exitkit/blob/main/docs/scan.md"


def summary(findings: list[Finding], errors: list[FileError], scanned: int) -> str:
    files = len({f.file for f in findings})
    text = (f"{len(findings)} finding{'s' if len(findings) != 1 else ''} in {files} "
            f"file{'s' if files != 1 else ''} ({scanned} scanned")
    if errors:
        text += f", {len(errors)} could not be scanned"
    return text + ")"


def text(findings: list[Finding], errors: list[FileError], scanned: int) -> str:
    """``file:line:col: ID kind: message → suggestion`` lines, then the summary line."""
    from exitkit.text import escape

    lines = [escape(f"{f.file}:{f.line}:{f.column}: {f.id} {f.kind}: {f.message} → "
                    f"{f.suggestion}") for f in findings]
    lines.append(summary(findings, errors, scanned))
    return "\n".join(lines) + "\n"


def as_json(findings: list[Finding], errors: list[FileError], scanned: int) -> str:
    import json

    data = {"findings": [f.to_dict() for f in findings],
            "errors": [e.to_dict() for e in errors], "scanned": scanned}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _relative(path: str) -> str:
    """*path* with ``/`` separators and no leading ``./``."""
    import os

    path = path.replace(os.sep, "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(_relative(path), safe="/")


def sarif(findings: list[Finding], errors: list[FileError], scanned: int) -> str:
    """A SARIF 2.1.0 log with one run: the rules, one result per finding (a warning), and the
    files that could not be scanned as tool execution notifications."""
    import json

    from exitkit import __version__

    ids = list(RULES)
    rules = [{
        "id": rule_id,
        "name": kind,
        "shortDescription": {"text": description},
        "helpUri": f"{HELP_URI}#{rule_id.lower()}-{kind}",
        "defaultConfiguration": {"level": "warning"},
    } for rule_id, (kind, description) in RULES.items()]
    results = []
    for f in findings:
        properties: dict[str, object] = {"kind": f.kind, "suggestion": f.suggestion}
        for key in ("tool", "code", "name"):
            value = getattr(f, key)
            if value is not None:
                properties[key] = value
        results.append({
            "ruleId": f.id,
            "ruleIndex": ids.index(f.id),
            "level": "warning",
            "message": {"text": f"{f.message} → {f.suggestion}"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(f.file), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": f.line, "startColumn": f.column},
            }}],
            "properties": properties,
        })
    notifications = [{
        "level": "error",
        "message": {"text": e.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(e.file), "uriBaseId": "%SRCROOT%"}}}],
    } for e in errors]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "exitkit",
                "version": __version__,
                "informationUri": HELP_URI,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": not errors,
                "toolExecutionNotifications": notifications,
                "properties": {"scanned": scanned},
            }],
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def github(findings: list[Finding], errors: list[FileError], scanned: int) -> str:
    """One ``::warning`` per finding and one ``::error`` per file that could not be scanned,
    through the escaping of :func:`exitkit.run.report.github.command`; the summary last."""
    from exitkit.run.report.github import command

    lines = [command("warning", f"{f.message} → {f.suggestion}", file=f.file, line=str(f.line),
                     col=str(f.column), title=f"{f.id} {f.kind}") for f in findings]
    lines += [command("error", e.message, file=e.file, title="exitkit scan") for e in errors]
    lines.append(summary(findings, errors, scanned))
    return "\n".join(lines) + "\n"


def diff(findings: list[Finding], sources: dict[str, str]) -> tuple[str, int]:
    """A unified diff of the mechanical rewrites (``--diff``), and how many it holds. Paths are
    ``a/PATH`` and ``b/PATH`` for ``git apply`` or ``patch -p1`` from where the scan ran; when a
    file lies outside that directory, from the deepest directory that holds them all, which the
    first lines name (neither tool writes to ``../`` or absolute paths). A rewrite that touches
    another one's text is left out (it needs a person)."""
    import difflib
    import os

    chunks: list[str] = []
    count = 0
    fixed = sorted({f.file for f in findings if f.fix and f.file in sources})
    base = "."
    if any(_relative(os.path.relpath(p)).startswith("../") for p in fixed):
        base = os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in fixed])
    for path in fixed:
        before = sources[path]
        taken: list[tuple[int, int]] = []
        edits: list[tuple[int, int, str]] = []
        for finding in sorted((f for f in findings if f.file == path and f.fix),
                              key=lambda f: f.fix[0][:2]):
            # two rewrites of one command (`timeout 5 tool delete x || true`) would nest: the
            # first is kept, the other needs a person
            if any(start <= b and a <= stop for start, stop, _ in finding.fix for a, b in taken):
                continue
            taken.extend((start, stop) for start, stop, _ in finding.fix)
            edits.extend(finding.fix)
            count += 1
        after, end = [], 0
        for start, stop, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
            after.append(before[end:start])
            after.append(replacement)
            end = stop
        after.append(before[end:])
        new = "".join(after)
        name = _relative(os.path.relpath(os.path.abspath(path), os.path.abspath(base)))
        for line in difflib.unified_diff(before.splitlines(keepends=True),
                                         new.splitlines(keepends=True), f"a/{name}",
                                         f"b/{name}"):
            chunks.append(line if line.endswith("\n") else
                          line + "\n\\ No newline at end of file\n")
    if not chunks:
        return "", 0
    apply = "git apply FILE, or patch -p1 < FILE"
    if base != ".":
        from exitkit.text import escape

        apply = f"cd {escape(base)} && {apply}"
    head = (f"# exitkit scan --diff: {count} mechanical rewrite{'s' if count != 1 else ''}. "
            "Review each before\n# applying: a rewritten line fails where the old one let "
            "every failure pass, and needs\n# exitkit wherever the script runs. Apply with: "
            f"{apply}\n")
    return head + "".join(chunks), count


RENDER = {"text": text, "json": as_json, "sarif": sarif, "github": github}
