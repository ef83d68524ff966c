"""Untrusted text made safe for exitkit's terminal lines: one line, nothing a terminal acts on.

Contract text and command-line arguments reach exitkit's messages. A newline in them would start
a line of their own (in a CI log: a line the runner may read as a command), an escape sequence
would recolour, retitle or rewrite the user's terminal, and bytes that are not UTF-8 would be
written as garbage or fail. :func:`escape` turns all of these into visible backslash escapes;
:func:`shell_word` shows one argument the way bash quotes it (``$'\\e[31m'``). Everything exitkit
prints for people goes through one of the two; data formats (JSON, TOML, Markdown) have their own.

On every start-up path, so: no ``re``, no ``unicodedata``.
"""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e", "\\": "\\\\"}
#: Format characters that reorder or hide text on screen (Trojan Source) and the Unicode line
#: and paragraph separators, which some terminals and log viewers break lines at.
_INVISIBLE = frozenset(
    "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)
#: Characters a shell word may hold without any quoting.
_PLAIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@%+=:,./_-")


def _needs_escape(ch: str) -> bool:
    """C0 controls, DEL and the C1 controls, surrogate-escaped bytes, invisible reorderers."""
    return (ch < " " or "\x7f" <= ch <= "\x9f" or "\udc80" <= ch <= "\udcff"
            or ch in _INVISIBLE)


def _escaped(ch: str) -> str:
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if "\udc80" <= ch <= "\udcff":  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def is_plain(text: str) -> bool:
    """True when *text* holds nothing :func:`escape` would change (backslashes aside)."""
    return not any(_needs_escape(ch) for ch in text)


def escape(text: str) -> str:
    """*text* on one line with control characters, escape sequences, invisible reordering
    characters and undecodable bytes shown as ``\\n``, ``\\e``, ``\\x07``, ``\\u202e``, ``\\xff``.

    Backslashes are doubled only when something else was escaped, so ordinary text (a Windows
    path, a regex in a meaning) reads as written while escaped text stays unambiguous.
    """
    if is_plain(text):
        return text
    return "".join(_escaped(ch) if ch == "\\" or _needs_escape(ch) else ch for ch in text)


def shell_word(word: str) -> str:
    """One argument as bash would quote it for reuse: ``a b`` → ``'a b'``, an escape sequence or a
    byte that is not UTF-8 → ``$'\\e[31m'``, ``$'\\xff'``; plain words as they are."""
    if word and set(word) <= _PLAIN:
        return word
    if is_plain(word):
        return "'" + word.replace("'", "'\\''") + "'"
    body = "".join(
        _escaped(ch) if ch == "\\" or _needs_escape(ch) else ("\\'" if ch == "'" else ch)
        for ch in word
    )
    return f"$'{body}'"


def quoted(value: str) -> str:
    """*value* in quotes for a message, as ``repr`` shows it, with bytes that are not UTF-8 as
    ``\\xff`` rather than Python's ``\\udcff``: ``'caf\\xe9'``."""
    shown = repr(value)
    if "\\udc" not in shown:
        return shown
    out, i = [], 0
    while i < len(shown):
        if shown[i] != "\\":
            out.append(shown[i])
            i += 1
        elif shown[i:i + 4] == "\\udc" and shown[i + 4:i + 6] in _HIGH_BYTES:
            out.append("\\x" + shown[i + 4:i + 6])
            i += 6
        else:  # any other escape, \\ included, stays as it is
            out.append(shown[i:i + 2])
            i += 2
    return "".join(out)


#: The high digit of a byte that surrogateescape turned into U+DC80..U+DCFF.
_HIGH_BYTES = frozenset(f"{high}{low}" for high in "89abcdef" for low in "0123456789abcdef")


def command_line(argv: list[str]) -> str:
    """A command as one line a user could paste into bash."""
    return " ".join(shell_word(word) for word in argv)


def neutralize(text: str) -> str:
    """Break every ``##[`` in *text*: the legacy GitHub Actions command syntax, which the runner
    finds *anywhere* in a line of a step's output. ``##[error]x`` → ``#\\#[error]x``; the result
    holds no ``##[`` however it was built."""
    while "##[" in text:
        text = text.replace("##[", "#\\#[")
    return text
