"""python -m dualstack_aks <command>: see cli.py."""

import sys

from dualstack_aks.cli import main

sys.exit(main())
