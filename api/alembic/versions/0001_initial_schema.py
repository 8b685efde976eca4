"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=80), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('industries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_industries')),
    sa.UniqueConstraint('slug', name=op.f('uq_industries_slug'))
    )
    op.create_table('partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('headquarters_city', sa.String(length=120), nullable=True),
    sa.Column('headquarters_country', sa.String(length=2), nullable=True),
    sa.Column('employee_band', sa.String(length=16), nullable=True),
    sa.Column('founded_year', sa.Integer(), nullable=True),
    sa.Column('partner_types', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('hourly_rate_min', sa.Integer(), nullable=True),
    sa.Column('hourly_rate_max', sa.Integer(), nullable=True),
    sa.Column('min_project_budget', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("employee_band IN ('1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+')", name=op.f('ck_partners_employee_band')),
    sa.CheckConstraint('founded_year BETWEEN 1800 AND 2100', name=op.f('ck_partners_founded_year')),
    sa.CheckConstraint('hourly_rate_max >= hourly_rate_min', name=op.f('ck_partners_hourly_rate_order')),
    sa.CheckConstraint('hourly_rate_min >= 0', name=op.f('ck_partners_hourly_rate_min')),
    sa.CheckConstraint('min_project_budget >= 0', name=op.f('ck_partners_min_project_budget')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_partners_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners')),
    sa.UniqueConstraint('slug', name=op.f('uq_partners_slug'))
    )
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partners_name'), ['name'], unique=False)

    op.create_table('vendors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendors')),
    sa.UniqueConstraint('slug', name=op.f('uq_vendors_slug'))
    )
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('vendor_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(role = 'partner') = (partner_id IS NOT NULL)", name=op.f('ck_api_keys_partner_key_has_partner')),
    sa.CheckConstraint("(role = 'vendor') = (vendor_id IS NOT NULL)", name=op.f('ck_api_keys_vendor_key_has_vendor')),
    sa.CheckConstraint("role IN ('partner', 'vendor', 'admin')", name=op.f('ck_api_keys_role')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_api_keys_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_api_keys_vendor_id_vendors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    op.create_table('certifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.CheckConstraint('year BETWEEN 1980 AND 2100', name=op.f('ck_certifications_year')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_certifications_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_certifications_vendor_id_vendors'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certifications'))
    )
    with op.batch_alter_table('certifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certifications_partner_id'), ['partner_id'], unique=False)

    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email_domain', sa.String(length=253), nullable=False),
    sa.Column('industry_id', sa.Integer(), nullable=False),
    sa.Column('size_band', sa.String(length=16), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.CheckConstraint("size_band IN ('1-99', '100-999', '1000-9999', '10000+')", name=op.f('ck_customers_size_band')),
    sa.CheckConstraint('length(country) = 2', name=op.f('ck_customers_country')),
    sa.ForeignKeyConstraint(['industry_id'], ['industries.id'], name=op.f('fk_customers_industry_id_industries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers')),
    sa.UniqueConstraint('email_domain', name=op.f('uq_customers_email_domain'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_industry_id'), ['industry_id'], unique=False)

    op.create_table('offices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('is_headquarters', sa.Boolean(), nullable=False),
    sa.CheckConstraint('latitude BETWEEN -90 AND 90', name=op.f('ck_offices_latitude')),
    sa.CheckConstraint('length(country) = 2', name=op.f('ck_offices_country')),
    sa.CheckConstraint('longitude BETWEEN -180 AND 180', name=op.f('ck_offices_longitude')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_offices_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offices'))
    )
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offices_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_offices_partner_id'), ['partner_id'], unique=False)

    op.create_table('partner_industries',
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('industry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['industry_id'], ['industries.id'], name=op.f('fk_partner_industries_industry_id_industries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partner_industries_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('partner_id', 'industry_id', name=op.f('pk_partner_industries'))
    )
    op.create_table('partner_references',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('customer_name', sa.String(length=200), nullable=True),
    sa.Column('industry_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['industry_id'], ['industries.id'], name=op.f('fk_partner_references_industry_id_industries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partner_references_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_references'))
    )
    with op.batch_alter_table('partner_references', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_references_partner_id'), ['partner_id'], unique=False)

    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_products_vendor_id_vendors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('slug', name=op.f('uq_products_slug'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('vendor_program_memberships',
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=40), nullable=False),
    sa.Column('annual_revenue', sa.Integer(), nullable=False),
    sa.Column('sponsored', sa.Boolean(), nullable=False),
    sa.CheckConstraint('annual_revenue >= 0', name=op.f('ck_vendor_program_memberships_annual_revenue')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_vendor_program_memberships_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_vendor_program_memberships_vendor_id_vendors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('vendor_id', 'partner_id', name=op.f('pk_vendor_program_memberships'))
    )
    op.create_table('engagements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=True),
    sa.Column('industry_id', sa.Integer(), nullable=False),
    sa.Column('budget', sa.Integer(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('selection_reason', sa.String(length=32), nullable=True),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("selection_reason IN ('vendor_recommended', 'lowest_price', 'closest_office', 'prior_relationship', 'peer_referral', 'industry_expertise', 'product_expertise', 'rfp_evaluation', 'analyst_ranking', 'directory_search', 'other')", name=op.f('ck_engagements_selection_reason')),
    sa.CheckConstraint("status IN ('proposed', 'in_progress', 'completed', 'cancelled')", name=op.f('ck_engagements_status')),
    sa.CheckConstraint('budget >= 0', name=op.f('ck_engagements_budget')),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_engagements_dates')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_engagements_customer_id_customers')),
    sa.ForeignKeyConstraint(['industry_id'], ['industries.id'], name=op.f('fk_engagements_industry_id_industries')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_engagements_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_engagements_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_engagements'))
    )
    with op.batch_alter_table('engagements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engagements_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_engagements_industry_id'), ['industry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_engagements_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_engagements_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('partner_products',
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partner_products_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_partner_products_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('partner_id', 'product_id', name=op.f('pk_partner_products'))
    )
    op.create_table('engagement_products',
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_engagement_products_engagement_id_engagements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_engagement_products_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('engagement_id', 'product_id', name=op.f('pk_engagement_products'))
    )
    op.create_table('survey_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_survey_invitations_engagement_id_engagements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_survey_invitations_token_hash'))
    )
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invitations_engagement_id'), ['engagement_id'], unique=False)

    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('likelihood_partner', sa.SmallInteger(), nullable=False),
    sa.Column('likelihood_vendor', sa.SmallInteger(), nullable=True),
    sa.Column('rating_overall', sa.SmallInteger(), nullable=True),
    sa.Column('rating_quality', sa.SmallInteger(), nullable=True),
    sa.Column('rating_schedule', sa.SmallInteger(), nullable=True),
    sa.Column('rating_budget', sa.SmallInteger(), nullable=True),
    sa.Column('rating_communication', sa.SmallInteger(), nullable=True),
    sa.Column('rating_expertise', sa.SmallInteger(), nullable=True),
    sa.Column('went_live', sa.Boolean(), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('on_budget', sa.Boolean(), nullable=True),
    sa.Column('goals_met', sa.Boolean(), nullable=True),
    sa.Column('would_hire_again', sa.Boolean(), nullable=True),
    sa.Column('selection_reason', sa.String(length=32), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('respondent_name', sa.String(length=200), nullable=True),
    sa.Column('respondent_title', sa.String(length=200), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("selection_reason IN ('vendor_recommended', 'lowest_price', 'closest_office', 'prior_relationship', 'peer_referral', 'industry_expertise', 'product_expertise', 'rfp_evaluation', 'analyst_ranking', 'directory_search', 'other')", name=op.f('ck_survey_responses_selection_reason')),
    sa.CheckConstraint('NOT voided OR void_reason IS NOT NULL', name=op.f('ck_survey_responses_void_reason')),
    sa.CheckConstraint('likelihood_partner BETWEEN 0 AND 10', name=op.f('ck_survey_responses_likelihood_partner')),
    sa.CheckConstraint('likelihood_vendor BETWEEN 0 AND 10', name=op.f('ck_survey_responses_likelihood_vendor')),
    sa.CheckConstraint('rating_budget BETWEEN 1 AND 5', name=op.f('ck_survey_responses_rating_budget')),
    sa.CheckConstraint('rating_communication BETWEEN 1 AND 5', name=op.f('ck_survey_responses_rating_communication')),
    sa.CheckConstraint('rating_expertise BETWEEN 1 AND 5', name=op.f('ck_survey_responses_rating_expertise')),
    sa.CheckConstraint('rating_overall BETWEEN 1 AND 5', name=op.f('ck_survey_responses_rating_overall')),
    sa.CheckConstraint('rating_quality BETWEEN 1 AND 5', name=op.f('ck_survey_responses_rating_quality')),
    sa.CheckConstraint('rating_schedule BETWEEN 1 AND 5', name=op.f('ck_survey_responses_rating_schedule')),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_survey_responses_engagement_id_engagements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['survey_invitations.id'], name=op.f('fk_survey_responses_invitation_id_survey_invitations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_survey_responses_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_survey_responses_invitation_id'))
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_responses_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index('ix_survey_responses_partner_live', ['partner_id', 'voided'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_responses_partner_live')
        batch_op.drop_index(batch_op.f('ix_survey_responses_engagement_id'))

    op.drop_table('survey_responses')
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_invitations_engagement_id'))

    op.drop_table('survey_invitations')
    op.drop_table('engagement_products')
    op.drop_table('partner_products')
    with op.batch_alter_table('engagements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engagements_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_engagements_partner_id'))
        batch_op.drop_index(batch_op.f('ix_engagements_industry_id'))
        batch_op.drop_index(batch_op.f('ix_engagements_customer_id'))

    op.drop_table('engagements')
    op.drop_table('vendor_program_memberships')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_vendor_id'))

    op.drop_table('products')
    with op.batch_alter_table('partner_references', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_references_partner_id'))

    op.drop_table('partner_references')
    op.drop_table('partner_industries')
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offices_partner_id'))
        batch_op.drop_index(batch_op.f('ix_offices_country'))

    op.drop_table('offices')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_industry_id'))

    op.drop_table('customers')
    with op.batch_alter_table('certifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certifications_partner_id'))

    op.drop_table('certifications')
    op.drop_table('api_keys')
    op.drop_table('vendors')
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partners_name'))

    op.drop_table('partners')
    op.drop_table('industries')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')

