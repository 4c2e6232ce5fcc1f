"""Web views, one module per area. They parse input, call services and render; no business rule here."""
