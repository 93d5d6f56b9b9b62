"""``carbon-pipeline explain``: every factor and every step from usage to kgCO2e, for one resource.

It reads only what the marts published (``marts.fct_emissions`` and its factor trail), so what it
prints is what BI shows, re-derived line by line: an auditor can redo each multiplication by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb


class NothingToExplain(LookupError):
    pass


def explain(db_path: Path, resource_id: str, date: str | None = None) -> str:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        where = "resource_id = ?" + (" AND usage_date = CAST(? AS DATE)" if date else "")
        params = [resource_id] + ([date] if date else [])
        cursor = con.execute(
            f"""
            SELECT * FROM marts.fct_emissions WHERE {where}
            ORDER BY usage_date, usage_type, CASE component WHEN 'compute' THEN 0 WHEN 'memory' THEN 1 WHEN 'gpu' THEN 2
                     WHEN 'storage' THEN 3 WHEN 'network' THEN 4 WHEN 'embodied' THEN 5 ELSE 6 END
            """,
            params,
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    finally:
        con.close()
    if not rows:
        raise NothingToExplain(f"no emission rows for resource {resource_id}" + (f" on {date}" if date else ""))
    out: list[str] = []
    day = None
    for r in rows:
        if (r["usage_date"], r["usage_type"]) != day:
            day = (r["usage_date"], r["usage_type"])
            out.append("")
            out.append(f"{r['resource_id']}  {r['usage_date']}  {r['service_code']} {r['usage_type']}  "
                       f"instance type {r['instance_type'] or '-'}  region {r['region_id']}  application {r['application'] or '-'}")
            out.append(f"  factor set {r['factor_set']}; cost {r['effective_cost'] or 0:.6f} {r['billing_currency']} (effective)")
        out.extend(_explain_row(r))
    total = sum(r["total_kgco2e"] or 0 for r in rows)
    low = sum(r["total_kgco2e_low"] or 0 for r in rows)
    high = sum(r["total_kgco2e_high"] or 0 for r in rows)
    out.append("")
    out.append(f"TOTAL {total:.9g} kgCO2e (bounds {low:.9g} .. {high:.9g}) over {len(rows)} row(s)")
    return "\n".join(out).lstrip("\n")


def _explain_row(r: dict) -> list[str]:
    trail = json.loads(r["factor_trail"]) if r["factor_trail"] else {}
    lines = [f"  [{r['component']}] method {r['method']}: {r['formula']}"]
    if r["method"] == "spend_based":
        ratio, fx = trail.get("ratio", {}), trail.get("exchange_rate", {})
        lines += [
            f"    why not physical : {trail.get('why_not_physical')}",
            f"    spend rule       : {trail.get('rule')} -> category {trail.get('spend_category')} ({trail.get('reason')})",
            f"    exchange rate    : {fx.get('eur_per_unit')} EUR per {r['billing_currency']} [{fx.get('key')}]  source: {fx.get('source')}",
            f"    monetary ratio   : {ratio.get('value')} kgCO2e/k€ (low {ratio.get('low')}, high {ratio.get('high')})  source: {ratio.get('source')}",
            f"    = {r['usage_quantity']:.9g} EUR / 1000 × {r['coefficient']} = {r['total_kgco2e']:.9g} kgCO2e "
            f"(bounds {r['total_kgco2e_low']:.9g} .. {r['total_kgco2e_high']:.9g})",
        ]
        return lines
    conv = trail.get("unit_conversion", {})
    lines.append(
        f"    billed {conv.get('billed')} {conv.get('billed_unit')} × {conv.get('multiplier')}"
        + (f" × {conv.get('month_hours')} h in the month" if conv.get("month_hours", 1) != 1 else "")
        + f" = {conv.get('model_quantity')} {conv.get('model_unit')}  (rule {trail.get('usage_rule')})"
    )
    inst = trail.get("instance") or {}
    if r["component"] == "compute" and inst:
        lines.append(
            f"    CPU {inst.get('microarchitecture')}: {inst.get('cpu_min_watts_per_vcpu')}..{inst.get('cpu_max_watts_per_vcpu')} W/vCPU "
            f"at utilisation {inst.get('cpu_utilisation')}{' (burstable baseline)' if inst.get('burstable') else ''}; "
            f"{inst.get('vcpus')} vCPU  source: {inst.get('cpu_power_source')}"
        )
    if r["component"] == "memory" and inst:
        lines.append(f"    memory above CPU baseline {inst.get('memory_above_cpu_baseline_gb')} GB × {inst.get('memory_kwh_per_gb_hour')} kWh/GB-h")
    if r["component"] == "gpu" and inst:
        lines.append(f"    GPU {inst.get('gpu_count')} × {inst.get('gpu_model')}: {inst.get('gpu_min_watts')}..{inst.get('gpu_max_watts')} W  source: {inst.get('gpu_power_source')}")
    if r["component"] == "embodied":
        lines += [
            f"    host {inst.get('host_embodied_kgco2e')} kgCO2e × {r['usage_quantity']:.9g} h / {inst.get('host_lifetime_hours')} h "
            f"× {inst.get('vcpus')} / {inst.get('host_vcpus')} vCPU × replication {r['replication_factor']}"
            f" = {r['embodied_kgco2e']:.9g} kgCO2e (bounds {r['embodied_kgco2e_low']:.9g} .. {r['embodied_kgco2e_high']:.9g})",
            f"    sources: {inst.get('instance_source')}; lifetime: {inst.get('lifetime_source')}",
        ]
        return lines
    pue, grid = trail.get("pue", {}), trail.get("grid_kgco2e_per_kwh", {})
    lines += [
        f"    {r['usage_quantity']:.9g} {r['usage_unit']} × {r['coefficient']:.9g} {r['coefficient_unit']} × replication {r['replication_factor']}"
        f" = {r['it_energy_kwh']:.9g} kWh IT energy (bounds {r['it_energy_kwh_low']:.9g} .. {r['it_energy_kwh_high']:.9g})",
        f"    PUE {pue.get('value')} [{pue.get('key')}]  source: {pue.get('source')}",
        f"    grid {grid.get('value')} kgCO2e/kWh [{grid.get('key')}]  source: {grid.get('source')}",
        f"    = {r['it_energy_kwh']:.9g} × {r['pue']} × {r['grid_kgco2e_per_kwh']} = {r['operational_kgco2e']:.9g} kgCO2e "
        f"(bounds {r['operational_kgco2e_low']:.9g} .. {r['operational_kgco2e_high']:.9g})",
    ]
    return lines
