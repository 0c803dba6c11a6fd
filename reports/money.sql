-- title: Money by actor and country
-- grain: one row per stated amount and actor it is attributed to, in each role the actor holds (an amount whose agreement or project has no party has one row, with the actor columns empty)
-- key: [owner_type, owner, stage, amount_text, actor, role]
-- description: >
--   Every stated amount of money with its qualifier (exact, about, more_than,
--   ...), stage (contracted, planned, pledged, ...) and currency, attributed to
--   the parties of the agreement or the participants of the project it
--   belongs to, and through them to their countries. An amount is one fact
--   however often the sources repeat it (n_evidence says how often they
--   quote it), but it appears once for every actor and role it is attributed
--   to, so never add up the amount column. Read actor_total and
--   country_total instead (they repeat on every row they apply to): each is
--   the sum, for that actor or country, of the distinct amounts in the row's
--   currency, stage and period, every amount counted once whatever the number of its
--   attributed actors, roles or evidence rows.
--   Totals add amounts as stated, whatever their qualifier (an "over $540
--   million" counts as 540 million). Amounts in different currencies,
--   stages or periods (a yearly amount and a total; an amount whose period
--   no source states is added only to others without one) are never added
--   together; nor is an amount another source states more precisely (about
--   $165 million beside an exact $150 million). Totals are exact on every engine:
--   SQLite has no decimal type, so each amount's digits are added as three
--   integers (whole units above and below 10^9, and cents) and the total is
--   written back as decimal text.
--   sources counts the distinct sources that state the amount; disputed says
--   that another source states an incompatible amount for the same stage
--   (the conflicts report lists both sides). Of two amounts that contradict
--   each other (one contract's total given as $150 million and as $540
--   million), totals add only the side the record keeps (the best
--   supported, then best graded, then first loaded source's); the other
--   keeps its row here, disputed, and is left out of the totals. A total
--   that adds a disputed amount says so: actor_n_disputed and
--   country_n_disputed count them. Given an actor, the rows of its sub-units
--   come too (actor_match says how each matched), unless subunits is no.
-- parameters:
--   - name: actor
--     type: text
--     description: Only rows attributed to the actor with this slug, display name or alias (letter case ignored), or to its sub-units.
--   - name: country
--     type: text
--     description: Only rows attributed to an actor of this ISO 3166-1 alpha-2 country, e.g. CN.
--   - name: subunits
--     type: choice
--     choices: ['yes', 'no']
--     default: 'yes'
--     description: "yes: an actor parameter also finds the actor's sub-units, all the way down its parent chain (actors.parent_id); no: only the actor itself."
-- columns:
--   - {name: owner_type, type: text, description: agreement or project.}
--   - {name: owner, type: text, description: Slug of the agreement or project the amount belongs to.}
--   - {name: owner_title, type: text, description: Title of that agreement or project.}
--   - {name: amount, type: decimal, description: "The amount as an exact decimal, in currency units."}
--   - {name: currency, type: text, description: ISO 4217 currency code.}
--   - {name: qualifier, type: text, description: "How the source qualifies it: exact, about, at_least, more_than, at_most, less_than."}
--   - {name: stage, type: text, description: "What the amount is: contracted, planned, pledged, disbursed or reported."}
--   - {name: period, type: text, description: "What the amount is counted over: total, year, quarter or month; empty when no source says."}
--   - {name: amount_text, type: text, description: The source's own words for the amount.}
--   - {name: n_evidence, type: integer, description: Evidence rows quoting the amount (repetitions in the sources; the amount is still one fact).}
--   - {name: sources, type: integer, description: Distinct sources that state the amount.}
--   - {name: disputed, type: boolean, description: True when another source states an amount incompatible with this one (see the conflicts report).}
--   - {name: actor, type: text, description: Slug of an actor the amount is attributed to (a party or participant of its owner).}
--   - {name: actor_name, type: text, description: That actor's display name.}
--   - {name: actor_match, type: text, description: "With actor given: how the row's actor matched it: self, or sub-unit of the actor it names."}
--   - {name: role, type: text, description: "The actor's role in the agreement or project: signatory, investor, host, ..."}
--   - {name: country, type: text, description: "The actor's ISO 3166-1 alpha-2 country code, where one applies."}
--   - {name: actor_total, type: decimal, description: "Sum of the distinct amounts attributed to this actor in this currency, stage and period."}
--   - {name: actor_n_amounts, type: integer, description: How many distinct amounts actor_total adds up.}
--   - {name: actor_n_disputed, type: integer, description: "How many of them are disputed (0: none of actor_total is contested)."}
--   - {name: country_total, type: decimal, description: "Sum of the distinct amounts attributed to any actor of this country in this currency, stage and period."}
--   - {name: country_n_amounts, type: integer, description: How many distinct amounts country_total adds up.}
--   - {name: country_n_disputed, type: integer, description: How many of them are disputed.}
with recursive params as (
    -- every parameter, read once: an empty value ('') is no value, as when it is not given
    select
        nullif(:actor, '') as actor,
        nullif(:country, '') as country,
        nullif(:subunits, '') as subunits
),
actor_ids as (
    -- the actor by slug, display name or alias (letter case ignored): three index lookups, which
    -- every engine's planner sees as a few rows (an OR across them made PostgreSQL scan tables)
    select a.id from params as p cross join actors as a where a.slug = lower(p.actor)
    union
    select a.id from params as p cross join actors as a where a.name_key = lower(p.actor)
    union
    select x.actor_id from params as p cross join actor_aliases as x where x.alias_key = lower(p.actor)
),
actor_tree as (
    -- the actors found and, unless subunits is no, their sub-units all the way down (actors.parent_id,
    -- an index lookup a level); depth 0 is a found actor itself; the bound on depth stops a parent loop
    select k.id, k.id as matched_id, 0 as depth from actor_ids as k
    union
    select sub.id, t.matched_id, t.depth + 1
    from actor_tree as t
    cross join params as p
    join actors as sub on sub.parent_id = t.id
    where (p.subunits is null or p.subunits <> 'no') and t.depth < 100
),
actor_units as (
    -- each actor once, with how it matched: self, or sub-unit of the nearest found actor above it
    select f.id, case when f.depth = 0 then 'self' else replace('sub-unit of #', '#', f.matched) end as how
    from (
        select t.id, t.depth, fa.slug as matched,
               row_number() over (partition by t.id order by t.depth, fa.slug) as n
        from actor_tree as t
        join actors as fa on fa.id = t.matched_id
    ) as f
    where f.n = 1
),
owners as (
    select am.id as amount_id, 'agreement' as owner_type, ag.slug as owner, ag.title as owner_title
    from amounts as am
    join agreements as ag on ag.id = am.agreement_id
    union all
    select am.id, 'project', pr.slug, pr.title
    from amounts as am
    join projects as pr on pr.id = am.project_id
),
attributions as (
    select am.id as amount_id, pa.actor_id, pa.role
    from amounts as am
    join agreement_parties as pa on pa.agreement_id = am.agreement_id
    union all
    select am.id, pp.actor_id, pp.role
    from amounts as am
    join project_participants as pp on pp.project_id = am.project_id
),
actor_amounts as (
    select distinct att.amount_id, att.actor_id
    from attributions as att
),
amount_claims as (
    -- per amount, by index lookups: the distinct sources stating it, and whether one of its claims is disputed
    select
        am.id as amount_id,
        (select count(distinct c.source_id) from claims as c where c.amount_id = am.id) as n_sources,
        case when exists (select 1 from claims as c where c.amount_id = am.id and c.disputed) then 1 else 0 end
            as is_disputed,
        -- 0 for an amount that contradicts the side of a dispute the record keeps: totals leave it out
        case when exists (select 1 from claims as c where c.amount_id = am.id and c.in_record) then 1 else 0 end
            as in_record
    from amounts as am
),
amount_digits as (
    -- the amount as decimal text, '150000000.00' (SQLite stores it so; the servers' NUMERIC casts to it)
    select am.id as amount_id, am.currency, am.stage, coalesce(am.period, '-') as period_key,
           cast(am.amount as char(24)) as digits
    from amounts as am
),
amount_parts as (
    -- its digits as three integers no engine can overflow: whole units above and below 10^9, and cents
    select
        d.amount_id,
        d.currency,
        d.stage,
        d.period_key,
        case when length(d.digits) > 12
            then cast(substr(d.digits, 1, length(d.digits) - 12) as integer)
            else 0 end as units_high,
        case when length(d.digits) > 12
            then cast(substr(d.digits, length(d.digits) - 11, 9) as integer)
            else cast(substr(d.digits, 1, length(d.digits) - 3) as integer) end as units_low,
        cast(substr(d.digits, length(d.digits) - 1, 2) as integer) as cents,
        amc.is_disputed
    from amount_digits as d
    join amount_claims as amc on amc.amount_id = d.amount_id
    where amc.in_record = 1
),
actor_sums as (
    select
        aa.actor_id, ap.currency, ap.stage, ap.period_key,
        sum(ap.units_high) as units_high, sum(ap.units_low) as units_low, sum(ap.cents) as cents,
        count(*) as n_amounts, sum(ap.is_disputed) as n_disputed
    from actor_amounts as aa
    join amount_parts as ap on ap.amount_id = aa.amount_id
    group by aa.actor_id, ap.currency, ap.stage, ap.period_key
),
country_amounts as (
    select distinct att.amount_id, a.country
    from attributions as att
    join actors as a on a.id = att.actor_id
    where a.country is not null
),
country_sums as (
    select
        ca.country, ap.currency, ap.stage, ap.period_key,
        sum(ap.units_high) as units_high, sum(ap.units_low) as units_low, sum(ap.cents) as cents,
        count(*) as n_amounts, sum(ap.is_disputed) as n_disputed
    from country_amounts as ca
    join amount_parts as ap on ap.amount_id = ca.amount_id
    group by ca.country, ap.currency, ap.stage, ap.period_key
),
actor_carried as (
    -- whole units out of the cents, then out of the low units (every division here is exact)
    select
        s.actor_id, s.currency, s.stage, s.period_key, s.n_amounts, s.n_disputed,
        cast(s.units_high + (s.units_low + (s.cents - s.cents % 100) / 100
             - (s.units_low + (s.cents - s.cents % 100) / 100) % 1000000000) / 1000000000 as decimal(30, 0))
            as units_high,
        cast((s.units_low + (s.cents - s.cents % 100) / 100) % 1000000000 as decimal(30, 0)) as units_low,
        cast(s.cents % 100 as decimal(30, 0)) as cents
    from actor_sums as s
),
country_carried as (
    select
        s.country, s.currency, s.stage, s.period_key, s.n_amounts, s.n_disputed,
        cast(s.units_high + (s.units_low + (s.cents - s.cents % 100) / 100
             - (s.units_low + (s.cents - s.cents % 100) / 100) % 1000000000) / 1000000000 as decimal(30, 0))
            as units_high,
        cast((s.units_low + (s.cents - s.cents % 100) / 100) % 1000000000 as decimal(30, 0)) as units_low,
        cast(s.cents % 100 as decimal(30, 0)) as cents
    from country_sums as s
),
actor_totals as (
    -- the total as decimal text, put together with replace() (no concatenation operator is portable)
    select
        c.actor_id, c.currency, c.stage, c.period_key, c.n_amounts, c.n_disputed,
        case when c.units_high = 0
            then replace(replace('L.C',
                'L', cast(c.units_low as char(40))),
                'C', substr(cast(c.cents + 100 as char(40)), 2))
            else replace(replace(replace('HL.C',
                'H', cast(c.units_high as char(40))),
                'L', substr(cast(c.units_low + 1000000000 as char(40)), 2)),
                'C', substr(cast(c.cents + 100 as char(40)), 2))
        end as total
    from actor_carried as c
),
country_totals as (
    select
        c.country, c.currency, c.stage, c.period_key, c.n_amounts, c.n_disputed,
        case when c.units_high = 0
            then replace(replace('L.C',
                'L', cast(c.units_low as char(40))),
                'C', substr(cast(c.cents + 100 as char(40)), 2))
            else replace(replace(replace('HL.C',
                'H', cast(c.units_high as char(40))),
                'L', substr(cast(c.units_low + 1000000000 as char(40)), 2)),
                'C', substr(cast(c.cents + 100 as char(40)), 2))
        end as total
    from country_carried as c
),
evidence_counts as (
    select ev.amount_id, count(*) as n_evidence
    from evidence as ev
    where ev.amount_id is not null
    group by ev.amount_id
)
select
    o.owner_type,
    o.owner,
    o.owner_title,
    am.amount,
    am.currency,
    am.qualifier,
    am.stage,
    am.period,
    am.amount_text,
    coalesce(ec.n_evidence, 0) as n_evidence,
    amc.n_sources as sources,
    amc.is_disputed as disputed,
    a.slug as actor,
    a.name as actor_name,
    au.how as actor_match,
    att.role,
    a.country,
    act.total as actor_total,
    act.n_amounts as actor_n_amounts,
    act.n_disputed as actor_n_disputed,
    ct.total as country_total,
    ct.n_amounts as country_n_amounts,
    ct.n_disputed as country_n_disputed
from params as p
cross join amounts as am
join owners as o on o.amount_id = am.id
join amount_claims as amc on amc.amount_id = am.id
left join evidence_counts as ec on ec.amount_id = am.id
left join attributions as att on att.amount_id = am.id
left join actors as a on a.id = att.actor_id
left join actor_units as au on au.id = att.actor_id
left join actor_totals as act
    on act.actor_id = att.actor_id and act.currency = am.currency and act.stage = am.stage
    and act.period_key = coalesce(am.period, '-')
left join country_totals as ct
    on ct.country = a.country and ct.currency = am.currency and ct.stage = am.stage
    and ct.period_key = coalesce(am.period, '-')
where (p.actor is null or au.id is not null)
and (p.country is null or lower(a.country) = lower(p.country))
order by
    o.owner_type,
    o.owner,
    am.stage,
    am.currency,
    -- fewer digits first: SQLite stores amounts as text, compared character by character
    length(cast(am.amount as char(24))),
    am.amount,
    lower(am.amount_text),
    am.amount_text,
    case when a.slug is null then 0 else 1 end,
    a.slug,
    case when att.role is null then 0 else 1 end,
    replace(att.role, '_', '-')
