-- title: Evidence
-- grain: one row per evidence row (a verbatim quote supporting one fact row)
-- key: [source, char_start, char_end, fact_type, fact, part, role]
-- description: >
--   The verbatim quotes behind the facts, with their source, their position
--   in its text (char_start and char_end, 0-based code points, end exclusive)
--   and the sentences (source_segments seq) they fall in. Give fact (the slug
--   of an agreement, project, event or statement) for the evidence of that
--   fact and of its parts (parties, obligations and amounts of an agreement;
--   participants and amounts of a project; participants of an event; what a
--   statement is about). Give actor (slug, display name or alias, letter case
--   ignored) for the evidence of the actor, its aliases and every fact row it
--   takes part in (as party, obligor or beneficiary, participant, speaker,
--   subject of a statement, either end of a relation), and of its sub-units
--   all the way down the parent chain unless subunits is no. Given both, only
--   evidence that satisfies both is listed; given neither, all evidence is.
--   fact_type says which kind of fact row a quote supports; fact and part
--   identify it.
-- parameters:
--   - name: fact
--     type: text
--     description: Slug of an agreement, project, event or statement.
--   - name: actor
--     type: text
--     description: An actor's slug, display name or alias; its sub-units' evidence comes too.
--   - name: subunits
--     type: choice
--     choices: ['yes', 'no']
--     default: 'yes'
--     description: "yes: an actor parameter also finds the actor's sub-units, all the way down its parent chain (actors.parent_id); no: only the actor itself."
-- columns:
--   - {name: source, type: text, description: Slug of the source quoted.}
--   - {name: char_start, type: integer, description: "Offset of the quote's first character in the source text (0-based, code points)."}
--   - {name: char_end, type: integer, description: Offset just past the quote's last character.}
--   - {name: first_seq, type: integer, description: Seq of the source segment (sentence) the quote starts in.}
--   - {name: last_seq, type: integer, description: Seq of the segment it ends in (the same as first_seq for a quote within one sentence).}
--   - {name: fact_type, type: text, description: "The kind of fact row supported: actor, alias, relation, agreement, party, obligation, project, participant, amount, statement, subject, event or event_participant."}
--   - {name: fact, type: text, description: "Slug of the fact: the agreement, project, event or statement (also for their parts: a party, obligation, amount, participant or subject); the actor for an actor, alias or relation."}
--   - {name: part, type: text, description: "The part of the fact: the party, participant, obligor or subject actor's slug, the other actor of a relation, an alias, the words of an amount; empty for the fact itself."}
--   - {name: role, type: text, description: "The part's role: party, participant or statement-subject role, obligor, the relation kind."}
--   - {name: actor_match, type: text, description: "With actor given: how the row's actor (or, for a relation or obligation, the other actor) matched it: self, or sub-unit of the actor it names."}
--   - {name: quote, type: text, description: "The quoted text, verbatim."}
with recursive params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:fact, '') as fact,
        nullif(:actor, '') as actor,
        nullif(:subunits, '') as subunits
),
cited as (
    -- without fact: every evidence row; with fact: only that fact's, found from its slug
    select ev.id as evidence_id, 1 as type_order, 'actor' as fact_type,
           a.slug as fact, null as part, null as role,
           a.id as actor_id, cast(null as integer) as other_actor_id
    from params as p
    cross join evidence as ev
    join actors as a on a.id = ev.actor_id
    where p.fact is null
    union all
    select ev.id, 2, 'alias', a.slug, al.alias, null, a.id, null
    from params as p
    cross join evidence as ev
    join actor_aliases as al on al.id = ev.alias_id
    join actors as a on a.id = al.actor_id
    where p.fact is null
    union all
    select ev.id, 3, 'relation', sa.slug, oa.slug, re.kind, sa.id, oa.id
    from params as p
    cross join evidence as ev
    join actor_relations as re on re.id = ev.relation_id
    join actors as sa on sa.id = re.subject_actor_id
    join actors as oa on oa.id = re.object_actor_id
    where p.fact is null
    union all
    select ev.id, 4, 'agreement', ag.slug, null, null, null, null
    from params as p
    cross join evidence as ev
    join agreements as ag on ag.id = ev.agreement_id
    where p.fact is null
    union all
    select ev.id, 5, 'party', ag.slug, a.slug, pa.role, a.id, null
    from params as p
    cross join evidence as ev
    join agreement_parties as pa on pa.id = ev.party_id
    join agreements as ag on ag.id = pa.agreement_id
    join actors as a on a.id = pa.actor_id
    where p.fact is null
    union all
    select ev.id, 6, 'obligation', ag.slug, a.slug, 'obligor', a.id, ob.beneficiary_actor_id
    from params as p
    cross join evidence as ev
    join agreement_obligations as ob on ob.id = ev.obligation_id
    join agreements as ag on ag.id = ob.agreement_id
    join actors as a on a.id = ob.obligor_actor_id
    where p.fact is null
    union all
    select ev.id, 7, 'project', pr.slug, null, null, null, null
    from params as p
    cross join evidence as ev
    join projects as pr on pr.id = ev.project_id
    where p.fact is null
    union all
    select ev.id, 8, 'participant', pr.slug, a.slug, pp.role, a.id, null
    from params as p
    cross join evidence as ev
    join project_participants as pp on pp.id = ev.participant_id
    join projects as pr on pr.id = pp.project_id
    join actors as a on a.id = pp.actor_id
    where p.fact is null
    union all
    select ev.id, 9, 'amount', coalesce(ag.slug, pr.slug), am.amount_text, am.stage, null, null
    from params as p
    cross join evidence as ev
    join amounts as am on am.id = ev.amount_id
    left join agreements as ag on ag.id = am.agreement_id
    left join projects as pr on pr.id = am.project_id
    where p.fact is null
    union all
    select ev.id, 10, 'statement', st.slug, null, null, st.speaker_actor_id, null
    from params as p
    cross join evidence as ev
    join statements as st on st.id = ev.statement_id
    where p.fact is null
    union all
    select ev.id, 11, 'subject', st.slug, coalesce(a.slug, ag.slug, pr.slug, e.slug), su.role, a.id, null
    from params as p
    cross join evidence as ev
    join statement_subjects as su on su.id = ev.subject_id
    join statements as st on st.id = su.statement_id
    left join actors as a on a.id = su.actor_id
    left join agreements as ag on ag.id = su.agreement_id
    left join projects as pr on pr.id = su.project_id
    left join events as e on e.id = su.event_id
    where p.fact is null
    union all
    select ev.id, 12, 'event', e.slug, null, null, null, null
    from params as p
    cross join evidence as ev
    join events as e on e.id = ev.event_id
    where p.fact is null
    union all
    select ev.id, 13, 'event_participant', e.slug, a.slug, ep.role, a.id, null
    from params as p
    cross join evidence as ev
    join event_participants as ep on ep.id = ev.event_participant_id
    join events as e on e.id = ep.event_id
    join actors as a on a.id = ep.actor_id
    where p.fact is null
    union all
    select ev.id, 4, 'agreement', ag.slug, null, null, null, null
    from params as p
    cross join agreements as ag
    join evidence as ev on ev.agreement_id = ag.id
    where ag.slug = lower(p.fact)
    union all
    select ev.id, 5, 'party', ag.slug, a.slug, pa.role, a.id, null
    from params as p
    cross join agreements as ag
    join agreement_parties as pa on pa.agreement_id = ag.id
    join evidence as ev on ev.party_id = pa.id
    join actors as a on a.id = pa.actor_id
    where ag.slug = lower(p.fact)
    union all
    select ev.id, 6, 'obligation', ag.slug, a.slug, 'obligor', a.id, ob.beneficiary_actor_id
    from params as p
    cross join agreements as ag
    join agreement_obligations as ob on ob.agreement_id = ag.id
    join evidence as ev on ev.obligation_id = ob.id
    join actors as a on a.id = ob.obligor_actor_id
    where ag.slug = lower(p.fact)
    union all
    select ev.id, 7, 'project', pr.slug, null, null, null, null
    from params as p
    cross join projects as pr
    join evidence as ev on ev.project_id = pr.id
    where pr.slug = lower(p.fact)
    union all
    select ev.id, 8, 'participant', pr.slug, a.slug, pp.role, a.id, null
    from params as p
    cross join projects as pr
    join project_participants as pp on pp.project_id = pr.id
    join evidence as ev on ev.participant_id = pp.id
    join actors as a on a.id = pp.actor_id
    where pr.slug = lower(p.fact)
    union all
    select ev.id, 9, 'amount', ag.slug, am.amount_text, am.stage, null, null
    from params as p
    cross join agreements as ag
    join amounts as am on am.agreement_id = ag.id
    join evidence as ev on ev.amount_id = am.id
    where ag.slug = lower(p.fact)
    union all
    select ev.id, 9, 'amount', pr.slug, am.amount_text, am.stage, null, null
    from params as p
    cross join projects as pr
    join amounts as am on am.project_id = pr.id
    join evidence as ev on ev.amount_id = am.id
    where pr.slug = lower(p.fact)
    union all
    select ev.id, 10, 'statement', st.slug, null, null, st.speaker_actor_id, null
    from params as p
    cross join statements as st
    join evidence as ev on ev.statement_id = st.id
    where st.slug = lower(p.fact)
    union all
    select ev.id, 11, 'subject', st.slug, coalesce(a.slug, ag.slug, pr.slug, e.slug), su.role, a.id, null
    from params as p
    cross join statements as st
    join statement_subjects as su on su.statement_id = st.id
    join evidence as ev on ev.subject_id = su.id
    left join actors as a on a.id = su.actor_id
    left join agreements as ag on ag.id = su.agreement_id
    left join projects as pr on pr.id = su.project_id
    left join events as e on e.id = su.event_id
    where st.slug = lower(p.fact)
    union all
    select ev.id, 12, 'event', e.slug, null, null, null, null
    from params as p
    cross join events as e
    join evidence as ev on ev.event_id = e.id
    where e.slug = lower(p.fact)
    union all
    select ev.id, 13, 'event_participant', e.slug, a.slug, ep.role, a.id, null
    from params as p
    cross join events as e
    join event_participants as ep on ep.event_id = e.id
    join evidence as ev on ev.event_participant_id = ep.id
    join actors as a on a.id = ep.actor_id
    where e.slug = lower(p.fact)
),
actor_ids as (
    -- the actor by slug, display name or alias (letter case ignored): three index lookups, which
    -- every engine's planner sees as a few rows (an OR across them made PostgreSQL scan tables)
    select a.id from params as p cross join actors as a where a.slug = lower(p.actor)
    union
    select a.id from params as p cross join actors as a where a.name_key = lower(p.actor)
    union
    select x.actor_id from params as p cross join actor_aliases as x where x.alias_key = lower(p.actor)
),
actor_tree as (
    -- the actors found and, unless subunits is no, their sub-units all the way down (actors.parent_id,
    -- an index lookup a level); depth 0 is a found actor itself; the bound on depth stops a parent loop
    select k.id, k.id as matched_id, 0 as depth from actor_ids as k
    union
    select sub.id, t.matched_id, t.depth + 1
    from actor_tree as t
    cross join params as p
    join actors as sub on sub.parent_id = t.id
    where (p.subunits is null or p.subunits <> 'no') and t.depth < 100
),
actor_units as (
    -- each actor once, with how it matched: self, or sub-unit of the nearest found actor above it
    select f.id, case when f.depth = 0 then 'self' else replace('sub-unit of #', '#', f.matched) end as how
    from (
        select t.id, t.depth, fa.slug as matched,
               row_number() over (partition by t.id order by t.depth, fa.slug) as n
        from actor_tree as t
        join actors as fa on fa.id = t.matched_id
    ) as f
    where f.n = 1
)
select
    s.slug as source,
    ev.char_start,
    ev.char_end,
    (select case when sg.char_start < ev.char_end then sg.seq end
       from source_segments as sg
      where sg.source_id = ev.source_id and sg.char_end > ev.char_start
      order by sg.char_end limit 1) as first_seq,
    (select case when sg.char_end > ev.char_start then sg.seq end
       from source_segments as sg
      where sg.source_id = ev.source_id and sg.char_start < ev.char_end
      order by sg.char_start desc limit 1) as last_seq,
    c.fact_type,
    c.fact,
    c.part,
    c.role,
    -- how, only for the rows listed (a join would look it up for every evidence row)
    coalesce((select u.how from actor_units as u where u.id = c.actor_id),
             (select u.how from actor_units as u where u.id = c.other_actor_id)) as actor_match,
    ev.quote
from params as p
cross join cited as c
join evidence as ev on ev.id = c.evidence_id
join sources as s on s.id = ev.source_id
where (p.fact is null or (c.type_order >= 4 and lower(c.fact) = lower(p.fact)))
  and (p.actor is null
       or c.actor_id in (select id from actor_units)
       or c.other_actor_id in (select id from actor_units))
order by
    s.slug,
    ev.char_start,
    ev.char_end,
    c.type_order,
    c.fact,
    case when c.part is null then 0 else 1 end,
    lower(c.part),
    c.part,
    case when c.role is null then 0 else 1 end,
    replace(c.role, '_', '-')
