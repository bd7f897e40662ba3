//! Text built without `core::fmt`. One `format!` or integer `to_string()` on a path the
//! package runs brings in its machinery (`Formatter`, padding, `Arguments` at every call
//! site), so the library fills templates and writes integers with these; `scripts/pkg.sh`
//! fails the build if `core::fmt` is linked after all. Tests use `format!` freely.

/// Where `pat` first occurs in `s`, as `s.find(pat)`. Byte by byte: the strings searched
/// are short, and std's substring search (two-way, with its tables) costs the wasm ~1 KB.
/// A match starts on a character boundary, as a UTF-8 `pat` starts with a leading byte.
pub fn find(s: &str, pat: &str) -> Option<usize> {
    let last = s.len().checked_sub(pat.len())?;
    (0..=last).find(|&i| s.as_bytes()[i..].starts_with(pat.as_bytes()))
}

/// Where the ASCII byte `c` last occurs in `s`, as `s.rfind(c as char)` without std's
/// reverse char searcher.
pub fn rfind(s: &str, c: u8) -> Option<usize> {
    s.bytes().rposition(|b| b == c)
}

/// `s` cut around the first `pat`, as `s.split_once(pat)`.
pub fn split_once<'a>(s: &'a str, pat: &str) -> Option<(&'a str, &'a str)> {
    let i = find(s, pat)?;
    Some((&s[..i], &s[i + pat.len()..]))
}

/// The pieces of `s` between each `sep`, as `s.split(sep)`, for a `sep` that is not empty.
pub fn split<'a>(s: &'a str, sep: &'a str) -> impl Iterator<Item = &'a str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        let (piece, after) = split_once(r, sep).map_or((r, None), |(a, b)| (a, Some(b)));
        rest = after;
        Some(piece)
    })
}

/// `s` with every `from` (left to right, not overlapping) made `to`, as `s.replace(from, to)`
/// for a `from` that is not empty.
pub fn replace(s: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some((head, tail)) = split_once(rest, from).filter(|_| !from.is_empty()) {
        out.push_str(head);
        out.push_str(to);
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// `template` with each `{}` replaced by the next of `args`: what `format!` writes for
/// string arguments. Every `{}` must have its argument.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out =
        String::with_capacity(template.len() + args.iter().map(|a| a.len()).sum::<usize>());
    let mut rest = template;
    for arg in args {
        let (head, tail) = split_once(rest, "{}").unwrap_or((rest, ""));
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

/// `s` as a u32, as `s.parse::<u32>()` reads it, through the u64 parser (one instance of
/// std's integer parsing, not two).
pub fn parse_u32(s: &str) -> Option<u32> {
    s.parse::<u64>().ok()?.try_into().ok()
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
    }

    #[test]
    fn searching_agrees_with_str() {
        for (s, pat) in [
            ("a://b://c", "://"),
            ("", ""),
            ("ab", ""),
            ("ab", "abc"),
            ("ééx", "x"),
        ] {
            assert_eq!(super::find(s, pat), s.find(pat));
            assert_eq!(super::split_once(s, pat), s.split_once(pat));
            assert_eq!(super::rfind(s, b':'), s.rfind(':'));
        }
        for s in ["a/b//c/", "", "/", "abc"] {
            assert!(super::split(s, "/").eq(s.split('/')));
        }
        for s in [
            "0",
            "+7",
            "4294967295",
            "4294967296",
            "-1",
            "",
            "x",
            "99999999999999999999",
        ] {
            assert_eq!(super::parse_u32(s), s.parse::<u32>().ok());
        }
        for (s, from) in [
            ("aXXbXXXc", "XX"),
            ("tok tok", "tok"),
            ("none", "zz"),
            ("aaa", "aa"),
        ] {
            assert_eq!(super::replace(s, from, "<t>"), s.replace(from, "<t>"));
        }
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
