"""The benchmark's baseline: import the engine and its provider packages the plain way.

This is what a plain CDKTF (or cdktn) app pays before it creates a single resource: each import
runs its provider package's `__init__` (every resource module) and loads the assembly into jsii's
node. One module per package is enough, as the package `__init__` imports all the others anyway.
The modules come as arguments (bench/run.py names the selected engine's), so nothing from
dualstack_aks is imported here and its lazy-loading shortcut is not in play.
"""

import importlib
import sys

for module in sys.argv[1:]:
    importlib.import_module(module)
