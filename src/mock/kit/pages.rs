//! Pagination: the arithmetic of pages, and the URLs of the pages a list links to.

/// Pages of `size` over `total` items: how many pages (at least one, even when empty).
pub fn page_count(total: usize, size: usize) -> usize {
    total.div_ceil(size.max(1)).max(1)
}

/// The index range of page `number` (1-based) of `size` items over `total`.
pub fn page_range(total: usize, size: usize, number: usize) -> std::ops::Range<usize> {
    let start = number.saturating_sub(1).saturating_mul(size).min(total);
    start..(start + size).min(total)
}

/// The pages a list links to from page `number` of `pages`: `prev` and `next` are `None` at
/// the ends. `step` is how far `next` goes (1; a fault may skip).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLinks {
    pub current: usize,
    pub first: usize,
    pub prev: Option<usize>,
    pub next: Option<usize>,
    pub last: usize,
}

impl PageLinks {
    pub fn new(number: usize, pages: usize, step: usize) -> Self {
        PageLinks {
            current: number,
            first: 1,
            prev: (number > 1).then(|| (number - 1).min(pages)),
            next: number.checked_add(step).filter(|next| *next <= pages),
            last: pages,
        }
    }
}

/// `base` + `path` with the query `kept` (those pairs whose names are not in `replaced`) and
/// then `added`, form-encoded: the URL of another page of the same list.
pub fn page_url(
    base: &str,
    path: &str,
    kept: &[(String, String)],
    replaced: &[&str],
    added: &[(&str, String)],
) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in kept {
        if !replaced.contains(&k.as_str()) {
            q.append_pair(k, v);
        }
    }
    for (k, v) in added {
        q.append_pair(k, v);
    }
    format!("{base}{path}?{}", q.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_item_once() {
        assert_eq!(page_count(0, 20), 1);
        assert_eq!(page_count(21, 20), 2);
        assert_eq!(page_range(21, 20, 2), 20..21);
        assert_eq!(page_range(21, 20, 3), 21..21);
        let total: usize = (1..=page_count(95, 20))
            .map(|n| page_range(95, 20, n).len())
            .sum();
        assert_eq!(total, 95);
    }

    #[test]
    fn links_stop_at_the_ends() {
        let l = PageLinks::new(1, 3, 1);
        assert_eq!((l.prev, l.next, l.last), (None, Some(2), 3));
        let l = PageLinks::new(3, 3, 1);
        assert_eq!((l.prev, l.next), (Some(2), None));
        assert_eq!(PageLinks::new(9, 3, 1).prev, Some(3));
        assert_eq!(PageLinks::new(2, 3, 2).next, None);
        assert_eq!(PageLinks::new(usize::MAX, 3, 1).next, None);
    }

    #[test]
    fn page_urls_replace_the_page_parameters() {
        let kept = vec![
            ("filter[x]".to_string(), "a b".to_string()),
            ("page[number]".to_string(), "4".to_string()),
        ];
        let url = page_url(
            "https://h",
            "/users",
            &kept,
            &["page[number]"],
            &[("page[number]", "2".into())],
        );
        assert_eq!(url, "https://h/users?filter%5Bx%5D=a+b&page%5Bnumber%5D=2");
    }
}
