-- title: Quotations
-- grain: one row per span of a source in quotation marks
-- key: [source, char_start]
-- description: >
--   Every span of a source's headline and body between double quotation
--   marks (“…” or "…"; single marks are not looked for, as ’ is also the
--   apostrophe), found when the source is loaded, and whom the source
--   attributes the words to where its file says: an actor, a document (an
--   event, such as a report's publication) or an agreement. A quotation the
--   file attributes to nobody has empty attribution columns: accords does
--   not guess.
-- parameters:
--   - name: source
--     type: text
--     description: Only the quotations in this source (its slug).
-- columns:
--   - {name: source, type: text, description: The source's slug.}
--   - {name: char_start, type: integer, description: "Offset of the first quoted character, inside the marks (0-based, code points)."}
--   - {name: char_end, type: integer, description: Offset just past the last quoted character.}
--   - {name: quote, type: text, description: "The quoted words, verbatim."}
--   - {name: attributed_kind, type: text, description: "actor, event or agreement; empty when the source does not say."}
--   - {name: attributed_to, type: text, description: The slug of the actor, event or agreement.}
--   - {name: attributed_name, type: text, description: "Its display name or title."}
with params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:source, '') as source
)
select
    s.slug as source,
    q.char_start,
    q.char_end,
    q.quote,
    case
        when q.actor_id is not null then 'actor'
        when q.event_id is not null then 'event'
        when q.agreement_id is not null then 'agreement'
    end as attributed_kind,
    coalesce(a.slug, e.slug, g.slug) as attributed_to,
    coalesce(a.name, e.title, g.title) as attributed_name
from params as p
cross join quotations as q
join sources as s on s.id = q.source_id
left join actors as a on a.id = q.actor_id
left join events as e on e.id = q.event_id
left join agreements as g on g.id = q.agreement_id
where (p.source is null or s.slug = lower(p.source))
order by
    s.slug,
    q.char_start
