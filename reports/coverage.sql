-- title: Evidence coverage of the sources
-- grain: one row per segment of a source (a headline or body sentence, or a part excluded from the body)
-- key: [source, seq]
-- description: >
--   Every segment of every source in order, with how many evidence rows cite
--   it (an evidence span that overlaps the segment cites it, so a quote over
--   two sentences counts for both) and how many of them support each kind of
--   fact, so that sentences no fact is taken from stand out (is_covered
--   false), and how many mentions of actors and quotations start in it. Excluded segments (chrome, weather, footer: page furniture) are
--   listed too, with is_excluded true. The last three columns repeat, on
--   every row of a source, its number of headline and body sentences, how
--   many of them evidence cites, and that share as a percentage rounded to two
--   decimals (computed in integers, so every engine gives the same figure).
-- parameters:
--   - name: source
--     type: text
--     description: Only the source with this slug.
-- columns:
--   - {name: source, type: text, description: The source's slug.}
--   - {name: seq, type: integer, description: "Position of the segment in the source, from 1."}
--   - {name: kind, type: text, description: "headline or body (cited); chrome, weather or footer (excluded)."}
--   - {name: is_excluded, type: boolean, description: True for page furniture excluded from the body.}
--   - {name: char_start, type: integer, description: "Offset of the segment's first character (0-based, code points)."}
--   - {name: char_end, type: integer, description: Offset just past its last character.}
--   - {name: text, type: text, description: "The segment's text, verbatim."}
--   - {name: n_evidence, type: integer, description: Evidence rows whose span overlaps the segment.}
--   - {name: n_actor_evidence, type: integer, description: "Of those, evidence for actors and their aliases."}
--   - {name: n_relation_evidence, type: integer, description: "Of those, evidence for relations between actors."}
--   - {name: n_agreement_evidence, type: integer, description: "Of those, evidence for agreements, their parties and obligations."}
--   - {name: n_project_evidence, type: integer, description: "Of those, evidence for projects and their participants."}
--   - {name: n_amount_evidence, type: integer, description: "Of those, evidence for amounts of money."}
--   - {name: n_statement_evidence, type: integer, description: "Of those, evidence for statements and what they are about."}
--   - {name: n_event_evidence, type: integer, description: "Of those, evidence for events and their participants."}
--   - {name: n_mentions, type: integer, description: "Mentions of actors (names and aliases, table mentions) that start in the segment."}
--   - {name: n_quotations, type: integer, description: "Spans in quotation marks (table quotations) that start in the segment."}
--   - {name: is_covered, type: boolean, description: True when at least one evidence row cites the segment.}
--   - {name: source_n_sentences, type: integer, description: Headline and body segments of the source.}
--   - {name: source_n_covered, type: integer, description: "Of those, segments that evidence cites."}
--   - {name: source_pct_covered, type: decimal, description: "100 * source_n_covered / source_n_sentences, rounded half up to two decimals; empty for a source without sentences."}
with params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:source, '') as source
),
spans as (
    -- each evidence row with the first and last sentence it overlaps, found through the
    -- (source_id, char_end) and (source_id, char_start) indexes instead of comparing every pair
    select ev.*,
           (select case when sg.char_start < ev.char_end then sg.seq end
              from source_segments as sg
             where sg.source_id = ev.source_id and sg.char_end > ev.char_start
             order by sg.char_end limit 1) as first_seq,
           (select case when sg.char_end > ev.char_start then sg.seq end
              from source_segments as sg
             where sg.source_id = ev.source_id and sg.char_start < ev.char_end
             order by sg.char_start desc limit 1) as last_seq
    from evidence as ev
),
citations as (
    select
        sg.id as segment_id,
        count(ev.id) as n_evidence,
        sum(case when ev.actor_id is not null or ev.alias_id is not null then 1 else 0 end) as n_actor,
        sum(case when ev.relation_id is not null then 1 else 0 end) as n_relation,
        sum(case when ev.agreement_id is not null or ev.party_id is not null
                   or ev.obligation_id is not null then 1 else 0 end) as n_agreement,
        sum(case when ev.project_id is not null or ev.participant_id is not null then 1 else 0 end) as n_project,
        sum(case when ev.amount_id is not null then 1 else 0 end) as n_amount,
        sum(case when ev.statement_id is not null or ev.subject_id is not null then 1 else 0 end) as n_statement,
        sum(case when ev.event_id is not null or ev.event_participant_id is not null then 1 else 0 end) as n_event
    from spans as ev
    join source_segments as sg
        on sg.source_id = ev.source_id
       and sg.seq between ev.first_seq and ev.last_seq
    group by sg.id
),
segments as (
    select
        sg.id,
        sg.source_id,
        sg.seq,
        sg.kind,
        case when sg.kind in ('headline', 'body') then 0 else 1 end as is_excluded,
        sg.char_start,
        sg.char_end,
        sg.text,
        coalesce(c.n_evidence, 0) as n_evidence,
        coalesce(c.n_actor, 0) as n_actor,
        coalesce(c.n_relation, 0) as n_relation,
        coalesce(c.n_agreement, 0) as n_agreement,
        coalesce(c.n_project, 0) as n_project,
        coalesce(c.n_amount, 0) as n_amount,
        coalesce(c.n_statement, 0) as n_statement,
        coalesce(c.n_event, 0) as n_event
    from source_segments as sg
    left join citations as c on c.segment_id = sg.id
),
source_totals as (
    select
        source_id,
        count(*) as n_sentences,
        sum(case when n_evidence > 0 then 1 else 0 end) as n_covered
    from segments
    where is_excluded = 0
    group by source_id
),
source_shares as (
    select
        source_id,
        n_sentences,
        n_covered,
        -- hundredths of a percent, rounded half up, by exact integer division,
        -- q = (20000 * covered + total) div (2 * total), written with the modulo so that
        -- MariaDB (whose / returns a decimal) gives the same value
        ((20000 * n_covered + n_sentences) - (20000 * n_covered + n_sentences) % (2 * n_sentences))
            / (2 * n_sentences) as hundredths
    from source_totals
)
select
    s.slug as source,
    g.seq,
    g.kind,
    g.is_excluded,
    g.char_start,
    g.char_end,
    g.text,
    g.n_evidence,
    g.n_actor as n_actor_evidence,
    g.n_relation as n_relation_evidence,
    g.n_agreement as n_agreement_evidence,
    g.n_project as n_project_evidence,
    g.n_amount as n_amount_evidence,
    g.n_statement as n_statement_evidence,
    g.n_event as n_event_evidence,
    -- by the (source_id, char_start) indexes of mentions and quotations: a range of each per segment
    (select count(*) from mentions as mn
      where mn.source_id = g.source_id and mn.char_start >= g.char_start and mn.char_start < g.char_end) as n_mentions,
    (select count(*) from quotations as qu
      where qu.source_id = g.source_id and qu.char_start >= g.char_start and qu.char_start < g.char_end) as n_quotations,
    case when g.n_evidence > 0 then 1 else 0 end as is_covered,
    coalesce(sh.n_sentences, 0) as source_n_sentences,
    coalesce(sh.n_covered, 0) as source_n_covered,
    sh.hundredths / 100.0 as source_pct_covered
from params as p
cross join segments as g
join sources as s on s.id = g.source_id
left join source_shares as sh on sh.source_id = g.source_id
where (p.source is null or s.slug = lower(p.source))
order by s.slug, g.seq
