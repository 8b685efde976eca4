"""The public directory site: the database's published figures as a static mkdocs site."""
