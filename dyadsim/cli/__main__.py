"""``python -m dyadsim.cli``: the ``dyadsim`` command."""

import sys

from dyadsim.cli import main

sys.exit(main())
