"""deals and service orders (placeholder: the deals package fills it in)

Revision ID: 0005_deals
Revises: 0004_payments
"""
revision = "0005_deals"
down_revision = "0004_payments"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
