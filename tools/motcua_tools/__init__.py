"""Developer tools: the local launcher, development tokens, generated docs. Never imported by services."""
