-- title: Sources
-- grain: one row per source document
-- key: [source]
-- description: >
--   Every stored source with what is known of it (unknown stays empty), the
--   SHA-256 of its text, how many sentences it has and how many evidence rows
--   cite it. The coverage report shows which sentences are cited. grade is
--   the source's reliability; n_facts counts the fact rows it quotes
--   (actors, aliases, agreements, parties, amounts, statements, ...),
--   n_corroborated those of them another source quotes too, and n_conflicts
--   its claims that another source contradicts (the conflicts report lists
--   them with -p source).
-- columns:
--   - {name: source, type: text, description: The source's slug.}
--   - {name: title, type: text, description: Title as published.}
--   - {name: kind, type: text, description: "Kind of document: news_article, opinion_article, government_report, ..."}
--   - {name: author, type: text, description: Author as named; empty when the source names none.}
--   - {name: publisher, type: text, description: Publisher; empty when unknown.}
--   - {name: url, type: text, description: Address; empty when unknown.}
--   - {name: published_text, type: text, description: The source's own words for its date; empty when it gives none.}
--   - {name: published_precision, type: text, description: Precision of the stated publication date.}
--   - {name: published_earliest, type: date, description: First day the stated publication date can mean.}
--   - {name: published_latest, type: date, description: Last day the stated publication date can mean.}
--   - {name: n_sentences, type: integer, description: Headline and body segments (sentences) of its text.}
--   - {name: n_excluded, type: integer, description: "Segments excluded from its body as page furniture (chrome, weather, footer)."}
--   - {name: sha256, type: text, description: SHA-256 of the stored text (UTF-8).}
--   - {name: n_evidence, type: integer, description: Evidence rows that quote this source.}
--   - {name: grade, type: text, description: "Reliability of the source, A (completely reliable) to F (cannot be judged); empty when not graded."}
--   - {name: n_facts, type: integer, description: "Distinct fact rows (actors, aliases, relations, agreements, parties, obligations, projects, participants, amounts, statements, subjects, events, event participants) it has evidence on."}
--   - {name: n_corroborated, type: integer, description: How many of those fact rows at least one other source also has evidence on.}
--   - {name: n_conflicts, type: integer, description: "Its claims that are disputed: another source states an incompatible value."}
with source_facts as (
    -- each fact row a source quotes, once: which table (by number) and its id (an evidence row
    -- points at exactly one fact row)
    select distinct
        ev.source_id,
        case
            when ev.actor_id is not null then 1
            when ev.alias_id is not null then 2
            when ev.relation_id is not null then 3
            when ev.agreement_id is not null then 4
            when ev.party_id is not null then 5
            when ev.obligation_id is not null then 6
            when ev.project_id is not null then 7
            when ev.participant_id is not null then 8
            when ev.amount_id is not null then 9
            when ev.statement_id is not null then 10
            when ev.subject_id is not null then 11
            when ev.event_id is not null then 12
            else 13
        end as fact_table,
        coalesce(
            ev.actor_id,
            ev.alias_id,
            ev.relation_id,
            ev.agreement_id,
            ev.party_id,
            ev.obligation_id,
            ev.project_id,
            ev.participant_id,
            ev.amount_id,
            ev.statement_id,
            ev.subject_id,
            ev.event_id,
            ev.event_participant_id) as fact_id
    from evidence as ev
),
fact_support as (
    select sf.fact_table, sf.fact_id, count(*) as n_sources
    from source_facts as sf
    group by sf.fact_table, sf.fact_id
),
quoted as (
    select
        sf.source_id,
        count(*) as n_facts,
        sum(case when fs.n_sources > 1 then 1 else 0 end) as n_corroborated
    from source_facts as sf
    join fact_support as fs on fs.fact_table = sf.fact_table and fs.fact_id = sf.fact_id
    group by sf.source_id
),
contradicted as (
    select c.source_id, count(*) as n_conflicts
    from claims as c
    where c.disputed
    group by c.source_id
),
cited as (
    select ev.source_id, count(*) as n_evidence
    from evidence as ev
    group by ev.source_id
),
segmented as (
    select
        sg.source_id,
        sum(case when sg.kind in ('headline', 'body') then 1 else 0 end) as n_sentences,
        sum(case when sg.kind in ('headline', 'body') then 0 else 1 end) as n_excluded
    from source_segments as sg
    group by sg.source_id
)
select
    s.slug as source,
    s.title,
    s.kind,
    s.author,
    s.publisher,
    s.url,
    s.published_text,
    s.published_precision,
    s.published_earliest,
    s.published_latest,
    coalesce(segmented.n_sentences, 0) as n_sentences,
    coalesce(segmented.n_excluded, 0) as n_excluded,
    s.sha256,
    coalesce(cited.n_evidence, 0) as n_evidence,
    s.grade,
    coalesce(quoted.n_facts, 0) as n_facts,
    coalesce(quoted.n_corroborated, 0) as n_corroborated,
    coalesce(contradicted.n_conflicts, 0) as n_conflicts
from sources as s
left join cited on cited.source_id = s.id
left join segmented on segmented.source_id = s.id
left join quoted on quoted.source_id = s.id
left join contradicted on contradicted.source_id = s.id
order by s.slug
