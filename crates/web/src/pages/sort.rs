//! Sortable table headers: each is a plain link (`?sort=col&dir=asc|desc` with the page's
//! filters), so sorting works without JavaScript, and the sorted column says so to
//! assistive technology with `aria-sort`.

/// One column header of a sortable table.
pub struct Header {
    pub label: &'static str,
    /// Where the header's link leads: this column, in the other direction when it is the
    /// sorted one. Empty for a column that is not sortable.
    pub href: String,
    /// `ascending` or `descending` on the sorted column, empty on the others.
    pub aria_sort: &'static str,
    /// A visible arrow on the sorted column (hidden from screen readers, which hear
    /// `aria-sort`).
    pub arrow: &'static str,
}

/// The direction in a URL: `desc`, or ascending for anything else.
pub fn descending(dir: &str) -> bool {
    dir == "desc"
}

/// Builds the headers of a table at `path` whose filters are `filters_enc` (a query
/// string without `sort`, `dir` or `page`). `columns` are (sort name, label), an empty name
/// for a column that is not sortable; `current` is the sorted column's name (empty: the
/// default order, no column marked).
pub fn headers(
    path: &str,
    filters_enc: &str,
    columns: &[(&'static str, &'static str)],
    current: &str,
    descending: bool,
) -> Vec<Header> {
    columns
        .iter()
        .map(|&(name, label)| {
            let sorted = !name.is_empty() && name == current;
            // A first click sorts ascending; a click on the sorted column turns it over.
            let dir = if sorted && !descending { "desc" } else { "asc" };
            let sep = if filters_enc.is_empty() { "" } else { "&" };
            Header {
                label,
                href: if name.is_empty() {
                    String::new()
                } else {
                    format!("{path}?{filters_enc}{sep}sort={name}&dir={dir}")
                },
                aria_sort: match (sorted, descending) {
                    (false, _) => "",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                },
                arrow: match (sorted, descending) {
                    (false, _) => "",
                    (true, false) => "\u{25b2}",
                    (true, true) => "\u{25bc}",
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sorted_column_turns_over_and_says_so() {
        let h = headers(
            "/reports",
            "q=x",
            &[
                ("priority", "Priority"),
                ("waiting", "Waiting"),
                ("", "Summary"),
            ],
            "waiting",
            false,
        );
        assert_eq!(h[0].href, "/reports?q=x&sort=priority&dir=asc");
        assert_eq!(h[0].aria_sort, "");
        assert_eq!(h[1].href, "/reports?q=x&sort=waiting&dir=desc");
        assert_eq!(h[1].aria_sort, "ascending");
        assert_eq!(h[2].href, "", "not sortable");
        let h = headers("/cases", "", &[("child", "Child")], "child", true);
        assert_eq!(h[0].href, "/cases?sort=child&dir=asc");
        assert_eq!(h[0].aria_sort, "descending");
    }
}
