"""The resolved deployment model: config schema, loading, addresses, names, releases; pure Python, no jsii."""
