"""figures at scale, the rest: service orders' summary rows (service_order_figures) and organisations' active
days (org_activity); `flask analytics rebuild-figures` fills them from rows written before this revision

Revision ID: 0015_figures_orders
Revises: 0014_payment_intents
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_figures_orders"
down_revision = "0014_payment_intents"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "service_order_figures",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("seller_org_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_month", sa.String(length=7), nullable=False),
        sa.Column("revenue", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("turnaround_s", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["service_orders.id"],
                                name=op.f("fk_service_order_figures_order_id_service_orders"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["seller_org_id"], ["organisations.id"],
                                name=op.f("fk_service_order_figures_seller_org_id_organisations")),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_service_order_figures")),
    )
    op.create_index(op.f("ix_service_order_figures_completed_at"), "service_order_figures", ["completed_at"],
                    unique=False)
    # The key (organisation, day) answers "was it active in the period" with one index probe per organisation.
    op.create_table(
        "org_activity",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"], name=op.f("fk_org_activity_org_id_organisations"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("org_id", "day", name=op.f("pk_org_activity")),
    )
    # Rows written before this revision are summarised by `flask analytics rebuild-figures` (make run calls it),
    # as in 0013: a migration that imported the application's code would break as soon as that code moved on.


def downgrade():
    op.drop_table("org_activity")
    op.drop_index(op.f("ix_service_order_figures_completed_at"), table_name="service_order_figures")
    op.drop_table("service_order_figures")
