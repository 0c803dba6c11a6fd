-- title: Conflicts between sources
-- grain: one row per disputed value and source that states it (each side of a dispute)
-- key: [fact_type, fact, part, field, value, source]
-- description: >
--   The values that sources state incompatibly: two dates that cannot both
--   be right (2022 against 2023), two totals of one contract ($150 million
--   against $540 million), two kinds, statuses, speakers or parents. Each
--   side is one row per source, with its grade, its quote, and how many
--   sources support it; in_record marks the side the record shows (the one
--   with the most supporting sources, then the best graded, then the first
--   loaded) and every report flags the fact as disputed. Give fact (an
--   agreement, project, event, statement or actor slug) or source to narrow
--   the list, and grade to leave out sources graded worse.
-- parameters:
--   - name: fact
--     type: text
--     description: Slug of an agreement, project, event, statement or actor.
--   - name: source
--     type: text
--     description: Only the disputes this source takes part in (its slug); both sides are listed.
--   - name: grade
--     type: choice
--     choices: [A, B, C, D, E, F]
--     description: Only sides stated by sources graded this well or better (A is best); ungraded sources are left out.
-- columns:
--   - {name: fact_type, type: text, description: "What is disputed: agreement, amount, obligation, project, event, statement, actor or relation."}
--   - {name: fact, type: text, description: "The slug of the fact (for an amount or obligation, its agreement or project; for a relation, its subject actor)."}
--   - {name: part, type: text, description: "For an amount, its stage; for a relation, its object actor; empty otherwise."}
--   - {name: field, type: text, description: "Which value: signed, amount, status, kind, speaker, ..."}
--   - {name: value, type: text, description: The value this side states (the source's words for a date or an amount).}
--   - {name: earliest, type: date, description: For a date, the first day it can mean.}
--   - {name: latest, type: date, description: For a date, the last day it can mean.}
--   - {name: amount, type: decimal, description: For an amount, the exact value.}
--   - {name: currency, type: text, description: For an amount, its currency.}
--   - {name: source, type: text, description: The source's slug.}
--   - {name: grade, type: text, description: The source's reliability (A to F); empty when not graded.}
--   - {name: support, type: integer, description: Distinct sources that state this side's value (or a more precise one within it).}
--   - {name: in_record, type: boolean, description: True for the side the fact's record shows.}
--   - {name: quote, type: text, description: The source's words that state it (verbatim).}
with params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:fact, '') as fact,
        nullif(:source, '') as source,
        nullif(:grade, '') as grade
),
disputed as (
    select
        c.id as claim_id,
        case
            when c.agreement_id is not null then 'agreement'
            when c.amount_id is not null then 'amount'
            when c.obligation_id is not null then 'obligation'
            when c.project_id is not null then 'project'
            when c.event_id is not null then 'event'
            when c.statement_id is not null then 'statement'
            when c.actor_id is not null then 'actor'
            else 'relation'
        end as fact_type,
        coalesce(ag.slug, amag.slug, ampr.slug, obag.slug, pr.slug, e.slug, st.slug, a.slug, rs.slug) as fact,
        case
            when am.id is not null then am.stage
            when re.id is not null then ro.slug
        end as part
    from claims as c
    left join agreements as ag on ag.id = c.agreement_id
    left join amounts as am on am.id = c.amount_id
    left join agreements as amag on amag.id = am.agreement_id
    left join projects as ampr on ampr.id = am.project_id
    left join agreement_obligations as ob on ob.id = c.obligation_id
    left join agreements as obag on obag.id = ob.agreement_id
    left join projects as pr on pr.id = c.project_id
    left join events as e on e.id = c.event_id
    left join statements as st on st.id = c.statement_id
    left join actors as a on a.id = c.actor_id
    left join actor_relations as re on re.id = c.relation_id
    left join actors as rs on rs.id = re.subject_actor_id
    left join actors as ro on ro.id = re.object_actor_id
    where c.disputed
),
taking_part as (
    -- the disputes (fact, part, field) a source takes part in
    select distinct d.fact_type, d.fact, d.part, c.field
    from params as p
    cross join disputed as d
    join claims as c on c.id = d.claim_id
    join sources as s on s.id = c.source_id
    where s.slug = lower(p.source)
)
select
    d.fact_type,
    d.fact,
    d.part,
    c.field,
    c.value,
    c.earliest,
    c.latest,
    c.amount,
    c.currency,
    s.slug as source,
    s.grade,
    c.support,
    case
        -- an amount's side is in the record when its row is (the words shown may be another source's)
        when c.amount_id is not null
            then case when exists (select 1 from claims as r where r.amount_id = c.amount_id and r.in_record)
                      then 1 else 0 end
        when c.in_record then 1
        else 0
    end as in_record,
    ev.quote
from params as p
cross join disputed as d
join claims as c on c.id = d.claim_id
join sources as s on s.id = c.source_id
join evidence as ev on ev.id = c.evidence_id
where (p.fact is null or d.fact = lower(p.fact))
  and (p.grade is null or s.grade <= p.grade)
  and (p.source is null or exists (
      select 1 from taking_part as t
      where t.fact_type = d.fact_type and t.fact = d.fact and t.field = c.field
        and (t.part = d.part or (t.part is null and d.part is null))))
order by
    d.fact,
    replace(d.fact_type, '_', '-'),
    case when d.part is null then 0 else 1 end,
    d.part,
    replace(c.field, '_', '-'),
    case when c.earliest is null then 1 else 0 end,
    c.earliest,
    case when c.latest is null then 1 else 0 end,
    c.latest,
    case when c.amount is null then 0 else 1 end,
    length(cast(c.amount as char(24))),
    c.amount,
    case when c.value is null then 0 else 1 end,
    lower(c.value),
    c.value,
    s.slug
