"""Event and argument scoring against gold documents.

Matching rules (explicit, so figures can be compared across versions):

* Items are (document, event type, evidence sentence). Each gold event contributes its evidence
  sentence; each predicted event contributes every evidence sentence it cites (an event merged
  from three mentions is three items). Duplicates within a side count once.
* A predicted item matches a gold item when document and type are equal and the character
  spans of the two sentences overlap. Precision = matched predicted items / predicted items;
  recall = matched gold items / gold items; F1 is their harmonic mean. Reported per type and
  micro-averaged.
* Argument roles are scored on matched pairs only, and only with the predicted actors whose
  spans lie in the pair's evidence sentence (an event merged from several sentences is judged
  sentence by sentence, as the gold is): a gold actor (role source or target) is found when the
  paired predicted event has such an actor of the same role whose span overlaps the gold span,
  or whose canonical name equals the gold ``name``. Role accuracy = found / gold
  actors in matched events; role precision = predicted actors matching some gold actor of the
  same role / predicted actors in matched events.
* Error classes GDELT is known for are counted on matched pairs: a predicted *source* that is
  the sentence's speaker (attribution) rather than a gold source ("speaker as attacker"), and a
  predicted actor that is really the publisher or a media organisation ("reporter as actor").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..resolve.places import haversine_km
from ..types import Event
from .gold import GoldDoc


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _prf(tp_p: int, n_p: int, tp_g: int, n_g: int) -> dict[str, float | int]:
    p = tp_p / n_p if n_p else 0.0
    r = tp_g / n_g if n_g else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "predicted": n_p,
        "gold": n_g,
    }


@dataclass(slots=True)
class _Item:
    doc: str
    type: str
    span: tuple[int, int]


def score_events(golds: Sequence[GoldDoc], preds: dict[str, list[Event]]) -> dict[str, Any]:
    gold_items: dict[tuple[str, str, tuple[int, int]], list[Any]] = defaultdict(list)
    for g in golds:
        for ev in g.events:
            gold_items[(g.id, ev.type, ev.evidence)].append(ev)
    pred_items: dict[tuple[str, str, tuple[int, int]], list[Event]] = defaultdict(list)
    for doc_id, events in preds.items():
        for e in events:
            for evd in e.evidence:
                pred_items[(doc_id, e.type, (evd.start, evd.end))].append(e)

    types = sorted({k[1] for k in gold_items} | {k[1] for k in pred_items})
    per_type: dict[str, Any] = {}
    tot = Counter[str]()
    pairs: list[tuple[Any, Event, str]] = []
    for t in types:
        g_keys = [k for k in gold_items if k[1] == t]
        p_keys = [k for k in pred_items if k[1] == t]
        tp_g = 0
        for gk in g_keys:
            match = [pk for pk in p_keys if pk[0] == gk[0] and _overlap(pk[2], gk[2])]
            if match:
                tp_g += 1
                for gev in gold_items[gk]:
                    pairs.append((gev, pred_items[match[0]][0], gk[0]))
        tp_p = sum(
            1 for pk in p_keys if any(gk[0] == pk[0] and _overlap(pk[2], gk[2]) for gk in g_keys)
        )
        per_type[t] = _prf(tp_p, len(p_keys), tp_g, len(g_keys))
        tot.update({"tp_p": tp_p, "n_p": len(p_keys), "tp_g": tp_g, "n_g": len(g_keys)})
    report: dict[str, Any] = {
        "matching": "type equal and evidence sentences overlap (see flashpoint.eval.events)",
        "micro": _prf(tot["tp_p"], tot["n_p"], tot["tp_g"], tot["n_g"]),
        "per_type": per_type,
        "arguments": _score_args(pairs),
        "locations": _score_locations(pairs),
        "dates": _score_dates(pairs),
    }
    return report


def _score_args(pairs: list[tuple[Any, Event, str]]) -> dict[str, Any]:
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    pred_ok: Counter[str] = Counter()
    pred_total: Counter[str] = Counter()
    swapped = 0
    speaker_as_source = 0
    media_as_actor = 0
    seen_pred: set[tuple[int, str, tuple[int, int]]] = set()
    for gev, pev, _ in pairs:
        local = [a for a in pev.actors if _overlap(a.span, gev.evidence)]
        for ga in gev.actors:
            if ga.role not in {"source", "target"}:
                continue
            total[ga.role] += 1
            same = [a for a in local if a.role == ga.role]
            if any(
                _overlap(a.span, (ga.start, ga.end)) or (ga.name and a.name == ga.name)
                for a in same
            ):
                found[ga.role] += 1
            elif any(_overlap(a.span, (ga.start, ga.end)) for a in local if a.role != ga.role):
                swapped += 1
        for a in local:
            if a.role not in {"source", "target"}:
                continue
            key = (id(pev), a.role, a.span)
            if key in seen_pred:
                continue
            seen_pred.add(key)
            pred_total[a.role] += 1
            if any(
                ga.role == a.role and (_overlap(a.span, (ga.start, ga.end)) or a.name == ga.name)
                for ga in gev.actors
            ):
                pred_ok[a.role] += 1
            elif a.role == "source":
                att = pev.attribution
                if att.span and _overlap(att.span, a.span):
                    speaker_as_source += 1
            if a.kind == "media":
                media_as_actor += 1
    out: dict[str, Any] = {}
    for role in ("source", "target"):
        out[role] = {
            "accuracy": round(found[role] / total[role], 4) if total[role] else None,
            "precision": round(pred_ok[role] / pred_total[role], 4) if pred_total[role] else None,
            "gold": total[role],
            "predicted": pred_total[role],
        }
    all_g = sum(total.values())
    out["overall_accuracy"] = round(sum(found.values()) / all_g, 4) if all_g else None
    out["role_swaps"] = swapped
    out["speaker_as_source"] = speaker_as_source
    out["media_as_actor"] = media_as_actor
    return out


def _score_locations(pairs: list[tuple[Any, Event, str]]) -> dict[str, Any]:
    n = span_ok = has_pred = within_161 = coords = country_ok = 0
    for gev, pev, _ in pairs:
        gl = gev.location
        if not gl:
            continue
        n += 1
        loc = pev.location
        if loc is None:
            continue
        has_pred += 1
        if loc.span and _overlap(loc.span, (gl["start"], gl["end"])):
            span_ok += 1
        if gl.get("lat") is not None:
            coords += 1
            if haversine_km(loc.lat, loc.lon, gl["lat"], gl["lon"]) <= 161:
                within_161 += 1
        if gl.get("country") and loc.country == gl["country"]:
            country_ok += 1
    return {
        "gold_with_place": n,
        "predicted_place": has_pred,
        "span_match": round(span_ok / n, 4) if n else None,
        "within_161km": round(within_161 / coords, 4) if coords else None,
        "country_match": round(country_ok / n, 4) if n else None,
    }


def _score_dates(pairs: list[tuple[Any, Event, str]]) -> dict[str, Any]:
    n = exact = 0
    for gev, pev, _ in pairs:
        gd = gev.date
        if not gd or not gd.get("start"):
            continue
        n += 1
        if pev.date is not None and pev.date.start and pev.date.start.isoformat() == gd["start"]:
            exact += 1
    return {"gold_with_date": n, "exact_day": round(exact / n, 4) if n else None}
