"""Pure domain models and rules: no SQLAlchemy, FastAPI or Typer imports here."""
