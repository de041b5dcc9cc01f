"""``python -m recsys`` runs the same CLI as the ``recsys`` console script."""

import sys

from recsys.cli import main

sys.exit(main())
