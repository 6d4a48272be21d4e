"""payment schedules, royalty reports, revenue distribution

Revision ID: 0011_money
Revises: 0008_sec
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0011_money'
down_revision = '0010_sales'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('distribution_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('patent_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_distribution_rules_org_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['patent_id'], ['patents.id'], name=op.f('fk_distribution_rules_patent_id_patents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution_rules')),
    sa.UniqueConstraint('org_id', 'patent_id', name='uq_distribution_rules_org_patent')
    )
    with op.batch_alter_table('distribution_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distribution_rules_org_id'), ['org_id'], unique=False)

    op.create_table('distribution_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('beneficiary', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['distribution_rules.id'], name=op.f('fk_distribution_shares_rule_id_distribution_rules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution_shares'))
    )
    with op.batch_alter_table('distribution_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distribution_shares_rule_id'), ['rule_id'], unique=False)

    op.create_table('schedule_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('upfront', 'instalment', 'milestone', 'royalty', 'shortfall', name='itemkind', native_enum=False, length=16), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('buyer_org_id', sa.Integer(), nullable=False),
    sa.Column('seller_org_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=32), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'awaiting_report', 'report_filed', 'report_disputed', 'awaiting_payment', 'funded', 'delivered', 'rejected', 'disputed', 'released', 'settled', 'cancelled', 'reversed', name='itemstatus', native_enum=False, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('stage_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disputed_from', sa.String(length=32), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('deliverable', sa.Text(), nullable=True),
    sa.Column('acceptance_criterion', sa.Text(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('contract_year', sa.Integer(), nullable=True),
    sa.Column('royalty_rate', sa.Numeric(precision=6, scale=3), nullable=True),
    sa.Column('sales', sa.BigInteger(), nullable=True),
    sa.Column('report_filed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report_late', sa.Boolean(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['buyer_org_id'], ['organisations.id'], name=op.f('fk_schedule_items_buyer_org_id_organisations')),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_schedule_items_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seller_org_id'], ['organisations.id'], name=op.f('fk_schedule_items_seller_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_items')),
    sa.UniqueConstraint('deal_id', 'kind', 'sequence', name='uq_schedule_items_deal_kind_sequence')
    )
    with op.batch_alter_table('schedule_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_items_buyer_org_id'), ['buyer_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_items_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_items_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_items_seller_org_id'), ['seller_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_items_status'), ['status'], unique=False)

    op.create_table('distribution_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('entry', sa.String(length=16), nullable=False),
    sa.Column('beneficiary', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['schedule_items.id'], name=op.f('fk_distribution_statements_item_id_schedule_items')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_distribution_statements_org_id_organisations')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_distribution_statements_payment_id_payments')),
    sa.ForeignKeyConstraint(['rule_id'], ['distribution_rules.id'], name=op.f('fk_distribution_statements_rule_id_distribution_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_distribution_statements'))
    )
    with op.batch_alter_table('distribution_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_distribution_statements_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_distribution_statements_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_distribution_statements_payment_id'), ['payment_id'], unique=False)

    op.create_table('schedule_documents',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['schedule_items.id'], name=op.f('fk_schedule_documents_item_id_schedule_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_schedule_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_documents')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_schedule_documents_stored_name'))
    )
    with op.batch_alter_table('schedule_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_documents_item_id'), ['item_id'], unique=False)

    op.create_table('schedule_item_events',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_org_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_org_id'], ['organisations.id'], name=op.f('fk_schedule_item_events_actor_org_id_organisations')),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_schedule_item_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['schedule_items.id'], name=op.f('fk_schedule_item_events_item_id_schedule_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_item_events'))
    )
    with op.batch_alter_table('schedule_item_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_item_events_item_id'), ['item_id'], unique=False)



def downgrade():
    with op.batch_alter_table('schedule_item_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_item_events_item_id'))

    op.drop_table('schedule_item_events')
    with op.batch_alter_table('schedule_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_documents_item_id'))

    op.drop_table('schedule_documents')
    with op.batch_alter_table('distribution_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distribution_statements_payment_id'))
        batch_op.drop_index(batch_op.f('ix_distribution_statements_org_id'))
        batch_op.drop_index(batch_op.f('ix_distribution_statements_item_id'))

    op.drop_table('distribution_statements')
    with op.batch_alter_table('schedule_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_items_status'))
        batch_op.drop_index(batch_op.f('ix_schedule_items_seller_org_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_items_due_date'))
        batch_op.drop_index(batch_op.f('ix_schedule_items_deal_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_items_buyer_org_id'))

    op.drop_table('schedule_items')
    with op.batch_alter_table('distribution_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distribution_shares_rule_id'))

    op.drop_table('distribution_shares')
    with op.batch_alter_table('distribution_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_distribution_rules_org_id'))

    op.drop_table('distribution_rules')
