"""``carbon-pipeline explain``: every factor and every step from usage to kgCO2e, for one resource.

It reads only what was published (``marts.fct_emissions``) and resolves each factor key to its
source in ``marts.dim_factors``, so what it prints is what BI shows, re-derived line by line: an
auditor can redo each multiplication by hand.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


class NothingToExplain(LookupError):
    pass


def _rows(con, sql, params) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def explain(db_path: Path, resource_id: str, date: str | None = None) -> str:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        where = "resource_id = ?" + (" AND usage_date = CAST(? AS DATE)" if date else "")
        rows = _rows(con, f"""
            SELECT * FROM marts.fct_emissions WHERE {where}
            ORDER BY usage_date, usage_type, CASE component WHEN 'compute' THEN 0 WHEN 'memory' THEN 1 WHEN 'gpu' THEN 2
                     WHEN 'storage' THEN 3 WHEN 'network' THEN 4 WHEN 'embodied' THEN 5 ELSE 6 END""",
            [resource_id] + ([date] if date else []))
        if not rows:
            raise NothingToExplain(f"no emission rows for resource {resource_id}" + (f" on {date}" if date else ""))
        sources = {}
        for f in _rows(con, "SELECT * FROM marts.dim_factors WHERE factor_set_label IN (?, '*')", [rows[0]["factor_set"]]):
            sources[(f["factor_kind"], f["provider"], f["factor_key"])] = f
    finally:
        con.close()

    def cite(kind: str, key, provider=None) -> str:
        f = sources.get((kind, provider, key)) or sources.get((kind, None, key))
        return f"{f['source']} ({f['source_year'] or '-'}; {f['licence']})" if f else "(no source found)"

    out: list[str] = []
    group = None
    for r in rows:
        if (r["usage_date"], r["usage_type"]) != group:
            group = (r["usage_date"], r["usage_type"])
            out += ["", f"{r['resource_id']}  {r['usage_date']}  {r['service_code']} {r['usage_type']}  "
                        f"instance type {r['instance_type'] or '-'}  region {r['region_id']}  application {r['application'] or '-'}",
                    f"  factor set {r['factor_set']}; cost {r['effective_cost'] or 0:.6f} {r['billing_currency']} (effective, on its primary row)"]
        out += _explain_row(r, cite)
    total = sum(r["total_kgco2e"] or 0 for r in rows)
    low = sum(r["total_kgco2e_low"] or 0 for r in rows)
    high = sum(r["total_kgco2e_high"] or 0 for r in rows)
    out += ["", f"TOTAL {total:.9g} kgCO2e (bounds {low:.9g} .. {high:.9g}) over {len(rows)} row(s)"]
    return "\n".join(out).lstrip("\n")


def _explain_row(r: dict, cite) -> list[str]:
    provider = (r["provider"] or "").lower()
    lines = [f"  [{r['component']}] method {r['method']}: {r['formula']}"]
    if r["method"] == "spend_based":
        return lines + [
            f"    why not physical : {r['physical_issue']}",
            f"    spend rule       : {r['spend_rule']} -> {r['spend_category']}  source: {cite('spend_rule', r['spend_rule'], provider)}",
            f"    exchange rate    : {r['eur_per_unit']} EUR per {r['billing_currency']} [{r['fx_key']}]  source: {cite('exchange_rate', r['fx_key'])}",
            f"    monetary ratio   : {r['coefficient']} {r['coefficient_unit']}  source: {cite('spend_ratio', r['spend_category'])}",
            f"    = {r['usage_quantity']:.9g} EUR / 1000 × {r['coefficient']} = {r['total_kgco2e']:.9g} kgCO2e "
            f"(bounds {r['total_kgco2e_low']:.9g} .. {r['total_kgco2e_high']:.9g})",
        ]
    month_hours = f" × {r['unit_month_hours']} h in the month" if r["unit_month_hours"] and r["unit_month_hours"] != 1 else ""
    lines.append(f"    billed {r['billed_quantity']} {r['billed_unit']} × {r['unit_multiplier']}{month_hours} "
                 f"(unit source: {cite('unit', r['billed_unit'])}); usage rule {r['usage_rule']}")
    if r["replication_constant"]:
        lines.append(f"    replication {r['replication_factor']} ({r['replication_constant']}): {cite('constant', r['replication_constant'])}")
    if r["component"] in ("compute", "memory", "gpu", "embodied") and r["usage_class"] == "instance":
        lines.append(f"    instance {r['instance_type']}: {r['vcpus']:g} of {r['host_vcpus']:g} host vCPUs; catalogue: "
                     f"{cite('instance_type', r['instance_type'], provider)}")
    if r["component"] == "compute" and r["usage_class"] == "instance":
        lines.append(f"    CPU {r['microarchitecture']} at utilisation {r['cpu_utilisation']}"
                     f"{' (burstable baseline)' if r['is_burstable'] else ''}: {cite('cpu_power', r['microarchitecture'], provider)}")
    if r["component"] == "memory" and r["usage_class"] == "instance":
        lines.append(f"    memory above the CPU baseline: {r['memory_above_cpu_baseline_gb']:.9g} GB per instance-hour")
    if r["component"] == "gpu":
        lines.append(f"    GPU {r['gpu_count']:g} × {r['gpu_model']}: {cite('gpu_power', r['gpu_model'])}")
    if r["component"] == "storage":
        lines.append(f"    {r['storage_media']}: {cite('constant', r['storage_media'] + '_wh_per_tb_hour')}")
    if r["component"] == "network":
        lines.append(f"    {r['network_scope']}: {cite('constant', 'network_' + r['network_scope'] + '_kwh_per_gb')}")
    if r["component"] == "embodied":
        return lines + [
            f"    host {r['host_embodied_kgco2e']} kgCO2e × {r['usage_quantity']:.9g} h / {r['host_lifetime_hours']} h "
            f"× {r['vcpus']:g} / {r['host_vcpus']:g} vCPU × replication {r['replication_factor']}"
            f" = {r['embodied_kgco2e']:.9g} kgCO2e (bounds {r['embodied_kgco2e_low']:.9g} .. {r['embodied_kgco2e_high']:.9g})",
        ]
    return lines + [
        f"    {r['usage_quantity']:.9g} {r['usage_unit']} × {r['coefficient']:.9g} {r['coefficient_unit']} × replication {r['replication_factor']}"
        f" = {r['it_energy_kwh']:.9g} kWh IT energy (bounds {r['it_energy_kwh_low']:.9g} .. {r['it_energy_kwh_high']:.9g})",
        f"    PUE {r['pue']} [{r['pue_factor_key']}]  source: {cite('pue', r['pue_factor_key'], provider)}",
        f"    grid {r['grid_kgco2e_per_kwh']} kgCO2e/kWh [{r['grid_factor_key']}]  source: {cite('grid_intensity', r['grid_factor_key'], provider)}",
        f"    = {r['it_energy_kwh']:.9g} × {r['pue']} × {r['grid_kgco2e_per_kwh']} = {r['operational_kgco2e']:.9g} kgCO2e "
        f"(bounds {r['operational_kgco2e_low']:.9g} .. {r['operational_kgco2e_high']:.9g})",
    ]
