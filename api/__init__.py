"""Vouch: implementation partners with verified customer-success figures."""
