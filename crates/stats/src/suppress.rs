//! Primary and complementary suppression over tables that share their column margin, and
//! the check that no hidden cell can be worked out.
//!
//! The tables, their totals and the shared column totals are one system of linear
//! equations (each row, each column and each margin adds up to its total). Suppression:
//! 1. hide every count from 1 to 4 (primary);
//! 2. in every equation with exactly one hidden member (a total counts as a member of its
//!    line), hide the smallest other non-zero member; repeat until no equation has one;
//! 3. [`check`] the result: if a hidden cell is still pinned (by a combination of
//!    equations, or by bounds, given that hidden cells are at least 1), hide the smallest
//!    visible non-zero member of the line through it with the fewest hidden members, and go
//!    back to 2.
//!
//! Each step only hides more, so it ends (at worst with every non-zero number hidden, which
//! pins nothing). Choices go to the smallest value, then the first position, so the same
//! counts always publish the same table.

use crate::table::{Published, Table};
use crate::{StatsError, SMALLEST_SHOWN};

/// The tables as one system: `values[i]`, with equations `sum(coef * x) = 0`.
struct System {
    values: Vec<u64>,
    equations: Vec<Vec<(usize, i64)>>,
}

/// Where each table's numbers sit in the system.
struct Layout {
    /// Per table: index of the first cell and of the first row total.
    cells: Vec<usize>,
    row_totals: Vec<usize>,
    col_totals: usize,
    total: usize,
}

fn build(tables: &[Table]) -> Result<(System, Layout), StatsError> {
    let first = &tables[0];
    let ncols = first.cols.len();
    for t in tables {
        if t.rows.len() != t.counts.len() || t.counts.iter().any(|l| l.len() != t.cols.len()) {
            return Err(StatsError::Shape {
                rows: t.rows.len(),
                counts: t.counts.len(),
            });
        }
        if t.cols != first.cols {
            return Err(StatsError::Columns(t.cols.join(",")));
        }
        for c in 0..ncols {
            if t.col_total(c) != first.col_total(c) {
                return Err(StatsError::Margins(t.cols[c].clone()));
            }
        }
    }
    let mut values = Vec::new();
    let mut equations = Vec::new();
    let mut layout = Layout {
        cells: vec![],
        row_totals: vec![],
        col_totals: 0,
        total: 0,
    };
    for t in tables {
        layout.cells.push(values.len());
        values.extend(t.counts.iter().flatten().copied());
        layout.row_totals.push(values.len());
        values.extend((0..t.rows.len()).map(|r| t.row_total(r)));
    }
    layout.col_totals = values.len();
    values.extend((0..ncols).map(|c| first.col_total(c)));
    layout.total = values.len();
    values.push(first.total());
    for (k, t) in tables.iter().enumerate() {
        let cell = |r: usize, c: usize| layout.cells[k] + r * ncols + c;
        for r in 0..t.rows.len() {
            let mut eq: Vec<(usize, i64)> = (0..ncols).map(|c| (cell(r, c), 1)).collect();
            eq.push((layout.row_totals[k] + r, -1));
            equations.push(eq);
        }
        for c in 0..ncols {
            let mut eq: Vec<(usize, i64)> = (0..t.rows.len()).map(|r| (cell(r, c), 1)).collect();
            eq.push((layout.col_totals + c, -1));
            equations.push(eq);
        }
        let mut eq: Vec<(usize, i64)> = (0..t.rows.len())
            .map(|r| (layout.row_totals[k] + r, 1))
            .collect();
        eq.push((layout.total, -1));
        equations.push(eq);
    }
    let mut eq: Vec<(usize, i64)> = (0..ncols).map(|c| (layout.col_totals + c, 1)).collect();
    eq.push((layout.total, -1));
    equations.push(eq);
    Ok((System { values, equations }, layout))
}

/// A hidden cell an attacker could work out, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned {
    /// Its position in the system (tables' cells, row totals, column totals, total).
    pub index: usize,
    /// "rank": by a combination of equations; "bounds": its range closes to one value.
    pub how: &'static str,
}

/// Suppresses `tables`, which share their columns and column totals (e.g. episodes by
/// circumstance and year, and by state and year), together: a year's total hidden in one
/// is hidden in all, so no difference between two of them gives it away.
pub fn protect(tables: &[Table]) -> Result<Vec<Published>, StatsError> {
    if tables.is_empty() {
        return Ok(vec![]);
    }
    let (sys, layout) = build(tables)?;
    let hidden = suppress(&sys);
    Ok(tables
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let ncols = t.cols.len();
            let show = |i: usize| (!hidden[i]).then_some(sys.values[i]);
            Published {
                rows: t.rows.clone(),
                cols: t.cols.clone(),
                cells: (0..t.rows.len())
                    .map(|r| {
                        (0..ncols)
                            .map(|c| show(layout.cells[k] + r * ncols + c))
                            .collect()
                    })
                    .collect(),
                row_totals: (0..t.rows.len())
                    .map(|r| show(layout.row_totals[k] + r))
                    .collect(),
                col_totals: (0..ncols).map(|c| show(layout.col_totals + c)).collect(),
                total: show(layout.total),
            }
        })
        .collect())
}

fn suppress(sys: &System) -> Vec<bool> {
    let v = &sys.values;
    let mut hidden: Vec<bool> = v
        .iter()
        .map(|&n| (1..SMALLEST_SHOWN).contains(&n))
        .collect();
    // The smallest visible non-zero member of an equation, first position on ties.
    let candidate = |hidden: &[bool], eq: &[(usize, i64)]| {
        eq.iter()
            .map(|&(i, _)| i)
            .filter(|&i| !hidden[i] && v[i] > 0)
            .min_by_key(|&i| (v[i], i))
    };
    loop {
        let mut changed = false;
        for eq in &sys.equations {
            if eq.iter().filter(|&&(i, _)| hidden[i]).count() == 1 {
                if let Some(i) = candidate(&hidden, eq) {
                    hidden[i] = true;
                    changed = true;
                }
            }
        }
        if changed {
            continue;
        }
        let pinned = pinned_cells(sys, &hidden);
        let Some(p) = pinned.first() else {
            return hidden;
        };
        // The line through it with the fewest hidden members that can still hide one.
        let line = sys
            .equations
            .iter()
            .filter(|eq| eq.iter().any(|&(i, _)| i == p.index))
            .filter(|eq| candidate(&hidden, eq).is_some())
            .min_by_key(|eq| eq.iter().filter(|&&(i, _)| hidden[i]).count());
        match line.and_then(|eq| candidate(&hidden, eq)) {
            Some(i) => hidden[i] = true,
            // Every line through it is hidden already: hide the smallest visible number
            // anywhere. Not seen in practice; it keeps the loop certain to end.
            None => match (0..v.len())
                .filter(|&i| !hidden[i] && v[i] > 0)
                .min_by_key(|&i| (v[i], i))
            {
                Some(i) => hidden[i] = true,
                None => return hidden,
            },
        }
    }
}

/// Every hidden cell of `published` (protected together, as by [`protect`]) that an
/// attacker can work out from what is shown, given `tables`' true counts for the equations'
/// constants. Empty when the publication is safe.
pub fn check(tables: &[Table], published: &[Published]) -> Result<Vec<Pinned>, StatsError> {
    if tables.is_empty() {
        return Ok(vec![]);
    }
    let (sys, layout) = build(tables)?;
    let mut hidden = vec![false; sys.values.len()];
    for (k, p) in published.iter().enumerate() {
        let ncols = p.cols.len();
        for (r, line) in p.cells.iter().enumerate() {
            for (c, cell) in line.iter().enumerate() {
                hidden[layout.cells[k] + r * ncols + c] = cell.is_none();
            }
        }
        for (r, t) in p.row_totals.iter().enumerate() {
            hidden[layout.row_totals[k] + r] = t.is_none();
        }
    }
    if let Some(p) = published.first() {
        for (c, t) in p.col_totals.iter().enumerate() {
            hidden[layout.col_totals + c] = t.is_none();
        }
        hidden[layout.total] = p.total.is_none();
    }
    Ok(pinned_cells(&sys, &hidden))
}

fn pinned_cells(sys: &System, hidden: &[bool]) -> Vec<Pinned> {
    let mut out = by_rank(sys, hidden);
    for p in by_bounds(sys, hidden) {
        if !out.iter().any(|q| q.index == p.index) {
            out.push(p);
        }
    }
    out.sort_by_key(|p| p.index);
    out
}

/// Hidden cells fixed by the equations alone: `e_j` lies in the row space of the equations
/// restricted to the hidden cells, which in reduced row echelon form shows as a row with a
/// single non-zero entry.
fn by_rank(sys: &System, hidden: &[bool]) -> Vec<Pinned> {
    let unknowns: Vec<usize> = (0..hidden.len()).filter(|&i| hidden[i]).collect();
    if unknowns.is_empty() {
        return vec![];
    }
    let col_of = |i: usize| unknowns.binary_search(&i).ok();
    let mut m: Vec<Vec<f64>> = sys
        .equations
        .iter()
        .filter_map(|eq| {
            let mut row = vec![0.0; unknowns.len()];
            let mut any = false;
            for &(i, coef) in eq {
                if let Some(c) = col_of(i) {
                    row[c] += coef as f64;
                    any = true;
                }
            }
            any.then_some(row)
        })
        .collect();
    const EPS: f64 = 1e-9;
    let mut pivot_row = 0;
    let mut pivots = Vec::new();
    for col in 0..unknowns.len() {
        if pivot_row == m.len() {
            break;
        }
        let Some(best) =
            (pivot_row..m.len()).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
        else {
            break;
        };
        if m[best][col].abs() < EPS {
            continue;
        }
        m.swap(pivot_row, best);
        let p = m[pivot_row][col];
        for x in &mut m[pivot_row] {
            *x /= p;
        }
        let pr = m[pivot_row].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != pivot_row && row[col].abs() > EPS {
                let f = row[col];
                for (x, y) in row.iter_mut().zip(&pr) {
                    *x -= f * y;
                }
            }
        }
        pivots.push((pivot_row, col));
        pivot_row += 1;
    }
    pivots
        .into_iter()
        .filter(|&(r, col)| {
            m[r].iter()
                .enumerate()
                .all(|(c, x)| c == col || x.abs() < EPS)
        })
        .map(|(_, col)| Pinned {
            index: unknowns[col],
            how: "rank",
        })
        .collect()
}

/// Hidden cells whose range closes to one value when each line's bounds are propagated,
/// starting from "at least 1" (zeros are never hidden) and "at most the largest total".
fn by_bounds(sys: &System, hidden: &[bool]) -> Vec<Pinned> {
    let v = &sys.values;
    let cap = i128::from(v.iter().copied().max().unwrap_or(0)).max(1) * 4;
    let mut lo: Vec<i128> = (0..v.len())
        .map(|i| if hidden[i] { 1 } else { i128::from(v[i]) })
        .collect();
    let mut hi: Vec<i128> = (0..v.len())
        .map(|i| if hidden[i] { cap } else { i128::from(v[i]) })
        .collect();
    for _ in 0..200 {
        let mut changed = false;
        for eq in &sys.equations {
            // sum(coef * x) = 0 with coef ±1: each member's bounds follow from the others'.
            for &(j, cj) in eq {
                if !hidden[j] {
                    continue;
                }
                // cj * x_j = -sum_{k != j} ck * x_k
                let (mut smin, mut smax) = (0i128, 0i128);
                for &(k, ck) in eq {
                    if k == j {
                        continue;
                    }
                    let ck = i128::from(ck);
                    let (a, b) = (ck * lo[k], ck * hi[k]);
                    smin += a.min(b);
                    smax += a.max(b);
                }
                let cj = i128::from(cj);
                let (a, b) = (-smax * cj, -smin * cj);
                let (new_lo, new_hi) = (a.min(b), a.max(b));
                if new_lo > lo[j] {
                    lo[j] = new_lo;
                    changed = true;
                }
                if new_hi < hi[j] {
                    hi[j] = new_hi;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    (0..v.len())
        .filter(|&i| hidden[i] && lo[i] >= hi[i])
        .map(|index| Pinned {
            index,
            how: "bounds",
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn table(rows: &[&str], cols: &[&str], counts: &[&[u64]]) -> Table {
        Table {
            rows: rows.iter().map(|s| s.to_string()).collect(),
            cols: cols.iter().map(|s| s.to_string()).collect(),
            counts: counts.iter().map(|l| l.to_vec()).collect(),
        }
    }

    /// Every number of the system with what is published of it (None when hidden).
    fn flat(tables: &[Table], published: &[Published]) -> (System, Vec<Option<u64>>) {
        let (sys, layout) = build(tables).unwrap();
        let mut shown = vec![None; sys.values.len()];
        for (k, p) in published.iter().enumerate() {
            let n = p.cols.len();
            for (r, l) in p.cells.iter().enumerate() {
                for (c, x) in l.iter().enumerate() {
                    shown[layout.cells[k] + r * n + c] = *x;
                }
            }
            for (r, x) in p.row_totals.iter().enumerate() {
                shown[layout.row_totals[k] + r] = *x;
            }
        }
        for (c, x) in published[0].col_totals.iter().enumerate() {
            shown[layout.col_totals + c] = *x;
        }
        shown[layout.total] = published[0].total;
        (sys, shown)
    }

    /// The attacker: every equation, and the sum and the difference of every pair of
    /// equations, with the published numbers put in. A combination left with exactly one
    /// hidden cell gives that cell away. Returns the cells it solved, with their values.
    fn attack(tables: &[Table], published: &[Published]) -> Vec<(usize, i64)> {
        let (sys, shown) = flat(tables, published);
        let eqs = &sys.equations;
        let mut combos: Vec<Vec<(usize, i64)>> = eqs.clone();
        for a in 0..eqs.len() {
            for b in a + 1..eqs.len() {
                for sign in [1, -1] {
                    let mut m: std::collections::BTreeMap<usize, i64> = Default::default();
                    for &(i, c) in &eqs[a] {
                        *m.entry(i).or_default() += c;
                    }
                    for &(i, c) in &eqs[b] {
                        *m.entry(i).or_default() += sign * c;
                    }
                    combos.push(m.into_iter().filter(|&(_, c)| c != 0).collect());
                }
            }
        }
        let mut solved = vec![];
        for eq in combos {
            let unknown: Vec<(usize, i64)> = eq
                .iter()
                .copied()
                .filter(|&(i, _)| shown[i].is_none())
                .collect();
            if let [(i, c)] = unknown[..] {
                let known: i64 = eq
                    .iter()
                    .filter_map(|&(k, ck)| shown[k].map(|x| ck * x as i64))
                    .sum();
                solved.push((i, -known / c));
            }
        }
        solved
    }

    #[test]
    fn a_3_recoverable_from_its_totals_is_hidden_with_a_complement_and_cannot_be_solved() {
        // Row "b" has a 3 in 2024: with the row, column and grand totals shown, it would be
        // the total less the others.
        let t = table(
            &["a", "b", "c"],
            &["2023", "2024", "2025"],
            &[&[20, 12, 30], &[15, 3, 25], &[40, 22, 18]],
        );
        let p = protect(std::slice::from_ref(&t)).unwrap();
        let p = &p[0];
        assert_eq!(p.cells[1][1], None, "the 3 is hidden");
        let hidden = p.cells.iter().flatten().filter(|x| x.is_none()).count()
            + p.row_totals.iter().filter(|x| x.is_none()).count()
            + p.col_totals.iter().filter(|x| x.is_none()).count();
        assert!(
            hidden >= 4,
            "the 3 and complements in its row and column: {p:?}"
        );
        assert!(p.numbers().all(|n| n == 0 || n >= 5), "{p:?}");
        assert_eq!(
            attack(std::slice::from_ref(&t), std::slice::from_ref(p)),
            vec![]
        );
        assert_eq!(
            check(std::slice::from_ref(&t), std::slice::from_ref(p)).unwrap(),
            vec![]
        );
        // Without the complements, the attacker gets the 3 back.
        let mut naive = t.unprotected();
        naive.cells[1][1] = None;
        let solved = attack(std::slice::from_ref(&t), std::slice::from_ref(&naive));
        assert!(solved.contains(&(4, 3)), "{solved:?}");
        assert!(!check(std::slice::from_ref(&t), &[naive])
            .unwrap()
            .is_empty());
    }

    #[test]
    fn tables_sharing_a_margin_hide_it_in_both() {
        let by_kind = table(&["x", "y"], &["2024", "2025"], &[&[3, 10], &[9, 12]]);
        let by_state = table(&["TX", "OK"], &["2024", "2025"], &[&[6, 11], &[6, 11]]);
        let both = [by_kind, by_state];
        let p = protect(&both).unwrap();
        assert_eq!(p[0].col_totals, p[1].col_totals);
        assert_eq!(p[0].cells[0][0], None);
        assert_eq!(attack(&both, &p), vec![]);
        assert_eq!(check(&both, &p).unwrap(), vec![]);
        let bad = table(&["TX"], &["2024", "2025"], &[&[1, 2]]);
        assert!(matches!(
            protect(&[both[0].clone(), bad]),
            Err(StatsError::Margins(_))
        ));
    }

    #[test]
    fn zeros_are_shown_and_never_protect() {
        let t = table(&["only"], &["a", "b", "c"], &[&[3, 0, 9]]);
        let p = &protect(std::slice::from_ref(&t)).unwrap()[0];
        assert_eq!(p.cells[0], vec![None, Some(0), None]);
        assert_eq!(
            check(std::slice::from_ref(&t), std::slice::from_ref(p)).unwrap(),
            vec![]
        );
        let zero = table(&["r"], &["a"], &[&[0]]);
        let p = &protect(std::slice::from_ref(&zero)).unwrap()[0];
        assert_eq!(p.total, Some(0));
    }

    fn tables() -> impl Strategy<Value = Vec<Table>> {
        (1usize..4, 1usize..5, 1usize..3).prop_flat_map(|(nrows, ncols, ntables)| {
            // Small counts, often under 5, so suppression has work to do.
            proptest::collection::vec(
                proptest::collection::vec(proptest::collection::vec(0u64..14, ncols), nrows),
                1,
            )
            .prop_flat_map(move |first| {
                let first = first[0].clone();
                let col_totals: Vec<u64> = (0..ncols)
                    .map(|c| first.iter().map(|l| l[c]).sum())
                    .collect();
                // Other tables split the same column totals over two rows.
                proptest::collection::vec(
                    proptest::collection::vec(0.0f64..1.0, ncols),
                    ntables - 1,
                )
                .prop_map(move |splits| {
                    let cols: Vec<String> = (0..ncols).map(|c| format!("c{c}")).collect();
                    let mut out = vec![Table {
                        rows: (0..nrows).map(|r| format!("r{r}")).collect(),
                        cols: cols.clone(),
                        counts: first.clone(),
                    }];
                    for s in splits {
                        let top: Vec<u64> = col_totals
                            .iter()
                            .zip(&s)
                            .map(|(&t, &f)| (t as f64 * f).floor() as u64)
                            .collect();
                        let bottom: Vec<u64> =
                            col_totals.iter().zip(&top).map(|(t, a)| t - a).collect();
                        out.push(Table {
                            rows: vec!["s0".into(), "s1".into()],
                            cols: cols.clone(),
                            counts: vec![top, bottom],
                        });
                    }
                    out
                })
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn suppression_never_leaves_a_small_or_pinned_cell(ts in tables()) {
            let p = protect(&ts).unwrap();
            for t in &p {
                prop_assert!(t.numbers().all(|n| n == 0 || n >= SMALLEST_SHOWN), "{:?}", t);
            }
            // What is shown is true.
            for (t, q) in ts.iter().zip(&p) {
                for (r, l) in q.cells.iter().enumerate() {
                    for (c, x) in l.iter().enumerate() {
                        if let Some(x) = x { prop_assert_eq!(*x, t.counts[r][c]); }
                    }
                }
            }
            prop_assert_eq!(check(&ts, &p).unwrap(), vec![]);
            prop_assert_eq!(attack(&ts, &p), vec![]);
            // The same counts publish the same tables.
            prop_assert_eq!(protect(&ts).unwrap(), p);
        }
    }
}
