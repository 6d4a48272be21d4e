"""public sales: listings, auctions, open licences

Revision ID: 0010_sales
Revises: 0008_sec
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0010_sales'
down_revision = '0009_calls'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('listing', 'auction', 'open_licence', name='salekind', native_enum=False, length=16), nullable=False),
    sa.Column('patent_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('seller_org_id', sa.Integer(), nullable=False),
    sa.Column('buyer_org_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'notice', 'bidding', 'licensing', 'sold', 'failed', 'closed', 'withdrawn', name='salestatus', native_enum=False, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('stage_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('terms', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('reserve_price', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('increment', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('deposit', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('notice_ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('current_price', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('leading_bid_id', sa.Integer(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['buyer_org_id'], ['organisations.id'], name=op.f('fk_sales_buyer_org_id_organisations')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_sales_created_by_id_users')),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_sales_deal_id_deals')),
    sa.ForeignKeyConstraint(['patent_id'], ['patents.id'], name=op.f('fk_sales_patent_id_patents')),
    sa.ForeignKeyConstraint(['seller_org_id'], ['organisations.id'], name=op.f('fk_sales_seller_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales'))
    )
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_buyer_org_id'), ['buyer_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_ends_at'), ['ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_patent_id'), ['patent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_seller_org_id'), ['seller_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_stage_deadline'), ['stage_deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_status'), ['status'], unique=False)

    op.create_table('open_licences_taken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_open_licences_taken_deal_id_deals')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_open_licences_taken_org_id_organisations')),
    sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], name=op.f('fk_open_licences_taken_sale_id_sales'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_licences_taken')),
    sa.UniqueConstraint('deal_id', name=op.f('uq_open_licences_taken_deal_id'))
    )
    with op.batch_alter_table('open_licences_taken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_licences_taken_sale_id'), ['sale_id'], unique=False)

    op.create_table('sale_documents',
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], name=op.f('fk_sale_documents_sale_id_sales'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_sale_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sale_documents')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_sale_documents_stored_name'))
    )
    with op.batch_alter_table('sale_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_documents_sale_id'), ['sale_id'], unique=False)

    op.create_table('sale_events',
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_org_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_org_id'], ['organisations.id'], name=op.f('fk_sale_events_actor_org_id_organisations')),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_sale_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], name=op.f('fk_sale_events_sale_id_sales'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sale_events'))
    )
    with op.batch_alter_table('sale_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_events_sale_id'), ['sale_id'], unique=False)

    op.create_table('sale_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('seller_org_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('interested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('objection', sa.Text(), nullable=True),
    sa.Column('objected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deposit_held', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_sale_participants_org_id_organisations')),
    sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], name=op.f('fk_sale_participants_sale_id_sales'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seller_org_id'], ['organisations.id'], name=op.f('fk_sale_participants_seller_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sale_participants')),
    sa.UniqueConstraint('sale_id', 'number', name=op.f('uq_sale_participants_sale_number')),
    sa.UniqueConstraint('sale_id', 'org_id', name=op.f('uq_sale_participants_sale_org'))
    )
    with op.batch_alter_table('sale_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_participants_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sale_participants_sale_id'), ['sale_id'], unique=False)

    op.create_table('sale_bids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('extended_to', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['sale_participants.id'], name=op.f('fk_sale_bids_participant_id_sale_participants')),
    sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], name=op.f('fk_sale_bids_sale_id_sales'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sale_bids'))
    )
    with op.batch_alter_table('sale_bids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_bids_sale_id'), ['sale_id'], unique=False)



def downgrade():
    with op.batch_alter_table('sale_bids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_bids_sale_id'))

    op.drop_table('sale_bids')
    with op.batch_alter_table('sale_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_participants_sale_id'))
        batch_op.drop_index(batch_op.f('ix_sale_participants_org_id'))

    op.drop_table('sale_participants')
    with op.batch_alter_table('sale_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_events_sale_id'))

    op.drop_table('sale_events')
    with op.batch_alter_table('sale_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_documents_sale_id'))

    op.drop_table('sale_documents')
    with op.batch_alter_table('open_licences_taken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_licences_taken_sale_id'))

    op.drop_table('open_licences_taken')
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_status'))
        batch_op.drop_index(batch_op.f('ix_sales_stage_deadline'))
        batch_op.drop_index(batch_op.f('ix_sales_seller_org_id'))
        batch_op.drop_index(batch_op.f('ix_sales_patent_id'))
        batch_op.drop_index(batch_op.f('ix_sales_kind'))
        batch_op.drop_index(batch_op.f('ix_sales_ends_at'))
        batch_op.drop_index(batch_op.f('ix_sales_buyer_org_id'))

    op.drop_table('sales')
