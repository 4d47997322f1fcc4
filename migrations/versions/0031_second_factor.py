"""Second factor and API token expiry

Users get a TOTP secret (its own column, so it can later be encrypted at rest), the last time
step a code was accepted for (no code is accepted twice) and when they enrolled; recovery codes
are kept as salted hashes. An organisation may require a second factor of all its users.

API tokens get an expiry and a read-only scope. Every token already issued expires 90 days
after this migration runs (``EXISTING_TOKEN_DAYS``): none is cut off at once, none lives for
ever.

Revision ID: 0031_second_factor
Revises: 0030_retention
Create Date: 2026-12-07 01:40:00.000000
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import witness.db

revision = "0031_second_factor"
down_revision = "0030_retention"
branch_labels = None
depends_on = None

#: days from this migration until a token issued before it expires
EXISTING_TOKEN_DAYS = 90


def _set_scopes(values) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_api_tokens_tokenscope"), type_="check")
        batch_op.create_check_constraint("tokenscope", f"scope IN ({listed})")


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        # text: encrypted at rest (0034), a ciphertext is longer than the key
        batch_op.add_column(sa.Column("totp_secret", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("totp_pending_secret", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("totp_enrolled_dt", witness.db.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "require_second_factor", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.alter_column("require_second_factor", server_default=None)
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_dt", witness.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_dt", witness.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_dt", witness.db.UTCDateTime(timezone=True), nullable=True)
        )
    expires = datetime.now(UTC) + timedelta(days=EXISTING_TOKEN_DAYS)
    tokens = sa.table("api_tokens", sa.column("expires_dt", witness.db.UTCDateTime(timezone=True)))
    op.execute(tokens.update().values(expires_dt=expires))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_dt", existing_type=witness.db.UTCDateTime(timezone=True), nullable=False
        )
    _set_scopes(("full", "events", "read"))


def downgrade() -> None:
    op.execute("DELETE FROM api_tokens WHERE scope = 'read'")
    _set_scopes(("full", "events"))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_dt")
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))
    op.drop_table("recovery_codes")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("require_second_factor")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_enrolled_dt")
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_pending_secret")
        batch_op.drop_column("totp_secret")
