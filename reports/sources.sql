-- title: Sources
-- grain: one row per source document
-- description: >
--   Every stored source with what is known of it (unknown stays empty), the
--   SHA-256 of its text, and how many evidence rows cite it.
-- columns:
--   - {name: source, type: text, description: The source's slug.}
--   - {name: title, type: text, description: Title as published.}
--   - {name: kind, type: text, description: "Kind of document: news_article, opinion_article, government_report, ..."}
--   - {name: author, type: text, description: Author as named; empty when the source names none.}
--   - {name: publisher, type: text, description: Publisher; empty when unknown.}
--   - {name: url, type: text, description: Address; empty when unknown.}
--   - {name: published_text, type: text, description: The source's own words for its date; empty when it gives none.}
--   - {name: published_precision, type: text, description: Precision of the stated publication date.}
--   - {name: n_characters, type: integer, description: Length of the stored text in characters.}
--   - {name: sha256, type: text, description: SHA-256 of the stored text (UTF-8).}
--   - {name: n_evidence, type: integer, description: Evidence rows that quote this source.}
with cited as (
    select source_id, count(*) as n_evidence
    from evidence
    group by source_id
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
    length(s.content) as n_characters,
    s.sha256,
    coalesce(cited.n_evidence, 0) as n_evidence
from sources as s
left join cited on cited.source_id = s.id
order by s.slug
