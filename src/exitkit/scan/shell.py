"""The rules over one snippet of shell code, parsed by tree-sitter-bash.

One pass walks the statements in the order they run and keeps what a reader of the script keeps
in mind: which command ``$?`` is the status of, which variables hold a saved status (``rc=$?``,
``|| rc=$?``, ``${PIPESTATUS[n]}``), and which functions the script defines. Each comparison of
such a status with a number, each ``|| true``, each retry loop and each ``timeout`` is then judged
with the contract of the command behind it, which :func:`exitkit.contracts.resolve.contract_for`
picks exactly as ``exitkit run`` would.

Findings are produced with offsets into the snippet; :mod:`exitkit.scan.engine` maps them to the
file and applies suppressions.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from exitkit._status import COMMAND_NOT_FOUND, NOT_EXECUTABLE, RUN_FAILED
from exitkit.contracts.resolve import _is_assignment
from exitkit.errors import ExitkitError

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

    from exitkit.contracts.model import Contract

#: Commands that are the shell's own, or shells: a status of theirs says nothing about a tool.
BUILTINS = frozenset({
    ".", ":", "[", "[[", "alias", "bg", "bind", "break", "builtin", "caller", "cd", "command",
    "compgen", "complete", "continue", "declare", "dirs", "disown", "echo", "enable", "eval",
    "exec", "exit", "export", "false", "fc", "fg", "getopts", "hash", "help", "history", "jobs",
    "kill", "let", "local", "logout", "mapfile", "popd", "printf", "pushd", "pwd", "read",
    "readarray", "readonly", "return", "set", "shift", "shopt", "source", "suspend", "test",
    "times", "trap", "true", "type", "typeset", "ulimit", "umask", "unalias", "unset", "wait",
    "sleep", "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox",
})
#: Verbs after which "already gone" is the failure a script means to tolerate.
DELETE_VERBS = frozenset({"delete", "remove", "rm", "destroy", "uninstall", "del", "rmi",
                          "purge", "teardown", "down"})
#: Commands that are themselves the deletion (``userdel NAME || true``).
DELETE_COMMANDS = frozenset({"userdel", "groupdel", "deluser", "delgroup", "rmdir", "unlink"})
EQUAL = frozenset({"-eq", "==", "="})
NOT_EQUAL = frozenset({"-ne", "!="})
_TRUE = frozenset({"true", ":", "/bin/true", "/usr/bin/true"})
def timeout_codes() -> tuple[int, int]:
    """GNU timeout's own statuses, from its built-in contract: (timed out, killed after
    --kill-after)."""
    from exitkit.contracts.loader import load_builtin

    contract = load_builtin("timeout")
    return contract["timed-out"].code, contract["killed"].code


#: A word that is not literal text (an expansion): never equal to anything in a [match].
OPAQUE = "\x00"


def parser() -> Parser:
    """A tree-sitter parser for bash (sh, dash and the rest parse as bash does for our needs)."""
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


#: One change of a mechanical rewrite: the snippet's bytes ``[start, end)`` become ``text``.
Edit = tuple[int, int, str]
#: What an inserted word may hold for the rewrite to stay mechanical: nothing a shell, make or
#: a workflow expression would read differently.
_PLAIN_WORD = re.compile(r"[A-Za-z0-9_.,:+/=%@-]+")


class Raw:
    """A finding before it is placed in a file: a snippet offset (bytes), the finding's fields,
    and the *edits* of its mechanical rewrite (empty when it needs a person)."""

    __slots__ = ("code", "edits", "id", "message", "name", "offset", "suggestion", "tool")

    def __init__(self, offset: int, id: str, message: str, suggestion: str, *,
                 tool: str | None = None, code: int | None = None,
                 name: str | None = None, edits: tuple[Edit, ...] = ()) -> None:
        self.offset = offset
        self.id = id
        self.message = message
        self.suggestion = suggestion
        self.tool = tool
        self.code = code
        self.name = name
        self.edits = edits


class Cmd:
    """A simple command: its node, its words (literal text, or :data:`OPAQUE`)."""

    __slots__ = ("argv", "node")

    def __init__(self, node: Node, argv: list[str]) -> None:
        self.node = node
        self.argv = argv

    @property
    def name(self) -> str | None:
        """The real command's basename (after assignments and wrappers), if literal."""
        from exitkit.contracts.resolve import command_word

        index = command_word(self.argv)
        if index is None or OPAQUE in self.argv[index]:
            return None
        return os.path.basename(self.argv[index])

    @property
    def first(self) -> str | None:
        """The first word after ``VAR=value`` assignments (``timeout`` itself), if literal."""
        for word in self.argv:
            if not _is_assignment(word):
                return None if OPAQUE in word else os.path.basename(word)
        return None

    def text(self) -> str:
        """The command as written, backslash continuations joined into one line."""
        return flat(_text(self.node))


class Resolver:
    """:func:`contract_for`, cached by command line (a script runs the same lines again and
    again); a broken contract reads as none here (``exitkit lint`` is where it is reported)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, ...], Contract | None] = {}

    def __call__(self, argv: list[str], explicit: str | None = None) -> Contract | None:
        key = (*argv, "\x00-c", explicit or "")
        if key in self._cache:
            return self._cache[key]
        from exitkit.contracts.resolve import contract_for

        try:
            contract = contract_for(argv, explicit)
        except ExitkitError:
            contract = None
        self._cache[key] = contract
        return contract


#: ``exitkit run``'s own statuses besides a timeout: it failed, CMD cannot run.
EXITKIT_RUN_OWN = frozenset({RUN_FAILED, NOT_EXECUTABLE, COMMAND_NOT_FOUND})


class Wrapped:
    """``exitkit run [OPTIONS] [--] CMD…``: CMD's words, the contract named by ``-c``, whether a
    timeout was set (then 124 means one), and the ``--ok`` values."""

    __slots__ = ("argv", "explicit", "ok", "timed")

    def __init__(self, argv: list[str], explicit: str | None, timed: bool,
                 ok: list[str]) -> None:
        self.argv = argv
        self.explicit = explicit
        self.timed = timed
        self.ok = ok

    def tolerates(self, code: int, contract: Contract | None) -> bool:
        """Whether ``--ok`` turns *code* into 0 (then comparing the status with it is never
        true)."""
        if not self.ok or any(OPAQUE in value for value in self.ok):
            return False
        from exitkit.run.policy import codes

        try:
            return code in codes("--ok", [v for item in self.ok for v in item.split(",") if v],
                                 contract)
        except ExitkitError:
            return False


def exitkit_run(argv: list[str]) -> Wrapped | None:
    """``exitkit run``'s parts when *argv* is one; ``None`` for any other exitkit command."""
    from exitkit.contracts.resolve import command_word
    from exitkit.run.command import COMMAND

    index = command_word(argv)
    if index is None or index + 1 >= len(argv) or argv[index + 1] != "run":
        return None
    # the options that take a value, from exitkit run's own declaration
    takes_value = {name for option in COMMAND.options if option.takes_value
                   for name in option.names}
    explicit: str | None = None
    timed = False
    ok: list[str] = []
    i = index + 2
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "--":
        option, has_value, value = argv[i].partition("=")
        if option in takes_value and not has_value:
            value = argv[i + 1] if i + 1 < len(argv) else ""
            i += 1
        if option in ("-c", "--contract") and OPAQUE not in value:
            explicit = value
        timed = timed or option in ("--timeout", "--max-time")
        if option == "--ok":
            ok.append(value)
        i += 1
    if i < len(argv) and argv[i] == "--":
        i += 1
    return Wrapped(argv[i:], explicit, timed, ok)


def flat(text: str) -> str:
    """*text* with its backslash-newline continuations (and the indentation after them) turned
    into single spaces: a command that spans lines, quoted on one."""
    return re.sub(r"\\\r?\n[ \t]*", " ", text)


def _text(node: Node) -> str:
    data = node.text
    return data.decode("utf-8", "surrogateescape") if data is not None else ""


def literal(node: Node) -> str | None:
    """The text a word stands for when it holds no expansion, else ``None``."""
    kind = node.type
    if kind in ("word", "number"):
        text = _text(node)
        return text.replace("\\", "") if "\\" in text else text
    if kind == "raw_string":
        return _text(node)[1:-1]
    if kind == "string":
        parts = node.named_children
        if all(part.type == "string_content" for part in parts):
            return "".join(_text(part) for part in parts)
        return None
    if kind == "concatenation":
        pieces = [literal(part) for part in node.named_children]
        return None if any(p is None for p in pieces) else "".join(p or "" for p in pieces)
    return None


_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect", "comment"})


def command_of(node: Node | None) -> Cmd | None:
    """The simple command a statement runs last (unwrapping redirections), if it is one."""
    while node is not None and node.type in ("redirected_statement", "list", "pipeline"):
        node = node.child_by_field_name("body") if node.type == "redirected_statement" \
            else (node.named_children[-1] if node.named_children else None)
    if node is None or node.type != "command":
        return None
    words = [c for c in node.named_children if c.type not in _REDIRECTS]
    if len(words) == 1 and words[0].type == "command_name" and words[0].named_children and \
            words[0].named_children[0].type == "command_substitution":
        # `until $(kubectl get pods &>/dev/null)`: with no output left to run, the status is
        # the substitution's, so its last command's
        statements = words[0].named_children[0].named_children
        return command_of(statements[-1]) if statements else None
    argv: list[str] = []
    for child in node.named_children:
        if child.type == "variable_assignment":
            word = literal(child.child_by_field_name("value") or child)
            name = child.child_by_field_name("name")
            argv.append(f"{_text(name) if name else 'X'}={word if word is not None else OPAQUE}")
        elif child.type == "command_name":
            inner = child.named_children[0] if child.named_children else child
            word = literal(inner)
            argv.append(OPAQUE if word is None else word)
        elif child.type in ("file_redirect", "heredoc_redirect", "herestring_redirect",
                            "comment"):
            continue
        else:
            word = literal(child)
            argv.append(OPAQUE if word is None else word)
    return Cmd(node, argv)


# -- status references ------------------------------------------------------------------------


def status_ref(node: Node) -> tuple[str, str | int] | None:
    """What status *node* reads: ``("?", "?")`` for ``$?``, ``("var", "rc")`` for ``$rc``,
    ``("pipe", 0)`` for ``${PIPESTATUS[0]}``; ``None`` for anything else."""
    kind = node.type
    if kind == "string":
        inner = [c for c in node.named_children if not (c.type == "string_content"
                                                       and not _text(c).strip())]
        return status_ref(inner[0]) if len(inner) == 1 else None
    if kind in ("simple_expansion", "expansion"):
        children = node.named_children
        if len(children) != 1:
            return None
        child = children[0]
        if child.type == "special_variable_name":
            return ("?", "?") if _text(child) == "?" else None
        if child.type == "variable_name":
            return ("var", _text(child))
        if child.type == "subscript":
            name = child.child_by_field_name("name")
            index = child.child_by_field_name("index")
            if name is not None and _text(name) == "PIPESTATUS" and index is not None \
                    and _text(index).isdigit():
                return ("pipe", int(_text(index)))
        return None
    if kind == "variable_name":  # inside (( ))
        return ("var", _text(node))
    return None


def number(node: Node) -> int | None:
    word = literal(node)
    if word is not None and word.isdigit() and len(word) <= 3:
        return int(word)
    return None


class Comparison:
    """``STATUS OP N``: the status node's reference, the number and its node, the operator."""

    __slots__ = ("code", "equal", "number", "ref")

    def __init__(self, ref: tuple[str, str | int], code: int, number: Node, equal: bool) -> None:
        self.ref = ref
        self.code = code
        self.number = number
        self.equal = equal


def comparisons(node: Node) -> list[Comparison]:
    """The status comparisons in a ``[ ]``, ``[[ ]]`` or ``(( ))`` expression."""
    found: list[Comparison] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "binary_expression":
            op_node = current.child_by_field_name("operator")
            left = current.child_by_field_name("left")
            right = current.child_by_field_name("right")
            op = _text(op_node) if op_node is not None else ""
            if left is not None and right is not None and op in EQUAL | NOT_EQUAL:
                for a, b in ((left, right), (right, left)):
                    ref, code = status_ref(a), number(b)
                    if ref is not None and code is not None:
                        found.append(Comparison(ref, code, b, op in EQUAL))
                        break
        if current.type not in ("command_substitution", "subshell"):
            stack.extend(reversed(current.named_children))
    found.reverse()
    return found


def test_command_comparisons(node: Node) -> list[Comparison]:
    """The comparisons of ``test X -eq N`` / ``[ X -eq N ]`` written as a plain command."""
    args = [c for c in node.named_children if c.type != "command_name"]
    found = []
    for k in range(len(args) - 2):
        op = literal(args[k + 1])
        if op not in EQUAL | NOT_EQUAL:
            continue
        for a, b in ((args[k], args[k + 2]), (args[k + 2], args[k])):
            ref, code = status_ref(a), number(b)
            if ref is not None and code is not None:
                found.append(Comparison(ref, code, b, op in EQUAL))
                break
    return found


# -- consequences: does a branch fail, or succeed? -------------------------------------------


def _commands_in(nodes: list[Node]) -> Iterator[Node]:
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if node.type in ("command", "variable_assignment"):
            yield node
        if node.type not in ("command_substitution", "function_definition"):
            stack.extend(reversed(node.named_children))


def fails(nodes: list[Node]) -> bool:
    """Whether *nodes* end the script or function with a failure: ``exit 1``, ``exit "$rc"``,
    ``return $?``, ``false``."""
    for node in _commands_in(nodes):
        cmd = command_of(node)
        if cmd is None or not cmd.argv:
            continue
        head = cmd.argv[0]
        if head in ("exit", "return"):
            if len(cmd.argv) > 1 and cmd.argv[1] != "0":
                return True
        elif head == "false":
            return True
    return False


def succeeds(nodes: list[Node], var: str | None) -> bool:
    """Whether *nodes* turn the status into success: ``exit 0``, ``return 0``, ``true``, ``:``,
    or ``rc=0`` for the variable that held it."""
    for node in _commands_in(nodes):
        if node.type == "variable_assignment":
            name = node.child_by_field_name("name")
            value = node.child_by_field_name("value")
            if var is not None and name is not None and _text(name) == var and value is not None \
                    and _text(value) == "0":
                return True
            continue
        cmd = command_of(node)
        if cmd is None or not cmd.argv:
            continue
        if cmd.argv[0] in ("exit", "return") and cmd.argv[1:2] in ([], ["0"]):
            return cmd.argv[1:2] == ["0"]
        if cmd.argv[0] in _TRUE and len(cmd.argv) == 1:
            return True
    return False


class Context:
    """Where a test stands: what runs when it is true, and when it is false."""

    __slots__ = ("on_false", "on_true")

    def __init__(self, on_true: list[Node] | None = None,
                 on_false: list[Node] | None = None) -> None:
        self.on_true = on_true or []
        self.on_false = on_false or []


NO_CONTEXT = Context()


class Status:
    """The command whose exit status a reference reads, and the pipeline it ended."""

    __slots__ = ("cmd", "pipeline")

    def __init__(self, cmd: Cmd | None, pipeline: list[Cmd | None] | None = None) -> None:
        self.cmd = cmd
        self.pipeline = pipeline or [cmd]


# -- the walk ---------------------------------------------------------------------------------


class Analysis:
    """One snippet's findings: ``Analysis(tree.root_node, resolver).run()``."""

    def __init__(self, root: Node, resolve: Callable[..., Contract | None], *,
                 errexit: bool = False) -> None:
        self.root = root
        #: Whether the shell runs the snippet with ``-e`` from its start (a workflow step).
        self.errexit = errexit
        self.resolve = resolve
        self.last = Status(None)
        self.saved: dict[str, Status] = {}
        self.functions: set[str] = set()
        self.raw: list[Raw] = []
        #: teardown findings by the command they are about: several codes join one finding
        self.dances: dict[tuple[int, int], Raw] = {}
        #: the command and the codes of each teardown finding, for its rewrite
        self.dance_parts: dict[tuple[int, int], tuple[Cmd, set[int]]] = {}
        self.reported: set[tuple[int, str]] = set()
        #: every simple command, in order (a workflow step's comparison needs its last tool)
        self.commands: list[Cmd] = []

    def run(self) -> list[Raw]:
        self.functions = {_text(name) for name in _descendants(self.root, "function_definition",
                                                                 "name")}
        self.block(self.root.named_children)
        for key, raw in self.dances.items():
            cmd, codes = self.dance_parts[key]
            raw.edits = self.dance_edits(cmd, raw.name or "", codes)
        return self.raw

    def emit(self, raw: Raw) -> None:
        key = (raw.offset, raw.id)
        if key not in self.reported:
            self.reported.add(key)
            self.raw.append(raw)

    # statements

    def block(self, nodes: list[Node], context: Context = NO_CONTEXT) -> None:
        for node in nodes:
            self.statement(node, context)

    def statement(self, node: Node, context: Context = NO_CONTEXT) -> None:
        kind = node.type
        if kind == "comment":
            return
        if kind == "command":
            self.command(node, context)
        elif kind == "redirected_statement":
            body = node.child_by_field_name("body")
            if body is not None:
                self.statement(body, context)
            self.substitutions(node, skip=body)
        elif kind == "pipeline":
            cmds: list[Cmd | None] = []
            for child in node.named_children:
                self.statement(child)
                cmds.append(command_of(child))
            self.last = Status(cmds[-1] if cmds else None, cmds)
        elif kind == "list":
            self.list_(node, context)
        elif kind == "negated_command":
            self.block(node.named_children, Context(context.on_false, context.on_true))
            self.last = Status(None)
        elif kind == "variable_assignment":
            self.assign(node)
        elif kind in ("declaration_command", "variable_assignments"):
            for child in node.named_children:
                if child.type == "variable_assignment":
                    self.assign(child)
        elif kind == "if_statement":
            self.if_(node)
        elif kind == "while_statement":
            self.while_(node)
        elif kind in ("for_statement", "c_style_for_statement"):
            self.for_(node)
        elif kind == "case_statement":
            self.case(node)
        elif kind == "test_command":
            self.compare(comparisons(node), context)
            self.substitutions(node)
            self.last = Status(None)
        elif kind == "compound_statement" and node.children and node.children[0].type == "((":
            self.compare(comparisons(node), context)
            self.last = Status(None)
        elif kind == "function_definition":
            saved = (self.last, dict(self.saved))
            self.last, self.saved = Status(None), {}
            body = node.child_by_field_name("body")
            if body is not None:
                self.statement(body)
            self.last, self.saved = saved[0], saved[1]
        else:  # compound statements, subshells, do groups, error-recovery nodes …
            self.block(node.named_children)
            if kind in ("compound_statement", "subshell", "ERROR"):
                self.last = Status(None)

    def command(self, node: Node, context: Context) -> None:
        cmd = command_of(node)
        self.substitutions(node)
        if cmd is None:
            return
        self.commands.append(cmd)
        if cmd.argv and cmd.argv[0] in ("test", "[", "[["):
            self.compare(test_command_comparisons(node), context)
            self.last = Status(None)
            return
        self.check_timeout_collision(cmd)
        self.last = Status(cmd)

    def substitutions(self, node: Node, skip: Node | None = None) -> Status | None:
        """Walk the ``$( … )`` inside *node*'s words; the status of the last one, for an
        assignment (``out=$(curl …); rc=$?``)."""
        status = None
        stack = [c for c in node.named_children if c is not skip]
        found: list[Node] = []
        while stack:
            current = stack.pop()
            if current.type in ("command_substitution", "process_substitution"):
                found.append(current)
                continue
            stack.extend(current.named_children)
        for sub in sorted(found, key=lambda n: n.start_byte):
            before = (self.last, dict(self.saved))
            self.block(sub.named_children)
            status = self.last
            self.last, self.saved = before[0], before[1]
        return status

    def list_(self, node: Node, context: Context) -> None:
        children = node.named_children
        if len(children) < 2:
            self.block(children, context)
            return
        left, right = children[0], children[-1]
        op = next((c.type for c in node.children if c.type in ("&&", "||")), "&&")
        if op == "&&":
            self.statement(left, Context(on_true=[right]))
        else:
            self.statement(left, Context(on_false=[right]))
        left_status = self.last
        if op == "||":
            self.check_or_true(left, right)
        self.statement(right, context)
        if op == "||" and right.type == "variable_assignment":
            self.last = left_status

    def assign(self, node: Node) -> None:
        name = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        status = self.substitutions(node)
        if status is not None:
            self.last = status
        if name is None:
            return
        var = _text(name)
        ref = status_ref(value) if value is not None else None
        if ref is not None and ref[0] == "?":
            self.saved[var] = self.last
        elif ref is not None and ref[0] == "pipe":
            pipeline = self.last.pipeline
            index = int(ref[1])
            self.saved[var] = Status(pipeline[index] if index < len(pipeline) else None)
        else:
            self.saved.pop(var, None)

    def if_(self, node: Node) -> None:
        conditions, body, rest = if_parts(node)
        self.block(conditions, Context(body, rest))
        after_condition = self.last
        self.block(body)
        for clause in rest:
            self.last = after_condition
            if clause.type == "elif_clause":
                self.if_(clause)
            else:
                self.block(clause.named_children)
        self.last = Status(None)

    def while_(self, node: Node) -> None:
        keyword = node.children[0].type if node.children else "while"
        conditions = node.children_by_field_name("condition")
        body = node.child_by_field_name("body")
        named = [c for c in conditions if c.is_named]
        if len(named) == 1:
            target = named[0]
            negated = target.type == "negated_command"
            if negated:
                target = target.named_children[0] if target.named_children else target
            if (keyword == "until") != negated:
                self.check_retry(node, command_of(target), body, None)
        self.block(named)
        if body is not None:
            self.statement(body)
        self.last = Status(None)

    def for_(self, node: Node) -> None:
        body = node.child_by_field_name("body")
        if body is not None:
            for child in body.named_children:
                target = None
                if child.type == "list":
                    parts = child.named_children
                    ops = [c.type for c in child.children if c.type in ("&&", "||")]
                    if len(parts) == 2 and ops == ["&&"] and _is_break(parts[1]):
                        target = parts[0]
                elif child.type == "if_statement":
                    conditions, then, rest = if_parts(child)
                    named = [c for c in conditions if c.is_named]
                    if len(named) == 1 and not rest and len(then) == 1 and _is_break(then[0]):
                        target = named[0]
                if target is not None:
                    self.check_retry(node, command_of(target), body, node)
                    break
        self.block([c for c in node.named_children if c is not body])
        if body is not None:
            self.statement(body)
        self.last = Status(None)

    def case(self, node: Node) -> None:
        value = node.child_by_field_name("value")
        ref = status_ref(value) if value is not None else None
        items = [c for c in node.named_children if c.type == "case_item"]
        if ref is not None:
            status = self.lookup(ref)
            var = str(ref[1]) if ref[0] == "var" else None
            failing = [fails(_item_body(item)) for item in items]
            for k, item in enumerate(items):
                body = _item_body(item)
                tolerated = not failing[k] and (succeeds(body, var) or any(
                    failing[j] for j in range(len(items)) if j != k))
                for pattern in item.children_by_field_name("value"):
                    code = number(pattern)
                    if code is not None:
                        self.judge(status, code, pattern, tolerated, ref)
        for item in items:
            self.block(_item_body(item))
        self.last = Status(None)

    # judgements

    def lookup(self, ref: tuple[str, str | int]) -> Status:
        if ref[0] == "?":
            return self.last
        if ref[0] == "pipe":
            pipeline = self.last.pipeline
            index = int(ref[1])
            return Status(pipeline[index] if index < len(pipeline) else None)
        return self.saved.get(str(ref[1]), Status(None))

    def compare(self, found: list[Comparison], context: Context) -> None:
        for comparison in found:
            status = self.lookup(comparison.ref)
            var = str(comparison.ref[1]) if comparison.ref[0] == "var" else None
            if comparison.equal:
                tolerated = succeeds(context.on_true, var) or (
                    fails(context.on_false) and not fails(context.on_true))
            else:
                tolerated = fails(context.on_true)
            self.judge(status, comparison.code, comparison.number, tolerated, comparison.ref)

    def judge(self, status: Status, code: int, at: Node, tolerated: bool,
              ref: tuple[str, str | int]) -> None:
        """A status compared with *code*: timeout-124, teardown-dance or magic-number."""
        cmd = status.cmd
        if code == 0 or cmd is None:
            return
        name = cmd.name
        first = cmd.first
        if first == "timeout" and code in timeout_codes():
            self.timeout_finding(cmd, code, checked=True)
            return
        if name is None or name in BUILTINS or name in self.functions:
            return
        wrapped = exitkit_run(cmd.argv) if name == "exitkit" else None
        if wrapped is not None:  # `exitkit run … -- CMD`: CMD's status, or exitkit run's own
            if code in EXITKIT_RUN_OWN or (code == timeout_codes()[0] and wrapped.timed):
                return  # its documented statuses: 124 is a timeout, always (docs/run.md)
            cmd = Cmd(cmd.node, wrapped.argv)
            name = cmd.name
            if name is None:
                return
        contract = self.resolve(cmd.argv, wrapped.explicit if wrapped is not None else None)
        shown = _ref_text(ref)
        if wrapped is not None and wrapped.tolerates(code, contract):
            self.emit(Raw(
                at.start_byte, "EK101",
                f"{shown} compared with {code}, which exitkit run's --ok "
                f"{','.join(wrapped.ok)} turns into 0: never true",
                "drop the comparison, or take the code out of --ok",
                tool=contract.name if contract is not None else name, code=code))
            return
        if contract is None:
            self.emit(Raw(
                at.start_byte, "EK101",
                f"{shown} compared with {code}, a code of {name}, which has no exit-code "
                f"contract", f"write one (.exitkit/{name}.toml) or draft it with 'exitkit import "
                f"man:{name}', then use its constant", tool=name, code=code))
            return
        exit = contract.lookup(code)
        if exit is None:
            self.emit(Raw(
                at.start_byte, "EK101",
                f"{shown} compared with {code}, which {contract.name}'s contract does not define",
                f"check the code ('exitkit show {contract.name}' lists them)",
                tool=contract.name, code=code))
            return
        if tolerated:
            self.dance(cmd, contract, exit.name, code)
            return
        constant = contract.constant(exit)
        var = "$rc" if ref[0] != "var" else f"${ref[1]}"
        self.emit(Raw(
            at.start_byte, "EK101",
            f"{shown} compared with {code}: {contract.name}'s {exit.name} ({exit.meaning})",
            f'"${constant}", or {contract.ident}_exit_is {exit.name} "{var}" '
            f'(eval "$(exitkit shell bash {contract.name})")',
            tool=contract.name, code=code, name=exit.name))

    def dance(self, cmd: Cmd, contract: Contract, name: str, code: int) -> None:
        key = (cmd.node.start_byte, cmd.node.end_byte)
        existing = self.dances.get(key)
        if existing is not None:
            self.dance_parts[key][1].add(code)
            if existing.name is not None and name not in existing.name.split(","):
                existing.name += "," + name
                existing.message = _dance_message(contract.name, existing.name)
                existing.suggestion = _wrap(cmd, f"--ok {existing.name}")
            return
        raw = Raw(cmd.node.start_byte, "EK103", _dance_message(contract.name, name),
                  _wrap(cmd, f"--ok {name}"), tool=contract.name, code=code, name=name)
        self.dances[key] = raw
        self.dance_parts[key] = (cmd, {code})
        self.emit(raw)

    def dance_edits(self, cmd: Cmd, names: str, codes: set[int]) -> tuple[Edit, ...]:
        """The rewrite of the simple dance, exactly the one exitkit's README shows::

            set +e
            CMD
            rc=$?
            set -e
            if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then
                exit "$rc"
            fi

        becomes ``exitkit run --ok NAME -- CMD`` where errexit is sure to be on (a top-level
        ``set -e`` before it), else ``exitkit run --ok NAME -- CMD || exit`` and the dance's
        ``set -e``: the same statuses fail, with the same code. Any other shape (an ``else``, a
        message, ``rc`` read elsewhere) needs a person: no edits."""
        parent = cmd.node.parent
        if parent is None:
            return ()
        siblings = parent.named_children
        k = next((k for k, node in enumerate(siblings) if node == cmd.node), None)
        if k is None or k < 1 or k + 3 >= len(siblings):
            return ()
        set_off, save, set_on, check = siblings[k - 1], siblings[k + 1], siblings[k + 2], \
            siblings[k + 3]
        if not (_is_command(set_off, ["set", "+e"]) and _is_command(set_on, ["set", "-e"])
                and save.type == "variable_assignment" and check.type == "if_statement"):
            return ()
        name, value = save.child_by_field_name("name"), save.child_by_field_name("value")
        if name is None or value is None or status_ref(value) != ("?", "?"):
            return ()
        var = _text(name)
        conditions, body, rest = if_parts(check)
        if rest or len(body) != 1 or len(conditions) != 1:
            return ()
        leave = command_of(body[0])
        if leave is None or body[0].type != "command" or len(leave.argv) != 2 \
                or leave.argv[0] != "exit":
            return ()
        argument = [c for c in body[0].named_children if c.type != "command_name"]
        if len(argument) != 1 or _status_variable(argument[0]) != var:
            return ()
        found = comparisons(conditions[0])
        ops = {c.type if c.type != "word" else _text(c) for c in _all_nodes(conditions[0])}
        if not found or not _only_tests(conditions[0]) or ops & {"||", "!", "-o"} or any(
                c.ref != ("var", var) or c.equal for c in found):
            return ()
        if {c.code for c in found} != {0, *codes}:
            return ()
        # VAR must be used by the dance alone: read anywhere else (later, in a trap or a
        # function defined earlier, in arithmetic), removing it would change that reader
        whole = self.root.text or b""
        outside = whole[:set_off.start_byte] + b"\n" + whole[check.end_byte:]
        if re.search(rb"(?<![\w])" + re.escape(var.encode()) + rb"(?!\w)", outside):
            return ()
        insert = _insert_at(cmd)
        if insert is None:
            return ()
        prefix = f"exitkit run --ok {names} -- "
        if parent.type == "program" and self.errexit_before(set_off.start_byte):
            # errexit is on where the dance stands: a failing `exitkit run` ends the script
            # with its status, exactly as `exit "$rc"` did
            return ((set_off.start_byte, cmd.node.start_byte, ""), (insert, insert, prefix),
                    (cmd.node.end_byte, check.end_byte, ""))
        # elsewhere (no `set -e` before it, a function, a branch): exit as the dance did, and
        # leave errexit on after it, as the dance did
        return ((set_off.start_byte, cmd.node.start_byte, ""), (insert, insert, prefix),
                (cmd.node.end_byte, save.end_byte, " || exit"),
                (set_on.end_byte, check.end_byte, ""))

    def errexit_before(self, offset: int) -> bool:
        """Whether a top-level ``set -e`` (``-eu``, ``-o errexit`` …) or a ``#!`` with ``-e``
        comes before *offset*, and nothing undoes it: no top-level ``set +e``, and nothing that
        could switch it off out of sight — a function of the file's that runs ``set +e``, or a
        ``source``, ``.`` or ``eval`` before *offset*."""
        on = self.errexit
        for node in _all_nodes(self.root):
            if node.type == "function_definition" and any(
                    _turns_errexit(command_of(inner)) is False for inner in _all_nodes(node)
                    if inner.type == "command"):
                return False
            if node.type == "command" and node.start_byte < offset:
                cmd = command_of(node)
                if cmd is not None and cmd.name in ("source", ".", "eval"):
                    return False
        first = self.root.named_children[0] if self.root.named_children else None
        if first is not None and first.type == "comment" and first.start_byte == 0:
            words = _text(first)[2:].split() if _text(first).startswith("#!") else []
            on = on or any(w.startswith("-") and not w.startswith("--") and "e" in w
                           for w in words[1:])
        for node in self.root.named_children:
            if node.start_byte >= offset:
                break
            turned = _turns_errexit(command_of(node) if node.type == "command" else None)
            if turned is not None:
                on = turned
        return on

    def check_or_true(self, left: Node, right: Node) -> None:
        target = command_of(right)
        if target is None or len(target.argv) != 1 or target.argv[0] not in _TRUE:
            return
        cmd = command_of(left)
        if cmd is None or cmd.name is None or cmd.name in BUILTINS or cmd.name in self.functions:
            return
        if any(w.startswith("--ignore-not-found") for w in cmd.argv):
            return  # kubectl tolerates exactly "not found" itself
        contract = self.resolve(cmd.argv)
        if contract is None:
            return
        name = _tolerable(cmd, contract)
        code = _code_of(contract, name)
        # exitkit run wraps the command itself, not the pipeline or redirections around it
        text = _wrap(cmd, f"--ok {name or 'NAME'}", left)
        if name is None:
            names = ", ".join(e.name for e in contract.exits if e.kind != "success")
            names += "".join(f", {o.name}" for o in contract.outcomes)
            self.emit(Raw(
                cmd.node.start_byte, "EK102",
                f"'|| {_text(right)}' tolerates every failure of {contract.name}, where one was "
                f"probably meant", f"{text} (NAME: the failure meant: "
                f"{names.lstrip(', ')})", tool=contract.name))
            return
        from exitkit.contracts import known_tools

        kind = _kind_of(contract, name)
        tool = known_tools.command_of(contract)
        verbs = known_tools.OWN_WAY_VERBS.get(tool)
        index = _verb_index(cmd)
        verb = cmd.argv[index:index + 2] if index is not None else []
        if verb[:1] == ["container"]:  # docker container rm
            verb = verb[1:]
        way = known_tools.own_way(tool, kind) if kind and (
            verbs is None or (bool(verb) and verb[0] in verbs)) else None
        also = f"; {way} does it too, where it suffices" if way is not None else ""
        # Mechanical only for a command on its own (with its redirections), as a statement of its
        # own: in a pipeline, after `a &&`, before `&& b`, or as a condition, dropping `|| true`
        # changes what happens next rather than failing.
        insert = _insert_at(cmd)
        simple = _plain_statement(left.parent) and (
            cmd.node == left or (left.type == "redirected_statement"
                                 and left.child_by_field_name("body") == cmd.node))
        edits = ((insert, insert, f"exitkit run --ok {name} -- "),
                 (left.end_byte, right.end_byte, "")) if simple and insert is not None else ()
        self.emit(Raw(
            cmd.node.start_byte, "EK102",
            f"'|| {_text(right)}' tolerates every failure of {contract.name}, not only "
            f"{name}{also}", text, tool=contract.name, code=code, name=name, edits=edits))

    def check_retry(self, loop: Node, cmd: Cmd | None, body: Node | None,
                    for_loop: Node | None) -> None:
        if cmd is None or cmd.name is None or cmd.name in BUILTINS or cmd.name in self.functions:
            return
        contract = self.resolve(cmd.argv)
        if contract is None:
            return
        sleep = _sleep_of(body)
        retries = _iterations(for_loop) if for_loop is not None else None
        retry_on = [e.name for e in contract.exits if e.retryable and e.kind != "success"]
        retry_on += [o.name for o in contract.outcomes if o.retryable]
        options = f"--retries {retries if retries is not None else 'N'}"
        if retry_on:
            options += f" --retry-on {','.join(retry_on)}"
        if sleep is not None:
            options += f" --backoff {sleep}"
        what = "a loop of retries" if for_loop is not None else "a wait loop"
        self.emit(Raw(
            loop.start_byte, "EK105",
            f"{what} around {contract.name}, retrying on every failure"
            + (f", not only {', '.join(retry_on)}" if retry_on else ""),
            f"exitkit run {options} -- {cmd.text()}", tool=contract.name,
            name=",".join(retry_on) or None))

    def timeout_finding(self, cmd: Cmd, code: int, *, checked: bool,
                        inner_contract: Contract | None = None) -> None:
        argv = cmd.argv
        # the nodes of argv's words, one for one (assignments included, redirections not)
        words = [c for c in cmd.node.named_children if c.type not in (
            "file_redirect", "heredoc_redirect", "herestring_redirect", "comment")]
        start = next((k for k, word in enumerate(argv) if not _is_assignment(word)), 0)
        options: list[str] = []
        # a rewrite is mechanical when every option has exitkit run's meaning (the statuses of
        # --preserve-status, --foreground or -v are not exitkit's) and every word is plain
        mechanical = code == timeout_codes()[0]
        i = start + 1
        while i < len(argv) and argv[i].startswith("-") and argv[i] != "--":
            word = argv[i]
            if word in ("-s", "--signal", "-k", "--kill-after") and i + 1 < len(argv):
                flag = "--signal" if word in ("-s", "--signal") else "--kill-after"
                value = argv[i + 1] if flag == "--signal" else _duration(argv[i + 1])
                options.append(f"{flag} {value}")
                i += 2
                continue
            if word.startswith(("--signal=", "--kill-after=")):
                flag, _, value = word.partition("=")
                options.append(f"{flag} {_duration(value) if 'kill' in flag else value}")
            else:
                mechanical = False
            i += 1
        if i < len(argv) and argv[i] == "--":
            i += 1
        if i >= len(argv):
            return
        duration = _duration(argv[i]) if OPAQUE not in argv[i] else _text(words[i])
        rest_at = i + 1
        if rest_at >= len(words):
            return
        source = cmd.node.text or b""
        before = flat(source[:words[start].start_byte - cmd.node.start_byte].decode(
            "utf-8", "surrogateescape"))  # VAR=value, `command`: they stay in front
        inner = flat(source[words[rest_at].start_byte - cmd.node.start_byte:].decode(
            "utf-8", "surrogateescape"))
        contract = inner_contract or self.resolve(argv[rest_at:])
        tool = contract.name if contract is not None else cmd.name
        opts = " ".join([f"--timeout {duration}", *options])
        if checked:
            message = (f"timeout's {code} checked by hand; "
                       f"{tool or 'the command'} cannot tell its own {code} from it")
        else:
            timed_out = timeout_codes()[0]
            own = contract.lookup(timed_out) if contract is not None else None
            message = (f"timeout's {timed_out} collides with {tool}'s own {timed_out}"
                       + (f" ({own.name})" if own is not None else ""))
        prefix = f"exitkit run {opts} -- "
        edits: tuple[Edit, ...] = ()
        if mechanical and all(_PLAIN_WORD.fullmatch(word) for word in prefix.split()):
            edits = ((words[start].start_byte, words[rest_at].start_byte, prefix),)
        self.emit(Raw(cmd.node.start_byte, "EK104", message,
                      f"{before}{prefix}{inner} (124 then means a timeout, always)",
                      tool=tool, code=code, name="timeout", edits=edits))

    def check_timeout_collision(self, cmd: Cmd) -> None:
        if cmd.first != "timeout":
            return
        contract = self.resolve(cmd.argv)
        timed_out = timeout_codes()[0]
        if contract is not None and contract.name != "timeout" and contract.lookup(timed_out):
            self.timeout_finding(cmd, timed_out, checked=False, inner_contract=contract)


# -- helpers ----------------------------------------------------------------------------------


def _descendants(root: Node, kind: str, field: str) -> Iterator[Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == kind:
            child = node.child_by_field_name(field)
            if child is not None:
                yield child
        stack.extend(node.named_children)


def if_parts(node: Node) -> tuple[list[Node], list[Node], list[Node]]:
    """An ``if`` or ``elif``: its condition statements, its ``then`` body, and its
    ``elif``/``else`` clauses."""
    conditions = [c for c in node.children_by_field_name("condition") if c.is_named]
    body: list[Node] = []
    rest: list[Node] = []
    seen_then = False
    for child in node.children:
        if child.type == "then":
            seen_then = True
        elif node.type == "elif_clause" and not seen_then:
            # the grammar names no condition field in an elif: its statements before `then`
            if child.is_named:
                conditions.append(child)
        elif child.type in ("elif_clause", "else_clause"):
            rest.append(child)
        elif seen_then and child.is_named and not rest:
            body.append(child)
    return conditions, body, rest


#: Shell words that run the command after them and stay in front of ``exitkit run``.
_SHELL_PREFIXES = frozenset({"command", "exec", "time", "nohup"})


def _turns_errexit(cmd: Cmd | None) -> bool | None:
    """True when *cmd* is a ``set`` that switches errexit on (``-e``, ``-eu``, ``-o errexit``),
    False when it switches it off, else None."""
    if cmd is None or cmd.argv[:1] != ["set"]:
        return None
    on = None
    for k, word in enumerate(cmd.argv[1:], 1):
        if word.startswith(("-", "+")) and not word.startswith(("--", "++")) and "e" in word:
            on = word[0] == "-"
        elif word in ("-o", "+o") and cmd.argv[k + 1:k + 2] == ["errexit"]:
            on = word == "-o"
    return on


def _wrap(cmd: Cmd, options: str, around: Node | None = None) -> str:
    """*cmd* as written (within *around*, its pipeline or redirections, when given) with
    ``exitkit run OPTIONS --`` where the rewrite puts it (:func:`_insert_at`): the line a
    finding suggests is the line ``--diff`` writes."""
    node = around if around is not None else cmd.node
    whole = node.text or b""
    insert = _insert_at(cmd)
    at = (insert if insert is not None else cmd.node.start_byte) - node.start_byte
    return flat((whole[:at] + f"exitkit run {options} -- ".encode() + whole[at:]).decode(
        "utf-8", "surrogateescape"))


def _insert_at(cmd: Cmd) -> int | None:
    """Where ``exitkit run … --`` goes in *cmd*: after its ``VAR=value`` assignments (they are
    the environment of exitkit run, and so of the command) and the shell's own ``command``,
    ``exec`` or ``time``; ``None`` when the command is ``timeout`` (its rewrite is its own) or
    its words are not literal."""
    nodes = [c for c in cmd.node.named_children if c.type not in _REDIRECTS]
    k = 0
    while k < len(cmd.argv) and (_is_assignment(cmd.argv[k]) or cmd.argv[k] in _SHELL_PREFIXES
                                 or (k and cmd.argv[k - 1] in _SHELL_PREFIXES
                                     and cmd.argv[k].startswith("-"))):
        k += 1
    if k >= len(cmd.argv) or k >= len(nodes) or OPAQUE in cmd.argv[k] \
            or os.path.basename(cmd.argv[k]) == "timeout":
        return None
    return int(nodes[k].start_byte)


#: Where a statement stands on its own: its status is not read by what surrounds it.
_STATEMENT_PLACES = frozenset({"program", "compound_statement", "do_group", "subshell",
                               "else_clause", "case_item"})


def _plain_statement(node: Node | None) -> bool:
    """Whether *node* is a statement of its own (not a condition of ``if``/``while``, not part
    of a longer ``&&``/``||`` list, not negated)."""
    parent = node.parent if node is not None else None
    if node is None or parent is None:
        return False
    if parent.type in ("if_statement", "elif_clause"):  # in the body, after `then`
        then = next((c for c in parent.children if c.type == "then"), None)
        return then is not None and node.start_byte > then.start_byte
    return parent.type in _STATEMENT_PLACES


def _is_command(node: Node, argv: list[str]) -> bool:
    cmd = command_of(node) if node.type == "command" else None
    return cmd is not None and cmd.argv == argv


def _status_variable(node: Node) -> str | None:
    """The variable *node* expands (``$rc``, ``"$rc"``, ``${rc}``), or ``None``."""
    ref = status_ref(node)
    return str(ref[1]) if ref is not None and ref[0] == "var" else None


def _only_tests(node: Node) -> bool:
    """Whether *node* is ``[ … ]``/``[[ … ]]`` tests joined by ``&&``, and nothing else."""
    if node.type == "test_command":
        return True
    return node.type == "list" and all(_only_tests(c) for c in node.named_children)


def _all_nodes(root: Node) -> Iterator[Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def _item_body(item: Node) -> list[Node]:
    """A ``case`` item's statements (its patterns left out)."""
    return [child for i, child in enumerate(item.children)
            if child.is_named and item.field_name_for_child(i) != "value"]


def _is_break(node: Node) -> bool:
    cmd = command_of(node)
    return cmd is not None and cmd.argv[:1] == ["break"]


def _sleep_of(body: Node | None) -> str | None:
    if body is None:
        return None
    for node in _commands_in([body]):
        cmd = command_of(node)
        if cmd is not None and cmd.argv[:1] == ["sleep"] and len(cmd.argv) == 2:
            return _duration(cmd.argv[1]) if OPAQUE not in cmd.argv[1] else None
    return None


def _iterations(loop: Node) -> int | None:
    """How many times ``for i in $(seq 1 N)``, ``{1..N}``, ``1 2 3`` or ``((i=0; i<N; i++))``
    runs, when it says so literally."""
    if loop.type == "c_style_for_statement":
        text = _text(loop)
        match = re.search(r"[<]\s*(=?)\s*(\d+)", text)
        start = re.search(r"=\s*(\d+)", text)
        if match is None:
            return None
        first = int(start.group(1)) if start else 0
        return int(match.group(2)) - first + (1 if match.group(1) else 0)
    values = loop.children_by_field_name("value")
    if len(values) == 1 and values[0].type == "command_substitution":
        cmd = command_of(values[0].named_children[0]) if values[0].named_children else None
        if cmd is not None and cmd.argv[:1] == ["seq"] and all(w.isdigit() for w in cmd.argv[1:]):
            bounds = [int(w) for w in cmd.argv[1:]]
            if len(bounds) == 1:
                return bounds[0]
            if len(bounds) == 2:
                return bounds[1] - bounds[0] + 1
        return None
    if len(values) == 1 and values[0].type == "brace_expression":
        numbers = [int(_text(c)) for c in values[0].named_children if _text(c).isdigit()]
        return numbers[1] - numbers[0] + 1 if len(numbers) == 2 else None
    words = [literal(v) for v in values]
    if words and all(w is not None and w.isdigit() for w in words):
        return len(words)
    return None


def _duration(text: str) -> str:
    """timeout(1)'s and sleep(1)'s DURATION as exitkit's: ``20`` → ``20s``, ``2d`` → ``48h``."""
    if text.endswith("d") and text[:-1].replace(".", "", 1).isdigit():
        hours = float(text[:-1]) * 24
        return f"{hours:g}h"
    if text.replace(".", "", 1).isdigit():
        return text + "s"
    return text


def _ref_text(ref: tuple[str, str | int]) -> str:
    if ref[0] == "?":
        return "$?"
    if ref[0] == "pipe":
        return f"${{PIPESTATUS[{ref[1]}]}}"
    return f"${ref[1]}"


def _dance_message(tool: str, names: str) -> str:
    return (f"{tool}'s status captured by hand so that {names.replace(',', ', ')} counts as "
            "success")


def _tolerable(cmd: Cmd, contract: Contract) -> str | None:
    """The failure a ``|| true`` after *cmd* most likely means: "not found" after a delete
    verb, when the contract has such an exit or outcome."""
    index = _verb_index(cmd)
    words = [w.lower() for w in cmd.argv[index:index + 4]] if index is not None else []
    if not DELETE_VERBS & set(words) and cmd.name not in DELETE_COMMANDS:
        return None
    for exit in contract.exits:
        if exit.kind == "not-found":
            return exit.name
    for outcome in contract.outcomes:
        if outcome.kind == "not-found":
            return outcome.name
    return None


def _verb_index(cmd: Cmd) -> int | None:
    from exitkit.contracts.resolve import command_word

    index = command_word(cmd.argv)
    return None if index is None else index + 1


def _code_of(contract: Contract, name: str | None) -> int | None:
    if name is None:
        return None
    exit = contract.lookup(name)
    if exit is not None:
        return exit.code
    outcome = contract.outcome(name)
    return outcome.codes[0] if outcome is not None and outcome.codes else None


def _kind_of(contract: Contract, name: str) -> str | None:
    """The kind of the exit or outcome *name*."""
    row = contract.lookup(name) or contract.outcome(name)
    return row.kind if row is not None else None
