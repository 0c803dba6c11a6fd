-- title: Claims
-- grain: one row per value a source states about a fact or one of its parts
-- key: [fact_type, fact, part, field, value, source]
-- description: >
--   What each source states about one fact (an agreement, project, event or
--   statement given by its slug, or an actor given by its slug, display name
--   or alias: "Beijing" finds China) and its parts (parties,
--   obligations, amounts, participants, subjects, aliases, relations), one
--   row per source and value, with the source's grade and its quote. support
--   counts the distinct sources that state the value (or a more precise one
--   within it); disputed says another source states an incompatible value
--   (the conflicts report lists both sides); in_record says the fact's
--   record shows this claim's value. The README's "Many sources" gives the
--   rules.
-- parameters:
--   - name: fact
--     type: text
--     required: true
--     description: Slug of an agreement, project, event or statement, or an actor's slug, display name or alias.
--   - name: source
--     type: text
--     description: Only the claims of this source (its slug).
--   - name: grade
--     type: choice
--     choices: [A, B, C, D, E, F]
--     description: Only sources graded this well or better (A is best); ungraded sources are left out.
-- columns:
--   - {name: fact_type, type: text, description: "What the claim is about: agreement, party, obligation, amount, project, participant, event, event_participant, statement, subject, actor, alias or relation."}
--   - {name: fact, type: text, description: "The slug of the fact given (of the actor, for an actor given by its name or an alias)."}
--   - {name: part, type: text, description: "For an amount, its stage (contracted, planned, ...); empty otherwise."}
--   - {name: field, type: text, description: "Which value: kind, status, signed, amount, party, speaker, ... (see the data dictionary)."}
--   - {name: value, type: text, description: "The value as the source states it: an enumerated value, a slug, the source's words for a date or an amount, 'actor: role' for a party."}
--   - {name: earliest, type: date, description: For a date, the first day it can mean.}
--   - {name: latest, type: date, description: For a date, the last day it can mean.}
--   - {name: amount, type: decimal, description: For an amount, the exact value.}
--   - {name: currency, type: text, description: For an amount, its currency.}
--   - {name: period, type: text, description: "For an amount, what it is counted over (total, year, ...); empty when the source does not say."}
--   - {name: source, type: text, description: The source's slug.}
--   - {name: grade, type: text, description: "The source's reliability, A (completely reliable) to F (cannot be judged); empty when not graded."}
--   - {name: support, type: integer, description: Distinct sources that state this value or a more precise one within it.}
--   - {name: disputed, type: boolean, description: True when another source states an incompatible value.}
--   - {name: in_record, type: boolean, description: True when the fact's record shows this claim's value.}
--   - {name: quote, type: text, description: The source's words that state it (verbatim).}
with params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:fact, '') as fact,
        nullif(:source, '') as source,
        nullif(:grade, '') as grade
),
fact_ids as (
    -- the actor by slug, display name or alias (letter case ignored): three index lookups, which
    -- every engine's planner sees as a few rows (an OR across them made PostgreSQL scan tables)
    select a.id from params as p cross join actors as a where a.slug = lower(p.fact)
    union
    select a.id from params as p cross join actors as a where a.name_key = lower(p.fact)
    union
    select x.actor_id from params as p cross join actor_aliases as x where x.alias_key = lower(p.fact)
),
claimed as (
    select c.id as claim_id, 1 as type_order, 'agreement' as fact_type, ag.slug as fact, null as part
    from params as p
    cross join agreements as ag
    join claims as c on c.agreement_id = ag.id
    where ag.slug = lower(p.fact)
    union all
    select c.id, 2, 'party', ag.slug, null
    from params as p
    cross join agreements as ag
    join agreement_parties as pa on pa.agreement_id = ag.id
    join claims as c on c.party_id = pa.id
    where ag.slug = lower(p.fact)
    union all
    select c.id, 3, 'obligation', ag.slug, null
    from params as p
    cross join agreements as ag
    join agreement_obligations as ob on ob.agreement_id = ag.id
    join claims as c on c.obligation_id = ob.id
    where ag.slug = lower(p.fact)
    union all
    select c.id, 4, 'amount', ag.slug, am.stage
    from params as p
    cross join agreements as ag
    join amounts as am on am.agreement_id = ag.id
    join claims as c on c.amount_id = am.id
    where ag.slug = lower(p.fact)
    union all
    select c.id, 1, 'project', pr.slug, null
    from params as p
    cross join projects as pr
    join claims as c on c.project_id = pr.id
    where pr.slug = lower(p.fact)
    union all
    select c.id, 2, 'participant', pr.slug, null
    from params as p
    cross join projects as pr
    join project_participants as pp on pp.project_id = pr.id
    join claims as c on c.participant_id = pp.id
    where pr.slug = lower(p.fact)
    union all
    select c.id, 4, 'amount', pr.slug, am.stage
    from params as p
    cross join projects as pr
    join amounts as am on am.project_id = pr.id
    join claims as c on c.amount_id = am.id
    where pr.slug = lower(p.fact)
    union all
    select c.id, 1, 'event', e.slug, null
    from params as p
    cross join events as e
    join claims as c on c.event_id = e.id
    where e.slug = lower(p.fact)
    union all
    select c.id, 2, 'event_participant', e.slug, null
    from params as p
    cross join events as e
    join event_participants as ep on ep.event_id = e.id
    join claims as c on c.event_participant_id = ep.id
    where e.slug = lower(p.fact)
    union all
    select c.id, 1, 'statement', st.slug, null
    from params as p
    cross join statements as st
    join claims as c on c.statement_id = st.id
    where st.slug = lower(p.fact)
    union all
    select c.id, 2, 'subject', st.slug, null
    from params as p
    cross join statements as st
    join statement_subjects as su on su.statement_id = st.id
    join claims as c on c.subject_id = su.id
    where st.slug = lower(p.fact)
    union all
    select c.id, 1, 'actor', a.slug, null
    from fact_ids as fi
    join actors as a on a.id = fi.id
    join claims as c on c.actor_id = a.id
    union all
    select c.id, 2, 'alias', a.slug, null
    from fact_ids as fi
    join actors as a on a.id = fi.id
    join actor_aliases as al on al.actor_id = a.id
    join claims as c on c.alias_id = al.id
    union all
    select c.id, 3, 'relation', a.slug, null
    from fact_ids as fi
    join actors as a on a.id = fi.id
    join actor_relations as re on re.subject_actor_id = a.id
    join claims as c on c.relation_id = re.id
)
select
    k.fact_type,
    k.fact,
    k.part,
    c.field,
    c.value,
    c.earliest,
    c.latest,
    c.amount,
    c.currency,
    c.period,
    s.slug as source,
    s.grade,
    c.support,
    c.disputed,
    c.in_record,
    ev.quote
from params as p
cross join claimed as k
join claims as c on c.id = k.claim_id
join sources as s on s.id = c.source_id
join evidence as ev on ev.id = c.evidence_id
where (p.source is null or s.slug = lower(p.source))
  and (p.grade is null or s.grade <= p.grade)
order by
    k.fact,
    k.type_order,
    replace(k.fact_type, '_', '-'),
    case when k.part is null then 0 else 1 end,
    k.part,
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
