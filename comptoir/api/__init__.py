"""REST API under /api/v1/: thin endpoints that parse input, call services or selectors, shape output."""
