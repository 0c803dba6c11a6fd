-- title: Obligations and accusations of breach
-- grain: one row per obligation and accusation that the obligor has not met it (an obligation nobody is accused of breaking has one row; an accusation under an agreement where the accused party has no recorded obligation has a row of its own, with the obligation columns empty)
-- key: [agreement, obligor, obligation, accusation]
-- description: >
--   Who owes what under each agreement, side by side with the statements that
--   accuse the party that owes of not meeting it. An accusation matches an
--   obligation when it is a statement of kind accusation that is about the
--   agreement and names the obligor as accused or target. Read a dispute row
--   by row: in the Doha agreement each side owes something and each accuses the
--   other, so both obligations carry the other side's accusation. The
--   accuser is empty when the accusation is the source's own voice.
-- parameters:
--   - name: agreement
--     type: text
--     description: Only the agreement with this slug.
-- columns:
--   - {name: agreement, type: text, description: The agreement's slug.}
--   - {name: agreement_title, type: text, description: The agreement's name or a short description.}
--   - {name: agreement_status, type: text, description: "Status as of the source: signed, in_force, disputed, ..."}
--   - {name: obligor, type: text, description: "Slug of the party that owes; for an accusation with no recorded obligation, the accused party."}
--   - {name: obligor_name, type: text, description: Display name of that party.}
--   - {name: beneficiary, type: text, description: "Slug of the party owed, where the source says."}
--   - {name: beneficiary_name, type: text, description: Display name of the party owed.}
--   - {name: obligation, type: text, description: "What is owed, in the source's words where it quotes the agreement; empty on a row for an accusation alone."}
--   - {name: is_accused, type: boolean, description: True when the row carries an accusation that the obligor has not met what it owes.}
--   - {name: accusation, type: text, description: Slug of the accusing statement.}
--   - {name: accuser, type: text, description: Slug of the actor who accuses; empty when the source itself accuses.}
--   - {name: accuser_name, type: text, description: Display name of the accuser.}
--   - {name: accusation_voice, type: text, description: "actor (attributed to the accuser) or source (the source's own assertion)."}
--   - {name: is_direct_quote, type: boolean, description: True when the accusation's words are a verbatim quotation.}
--   - {name: accusation_text, type: text, description: The accusation in its words (verbatim quote or the source's reporting words).}
--   - {name: said_text, type: text, description: The source's own words for when the accusation was made.}
with params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:agreement, '') as agreement
),
accusations as (
    select distinct
        st.id as statement_id,
        about_agreement.agreement_id,
        about_actor.actor_id as accused_actor_id
    from statements as st
    join statement_subjects as about_agreement
        on about_agreement.statement_id = st.id and about_agreement.agreement_id is not null
    join statement_subjects as about_actor
        on about_actor.statement_id = st.id and about_actor.actor_id is not null
       and about_actor.role in ('accused', 'target')
    where st.kind = 'accusation'
),
rows_out as (
    select
        ob.agreement_id,
        ob.obligor_actor_id,
        ob.beneficiary_actor_id,
        ob.description as obligation,
        acc.statement_id
    from agreement_obligations as ob
    left join accusations as acc
        on acc.agreement_id = ob.agreement_id and acc.accused_actor_id = ob.obligor_actor_id
    union all
    select
        acc.agreement_id,
        acc.accused_actor_id,
        null,
        null,
        acc.statement_id
    from accusations as acc
    where not exists (
        select 1
        from agreement_obligations as ob
        where ob.agreement_id = acc.agreement_id and ob.obligor_actor_id = acc.accused_actor_id
    )
)
select
    ag.slug as agreement,
    ag.title as agreement_title,
    ag.status as agreement_status,
    ob_actor.slug as obligor,
    ob_actor.name as obligor_name,
    be_actor.slug as beneficiary,
    be_actor.name as beneficiary_name,
    r.obligation,
    case when st.id is null then 0 else 1 end as is_accused,
    st.slug as accusation,
    sp.slug as accuser,
    sp.name as accuser_name,
    st.voice as accusation_voice,
    st.is_direct_quote,
    st.content as accusation_text,
    st.said_text
from params as p
cross join rows_out as r
join agreements as ag on ag.id = r.agreement_id
join actors as ob_actor on ob_actor.id = r.obligor_actor_id
left join actors as be_actor on be_actor.id = r.beneficiary_actor_id
left join statements as st on st.id = r.statement_id
left join actors as sp on sp.id = st.speaker_actor_id
where (p.agreement is null or ag.slug = lower(p.agreement))
order by
    ag.slug,
    ob_actor.slug,
    case when r.obligation is null then 1 else 0 end,
    lower(r.obligation),
    r.obligation,
    case when be_actor.slug is null then 0 else 1 end,
    be_actor.slug,
    case when st.slug is null then 0 else 1 end,
    st.slug
