"""payments (placeholder: the payments package fills it in)

Revision ID: 0004_payments
Revises: 0003_matching
"""
revision = "0004_payments"
down_revision = "0003_matching"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
