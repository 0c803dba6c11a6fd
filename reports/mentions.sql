-- title: Mentions of actors
-- grain: one row per source, actor and form (name or alias) the source uses for it
-- key: [source, actor, form]
-- description: >
--   How often, and in which forms, each source names each actor: every
--   occurrence of an actor's name or alias in a source's headline and body,
--   as a whole word and with its exact letter case ("US" is not found in
--   "USAID" or "us"), counted per form. A mention inside a longer mention of
--   another actor counts for both ("US" in "US Speaker Nancy Pelosi"); one
--   inside a longer mention of the same actor is part of it. A form that
--   names several actors ("Beijing") names the actor the source file gives
--   as its default or chooses for the occurrence (n_default, n_chosen);
--   where the file says nothing, its occurrences have an empty actor. The
--   offsets of each mention are in the table mentions. The actor parameter
--   matches a slug, display name or alias without regard to the case of
--   the letters A to Z, and finds the actor's sub-units too (the State
--   Department's mentions under the United States, with actor_match saying
--   so) unless subunits is no.
-- parameters:
--   - name: actor
--     type: text
--     description: Only mentions of the actor with this slug, name or alias.
--   - name: source
--     type: text
--     description: Only the mentions in this source (its slug).
--   - name: subunits
--     type: choice
--     choices: ['yes', 'no']
--     default: 'yes'
--     description: "yes: an actor parameter also finds the actor's sub-units, all the way down its parent chain (actors.parent_id); no: only the actor itself."
-- columns:
--   - {name: source, type: text, description: The source's slug.}
--   - {name: actor, type: text, description: "The actor's slug; empty for a form that names several actors where the source does not say which."}
--   - {name: name, type: text, description: The actor's display name.}
--   - {name: actor_match, type: text, description: "How the actor matched the actor parameter: self, or sub-unit of the slug it was found under; empty without the parameter."}
--   - {name: form, type: text, description: "The name or alias, as it occurs in the text."}
--   - {name: n_mentions, type: integer, description: Occurrences of the form naming the actor in the source.}
--   - {name: n_default, type: integer, description: "Of those, given by the source's default for a form that names several actors."}
--   - {name: n_chosen, type: integer, description: "Of those, given by the source's choice for the single occurrence."}
--   - {name: first_char_start, type: integer, description: "Offset of the first occurrence (0-based, code points)."}
--   - {name: last_char_start, type: integer, description: Offset of the last occurrence.}
with recursive params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:actor, '') as actor,
        nullif(:source, '') as source,
        nullif(:subunits, '') as subunits
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
),
counted as (
    select
        m.source_id,
        m.actor_id,
        m.form,
        count(*) as n_mentions,
        sum(case when m.assigned = 'default' then 1 else 0 end) as n_default,
        sum(case when m.assigned = 'chosen' then 1 else 0 end) as n_chosen,
        min(m.char_start) as first_char_start,
        max(m.char_start) as last_char_start
    from params as p
    cross join mentions as m
    join sources as s on s.id = m.source_id
    where (p.actor is null or m.actor_id in (select id from actor_units))
        and (p.source is null or s.slug = lower(p.source))
    group by m.source_id, m.actor_id, m.form
)

select
    s.slug as source,
    a.slug as actor,
    a.name,
    u.how as actor_match,
    c.form,
    c.n_mentions,
    c.n_default,
    c.n_chosen,
    c.first_char_start,
    c.last_char_start
from counted as c
join sources as s on s.id = c.source_id
left join actors as a on a.id = c.actor_id
left join actor_units as u on u.id = c.actor_id
order by
    s.slug,
    case when a.slug is null then 0 else 1 end,
    a.slug,
    c.first_char_start
