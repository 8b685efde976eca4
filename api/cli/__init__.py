"""The operator's command line: `vouch --help`.

One module per command group, each adding its commands to the parser; api/cli/common.py
holds what they share (the database they open, number arguments, refusals and exit
statuses), and no command module imports another.
"""

from api.cli.vouch import build_parser, main

__all__ = ["build_parser", "main"]
