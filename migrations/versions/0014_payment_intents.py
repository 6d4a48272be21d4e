"""payment intents: provider calls recorded before they are made; a payment's PaymentIntent id comes after

Revision ID: 0014_payment_intents
Revises: 0013_figures_speed
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_payment_intents"
down_revision = "0013_figures_speed"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "payment_provider_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("create_intent", "capture", "cancel", "refund", "transfer", "reverse_transfer",
                                  name="providercallkind", native_enum=False, length=32), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("payout_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("status", sa.Enum("pending", "succeeded", "failed", name="providercallstatus", native_enum=False,
                                    length=32), nullable=False),
        sa.Column("result_ref", sa.String(length=255), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"],
                                name=op.f("fk_payment_provider_calls_payment_id_payments")),
        sa.ForeignKeyConstraint(["refund_id"], ["payment_refunds.id"],
                                name=op.f("fk_payment_provider_calls_refund_id_payment_refunds")),
        sa.ForeignKeyConstraint(["payout_id"], ["payouts.id"],
                                name=op.f("fk_payment_provider_calls_payout_id_payouts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_provider_calls")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payment_provider_calls_idempotency_key")),
    )
    op.create_index(op.f("ix_payment_provider_calls_payment_id"), "payment_provider_calls", ["payment_id"],
                    unique=False)
    op.create_index(op.f("ix_payment_provider_calls_status"), "payment_provider_calls", ["status"], unique=False)
    with op.batch_alter_table("payments") as batch:
        batch.alter_column("provider_ref", existing_type=sa.String(length=255), nullable=True)


def downgrade():
    with op.batch_alter_table("payments") as batch:
        batch.alter_column("provider_ref", existing_type=sa.String(length=255), nullable=False)
    op.drop_index(op.f("ix_payment_provider_calls_status"), table_name="payment_provider_calls")
    op.drop_index(op.f("ix_payment_provider_calls_payment_id"), table_name="payment_provider_calls")
    op.drop_table("payment_provider_calls")
