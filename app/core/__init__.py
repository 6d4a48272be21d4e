"""The core every domain builds on, importing none of them: the unit of work and outbox, the workflow engine,
permission generators and policies, HTTP and form helpers, error mapping, the audit log, files, mail,
formatting and labels, and the app's extensions."""
