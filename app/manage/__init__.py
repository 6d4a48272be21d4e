"""Owners' listing pages ("My listings", create/edit forms, submit, withdraw, attachments) and the form
plumbing the server-rendered pages share: HTML form ↔ service input, service errors → messages by field."""
