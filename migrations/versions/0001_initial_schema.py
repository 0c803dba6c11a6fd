"""Initial schema: sources, actors, agreements, projects, statements, events and their evidence.

Written from autogenerate output and reviewed by hand: every constraint is
named by the naming convention, CHECK constraints spell out the enumerations
(migrations never import the models), and downgrade drops the tables in
reverse dependency order.

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 05:31:05.747068

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('actors',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('slug', sa.String(length=120), nullable=False, comment="Stable unique identifier, e.g. 'china'."),
    sa.Column('name', sa.Text(), nullable=False, comment='Display name; for an unnamed actor, a description in brackets.'),
    sa.Column('is_named', sa.Boolean(), nullable=False, comment='False when the sources describe the actor without naming it.'),
    sa.Column('kind', sa.String(length=40), nullable=False, comment='Kind of actor (see data dictionary).'),
    sa.Column('country', sa.String(length=2), nullable=True, comment="ISO 3166-1 alpha-2 code of the actor's country, where one applies."),
    sa.Column('parent_id', sa.Integer(), nullable=True, comment='The actor this one belongs to (a ministry to its government).'),
    sa.Column('description', sa.Text(), nullable=True, comment="Short description in accords' words."),
    sa.CheckConstraint("kind in ('state', 'de_facto_government', 'former_government', 'government', 'government_body', 'government_official', 'state_owned_enterprise', 'company', 'person', 'group', 'organisation', 'armed_group', 'legislature', 'region', 'place', 'initiative', 'author', 'population')", name=op.f('ck_actors_kind_valid')),
    sa.CheckConstraint('country is null or length(country) = 2', name=op.f('ck_actors_country_alpha2')),
    sa.ForeignKeyConstraint(['parent_id'], ['actors.id'], name=op.f('fk_actors_parent_id_actors'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actors')),
    sa.UniqueConstraint('slug', name=op.f('uq_actors_slug')),
    comment='Who acts: states, governments, bodies, companies, people, groups.'
    )
    op.create_index(op.f('ix_actors_parent_id'), 'actors', ['parent_id'], unique=False)

    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('slug', sa.String(length=120), nullable=False, comment='Stable unique identifier.'),
    sa.Column('title', sa.Text(), nullable=False, comment='Name as the source gives it, or a short description.'),
    sa.Column('kind', sa.String(length=30), nullable=False, comment='Kind of agreement (see data dictionary).'),
    sa.Column('status', sa.String(length=20), nullable=False, comment='Status as of the source.'),
    sa.Column('description', sa.Text(), nullable=True, comment="What was agreed, in accords' words."),
    sa.Column('signed_earliest', sa.Date(), nullable=True, comment='First day the signing date can mean; NULL when the source does not pin it down.'),
    sa.Column('signed_latest', sa.Date(), nullable=True, comment='Last day the signing date can mean; NULL when the source does not pin it down.'),
    sa.Column('signed_precision', sa.String(length=20), nullable=False, comment='Precision of the signing date: day, month, part_of_year, year, years, day_without_year, relative or unknown.'),
    sa.Column('signed_text', sa.Text(), nullable=True, comment="The source's own words for the signing date, verbatim."),
    sa.CheckConstraint("kind in ('contract', 'accord', 'diplomatic_exchange', 'guarantee', 'memorandum', 'treaty', 'other')", name=op.f('ck_agreements_kind_valid')),
    sa.CheckConstraint("signed_precision in ('day', 'month', 'part_of_year', 'year', 'years', 'day_without_year', 'relative', 'unknown')", name=op.f('ck_agreements_signed_precision_valid')),
    sa.CheckConstraint("status in ('proposed', 'negotiating', 'signed', 'in_force', 'disputed', 'completed', 'terminated', 'unknown')", name=op.f('ck_agreements_status_valid')),
    sa.CheckConstraint('signed_earliest is null or signed_latest is null or signed_earliest <= signed_latest', name=op.f('ck_agreements_signed_ordered')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('slug', name=op.f('uq_agreements_slug')),
    comment='Contracts, accords, diplomatic exchanges and guarantees between actors.'
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('slug', sa.String(length=120), nullable=False, comment='Stable unique identifier.'),
    sa.Column('title', sa.Text(), nullable=False, comment='Short description of the event.'),
    sa.Column('kind', sa.String(length=30), nullable=False, comment='Kind of event (see data dictionary).'),
    sa.Column('location_text', sa.Text(), nullable=True, comment='Where, as the source words it; NULL when not stated.'),
    sa.Column('description', sa.Text(), nullable=True, comment="The event in accords' words."),
    sa.Column('occurred_earliest', sa.Date(), nullable=True, comment='First day when it happened can mean; NULL when the source does not pin it down.'),
    sa.Column('occurred_latest', sa.Date(), nullable=True, comment='Last day when it happened can mean; NULL when the source does not pin it down.'),
    sa.Column('occurred_precision', sa.String(length=20), nullable=False, comment='Precision of when it happened: day, month, part_of_year, year, years, day_without_year, relative or unknown.'),
    sa.Column('occurred_text', sa.Text(), nullable=True, comment="The source's own words for when it happened, verbatim."),
    sa.CheckConstraint("kind in ('visit', 'meeting', 'withdrawal', 'evacuation', 'exchange', 'construction', 'signing', 'negotiation', 'military_operation', 'publication', 'other')", name=op.f('ck_events_kind_valid')),
    sa.CheckConstraint("occurred_precision in ('day', 'month', 'part_of_year', 'year', 'years', 'day_without_year', 'relative', 'unknown')", name=op.f('ck_events_occurred_precision_valid')),
    sa.CheckConstraint('occurred_earliest is null or occurred_latest is null or occurred_earliest <= occurred_latest', name=op.f('ck_events_occurred_ordered')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('slug', name=op.f('uq_events_slug')),
    comment='Dated happenings that are not agreements, projects or statements: visits, meetings, withdrawals.'
    )
    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('slug', sa.String(length=120), nullable=False, comment='Stable unique identifier of the source.'),
    sa.Column('title', sa.Text(), nullable=False, comment='Title as published.'),
    sa.Column('kind', sa.String(length=30), nullable=False, comment='Kind of document (see data dictionary).'),
    sa.Column('author', sa.Text(), nullable=True, comment='Author as named by the document; NULL when not named.'),
    sa.Column('publisher', sa.Text(), nullable=True, comment='Publisher; NULL when unknown.'),
    sa.Column('url', sa.Text(), nullable=True, comment='Where the document was published; NULL when unknown.'),
    sa.Column('published_earliest', sa.Date(), nullable=True, comment='First day the publication date can mean; NULL when the source does not pin it down.'),
    sa.Column('published_latest', sa.Date(), nullable=True, comment='Last day the publication date can mean; NULL when the source does not pin it down.'),
    sa.Column('published_precision', sa.String(length=20), nullable=False, comment='Precision of the publication date: day, month, part_of_year, year, years, day_without_year, relative or unknown.'),
    sa.Column('published_text', sa.Text(), nullable=True, comment="The source's own words for the publication date, verbatim."),
    sa.Column('content', sa.Text(), nullable=False, comment='Full text of the document, exactly as stored; evidence offsets index into it.'),
    sa.Column('sha256', sa.String(length=64), nullable=False, comment='SHA-256 (hex) of content encoded as UTF-8.'),
    sa.Column('loaded_digest', sa.String(length=64), nullable=True, comment="SHA-256 of the data file the source's facts were last loaded from."),
    sa.CheckConstraint("kind in ('news_article', 'opinion_article', 'government_report', 'agreement_text', 'press_release', 'transcript', 'dataset', 'other')", name=op.f('ck_sources_kind_valid')),
    sa.CheckConstraint("published_precision in ('day', 'month', 'part_of_year', 'year', 'years', 'day_without_year', 'relative', 'unknown')", name=op.f('ck_sources_published_precision_valid')),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_sources_sha256_length')),
    sa.CheckConstraint('published_earliest is null or published_latest is null or published_earliest <= published_latest', name=op.f('ck_sources_published_ordered')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources')),
    sa.UniqueConstraint('slug', name=op.f('uq_sources_slug')),
    comment='A document facts are taken from: news article, report, agreement text, ...'
    )
    op.create_table('actor_aliases',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('actor_id', sa.Integer(), nullable=False, comment='The actor meant.'),
    sa.Column('alias', sa.String(length=200), nullable=False, comment='The surface form, verbatim.'),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_actor_aliases_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actor_aliases')),
    sa.UniqueConstraint('actor_id', 'alias', name=op.f('uq_actor_aliases_actor_id_alias')),
    comment="Surface forms a source uses for an actor ('Beijing' for China)."
    )
    op.create_index(op.f('ix_actor_aliases_alias'), 'actor_aliases', ['alias'], unique=False)

    op.create_table('actor_relations',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('subject_actor_id', sa.Integer(), nullable=False, comment='The actor the relation goes from.'),
    sa.Column('object_actor_id', sa.Integer(), nullable=False, comment='The actor the relation goes to.'),
    sa.Column('kind', sa.String(length=40), nullable=False, comment='Kind of relation (see data dictionary).'),
    sa.Column('description', sa.Text(), nullable=True, comment="The relation in accords' words."),
    sa.Column('since_earliest', sa.Date(), nullable=True, comment='First day the start of the relation can mean; NULL when the source does not pin it down.'),
    sa.Column('since_latest', sa.Date(), nullable=True, comment='Last day the start of the relation can mean; NULL when the source does not pin it down.'),
    sa.Column('since_precision', sa.String(length=20), nullable=False, comment='Precision of the start of the relation: day, month, part_of_year, year, years, day_without_year, relative or unknown.'),
    sa.Column('since_text', sa.Text(), nullable=True, comment="The source's own words for the start of the relation, verbatim."),
    sa.CheckConstraint("kind in ('recognizes', 'does_not_recognize', 'diplomatic_representation', 'alliance', 'opposition', 'rivalry', 'partnership', 'security_guarantee', 'economic_dependence', 'part_of', 'other')", name=op.f('ck_actor_relations_kind_valid')),
    sa.CheckConstraint("since_precision in ('day', 'month', 'part_of_year', 'year', 'years', 'day_without_year', 'relative', 'unknown')", name=op.f('ck_actor_relations_since_precision_valid')),
    sa.CheckConstraint('since_earliest is null or since_latest is null or since_earliest <= since_latest', name=op.f('ck_actor_relations_since_ordered')),
    sa.CheckConstraint('subject_actor_id <> object_actor_id', name=op.f('ck_actor_relations_distinct_actors')),
    sa.ForeignKeyConstraint(['object_actor_id'], ['actors.id'], name=op.f('fk_actor_relations_object_actor_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_actor_id'], ['actors.id'], name=op.f('fk_actor_relations_subject_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actor_relations')),
    comment='A stated relation from one actor to another (recognition, representation, alliance, ...).'
    )
    op.create_index(op.f('ix_actor_relations_object_actor_id'), 'actor_relations', ['object_actor_id'], unique=False)
    op.create_index(op.f('ix_actor_relations_subject_actor_id'), 'actor_relations', ['subject_actor_id'], unique=False)

    op.create_table('agreement_obligations',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('agreement_id', sa.Integer(), nullable=False, comment='The agreement.'),
    sa.Column('obligor_actor_id', sa.Integer(), nullable=False, comment='The party that owes.'),
    sa.Column('beneficiary_actor_id', sa.Integer(), nullable=True, comment='The party owed, where the source says.'),
    sa.Column('description', sa.Text(), nullable=False, comment="What is owed, in the source's words where it quotes the agreement."),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_obligations_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['beneficiary_actor_id'], ['actors.id'], name=op.f('fk_agreement_obligations_beneficiary_actor_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['obligor_actor_id'], ['actors.id'], name=op.f('fk_agreement_obligations_obligor_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_obligations')),
    comment='What a party owes under an agreement, as a source states it.'
    )
    op.create_index(op.f('ix_agreement_obligations_agreement_id'), 'agreement_obligations', ['agreement_id'], unique=False)
    op.create_index(op.f('ix_agreement_obligations_beneficiary_actor_id'), 'agreement_obligations', ['beneficiary_actor_id'], unique=False)
    op.create_index(op.f('ix_agreement_obligations_obligor_actor_id'), 'agreement_obligations', ['obligor_actor_id'], unique=False)

    op.create_table('agreement_parties',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('agreement_id', sa.Integer(), nullable=False, comment='The agreement.'),
    sa.Column('actor_id', sa.Integer(), nullable=False, comment='The party.'),
    sa.Column('role', sa.String(length=20), nullable=False, comment='Role of the party (see data dictionary).'),
    sa.CheckConstraint("role in ('signatory', 'party', 'counterparty', 'guarantor', 'beneficiary', 'mediator', 'witness', 'other')", name=op.f('ck_agreement_parties_role_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_agreement_parties_actor_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_parties_agreement_id_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_parties')),
    sa.UniqueConstraint('agreement_id', 'actor_id', 'role', name=op.f('uq_agreement_parties_agreement_id_actor_id_role')),
    comment='Who is party to an agreement, and in which role.'
    )
    op.create_index(op.f('ix_agreement_parties_actor_id'), 'agreement_parties', ['actor_id'], unique=False)

    op.create_table('event_participants',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('event_id', sa.Integer(), nullable=False, comment='The event.'),
    sa.Column('actor_id', sa.Integer(), nullable=False, comment='The participant.'),
    sa.Column('role', sa.String(length=20), nullable=False, comment='Role in the event (see data dictionary).'),
    sa.CheckConstraint("role in ('host', 'visitor', 'participant', 'organiser', 'subject', 'excluded', 'other')", name=op.f('ck_event_participants_role_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_event_participants_actor_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_participants_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_participants')),
    sa.UniqueConstraint('event_id', 'actor_id', 'role', name=op.f('uq_event_participants_event_id_actor_id_role')),
    comment='Who took part in an event, and in which role.'
    )
    op.create_index(op.f('ix_event_participants_actor_id'), 'event_participants', ['actor_id'], unique=False)

    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('slug', sa.String(length=120), nullable=False, comment='Stable unique identifier.'),
    sa.Column('title', sa.Text(), nullable=False, comment='Short description of the project.'),
    sa.Column('sector', sa.String(length=60), nullable=True, comment='Economic sector: mining, oil, infrastructure, ...'),
    sa.Column('resource', sa.String(length=120), nullable=True, comment='Resource concerned (marble, oil, copper, ...), where stated.'),
    sa.Column('location_text', sa.Text(), nullable=True, comment='Location as the source words it; NULL when not stated.'),
    sa.Column('status', sa.String(length=30), nullable=False, comment='Status as of the source (see data dictionary).'),
    sa.Column('agreement_id', sa.Integer(), nullable=True, comment='The agreement behind the project, where there is one.'),
    sa.Column('description', sa.Text(), nullable=True, comment="The project in accords' words."),
    sa.Column('started_earliest', sa.Date(), nullable=True, comment='First day the start can mean; NULL when the source does not pin it down.'),
    sa.Column('started_latest', sa.Date(), nullable=True, comment='Last day the start can mean; NULL when the source does not pin it down.'),
    sa.Column('started_precision', sa.String(length=20), nullable=False, comment='Precision of the start: day, month, part_of_year, year, years, day_without_year, relative or unknown.'),
    sa.Column('started_text', sa.Text(), nullable=True, comment="The source's own words for the start, verbatim."),
    sa.CheckConstraint("started_precision in ('day', 'month', 'part_of_year', 'year', 'years', 'day_without_year', 'relative', 'unknown')", name=op.f('ck_projects_started_precision_valid')),
    sa.CheckConstraint("status in ('interest', 'negotiation', 'planned', 'contracted', 'under_construction', 'partly_completed', 'completed', 'cancelled', 'unknown')", name=op.f('ck_projects_status_valid')),
    sa.CheckConstraint('started_earliest is null or started_latest is null or started_earliest <= started_latest', name=op.f('ck_projects_started_ordered')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_projects_agreement_id_agreements'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('slug', name=op.f('uq_projects_slug')),
    comment='Projects and declared investment interests: mines, oil fields, roads, ...'
    )
    op.create_index(op.f('ix_projects_agreement_id'), 'projects', ['agreement_id'], unique=False)

    op.create_table('source_segments',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('source_id', sa.Integer(), nullable=False, comment='The source.'),
    sa.Column('seq', sa.Integer(), nullable=False, comment='Position of the segment in the source, from 1.'),
    sa.Column('kind', sa.String(length=20), nullable=False, comment='headline and body are cited; chrome, weather and footer are page furniture, excluded.'),
    sa.Column('char_start', sa.Integer(), nullable=False, comment='Offset of the first character (0-based, in Unicode code points).'),
    sa.Column('char_end', sa.Integer(), nullable=False, comment='Offset just past the last character.'),
    sa.Column('text', sa.Text(), nullable=False, comment="The segment's text, verbatim."),
    sa.CheckConstraint("kind in ('headline', 'body', 'chrome', 'weather', 'footer')", name=op.f('ck_source_segments_kind_valid')),
    sa.CheckConstraint('char_start >= 0 and char_end > char_start', name=op.f('ck_source_segments_span_valid')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_source_segments_source_id_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_segments')),
    sa.UniqueConstraint('source_id', 'seq', name=op.f('uq_source_segments_source_id_seq')),
    comment='The sentences of a source, in order, and the parts excluded from its body.'
    )
    op.create_index(op.f('ix_source_segments_source_id'), 'source_segments', ['source_id'], unique=False)

    op.create_table('statements',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('slug', sa.String(length=120), nullable=False, comment='Stable unique identifier.'),
    sa.Column('voice', sa.String(length=10), nullable=False, comment="'actor': attributed to speaker_actor_id; 'source': the source's own assertion."),
    sa.Column('speaker_actor_id', sa.Integer(), nullable=True, comment="Who said it; NULL for the source's own voice."),
    sa.Column('kind', sa.String(length=20), nullable=False, comment='Kind of statement (see data dictionary).'),
    sa.Column('is_direct_quote', sa.Boolean(), nullable=False, comment="True when content is a verbatim quotation; false for reported speech and the source's voice."),
    sa.Column('content', sa.Text(), nullable=False, comment="Verbatim quote when is_direct_quote, otherwise the source's words reporting it."),
    sa.Column('said_earliest', sa.Date(), nullable=True, comment='First day when it was said can mean; NULL when the source does not pin it down.'),
    sa.Column('said_latest', sa.Date(), nullable=True, comment='Last day when it was said can mean; NULL when the source does not pin it down.'),
    sa.Column('said_precision', sa.String(length=20), nullable=False, comment='Precision of when it was said: day, month, part_of_year, year, years, day_without_year, relative or unknown.'),
    sa.Column('said_text', sa.Text(), nullable=True, comment="The source's own words for when it was said, verbatim."),
    sa.CheckConstraint("(voice = 'actor' and speaker_actor_id is not null) or (voice = 'source' and speaker_actor_id is null and not is_direct_quote)", name=op.f('ck_statements_voice_speaker')),
    sa.CheckConstraint("kind in ('claim', 'accusation', 'demand', 'assessment', 'praise', 'warning', 'criticism', 'prediction', 'position', 'inquiry', 'threat', 'denial')", name=op.f('ck_statements_kind_valid')),
    sa.CheckConstraint("said_precision in ('day', 'month', 'part_of_year', 'year', 'years', 'day_without_year', 'relative', 'unknown')", name=op.f('ck_statements_said_precision_valid')),
    sa.CheckConstraint("voice in ('actor', 'source')", name=op.f('ck_statements_voice_valid')),
    sa.CheckConstraint('said_earliest is null or said_latest is null or said_earliest <= said_latest', name=op.f('ck_statements_said_ordered')),
    sa.ForeignKeyConstraint(['speaker_actor_id'], ['actors.id'], name=op.f('fk_statements_speaker_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements')),
    sa.UniqueConstraint('slug', name=op.f('uq_statements_slug')),
    comment='What an actor said (quoted or reported), or what a source itself asserts.'
    )
    op.create_index(op.f('ix_statements_speaker_actor_id'), 'statements', ['speaker_actor_id'], unique=False)

    op.create_table('amounts',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('agreement_id', sa.Integer(), nullable=True, comment='The agreement the amount belongs to.'),
    sa.Column('project_id', sa.Integer(), nullable=True, comment='The project the amount belongs to.'),
    sa.Column('amount', sa.Numeric(precision=20, scale=2), nullable=False, comment='The amount as an exact decimal, in currency units.'),
    sa.Column('currency', sa.String(length=3), nullable=False, comment='ISO 4217 currency code.'),
    sa.Column('qualifier', sa.String(length=20), nullable=False, comment='exact, about, at_least, more_than, at_most or less_than.'),
    sa.Column('stage', sa.String(length=20), nullable=False, comment='contracted, planned, pledged, disbursed or reported.'),
    sa.Column('amount_text', sa.Text(), nullable=False, comment="The source's own words for the amount."),
    sa.CheckConstraint("qualifier in ('exact', 'about', 'at_least', 'more_than', 'at_most', 'less_than')", name=op.f('ck_amounts_qualifier_valid')),
    sa.CheckConstraint("stage in ('contracted', 'planned', 'pledged', 'disbursed', 'reported')", name=op.f('ck_amounts_stage_valid')),
    sa.CheckConstraint('(case when agreement_id is null then 0 else 1 end) + (case when project_id is null then 0 else 1 end) = 1', name=op.f('ck_amounts_one_owner')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_amounts_amount_not_negative')),
    sa.CheckConstraint('length(currency) = 3', name=op.f('ck_amounts_currency_alpha3')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_amounts_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_amounts_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amounts')),
    comment='Stated amounts of money, each tied to one agreement or one project.'
    )
    op.create_index(op.f('ix_amounts_agreement_id'), 'amounts', ['agreement_id'], unique=False)
    op.create_index(op.f('ix_amounts_project_id'), 'amounts', ['project_id'], unique=False)

    op.create_table('project_participants',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('project_id', sa.Integer(), nullable=False, comment='The project.'),
    sa.Column('actor_id', sa.Integer(), nullable=False, comment='The participant.'),
    sa.Column('role', sa.String(length=30), nullable=False, comment='Role of the participant (see data dictionary).'),
    sa.CheckConstraint("role in ('investor', 'builder', 'host', 'operator', 'contractor', 'financier', 'partner', 'prospective_investor', 'other')", name=op.f('ck_project_participants_role_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_project_participants_actor_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_participants_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_participants')),
    sa.UniqueConstraint('project_id', 'actor_id', 'role', name=op.f('uq_project_participants_project_id_actor_id_role')),
    comment='Who takes part in a project, and in which role.'
    )
    op.create_index(op.f('ix_project_participants_actor_id'), 'project_participants', ['actor_id'], unique=False)

    op.create_table('statement_subjects',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('statement_id', sa.Integer(), nullable=False, comment='The statement.'),
    sa.Column('role', sa.String(length=20), nullable=False, comment='target, subject, beneficiary, accused, praised or mentioned.'),
    sa.Column('actor_id', sa.Integer(), nullable=True, comment='The actor it is about.'),
    sa.Column('agreement_id', sa.Integer(), nullable=True, comment='The agreement it is about.'),
    sa.Column('project_id', sa.Integer(), nullable=True, comment='The project it is about.'),
    sa.Column('event_id', sa.Integer(), nullable=True, comment='The event it is about.'),
    sa.CheckConstraint("role in ('target', 'subject', 'beneficiary', 'accused', 'praised', 'mentioned')", name=op.f('ck_statement_subjects_role_valid')),
    sa.CheckConstraint('(case when actor_id is null then 0 else 1 end) + (case when agreement_id is null then 0 else 1 end) + (case when project_id is null then 0 else 1 end) + (case when event_id is null then 0 else 1 end) = 1', name=op.f('ck_statement_subjects_one_subject')),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_statement_subjects_actor_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_statement_subjects_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_statement_subjects_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_statement_subjects_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_subjects_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_subjects')),
    comment='What or whom a statement is about: one actor, agreement, project or event per row.'
    )
    op.create_index(op.f('ix_statement_subjects_actor_id'), 'statement_subjects', ['actor_id'], unique=False)
    op.create_index(op.f('ix_statement_subjects_agreement_id'), 'statement_subjects', ['agreement_id'], unique=False)
    op.create_index(op.f('ix_statement_subjects_event_id'), 'statement_subjects', ['event_id'], unique=False)
    op.create_index(op.f('ix_statement_subjects_project_id'), 'statement_subjects', ['project_id'], unique=False)
    op.create_index(op.f('ix_statement_subjects_statement_id'), 'statement_subjects', ['statement_id'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('source_id', sa.Integer(), nullable=False, comment='The source quoted.'),
    sa.Column('char_start', sa.Integer(), nullable=False, comment="Offset of the quote's first character in sources.content (0-based, code points)."),
    sa.Column('char_end', sa.Integer(), nullable=False, comment="Offset just past the quote's last character."),
    sa.Column('quote', sa.Text(), nullable=False, comment='The quoted text, equal to substr(content, char_start + 1, char_end - char_start).'),
    sa.Column('actor_id', sa.Integer(), nullable=True, comment='The actors row this evidence row supports, when it supports one.'),
    sa.Column('alias_id', sa.Integer(), nullable=True, comment='The actor_aliases row this evidence row supports, when it supports one.'),
    sa.Column('relation_id', sa.Integer(), nullable=True, comment='The actor_relations row this evidence row supports, when it supports one.'),
    sa.Column('agreement_id', sa.Integer(), nullable=True, comment='The agreements row this evidence row supports, when it supports one.'),
    sa.Column('party_id', sa.Integer(), nullable=True, comment='The agreement_parties row this evidence row supports, when it supports one.'),
    sa.Column('obligation_id', sa.Integer(), nullable=True, comment='The agreement_obligations row this evidence row supports, when it supports one.'),
    sa.Column('project_id', sa.Integer(), nullable=True, comment='The projects row this evidence row supports, when it supports one.'),
    sa.Column('participant_id', sa.Integer(), nullable=True, comment='The project_participants row this evidence row supports, when it supports one.'),
    sa.Column('amount_id', sa.Integer(), nullable=True, comment='The amounts row this evidence row supports, when it supports one.'),
    sa.Column('statement_id', sa.Integer(), nullable=True, comment='The statements row this evidence row supports, when it supports one.'),
    sa.Column('subject_id', sa.Integer(), nullable=True, comment='The statement_subjects row this evidence row supports, when it supports one.'),
    sa.Column('event_id', sa.Integer(), nullable=True, comment='The events row this evidence row supports, when it supports one.'),
    sa.Column('event_participant_id', sa.Integer(), nullable=True, comment='The event_participants row this evidence row supports, when it supports one.'),
    sa.CheckConstraint('(case when actor_id is null then 0 else 1 end) + (case when alias_id is null then 0 else 1 end) + (case when relation_id is null then 0 else 1 end) + (case when agreement_id is null then 0 else 1 end) + (case when party_id is null then 0 else 1 end) + (case when obligation_id is null then 0 else 1 end) + (case when project_id is null then 0 else 1 end) + (case when participant_id is null then 0 else 1 end) + (case when amount_id is null then 0 else 1 end) + (case when statement_id is null then 0 else 1 end) + (case when subject_id is null then 0 else 1 end) + (case when event_id is null then 0 else 1 end) + (case when event_participant_id is null then 0 else 1 end) = 1', name=op.f('ck_evidence_one_fact')),
    sa.CheckConstraint('char_start >= 0 and char_end > char_start', name=op.f('ck_evidence_span_valid')),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_evidence_actor_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_evidence_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['alias_id'], ['actor_aliases.id'], name=op.f('fk_evidence_alias_id_actor_aliases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['amount_id'], ['amounts.id'], name=op.f('fk_evidence_amount_id_amounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_evidence_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_participant_id'], ['event_participants.id'], name=op.f('fk_evidence_event_participant_id_event_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['obligation_id'], ['agreement_obligations.id'], name=op.f('fk_evidence_obligation_id_agreement_obligations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['project_participants.id'], name=op.f('fk_evidence_participant_id_project_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['agreement_parties.id'], name=op.f('fk_evidence_party_id_agreement_parties'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_evidence_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['relation_id'], ['actor_relations.id'], name=op.f('fk_evidence_relation_id_actor_relations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_evidence_source_id_sources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_evidence_statement_id_statements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['statement_subjects.id'], name=op.f('fk_evidence_subject_id_statement_subjects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    comment='A verbatim span of a source that supports exactly one fact row.'
    )
    op.create_index(op.f('ix_evidence_actor_id'), 'evidence', ['actor_id'], unique=False)
    op.create_index(op.f('ix_evidence_agreement_id'), 'evidence', ['agreement_id'], unique=False)
    op.create_index(op.f('ix_evidence_alias_id'), 'evidence', ['alias_id'], unique=False)
    op.create_index(op.f('ix_evidence_amount_id'), 'evidence', ['amount_id'], unique=False)
    op.create_index(op.f('ix_evidence_event_id'), 'evidence', ['event_id'], unique=False)
    op.create_index(op.f('ix_evidence_event_participant_id'), 'evidence', ['event_participant_id'], unique=False)
    op.create_index(op.f('ix_evidence_obligation_id'), 'evidence', ['obligation_id'], unique=False)
    op.create_index(op.f('ix_evidence_participant_id'), 'evidence', ['participant_id'], unique=False)
    op.create_index(op.f('ix_evidence_party_id'), 'evidence', ['party_id'], unique=False)
    op.create_index(op.f('ix_evidence_project_id'), 'evidence', ['project_id'], unique=False)
    op.create_index(op.f('ix_evidence_relation_id'), 'evidence', ['relation_id'], unique=False)
    op.create_index(op.f('ix_evidence_source_span'), 'evidence', ['source_id', 'char_start', 'char_end'], unique=False)
    op.create_index(op.f('ix_evidence_statement_id'), 'evidence', ['statement_id'], unique=False)
    op.create_index(op.f('ix_evidence_subject_id'), 'evidence', ['subject_id'], unique=False)

    op.create_table('inferences',
    sa.Column('id', sa.Integer(), nullable=False, comment='Surrogate key.'),
    sa.Column('field', sa.String(length=20), nullable=False, comment='Which value is inferred: date (of the fact), said, published or value.'),
    sa.Column('earliest', sa.Date(), nullable=True, comment='Inferred first day, for a date.'),
    sa.Column('latest', sa.Date(), nullable=True, comment='Inferred last day, for a date.'),
    sa.Column('date_precision', sa.String(length=20), nullable=False, comment='Precision of the inferred date (as for partial dates).'),
    sa.Column('value_text', sa.Text(), nullable=True, comment='The inferred value in words.'),
    sa.Column('reasoning', sa.Text(), nullable=False, comment='Why accords infers it, citing what the sources say.'),
    sa.Column('source_id', sa.Integer(), nullable=True, comment='The source this inference is about (its publication date).'),
    sa.Column('actor_id', sa.Integer(), nullable=True, comment='The actors row this inference row supports, when it supports one.'),
    sa.Column('alias_id', sa.Integer(), nullable=True, comment='The actor_aliases row this inference row supports, when it supports one.'),
    sa.Column('relation_id', sa.Integer(), nullable=True, comment='The actor_relations row this inference row supports, when it supports one.'),
    sa.Column('agreement_id', sa.Integer(), nullable=True, comment='The agreements row this inference row supports, when it supports one.'),
    sa.Column('party_id', sa.Integer(), nullable=True, comment='The agreement_parties row this inference row supports, when it supports one.'),
    sa.Column('obligation_id', sa.Integer(), nullable=True, comment='The agreement_obligations row this inference row supports, when it supports one.'),
    sa.Column('project_id', sa.Integer(), nullable=True, comment='The projects row this inference row supports, when it supports one.'),
    sa.Column('participant_id', sa.Integer(), nullable=True, comment='The project_participants row this inference row supports, when it supports one.'),
    sa.Column('amount_id', sa.Integer(), nullable=True, comment='The amounts row this inference row supports, when it supports one.'),
    sa.Column('statement_id', sa.Integer(), nullable=True, comment='The statements row this inference row supports, when it supports one.'),
    sa.Column('subject_id', sa.Integer(), nullable=True, comment='The statement_subjects row this inference row supports, when it supports one.'),
    sa.Column('event_id', sa.Integer(), nullable=True, comment='The events row this inference row supports, when it supports one.'),
    sa.Column('event_participant_id', sa.Integer(), nullable=True, comment='The event_participants row this inference row supports, when it supports one.'),
    sa.CheckConstraint("field in ('date', 'said', 'published', 'value')", name=op.f('ck_inferences_field_valid')),
    sa.CheckConstraint("date_precision in ('day', 'month', 'part_of_year', 'year', 'years', 'day_without_year', 'relative', 'unknown')", name=op.f('ck_inferences_date_precision_valid')),
    sa.CheckConstraint('(case when source_id is null then 0 else 1 end) + (case when actor_id is null then 0 else 1 end) + (case when alias_id is null then 0 else 1 end) + (case when relation_id is null then 0 else 1 end) + (case when agreement_id is null then 0 else 1 end) + (case when party_id is null then 0 else 1 end) + (case when obligation_id is null then 0 else 1 end) + (case when project_id is null then 0 else 1 end) + (case when participant_id is null then 0 else 1 end) + (case when amount_id is null then 0 else 1 end) + (case when statement_id is null then 0 else 1 end) + (case when subject_id is null then 0 else 1 end) + (case when event_id is null then 0 else 1 end) + (case when event_participant_id is null then 0 else 1 end) = 1', name=op.f('ck_inferences_one_fact')),
    sa.CheckConstraint('earliest is null or latest is null or earliest <= latest', name=op.f('ck_inferences_range_ordered')),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_inferences_actor_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_inferences_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['alias_id'], ['actor_aliases.id'], name=op.f('fk_inferences_alias_id_actor_aliases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['amount_id'], ['amounts.id'], name=op.f('fk_inferences_amount_id_amounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_inferences_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_participant_id'], ['event_participants.id'], name=op.f('fk_inferences_event_participant_id_event_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['obligation_id'], ['agreement_obligations.id'], name=op.f('fk_inferences_obligation_id_agreement_obligations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['project_participants.id'], name=op.f('fk_inferences_participant_id_project_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['agreement_parties.id'], name=op.f('fk_inferences_party_id_agreement_parties'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_inferences_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['relation_id'], ['actor_relations.id'], name=op.f('fk_inferences_relation_id_actor_relations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_inferences_source_id_sources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_inferences_statement_id_statements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['statement_subjects.id'], name=op.f('fk_inferences_subject_id_statement_subjects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inferences')),
    comment='A value the sources do not state but that accords infers, with the reasoning; never mixed into the fact rows.'
    )
    op.create_index(op.f('ix_inferences_actor_id'), 'inferences', ['actor_id'], unique=False)
    op.create_index(op.f('ix_inferences_agreement_id'), 'inferences', ['agreement_id'], unique=False)
    op.create_index(op.f('ix_inferences_alias_id'), 'inferences', ['alias_id'], unique=False)
    op.create_index(op.f('ix_inferences_amount_id'), 'inferences', ['amount_id'], unique=False)
    op.create_index(op.f('ix_inferences_event_id'), 'inferences', ['event_id'], unique=False)
    op.create_index(op.f('ix_inferences_event_participant_id'), 'inferences', ['event_participant_id'], unique=False)
    op.create_index(op.f('ix_inferences_obligation_id'), 'inferences', ['obligation_id'], unique=False)
    op.create_index(op.f('ix_inferences_participant_id'), 'inferences', ['participant_id'], unique=False)
    op.create_index(op.f('ix_inferences_party_id'), 'inferences', ['party_id'], unique=False)
    op.create_index(op.f('ix_inferences_project_id'), 'inferences', ['project_id'], unique=False)
    op.create_index(op.f('ix_inferences_relation_id'), 'inferences', ['relation_id'], unique=False)
    op.create_index(op.f('ix_inferences_source_id'), 'inferences', ['source_id'], unique=False)
    op.create_index(op.f('ix_inferences_statement_id'), 'inferences', ['statement_id'], unique=False)
    op.create_index(op.f('ix_inferences_subject_id'), 'inferences', ['subject_id'], unique=False)



def downgrade() -> None:
    """Drop every table, dependents first (their indexes go with them)."""
    op.drop_table('inferences')
    op.drop_table('evidence')
    op.drop_table('statement_subjects')
    op.drop_table('project_participants')
    op.drop_table('amounts')
    op.drop_table('statements')
    op.drop_table('source_segments')
    op.drop_table('projects')
    op.drop_table('event_participants')
    op.drop_table('agreement_parties')
    op.drop_table('agreement_obligations')
    op.drop_table('actor_relations')
    op.drop_table('actor_aliases')
    op.drop_table('sources')
    op.drop_table('events')
    op.drop_table('agreements')
    op.drop_table('actors')
