"""Stacks compose the layer constructs: one global stack, and per region an infra and an ingress stack."""
