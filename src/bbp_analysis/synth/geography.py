"""Real practices, PCNs and LSOAs the synthetic population is placed in.

Harrow: the shipped practice table (33 practices with list sizes, Fingertips IMD 2019 score and
PCN); the 5-patient code ``Y03528`` (no name, no PCN, no IMD score) is dropped. Other NW London
boroughs: practices and Jan 2021 list sizes from the NHS Digital registrations file by CCG,
IMD score from the Fingertips export; their PCN membership is not shipped, so practices are
grouped, in practice-code order, into synthetic PCNs of about 50,000 patients named
``"<Borough> PCN n (synthetic)"``. LSOAs (2011) come from IoD2019 File_1 by local authority.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..paths import reference_dir
from .calibration import HARROW, NWL_BOROUGHS

PRACTICES_FILE = "public/harrow-practices/harrow_practices_2021-01_with_pcn.csv"
REGISTRATIONS_FILE = "public/nhsd-gp-registered-patients/gp-reg-pat-prac-all_2021-01.csv"
FINGERTIPS_IMD_FILE = "public/fingertips-gp-imd2019/indicator-data_93553_gp.csv"
HARROW_LSOA_FILE = "public/imd2019/harrow_E09000015_iod2019_lsoa11.csv"
IMD_FILE_1 = "public/imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
DROPPED_PRACTICES = ("Y03528",)
SYNTHETIC_PCN_SIZE = 50_000


def area_codes(area: str) -> list[str]:
    """The borough LA codes an ``area`` argument stands for ("NWL" = all eight)."""
    if area == "NWL":
        return sorted(NWL_BOROUGHS)
    if area not in NWL_BOROUGHS:
        known = ", ".join(sorted(NWL_BOROUGHS))
        raise InputError(
            f"area {area!r} is not a NW London borough code ({known}) or 'NWL'",
            file="generate() arguments",
            column="area",
            rule="NWL borough",
        )
    return [area]


def _read(root: Path | None, name: str, **kwargs) -> pd.DataFrame:
    path = reference_dir(root) / name
    if not path.is_file():
        raise InputError("reference file missing", file=str(path), rule="shipped input")
    return pd.read_csv(path, **kwargs)


def _practice_imd_scores(root: Path | None) -> pd.Series:
    frame = _read(root, FINGERTIPS_IMD_FILE, usecols=["Area Code", "Area Type", "Value"])
    gp = frame[frame["Area Type"] == "GP"].drop_duplicates("Area Code")
    return gp.set_index("Area Code")["Value"].astype(float)


def _harrow_practices(root: Path | None) -> pd.DataFrame:
    frame = _read(root, PRACTICES_FILE, dtype={"practice_code": str})
    frame = frame[~frame["practice_code"].isin(DROPPED_PRACTICES)]
    return pd.DataFrame(
        {
            "practice_code": frame["practice_code"].astype(str),
            "list_size": frame["registered_patients_2021_01_01"].astype(int),
            "imd_score": frame["imd2019_score_fingertips_93553"].astype(float),
            "pcn_name": frame["pcn_name"].astype(str),
        }
    )


def _other_practices(root: Path | None, borough: str) -> pd.DataFrame:
    name, ccg = NWL_BOROUGHS[borough]
    reg = _read(root, REGISTRATIONS_FILE, dtype=str)
    reg = reg[reg["CCG_CODE"] == ccg].sort_values("CODE")
    sizes = reg["NUMBER_OF_PATIENTS"].astype(int).to_numpy()
    scores = _practice_imd_scores(root).reindex(reg["CODE"]).to_numpy()
    scores = np.where(np.isnan(scores), np.nanmedian(scores), scores)
    n_pcn = max(1, round(sizes.sum() / SYNTHETIC_PCN_SIZE))
    cuts = np.floor(np.cumsum(sizes) / sizes.sum() * n_pcn - 1e-9).astype(int)
    return pd.DataFrame(
        {
            "practice_code": reg["CODE"].to_numpy(),
            "list_size": sizes,
            "imd_score": scores,
            "pcn_name": [f"{name} PCN {k + 1} (synthetic)" for k in cuts],
        }
    )


def practices(area: str, root: Path | None = None) -> pd.DataFrame:
    """Practices of ``area``: practice_code, list_size (Jan 2021), imd_score, pcn_name,
    borough_code; sorted by borough then practice code."""
    parts = []
    for borough in area_codes(area):
        part = _harrow_practices(root) if borough == HARROW else _other_practices(root, borough)
        parts.append(part.assign(borough_code=borough))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["borough_code", "practice_code"], ignore_index=True)


def lsoas(area: str, root: Path | None = None) -> pd.DataFrame:
    """LSOAs (2011) of ``area`` with IMD 2019 national rank and decile, a placement weight
    (Harrow: mid-2015 population; elsewhere equal weights) and ``imd_quintile_local`` (the
    borough's LSOAs ranked by IMD rank, a monotone transform of the score, into fifths;
    1 = most deprived fifth)."""
    imd = _read(root, IMD_FILE_1, encoding="utf-8-sig", thousands=",")
    imd.columns = [
        "lsoa11_code",
        "lsoa_name",
        "borough_code",
        "borough_name",
        "imd_rank",
        "imd_decile",
    ]
    imd = imd[imd["borough_code"].isin(area_codes(area))].copy()
    harrow_pop = _read(root, HARROW_LSOA_FILE, usecols=[0, 20], thousands=",")
    harrow_pop.columns = ["lsoa11_code", "population"]
    imd = imd.merge(harrow_pop, on="lsoa11_code", how="left")
    imd["weight"] = imd["population"].fillna(1600.0).astype(float)
    imd = imd.sort_values(["borough_code", "imd_rank"], ignore_index=True)
    position = imd.groupby("borough_code").cumcount()
    count = imd.groupby("borough_code")["lsoa11_code"].transform("size")
    imd["imd_quintile_local"] = (position * 5 // count + 1).astype(int)
    imd["deprivation_pct"] = (position + 0.5) / count
    return imd[
        [
            "lsoa11_code",
            "borough_code",
            "imd_rank",
            "imd_decile",
            "imd_quintile_local",
            "weight",
            "deprivation_pct",
        ]
    ].sort_values("lsoa11_code", ignore_index=True)
