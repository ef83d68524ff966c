"""``exitkit run``: options, tolerance and retry policy, the process supervisor, and reporting.

This package is on ``exitkit run``'s start-up path: importing it must stay cheap."""
