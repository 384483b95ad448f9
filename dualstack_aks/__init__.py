"""Dual-stack (IPv4 + IPv6) AKS in every region, synthesized as Terraform JSON by CDKTF.

Data flows one way: config (YAML → typed models) → resolved deployment (model/) → constructs
(one per layer) → stacks (per region + global) → synth → policy over the JSON → output directory.
"""

from dualstack_aks.engine import (
    prepare_node_environment,
    skip_provider_package_inits,
    use_project_node,
)

# Before any construct module imports a provider resource module and jsii starts node (see dualstack_aks/engine).
skip_provider_package_inits()
prepare_node_environment()
use_project_node()
