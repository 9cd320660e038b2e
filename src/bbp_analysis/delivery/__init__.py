"""Delivering the plan: the workstream, milestone and risk tracker, its summaries and figures."""
