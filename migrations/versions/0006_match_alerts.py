"""match alerts: the outbox of newly published listings checked against saved searches and matches

Revision ID: 0006_match_alerts
Revises: 0005_deals
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_match_alerts"
down_revision = "0005_deals"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_outbox")),
    )
    with op.batch_alter_table("alert_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_outbox_processed_at"), ["processed_at"], unique=False)


def downgrade():
    with op.batch_alter_table("alert_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_outbox_processed_at"))
    op.drop_table("alert_outbox")
