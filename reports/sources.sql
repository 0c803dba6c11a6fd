-- title: Sources
-- grain: one row per source document
-- key: [source]
-- description: >
--   Every stored source with what is known of it (unknown stays empty), the
--   SHA-256 of its text, how many sentences it has and how many evidence rows
--   cite it. The coverage report shows which sentences are cited.
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
with cited as (
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
    coalesce(cited.n_evidence, 0) as n_evidence
from sources as s
left join cited on cited.source_id = s.id
left join segmented on segmented.source_id = s.id
order by s.slug
