"""``python -m exitkit``."""

from exitkit._entry import console

console()
