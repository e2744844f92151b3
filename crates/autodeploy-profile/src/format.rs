//! Number and text formatting shared by the reports.

/// How an arena of `arena` bytes compares with `portable` bytes:
/// `"+256 B (+3.0%)"`, or `"the same (+0 B)"`.
pub fn arena_change(arena: u64, portable: u64) -> String {
    let delta = arena as i64 - portable as i64;
    if delta == 0 {
        return "the same (+0 B)".into();
    }
    let percent = delta as f64 * 100.0 / portable.max(1) as f64;
    let sign = if delta > 0 { "+" } else { "" };
    format!("{sign}{} B ({sign}{percent:.1}%)", thousands_signed(delta))
}

/// `1234567` → `"1,234,567"`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Signed [`thousands`].
pub fn thousands_signed(n: i64) -> String {
    if n < 0 {
        format!("-{}", thousands(n.unsigned_abs()))
    } else {
        thousands(n as u64)
    }
}

/// `[1, 8, 8, 4]` → `"1x8x8x4"` (the console and HTML form).
pub fn shape_x(shape: &[usize]) -> String {
    if shape.is_empty() {
        return "scalar".into();
    }
    shape
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("x")
}

/// `[1, 8, 8, 4]` → `"[1,8,8,4]"` (the CSV form).
pub fn shape_list(shape: &[usize]) -> String {
    let inner: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", inner.join(","))
}

/// Fixed decimals, or `"-"` for a missing value.
pub fn opt(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{v:.decimals$}"))
}

/// Fixed decimals with thousands separators (`12345.67` → `"12,345.7"`),
/// or `"-"` for a missing value.
pub fn opt_thousands(value: Option<f64>, decimals: usize) -> String {
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return "-".into();
    };
    let text = format!("{:.decimals$}", v.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let sign = if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    let int = int
        .parse::<u64>()
        .map_or_else(|_| int.to_string(), thousands);
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// Bytes as `"12,345 B (12.1 KiB)"`.
pub fn bytes(n: u64) -> String {
    if n < 1024 {
        format!("{} B", thousands(n))
    } else {
        format!("{} B ({:.1} KiB)", thousands(n), n as f64 / 1024.0)
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(thousands_signed(-1234), "-1,234");
        assert_eq!(thousands_signed(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn shapes_and_bytes() {
        assert_eq!(shape_x(&[1, 8, 8, 4]), "1x8x8x4");
        assert_eq!(shape_x(&[]), "scalar");
        assert_eq!(shape_list(&[1, 10]), "[1,10]");
        assert_eq!(bytes(100), "100 B");
        assert_eq!(opt_thousands(Some(74462.25), 1), "74,462.2");
        assert_eq!(opt_thousands(Some(999.96), 1), "1,000.0");
        assert_eq!(opt_thousands(Some(-1234.0), 0), "-1,234");
        assert_eq!(opt_thousands(None, 1), "-");
        assert_eq!(bytes(2048), "2,048 B (2.0 KiB)");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            html_escape(r#"<script>"a"&'b'</script>"#),
            "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;&lt;/script&gt;"
        );
    }
}
