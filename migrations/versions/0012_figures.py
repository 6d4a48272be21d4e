"""market figures: incubated organisations, indexes of the dashboard queries

Revision ID: 0012_figures
Revises: 0008_sec
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_figures"
down_revision = "0011_money"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_deals_created_at", "deals", "created_at"),
    ("ix_deals_approved_at", "deals", "approved_at"),
    ("ix_deals_completed_at", "deals", "completed_at"),
    ("ix_service_orders_completed_at", "service_orders", "completed_at"),
    ("ix_ledger_transactions_created_at", "ledger_transactions", "created_at"),
]


def upgrade():
    op.create_table(
        "org_incubations",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("incubated_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"], name=op.f("fk_org_incubations_org_id_organisations"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["set_by_id"], ["users.id"], name=op.f("fk_org_incubations_set_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_org_incubations")),
    )
    op.create_index(op.f("ix_org_incubations_incubated_on"), "org_incubations", ["incubated_on"], unique=False)
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], unique=False)


def downgrade():
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_index(op.f("ix_org_incubations_incubated_on"), table_name="org_incubations")
    op.drop_table("org_incubations")
