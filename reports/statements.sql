-- title: Statements
-- grain: one row per statement and actor, agreement, project or event it is about (a statement about nothing recorded has one row, with the about columns empty)
-- key: [statement, about_type, about, about_role]
-- description: >
--   Who said what about whom: every statement with its speaker, or the
--   source's own voice (voice source, speaker empty: the source itself
--   asserts it), whether its words are a direct quote or reported speech, its
--   kind (claim, accusation, praise, ...), when it was said (with the
--   source's own words), the source it is quoted from, and each thing it is
--   about with the role the statement gives it (target, accused, praised,
--   ...). Dated statements come first, in date order; the others follow in
--   the order the source says them. speaker and target find an actor with
--   its sub-units (the Biden administration and the State Department for
--   united-states), and speaker_match and target_match say how each row
--   matched; -p subunits no finds only the actor itself.
-- parameters:
--   - name: speaker
--     type: text
--     description: Only statements by the actor with this slug, display name or alias (letter case ignored), or by its sub-units.
--   - name: target
--     type: text
--     description: Only rows about the actor with this slug, display name or alias, or its sub-units, or about the agreement, project or event with this slug.
--   - name: voice
--     type: choice
--     choices: [actor, source]
--     description: "Only statements in this voice: actor (attributed to a speaker) or source (the source's own assertions)."
--   - name: subunits
--     type: choice
--     choices: ['yes', 'no']
--     default: 'yes'
--     description: "yes: an actor parameter also finds the actor's sub-units, all the way down its parent chain (actors.parent_id); no: only the actor itself."
-- columns:
--   - {name: statement, type: text, description: The statement's slug.}
--   - {name: said_text, type: text, description: The source's own words for when it was said; empty when not stated.}
--   - {name: said_precision, type: text, description: "Precision of that date: day, month, year, relative, unknown, ..."}
--   - {name: said_earliest, type: date, description: First day it can have been said.}
--   - {name: said_latest, type: date, description: Last day it can have been said.}
--   - {name: voice, type: text, description: "actor: attributed to the speaker; source: the source's own assertion."}
--   - {name: speaker, type: text, description: Slug of the actor who said it; empty for the source's own voice.}
--   - {name: speaker_name, type: text, description: The speaker's display name.}
--   - {name: speaker_match, type: text, description: "With speaker given: how the speaker matched it: self, or sub-unit of the actor it names (e.g. sub-unit of united-states)."}
--   - {name: source, type: text, description: Slug of the source the statement is quoted from (the first by slug when several quote it).}
--   - {name: kind, type: text, description: "Kind of statement: claim, accusation, demand, assessment, praise, warning, ..."}
--   - {name: is_direct_quote, type: boolean, description: True when content is a verbatim quotation; false for reported speech and the source's voice.}
--   - {name: content, type: text, description: "The words (the quotation, or the source's words reporting it)."}
--   - {name: about_type, type: text, description: "What the statement is about: actor, agreement, project or event."}
--   - {name: about, type: text, description: "Slug of the actor, agreement, project or event."}
--   - {name: about_name, type: text, description: Its display name or title.}
--   - {name: about_role, type: text, description: "The role the statement gives it: target, subject, beneficiary, accused, praised, mentioned."}
--   - {name: target_match, type: text, description: "With target given and naming an actor: how the row's about actor matched it: self, or sub-unit of the actor it names."}
with recursive params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:speaker, '') as speaker,
        nullif(:target, '') as target,
        nullif(:voice, '') as voice,
        nullif(:subunits, '') as subunits
),
speaker_ids as (
    -- the actor by slug, display name or alias (letter case ignored): three index lookups, which
    -- every engine's planner sees as a few rows (an OR across them made PostgreSQL scan tables)
    select a.id from params as p cross join actors as a where a.slug = lower(p.speaker)
    union
    select a.id from params as p cross join actors as a where a.name_key = lower(p.speaker)
    union
    select x.actor_id from params as p cross join actor_aliases as x where x.alias_key = lower(p.speaker)
),
speaker_tree as (
    -- the actors found and, unless subunits is no, their sub-units all the way down (actors.parent_id,
    -- an index lookup a level); depth 0 is a found actor itself; the bound on depth stops a parent loop
    select k.id, k.id as matched_id, 0 as depth from speaker_ids as k
    union
    select sub.id, t.matched_id, t.depth + 1
    from speaker_tree as t
    cross join params as p
    join actors as sub on sub.parent_id = t.id
    where (p.subunits is null or p.subunits <> 'no') and t.depth < 100
),
speaker_units as (
    -- each actor once, with how it matched: self, or sub-unit of the nearest found actor above it
    select f.id, case when f.depth = 0 then 'self' else replace('sub-unit of #', '#', f.matched) end as how
    from (
        select t.id, t.depth, fa.slug as matched,
               row_number() over (partition by t.id order by t.depth, fa.slug) as n
        from speaker_tree as t
        join actors as fa on fa.id = t.matched_id
    ) as f
    where f.n = 1
),
target_ids as (
    -- the actor by slug, display name or alias (letter case ignored): three index lookups, which
    -- every engine's planner sees as a few rows (an OR across them made PostgreSQL scan tables)
    select a.id from params as p cross join actors as a where a.slug = lower(p.target)
    union
    select a.id from params as p cross join actors as a where a.name_key = lower(p.target)
    union
    select x.actor_id from params as p cross join actor_aliases as x where x.alias_key = lower(p.target)
),
target_tree as (
    -- the actors found and, unless subunits is no, their sub-units all the way down (actors.parent_id,
    -- an index lookup a level); depth 0 is a found actor itself; the bound on depth stops a parent loop
    select k.id, k.id as matched_id, 0 as depth from target_ids as k
    union
    select sub.id, t.matched_id, t.depth + 1
    from target_tree as t
    cross join params as p
    join actors as sub on sub.parent_id = t.id
    where (p.subunits is null or p.subunits <> 'no') and t.depth < 100
),
target_units as (
    -- each actor once, with how it matched: self, or sub-unit of the nearest found actor above it
    select f.id, case when f.depth = 0 then 'self' else replace('sub-unit of #', '#', f.matched) end as how
    from (
        select t.id, t.depth, fa.slug as matched,
               row_number() over (partition by t.id order by t.depth, fa.slug) as n
        from target_tree as t
        join actors as fa on fa.id = t.matched_id
    ) as f
    where f.n = 1
),
picked as (
    -- no speaker: every statement; a speaker: only theirs, found through the index on speaker_actor_id.
    -- Each branch's condition on params (one row, the outer loop) is checked once, so only one of them runs.
    select st.id from params as p cross join statements as st where p.speaker is null
    union all
    select st.id from params as p cross join speaker_units as k cross join statements as st
    where p.speaker is not null and st.speaker_actor_id = k.id
),
positioned as (
    select st.*,
           (select min(s.slug) from evidence as e join sources as s on s.id = e.source_id
             where e.statement_id = st.id) as source,
           (select e.char_start from evidence as e join sources as s on s.id = e.source_id
             where e.statement_id = st.id order by s.slug, e.char_start limit 1) as char_start
    -- picked drives (SQLite keeps a cross join's order): ordering statements by slug first scans them all
    from picked as pk
    cross join statements as st
    where st.id = pk.id
)
select
    st.slug as statement,
    st.said_text,
    st.said_precision,
    st.said_earliest,
    st.said_latest,
    st.voice,
    sp.slug as speaker,
    sp.name as speaker_name,
    spu.how as speaker_match,
    st.source,
    st.kind,
    st.is_direct_quote,
    st.content,
    case when su.actor_id is not null then 'actor' when su.agreement_id is not null then 'agreement'
         when su.project_id is not null then 'project' when su.event_id is not null then 'event' end as about_type,
    coalesce(aa.slug, ag.slug, pr.slug, ev.slug) as about,
    coalesce(aa.name, ag.title, pr.title, ev.title) as about_name,
    su.role as about_role,
    tu.how as target_match
from params as p
cross join positioned as st
left join actors as sp on sp.id = st.speaker_actor_id
left join speaker_units as spu on spu.id = st.speaker_actor_id
left join statement_subjects as su on su.statement_id = st.id
left join actors as aa on aa.id = su.actor_id
left join agreements as ag on ag.id = su.agreement_id
left join projects as pr on pr.id = su.project_id
left join events as ev on ev.id = su.event_id
left join target_units as tu on tu.id = su.actor_id
where (p.voice is null or st.voice = p.voice)
  and (
      p.target is null
      or tu.id is not null
      or (su.actor_id is null and su.id is not null and lower(coalesce(ag.slug, pr.slug, ev.slug)) = lower(p.target))
  )
order by
    case when st.said_earliest is null then 1 else 0 end,
    st.said_earliest,
    case when st.said_latest is null then 1 else 0 end,
    st.said_latest,
    case when st.source is null then 1 else 0 end,
    st.source,
    st.char_start,
    st.slug,
    case when su.id is null then 0 else 1 end,
    case when su.actor_id is not null then 1 when su.agreement_id is not null then 2
         when su.project_id is not null then 3 when su.event_id is not null then 4 end,
    coalesce(aa.slug, ag.slug, pr.slug, ev.slug),
    replace(su.role, '_', '-')
