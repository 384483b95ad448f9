"""The real Kubernetes tooling the tests run: helm renders, CRD and core schemas, dead values (test_real_renders.py)."""
