"""Pairwise precision, recall and F1 of a `clusters.csv` written by
`clearinghouse dedupe` or `clearinghouse cluster-ads` (`id,cluster_id`),
against the truth in the benchmark's input.

Why a script: the commands write clusters, not scores, and the Splink
comparison must be scored the same way (see `splink_persons.py`).

    python3 crates/link/bench/score.py /tmp/persons.csv /tmp/clusters.csv
    python3 crates/link/bench/score.py /tmp/ads.jsonl /tmp/ad-clusters.csv

The truth is the `truth` column of a CSV (ids in `unique_id`), or the
`template` field of JSON lines (ids in `id`). Every input record must appear
in the clusters; a missing one is reported, not guessed.
"""

import sys

import pandas as pd


def truth_of(path):
    if path.endswith(".jsonl"):
        t = pd.read_json(path, lines=True, dtype={"id": str})[["id", "template"]]
        return t.rename(columns={"template": "truth"})
    t = pd.read_csv(path, dtype=str, usecols=["unique_id", "truth"])
    return t.rename(columns={"unique_id": "id"})


def main(truth_path, clusters_path):
    truth = truth_of(truth_path)
    found = pd.read_csv(clusters_path, dtype=str)
    found.columns = ["id", "cluster"]
    df = truth.merge(found, on="id", how="left")
    missing = int(df["cluster"].isna().sum())
    if missing:
        sys.exit(f"{missing} records of {truth_path} have no cluster in {clusters_path}")
    c2 = lambda s: (s * (s - 1) // 2).sum()
    tp = c2(df.groupby(["cluster", "truth"]).size())
    fp = c2(df.groupby("cluster").size())
    tt = c2(df.groupby("truth").size())
    p = tp / max(fp, 1)
    r = tp / max(tt, 1)
    f = 2 * p * r / max(p + r, 1e-12)
    print(f"n={len(df)}: pairwise P {p:.4f} R {r:.4f} F1 {f:.4f}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
