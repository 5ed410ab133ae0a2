//! The table model: counts by row and column, with row, column and grand totals, and the
//! same table as published (a hidden cell is `None`).

use serde::{Deserialize, Serialize};

/// Exact counts: `counts[r][c]` for row label `rows[r]` and column label `cols[c]`. A
/// one-way table is a table with one row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub counts: Vec<Vec<u64>>,
}

impl Table {
    /// All zeros.
    pub fn new(rows: Vec<String>, cols: Vec<String>) -> Table {
        let counts = vec![vec![0; cols.len()]; rows.len()];
        Table { rows, cols, counts }
    }

    /// Adds `n` to the cell at (`row`, `col`), adding either label (at the end) when new.
    pub fn add(&mut self, row: &str, col: &str, n: u64) {
        let r = match self.rows.iter().position(|x| x == row) {
            Some(r) => r,
            None => {
                self.rows.push(row.to_owned());
                self.counts.push(vec![0; self.cols.len()]);
                self.rows.len() - 1
            }
        };
        let c = match self.cols.iter().position(|x| x == col) {
            Some(c) => c,
            None => {
                self.cols.push(col.to_owned());
                for line in &mut self.counts {
                    line.push(0);
                }
                self.cols.len() - 1
            }
        };
        self.counts[r][c] += n;
    }

    pub fn row_total(&self, r: usize) -> u64 {
        self.counts[r].iter().sum()
    }

    pub fn col_total(&self, c: usize) -> u64 {
        self.counts.iter().map(|line| line[c]).sum()
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Keeps only the columns `keep` says yes to (e.g. one year), in order.
    pub fn select_cols(&self, keep: impl Fn(&str) -> bool) -> Table {
        let idx: Vec<usize> = (0..self.cols.len())
            .filter(|&c| keep(&self.cols[c]))
            .collect();
        Table {
            rows: self.rows.clone(),
            cols: idx.iter().map(|&c| self.cols[c].clone()).collect(),
            counts: self
                .counts
                .iter()
                .map(|line| idx.iter().map(|&c| line[c]).collect())
                .collect(),
        }
    }

    /// The table published as it is, with nothing hidden: for staff reading their own
    /// organisation's records.
    pub fn unprotected(&self) -> Published {
        Published {
            rows: self.rows.clone(),
            cols: self.cols.clone(),
            cells: self
                .counts
                .iter()
                .map(|l| l.iter().map(|&n| Some(n)).collect())
                .collect(),
            row_totals: (0..self.rows.len())
                .map(|r| Some(self.row_total(r)))
                .collect(),
            col_totals: (0..self.cols.len())
                .map(|c| Some(self.col_total(c)))
                .collect(),
            total: Some(self.total()),
        }
    }
}

/// A table as published: a hidden cell or total is `None`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: Vec<Vec<Option<u64>>>,
    pub row_totals: Vec<Option<u64>>,
    pub col_totals: Vec<Option<u64>>,
    pub total: Option<u64>,
}

impl Published {
    /// Every published number (cells and totals), for checks.
    pub fn numbers(&self) -> impl Iterator<Item = u64> + '_ {
        self.cells
            .iter()
            .flatten()
            .chain(self.row_totals.iter())
            .chain(self.col_totals.iter())
            .chain(std::iter::once(&self.total))
            .flatten()
            .copied()
    }

    /// The row's share of its column total in percent (rounded), when both are published
    /// and the total is not zero.
    pub fn share(&self, r: usize, c: usize) -> Option<u64> {
        let n = (*self.cells.get(r)?.get(c)?)?;
        let of = (*self.col_totals.get(c)?)?;
        (of > 0).then(|| (n * 100 + of / 2) / of)
    }

    /// The row's share of the grand total in percent, as [`Published::share`].
    pub fn row_share(&self, r: usize) -> Option<u64> {
        let n = (*self.row_totals.get(r)?)?;
        let of = self.total?;
        (of > 0).then(|| (n * 100 + of / 2) / of)
    }

    /// The largest published cell (for scaling a chart).
    pub fn max_cell(&self) -> u64 {
        self.cells
            .iter()
            .flatten()
            .flatten()
            .copied()
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_added_as_met_and_totals_add_up() {
        let mut t = Table::new(vec![], vec!["2024".into()]);
        t.add("a", "2024", 2);
        t.add("b", "2025", 3);
        t.add("a", "2025", 1);
        assert_eq!(t.rows, ["a", "b"]);
        assert_eq!(t.cols, ["2024", "2025"]);
        assert_eq!(t.counts, vec![vec![2, 1], vec![0, 3]]);
        assert_eq!((t.row_total(0), t.col_total(1), t.total()), (3, 4, 6));
        let one = t.select_cols(|c| c == "2025");
        assert_eq!(one.counts, vec![vec![1], vec![3]]);
        let p = t.unprotected();
        assert_eq!(p.total, Some(6));
        assert_eq!(p.share(1, 1), Some(75));
        assert_eq!(p.row_share(0), Some(50));
    }
}
