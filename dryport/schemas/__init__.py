"""marshmallow schemas: load schemas validate input from the web forms and the API alike;
dump schemas shape what the API returns."""
