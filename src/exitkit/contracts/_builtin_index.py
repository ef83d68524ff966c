"""The built-in contracts' names, and which built-ins have a [match] for a command.
Generated from contracts/builtin/*.toml by tools/generate.py; do not edit. Much smaller than
_builtins.py: a command without a contract never loads the tables."""

from __future__ import annotations

NAMES: frozenset[str] = frozenset(['ansible-playbook',
 'apt-get',
 'aws',
 'bcdock',
 'curl',
 'diff',
 'dnf-check-update',
 'docker',
 'docker-run',
 'exitkit',
 'gcloud',
 'gh',
 'grep',
 'groupdel',
 'helm',
 'kubectl',
 'mypy',
 'pg-isready',
 'podman-rm',
 'proxxx',
 'psql',
 'pytest',
 'raid',
 'rsync',
 'ruff',
 'rune',
 'runmark',
 'shell',
 'shellcheck',
 'ssh',
 'sysexits',
 'systemctl',
 'systemctl-is-active',
 'systemctl-status',
 'terraform',
 'terraform-plan',
 'timeout',
 'userdel',
 'yum-check-update'])

#: command basename → the built-ins whose [match] names it
MATCHES: dict[str, tuple[str, ...]] = {'dnf': ('dnf-check-update',),
 'docker': ('docker-run',),
 'pg_isready': ('pg-isready',),
 'podman': ('podman-rm',),
 'systemctl': ('systemctl-is-active', 'systemctl-status'),
 'terraform': ('terraform-plan',),
 'yum': ('yum-check-update',)}
