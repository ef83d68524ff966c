"""Test helper: make stdin (a pty) our controlling terminal, then exec the command.

Run it as a session leader (``start_new_session=True``): the first terminal a session leader opens
becomes its controlling terminal, and its process group that terminal's foreground group.
"""

from __future__ import annotations

import os
import sys

os.close(os.open(os.ttyname(0), os.O_RDWR))
os.execvp(sys.argv[1], sys.argv[1:])
