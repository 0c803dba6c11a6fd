-- title: Agreements
-- grain: one row per party of an agreement and stated amount of it (an agreement with no stated amount still has a row per party)
-- key: [agreement, party, role, stage, amount_text]
-- description: >
--   Every agreement with its kind, status, signing date (with its precision
--   and the source's own words), each party and its role, and the money the
--   sources state for it. Amounts are exact decimals with their currency,
--   qualifier (exact, about, more_than, ...) and stage (contracted, planned, ...).
--   An amount is repeated on the row of every party: to add money up, use the
--   money report, which counts each amount once. sources counts the distinct
--   sources that quote the agreement and amount_sources those that state the
--   row's amount; disputed and amount_disputed say that another source states
--   an incompatible value (the conflicts report lists both sides, the claims
--   report every source's values).
-- parameters:
--   - name: kind
--     type: choice
--     choices: [contract, accord, diplomatic_exchange, guarantee, memorandum, treaty, other]
--     description: Only agreements of this kind.
--   - name: grade
--     type: choice
--     choices: [A, B, C, D, E, F]
--     description: Only agreements quoted by a source graded this well or better (A is best; ungraded sources do not count); their parties and amounts are shown whatever their sources.
-- columns:
--   - {name: agreement, type: text, description: The agreement's slug.}
--   - {name: title, type: text, description: The agreement's name or a short description.}
--   - {name: kind, type: text, description: "Kind of agreement: contract, accord, diplomatic_exchange, ..."}
--   - {name: status, type: text, description: Status as of the source.}
--   - {name: signed_text, type: text, description: The source's words for the signing date; empty when not stated.}
--   - {name: signed_precision, type: text, description: "Precision of the signing date: day, month, year, relative, unknown, ..."}
--   - {name: signed_earliest, type: date, description: First day the signing date can mean.}
--   - {name: signed_latest, type: date, description: Last day the signing date can mean.}
--   - {name: party, type: text, description: The party's actor slug.}
--   - {name: party_name, type: text, description: The party's display name.}
--   - {name: role, type: text, description: "The party's role: signatory, counterparty, guarantor, ..."}
--   - {name: amount, type: decimal, description: A stated amount (exact decimal); empty when none is stated.}
--   - {name: currency, type: text, description: ISO 4217 currency of the amount.}
--   - {name: qualifier, type: text, description: "How the source qualifies the amount: exact, about, more_than, ..."}
--   - {name: stage, type: text, description: "What the amount is: contracted, planned, ..."}
--   - {name: period, type: text, description: "What the amount is counted over: total, year, quarter or month; empty when no source says."}
--   - {name: amount_text, type: text, description: The source's own words for the amount.}
--   - {name: sources, type: integer, description: Distinct sources with evidence on the agreement.}
--   - {name: disputed, type: boolean, description: "True when a value of the agreement, of one of its obligations or of one of its amounts is disputed between sources (see the conflicts report)."}
--   - {name: amount_sources, type: integer, description: Distinct sources that state the row's amount; empty when none is stated.}
--   - {name: amount_disputed, type: boolean, description: True when another source states an amount incompatible with the row's amount; empty when none is stated.}
with params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:kind, '') as kind,
        nullif(:grade, '') as grade
),
parties as (
    select
        ap.agreement_id,
        ap.role,
        a.slug as party,
        a.name as party_name
    from agreement_parties as ap
    join actors as a on a.id = ap.actor_id
),
agreement_claims as (
    -- per agreement, by index lookups: the distinct sources quoting it, and whether a claim of it,
    -- of one of its obligations or of one of its amounts is disputed
    select
        ag.id as agreement_id,
        (select count(distinct ev.source_id) from evidence as ev where ev.agreement_id = ag.id) as n_sources,
        case
            when exists (select 1 from claims as c where c.agreement_id = ag.id and c.disputed) then 1
            when exists (select 1 from agreement_obligations as ob join claims as c on c.obligation_id = ob.id
                         where ob.agreement_id = ag.id and c.disputed) then 1
            when exists (select 1 from amounts as x join claims as c on c.amount_id = x.id
                         where x.agreement_id = ag.id and c.disputed) then 1
            else 0
        end as is_disputed
    from agreements as ag
),
amount_claims as (
    -- per amount: the distinct sources stating it, and whether one of its claims is disputed
    select
        am.id as amount_id,
        (select count(distinct c.source_id) from claims as c where c.amount_id = am.id) as n_sources,
        case when exists (select 1 from claims as c where c.amount_id = am.id and c.disputed) then 1 else 0 end
            as is_disputed
    from amounts as am
    where am.agreement_id is not null
)
select
    ag.slug as agreement,
    ag.title,
    ag.kind,
    ag.status,
    ag.signed_text,
    ag.signed_precision,
    ag.signed_earliest,
    ag.signed_latest,
    parties.party,
    parties.party_name,
    parties.role,
    am.amount,
    am.currency,
    am.qualifier,
    am.stage,
    am.period,
    am.amount_text,
    agc.n_sources as sources,
    agc.is_disputed as disputed,
    amc.n_sources as amount_sources,
    amc.is_disputed as amount_disputed
from params as p
cross join agreements as ag
join agreement_claims as agc on agc.agreement_id = ag.id
left join parties on parties.agreement_id = ag.id
left join amounts as am on am.agreement_id = ag.id
left join amount_claims as amc on amc.amount_id = am.id
where (p.kind is null or ag.kind = p.kind)
  and (p.grade is null or exists (
      select 1 from evidence as ev join sources as s on s.id = ev.source_id
      where ev.agreement_id = ag.id and s.grade <= p.grade))
order by
    case when ag.signed_earliest is null then 1 else 0 end,
    ag.signed_earliest,
    case when ag.signed_latest is null then 1 else 0 end,
    ag.signed_latest,
    ag.slug,
    case when parties.role is null then 0 else 1 end,
    replace(parties.role, '_', '-'),
    case when parties.party is null then 0 else 1 end,
    parties.party,
    case when am.stage is null then 0 else 1 end,
    am.stage,
    case when am.currency is null then 0 else 1 end,
    am.currency,
    case when am.amount is null then 0 else 1 end,
    -- fewer digits first: SQLite stores amounts as text, compared character by character
    length(cast(am.amount as char(24))),
    am.amount,
    case when am.amount_text is null then 0 else 1 end,
    lower(am.amount_text),
    am.amount_text
