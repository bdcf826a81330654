//! Per-customer RFM summaries (the input of every BTYD model) and their CSV reader.
//!
//! Time is in periods (weeks in this project); `x` counts *repeat* purchase occasions,
//! `t_x` is the time of the last one measured from the first purchase (0 when x = 0), `t`
//! (the papers' T) is the time from the first purchase to the end of the observation
//! window, and `zbar` is the mean value of the repeat purchases (0 when x = 0).

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};

/// One customer's calibration-period summary: repeat count, recency, age and mean spend.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CustomerSummary {
    /// Customer identifier (opaque).
    pub id: String,
    /// Number of repeat purchases (x, "frequency").
    pub x: f64,
    /// Time of the last repeat purchase since the first purchase (t_x, "recency").
    pub t_x: f64,
    /// Time from the first purchase to the end of the observation period (T, "age").
    pub t: f64,
    /// Mean value of the repeat purchases (z-bar, "monetary_value"); 0 when x = 0.
    pub zbar: f64,
}

impl CustomerSummary {
    /// Builds a summary and checks it with [`CustomerSummary::validate`].
    pub fn new(id: impl Into<String>, x: f64, t_x: f64, t: f64, zbar: f64) -> Result<Self> {
        let s = Self {
            id: id.into(),
            x,
            t_x,
            t,
            zbar,
        };
        s.validate()?;
        Ok(s)
    }

    /// Checks x is a non-negative integer, 0 <= t_x <= T, t_x = 0 when x = 0, and zbar >= 0.
    pub fn validate(&self) -> Result<()> {
        let Self {
            x, t_x, t, zbar, ..
        } = *self;
        if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
            bail!("x (frequency) must be a non-negative whole number, got {x}");
        }
        if !(t.is_finite() && t >= 0.0) {
            bail!("T must be a finite number >= 0, got {t}");
        }
        if !(t_x.is_finite() && t_x >= 0.0) {
            bail!("t_x (recency) must be a finite number >= 0, got {t_x}");
        }
        if t_x > t * (1.0 + 1e-9) + 1e-9 {
            bail!("t_x (recency) {t_x} is larger than T {t}");
        }
        if x == 0.0 && t_x != 0.0 {
            bail!("t_x (recency) must be 0 when x (frequency) is 0, got {t_x}");
        }
        if !(zbar.is_finite() && zbar >= 0.0) {
            bail!("zbar (monetary value) must be a finite number >= 0, got {zbar}");
        }
        Ok(())
    }
}

/// Column names accepted for each field, compared case-insensitively (so `T` reads as `t`).
const ID_NAMES: &[&str] = &["id", "customer_id", "customer"];
const X_NAMES: &[&str] = &["x", "frequency"];
const TX_NAMES: &[&str] = &["t_x", "recency"];
const T_NAMES: &[&str] = &["t", "age"];
const Z_NAMES: &[&str] = &["zbar", "monetary_value", "monetary"];

fn unquote(field: &str) -> &str {
    let f = field.trim();
    f.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(f)
}

/// Reads summaries from CSV with header `ID,x,t_x,T,zbar` or `ID,frequency,recency,T` (plus
/// an optional `monetary_value`); extra columns are ignored, a missing zbar reads as 0.
/// Fields are plain comma-separated values (optionally wrapped in double quotes, no embedded
/// commas); blank lines are skipped. Errors name the 1-based line number.
pub fn read_summaries(reader: impl BufRead) -> Result<Vec<CustomerSummary>> {
    let mut lines = reader.lines().enumerate();
    let (cols, header_line) = loop {
        match lines.next() {
            None => bail!("empty CSV: no header line"),
            Some((i, line)) => {
                let line = line.with_context(|| format!("line {}: read error", i + 1))?;
                let line = line.trim_start_matches('\u{feff}');
                if line.trim().is_empty() {
                    continue;
                }
                break (
                    line.split(',')
                        .map(|c| unquote(c).to_ascii_lowercase())
                        .collect::<Vec<_>>(),
                    i + 1,
                );
            }
        }
    };
    let find = |names: &[&str]| cols.iter().position(|c| names.contains(&c.as_str()));
    let need = |names: &[&str], what: &str| {
        find(names).ok_or_else(|| {
            anyhow!(
                "line {header_line}: header has no {what} column (accepted names: {}); header is `{}`",
                names.join(", "),
                cols.join(",")
            )
        })
    };
    let id_col = need(ID_NAMES, "customer id")?;
    let x_col = need(X_NAMES, "frequency")?;
    let tx_col = need(TX_NAMES, "recency")?;
    let t_col = need(T_NAMES, "T")?;
    let z_col = find(Z_NAMES);

    let mut out = Vec::new();
    for (i, line) in lines {
        let lineno = i + 1;
        let line = line.with_context(|| format!("line {lineno}: read error"))?;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(unquote).collect();
        if fields.len() != cols.len() {
            bail!(
                "line {lineno}: expected {} fields, found {}",
                cols.len(),
                fields.len()
            );
        }
        let num = |col: usize| -> Result<f64> {
            fields[col].parse::<f64>().map_err(|_| {
                anyhow!(
                    "line {lineno}: column `{}`: `{}` is not a number",
                    cols[col],
                    fields[col]
                )
            })
        };
        let id = fields[id_col].to_string();
        if id.is_empty() {
            bail!("line {lineno}: empty customer id");
        }
        let zbar = match z_col {
            Some(c) => num(c)?,
            None => 0.0,
        };
        let row = CustomerSummary::new(id, num(x_col)?, num(tx_col)?, num(t_col)?, zbar)
            .with_context(|| format!("line {lineno}"))?;
        out.push(row);
    }
    Ok(out)
}

/// Reads a summary CSV file (see [`read_summaries`]); errors name the file and line.
pub fn read_summaries_path(path: &Path) -> Result<Vec<CustomerSummary>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    read_summaries(std::io::BufReader::new(file)).with_context(|| format!("{}", path.display()))
}

/// Reads the optional `litt` column (sum of the logs of a customer's inter-purchase times,
/// 0 when x = 0; needed by MBG/CNBD-k) of a summary CSV, in the order [`read_summaries`]
/// returns the rows; `None` when the header has no such column.
pub fn read_litt(reader: impl BufRead) -> Result<Option<Vec<f64>>> {
    let mut lines = reader
        .lines()
        .enumerate()
        .filter(|(_, l)| l.as_ref().map_or(true, |l| !l.trim().is_empty()));
    let Some((_, header)) = lines.next() else {
        bail!("empty CSV: no header line");
    };
    let header = header?;
    let Some(col) = header
        .trim_start_matches('\u{feff}')
        .split(',')
        .position(|c| unquote(c).eq_ignore_ascii_case("litt"))
    else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for (i, line) in lines {
        let line = line.with_context(|| format!("line {}: read error", i + 1))?;
        let field = line.split(',').nth(col).map(unquote).unwrap_or("");
        let v: f64 = field
            .parse()
            .map_err(|_| anyhow!("line {}: column `litt`: `{field}` is not a number", i + 1))?;
        if !v.is_finite() {
            bail!("line {}: column `litt` must be finite, got {v}", i + 1);
        }
        out.push(v);
    }
    Ok(Some(out))
}

/// Reads the optional `litt` column of a summary CSV file (see [`read_litt`]).
pub fn read_litt_path(path: &Path) -> Result<Option<Vec<f64>>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    read_litt(std::io::BufReader::new(file)).with_context(|| format!("{}", path.display()))
}

/// A distinct (x, t_x, T) triple with the number of customers sharing it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightedRow {
    /// Repeat purchases.
    pub x: f64,
    /// Recency.
    pub t_x: f64,
    /// Age T.
    pub t: f64,
    /// Number of customers with exactly these values.
    pub weight: f64,
}

/// Collapses summaries with identical (x, t_x, T) into weighted rows, sorted by x then t_x, T.
/// Likelihoods are sums over customers, so fitting the weighted rows gives the same estimates.
pub fn collapse(rows: &[CustomerSummary]) -> Vec<WeightedRow> {
    let mut map: HashMap<(u64, u64, u64), f64> = HashMap::with_capacity(rows.len() / 2 + 1);
    for r in rows {
        // Normalise -0.0 so equal values share one key.
        let key = (
            (r.x + 0.0).to_bits(),
            (r.t_x + 0.0).to_bits(),
            (r.t + 0.0).to_bits(),
        );
        *map.entry(key).or_insert(0.0) += 1.0;
    }
    let mut out: Vec<WeightedRow> = map
        .into_iter()
        .map(|((x, tx, t), w)| WeightedRow {
            x: f64::from_bits(x),
            t_x: f64::from_bits(tx),
            t: f64::from_bits(t),
            weight: w,
        })
        .collect();
    out.sort_by(|a, b| {
        a.x.total_cmp(&b.x)
            .then(a.t_x.total_cmp(&b.t_x))
            .then(a.t.total_cmp(&b.t))
    });
    out
}

/// Weighted rows grouped by x, so per-x terms (Gamma functions, digammas) are computed once
/// per distinct x in each likelihood evaluation.
#[derive(Debug, Clone)]
pub(super) struct Grouped {
    /// (x, start, end) ranges into `rows`.
    pub groups: Vec<(f64, usize, usize)>,
    /// The weighted rows, sorted by x.
    pub rows: Vec<WeightedRow>,
    /// Sum of all weights (number of customers).
    pub total_weight: f64,
}

impl Grouped {
    /// Groups already-collapsed rows (sorted by x, as [`collapse`] returns them).
    pub fn new(rows: Vec<WeightedRow>) -> Self {
        let mut groups = Vec::new();
        let mut start = 0;
        for i in 1..=rows.len() {
            if i == rows.len() || rows[i].x != rows[start].x {
                groups.push((rows[start].x, start, i));
                start = i;
            }
        }
        let total_weight = rows.iter().map(|r| r.weight).sum();
        Self {
            groups,
            rows,
            total_weight,
        }
    }

    /// Collapses and groups customer summaries.
    pub fn from_summaries(rows: &[CustomerSummary]) -> Self {
        Self::new(collapse(rows))
    }

    /// Mean of T and of x over customers, for starting values.
    pub fn means(&self) -> (f64, f64) {
        let w = self.total_weight.max(1.0);
        let t = self.rows.iter().map(|r| r.weight * r.t).sum::<f64>() / w;
        let x = self.rows.iter().map(|r| r.weight * r.x).sum::<f64>() / w;
        (t, x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Vec<CustomerSummary>> {
        read_summaries(s.as_bytes())
    }

    #[test]
    fn reads_both_layouts() {
        let a = parse("ID,x,t_x,T,zbar\n1,2,30.43,38.86,22.35\r\n2,0,0.00,38.86,0.00").unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(
            a[0],
            CustomerSummary {
                id: "1".into(),
                x: 2.0,
                t_x: 30.43,
                t: 38.86,
                zbar: 22.35
            }
        );
        let b = parse("ID,frequency,recency,T\n\n7,1,1.71,38.86\n").unwrap();
        assert_eq!(b[0].x, 1.0);
        assert_eq!(b[0].zbar, 0.0);
        let c = parse("customer_id,frequency,recency,T,monetary_value\n\"a\",1,2,3,4.5\n").unwrap();
        assert_eq!(c[0].id, "a");
        assert_eq!(c[0].zbar, 4.5);
    }

    #[test]
    fn errors_name_the_line() {
        let err = |s: &str| format!("{:#}", parse(s).unwrap_err());
        assert!(err("ID,x,t_x,T,zbar\n1,2,3,4,5\n2,1,abc,4,5\n").contains("line 3"));
        assert!(err("ID,x,t_x,T,zbar\n1,2,3,4,5\n2,1,3\n").contains("line 3: expected 5 fields"));
        let e = err("ID,x,t_x,T\n1,2,5,4\n");
        assert!(e.contains("line 2") && e.contains("larger than T"), "{e}");
        assert!(err("ID,x,t_x,T\n1,1.5,1,4\n").contains("whole number"));
        assert!(err("ID,x,t_x,T\n1,0,1,4\n").contains("must be 0"));
        assert!(err("ID,x,t_x,T\n1,-1,0,4\n").contains("line 2"));
        assert!(err("ID,x,T\n1,0,4\n").contains("no recency column"));
        assert!(err("").contains("empty CSV"));
    }

    #[test]
    fn reads_the_optional_litt_column() {
        let text = "ID,x,t_x,T,litt\n1,2,3,4,0.5\n\n2,0,0,4,0\n";
        assert_eq!(read_litt(text.as_bytes()).unwrap(), Some(vec![0.5, 0.0]));
        assert_eq!(parse(text).unwrap().len(), 2);
        assert_eq!(read_litt("ID,x,t_x,T\n1,0,0,4\n".as_bytes()).unwrap(), None);
        let e = format!(
            "{:#}",
            read_litt("ID,x,t_x,T,litt\n1,1,1,4,x\n".as_bytes()).unwrap_err()
        );
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn collapse_merges_identical_rows() {
        let rows = parse("ID,x,t_x,T\n1,0,0,5\n2,0,0,5\n3,1,2,5\n4,0,0,6\n").unwrap();
        let c = collapse(&rows);
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].weight, 2.0);
        let g = Grouped::new(c);
        assert_eq!(g.groups, vec![(0.0, 0, 2), (1.0, 2, 3)]);
        assert_eq!(g.total_weight, 4.0);
    }
}
