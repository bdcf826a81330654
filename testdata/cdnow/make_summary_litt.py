"""Builds cdnow_summary_litt.csv: the CDNOW calibration summary plus `litt`, the sum of the
logs of each customer's inter-purchase times in weeks (0 when x = 0), which the MBG/CNBD-k
model needs (Platzer & Reutterer 2016; BTYDplus `elog2cbs`). Same day-merging rules as
make_holdout_counts.py. Run from this folder: python3 make_summary_litt.py
"""
import csv, math, datetime as dt
from collections import defaultdict
days = defaultdict(set)
for row in csv.DictReader(open('/work/shared/data/cdnow/cdnow_sample_transactions.csv')):
    days[int(row['customer_id'])].add(dt.date.fromisoformat(row['date']))
cal_end = dt.date(1997, 9, 30)
summ = {int(r['ID']): r for r in csv.DictReader(open('cdnow_customers_summary_with_transactions.csv'))}
out = open('cdnow_summary_litt.csv', 'w')
out.write('ID,x,t_x,T,zbar,litt\n')
bad = 0
for cid in sorted(days):
    d = sorted(x for x in days[cid] if x <= cal_end)
    litt = sum(math.log((b - a).days / 7) for a, b in zip(d, d[1:]))
    s = summ[cid]
    if int(s['x']) != len(d) - 1:
        bad += 1
    out.write(f"{cid},{s['x']},{s['t_x']},{s['T']},{s['zbar']},{litt:.6f}\n")
print('customers', len(days), 'mismatch', bad)
