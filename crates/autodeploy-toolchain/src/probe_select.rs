//! `--probe VID:PID[:SERIAL]`: which debug probe to use when several are attached.

use std::fmt;
use std::str::FromStr;

/// A probe chosen by USB vendor and product id (hex) and, optionally, serial number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeSelector {
    pub vendor_id: u16,
    pub product_id: u16,
    pub serial: Option<String>,
}

impl ProbeSelector {
    /// Whether a probe with these ids matches.
    pub fn matches(&self, vendor_id: u16, product_id: u16, serial: Option<&str>) -> bool {
        self.vendor_id == vendor_id
            && self.product_id == product_id
            && self.serial.as_deref().is_none_or(|s| Some(s) == serial)
    }
}

impl FromStr for ProbeSelector {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.splitn(3, ':');
        let hex = |part: Option<&str>, what: &str| {
            let part = part.filter(|p| !p.is_empty()).ok_or_else(|| {
                format!(
                    "probe selector {text:?}: no {what}; expected VID:PID[:SERIAL], e.g. 1366:0105"
                )
            })?;
            u16::from_str_radix(part, 16).map_err(|_| {
                format!("probe selector {text:?}: {what} {part:?} is not a 16-bit hex number")
            })
        };
        let vendor_id = hex(parts.next(), "vendor id")?;
        let product_id = hex(parts.next(), "product id")?;
        let serial = parts.next().filter(|s| !s.is_empty()).map(String::from);
        Ok(ProbeSelector {
            vendor_id,
            product_id,
            serial,
        })
    }
}

impl fmt::Display for ProbeSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04x}:{:04x}", self.vendor_id, self.product_id)?;
        if let Some(serial) = &self.serial {
            write!(f, ":{serial}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_matches() {
        let s: ProbeSelector = "1366:0105:000123".parse().unwrap();
        assert_eq!((s.vendor_id, s.product_id), (0x1366, 0x0105));
        assert!(s.matches(0x1366, 0x0105, Some("000123")));
        assert!(!s.matches(0x1366, 0x0105, Some("999")));
        let any: ProbeSelector = "1366:105".parse().unwrap();
        assert!(any.matches(0x1366, 0x0105, None));
        assert_eq!(any.to_string(), "1366:0105");
        assert!("1366"
            .parse::<ProbeSelector>()
            .unwrap_err()
            .contains("no product id"));
        assert!("xyz:1"
            .parse::<ProbeSelector>()
            .unwrap_err()
            .contains("not a 16-bit hex"));
    }
}
