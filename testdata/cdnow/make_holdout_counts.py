"""Rebuilds cdnow_holdout_counts.csv from the shared CDNOW transactions (see README.md).

Also checks that the same day-merging rules reproduce x, t_x and T of the summary file.
Run from this folder: python3 make_holdout_counts.py
"""
import csv, datetime as dt
from collections import defaultdict
days = defaultdict(set)
for row in csv.DictReader(open('/work/shared/data/cdnow/cdnow_sample_transactions.csv')):
    days[int(row['customer_id'])].add(dt.date.fromisoformat(row['date']))
cal_end = dt.date(1997,9,30); end = dt.date(1998,6,30)
summ = {int(r['ID']): r for r in csv.DictReader(open('/work/shared/data/cdnow/cdnow_customers_summary_with_transactions.csv'))}
bad=0; tot=0
out = open('cdnow_holdout_counts.csv','w')
out.write('ID,x_holdout\n')
for cid in sorted(days):
    d = sorted(days[cid]); first = d[0]
    cal = [x for x in d if x <= cal_end]
    hold = [x for x in d if cal_end < x <= end]
    x = len(cal)-1; tx = round((cal[-1]-first).days/7,2); T = round((cal_end-first).days/7,2)
    s = summ[cid]
    if int(s['x'])!=x or abs(float(s['t_x'])-tx)>1e-9 or abs(float(s['T'])-T)>1e-9: bad+=1
    tot += len(hold)
    out.write(f'{cid},{len(hold)}\n')
print('mismatch', bad, 'customers', len(days), 'holdout total', tot, 'holdout days', (end-cal_end).days)
