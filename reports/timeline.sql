-- title: Timeline
-- grain: one row per dated fact (agreement signed, project started, event, statement, relation)
-- key: [fact_type, fact, object_actor, kind]
-- description: >
--   Every fact that has a date, in date order, with the date's precision and
--   the source's own words. A date the source does not pin down (such as "four
--   years ago") keeps empty earliest/latest columns; when accords has inferred
--   it, the inferred range is shown in separate columns and, by default (basis
--   inferred), used for ordering and for from and to, and is_inferred is true.
--   With basis stated, only the sources' own dates order and filter: inferred
--   dates are still shown apart, but do not place a fact. A fact whose date
--   the source does not give at all is listed only when accords has inferred
--   one; the others are listed by the unknowns report. Facts that no date
--   places stay at the end. from and to keep only the facts whose range (on
--   the chosen basis) overlaps them, leaving out the facts no date places
--   (relative and undated ones) unless undated is yes; from may not be later
--   than to. sources
--   counts the distinct sources that quote the fact; disputed says that
--   sources state incompatible values of it (its date or another: the
--   conflicts report lists both sides).
-- parameters:
--   - name: from
--     type: date
--     description: Only facts whose date range reaches this day or later (YYYY-MM-DD).
--   - name: to
--     type: date
--     not_before: from
--     description: Only facts whose date range begins on or before this day (YYYY-MM-DD).
--   - name: basis
--     type: choice
--     choices: [inferred, stated]
--     default: inferred
--     description: "What places a fact: inferred (its stated date, else accords' inferred one) or stated (the sources' own dates only)."
--   - name: undated
--     type: choice
--     choices: ['yes', 'no']
--     default: 'no'
--     description: "yes: from and to also keep the facts no date places on that basis (relative and undated ones); no: they leave them out."
-- columns:
--   - {name: date_earliest, type: date, description: First day the stated date can mean; empty when the source does not pin it down.}
--   - {name: date_latest, type: date, description: Last day the stated date can mean.}
--   - {name: date_precision, type: text, description: "Precision of the stated date: day, month, part_of_year, year, relative, ..."}
--   - {name: date_text, type: text, description: The source's own words for the date.}
--   - {name: inferred_earliest, type: date, description: "First day of accords' inferred date, when it has inferred one."}
--   - {name: inferred_latest, type: date, description: Last day of accords' inferred date.}
--   - {name: is_inferred, type: boolean, description: True when the row is ordered by an inferred date (never with basis stated).}
--   - {name: fact_type, type: text, description: "agreement, event, project, relation or statement."}
--   - {name: fact, type: text, description: "The fact's slug; for a relation, the slug of the actor the relation goes from."}
--   - {name: object_actor, type: text, description: "For a relation, the slug of the actor the relation goes to; empty otherwise."}
--   - {name: date_of, type: text, description: "What the date is the date of: signed, started, occurred, said or since."}
--   - {name: kind, type: text, description: "The fact's kind: agreement, event, statement or relation kind; a project's sector."}
--   - {name: what, type: text, description: "What happened, in short: a title, a statement's words, a relation's description."}
--   - {name: sources, type: integer, description: Distinct sources with evidence on the fact.}
--   - {name: disputed, type: boolean, description: "True when a value of the fact is disputed between sources (for an agreement, also of its obligations and amounts; for a project, of its amounts): see the conflicts report."}
with params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        date(nullif(cast(:from as char(10)), '')) as from_on,
        date(nullif(cast(:to as char(10)), '')) as to_on,
        nullif(:basis, '') as basis,
        nullif(:undated, '') as undated
),
inferred_dates as (
    select
        inf.agreement_id,
        inf.project_id,
        inf.event_id,
        inf.statement_id,
        inf.relation_id,
        min(inf.earliest) as earliest,
        max(inf.latest) as latest
    from inferences as inf
    where inf.field in ('date', 'said')
    group by inf.agreement_id, inf.project_id, inf.event_id, inf.statement_id, inf.relation_id
),
dated as (
    select
        'agreement' as fact_type,
        ag.id as fact_id,
        ag.slug as fact,
        null as object_actor,
        'signed' as date_of,
        ag.kind,
        ag.title as what,
        ag.signed_earliest as date_earliest,
        ag.signed_latest as date_latest,
        ag.signed_precision as date_precision,
        ag.signed_text as date_text,
        inf.earliest as inferred_earliest,
        inf.latest as inferred_latest
    from agreements as ag
    left join inferred_dates as inf on inf.agreement_id = ag.id
    where ag.signed_precision <> 'unknown' or inf.agreement_id is not null
    union all
    select
        'project', pr.id, pr.slug, null, 'started', pr.sector, pr.title,
        pr.started_earliest, pr.started_latest, pr.started_precision, pr.started_text,
        inf.earliest, inf.latest
    from projects as pr
    left join inferred_dates as inf on inf.project_id = pr.id
    where pr.started_precision <> 'unknown' or inf.project_id is not null
    union all
    select
        'event', ev.id, ev.slug, null, 'occurred', ev.kind, ev.title,
        ev.occurred_earliest, ev.occurred_latest, ev.occurred_precision, ev.occurred_text,
        inf.earliest, inf.latest
    from events as ev
    left join inferred_dates as inf on inf.event_id = ev.id
    where ev.occurred_precision <> 'unknown' or inf.event_id is not null
    union all
    select
        'statement', st.id, st.slug, null, 'said', st.kind, st.content,
        st.said_earliest, st.said_latest, st.said_precision, st.said_text,
        inf.earliest, inf.latest
    from statements as st
    left join inferred_dates as inf on inf.statement_id = st.id
    where st.said_precision <> 'unknown' or inf.statement_id is not null
    union all
    select
        'relation', re.id, sa.slug, oa.slug, 'since', re.kind, coalesce(re.description, re.kind),
        re.since_earliest, re.since_latest, re.since_precision, re.since_text,
        inf.earliest, inf.latest
    from actor_relations as re
    join actors as sa on sa.id = re.subject_actor_id
    join actors as oa on oa.id = re.object_actor_id
    left join inferred_dates as inf on inf.relation_id = re.id
    where re.since_precision <> 'unknown' or inf.relation_id is not null
),
ordered as (
    select
        dated.*,
        case when p.basis = 'stated' then date_earliest else coalesce(date_earliest, inferred_earliest) end
            as sort_earliest,
        case when p.basis = 'stated' then date_latest else coalesce(date_latest, inferred_latest) end
            as sort_latest,
        case when p.basis = 'stated' then 0 when date_earliest is null and inferred_earliest is not null then 1 else 0 end
            as is_inferred
    from params as p
    cross join dated
)
select
    date_earliest,
    date_latest,
    date_precision,
    date_text,
    inferred_earliest,
    inferred_latest,
    is_inferred,
    fact_type,
    fact,
    object_actor,
    date_of,
    kind,
    what,
    -- the fact's sources and disputes: one index lookup for the row's kind of fact
    case o.fact_type
        when 'agreement' then (select count(distinct e.source_id) from evidence as e where e.agreement_id = o.fact_id)
        when 'project' then (select count(distinct e.source_id) from evidence as e where e.project_id = o.fact_id)
        when 'event' then (select count(distinct e.source_id) from evidence as e where e.event_id = o.fact_id)
        when 'statement' then (select count(distinct e.source_id) from evidence as e where e.statement_id = o.fact_id)
        else (select count(distinct e.source_id) from evidence as e where e.relation_id = o.fact_id)
    end as sources,
    case
        when o.fact_type = 'agreement' and (
            exists (select 1 from claims as c where c.agreement_id = o.fact_id and c.disputed)
            or exists (select 1 from agreement_obligations as ob join claims as c on c.obligation_id = ob.id
                       where ob.agreement_id = o.fact_id and c.disputed)
            or exists (select 1 from amounts as x join claims as c on c.amount_id = x.id
                       where x.agreement_id = o.fact_id and c.disputed)) then 1
        when o.fact_type = 'project' and (
            exists (select 1 from claims as c where c.project_id = o.fact_id and c.disputed)
            or exists (select 1 from amounts as x join claims as c on c.amount_id = x.id
                       where x.project_id = o.fact_id and c.disputed)) then 1
        when o.fact_type = 'event'
            and exists (select 1 from claims as c where c.event_id = o.fact_id and c.disputed) then 1
        when o.fact_type = 'statement'
            and exists (select 1 from claims as c where c.statement_id = o.fact_id and c.disputed) then 1
        when o.fact_type = 'relation'
            and exists (select 1 from claims as c where c.relation_id = o.fact_id and c.disputed) then 1
        else 0
    end as disputed
from params as p
cross join ordered as o
where (p.from_on is null and p.to_on is null)
   -- a placed fact whose range overlaps [from, to] (an open end of the range reaches any day)
   or ((sort_earliest is not null or sort_latest is not null)
       and (p.from_on is null or sort_latest is null or sort_latest >= p.from_on)
       and (p.to_on is null or sort_earliest is null or sort_earliest <= p.to_on))
   -- a fact no date places, only when asked for
   or (sort_earliest is null and sort_latest is null and p.undated = 'yes')
order by
    case when sort_earliest is null then 1 else 0 end,
    sort_earliest,
    case when sort_latest is null then 1 else 0 end,
    sort_latest,
    fact_type,
    fact,
    case when object_actor is null then 0 else 1 end,
    object_actor,
    case when kind is null then 0 else 1 end,
    replace(kind, '_', '-')
