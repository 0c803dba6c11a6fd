-- title: Actor profile
-- grain: one row per fact involving the actor (an alias, its parent or a child, an agreement role, an obligation, a project role, a statement made or about it, an event role, a relation)
-- key: [actor, section, fact, role, other_actor, kind, detail]
-- description: >
--   Everything the database holds about one actor, found by its slug, its
--   display name or any alias ("Beijing" finds China), matched without regard
--   to the case of the letters A to Z. When the words match several actors (an
--   alias two actors share), each of them is profiled. So is each of their
--   sub-units, all the way down the parent chain (China's ministries, the
--   Taliban's officials), unless subunits is no; actor_match says how each
--   profiled actor matched (self, sub-unit of china). Rows come in sections:
--   actor (the actor itself), parent, child, alias, agreement (as a party, with
--   its role), obligation (as the party that owes or is owed), project (as a
--   participant, with its role), statement_made, statement_about (with the
--   role the statement gives it: accused, target, praised, ...), event (with
--   its role), relation (role subject when the relation goes from the actor,
--   object when it goes to it). other_actor names the actor on the other side
--   where there is one. Dates are the fact's own (signed, started, said,
--   occurred, since) with the source's words; an obligation has none. On the
--   actor's own row (section actor), sources counts the distinct sources that
--   quote the actor and disputed says that sources state incompatible values
--   of it (its kind, country, parent or whether it is named: the conflicts
--   report lists both sides).
-- parameters:
--   - name: actor
--     type: text
--     required: true
--     description: The actor's slug, display name or any alias, e.g. Beijing.
--   - name: subunits
--     type: choice
--     choices: ['yes', 'no']
--     default: 'yes'
--     description: "yes: an actor parameter also finds the actor's sub-units, all the way down its parent chain (actors.parent_id); no: only the actor itself."
-- columns:
--   - {name: actor, type: text, description: The profiled actor's slug.}
--   - {name: actor_name, type: text, description: Its display name; unnamed actors are described in brackets.}
--   - {name: actor_kind, type: text, description: "Its kind: state, de_facto_government, government_body, person, ..."}
--   - {name: country, type: text, description: "Its ISO 3166-1 alpha-2 country code, where one applies."}
--   - {name: is_named, type: boolean, description: False when the sources describe the actor without naming it.}
--   - {name: actor_match, type: text, description: "How the profiled actor matched the actor parameter: self, or sub-unit of the actor it names (e.g. sub-unit of china)."}
--   - {name: section, type: text, description: "What the row is: actor, parent, child, alias, agreement, obligation, project, statement_made, statement_about, event or relation."}
--   - {name: fact, type: text, description: "Slug of the fact (agreement, project, statement, event; for an obligation its agreement); the other actor's slug for parent, child and relation; the actor's own slug for section actor; empty for an alias."}
--   - {name: role, type: text, description: "The actor's role in the fact: party or participant role, obligor or beneficiary, speaker, the statement's role for it (accused, target, ...), subject or object of a relation."}
--   - {name: other_actor, type: text, description: "The actor on the other side: parent, child, the obligation's other party, the speaker of a statement about the actor, the other end of a relation."}
--   - {name: other_actor_name, type: text, description: The other actor's display name.}
--   - {name: kind, type: text, description: "The fact's kind (agreement, statement, event or relation kind), a project's sector, the other actor's kind for parent and child."}
--   - {name: status, type: text, description: Status of an agreement or project as of the source.}
--   - {name: detail, type: text, description: "The fact in words: title, what is owed, a statement's words, a relation's or the actor's description, the alias itself."}
--   - {name: date_text, type: text, description: The source's own words for the fact's date.}
--   - {name: date_precision, type: text, description: "Precision of that date: day, month, year, relative, unknown, ..."}
--   - {name: date_earliest, type: date, description: First day the date can mean; empty when the source does not pin it down.}
--   - {name: date_latest, type: date, description: Last day the date can mean.}
--   - {name: sources, type: integer, description: "On the row of section actor: distinct sources with evidence on the actor; empty on the other rows."}
--   - {name: disputed, type: boolean, description: "On the row of section actor: true when a value of the actor (kind, country, parent, is_named) is disputed between sources; empty on the other rows."}
with recursive params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:actor, '') as actor,
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
matched as (
    select a.id, a.slug, a.name, a.kind, a.country, a.is_named, k.how
    from actor_units as k
    join actors as a on a.id = k.id
),
facts as (
    select
        m.id as actor_id, 1 as section_order, 'actor' as section,
        m.slug as fact, null as role, null as other_actor, null as other_actor_name,
        m.kind, null as status, a.description as detail,
        null as date_text, null as date_precision,
        cast(null as date) as date_earliest, cast(null as date) as date_latest
    from matched as m
    join actors as a on a.id = m.id
    union all
    select
        m.id, 2, 'parent',
        up.slug, null, up.slug, up.name,
        up.kind, null, up.description,
        null, null, cast(null as date), cast(null as date)
    from matched as m
    join actors as a on a.id = m.id
    join actors as up on up.id = a.parent_id
    union all
    select
        m.id, 3, 'child',
        c.slug, null, c.slug, c.name,
        c.kind, null, c.description,
        null, null, cast(null as date), cast(null as date)
    from matched as m
    join actors as c on c.parent_id = m.id
    union all
    select
        m.id, 4, 'alias',
        null, null, null, null,
        null, null, al.alias,
        null, null, cast(null as date), cast(null as date)
    from matched as m
    join actor_aliases as al on al.actor_id = m.id
    union all
    select
        m.id, 5, 'agreement',
        ag.slug, pa.role, null, null,
        ag.kind, ag.status, ag.title,
        ag.signed_text, ag.signed_precision, ag.signed_earliest, ag.signed_latest
    from matched as m
    join agreement_parties as pa on pa.actor_id = m.id
    join agreements as ag on ag.id = pa.agreement_id
    union all
    select
        m.id, 6, 'obligation',
        ag.slug, 'obligor', b.slug, b.name,
        ag.kind, ag.status, ob.description,
        null, null, cast(null as date), cast(null as date)
    from matched as m
    join agreement_obligations as ob on ob.obligor_actor_id = m.id
    join agreements as ag on ag.id = ob.agreement_id
    left join actors as b on b.id = ob.beneficiary_actor_id
    union all
    select
        m.id, 6, 'obligation',
        ag.slug, 'beneficiary', o.slug, o.name,
        ag.kind, ag.status, ob.description,
        null, null, cast(null as date), cast(null as date)
    from matched as m
    join agreement_obligations as ob on ob.beneficiary_actor_id = m.id
    join agreements as ag on ag.id = ob.agreement_id
    join actors as o on o.id = ob.obligor_actor_id
    union all
    select
        m.id, 7, 'project',
        pr.slug, pp.role, null, null,
        pr.sector, pr.status, pr.title,
        pr.started_text, pr.started_precision, pr.started_earliest, pr.started_latest
    from matched as m
    join project_participants as pp on pp.actor_id = m.id
    join projects as pr on pr.id = pp.project_id
    union all
    select
        m.id, 8, 'statement_made',
        st.slug, 'speaker', null, null,
        st.kind, null, st.content,
        st.said_text, st.said_precision, st.said_earliest, st.said_latest
    from matched as m
    join statements as st on st.speaker_actor_id = m.id
    union all
    select
        m.id, 9, 'statement_about',
        st.slug, su.role, sp.slug, sp.name,
        st.kind, null, st.content,
        st.said_text, st.said_precision, st.said_earliest, st.said_latest
    from matched as m
    join statement_subjects as su on su.actor_id = m.id
    join statements as st on st.id = su.statement_id
    left join actors as sp on sp.id = st.speaker_actor_id
    union all
    select
        m.id, 10, 'event',
        ev.slug, ep.role, null, null,
        ev.kind, null, ev.title,
        ev.occurred_text, ev.occurred_precision, ev.occurred_earliest, ev.occurred_latest
    from matched as m
    join event_participants as ep on ep.actor_id = m.id
    join events as ev on ev.id = ep.event_id
    union all
    select
        m.id, 11, 'relation',
        o.slug, 'subject', o.slug, o.name,
        re.kind, null, re.description,
        re.since_text, re.since_precision, re.since_earliest, re.since_latest
    from matched as m
    join actor_relations as re on re.subject_actor_id = m.id
    join actors as o on o.id = re.object_actor_id
    union all
    select
        m.id, 11, 'relation',
        s.slug, 'object', s.slug, s.name,
        re.kind, null, re.description,
        re.since_text, re.since_precision, re.since_earliest, re.since_latest
    from matched as m
    join actor_relations as re on re.object_actor_id = m.id
    join actors as s on s.id = re.subject_actor_id
)
select
    m.slug as actor,
    m.name as actor_name,
    m.kind as actor_kind,
    m.country,
    m.is_named,
    m.how as actor_match,
    f.section,
    f.fact,
    f.role,
    f.other_actor,
    f.other_actor_name,
    f.kind,
    f.status,
    f.detail,
    f.date_text,
    f.date_precision,
    f.date_earliest,
    f.date_latest,
    case when f.section_order = 1 then
        (select count(distinct ev.source_id) from evidence as ev where ev.actor_id = m.id)
    end as sources,
    case when f.section_order = 1 then
        case when exists (select 1 from claims as c where c.actor_id = m.id and c.disputed) then 1 else 0 end
    end as disputed
from matched as m
join facts as f on f.actor_id = m.id
order by
    m.slug,
    f.section_order,
    case when f.date_earliest is null then 1 else 0 end,
    f.date_earliest,
    case when f.date_latest is null then 1 else 0 end,
    f.date_latest,
    case when f.fact is null then 0 else 1 end,
    f.fact,
    case when f.role is null then 0 else 1 end,
    replace(f.role, '_', '-'),
    case when f.other_actor is null then 0 else 1 end,
    f.other_actor,
    case when f.kind is null then 0 else 1 end,
    replace(f.kind, '_', '-'),
    case when f.detail is null then 0 else 1 end,
    lower(f.detail),
    f.detail
