"""The security policy guard over the synthesized Terraform JSON."""
