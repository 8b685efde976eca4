"""`python -m api.cli`: the `vouch` command without its script."""

import sys

from api.cli import main

sys.exit(main())
