"""``--report FILE``: the whole story of a run as one JSON object."""

from __future__ import annotations

from exitkit.run.report import Reporter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from exitkit.run.report.stderr import StderrReporter
    from exitkit.run.result import RunResult


class JsonReporter(Reporter):
    """Writes :meth:`RunResult.to_dict` to *path*; a failure to write is a warning on stderr."""

    def __init__(self, path: str, stderr: StderrReporter) -> None:
        self.path = path
        self.stderr = stderr

    def finished(self, result: RunResult) -> None:
        import json

        try:
            with open(self.path, "w", encoding="utf-8") as fh:
                json.dump(result.to_dict(), fh, indent=2, ensure_ascii=False)
                fh.write("\n")
        except OSError as exc:
            self.stderr.say(f"cannot write --report {self.path}: {exc.strerror or exc}")
