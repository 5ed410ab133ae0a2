"""Splink (DuckDB backend) on the same synthetic persons as `examples/bench.rs`,
for a like-for-like comparison of wall time, peak memory and pairwise F1.

Why: the issue's target is stated relative to Splink, so both tools must see
identical input and be scored the same way (pairwise precision/recall/F1
against the `truth` column, from cluster contingency counts).

    cargo run --release --example bench -- csv 1000000 /tmp/persons.csv
    pip install splink   # 4.x or 5.x
    python3 crates/link/bench/splink_persons.py /tmp/persons.csv

The model is Splink's standard one for person data: name, date-of-birth,
postcode and exact comparisons, u by random sampling, m by EM on two blocking
rules, predictions over the blocking rules below, clusters at 0.5.
Output is printed only; nothing is written next to the sources.
"""

import resource
import sys
import time

import pandas as pd

import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def pairwise_f1(found, truth):
    """Pairwise P/R/F1 from the contingency of cluster ids and true ids."""
    c2 = lambda s: (s * (s - 1) // 2).sum()
    df = pd.DataFrame({"f": found, "t": truth})
    tp = c2(df.groupby(["f", "t"]).size())
    fp = c2(df.groupby("f").size())
    tt = c2(df.groupby("t").size())
    p = tp / max(fp, 1)
    r = tp / max(tt, 1)
    return p, r, 2 * p * r / max(p + r, 1e-12)


def main(path):
    df = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
    truth = df.pop("truth")
    t0 = time.time()
    db_api = DuckDBAPI()
    sdf = db_api.register(df)
    blocking = [
        block_on("first_name", "surname"),
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
        block_on("postcode", "substr(address, 1, 3)"),
        block_on("phone"),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.JaroWinklerAtThresholds("address", [0.9, 0.8]),
            cl.ExactMatch("city"),
            cl.ExactMatch("state"),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("phone"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(sdf, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob")
    )
    preds = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        preds, 0.5
    ).as_pandas_dataframe()
    wall = time.time() - t0
    cluster_of = dict(zip(clusters["unique_id"].astype(str), clusters["cluster_id"]))
    found = [cluster_of.get(u, "s" + u) for u in df["unique_id"]]
    p, r, f = pairwise_f1(found, list(truth))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"splink n={len(df)}: {wall:.1f}s wall (after loading the CSV), "
        f"peak RSS {peak:.0f} MiB (python process; DuckDB runs in-process); "
        f"pairwise P {p:.4f} R {r:.4f} F1 {f:.4f}"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "persons.csv")
