"""Emission-factor seed sets (factor_seeds/<name>/) and the script that builds them."""
