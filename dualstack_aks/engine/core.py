"""The engine's core classes (cdktf or cdktn, whichever dualstack_aks.engine selected), under cdktf's names."""

from typing import TYPE_CHECKING

from dualstack_aks.engine import core_getattr

# mypy checks the app's arguments against cdktf's classes; at run time each name is loaded on first use.
if TYPE_CHECKING:
    from cdktf import (
        App,
        AssetType,
        AzurermBackend,
        Fn,
        ITerraformDependable,
        LocalBackend,
        Postcondition,
        TerraformAsset,
        TerraformResourceLifecycle,
        TerraformStack,
        Testing,
    )

__getattr__ = core_getattr(__name__)
