//! Finding the serial port of a board: by path (`--port /dev/ttyACM0`), by USB vendor and
//! product id and serial number (`--port 1366:0105:000123456`), or, with nothing given, the only
//! USB serial port there is.
//!
//! The ports come from `serialport`'s enumeration (through `tokio-serial`). Built without
//! libudev, as here, it reads Linux's sysfs (`/sys/class/tty/*/device`, then the USB device's
//! `idVendor`, `idProduct` and `serial`), so USB ids and serial numbers are known without
//! libudev. [`choose_port`] works on any list, so the rules are tested without hardware.
//!
//! Opening a port the user may not use gives [`RpcError::SerialPermission`], which names the
//! port, the group that owns it (read from the device file, normally `dialout`) and the fix.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::RpcError;

/// A port's USB identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbIds {
    pub vendor_id: u16,
    pub product_id: u16,
    pub serial: Option<String>,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
}

/// One serial port the system has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortInfo {
    /// The device to open, e.g. `/dev/ttyACM0`.
    pub path: PathBuf,
    /// Set for USB ports (CDC ACM, FTDI and the like).
    pub usb: Option<UsbIds>,
}

impl fmt::Display for PortInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        let Some(usb) = &self.usb else {
            return write!(f, " (not USB)");
        };
        write!(f, " (USB {:04x}:{:04x}", usb.vendor_id, usb.product_id)?;
        if let Some(serial) = &usb.serial {
            write!(f, ", serial {serial}")?;
        }
        let name: Vec<&str> = [&usb.manufacturer, &usb.product]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if !name.is_empty() {
            write!(f, ", {}", name.join(" "))?;
        }
        write!(f, ")")
    }
}

/// `--port`: a device path, or USB `VID:PID[:SERIAL]` (ids in hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSelector {
    Path(PathBuf),
    Usb {
        vendor_id: u16,
        product_id: u16,
        serial: Option<String>,
    },
}

impl PortSelector {
    /// Whether `port` is the one selected.
    pub fn matches(&self, port: &PortInfo) -> bool {
        match self {
            PortSelector::Path(path) => *path == port.path,
            PortSelector::Usb {
                vendor_id,
                product_id,
                serial,
            } => port.usb.as_ref().is_some_and(|usb| {
                usb.vendor_id == *vendor_id
                    && usb.product_id == *product_id
                    && serial
                        .as_deref()
                        .is_none_or(|s| usb.serial.as_deref() == Some(s))
            }),
        }
    }
}

impl FromStr for PortSelector {
    type Err = String;

    /// A path when it holds a `/` or `\` or no `:` (`/dev/ttyUSB0`, `COM3`); else
    /// `VID:PID[:SERIAL]`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err("empty port: expected a device path or VID:PID[:SERIAL]".into());
        }
        if text.contains(['/', '\\']) || !text.contains(':') {
            return Ok(PortSelector::Path(PathBuf::from(text)));
        }
        let mut parts = text.splitn(3, ':');
        let hex = |part: Option<&str>, what: &str| {
            let part = part.filter(|p| !p.is_empty()).ok_or_else(|| {
                format!("port {text:?}: no {what}; expected a device path or VID:PID[:SERIAL], e.g. 1366:0105")
            })?;
            u16::from_str_radix(part, 16)
                .map_err(|_| format!("port {text:?}: {what} {part:?} is not a 16-bit hex number"))
        };
        let vendor_id = hex(parts.next(), "vendor id")?;
        let product_id = hex(parts.next(), "product id")?;
        let serial = parts.next().filter(|s| !s.is_empty()).map(String::from);
        Ok(PortSelector::Usb {
            vendor_id,
            product_id,
            serial,
        })
    }
}

impl fmt::Display for PortSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortSelector::Path(path) => write!(f, "{}", path.display()),
            PortSelector::Usb {
                vendor_id,
                product_id,
                serial,
            } => {
                write!(f, "{vendor_id:04x}:{product_id:04x}")?;
                if let Some(serial) = serial {
                    write!(f, ":{serial}")?;
                }
                Ok(())
            }
        }
    }
}

/// The serial ports of this machine, USB ones with their ids, sorted by path.
pub fn available_ports() -> Result<Vec<PortInfo>, RpcError> {
    // serialport panics when Linux's tty class directory is missing (some containers).
    if cfg!(target_os = "linux") && !Path::new("/sys/class/tty").is_dir() {
        return Ok(Vec::new());
    }
    let ports = tokio_serial::available_ports().map_err(|e| RpcError::Io {
        transport: "serial port enumeration".into(),
        action: "list serial ports",
        source: io::Error::from(e),
    })?;
    let mut ports: Vec<PortInfo> = ports
        .into_iter()
        .map(|p| PortInfo {
            path: PathBuf::from(p.port_name),
            usb: match p.port_type {
                tokio_serial::SerialPortType::UsbPort(usb) => Some(UsbIds {
                    vendor_id: usb.vid,
                    product_id: usb.pid,
                    serial: usb.serial_number,
                    manufacturer: usb.manufacturer,
                    product: usb.product,
                }),
                _ => None,
            },
        })
        .collect();
    ports.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(ports)
}

/// The port to open: the path `selector` gives (taken as is: QEMU's `/dev/pts/N` is in no
/// list), the one USB port matching its ids, or with no selector the only USB port in `found`.
/// No match and several matches are errors that list the ports.
pub fn choose_port(
    found: &[PortInfo],
    selector: Option<&PortSelector>,
) -> Result<PathBuf, RpcError> {
    if let Some(PortSelector::Path(path)) = selector {
        return Ok(path.clone());
    }
    let listed = || found.iter().map(ToString::to_string).collect::<Vec<_>>();
    let matching: Vec<&PortInfo> = found
        .iter()
        .filter(|p| selector.map_or(p.usb.is_some(), |s| s.matches(p)))
        .collect();
    match (matching.as_slice(), selector) {
        ([one], _) => Ok(one.path.clone()),
        ([], None) => Err(RpcError::NoSerialPort { found: listed() }),
        ([], Some(s)) => Err(RpcError::SerialPortNotFound {
            selector: s.to_string(),
            found: listed(),
        }),
        (several, s) => Err(RpcError::SeveralSerialPorts {
            selector: s.map(ToString::to_string),
            found: several.iter().map(ToString::to_string).collect(),
        }),
    }
}

/// The name of group `gid` in `etc_group` (the text of `/etc/group`).
pub fn group_name(etc_group: &str, gid: u32) -> Option<String> {
    etc_group.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id = fields.nth(1)?.trim().parse::<u32>().ok()?;
        (id == gid && !name.is_empty()).then(|| name.to_string())
    })
}

/// The error for a port that failed to open: [`RpcError::SerialPermission`] when the system
/// refused access (naming the group of the device file, looked up in `etc_group`), else
/// [`RpcError::Io`]. `owner_gid` is the device file's group id, when it could be read.
pub fn open_error(
    port: &Path,
    error: io::Error,
    owner_gid: Option<u32>,
    etc_group: &str,
) -> RpcError {
    if error.kind() == io::ErrorKind::PermissionDenied {
        return RpcError::SerialPermission {
            port: port.to_path_buf(),
            gid: owner_gid,
            group: owner_gid.and_then(|gid| group_name(etc_group, gid)),
            source: error,
        };
    }
    RpcError::Io {
        transport: format!("serial {}", port.display()),
        action: "open",
        source: error,
    }
}

/// [`open_error`] with the device file's group and the system's `/etc/group`.
pub(crate) fn open_error_here(port: &Path, error: io::Error) -> RpcError {
    #[cfg(unix)]
    let gid = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(port).ok().map(|m| m.gid())
    };
    #[cfg(not(unix))]
    let gid = None;
    let etc_group = std::fs::read_to_string("/etc/group").unwrap_or_default();
    open_error(port, error, gid, &etc_group)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usb(path: &str, vid: u16, pid: u16, serial: Option<&str>) -> PortInfo {
        PortInfo {
            path: PathBuf::from(path),
            usb: Some(UsbIds {
                vendor_id: vid,
                product_id: pid,
                serial: serial.map(String::from),
                manufacturer: Some("SEGGER".into()),
                product: Some("J-Link".into()),
            }),
        }
    }

    fn uart(path: &str) -> PortInfo {
        PortInfo {
            path: PathBuf::from(path),
            usb: None,
        }
    }

    #[test]
    fn selectors_parse_as_paths_or_usb_ids() {
        assert_eq!(
            "/dev/ttyACM0".parse::<PortSelector>().unwrap(),
            PortSelector::Path("/dev/ttyACM0".into())
        );
        assert_eq!(
            "COM3".parse::<PortSelector>().unwrap(),
            PortSelector::Path("COM3".into())
        );
        let s: PortSelector = "1366:105:000123".parse().unwrap();
        assert_eq!(
            s,
            PortSelector::Usb {
                vendor_id: 0x1366,
                product_id: 0x0105,
                serial: Some("000123".into())
            }
        );
        assert_eq!(s.to_string(), "1366:0105:000123");
        let err = "1366:xyz".parse::<PortSelector>().unwrap_err();
        assert!(
            err.contains("product id \"xyz\" is not a 16-bit hex"),
            "{err}"
        );
        assert!("".parse::<PortSelector>().is_err());
    }

    #[test]
    fn the_only_usb_port_is_chosen_and_uarts_are_ignored() {
        let found = [
            uart("/dev/ttyS0"),
            usb("/dev/ttyACM0", 0x1366, 0x0105, None),
        ];
        assert_eq!(
            choose_port(&found, None).unwrap(),
            PathBuf::from("/dev/ttyACM0")
        );
    }

    #[test]
    fn no_usb_port_lists_what_was_found() {
        let err = choose_port(&[uart("/dev/ttyS0")], None).unwrap_err();
        assert!(matches!(err, RpcError::NoSerialPort { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains("no USB serial port") && text.contains("/dev/ttyS0 (not USB)"),
            "{text}"
        );
        assert!(text.contains("--port"), "{text}");
    }

    #[test]
    fn several_ports_are_listed_with_how_to_pick_one() {
        let found = [
            usb("/dev/ttyACM0", 0x1366, 0x0105, Some("111")),
            usb("/dev/ttyACM1", 0x1366, 0x0105, Some("222")),
            usb("/dev/ttyUSB0", 0x0403, 0x6001, Some("A5XK")),
        ];
        let err = choose_port(&found, None).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, RpcError::SeveralSerialPorts { .. }),
            "{err:?}"
        );
        assert!(
            text.contains("3 serial ports")
                && text.contains("/dev/ttyACM1 (USB 1366:0105, serial 222, SEGGER J-Link)")
                && text.contains("--port VID:PID[:SERIAL]"),
            "{text}"
        );

        let by_vid_pid: PortSelector = "1366:0105".parse().unwrap();
        let err = choose_port(&found, Some(&by_vid_pid)).unwrap_err();
        assert!(
            matches!(&err, RpcError::SeveralSerialPorts { found, selector: Some(s) }
                if found.len() == 2 && s == "1366:0105"),
            "{err:?}"
        );
        let by_serial: PortSelector = "1366:0105:222".parse().unwrap();
        assert_eq!(
            choose_port(&found, Some(&by_serial)).unwrap(),
            PathBuf::from("/dev/ttyACM1")
        );
        let ftdi: PortSelector = "403:6001".parse().unwrap();
        assert_eq!(
            choose_port(&found, Some(&ftdi)).unwrap(),
            PathBuf::from("/dev/ttyUSB0")
        );
    }

    #[test]
    fn a_selector_matching_nothing_lists_the_ports() {
        let found = [usb("/dev/ttyACM0", 0x1366, 0x0105, Some("111"))];
        let missing: PortSelector = "1366:0105:999".parse().unwrap();
        let err = choose_port(&found, Some(&missing)).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, RpcError::SerialPortNotFound { .. })
                && text.contains("--port 1366:0105:999")
                && text.contains("/dev/ttyACM0 (USB 1366:0105, serial 111"),
            "{text}"
        );
        // A path is taken as given, listed or not (QEMU's pty is in no list).
        let pty = PortSelector::Path("/dev/pts/7".into());
        assert_eq!(
            choose_port(&found, Some(&pty)).unwrap(),
            PathBuf::from("/dev/pts/7")
        );
    }

    #[test]
    fn enumeration_runs_here() {
        // This machine has no USB serial port; the enumeration must still work and give
        // only ports whose device file exists.
        for port in available_ports().unwrap() {
            assert!(port.path.exists(), "{port}");
        }
    }

    const GROUPS: &str = "root:x:0:\ntty:x:5:\ndialout:x:20:alice\nplugdev:x:46:\n";

    #[test]
    fn group_names_come_from_etc_group() {
        assert_eq!(group_name(GROUPS, 20).as_deref(), Some("dialout"));
        assert_eq!(group_name(GROUPS, 0).as_deref(), Some("root"));
        assert_eq!(group_name(GROUPS, 999), None);
        assert_eq!(group_name("garbage\n::\n", 0), None);
    }

    #[test]
    fn permission_denied_names_the_port_group_and_fix() {
        let err = open_error(
            Path::new("/dev/ttyACM0"),
            io::Error::from(io::ErrorKind::PermissionDenied),
            Some(20),
            GROUPS,
        );
        assert!(
            matches!(&err, RpcError::SerialPermission { group: Some(g), gid: Some(20), .. } if g == "dialout"),
            "{err:?}"
        );
        let text = err.to_string();
        for part in [
            "/dev/ttyACM0",
            "group \"dialout\"",
            "sudo usermod -aG dialout $USER",
            "log in again",
            "/etc/udev/rules.d/",
            "MODE=\"0660\"",
        ] {
            assert!(text.contains(part), "{part:?} missing from: {text}");
        }

        // A gid without a name is still shown, and the fix falls back to dialout.
        let err = open_error(
            Path::new("/dev/ttyUSB3"),
            io::Error::from(io::ErrorKind::PermissionDenied),
            Some(4242),
            GROUPS,
        );
        let text = err.to_string();
        assert!(text.contains("gid 4242"), "{text}");

        // Any other failure stays an I/O error of the port.
        let err = open_error(
            Path::new("/dev/ttyACM9"),
            io::Error::from(io::ErrorKind::NotFound),
            None,
            GROUPS,
        );
        assert!(
            matches!(err, RpcError::Io { action: "open", .. })
                && err.to_string().contains("/dev/ttyACM9"),
            "{err:?}"
        );
    }

    #[test]
    fn the_group_is_read_from_the_device_file() {
        // We run as root, so a real EACCES cannot be provoked: the mapping is fed a real file's
        // gid and the system's group table instead.
        use std::os::unix::fs::MetadataExt;
        let file = tempfile::NamedTempFile::new().unwrap();
        let gid = std::fs::metadata(file.path()).unwrap().gid();
        let etc_group = std::fs::read_to_string("/etc/group").unwrap_or_default();
        let err = open_error_here(
            file.path(),
            io::Error::from(io::ErrorKind::PermissionDenied),
        );
        match err {
            RpcError::SerialPermission {
                gid: Some(g),
                group,
                ..
            } => {
                assert_eq!(g, gid);
                assert_eq!(group, group_name(&etc_group, gid));
            }
            other => panic!("{other:?}"),
        }
    }
}
