-- title: Projects and investment interests
-- grain: one row per participant of a project and stated amount of it (a project with no participant or no stated amount still has its rows, with those columns empty)
-- key: [project, participant, role, stage, amount_text]
-- description: >
--   Every project and declared investment interest (status interest) with its
--   sector, resource, location in the source's words, status, the agreement
--   behind it, its start date (with its precision and the source's own words),
--   each participant and its role (investor, builder, host,
--   prospective_investor, ...), and the money the sources state for it. An
--   amount is repeated on the row of every participant: to add money up, use
--   the money report, which counts each amount once.
-- parameters:
--   - name: status
--     type: choice
--     choices: [interest, negotiation, planned, contracted, under_construction, partly_completed, completed, cancelled, unknown]
--     description: Only projects with this status (interest for declared investment interests).
-- columns:
--   - {name: project, type: text, description: The project's slug.}
--   - {name: title, type: text, description: Short description of the project.}
--   - {name: sector, type: text, description: "Economic sector: mining, oil, infrastructure, ..."}
--   - {name: resource, type: text, description: "Resource concerned (marble, oil, copper, ...), where stated."}
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
--   - {name: amount_text, type: text, description: The source's own words for the amount.}
with participants as (
    select
        pp.project_id,
        pp.role,
        a.slug as participant,
        a.name as participant_name
    from project_participants as pp
    join actors as a on a.id = pp.actor_id
)
select
    pr.slug as project,
    pr.title,
    pr.sector,
    pr.resource,
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
    am.amount_text
from projects as pr
left join agreements as ag on ag.id = pr.agreement_id
left join participants on participants.project_id = pr.id
left join amounts as am on am.project_id = pr.id
where (:status is null or pr.status = :status)
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
    am.amount,
    case when am.amount_text is null then 0 else 1 end,
    lower(am.amount_text),
    am.amount_text
