"""Writes a simulated BTYD summary CSV (ID,x,t_x,T,zbar; weeks) for the fit-btyd benchmark.

BG/NBD (Fader, Hardie & Lee 2005) with Gamma-Gamma spend (Fader & Hardie 2013), known
parameters below; each customer's first visit is a uniformly random day in the last
MAX_AGE_WEEKS weeks and visit times are rounded to whole days, as real visit dates are
(same-day visits merge). Standard library only; deterministic for a given seed.

    python3 simulate_summary.py N OUT.csv [SEED]
"""
import math
import random
import sys

R, ALPHA, A, B = 0.6, 5.0, 0.8, 2.5     # BG/NBD: visit rate ~ Gamma(r, alpha), drop-out ~ Beta(a, b)
P, Q, GAMMA = 4.0, 3.0, 20.0           # Gamma-Gamma spend
MAX_AGE_WEEKS = 104


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    with open(out, "w") as f:
        f.write("ID,x,t_x,T,zbar\n")
        for i in range(1, n + 1):
            age_days = rng.randint(1, MAX_AGE_WEEKS * 7)
            lam = rng.gammavariate(R, 1.0 / ALPHA)
            p = rng.betavariate(A, B)
            t, days = 0.0, set()
            while True:
                t += rng.expovariate(lam)
                d = round(t * 7)
                if d > age_days:
                    break
                if d > 0:
                    days.add(d)
                if rng.random() < p:
                    break
            x = len(days)
            t_x = max(days) / 7 if days else 0.0
            zbar = 0.0
            if x:
                nu = rng.gammavariate(Q, 1.0 / GAMMA)
                zbar = sum(rng.gammavariate(P, 1.0 / nu) for _ in range(x)) / x
            f.write(f"{i},{x},{t_x:.4f},{age_days / 7:.4f},{zbar:.2f}\n")


if __name__ == "__main__":
    main()
