"""reportlab documents: they take plain data and return PDF bytes. Nothing here knows Flask
or the database."""
