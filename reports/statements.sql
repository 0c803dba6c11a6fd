-- title: Statements
-- grain: one row per statement and actor, agreement, project or event it is about (a statement about nothing recorded has one row, with the about columns empty)
-- description: >
--   Who said what about whom: every statement with its speaker, or the
--   source's own voice (voice source, speaker empty: the source itself
--   asserts it), whether its words are a direct quote or reported speech, its
--   kind (claim, accusation, praise, ...), when it was said (with the
--   source's own words), the source it is quoted from, and each thing it is
--   about with the role the statement gives it (target, accused, praised,
--   ...). Dated statements come first, in date order; the others follow in
--   the order the source says them.
-- parameters:
--   - name: speaker
--     type: text
--     description: Only statements by the actor with this slug, display name or alias (letter case ignored).
--   - name: target
--     type: text
--     description: Only rows about the actor with this slug, display name or alias, or about the agreement, project or event with this slug.
--   - name: voice
--     type: choice
--     choices: [actor, source]
--     description: "Only statements in this voice: actor (attributed to a speaker) or source (the source's own assertions)."
-- columns:
--   - {name: statement, type: text, description: The statement's slug.}
--   - {name: said_text, type: text, description: The source's own words for when it was said; empty when not stated.}
--   - {name: said_precision, type: text, description: "Precision of that date: day, month, year, relative, unknown, ..."}
--   - {name: said_earliest, type: date, description: First day it can have been said.}
--   - {name: said_latest, type: date, description: Last day it can have been said.}
--   - {name: voice, type: text, description: "actor: attributed to the speaker; source: the source's own assertion."}
--   - {name: speaker, type: text, description: Slug of the actor who said it; empty for the source's own voice.}
--   - {name: speaker_name, type: text, description: The speaker's display name.}
--   - {name: source, type: text, description: Slug of the source the statement is quoted from (the first by slug when several quote it).}
--   - {name: kind, type: text, description: "Kind of statement: claim, accusation, demand, assessment, praise, warning, ..."}
--   - {name: is_direct_quote, type: boolean, description: True when content is a verbatim quotation; false for reported speech and the source's voice.}
--   - {name: content, type: text, description: "The words (the quotation, or the source's words reporting it)."}
--   - {name: about_type, type: text, description: "What the statement is about: actor, agreement, project or event."}
--   - {name: about, type: text, description: "Slug of the actor, agreement, project or event."}
--   - {name: about_name, type: text, description: Its display name or title.}
--   - {name: about_role, type: text, description: "The role the statement gives it: target, subject, beneficiary, accused, praised, mentioned."}
with statement_position as (
    -- each statement's first source (lowest slug) and its first quote there;
    -- the correlated lookup goes through the index on evidence.statement_id
    select ev.statement_id, s.slug as source, min(ev.char_start) as char_start
    from evidence as ev
    join sources as s on s.id = ev.source_id
    where ev.statement_id is not null
      and s.slug = (
          select min(s2.slug)
          from evidence as ev2
          join sources as s2 on s2.id = ev2.source_id
          where ev2.statement_id = ev.statement_id
      )
    group by ev.statement_id, s.slug
),
abouts as (
    select su.statement_id, 1 as about_order, 'actor' as about_type,
           a.id as actor_id, a.slug as about, a.name as about_name, su.role as about_role
    from statement_subjects as su
    join actors as a on a.id = su.actor_id
    union all
    select su.statement_id, 2, 'agreement', null, ag.slug, ag.title, su.role
    from statement_subjects as su
    join agreements as ag on ag.id = su.agreement_id
    union all
    select su.statement_id, 3, 'project', null, pr.slug, pr.title, su.role
    from statement_subjects as su
    join projects as pr on pr.id = su.project_id
    union all
    select su.statement_id, 4, 'event', null, ev.slug, ev.title, su.role
    from statement_subjects as su
    join events as ev on ev.id = su.event_id
),
speakers as (
    select a.id
    from actors as a
    where a.slug = lower(:speaker)
       or a.name_key = lower(:speaker)
       or a.id in (
           select x.actor_id
           from actor_aliases as x
           where x.alias_key = lower(:speaker)
       )
),
targets as (
    select a.id
    from actors as a
    where a.slug = lower(:target)
       or a.name_key = lower(:target)
       or a.id in (
           select x.actor_id
           from actor_aliases as x
           where x.alias_key = lower(:target)
       )
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
    pos.source,
    st.kind,
    st.is_direct_quote,
    st.content,
    ab.about_type,
    ab.about,
    ab.about_name,
    ab.about_role
from statements as st
left join actors as sp on sp.id = st.speaker_actor_id
left join statement_position as pos on pos.statement_id = st.id
left join abouts as ab on ab.statement_id = st.id
where (:speaker is null or st.speaker_actor_id in (select id from speakers))
  and (:voice is null or st.voice = :voice)
  and (
      :target is null
      or ab.actor_id in (select id from targets)
      or (ab.about_type <> 'actor' and lower(ab.about) = lower(:target))
  )
order by
    case when st.said_earliest is null then 1 else 0 end,
    st.said_earliest,
    case when st.said_latest is null then 1 else 0 end,
    st.said_latest,
    case when pos.source is null then 1 else 0 end,
    pos.source,
    pos.char_start,
    st.slug,
    case when ab.about_order is null then 0 else 1 end,
    ab.about_order,
    ab.about,
    replace(ab.about_role, '_', '-')
