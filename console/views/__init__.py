"""Console pages, one module per concern: who may open them (access), the queue,
the case page and its actions, the dashboard."""
