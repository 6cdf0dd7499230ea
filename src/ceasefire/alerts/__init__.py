"""The alerts area: pure core first; tables, services and routes come after the area move."""
