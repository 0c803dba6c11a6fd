-- title: Timeline
-- grain: one row per dated fact (agreement signed, project started, event, statement, relation)
-- description: >
--   Every fact that has a date, in date order, with the date's precision and
--   the source's own words. A date the source does not pin down (such as "four
--   years ago") keeps empty earliest/latest columns; when accords has inferred
--   it, the inferred range is shown in separate columns and used for ordering,
--   and is_inferred is true. Facts with no date at all are listed by the
--   unknowns report, not here.
-- parameters:
--   - name: from
--     type: date
--     description: Only facts that can fall on or after this day (YYYY-MM-DD).
--   - name: to
--     type: date
--     description: Only facts that can fall on or before this day (YYYY-MM-DD).
-- columns:
--   - {name: date_earliest, type: date, description: First day the stated date can mean; empty when the source does not pin it down.}
--   - {name: date_latest, type: date, description: Last day the stated date can mean.}
--   - {name: date_precision, type: text, description: "Precision of the stated date: day, month, part_of_year, year, relative, ..."}
--   - {name: date_text, type: text, description: The source's own words for the date.}
--   - {name: inferred_earliest, type: date, description: First day of accords' inferred date, when the stated one is not pinned down.}
--   - {name: inferred_latest, type: date, description: Last day of accords' inferred date.}
--   - {name: is_inferred, type: boolean, description: True when the row is ordered by an inferred date.}
--   - {name: fact_type, type: text, description: "agreement, project, event, statement or relation."}
--   - {name: fact, type: text, description: The fact's slug (for relations, subject>kind>object).}
--   - {name: what, type: text, description: What happened, in short.}
with dated as (
    select 'agreement' as fact_type, ag.slug as fact, 'signed: ' || ag.title as what,
           ag.signed_earliest as date_earliest, ag.signed_latest as date_latest,
           ag.signed_precision as date_precision, ag.signed_text as date_text,
           inf.earliest as inferred_earliest, inf.latest as inferred_latest
    from agreements as ag
    left join inferences as inf on inf.agreement_id = ag.id and inf.field = 'date'
    where ag.signed_precision <> 'unknown'
    union all
    select 'project', pr.slug, 'started: ' || pr.title,
           pr.started_earliest, pr.started_latest, pr.started_precision, pr.started_text,
           inf.earliest, inf.latest
    from projects as pr
    left join inferences as inf on inf.project_id = pr.id and inf.field = 'date'
    where pr.started_precision <> 'unknown'
    union all
    select 'event', ev.slug, ev.title,
           ev.occurred_earliest, ev.occurred_latest, ev.occurred_precision, ev.occurred_text,
           inf.earliest, inf.latest
    from events as ev
    left join inferences as inf on inf.event_id = ev.id and inf.field = 'date'
    where ev.occurred_precision <> 'unknown'
    union all
    select 'statement', st.slug, st.content,
           st.said_earliest, st.said_latest, st.said_precision, st.said_text,
           inf.earliest, inf.latest
    from statements as st
    left join inferences as inf on inf.statement_id = st.id and inf.field in ('date', 'said')
    where st.said_precision <> 'unknown'
    union all
    select 'relation', sa.slug || '>' || re.kind || '>' || oa.slug, coalesce(re.description, re.kind),
           re.since_earliest, re.since_latest, re.since_precision, re.since_text,
           inf.earliest, inf.latest
    from actor_relations as re
    join actors as sa on sa.id = re.subject_actor_id
    join actors as oa on oa.id = re.object_actor_id
    left join inferences as inf on inf.relation_id = re.id and inf.field = 'date'
    where re.since_precision <> 'unknown'
),
ordered as (
    select
        dated.*,
        coalesce(date_earliest, inferred_earliest) as sort_earliest,
        coalesce(date_latest, inferred_latest) as sort_latest,
        case when date_earliest is null and inferred_earliest is not null then 1 else 0 end as is_inferred
    from dated
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
    what
from ordered
where (:from is null or sort_latest is null or sort_latest >= :from)
  and (:to is null or sort_earliest is null or sort_earliest <= :to)
order by
    case when sort_earliest is null then 1 else 0 end,
    sort_earliest,
    sort_latest,
    fact_type,
    fact
