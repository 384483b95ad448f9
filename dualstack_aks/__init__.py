"""Dual-stack (IPv4 + IPv6) AKS in every region, synthesized as Terraform JSON by CDKTF.

Data flows one way: config (YAML → models) → plan (addresses) → constructs (one per layer)
→ stacks (per region + global) → app (wiring, synth).
"""

from dualstack_aks.provider_imports import skip_provider_package_inits

# Before any construct module imports a provider resource module (see provider_imports).
skip_provider_package_inits()
