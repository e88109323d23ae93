"""API passwords: a second password per user for Google Reader and Fever clients.

Revision ID: 0004
Revises: 0003

`api_password_hash` is the argon2 hash checked by Google Reader's ClientLogin; `fever_key` is the
md5 hex of "name:api password", which Fever clients send as they are (the Fever protocol defines
it), so it is kept as such, unique, and looked up with one indexed query.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("api_password_hash", sa.Text))
    op.add_column("users", sa.Column("fever_key", sa.Text))
    op.create_index("ix_users_fever_key", "users", ["fever_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_users_fever_key", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("fever_key")
        batch.drop_column("api_password_hash")
