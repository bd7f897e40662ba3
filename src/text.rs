//! Text built without `core::fmt`. One `format!` or integer `to_string()` on a path the
//! package runs brings in its machinery (`Formatter`, padding, `Arguments` at every call
//! site), so the library fills templates and writes integers with these; `scripts/pkg.sh`
//! fails the build if `core::fmt` is linked after all. Tests use `format!` freely.

/// `template` with each `{}` replaced by the next of `args`: what `format!` writes for
/// string arguments. Every `{}` must have its argument.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out =
        String::with_capacity(template.len() + args.iter().map(|a| a.len()).sum::<usize>());
    let mut rest = template;
    for arg in args {
        let (head, tail) = rest.split_once("{}").unwrap_or((rest, ""));
        out.push_str(head);
        out.push_str(arg);
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// `items` with `sep` between them, as `[…].join(sep)` gives.
pub fn join<S: AsRef<str>>(items: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item.as_ref());
    }
    out
}

/// `n` in decimal.
pub fn int(n: u64) -> String {
    itoa::Buffer::new().format(n).into()
}

/// `n` in decimal, `-` first when negative.
pub fn signed(n: i64) -> String {
    itoa::Buffer::new().format(n).into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_template_is_filled_as_format_writes_it() {
        assert_eq!(super::fill("{}", &["a"]), "a");
        assert_eq!(super::fill("<{}>{}</{}>", &["k", "v", "k"]), "<k>v</k>");
        assert_eq!(super::fill("no args, {braces}", &[]), "no args, {braces}");
        assert_eq!(super::join(&["a", "b"], ", "), "a, b");
        assert_eq!(super::join::<&str>(&[], ";"), "");
    }

    #[test]
    fn integers_read_as_display_writes_them() {
        for n in [0, 7, 10, 65_535, u64::MAX] {
            assert_eq!(super::int(n), n.to_string());
        }
        for n in [i64::MIN, -1, 0, 1_700_000_000_000, i64::MAX] {
            assert_eq!(super::signed(n), n.to_string());
        }
    }
}
