-- title: Actors and their aliases
-- grain: one row per alias of an actor (an actor without aliases has one row with an empty alias)
-- key: [actor, alias]
-- description: >
--   Every actor with its kind, country and parent, and each surface form the
--   sources use for it ("Beijing" for China). Use it to find the slug to pass
--   to other reports. The actor parameter matches a slug, display name or
--   alias without regard to the case of the letters A to Z.
-- parameters:
--   - name: actor
--     type: text
--     description: Only the actor with this slug, name or alias.
-- columns:
--   - {name: actor, type: text, description: The actor's slug.}
--   - {name: name, type: text, description: Display name; unnamed actors are described in brackets.}
--   - {name: is_named, type: boolean, description: False when the sources do not name the actor.}
--   - {name: kind, type: text, description: "Kind of actor: state, de_facto_government, government_body, ..."}
--   - {name: country, type: text, description: "ISO 3166-1 alpha-2 country code, where one applies."}
--   - {name: parent, type: text, description: Slug of the actor this one belongs to.}
--   - {name: alias, type: text, description: A surface form the sources use for the actor.}
with params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:actor, '') as actor
),
actor_ids as (
    -- the actor by slug, display name or alias (letter case ignored): three index lookups, which
    -- every engine's planner sees as a few rows (an OR across them made PostgreSQL scan tables)
    select a.id from params as p cross join actors as a where a.slug = lower(p.actor)
    union
    select a.id from params as p cross join actors as a where a.name_key = lower(p.actor)
    union
    select x.actor_id from params as p cross join actor_aliases as x where x.alias_key = lower(p.actor)
)
select
    a.slug as actor,
    a.name,
    a.is_named,
    a.kind,
    a.country,
    up.slug as parent,
    al.alias
from params as p
cross join actors as a
left join actors as up on up.id = a.parent_id
left join actor_aliases as al on al.actor_id = a.id
where (p.actor is null or a.id in (select id from actor_ids))
order by
    a.slug,
    case when al.alias is null then 0 else 1 end,
    lower(al.alias),
    al.alias
