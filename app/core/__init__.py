"""The core every domain builds on, importing none of them: the unit of work and outbox, the workflow engine,
permission generators and policies, HTTP and form helpers, error mapping, the audit log, files, mail,
formatting and labels, and the app's extensions."""

from app.core.messages import translate_marshmallow_messages

# Before any domain defines a schema: marshmallow copies its messages into each field and validator it creates.
translate_marshmallow_messages()
