//! Starting a board and opening the chosen transport to its validator firmware: the UART
//! socket, a serial port (QEMU's pty, or a real board's port found by USB ids), or RTT rings
//! reached through QEMU's gdbstub or a probe.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use autodeploy_rpc::transport::{
    available_ports, choose_port, GdbRemote, PortSelector, Rtt, RttTransport, SerialTransport,
    TcpTransport,
};
use autodeploy_rpc::{RpcError, Transport};
use autodeploy_toolchain::{
    symbol_address, Firmware, QemuOptions, QemuRunner, QemuSession, RunTarget, SerialKind,
    TransportKind, UartPort,
};
use tokio::net::UnixStream;

use crate::error::ValidateError;
use crate::firmware::RTT_SYMBOL;
use crate::reuse::FirmwareStart;
use crate::ValidateOptions;

/// How long the firmware may take to set up its RTT control block after start.
pub(crate) const RTT_ATTACH_WAIT: Duration = Duration::from_secs(5);

/// For a real board: that its probe is there and, for the serial transport, that the port can
/// be chosen (nothing to check for QEMU). Runs before the build, so these errors come in
/// seconds.
pub(crate) fn check_reachable(options: &ValidateOptions) -> Result<(), ValidateError> {
    if matches!(options.board.run, RunTarget::Qemu { .. }) {
        return Ok(());
    }
    match options.transport() {
        TransportKind::Uart => {
            return Err(link_error(RpcError::InvalidArgument(format!(
                "board {}: the uart transport is QEMU's UART socket; a real board's UART is --transport serial",
                options.board.name
            ))))
        }
        TransportKind::Serial => {
            real_serial_port(options)?;
        }
        TransportKind::Rtt => {}
    }
    #[cfg(feature = "probe")]
    {
        crate::probe::check(options)
    }
    #[cfg(not(feature = "probe"))]
    Err(no_probe_support(options))
}

fn link_error(source: RpcError) -> ValidateError {
    ValidateError::Rpc {
        during: "connecting to the board".into(),
        source: Box::new(source),
    }
}

/// The serial port of a real board: `--port PATH`, the one USB port matching `--port
/// VID:PID[:SERIAL]`, or the only USB serial port.
pub(crate) fn real_serial_port(options: &ValidateOptions) -> Result<PathBuf, ValidateError> {
    let found = match &options.port {
        Some(PortSelector::Path(_)) => Vec::new(),
        _ => available_ports().map_err(link_error)?,
    };
    choose_port(&found, options.port.as_ref()).map_err(link_error)
}

#[cfg(not(feature = "probe"))]
fn no_probe_support(options: &ValidateOptions) -> ValidateError {
    ValidateError::Toolchain {
        board: options.board.name.clone(),
        source: Box::new(autodeploy_toolchain::ToolchainError::NoProbeSupport {
            board: options.board.name.clone(),
        }),
    }
}

/// What [`start`] gives: the QEMU session when the board is QEMU, the link, and whether the
/// firmware was loaded or reused.
pub(crate) type Started = (Option<QemuSession>, Box<dyn Transport>, FirmwareStart);

/// Starts the firmware on `options.board` and opens the transport `options.transport()`. A
/// real board that already runs the firmware of the model `expected_hash` keeps it (unless
/// `options.reload`).
pub(crate) async fn start(
    firmware: &Firmware,
    options: &ValidateOptions,
    expected_hash: &str,
) -> Result<Started, ValidateError> {
    let board = &options.board;
    let toolchain_err = |source| ValidateError::Toolchain {
        board: board.name.clone(),
        source: Box::new(source),
    };
    let transport = options.transport();
    if !matches!(board.run, RunTarget::Qemu { .. }) {
        return start_real(firmware, options, expected_hash).await;
    }
    let runner = QemuRunner::discover().map_err(toolchain_err)?;
    // The session's own deadline bounds the whole run; requests have theirs.
    let mut qemu_options = QemuOptions::default().timeout(Duration::from_secs(24 * 3600));
    qemu_options.serial = match transport {
        TransportKind::Serial => SerialKind::Pty,
        TransportKind::Uart | TransportKind::Rtt => SerialKind::Tcp,
    };
    qemu_options.gdb = transport == TransportKind::Rtt;
    let mut session = runner
        .start(board, &firmware.elf, &qemu_options)
        .await
        .map_err(toolchain_err)?;
    let opened = open(&mut session, firmware, options, transport).await;
    match opened {
        Ok(t) => Ok((Some(session), t, FirmwareStart::Loaded { reason: None })),
        Err(e) => {
            session.kill().await;
            Err(e)
        }
    }
}

async fn open(
    session: &mut QemuSession,
    firmware: &Firmware,
    options: &ValidateOptions,
    transport: TransportKind,
) -> Result<Box<dyn Transport>, ValidateError> {
    let board = &options.board.name;
    let link_err = |during: &str, source: RpcError| ValidateError::Rpc {
        during: during.to_string(),
        source: Box::new(source),
    };
    match (transport, session.take_uart()) {
        (TransportKind::Uart, Some(UartPort::Tcp(stream))) => {
            // Requests are small and answered one by one: without NODELAY each
            // waits for the peer's delayed ACK (tens of milliseconds).
            let _ = stream.set_nodelay(true);
            Ok(Box::new(TcpTransport::from_stream(
                stream,
                format!("{board} UART"),
            )))
        }
        (TransportKind::Serial, Some(UartPort::Pty(path))) => {
            let port =
                SerialTransport::open(&path, autodeploy_rpc::transport::serial::DEFAULT_BAUD)
                    .map_err(|e| link_err("opening the board's serial port", e))?;
            Ok(Box::new(port))
        }
        (TransportKind::Rtt, uart) => {
            // An RTT firmware does not use the UART: its socket is closed (QEMU then discards
            // what the UART sends).
            let socket = session.gdb_socket().map(Path::to_path_buf).ok_or_else(|| {
                link_err(
                    "connecting to QEMU's gdbstub",
                    RpcError::InvalidArgument("QEMU was started without -gdb".into()),
                )
            })?;
            let address = rtt_address(firmware, board)?;
            let target = format!("{board} gdbstub");
            let stream = connect_unix(&socket).await.map_err(|detail| {
                link_err(
                    "connecting to QEMU's gdbstub",
                    RpcError::MemoryAccess {
                        target: target.clone(),
                        action: format!("connect to {}", socket.display()),
                        detail,
                    },
                )
            })?;
            let gdb = GdbRemote::connect(stream, target, options.request_timeout)
                .await
                .map_err(|e| link_err("attaching to QEMU's gdbstub", e))?;
            let rtt = Rtt::attach(gdb, address, RTT_ATTACH_WAIT)
                .await
                .map_err(|e| link_err("finding the RTT control block", e))?;
            drop(uart);
            Ok(Box::new(RttTransport::start(rtt)))
        }
        (kind, _) => Err(link_err(
            "connecting to the board",
            RpcError::InvalidArgument(format!(
                "QEMU gave no port for the {} transport",
                kind.as_str()
            )),
        )),
    }
}

/// A real board: attach through the probe, reuse or load, then RTT through the probe or the
/// board's serial port.
async fn start_real(
    firmware: &Firmware,
    options: &ValidateOptions,
    expected_hash: &str,
) -> Result<Started, ValidateError> {
    check_reachable(options)?;
    #[cfg(feature = "probe")]
    {
        let (link, start) = crate::probe::start(firmware, options, expected_hash).await?;
        Ok((None, link, start))
    }
    #[cfg(not(feature = "probe"))]
    {
        let _ = (firmware, expected_hash);
        Err(no_probe_support(options))
    }
}

/// The RTT control block's address, from the firmware's symbol table.
pub(crate) fn rtt_address(firmware: &Firmware, board: &str) -> Result<u32, ValidateError> {
    let address =
        symbol_address(&firmware.elf, RTT_SYMBOL).map_err(|e| ValidateError::Toolchain {
            board: board.to_string(),
            source: Box::new(e),
        })?;
    let address = address.and_then(|a| u32::try_from(a).ok());
    address.ok_or_else(|| ValidateError::Rpc {
        during: "finding the RTT control block".into(),
        source: Box::new(RpcError::InvalidArgument(format!(
            "{} has no symbol {RTT_SYMBOL}: it was not built for RTT",
            firmware.elf.display()
        ))),
    })
}

/// QEMU creates the socket a moment after it starts.
async fn connect_unix(path: &Path) -> Result<UnixStream, String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match UnixStream::connect(path).await {
            Ok(s) => return Ok(s),
            Err(e) if Instant::now() >= deadline => return Err(e.to_string()),
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}
