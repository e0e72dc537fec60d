"""Searching scheme parameters: StoSOO, baselines, and the map between the unit cube and a domain."""
