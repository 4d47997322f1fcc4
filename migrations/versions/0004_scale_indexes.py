"""indexes for need to know at national scale

Revision ID: 0004_scale_indexes
Revises: 0003_api_tokens
Create Date: 2026-11-26 02:07:30.740454
"""

import sqlalchemy as sa
from alembic import op

import witness.db

revision = '0004_scale_indexes'
down_revision = '0003_api_tokens'
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_user_active'))
        batch_op.create_index('ix_assignments_user_active', ['user_id', 'ended_dt', 'witness_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_organisation_id'))
        batch_op.create_index('ix_cases_organisation_id_id', ['organisation_id', 'id'], unique=False)
        batch_op.create_index('ix_cases_reference', ['reference'], unique=False)

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_share_lookup'))
        batch_op.create_index('ix_consents_shared_with', ['organisation_id', 'kind', 'is_current', 'is_granted', 'includes_identity', 'witness_id'], unique=False)
        batch_op.create_index('ix_consents_witness_kind', ['witness_id', 'kind', 'is_current'], unique=False)

    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participations_phase'))
        batch_op.drop_index(batch_op.f('ix_participations_reflection_end_date'))
        batch_op.create_index('ix_participations_phase_reflection_end', ['phase', 'reflection_end_date'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.drop_index('ix_participations_phase_reflection_end')
        batch_op.create_index(batch_op.f('ix_participations_reflection_end_date'), ['reflection_end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_participations_phase'), ['phase'], unique=False)

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index('ix_consents_witness_kind')
        batch_op.drop_index('ix_consents_shared_with')
        batch_op.create_index(batch_op.f('ix_consents_share_lookup'), ['witness_id', 'kind', 'organisation_id', 'is_current'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_reference')
        batch_op.drop_index('ix_cases_organisation_id_id')
        batch_op.create_index(batch_op.f('ix_cases_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignments_user_active')
        batch_op.create_index(batch_op.f('ix_assignments_user_active'), ['user_id', 'ended_dt'], unique=False)


