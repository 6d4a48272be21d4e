"""calls for solutions (揭榜): calls, their events and NDA acceptances, proposals with events, PDFs and threads

Revision ID: 0009_calls
Revises: 0008_sec
Create Date: 2026-12-01 01:18:00.160177

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0009_calls'
down_revision = '0008_sec'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('buyer_org_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('demand_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('nda_text', sa.Text(), nullable=True),
    sa.Column('outcomes', sa.Text(), nullable=False),
    sa.Column('indicators', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('industry', sa.String(length=64), nullable=True),
    sa.Column('region', sa.String(length=64), nullable=True),
    sa.Column('keywords', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('budget_min', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('budget_max', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('eligible_kinds', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('eligible_regions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('criteria', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.Enum('pending', 'needs_revision', 'published', 'awarded', 'closed', 'rejected', 'withdrawn', name='callstatus', native_enum=False, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('stage_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('moderation_note', sa.Text(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('no_award_reason', sa.Text(), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['buyer_org_id'], ['organisations.id'], name=op.f('fk_calls_buyer_org_id_organisations')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calls_created_by_id_users')),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_calls_deal_id_deals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['demand_id'], ['tech_demands.id'], name=op.f('fk_calls_demand_id_tech_demands'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_buyer_org_id'), ['buyer_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_industry'), ['industry'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_status'), ['status'], unique=False)

    op.create_table('call_events',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_org_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_org_id'], ['organisations.id'], name=op.f('fk_call_events_actor_org_id_organisations')),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_call_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_events_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_events'))
    )
    with op.batch_alter_table('call_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_events_call_id'), ['call_id'], unique=False)

    op.create_table('call_ndas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('nda_text', sa.Text(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_ndas_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_call_ndas_org_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_call_ndas_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_ndas')),
    sa.UniqueConstraint('call_id', 'org_id', name='uq_call_ndas_call_org')
    )
    with op.batch_alter_table('call_ndas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_ndas_call_id'), ['call_id'], unique=False)

    op.create_table('call_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('buyer_org_id', sa.Integer(), nullable=False),
    sa.Column('seller_org_id', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('approach', sa.Text(), nullable=False),
    sa.Column('team', sa.Text(), nullable=False),
    sa.Column('trl_now', sa.Integer(), nullable=False),
    sa.Column('trl_target', sa.Integer(), nullable=False),
    sa.Column('milestones', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('scores', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('decline_code', sa.String(length=32), nullable=True),
    sa.Column('decline_note', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('submitted', 'shortlisted', 'awarded', 'declined', 'not_selected', 'withdrawn', name='proposalstatus', native_enum=False, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('stage_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['buyer_org_id'], ['organisations.id'], name=op.f('fk_call_proposals_buyer_org_id_organisations')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_proposals_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_call_proposals_deal_id_deals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['seller_org_id'], ['organisations.id'], name=op.f('fk_call_proposals_seller_org_id_organisations')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_call_proposals_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_proposals'))
    )
    with op.batch_alter_table('call_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_proposals_buyer_org_id'), ['buyer_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_proposals_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_proposals_seller_org_id'), ['seller_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_proposals_status'), ['status'], unique=False)

    op.create_table('call_proposal_documents',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['call_proposals.id'], name=op.f('fk_call_proposal_documents_proposal_id_call_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_call_proposal_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_proposal_documents')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_call_proposal_documents_stored_name'))
    )
    with op.batch_alter_table('call_proposal_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_proposal_documents_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('call_proposal_events',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=True),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor_org_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_org_id'], ['organisations.id'], name=op.f('fk_call_proposal_events_actor_org_id_organisations')),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_call_proposal_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['proposal_id'], ['call_proposals.id'], name=op.f('fk_call_proposal_events_proposal_id_call_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_proposal_events'))
    )
    with op.batch_alter_table('call_proposal_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_proposal_events_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('call_proposal_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('reply_to_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_org_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_call_proposal_messages_author_id_users')),
    sa.ForeignKeyConstraint(['author_org_id'], ['organisations.id'], name=op.f('fk_call_proposal_messages_author_org_id_organisations')),
    sa.ForeignKeyConstraint(['proposal_id'], ['call_proposals.id'], name=op.f('fk_call_proposal_messages_proposal_id_call_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reply_to_id'], ['call_proposal_messages.id'], name=op.f('fk_call_proposal_messages_reply_to_id_call_proposal_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_proposal_messages'))
    )
    with op.batch_alter_table('call_proposal_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_proposal_messages_proposal_id'), ['proposal_id'], unique=False)



def downgrade():
    with op.batch_alter_table('call_proposal_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_proposal_messages_proposal_id'))

    op.drop_table('call_proposal_messages')
    with op.batch_alter_table('call_proposal_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_proposal_events_proposal_id'))

    op.drop_table('call_proposal_events')
    with op.batch_alter_table('call_proposal_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_proposal_documents_proposal_id'))

    op.drop_table('call_proposal_documents')
    with op.batch_alter_table('call_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_proposals_status'))
        batch_op.drop_index(batch_op.f('ix_call_proposals_seller_org_id'))
        batch_op.drop_index(batch_op.f('ix_call_proposals_call_id'))
        batch_op.drop_index(batch_op.f('ix_call_proposals_buyer_org_id'))

    op.drop_table('call_proposals')
    with op.batch_alter_table('call_ndas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_ndas_call_id'))

    op.drop_table('call_ndas')
    with op.batch_alter_table('call_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_events_call_id'))

    op.drop_table('call_events')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_status'))
        batch_op.drop_index(batch_op.f('ix_calls_industry'))
        batch_op.drop_index(batch_op.f('ix_calls_deadline'))
        batch_op.drop_index(batch_op.f('ix_calls_buyer_org_id'))

    op.drop_table('calls')
