//! Probe selection and chip attach without hardware: probe-rs's `Lister` is given a lister
//! whose probes are probe-rs's own `FakeProbe` with a mocked Cortex-M core. This covers our
//! selection rules and error messages and the attach path up to probe-rs; it does not
//! exercise USB, a real debug port or loading.
#![cfg(feature = "probe")]

use autodeploy_toolchain::probe::probe_rs::probe::fake_probe::FakeProbe;
use autodeploy_toolchain::probe::probe_rs::probe::list::{ProbeListItem, ProbeLister};
use autodeploy_toolchain::probe::probe_rs::probe::{
    DebugProbe, DebugProbeError, DebugProbeInfo, DebugProbeSelector, Probe, ProbeFactory,
    WireProtocol,
};
use autodeploy_toolchain::probe::{attach, choose_probe, list_probes, Lister};
use autodeploy_toolchain::{Board, ProbeSelector, ToolchainError};

/// Opens a fake probe with a mocked core for any selector.
#[derive(Debug)]
struct FakeFactory;

impl std::fmt::Display for FakeFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fake")
    }
}

impl ProbeFactory for FakeFactory {
    fn open(&self, _: &DebugProbeSelector) -> Result<Box<dyn DebugProbe>, DebugProbeError> {
        Ok(Box::new(FakeProbe::with_mocked_core()))
    }

    fn list_probes(&self) -> Vec<ProbeListItem> {
        Vec::new()
    }
}

static FACTORY: FakeFactory = FakeFactory;

/// The probes to list, and whether their targets are silent.
#[derive(Debug)]
struct FakeLister(Vec<(u16, u16, &'static str)>, bool);

impl FakeLister {
    fn infos(&self) -> Vec<DebugProbeInfo> {
        self.0
            .iter()
            .map(|&(vid, pid, serial)| {
                DebugProbeInfo::new(
                    "Fake probe",
                    vid,
                    pid,
                    Some(serial.to_string()),
                    &FACTORY,
                    None,
                    false,
                )
            })
            .collect()
    }
}

impl ProbeLister for FakeLister {
    fn open(&self, selector: &DebugProbeSelector) -> Result<Probe, DebugProbeError> {
        let _ = FACTORY.open(selector)?;
        if self.1 {
            return Ok(Probe::from_specific_probe(Box::new(SilentTargetProbe)));
        }
        Ok(FakeProbe::with_mocked_core().into_probe())
    }

    fn list_with_access(&self, selector: Option<&DebugProbeSelector>) -> Vec<ProbeListItem> {
        self.infos()
            .into_iter()
            .filter(|i| selector.is_none_or(|s| s.matches_probe(i)))
            .map(ProbeListItem::accessible)
            .collect()
    }
}

fn lister(probes: Vec<(u16, u16, &'static str)>) -> Lister {
    Lister::with_lister(Box::new(FakeLister(probes, false)))
}

/// A probe that opens but whose target never answers on the wire (no power, no SWD cable):
/// every attempt to reach the chip fails as a real probe's does.
#[derive(Debug)]
struct SilentTargetProbe;

impl DebugProbe for SilentTargetProbe {
    fn get_name(&self) -> &str {
        "probe with a silent target"
    }

    fn speed_khz(&self) -> u32 {
        1000
    }

    fn set_speed(&mut self, speed_khz: u32) -> Result<u32, DebugProbeError> {
        Ok(speed_khz)
    }

    fn attach(&mut self) -> Result<(), DebugProbeError> {
        Err(DebugProbeError::TargetNotFound)
    }

    fn detach(&mut self) -> Result<(), autodeploy_toolchain::probe::probe_rs::Error> {
        Ok(())
    }

    fn target_reset(&mut self) -> Result<(), DebugProbeError> {
        Err(DebugProbeError::TargetNotFound)
    }

    fn target_reset_assert(&mut self) -> Result<(), DebugProbeError> {
        Err(DebugProbeError::TargetNotFound)
    }

    fn target_reset_deassert(&mut self) -> Result<(), DebugProbeError> {
        Err(DebugProbeError::TargetNotFound)
    }

    fn select_protocol(&mut self, _: WireProtocol) -> Result<(), DebugProbeError> {
        Ok(())
    }

    fn active_protocol(&self) -> Option<WireProtocol> {
        Some(WireProtocol::Swd)
    }

    fn into_probe(self: Box<Self>) -> Box<dyn DebugProbe> {
        self
    }
}

/// A user board on a chip probe-rs knows (the fake core answers as any Cortex-M).
fn board(chip: &str, target_file: Option<&str>) -> Board {
    let target_file = target_file
        .map(|f| format!("target_file = {f:?}\n"))
        .unwrap_or_default();
    let text = format!(
        r#"
name = "fake-m0"
description = "a board for the probe tests"
core = "cortex-m0"
clock_hz = 16_000_000
cflags = ["-mcpu=cortex-m0", "-mthumb"]
stack_size = 0x800

[[memory]]
name = "flash"
origin = 0x00000000
length = 0x00040000
holds = ["code", "rodata"]

[[memory]]
name = "ram"
origin = 0x20000000
length = 0x00004000
holds = ["data", "bss", "arena", "heap", "stack"]

[uart]
kind = "pl011"
base = 0x40002000

[counter]
kind = "dwt-cyccnt"

[run]
kind = "probe-rs"
chip = "{chip}"
{target_file}load = "ram"
transport = "rtt"
"#
    );
    Board::from_toml_str(&text, "probe test").unwrap()
}

#[test]
fn no_probe_is_an_error_naming_the_board() {
    let err = choose_probe("apollo510-evb", lister(vec![]).list_all(), None).unwrap_err();
    assert!(matches!(err, ToolchainError::NoProbe { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("apollo510-evb") && text.contains("none was found"),
        "{text}"
    );
}

#[test]
fn several_probes_are_listed_with_how_to_pick_one() {
    let l = lister(vec![(0x1366, 0x0105, "111"), (0x0d28, 0x0204, "222")]);
    assert_eq!(list_probes(&l).len(), 2);
    let err = choose_probe("b", l.list_all(), None).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, ToolchainError::SeveralProbes { .. }),
        "{err:?}"
    );
    assert!(
        text.contains("1366:0105, serial 111")
            && text.contains("0d28:0204, serial 222")
            && text.contains("--probe VID:PID[:SERIAL]"),
        "{text}"
    );

    let pick: ProbeSelector = "0d28:0204".parse().unwrap();
    let chosen = choose_probe("b", l.list_all(), Some(&pick)).unwrap();
    assert_eq!(chosen.serial_number.as_deref(), Some("222"));

    let missing: ProbeSelector = "1366:0105:999".parse().unwrap();
    let err = choose_probe("b", l.list_all(), Some(&missing)).unwrap_err();
    assert!(
        matches!(err, ToolchainError::ProbeNotFound { .. })
            && err.to_string().contains("1366:0105:999"),
        "{err}"
    );
}

#[test]
fn attaches_to_a_builtin_target_through_the_fake_probe() {
    let l = lister(vec![(0x1366, 0x0105, "111")]);
    let session = attach(&board("nrf51822_xxAC", None), &l, None).unwrap();
    assert!(!session.list_cores().is_empty());
}

#[test]
fn unknown_chip_and_bad_target_file_are_reported() {
    let l = lister(vec![(0x1366, 0x0105, "111")]);
    let err = attach(&board("NO_SUCH_CHIP_42", None), &l, None).unwrap_err();
    assert!(
        matches!(&err, ToolchainError::UnknownChip { chip, .. } if chip == "NO_SUCH_CHIP_42"),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("probe-rs knows no chip \"NO_SUCH_CHIP_42\"") && text.contains("target_file"),
        "{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("broken.yaml");
    std::fs::write(&yaml, "name: broken\nvariants: [").unwrap();
    let err = attach(&board("x", Some(yaml.to_str().unwrap())), &l, None).unwrap_err();
    assert!(
        matches!(err, ToolchainError::TargetDescription { .. }),
        "{err:?}"
    );
}

#[test]
fn a_chip_that_does_not_answer_is_reported_with_what_to_check() {
    let l = Lister::with_lister(Box::new(FakeLister(vec![(0x1366, 0x0105, "111")], true)));
    let err = attach(&board("nrf51822_xxAC", None), &l, None).unwrap_err();
    assert!(
        matches!(&err, ToolchainError::ChipNotAnswering { chip, probe, .. }
            if chip == "nrf51822_xxAC" && probe.contains("1366:0105, serial 111")),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("does not answer") && text.contains("powered"),
        "{text}"
    );
}
