"""``python -m exitkit``."""

import sys

from exitkit._entry import main

sys.exit(main())
