"""The knowledge base: help articles residents read before (or instead of) asking.

Below the case core: it knows help topics only by their code, so the catalogue
(helpdesk.Service) and the articles ship apart, and it imports nothing above it.
"""
