"""Auditing a published edition: its run manifest, figure passports, re-runs that verify or
reproduce it, and the disclosure scan every site passes before it is published."""
