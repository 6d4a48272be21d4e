"""deals and service orders: deals with their patents, events, offers, messages, documents and tests; standalone
service orders with their events and documents

Revision ID: 0005_deals
Revises: 0004_payments
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_deals"
down_revision = "0004_payments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('buyer_org_id', sa.Integer(), nullable=False),
    sa.Column('seller_org_id', sa.Integer(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('demand_id', sa.Integer(), nullable=True),
    sa.Column('match_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('inquiry', 'nda', 'negotiation', 'agreed', 'pilot_planning', 'pilot_testing', 'inspection', 'test_failed', 'contract_signing', 'contract_review', 'awaiting_payment', 'paid', 'delivered', 'disputed', 'completed', 'declined', 'cancelled', 'expired', name='dealstatus', native_enum=False, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('stage_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('nda_text', sa.Text(), nullable=True),
    sa.Column('nda_proposed_by', sa.String(length=16), nullable=True),
    sa.Column('nda_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('terms', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('contract', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('buyer_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('buyer_signer_id', sa.Integer(), nullable=True),
    sa.Column('seller_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seller_signer_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('disputed_from', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_deals_approved_by_id_users')),
    sa.ForeignKeyConstraint(['buyer_org_id'], ['organisations.id'], name=op.f('fk_deals_buyer_org_id_organisations')),
    sa.ForeignKeyConstraint(['buyer_signer_id'], ['users.id'], name=op.f('fk_deals_buyer_signer_id_users')),
    sa.ForeignKeyConstraint(['demand_id'], ['tech_demands.id'], name=op.f('fk_deals_demand_id_tech_demands'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_deals_match_id_matches'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_deals_opened_by_id_users')),
    sa.ForeignKeyConstraint(['seller_org_id'], ['organisations.id'], name=op.f('fk_deals_seller_org_id_organisations')),
    sa.ForeignKeyConstraint(['seller_signer_id'], ['users.id'], name=op.f('fk_deals_seller_signer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deals'))
    )
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deals_buyer_org_id'), ['buyer_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_seller_org_id'), ['seller_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_stage_deadline'), ['stage_deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_status'), ['status'], unique=False)

    op.create_table('service_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('buyer_org_id', sa.Integer(), nullable=False),
    sa.Column('seller_org_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('request_text', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('requested', 'quoted', 'awaiting_payment', 'in_progress', 'report_delivered', 'disputed', 'completed', 'declined', 'cancelled', 'expired', name='orderstatus', native_enum=False, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('stage_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('quote_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('quote_lead_time_days', sa.Integer(), nullable=True),
    sa.Column('quote_note', sa.Text(), nullable=True),
    sa.Column('report_summary', sa.Text(), nullable=True),
    sa.Column('disputed_from', sa.String(length=32), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['buyer_org_id'], ['organisations.id'], name=op.f('fk_service_orders_buyer_org_id_organisations')),
    sa.ForeignKeyConstraint(['offer_id'], ['service_offers.id'], name=op.f('fk_service_orders_offer_id_service_offers')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_service_orders_requested_by_id_users')),
    sa.ForeignKeyConstraint(['seller_org_id'], ['organisations.id'], name=op.f('fk_service_orders_seller_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_orders'))
    )
    with op.batch_alter_table('service_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_orders_buyer_org_id'), ['buyer_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_orders_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_orders_seller_org_id'), ['seller_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_orders_stage_deadline'), ['stage_deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_orders_status'), ['status'], unique=False)

    op.create_table('deal_events',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_org_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_org_id'], ['organisations.id'], name=op.f('fk_deal_events_actor_org_id_organisations')),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_deal_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_events_deal_id_deals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_events'))
    )
    with op.batch_alter_table('deal_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_events_deal_id'), ['deal_id'], unique=False)

    op.create_table('deal_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_org_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_deal_messages_author_id_users')),
    sa.ForeignKeyConstraint(['author_org_id'], ['organisations.id'], name=op.f('fk_deal_messages_author_org_id_organisations')),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_messages_deal_id_deals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_messages'))
    )
    with op.batch_alter_table('deal_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_messages_deal_id'), ['deal_id'], unique=False)

    op.create_table('deal_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('made_by', sa.String(length=16), nullable=False),
    sa.Column('made_by_user_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'superseded', 'accepted', 'withdrawn', name='offerstatus', native_enum=False, length=16), nullable=False),
    sa.Column('terms', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_offers_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['made_by_user_id'], ['users.id'], name=op.f('fk_deal_offers_made_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_offers'))
    )
    with op.batch_alter_table('deal_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_offers_deal_id'), ['deal_id'], unique=False)

    op.create_table('deal_patents',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('patent_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_patents_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['patent_id'], ['patents.id'], name=op.f('fk_deal_patents_patent_id_patents')),
    sa.PrimaryKeyConstraint('deal_id', 'patent_id', name=op.f('pk_deal_patents'))
    )
    with op.batch_alter_table('deal_patents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_patents_patent_id'), ['patent_id'], unique=False)

    op.create_table('service_order_documents',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['service_orders.id'], name=op.f('fk_service_order_documents_order_id_service_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_service_order_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_order_documents')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_service_order_documents_stored_name'))
    )
    with op.batch_alter_table('service_order_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_order_documents_order_id'), ['order_id'], unique=False)

    op.create_table('service_order_events',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_org_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_org_id'], ['organisations.id'], name=op.f('fk_service_order_events_actor_org_id_organisations')),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_service_order_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['service_orders.id'], name=op.f('fk_service_order_events_order_id_service_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_order_events'))
    )
    with op.batch_alter_table('service_order_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_order_events_order_id'), ['order_id'], unique=False)

    op.create_table('deal_documents',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_documents_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['deal_messages.id'], name=op.f('fk_deal_documents_message_id_deal_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_deal_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_documents')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_deal_documents_stored_name'))
    )
    with op.batch_alter_table('deal_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_documents_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_documents_message_id'), ['message_id'], unique=False)

    op.create_table('deal_tests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('service_offer_id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.String(length=16), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('plan_agreed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('results', sa.Text(), nullable=True),
    sa.Column('verdict', sa.String(length=8), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_tests_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['deal_documents.id'], name=op.f('fk_deal_tests_report_id_deal_documents')),
    sa.ForeignKeyConstraint(['service_offer_id'], ['service_offers.id'], name=op.f('fk_deal_tests_service_offer_id_service_offers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_tests'))
    )
    with op.batch_alter_table('deal_tests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_tests_deal_id'), ['deal_id'], unique=False)


def downgrade():
    with op.batch_alter_table('deal_tests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_tests_deal_id'))

    op.drop_table('deal_tests')
    with op.batch_alter_table('deal_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_documents_message_id'))
        batch_op.drop_index(batch_op.f('ix_deal_documents_deal_id'))

    op.drop_table('deal_documents')
    with op.batch_alter_table('service_order_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_order_events_order_id'))

    op.drop_table('service_order_events')
    with op.batch_alter_table('service_order_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_order_documents_order_id'))

    op.drop_table('service_order_documents')
    with op.batch_alter_table('deal_patents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_patents_patent_id'))

    op.drop_table('deal_patents')
    with op.batch_alter_table('deal_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_offers_deal_id'))

    op.drop_table('deal_offers')
    with op.batch_alter_table('deal_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_messages_deal_id'))

    op.drop_table('deal_messages')
    with op.batch_alter_table('deal_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_events_deal_id'))

    op.drop_table('deal_events')
    with op.batch_alter_table('service_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_orders_status'))
        batch_op.drop_index(batch_op.f('ix_service_orders_stage_deadline'))
        batch_op.drop_index(batch_op.f('ix_service_orders_seller_org_id'))
        batch_op.drop_index(batch_op.f('ix_service_orders_offer_id'))
        batch_op.drop_index(batch_op.f('ix_service_orders_buyer_org_id'))

    op.drop_table('service_orders')
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deals_status'))
        batch_op.drop_index(batch_op.f('ix_deals_stage_deadline'))
        batch_op.drop_index(batch_op.f('ix_deals_seller_org_id'))
        batch_op.drop_index(batch_op.f('ix_deals_buyer_org_id'))

    op.drop_table('deals')
