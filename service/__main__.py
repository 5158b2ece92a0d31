"""`python -m service` is the `linkage` command."""

import sys

from service.cli import main

sys.exit(main())
