"""``python -m xlqc``: the same as the ``xlqc`` command."""

import sys

from xlqc.cli import main

sys.exit(main())
