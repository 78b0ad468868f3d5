"""The officer console: the queue, its map, the case page and its actions, the dashboard.

A front end of the case core, a peer of the resident pages (reports/): it parses
what officers send, calls helpdesk's services and selectors, and renders. Who may
see or change what, and every move a case can make, stay in helpdesk; this app
has no models.
"""
