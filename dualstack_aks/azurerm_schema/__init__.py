"""The azurerm provider's own schema rules, offline: rules files derived from its Go source at each pinned
tag (rules/, written by tools/azurerm-schema/export_rules.py; docs/azurerm-schema.md) and the check of the
synthesized Terraform JSON against them (check.py)."""
