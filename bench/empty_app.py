"""The benchmark's floor: the smallest app of the selected engine, one stack with one output.

No cdktf app can synthesize faster than this: it pays for Python and jsii, starting Node.js, loading
the constructs and engine assemblies, and the engine's synth of one stack. The engine's core package
comes as the first argument (bench/run.py names the selected engine's), the output folder as the
second; nothing from dualstack_aks is imported, so none of its shortcuts are in play.
"""

import importlib
import sys

core_package, outdir = sys.argv[1:]
core = importlib.import_module(core_package)
app = core.App(outdir=outdir)
stack = core.TerraformStack(app, "empty")
core.TerraformOutput(stack, "empty", value="empty")
app.synth()
