"""python -m dualstack_aks <command>: see cli.py."""

from dualstack_aks.cli import exit_quietly, main

exit_quietly(main())
