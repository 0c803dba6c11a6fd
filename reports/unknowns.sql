-- title: What the sources leave unknown
-- grain: one row per fact and thing the sources leave unknown about it
-- key: [fact_type, fact, actor, what, missing]
-- description: >
--   The gaps in what the sources say, so that nobody mistakes an empty column
--   for a fact: dates the source does not pin down (missing date: no first
--   day is stated, whether the source gives no date at all or only words such
--   as "four years ago"; when accords has inferred a date, the inferred range
--   and value are shown, but the source still leaves it unknown), the month
--   and the day a partial date leaves open (missing month: a date known only
--   to its year, part of a year or span of years, such as "In 2023"; missing
--   day: any date known only to its month or less, such as "late 2022"; a
--   source's publication date counts too), agreements
--   and projects without any stated amount, project and event locations not
--   stated, obligations whose beneficiary is not stated, actors the sources
--   do not name, agreements without a named party (no party, or only unnamed
--   ones), and sources without author, publisher, address or publication
--   date. Relations are left out: the start of a relation is seldom stated.
-- parameters:
--   - name: missing
--     type: choice
--     choices: [date, month, day, amount, location, beneficiary, name, named_party, author, publisher, url, published_date]
--     description: Only gaps of this kind.
-- columns:
--   - {name: fact_type, type: text, description: "source, actor, agreement, obligation, project, event or statement."}
--   - {name: fact, type: text, description: "Slug of the source, actor, agreement, project, event or statement; for an obligation, its agreement's slug."}
--   - {name: actor, type: text, description: "For an obligation, the slug of the party that owes; empty otherwise."}
--   - {name: what, type: text, description: "The fact in words: title, display name, a statement's words, what an obligation owes."}
--   - {name: missing, type: text, description: "What is unknown: date, month or day (of a partial date), amount, location, beneficiary, name, named_party, author, publisher, url or published_date."}
--   - {name: stated_text, type: text, description: "The source's own words for the missing or partial date, where it gives some (such as \"four years ago\", \"In 2023\")."}
--   - {name: stated_precision, type: text, description: "Precision of the stated date: unknown, relative, day_without_year, year, month, ..."}
--   - {name: is_inferred, type: boolean, description: True when accords has inferred the missing value.}
--   - {name: inferred_earliest, type: date, description: First day of accords' inferred date.}
--   - {name: inferred_latest, type: date, description: Last day of accords' inferred date.}
--   - {name: inferred_text, type: text, description: Accords' inferred value in words.}
with params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:missing, '') as missing
),
inferred as (
    select
        inf.source_id,
        inf.agreement_id,
        inf.project_id,
        inf.event_id,
        inf.statement_id,
        min(inf.earliest) as earliest,
        max(inf.latest) as latest,
        min(inf.value_text) as value_text
    from inferences as inf
    where inf.field in ('date', 'said', 'published')
    group by inf.source_id, inf.agreement_id, inf.project_id, inf.event_id, inf.statement_id
),
partial as (
    -- what a date of each partial precision leaves open (day_without_year, relative and unknown
    -- dates have no first day: they are missing dates, above)
    select 'month' as date_precision, 3 as missing_order, 'day' as missing
    union all select 'part_of_year', 2, 'month'
    union all select 'part_of_year', 3, 'day'
    union all select 'year', 2, 'month'
    union all select 'year', 3, 'day'
    union all select 'years', 2, 'month'
    union all select 'years', 3, 'day'
),
gaps as (
    -- dates no source pins down
    select 3 as type_order, 'agreement' as fact_type, ag.slug as fact, null as actor, ag.title as what,
           1 as missing_order, 'date' as missing, ag.signed_text as stated_text,
           ag.signed_precision as stated_precision,
           inf.earliest as inferred_earliest, inf.latest as inferred_latest, inf.value_text as inferred_text,
           case when inf.agreement_id is null then 0 else 1 end as is_inferred
    from agreements as ag
    left join inferred as inf on inf.agreement_id = ag.id
    where ag.signed_earliest is null
    union all
    select 5, 'project', pr.slug, null, pr.title,
           1, 'date', pr.started_text, pr.started_precision,
           inf.earliest, inf.latest, inf.value_text,
           case when inf.project_id is null then 0 else 1 end
    from projects as pr
    left join inferred as inf on inf.project_id = pr.id
    where pr.started_earliest is null
    union all
    select 6, 'event', ev.slug, null, ev.title,
           1, 'date', ev.occurred_text, ev.occurred_precision,
           inf.earliest, inf.latest, inf.value_text,
           case when inf.event_id is null then 0 else 1 end
    from events as ev
    left join inferred as inf on inf.event_id = ev.id
    where ev.occurred_earliest is null
    union all
    select 7, 'statement', st.slug, null, st.content,
           1, 'date', st.said_text, st.said_precision,
           inf.earliest, inf.latest, inf.value_text,
           case when inf.statement_id is null then 0 else 1 end
    from statements as st
    left join inferred as inf on inf.statement_id = st.id
    where st.said_earliest is null
    union all
    -- the month and the day a partial date leaves open
    select 3, 'agreement', ag.slug, null, ag.title,
           pt.missing_order, pt.missing, ag.signed_text, ag.signed_precision,
           inf.earliest, inf.latest, inf.value_text,
           case when inf.agreement_id is null then 0 else 1 end
    from agreements as ag
    join partial as pt on pt.date_precision = ag.signed_precision
    left join inferred as inf on inf.agreement_id = ag.id
    union all
    select 5, 'project', pr.slug, null, pr.title,
           pt.missing_order, pt.missing, pr.started_text, pr.started_precision,
           inf.earliest, inf.latest, inf.value_text,
           case when inf.project_id is null then 0 else 1 end
    from projects as pr
    join partial as pt on pt.date_precision = pr.started_precision
    left join inferred as inf on inf.project_id = pr.id
    union all
    select 6, 'event', ev.slug, null, ev.title,
           pt.missing_order, pt.missing, ev.occurred_text, ev.occurred_precision,
           inf.earliest, inf.latest, inf.value_text,
           case when inf.event_id is null then 0 else 1 end
    from events as ev
    join partial as pt on pt.date_precision = ev.occurred_precision
    left join inferred as inf on inf.event_id = ev.id
    union all
    select 7, 'statement', st.slug, null, st.content,
           pt.missing_order, pt.missing, st.said_text, st.said_precision,
           inf.earliest, inf.latest, inf.value_text,
           case when inf.statement_id is null then 0 else 1 end
    from statements as st
    join partial as pt on pt.date_precision = st.said_precision
    left join inferred as inf on inf.statement_id = st.id
    union all
    select 1, 'source', s.slug, null, s.title,
           pt.missing_order, pt.missing, s.published_text, s.published_precision,
           inf.earliest, inf.latest, inf.value_text,
           case when inf.source_id is null then 0 else 1 end
    from sources as s
    join partial as pt on pt.date_precision = s.published_precision
    left join inferred as inf on inf.source_id = s.id
    union all
    -- money
    select 3, 'agreement', ag.slug, null, ag.title,
           4, 'amount', null, null,
           cast(null as date), cast(null as date), null, 0
    from agreements as ag
    where not exists (select 1 from amounts as am where am.agreement_id = ag.id)
    union all
    select 5, 'project', pr.slug, null, pr.title,
           4, 'amount', null, null,
           cast(null as date), cast(null as date), null, 0
    from projects as pr
    where not exists (select 1 from amounts as am where am.project_id = pr.id)
    union all
    -- places
    select 5, 'project', pr.slug, null, pr.title,
           5, 'location', null, null,
           cast(null as date), cast(null as date), null, 0
    from projects as pr
    where pr.location_text is null
    union all
    select 6, 'event', ev.slug, null, ev.title,
           5, 'location', null, null,
           cast(null as date), cast(null as date), null, 0
    from events as ev
    where ev.location_text is null
    union all
    -- who is owed
    select 4, 'obligation', ag.slug, a.slug, ob.description,
           6, 'beneficiary', null, null,
           cast(null as date), cast(null as date), null, 0
    from agreement_obligations as ob
    join agreements as ag on ag.id = ob.agreement_id
    join actors as a on a.id = ob.obligor_actor_id
    where ob.beneficiary_actor_id is null
    union all
    -- who
    select 2, 'actor', a.slug, null, a.name,
           7, 'name', null, null,
           cast(null as date), cast(null as date), null, 0
    from actors as a
    where not a.is_named
    union all
    select 3, 'agreement', ag.slug, null, ag.title,
           8, 'named_party', null, null,
           cast(null as date), cast(null as date), null, 0
    from agreements as ag
    where not exists (
        select 1
        from agreement_parties as pa
        join actors as a on a.id = pa.actor_id
        where pa.agreement_id = ag.id and a.is_named
    )
    union all
    -- the sources themselves
    select 1, 'source', s.slug, null, s.title,
           9, 'author', null, null,
           cast(null as date), cast(null as date), null, 0
    from sources as s
    where s.author is null
    union all
    select 1, 'source', s.slug, null, s.title,
           10, 'publisher', null, null,
           cast(null as date), cast(null as date), null, 0
    from sources as s
    where s.publisher is null
    union all
    select 1, 'source', s.slug, null, s.title,
           11, 'url', null, null,
           cast(null as date), cast(null as date), null, 0
    from sources as s
    where s.url is null
    union all
    select 1, 'source', s.slug, null, s.title,
           12, 'published_date', s.published_text, s.published_precision,
           inf.earliest, inf.latest, inf.value_text,
           case when inf.source_id is null then 0 else 1 end
    from sources as s
    left join inferred as inf on inf.source_id = s.id
    where s.published_earliest is null
)
select
    fact_type,
    fact,
    actor,
    what,
    gaps.missing,
    stated_text,
    stated_precision,
    is_inferred,
    inferred_earliest,
    inferred_latest,
    inferred_text
from params as p
cross join gaps
where (p.missing is null or gaps.missing = p.missing)
order by
    type_order,
    fact,
    missing_order,
    case when actor is null then 0 else 1 end,
    actor,
    lower(what),
    what
