"""Resident pages: filing, my cases, the public map (server-rendered, light)."""
