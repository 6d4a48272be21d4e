"""Members of an organisation: its admins add colleagues by e-mail (new people get an invitation link to set
their password), change their roles and remove them."""
