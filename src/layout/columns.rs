//! Side-by-side columns for overlapping boxes, as GNOME Calendar lays
//! out its week grid: each box takes the first column free at its top.
//! Unlike GNOME (whose width is the most boxes at once within one box's
//! own span) every box of a cluster — boxes that overlap one another,
//! directly or through a chain — gets the same width, 1/columns of the
//! cluster, so boxes in a chain A–B, B–C never draw over each other.

/// Where a box goes across its day: column `column` of `columns`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub column: usize,
    pub columns: usize,
}

/// The column of each `[top, bottom)` span, in the order given. Spans
/// that only touch (one ends where the next starts) do not overlap.
pub fn assign(spans: &[(u32, u32)]) -> Vec<Column> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    // Earlier first; of two at once, the longer first, so it sits leftmost.
    order.sort_by_key(|&i| (spans[i].0, std::cmp::Reverse(spans[i].1), i));
    let mut out = vec![Column { column: 0, columns: 1 }; spans.len()];
    let mut cluster: Vec<usize> = Vec::new();
    // The bottom of the last box in each column of the current cluster.
    let mut ends: Vec<u32> = Vec::new();
    for i in order {
        let (top, bottom) = spans[i];
        if ends.iter().all(|&end| end <= top) {
            close(&mut out, &mut cluster, &mut ends);
        }
        let column = match ends.iter().position(|&end| end <= top) {
            Some(free) => {
                ends[free] = bottom;
                free
            }
            None => {
                ends.push(bottom);
                ends.len() - 1
            }
        };
        out[i].column = column;
        cluster.push(i);
    }
    close(&mut out, &mut cluster, &mut ends);
    out
}

fn close(out: &mut [Column], cluster: &mut Vec<usize>, ends: &mut Vec<u32>) {
    for &i in cluster.iter() {
        out[i].columns = ends.len();
    }
    cluster.clear();
    ends.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(spans: &[(u32, u32)]) -> Vec<(usize, usize)> {
        assign(spans).into_iter().map(|c| (c.column, c.columns)).collect()
    }

    #[test]
    fn table() {
        // (name, spans, (column, columns) of each)
        type Case = (&'static str, &'static [(u32, u32)], &'static [(usize, usize)]);
        let cases: &[Case] = &[
            ("alone", &[(60, 120)], &[(0, 1)]),
            ("touching is not overlapping", &[(60, 120), (120, 180)], &[(0, 1), (0, 1)]),
            ("two at once", &[(60, 120), (90, 150)], &[(0, 2), (1, 2)]),
            ("three at once", &[(60, 180), (90, 150), (100, 110)], &[(0, 3), (1, 3), (2, 3)]),
            // A–B and B–C overlap, A and C do not: C reuses A's column, and
            // all three share B's cluster width.
            ("chain", &[(60, 120), (90, 180), (150, 200)], &[(0, 2), (1, 2), (0, 2)]),
            ("two clusters", &[(60, 120), (90, 150), (600, 660)], &[(0, 2), (1, 2), (0, 1)]),
            ("the longer of two at once goes left", &[(60, 90), (60, 180)], &[(1, 2), (0, 2)]),
            ("given out of order", &[(150, 200), (60, 120), (90, 180)], &[(0, 2), (0, 2), (1, 2)]),
            ("empty", &[], &[]),
        ];
        for (name, spans, want) in cases {
            assert_eq!(cols(spans), *want, "{name}");
        }
    }
}
