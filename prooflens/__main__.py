"""`python -m prooflens` is the `prooflens` command."""

import sys

from prooflens.cli import main

sys.exit(main())
