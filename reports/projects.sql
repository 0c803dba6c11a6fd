-- title: Projects and investment interests
-- grain: one row per participant of a project and stated amount of it (a project with no participant or no stated amount still has its rows, with those columns empty)
-- key: [project, participant, role, stage, amount_text]
-- description: >
--   Every project and declared investment interest (status interest) with its
--   sector, resources (the list, alphabetical), location in the source's words, status, the agreement
--   behind it, its start date (with its precision and the source's own words),
--   each participant and its role (investor, builder, host,
--   prospective_investor, ...), and the money the sources state for it. An
--   amount is repeated on the row of every participant: to add money up, use
--   the money report, which counts each amount once. sources counts the
--   distinct sources that quote the project and amount_sources those that
--   state the row's amount; disputed and amount_disputed say that another
--   source states an incompatible value (the conflicts report lists both
--   sides, the claims report every source's values).
-- parameters:
--   - name: status
--     type: choice
--     choices: [interest, negotiation, planned, contracted, under_construction, partly_completed, completed, cancelled, unknown]
--     description: Only projects with this status (interest for declared investment interests).
--   - name: grade
--     type: choice
--     choices: [A, B, C, D, E, F]
--     description: Only projects quoted by a source graded this well or better (A is best; ungraded sources do not count); their participants and amounts are shown whatever their sources.
--   - name: resource
--     type: text
--     description: Only projects concerning this resource (one of its resources, letter case ignored, e.g. lithium); the row still lists all of them.
-- columns:
--   - {name: project, type: text, description: The project's slug.}
--   - {name: title, type: text, description: Short description of the project.}
--   - {name: sector, type: text, description: "Economic sector: mining, oil, infrastructure, ..."}
--   - {name: resources, type: text, description: "The resources concerned (marble, oil, copper, ...), alphabetical, joined by ', '; empty when none is stated."}
--   - {name: location_text, type: text, description: Location as the source words it; empty when not stated.}
--   - {name: status, type: text, description: "Status as of the source: interest, planned, contracted, under_construction, ..."}
--   - {name: agreement, type: text, description: "Slug of the agreement behind the project, where there is one."}
--   - {name: started_text, type: text, description: The source's words for the start; empty when not stated.}
--   - {name: started_precision, type: text, description: "Precision of the start date: day, month, year, relative, unknown, ..."}
--   - {name: started_earliest, type: date, description: First day the start can mean.}
--   - {name: started_latest, type: date, description: Last day the start can mean.}
--   - {name: participant, type: text, description: The participant's actor slug.}
--   - {name: participant_name, type: text, description: The participant's display name.}
--   - {name: role, type: text, description: "The participant's role: investor, builder, host, operator, prospective_investor, ..."}
--   - {name: amount, type: decimal, description: A stated amount (exact decimal); empty when none is stated.}
--   - {name: currency, type: text, description: ISO 4217 currency of the amount.}
--   - {name: qualifier, type: text, description: "How the source qualifies the amount: exact, about, more_than, ..."}
--   - {name: stage, type: text, description: "What the amount is: contracted, planned, pledged, disbursed, reported."}
--   - {name: period, type: text, description: "What the amount is counted over: total, year, quarter or month; empty when no source says."}
--   - {name: amount_text, type: text, description: The source's own words for the amount.}
--   - {name: sources, type: integer, description: Distinct sources with evidence on the project.}
--   - {name: disputed, type: boolean, description: "True when a value of the project or of one of its amounts is disputed between sources (see the conflicts report)."}
--   - {name: amount_sources, type: integer, description: Distinct sources that state the row's amount; empty when none is stated.}
--   - {name: amount_disputed, type: boolean, description: True when another source states an amount incompatible with the row's amount; empty when none is stated.}
with recursive params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:status, '') as status,
        nullif(:grade, '') as grade,
        nullif(:resource, '') as resource
),
ranked_resources as (
    -- each project's resources numbered alphabetically, to be joined one after another below
    select
        r.project_id,
        r.resource,
        row_number() over (partition by r.project_id order by r.resource_key, r.resource) as n
    from project_resources as r
),
resource_lists (project_id, n, resources) as (
    -- the list built one resource at a time with replace() (no concatenation operator is portable); the
    -- first part is cast wide, since MariaDB types a recursive CTE's column by its first part
    select k.project_id, k.n, replace('{list}', '{list}', cast(k.resource as char(13000)))
    from ranked_resources as k
    where k.n = 1
    union all
    select l.project_id, k.n, replace(replace('{list}, {next}', '{list}', l.resources), '{next}', k.resource)
    from resource_lists as l
    join ranked_resources as k on k.project_id = l.project_id and k.n = l.n + 1
),
project_resource_lists as (
    -- the whole list of each project: its last step
    select l.project_id, l.resources
    from resource_lists as l
    where not exists (select 1 from ranked_resources as k where k.project_id = l.project_id and k.n = l.n + 1)
),
participants as (
    select
        pp.project_id,
        pp.role,
        a.slug as participant,
        a.name as participant_name
    from project_participants as pp
    join actors as a on a.id = pp.actor_id
),
project_claims as (
    -- per project, by index lookups: the distinct sources quoting it, and whether a claim of it or
    -- of one of its amounts is disputed (participants are members of a set: they never conflict)
    select
        pr.id as project_id,
        (select count(distinct ev.source_id) from evidence as ev where ev.project_id = pr.id) as n_sources,
        case
            when exists (select 1 from claims as c where c.project_id = pr.id and c.disputed) then 1
            when exists (select 1 from amounts as x join claims as c on c.amount_id = x.id
                         where x.project_id = pr.id and c.disputed) then 1
            else 0
        end as is_disputed
    from projects as pr
),
amount_claims as (
    -- per amount: the distinct sources stating it, and whether one of its claims is disputed
    select
        am.id as amount_id,
        (select count(distinct c.source_id) from claims as c where c.amount_id = am.id) as n_sources,
        case when exists (select 1 from claims as c where c.amount_id = am.id and c.disputed) then 1 else 0 end
            as is_disputed
    from amounts as am
    where am.project_id is not null
)
select
    pr.slug as project,
    pr.title,
    pr.sector,
    prl.resources,
    pr.location_text,
    pr.status,
    ag.slug as agreement,
    pr.started_text,
    pr.started_precision,
    pr.started_earliest,
    pr.started_latest,
    participants.participant,
    participants.participant_name,
    participants.role,
    am.amount,
    am.currency,
    am.qualifier,
    am.stage,
    am.period,
    am.amount_text,
    prc.n_sources as sources,
    prc.is_disputed as disputed,
    amc.n_sources as amount_sources,
    amc.is_disputed as amount_disputed
from params as p
cross join projects as pr
join project_claims as prc on prc.project_id = pr.id
left join agreements as ag on ag.id = pr.agreement_id
left join project_resource_lists as prl on prl.project_id = pr.id
left join participants on participants.project_id = pr.id
left join amounts as am on am.project_id = pr.id
left join amount_claims as amc on amc.amount_id = am.id
where (p.status is null or pr.status = p.status)
  and (p.resource is null or exists (
      select 1 from project_resources as x where x.project_id = pr.id and x.resource_key = lower(p.resource)))
  and (p.grade is null or exists (
      select 1 from evidence as ev join sources as s on s.id = ev.source_id
      where ev.project_id = pr.id and s.grade <= p.grade))
order by
    case when pr.started_earliest is null then 1 else 0 end,
    pr.started_earliest,
    case when pr.started_latest is null then 1 else 0 end,
    pr.started_latest,
    pr.slug,
    case when participants.role is null then 0 else 1 end,
    replace(participants.role, '_', '-'),
    case when participants.participant is null then 0 else 1 end,
    participants.participant,
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
