"""matching speed: saved listings' query vectors (query_vectors) and a per-resource counter of vector writes
(vector_versions) that replaces a row count per match request; `flask match embed` back-fills query vectors

Revision ID: 0016_query_vectors
Revises: 0015_figures_orders
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_query_vectors"
down_revision = "0015_figures_orders"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "vector_versions",
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("resource", name=op.f("pk_vector_versions")),
    )
    op.create_table(
        "query_vectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_vectors")),
        sa.UniqueConstraint("resource", "object_id", "text_hash", name="uq_query_vectors_object_text"),
    )
    op.create_index(op.f("ix_query_vectors_text_hash"), "query_vectors", ["text_hash"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_query_vectors_text_hash"), table_name="query_vectors")
    op.drop_table("query_vectors")
    op.drop_table("vector_versions")
