"""Around cdktf deploy: preflight checks, per-stack diffs, the state backend bootstrap."""
