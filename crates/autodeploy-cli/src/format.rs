//! Small formatting helpers shared by the commands' tables.

/// `1234567` -> `1,234,567`.
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

/// `[1, 49, 10, 1]`.
pub fn shape(dims: &[usize]) -> String {
    let inner: Vec<String> = dims.iter().map(ToString::to_string).collect();
    format!("[{}]", inner.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(2_656_768), "2,656,768");
    }

    #[test]
    fn shape_lists_dimensions() {
        assert_eq!(shape(&[]), "[]");
        assert_eq!(shape(&[1, 49, 10, 1]), "[1, 49, 10, 1]");
    }
}
