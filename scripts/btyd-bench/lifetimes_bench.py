"""The Python `lifetimes` side of the fit-btyd benchmark (benchmark only: lifetimes is never a
vetbot dependency). Does what `vetbot fit-btyd --models bgnbd,gg --per-customer OUT` does:
fit BG/NBD and Gamma-Gamma on a summary CSV, then per customer P(alive), expected visits in
the next 39 weeks and 12-month CLV (1%/month, 4.345 weeks/month), written to OUT.

    python lifetimes_bench.py SUMMARY.csv OUT.csv
Prints the seconds spent after the imports (reading, fitting, scoring, writing).
"""
import sys
import time

import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter

start = time.perf_counter()
df = pd.read_csv(sys.argv[1])
df = df.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})
bg = BetaGeoFitter(penalizer_coef=0.0)
bg.fit(df["frequency"], df["recency"], df["T"])
rep = df[df["frequency"] > 0]
gg = GammaGammaFitter(penalizer_coef=0.0)
gg.fit(rep["frequency"], rep["monetary_value"])
out = pd.DataFrame({"ID": df["ID"]})
out["p_alive_bgnbd"] = bg.conditional_probability_alive(df["frequency"], df["recency"], df["T"])
out["expected_39"] = bg.conditional_expected_number_of_purchases_up_to_time(
    39, df["frequency"], df["recency"], df["T"]
)
out["clv"] = gg.customer_lifetime_value(
    bg, df["frequency"], df["recency"], df["T"], df["monetary_value"],
    time=12, discount_rate=0.01, freq="W",
)
out.to_csv(sys.argv[2], index=False, float_format="%.6f")
elapsed = time.perf_counter() - start
print(f"lifetimes: {elapsed:.3f} s after imports; BG/NBD {dict(bg.params_)}; GG {dict(gg.params_)}")
