"""Generate the sample CS org in this folder: a deterministic, realistic history of eight quarters.

    python sample_data/generate.py            # writes accounts.csv, roster.csv, quotas.csv, payouts.csv
    python sample_data/generate.py --out DIR --seed 7 --csms 300 --accounts 9000

What makes it look like a real CS org:
- three segments with their own pay and book shapes: a few large Enterprise books, mid-sized
  Mid-Market books, long SMB books; ARR is log-normal (a handful of whales, a long tail);
- annual renewals clustered in Q2 and Q4, with expansion and churn happening mostly at renewal;
- CSMs differ in skill, which moves their churn and expansion, so top performers exist;
- three Enterprise whales churn outright; new logos land every quarter (arr_start 0);
- a minority of accounts answer NPS each quarter, detractors where risk is high;
- what a CS platform exports beside the revenue: a sparse CSAT (1-5, low where risk is high), seats
  purchased (following ARR) and active (adoption lower where risk is high) with their ratio
  seat_adoption, onboarding_complete for new logos only, and a churn_reason on every churned row
  (product-gap churn clustered in Mid-Market; the whales were acquired or lost to a competitor);
- one CSM is hired mid-quarter (2025-08-18) and takes over accounts, one leaves mid-quarter
  (2026-05-15) and their book is reassigned, and one gets a raise from 2026Q1 (per-quarter roster rows);
- a CS manager per team (M01-M06), a player-coach who owns four strategic accounts (one renewing each
  quarter, none churning) and, under the plan in force, is paid on them like a CSM (75/25 pay mix);
- two new hires inside the last year, C35 (SMB-2, 2026-02-09) and C36 (Ent-West, 2026-08-03): their
  first quarter is prorated and their book is forming (the accounts their manager covered for the open
  seat, and a new logo in each of their first two quarters);
- term_months on every row with a renewal due: the contract length signed (12, 24 or 36; multi-year
  terms from 2026 on, more of them in Enterprise), blank where no renewal fell due;
- payouts.csv is what the plan in force (plans/current.yaml) pays, computed by cscomp itself, plus
  the manual adjustments listed in MANUAL_ADJUSTMENTS below.

Only numpy's seeded generator is used, so every run writes byte-identical files. The account
simulation is vectorised over accounts (a loop per quarter only), so the benchmarks can reuse
``generate_org`` for orgs of thousands of CSMs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CURRENT_PLAN = REPO / "plans" / "current.yaml"
FIRST_YEAR, QUARTERS = 2025, 8

# Payments made outside the plan in force, as a real payroll history has them. `cscomp stress-test`
# on plans/current.yaml reproduces every other payout to the cent.
MANUAL_ADJUSTMENTS = [
    # (quarter, csm_id, component, amount, why)
    ("2025Q4", "C04", "spiff", 2500.00, "product-launch SPIFF for the first analytics add-on sold"),
    ("2026Q2", "C09", "discretionary", 1000.00, "discretionary bonus for rescuing a strategic account"),
    ("2026Q3", "C21", "clawback", -1200.00, "clawback: a customer churned within 90 days of an expansion"),
]

SEGMENTS = {
    # name: share of CSMs, share of accounts, ARR median and spread, clip, base salary, teams
    "Enterprise": dict(csms=0.20, accounts=0.09, median=260_000, sigma=0.75, low=100_000, high=2_500_000,
                       base=150_000, teams=("Ent-East", "Ent-West"), churn=0.035, logos=0.02),
    "Mid-Market": dict(csms=0.33, accounts=0.32, median=55_000, sigma=0.55, low=20_000, high=150_000,
                       base=110_000, teams=("MM-1", "MM-2"), churn=0.06, logos=0.04),
    "SMB": dict(csms=0.47, accounts=0.59, median=9_500, sigma=0.5, low=3_000, high=25_000,
                base=80_000, teams=("SMB-1", "SMB-2"), churn=0.10, logos=0.06),
}
RENEWAL_QUARTER_ODDS = [0.18, 0.30, 0.14, 0.38]  # Q1..Q4: renewals cluster in Q2 and Q4

FIRST_NAMES = ["Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Imani", "Jonas", "Keiko",
               "Luis", "Maya", "Nils", "Olivia", "Priya", "Quinn", "Rafael", "Sofia", "Tariq", "Uma", "Victor",
               "Wen", "Ximena", "Yusuf", "Zoe", "Aiden", "Bianca", "Caleb", "Daria", "Emeka", "Freya"]
LAST_NAMES = ["Alvarez", "Brooks", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
              "Kowalski", "Laurent", "Mensah", "Novak", "O'Brien", "Patel", "Quispe", "Rossi", "Schmidt", "Tanaka",
              "Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zhang", "Adeyemi", "Berg", "Costa", "Dimitrov"]


def quarter_labels(count: int = QUARTERS, first_year: int = FIRST_YEAR) -> list[str]:
    return [f"{first_year + i // 4}Q{i % 4 + 1}" for i in range(count)]


def generate_org(seed: int = 2026, csms: int = 30, accounts: int = 900, quarters: int = QUARTERS,
                 additions: bool = True) -> dict:
    """Roster, accounts and quotas of a sample org as DataFrames (payouts need a plan: see write_org).

    additions: the people and the column issue 24's plans need (a player-coach manager per team,
    two new hires, term_months on renewals), each drawn from a generator of its own after the
    others, so every CSM's rows stay what they were. benchmarks/generate.py turns them off, so the
    benchmark's org stays the one its timings were measured on.
    """
    rng = np.random.default_rng(seed)
    labels = quarter_labels(quarters)
    roster, people = _roster(rng, csms, labels)
    accounts_frame = _accounts(rng, people, accounts, labels)
    # A second generator for the columns added later, so the original columns keep every value.
    accounts_frame = _customer_signals(np.random.default_rng([seed, 12]), accounts_frame)
    if additions and len(labels) >= 8:
        roster, accounts_frame = _managers_and_hires(np.random.default_rng([seed, 24]), roster, accounts_frame,
                                                     labels)
        accounts_frame = _contract_terms(np.random.default_rng([seed, 25]), accounts_frame)
    return {"roster": roster, "accounts": accounts_frame, "quotas": _quotas(accounts_frame)}


# --- the people ----------------------------------------------------------------------------


def _roster(rng, csms: int, labels: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    segment_names = list(SEGMENTS)
    counts = [max(1, round(csms * SEGMENTS[s]["csms"])) for s in segment_names]
    counts[-1] = max(1, csms - sum(counts[:-1]))
    segment = np.repeat(segment_names, counts)
    n = len(segment)
    ids = np.array([f"C{i + 1:02d}" for i in range(n)])
    team = np.empty(n, dtype=object)
    base = np.empty(n)
    for name in segment_names:
        mine = np.flatnonzero(segment == name)
        teams = SEGMENTS[name]["teams"]
        team[mine] = [teams[j % len(teams)] for j in range(len(mine))]
        base[mine] = np.round(SEGMENTS[name]["base"] * rng.uniform(0.92, 1.08, len(mine)), -3)
    variable = base / 4  # an 80/20 pay mix: variable is 20 % of OTE
    names = [f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(7 * i + i // len(FIRST_NAMES)) % len(LAST_NAMES)]}"
             for i in range(n)]
    people = pd.DataFrame({"csm_id": ids, "name": names, "segment": segment, "team": team, "annual_base": base,
                           "annual_variable": variable, "start_date": "", "end_date": "",
                           "skill": rng.normal(0.0, 1.0, n)})
    # The mid-quarter hire (Mid-Market) and the leaver (SMB), when the org is large enough to have them.
    mm = people.index[people["segment"] == "Mid-Market"]
    smb = people.index[people["segment"] == "SMB"]
    if len(labels) >= 3 and len(mm) >= 3:
        people.loc[mm[-1], "start_date"] = f"{labels[2][:4]}-08-18" if labels[2].endswith("Q3") else ""
    if len(labels) >= 6 and len(smb) >= 3:
        people.loc[smb[2], "end_date"] = f"{labels[5][:4]}-05-15" if labels[5].endswith("Q2") else ""

    rows = people.drop(columns="skill").assign(quarter="")
    # A raise for one Enterprise CSM from the second year on: per-quarter rows override the default.
    if len(labels) >= 5:
        raised = people.iloc[[0]]
        extra = pd.concat([raised.assign(quarter=q) for q in labels[4:]], ignore_index=True)
        extra["annual_base"] = extra["annual_base"] + 10_000
        extra["annual_variable"] = extra["annual_base"] / 4
        rows = pd.concat([rows, extra.drop(columns="skill")], ignore_index=True)
    columns = ["csm_id", "quarter", "name", "segment", "team", "annual_base", "annual_variable",
               "start_date", "end_date"]
    return rows[columns], people


def _employed(people: pd.DataFrame, label: str) -> np.ndarray:
    """Which CSMs may own accounts in a quarter (hired by its start... or during it; not yet gone)."""
    year, q = int(label[:4]), int(label[5])
    first = f"{year}-{3 * q - 2:02d}-01"
    last = f"{year}-{3 * q:02d}-{[31, 30, 30, 31][q - 1]}"
    start, end = people["start_date"].to_numpy(), people["end_date"].to_numpy()
    return ((start == "") | (start <= last)) & ((end == "") | (end >= first))


# --- the books -----------------------------------------------------------------------------


def _accounts(rng, people: pd.DataFrame, total: int, labels: list[str]) -> pd.DataFrame:
    segment_names = list(SEGMENTS)
    csm_segment = people["segment"].to_numpy()
    skill = people["skill"].to_numpy()
    state = _opening_books(rng, people, total)
    whales = _whales(state, labels)
    next_id = len(state["owner"])
    logos = _new_logos(rng, people, labels[0], next_id, total)
    next_id += len(logos["id"])
    for key in state:
        state[key] = np.concatenate([state[key], logos[key]])
    frames = []
    for t, label in enumerate(labels):
        quarter_of_year = t % 4 + 1
        employed = _employed(people, label)
        state["owner"] = _reassign(rng, state["owner"], state["segment"], csm_segment, employed, people, label)
        n = len(state["owner"])
        start = state["arr"]
        owner_skill = skill[state["owner"]]
        params = {k: np.array([SEGMENTS[segment_names[s]][k] for s in state["segment"]]) for k in ("churn",)}
        new_logo = state["new"]
        due = (state["renewal_q"] == quarter_of_year) & ~new_logo
        risk = np.clip(state["risk"] + rng.normal(0, 0.05, n), 0, 1)
        state["risk"] = risk

        churn_odds = np.where(due, params["churn"], params["churn"] * 0.04) * np.exp(-0.45 * owner_skill)
        churn_odds *= 0.4 + 1.6 * risk
        churned = (rng.random(n) < churn_odds) & ~new_logo
        churned |= np.isin(state["id"], whales.get(label, []))
        expand_odds = np.where(due, 0.40, 0.14) * np.exp(0.35 * owner_skill) * (1.2 - risk)
        expanded = (rng.random(n) < expand_odds) & ~churned & ~new_logo
        expansion = np.where(expanded, np.round(start * rng.lognormal(np.log(0.14), 0.6, n), 0), 0.0)
        expansion = np.where(new_logo, state["arr_new"], expansion)
        cross = (rng.random(n) < 0.05 * np.exp(0.3 * owner_skill)) & ~churned & ~new_logo
        cross_sell = np.where(cross, np.round(start * rng.uniform(0.04, 0.15, n), 0), 0.0)
        shrink = (rng.random(n) < np.where(due, 0.10, 0.03) * (0.6 + risk)) & ~churned & ~new_logo
        contraction = np.where(shrink, np.round(start * rng.uniform(0.05, 0.3, n), 0), 0.0)
        churn = np.where(churned, start, 0.0)
        arr_end = start + expansion + cross_sell - contraction - churn
        renewed = due & ~churned

        answered = rng.random(n) < 0.3
        score = np.clip(np.round(rng.normal(9.2 - 6.5 * risk + 0.4 * owner_skill, 1.6)), 0, 10)
        health = np.clip(np.round(85 - 55 * risk + 4 * owner_skill + rng.normal(0, 6, n)), 0, 100)
        health_known = rng.random(n) > 0.05
        frames.append(pd.DataFrame({
            "quarter": label,
            "account_id": state["id"],
            "csm_id": people["csm_id"].to_numpy()[state["owner"]],
            "segment": np.array(segment_names)[state["segment"]],
            "arr_start": start, "expansion": expansion, "cross_sell": cross_sell,
            "contraction": contraction, "churn": churn, "arr_end": arr_end,
            "renewal_due": np.where(due, "yes", "no"), "renewed": np.where(renewed, "yes", "no"),
            "nps": np.where(answered, score, np.nan),
            "health": np.where(health_known, health, np.nan),
            "risk": np.where(state["risk_known"], np.round(risk, 2), np.nan),
            # Hidden inputs of _customer_signals (dropped before writing): drawing from rng here would
            # change every number above.
            "_risk": risk, "_skill": owner_skill, "_new": new_logo,
            "_whale": np.isin(state["id"], whales.get(label, [])),
        }))

        survivors = arr_end > 0
        for key in ("id", "owner", "segment", "renewal_q", "risk", "risk_known"):
            state[key] = state[key][survivors]
        state["arr"] = arr_end[survivors]
        state["new"] = np.zeros(int(survivors.sum()), dtype=bool)
        state["arr_new"] = np.zeros(int(survivors.sum()))
        if t + 1 < len(labels):
            logos = _new_logos(rng, people, labels[t + 1], next_id, total)
            next_id += len(logos["id"])
            for key in state:
                state[key] = np.concatenate([state[key], logos[key]])
    return pd.concat(frames, ignore_index=True)


def _arr(rng, segment: str, size: int) -> np.ndarray:
    spec = SEGMENTS[segment]
    return np.round(np.clip(rng.lognormal(np.log(spec["median"]), spec["sigma"], size), spec["low"], spec["high"]), -2)


def _opening_books(rng, people: pd.DataFrame, total: int) -> dict:
    ids, owners, segments, arr = [], [], [], []
    employed = np.array([s == "" for s in people["start_date"]])
    for s, name in enumerate(SEGMENTS):
        staff = np.flatnonzero((people["segment"].to_numpy() == name) & employed)
        count = max(len(staff), round(total * SEGMENTS[name]["accounts"]))
        # Books are uneven: each CSM's share is drawn, not split equally.
        weights = rng.dirichlet(np.full(len(staff), 8.0))
        owners.append(rng.choice(staff, size=count, p=weights))
        segments.append(np.full(count, s))
        arr.append(_arr(rng, name, count))
    owner = np.concatenate(owners)
    n = len(owner)
    ids = np.array([f"A{i + 1:05d}" for i in range(n)])
    return {
        "id": ids, "owner": owner, "segment": np.concatenate(segments), "arr": np.concatenate(arr),
        "renewal_q": rng.choice(4, size=n, p=RENEWAL_QUARTER_ODDS) + 1,
        "risk": rng.beta(2, 5, n), "risk_known": rng.random(n) > 0.1,
        "new": np.zeros(n, dtype=bool), "arr_new": np.zeros(n),
    }


def _new_logos(rng, people: pd.DataFrame, label: str, next_id: int, total: int) -> dict:
    employed = _employed(people, label)
    quarter_of_year = int(label[5])
    parts = []
    for s, name in enumerate(SEGMENTS):
        staff = np.flatnonzero((people["segment"].to_numpy() == name) & employed)
        count = rng.poisson(total * SEGMENTS[name]["accounts"] * SEGMENTS[name]["logos"])
        if count == 0 or len(staff) == 0:
            continue
        parts.append((s, rng.choice(staff, size=count), np.round(_arr(rng, name, count) * 0.5, -2)))
    count = sum(len(p[1]) for p in parts)
    return {
        "id": np.array([f"A{next_id + i + 1:05d}" for i in range(count)], dtype=object).astype(str),
        "owner": np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=int),
        "segment": np.concatenate([np.full(len(p[1]), p[0]) for p in parts]) if parts else np.zeros(0, dtype=int),
        "arr": np.zeros(count), "renewal_q": np.full(count, quarter_of_year),
        "risk": rng.beta(2, 6, count), "risk_known": rng.random(count) > 0.1,
        "new": np.ones(count, dtype=bool), "arr_new": np.concatenate([p[2] for p in parts]) if parts else np.zeros(0),
    }


def _reassign(rng, owner, segment, csm_segment, employed, people, label) -> np.ndarray:
    """Accounts of CSMs who are gone move to colleagues in the same segment; a new hire takes over some."""
    owner = owner.copy()
    segment_names = list(SEGMENTS)
    orphaned = ~employed[owner]
    for s, name in enumerate(segment_names):
        staff = np.flatnonzero((csm_segment == name) & employed)
        mine = orphaned & (segment == s)
        if mine.any() and len(staff):
            owner[mine] = rng.choice(staff, size=int(mine.sum()))
    hired = np.flatnonzero((people["start_date"].to_numpy() != "") & employed)
    for csm in hired:
        if (owner == csm).any():
            continue  # already has a book
        # The new hire takes every third account of the two largest books in their segment.
        peers = np.flatnonzero((csm_segment == csm_segment[csm]) & employed & (np.arange(len(csm_segment)) != csm))
        sizes = np.array([(owner == p).sum() for p in peers])
        for donor in peers[np.argsort(-sizes, kind="stable")[:2]]:
            theirs = np.flatnonzero(owner == donor)
            owner[theirs[::3]] = csm
    return owner


def _whales(state: dict, labels: list[str]) -> dict:
    """The three largest Enterprise accounts churn outright, each in a different quarter."""
    enterprise = np.flatnonzero(state["segment"] == 0)
    biggest = enterprise[np.argsort(-state["arr"][enterprise], kind="stable")[:3]]
    when = [labels[i] for i in (2, 4, 6) if i < len(labels)]
    return {label: [state["id"][i]] for label, i in zip(when, biggest)}


# --- issue 24: player-coach managers, new hires, contract terms ---------------------------------

# One CS manager per team, a player-coach: they lead the team's CSMs and own a few strategic accounts
# themselves (the team's largest kind, one renewing each quarter of the year). Managers are paid
# 75/25 (variable a third of base) and, under the plan in force, on their own book like a CSM.
MANAGERS = [
    # (csm_id, name, team, annual base)
    ("M01", "Helena Marsh", "Ent-East", 178_000),
    ("M02", "Kwame Boateng", "Ent-West", 172_000),
    ("M03", "Sara Lindqvist", "MM-1", 148_000),
    ("M04", "Diego Ferreira", "MM-2", 152_000),
    ("M05", "Aisha Rahman", "SMB-1", 128_000),
    ("M06", "Tom Gallagher", "SMB-2", 126_000),
]
STRATEGIC_ARR = {"Enterprise": (600_000, 0.3), "Mid-Market": (160_000, 0.2), "SMB": (30_000, 0.2)}
# Two hires inside the replayed year. Until they start, their team's manager covers the open seat's
# accounts; the hire takes those over in the quarter they start and lands a few new logos.
HIRES = [
    # (csm_id, name, team, annual base, start date, accounts the manager covered, their renewal quarters)
    ("C35", "Noor Haddad", "SMB-2", 74_000, "2026-02-09", (1, 2, 3, 4)),
    ("C36", "Mateo Silva", "Ent-West", 146_000, "2026-08-03", (3, 4)),
]
# Contract length signed on a renewal, by segment (12, 24, 36 months). Multi-year terms came with
# the 2026 price book: every renewal of 2025 signed 12 months, so each account renewing in 2025 is
# due again in 2026 (as accounts.csv has it) and a 2026 multi-year term runs past the history.
TERM_ODDS = {"Enterprise": (0.55, 0.27, 0.18), "Mid-Market": (0.76, 0.17, 0.07), "SMB": (0.88, 0.09, 0.03)}
MULTI_YEAR_FROM = 2026


def _managers_and_hires(rng, roster: pd.DataFrame, accounts: pd.DataFrame,
                        labels: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The managers' and the hires' roster rows and books (new accounts: no CSM's row changes)."""
    team_segment = dict(zip(roster["team"], roster["segment"]))
    manager_of = {team: csm for csm, _name, team, _base in MANAGERS}
    people = [dict(csm_id=c, quarter="", name=n, segment=team_segment[t], team=t, annual_base=float(b),
                   annual_variable=float(round(b / 3, -2)), start_date="", end_date="") for c, n, t, b in MANAGERS]
    people += [dict(csm_id=c, quarter="", name=n, segment=team_segment[t], team=t, annual_base=float(b),
                    annual_variable=b / 4, start_date=start, end_date="") for c, n, t, b, start, _r in HIRES]
    default = roster["quarter"] == ""
    new_roster = pd.concat([roster[default], pd.DataFrame(people)[roster.columns], roster[~default]],
                           ignore_index=True)

    # Who owns each new account in each quarter (None: it is no customer yet).
    books = []  # (segment, renewal quarter, owner per quarter, strategic, landing quarter or -1)
    for csm, _name, team, _base in MANAGERS:
        books += [(team_segment[team], q, [csm] * len(labels), True, -1) for q in (1, 2, 3, 4)]
    for csm, _name, team, _base, start, renewals in HIRES:
        hired = labels.index(f"{start[:4]}Q{(int(start[5:7]) + 2) // 3}")
        owners = [manager_of[team]] * hired + [csm] * (len(labels) - hired)
        books += [(team_segment[team], q, owners, False, -1) for q in renewals]
        # The book forms: a new logo lands in the hire's first quarter and another in the next.
        landed = [t for t in (hired, hired + 1) if t < len(labels)]
        books += [(team_segment[team], int(labels[t][5]), [None] * t + [csm] * (len(labels) - t), False, t)
                  for t in landed]
    first = int(accounts["account_id"].str[1:].astype(int).max()) + 1
    ids = np.array([f"A{first + i:05d}" for i in range(len(books))])
    segment = np.array([b[0] for b in books], dtype=object)
    renewal_q = np.array([b[1] for b in books])
    owner = np.array([b[2] for b in books], dtype=object)
    strategic = np.array([b[3] for b in books])
    landing = np.array([b[4] for b in books])
    median = np.array([STRATEGIC_ARR[s][0] if k else SEGMENTS[s]["median"] for s, k in zip(segment, strategic)])
    sigma = np.array([STRATEGIC_ARR[s][1] if k else SEGMENTS[s]["sigma"] for s, k in zip(segment, strategic)])
    low = np.array([SEGMENTS[s]["low"] for s in segment])
    arr = np.round(np.clip(rng.lognormal(np.log(median), sigma), low, None), -2)
    arr_new = np.round(arr * 0.5, -2)
    arr = np.where(landing >= 0, 0.0, arr)
    risk = rng.beta(2, 6, len(books))
    price = np.array([SEAT_PRICE[s] for s in segment]) * rng.lognormal(0.0, 0.25, len(books))
    frames = []
    for t, label in enumerate(labels):
        live = np.array([o[t] is not None for o in owner]) & ((arr > 0) | (landing == t))
        n = len(books)
        new = landing == t
        due = (renewal_q == t % 4 + 1) & ~new
        risk = np.clip(risk + rng.normal(0, 0.04, n), 0, 1)
        # A manager's accounts do not churn (their own book stays defined); a hire's rarely.
        churned = due & ~np.isin([o[t] for o in owner], list(manager_of.values())) & (rng.random(n) < 0.05)
        expanded = ~churned & ~new & (rng.random(n) < np.where(due, 0.45, 0.12))
        expansion = np.where(expanded, np.round(arr * rng.lognormal(np.log(0.10), 0.5, n)), 0.0)
        expansion = np.where(new, arr_new, expansion)
        cross = ~churned & ~new & (rng.random(n) < 0.05)
        cross_sell = np.where(cross, np.round(arr * rng.uniform(0.04, 0.12, n)), 0.0)
        shrink = ~churned & ~new & ~expanded & (rng.random(n) < np.where(due, 0.12, 0.03))
        contraction = np.where(shrink, np.round(arr * rng.uniform(0.05, 0.2, n)), 0.0)
        churn = np.where(churned, arr, 0.0)
        arr_end = arr + expansion + cross_sell - contraction - churn
        answered, score = rng.random(n) < 0.3, np.clip(np.round(rng.normal(9.3 - 6.5 * risk, 1.4)), 0, 10)
        health = np.clip(np.round(86 - 55 * risk + rng.normal(0, 6, n)), 0, 100)
        csat_answered = rng.random(n) < np.where(segment == "Enterprise", 0.3, 0.18)
        csat = np.clip(np.round(rng.normal(4.9 - 3.8 * risk, 0.8)), 1, 5)
        purchased = np.maximum(1, np.round(np.where(arr_end > 0, arr_end, arr) / price))
        onboarded = rng.random(n) < np.clip(0.85 - 0.5 * risk, 0.3, 0.97)
        adoption = np.clip(0.95 - 0.7 * risk + rng.normal(0, 0.07, n), 0.05, 1.0)
        adoption = np.where(new, adoption * np.where(onboarded, 0.8, 0.45), adoption)
        active = np.round(purchased * adoption)
        reason = np.array(CHURN_REASONS, dtype=object)[rng.integers(0, len(CHURN_REASONS), n)]
        frames.append(pd.DataFrame({
            "quarter": label, "account_id": ids, "csm_id": [o[t] for o in owner], "segment": segment,
            "arr_start": arr, "expansion": expansion, "cross_sell": cross_sell, "contraction": contraction,
            "churn": churn, "arr_end": arr_end, "renewal_due": np.where(due, "yes", "no"),
            "renewed": np.where(due & ~churned, "yes", "no"), "nps": np.where(answered, score, np.nan),
            "health": health, "risk": np.round(risk, 2), "csat": np.where(csat_answered, csat, np.nan),
            "seats_purchased": purchased, "seats_active": active, "seat_adoption": np.round(active / purchased, 2),
            "onboarding_complete": np.where(new, np.where(onboarded, "yes", "no"), ""),
            "churn_reason": np.where(churned, reason, ""),
        })[live])
        arr = arr_end
    added = pd.concat(frames, ignore_index=True)[accounts.columns]
    both = pd.concat([accounts, added], ignore_index=True)
    return new_roster, both.sort_values("quarter", kind="stable").reset_index(drop=True)


def _contract_terms(rng, accounts: pd.DataFrame) -> pd.DataFrame:
    """term_months on every row with a renewal due: the months the renewal was signed for (on a churned
    renewal, the contract that ended); blank where none fell due. One draw per row, in row order."""
    due = (accounts["renewal_due"] == "yes").to_numpy()
    segment = accounts["segment"].to_numpy()
    odds = np.cumsum(np.array([TERM_ODDS[s] for s in segment]), axis=1)
    pick = np.minimum((rng.random(len(accounts))[:, None] > odds).sum(axis=1), 2)
    multi_year = accounts["quarter"].str[:4].astype(int).to_numpy() >= MULTI_YEAR_FROM
    term = np.where(multi_year, np.array([12, 24, 36])[pick], 12)
    return accounts.assign(term_months=np.where(due, term.astype(str), ""))


# --- what a CS platform adds: CSAT, seats, onboarding, churn reasons ---------------------------

SEAT_PRICE = {"Enterprise": 1_000, "Mid-Market": 700, "SMB": 450}  # median ARR per seat
CHURN_REASONS = ("product_gap", "price", "competitor", "acquired", "bankrupt", "relationship")
REASON_ODDS = {  # per segment, in CHURN_REASONS order: Mid-Market needs a feature the product lacks
    "Enterprise": (0.10, 0.10, 0.30, 0.25, 0.05, 0.20),
    "Mid-Market": (0.50, 0.15, 0.15, 0.08, 0.04, 0.08),
    "SMB": (0.08, 0.35, 0.17, 0.05, 0.22, 0.13),
}
WHALE_REASONS = ("acquired", "competitor", "product_gap")  # the three whales, in the order they churn


def _customer_signals(rng, frame: pd.DataFrame) -> pd.DataFrame:
    """csat, seats_purchased, seats_active, seat_adoption, onboarding_complete and churn_reason.

    Drawn from the frame's hidden risk, owner skill, new-logo and whale flags (then dropped), with a
    generator of their own, vectorised over rows.
    """
    n = len(frame)
    risk, skill, new = frame["_risk"].to_numpy(), frame["_skill"].to_numpy(), frame["_new"].to_numpy()
    segment = frame["segment"].to_numpy()
    # CSAT: about one account in five answers the quarter's survey; detractors (1-2) where risk is high.
    answered = rng.random(n) < np.where(segment == "Enterprise", 0.3, 0.18)
    score = np.clip(np.round(rng.normal(4.9 - 3.8 * risk + 0.25 * skill, 0.8)), 1, 5)
    # Seats: each account pays its own price per seat, so seats follow its ARR (expansion adds seats);
    # a churned account still held its seats during the quarter.
    code, _ = pd.factorize(frame["account_id"])
    median = np.array([SEAT_PRICE[s] for s in segment])
    price = median * rng.lognormal(0.0, 0.25, code.max() + 1)[code]
    contract = np.where(frame["arr_end"] > 0, frame["arr_end"], frame["arr_start"]).astype(float)
    purchased = np.maximum(1, np.round(contract / price))
    # Onboarding (new logos only): slower on risky accounts; an account still onboarding uses fewer seats.
    onboarded = rng.random(n) < np.clip(0.85 - 0.5 * risk + 0.05 * skill, 0.3, 0.97)
    adoption = np.clip(0.95 - 0.7 * risk + 0.04 * skill + rng.normal(0, 0.07, n), 0.05, 1.0)
    adoption = np.where(new, adoption * np.where(onboarded, 0.8, 0.45), adoption)
    active = np.round(purchased * adoption)
    tracked = rng.random(n) > 0.04  # product telemetry misses a few accounts
    # Churn reasons: drawn by segment; the whales get theirs from WHALE_REASONS.
    odds = np.cumsum(np.array([REASON_ODDS[s] for s in segment]), axis=1)
    pick = np.minimum((rng.random(n)[:, None] > odds).sum(axis=1), len(CHURN_REASONS) - 1)
    reason = np.array(CHURN_REASONS, dtype=object)[pick]
    whale_rows = np.flatnonzero(frame["_whale"].to_numpy())
    reason[whale_rows] = np.array(WHALE_REASONS, dtype=object)[: len(whale_rows)]
    return frame.drop(columns=["_risk", "_skill", "_new", "_whale"]).assign(
        csat=np.where(answered, score, np.nan),
        seats_purchased=purchased,
        seats_active=np.where(tracked, active, np.nan),
        seat_adoption=np.where(tracked, np.round(active / purchased, 2), np.nan),
        onboarding_complete=np.where(new, np.where(onboarded, "yes", "no"), ""),
        churn_reason=np.where(frame["churn"] > 0, reason, ""),
    )


def _quotas(accounts: pd.DataFrame) -> pd.DataFrame:
    """Expansion quotas: 4 % of each CSM's quarter start ARR, rounded to 100 (at least 1,000)."""
    book = accounts.groupby(["quarter", "csm_id"], sort=True)["arr_start"].sum().reset_index()
    book["target"] = np.maximum(np.round(book["arr_start"] * 0.04, -2), 1000.0)
    return book.assign(component="expansion")[["quarter", "csm_id", "component", "target"]]


# --- writing -------------------------------------------------------------------------------


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", float_format="%.2f")


def actual_payouts(data_dir: Path, plan_path: Path = CURRENT_PLAN) -> pd.DataFrame:
    """What the plan in force paid, one row per CSM, quarter and component, plus the manual adjustments."""
    sys.path.insert(0, str(REPO))
    from cscomp_cli.engine.replay import replay
    from cscomp_cli.inputs.dataset import load_dataset
    from cscomp_cli.plan.loading import load_plan

    plan = load_plan(plan_path)
    result = replay(plan, load_dataset(data_dir, require_payouts=False))
    rows = result.rows
    parts = [
        pd.DataFrame({"quarter": rows["quarter"], "csm_id": rows["csm_id"], "component": c.id,
                      "cents": rows[f"{c.id}_payout_cents"]})
        for c in plan.components
    ]
    parts.append(pd.DataFrame({"quarter": rows["quarter"], "csm_id": rows["csm_id"], "component": "cap_adjustment",
                               "cents": rows["cap_adjustment_cents"]}).query("cents != 0"))
    manual = pd.DataFrame([(q, c, comp, round(amount * 100)) for q, c, comp, amount, _ in MANUAL_ADJUSTMENTS],
                          columns=["quarter", "csm_id", "component", "cents"])
    paid = pd.concat(parts + [manual], ignore_index=True)
    paid = paid.sort_values(["quarter", "csm_id", "component"], kind="stable")
    paid["amount"] = [f"{c / 100:.2f}" for c in paid["cents"]]
    return paid[["quarter", "csm_id", "amount", "component"]]


def write_org(out_dir: Path = HERE, seed: int = 2026, additions: bool = True, **sizes) -> dict:
    """Write accounts.csv, roster.csv, quotas.csv and payouts.csv into out_dir."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    org = generate_org(seed, additions=additions, **sizes)
    accounts = org["accounts"].copy()
    accounts["nps"] = accounts["nps"].map(lambda v: "" if np.isnan(v) else str(int(v)))
    accounts["health"] = accounts["health"].map(lambda v: "" if np.isnan(v) else str(int(v)))
    accounts["risk"] = accounts["risk"].map(lambda v: "" if np.isnan(v) else f"{v:.2f}")
    for column in ("csat", "seats_active"):
        accounts[column] = accounts[column].map(lambda v: "" if np.isnan(v) else str(int(v)))
    accounts["seat_adoption"] = accounts["seat_adoption"].map(lambda v: "" if np.isnan(v) else f"{v:.2f}")
    accounts["seats_purchased"] = accounts["seats_purchased"].astype("int64")
    for column in ("arr_start", "expansion", "cross_sell", "contraction", "churn", "arr_end"):
        accounts[column] = accounts[column].astype("int64")
    _write_csv(accounts, out_dir / "accounts.csv")
    roster = org["roster"].copy()
    for column in ("annual_base", "annual_variable"):
        roster[column] = roster[column].astype("int64")
    _write_csv(roster, out_dir / "roster.csv")
    quotas = org["quotas"].assign(target=org["quotas"]["target"].astype("int64"))
    _write_csv(quotas, out_dir / "quotas.csv")
    payouts = actual_payouts(out_dir)
    _write_csv(payouts, out_dir / "payouts.csv")
    _write_marker(out_dir)
    return {**org, "payouts": payouts}


MARKER = "SAMPLE_ORG.txt"
DATA_FILES = ("accounts.csv", "roster.csv", "quotas.csv", "payouts.csv")


def _write_marker(out_dir: Path) -> None:
    """Mark the folder as a generated sample org, so cscomp can tell a user who forgot --data.

    The sizes of the files written let cscomp tell the generated files from a user's own exports
    copied over them (cscomp_cli/commands/common.py reads this file)."""
    lines = ["cscomp sample org: written by sample_data/generate.py, not real exports (revenue movements, "
             "NPS, health, risk, CSAT, seats, onboarding, churn reasons and renewal terms of a fictional CS org: "
             "its CSMs, a player-coach manager per team and two new hires)."]
    lines += [f"{name} {(out_dir / name).stat().st_size}" for name in DATA_FILES]
    (out_dir / MARKER).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: this folder)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--csms", type=int, default=30)
    parser.add_argument("--accounts", type=int, default=900, help="accounts at the start of the history")
    args = parser.parse_args(argv)
    org = write_org(args.out, args.seed, csms=args.csms, accounts=args.accounts)
    accounts, payouts = org["accounts"], org["payouts"]
    per_quarter = accounts.groupby("quarter").agg(accounts=("account_id", "size"), arr=("arr_start", "sum"),
                                                  churn=("churn", "sum"))
    paid = payouts.assign(amount=payouts["amount"].astype(float)).groupby("quarter")["amount"].sum()
    print(f"wrote {args.out}: {org['roster']['csm_id'].nunique()} CSMs, {accounts['account_id'].nunique()} accounts, "
          f"{len(accounts)} account-quarter rows, {len(payouts)} payout rows")
    print(per_quarter.assign(paid=paid).to_string(float_format=lambda v: f"{v:,.0f}"))


if __name__ == "__main__":
    main()
