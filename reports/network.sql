-- title: Actor network
-- grain: one row per pair of actors and kind of tie (and, for stated relations, kind of relation)
-- key: [actor_a, actor_b, tie, relation_kind]
-- description: >
--   The ties between actors, with how many distinct facts stand behind each.
--   Ties of kind agreement (both are parties to the same agreement), project
--   (both take part in the same project) and event (both took part in the
--   same event) are symmetric: each pair appears once, with the lower slug as
--   actor_a. Ties of kind statement (actor_a said something about actor_b),
--   obligation (actor_a owes actor_b something under an agreement) and
--   relation (a stated relation from actor_a to actor_b, such as recognizes
--   or alliance, named in relation_kind) are directed and keep their
--   direction, so a relation stated both ways gives two rows. n_facts counts
--   distinct agreements, projects, events, statements, obligations or
--   relations; an actor in two roles in one fact counts it once. Given an
--   actor, the ties of its sub-units come too (actor_a_match and
--   actor_b_match say which side matched, and how), unless subunits is no.
-- parameters:
--   - name: actor
--     type: text
--     description: Only ties of the actor with this slug, display name or alias (letter case ignored), or of its sub-units, on either side.
--   - name: tie
--     type: choice
--     choices: [agreement, project, event, statement, obligation, relation]
--     description: Only ties of this kind.
--   - name: subunits
--     type: choice
--     choices: ['yes', 'no']
--     default: 'yes'
--     description: "yes: an actor parameter also finds the actor's sub-units, all the way down its parent chain (actors.parent_id); no: only the actor itself."
-- columns:
--   - {name: actor_a, type: text, description: "Slug of one actor: the lower slug of a symmetric tie, the origin of a directed one."}
--   - {name: actor_a_name, type: text, description: Its display name.}
--   - {name: actor_b, type: text, description: "Slug of the other actor: the higher slug of a symmetric tie, the end of a directed one."}
--   - {name: actor_b_name, type: text, description: Its display name.}
--   - {name: tie, type: text, description: "Kind of tie: agreement, project, event (symmetric); statement, obligation, relation (directed)."}
--   - {name: is_directed, type: boolean, description: True when the tie goes from actor_a to actor_b.}
--   - {name: relation_kind, type: text, description: "For a relation: recognizes, alliance, rivalry, part_of, ...; empty for other ties."}
--   - {name: actor_a_match, type: text, description: "With actor given: how actor_a matched it (self, or sub-unit of the actor it names); empty when only actor_b did."}
--   - {name: actor_b_match, type: text, description: "With actor given: how actor_b matched it; empty when only actor_a did."}
--   - {name: n_facts, type: integer, description: Distinct facts behind the tie.}
with recursive params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:actor, '') as actor,
        nullif(:tie, '') as tie,
        nullif(:subunits, '') as subunits
),
ties as (
    select 1 as tie_order, 'agreement' as tie, 0 as is_directed, null as relation_kind,
           p1.actor_id as actor_a_id, p2.actor_id as actor_b_id, p1.agreement_id as fact_id
    from agreement_parties as p1
    join agreement_parties as p2 on p2.agreement_id = p1.agreement_id
    join actors as a1 on a1.id = p1.actor_id
    join actors as a2 on a2.id = p2.actor_id
    where a1.slug < a2.slug
    union all
    select 2, 'project', 0, null, p1.actor_id, p2.actor_id, p1.project_id
    from project_participants as p1
    join project_participants as p2 on p2.project_id = p1.project_id
    join actors as a1 on a1.id = p1.actor_id
    join actors as a2 on a2.id = p2.actor_id
    where a1.slug < a2.slug
    union all
    select 3, 'event', 0, null, p1.actor_id, p2.actor_id, p1.event_id
    from event_participants as p1
    join event_participants as p2 on p2.event_id = p1.event_id
    join actors as a1 on a1.id = p1.actor_id
    join actors as a2 on a2.id = p2.actor_id
    where a1.slug < a2.slug
    union all
    select 4, 'statement', 1, null, st.speaker_actor_id, su.actor_id, st.id
    from statements as st
    join statement_subjects as su on su.statement_id = st.id
    where st.speaker_actor_id is not null
      and su.actor_id is not null
      and su.actor_id <> st.speaker_actor_id
    union all
    select 5, 'obligation', 1, null, ob.obligor_actor_id, ob.beneficiary_actor_id, ob.id
    from agreement_obligations as ob
    where ob.beneficiary_actor_id is not null
      and ob.beneficiary_actor_id <> ob.obligor_actor_id
    union all
    select 6, 'relation', 1, re.kind, re.subject_actor_id, re.object_actor_id, re.id
    from actor_relations as re
),
pairs as (
    select
        tie_order, tie, is_directed, relation_kind, actor_a_id, actor_b_id,
        count(distinct fact_id) as n_facts
    from ties
    group by tie_order, tie, is_directed, relation_kind, actor_a_id, actor_b_id
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
    aa.slug as actor_a,
    aa.name as actor_a_name,
    ab.slug as actor_b,
    ab.name as actor_b_name,
    pairs.tie,
    pairs.is_directed,
    pairs.relation_kind,
    (select u.how from actor_units as u where u.id = pairs.actor_a_id) as actor_a_match,
    (select u.how from actor_units as u where u.id = pairs.actor_b_id) as actor_b_match,
    pairs.n_facts
from params as p
cross join pairs
join actors as aa on aa.id = pairs.actor_a_id
join actors as ab on ab.id = pairs.actor_b_id
where (p.actor is null
       or pairs.actor_a_id in (select id from actor_units)
       or pairs.actor_b_id in (select id from actor_units))
  and (p.tie is null or pairs.tie = p.tie)
order by
    aa.slug,
    ab.slug,
    pairs.tie_order,
    case when pairs.relation_kind is null then 0 else 1 end,
    replace(pairs.relation_kind, '_', '-')
