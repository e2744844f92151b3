//! Running firmware on QEMU: start, expose the UART, supervise, report the exit code.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpStream, UnixStream};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::board::{Board, RunTarget};
use crate::discover::find_qemu;
use crate::error::ToolchainError;
use crate::FAULT_EXIT_CODE;

/// How the board's UART0 reaches the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SerialKind {
    /// A pseudo-terminal (`-serial pty`); the session gives its `/dev/pts/N` path.
    Pty,
    /// A TCP server socket on 127.0.0.1 that QEMU opens; the session gives a connected stream.
    /// QEMU does not start the firmware before the connection is made.
    #[default]
    Tcp,
}

/// Options for one QEMU run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QemuOptions {
    /// UART transport.
    pub serial: SerialKind,
    /// Overall time limit, from start to exit (wall clock).
    pub timeout: Duration,
    /// Extra QEMU arguments, appended last.
    pub extra_args: Vec<String>,
    /// Open QEMU's GDB remote-protocol stub on a Unix socket ([`QemuSession::gdb_socket`]), so
    /// a host can read and write the board's memory (RTT rings) while the firmware runs.
    pub gdb: bool,
}

impl Default for QemuOptions {
    fn default() -> Self {
        QemuOptions {
            serial: SerialKind::Tcp,
            timeout: Duration::from_secs(30),
            extra_args: Vec::new(),
            gdb: false,
        }
    }
}

impl QemuOptions {
    /// Default options with this UART transport.
    pub fn with_serial(serial: SerialKind) -> Self {
        QemuOptions {
            serial,
            ..QemuOptions::default()
        }
    }

    /// Set the time limit.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// The board's UART as the host sees it.
#[derive(Debug)]
pub enum UartPort {
    /// Path of the pseudo-terminal slave (`/dev/pts/N`), already in raw mode. The session keeps
    /// the slave open, so nothing the firmware writes is lost before the caller opens it.
    ///
    /// When QEMU exits, Linux hangs up the pty and discards what was not read yet, so bytes
    /// written just before `ad_board_exit` can be lost to a reader of the pty (a protocol should
    /// have the host acknowledge the last message before the firmware exits). The complete
    /// transcript is in [`QemuSession::uart_log`]. TCP has no such loss.
    Pty(PathBuf),
    /// A connected TCP stream.
    Tcp(TcpStream),
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunExit {
    /// The exit code the firmware passed to semihosting SYS_EXIT_EXTENDED, as QEMU's exit
    /// status (low 8 bits on a POSIX host).
    pub code: i32,
    /// Everything QEMU printed (stderr, then stdout lines as they came).
    pub stderr: String,
}

impl RunExit {
    /// Whether the firmware ended through the default fault hook.
    pub fn is_fault(&self) -> bool {
        self.code == FAULT_EXIT_CODE
    }
}

/// A finished run with everything the firmware wrote on its UART.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutput {
    /// The firmware's exit code.
    pub exit_code: i32,
    /// UART bytes, in order.
    pub uart: Vec<u8>,
    /// What QEMU printed (stderr and stdout).
    pub stderr: String,
}

impl RunOutput {
    /// The UART output as text (lossy).
    pub fn uart_text(&self) -> String {
        String::from_utf8_lossy(&self.uart).into_owned()
    }

    /// Whether the firmware ended through the default fault hook.
    pub fn is_fault(&self) -> bool {
        self.exit_code == FAULT_EXIT_CODE
    }
}

/// Starts firmware on `qemu-system-arm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QemuRunner {
    qemu: PathBuf,
}

enum Announcement {
    Pty(PathBuf),
    TcpPort(u16),
}

impl QemuRunner {
    /// Use `$AUTODEPLOY_QEMU` or `qemu-system-arm` from `PATH`.
    pub fn discover() -> Result<QemuRunner, ToolchainError> {
        Ok(QemuRunner { qemu: find_qemu()? })
    }

    /// Use this QEMU binary.
    pub fn new(qemu: impl Into<PathBuf>) -> QemuRunner {
        QemuRunner { qemu: qemu.into() }
    }

    /// Path of the QEMU binary.
    pub fn qemu(&self) -> &Path {
        &self.qemu
    }

    /// The QEMU arguments for `board` and `elf`, without the serial port options.
    pub fn base_args(&self, board: &Board, elf: &Path) -> Result<Vec<String>, ToolchainError> {
        let RunTarget::Qemu {
            machine,
            cpu,
            icount_shift,
        } = &board.run
        else {
            return Err(ToolchainError::NotQemuBoard {
                board: board.name.clone(),
            });
        };
        let mut args = vec!["-M".to_owned(), machine.clone()];
        if let Some(cpu) = cpu {
            args.extend(["-cpu".to_owned(), cpu.clone()]);
        }
        args.extend(
            [
                "-nographic",
                "-monitor",
                "none",
                "-semihosting-config",
                "enable=on,target=native",
                "-icount",
            ]
            .map(str::to_owned),
        );
        args.push(format!("shift={icount_shift},align=off,sleep=off"));
        args.push("-kernel".to_owned());
        args.push(elf.display().to_string());
        Ok(args)
    }

    /// Start `elf` on `board`. Returns once the UART is reachable and the firmware runs.
    pub async fn start(
        &self,
        board: &Board,
        elf: &Path,
        options: &QemuOptions,
    ) -> Result<QemuSession, ToolchainError> {
        let deadline = Instant::now() + options.timeout;
        let mut args = self.base_args(board, elf)?;
        if !elf.is_file() {
            return Err(ToolchainError::Io {
                action: "find firmware image",
                path: elf.to_owned(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
        let qmp_dir = match options.serial {
            SerialKind::Pty => {
                let dir = private_tempdir("autodeploy-qmp-")?;
                // Start paused: the firmware runs only after the pty is open (see below). QEMU
                // also copies every UART byte to a log file: a pty loses what was not yet read
                // when QEMU exits.
                args.push("-chardev".to_owned());
                args.push(format!(
                    "pty,id=uart0,logfile={}",
                    dir.path().join("uart.log").display()
                ));
                args.extend([
                    "-serial".to_owned(),
                    "chardev:uart0".to_owned(),
                    "-S".to_owned(),
                ]);
                args.push("-qmp".to_owned());
                args.push(format!(
                    "unix:{},server=on,wait=off",
                    dir.path().join("qmp.sock").display()
                ));
                Some(dir)
            }
            SerialKind::Tcp => {
                args.extend([
                    "-serial".to_owned(),
                    // nodelay: RPC requests are small; QEMU would otherwise hold them back.
                    "tcp:127.0.0.1:0,server=on,wait=on,nodelay=on".to_owned(),
                ]);
                None
            }
        };
        let gdb_dir = if options.gdb {
            let dir = private_tempdir("autodeploy-gdb-")?;
            // A Unix socket in a private directory: no port to pick, no race with other runs.
            args.push("-gdb".to_owned());
            args.push(format!(
                "unix:{},server=on,wait=off",
                dir.path().join("gdb.sock").display()
            ));
            Some(dir)
        } else {
            None
        };
        args.extend(options.extra_args.iter().cloned());
        tracing::debug!(qemu = %self.qemu.display(), ?args, "starting QEMU");

        let mut child = Command::new(&self.qemu)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| ToolchainError::Spawn {
                program: self.qemu.clone(),
                source,
            })?;

        // QEMU prints the pty path on stdout and the TCP port on stderr: watch both.
        let stderr_log = Arc::new(Mutex::new(String::new()));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut output_tasks = Vec::new();
        if let Some(stderr) = child.stderr.take() {
            output_tasks.push(tokio::spawn(watch_output(
                stderr,
                Arc::clone(&stderr_log),
                tx.clone(),
            )));
        }
        if let Some(stdout) = child.stdout.take() {
            output_tasks.push(tokio::spawn(watch_output(
                stdout,
                Arc::clone(&stderr_log),
                tx.clone(),
            )));
        }
        drop(tx);

        let mut session = QemuSession {
            child,
            board: board.name.clone(),
            elf: elf.to_owned(),
            timeout: options.timeout,
            deadline,
            stderr: stderr_log,
            output_tasks,
            uart: None,
            pty_path: None,
            pty_keeper: None,
            uart_log: None,
            _qmp_dir: None,
            gdb_socket: gdb_dir.as_ref().map(|d| d.path().join("gdb.sock")),
            _gdb_dir: gdb_dir,
        };

        let announcement = match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(a)) => a,
            Ok(None) => {
                // stderr closed without an announcement: QEMU died.
                return Err(session.failure_after_exit().await);
            }
            Err(_) => {
                session.kill_now().await;
                return Err(session.timeout_error());
            }
        };

        match (announcement, qmp_dir) {
            (Announcement::Pty(path), Some(dir)) => {
                let keeper = std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(&path)
                    .map_err(|e| {
                        session.serial_error(format!("cannot open {}: {e}", path.display()))
                    })?;
                session.pty_keeper = Some(keeper);
                let socket = dir.path().join("qmp.sock");
                match tokio::time::timeout_at(deadline, qmp_continue(&socket)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(detail)) => return Err(session.serial_error(detail)),
                    Err(_) => {
                        session.kill_now().await;
                        return Err(session.timeout_error());
                    }
                }
                session.uart_log = Some(dir.path().join("uart.log"));
                session._qmp_dir = Some(dir);
                session.pty_path = Some(path.clone());
                session.uart = Some(UartPort::Pty(path));
            }
            (Announcement::TcpPort(port), None) => {
                let stream = match tokio::time::timeout_at(
                    deadline,
                    TcpStream::connect(("127.0.0.1", port)),
                )
                .await
                {
                    Ok(Ok(s)) => s,
                    Ok(Err(e)) => {
                        return Err(session
                            .serial_error(format!("cannot connect to 127.0.0.1:{port}: {e}")))
                    }
                    Err(_) => {
                        session.kill_now().await;
                        return Err(session.timeout_error());
                    }
                };
                let _ = stream.set_nodelay(true);
                session.uart = Some(UartPort::Tcp(stream));
            }
            _ => {
                return Err(
                    session.serial_error("QEMU announced a different serial port kind".into())
                )
            }
        }
        Ok(session)
    }

    /// Start, collect everything the firmware writes on the UART, and wait for its exit.
    pub async fn run(
        &self,
        board: &Board,
        elf: &Path,
        options: &QemuOptions,
    ) -> Result<RunOutput, ToolchainError> {
        let mut session = self.start(board, elf, options).await?;
        let log = session.uart_log.clone();
        // Keep the _qmp_dir (holding the log) alive until the log is read.
        let log_dir = session._qmp_dir.take();
        let reader = match session.take_uart() {
            Some(UartPort::Tcp(mut stream)) => tokio::spawn(async move {
                let mut buf = Vec::new();
                let _ = stream.read_to_end(&mut buf).await;
                buf
            }),
            Some(UartPort::Pty(_)) => {
                let file = session.pty_keeper.as_ref().and_then(|f| f.try_clone().ok());
                tokio::task::spawn_blocking(move || {
                    use std::io::Read;
                    let mut buf = Vec::new();
                    if let Some(mut file) = file {
                        let mut chunk = [0u8; 4096];
                        // Ends with EIO once QEMU closes the pty master.
                        while let Ok(n) = file.read(&mut chunk) {
                            if n == 0 {
                                break;
                            }
                            buf.extend_from_slice(&chunk[..n]);
                        }
                    }
                    buf
                })
            }
            None => tokio::spawn(async { Vec::new() }),
        };
        let exit = session.wait().await?;
        let drained = tokio::time::timeout(Duration::from_secs(5), reader)
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        // In pty mode the log holds everything, also what the pty dropped at QEMU's exit.
        let uart = match log.map(std::fs::read) {
            Some(Ok(logged)) if logged.len() >= drained.len() => logged,
            _ => drained,
        };
        drop(log_dir);
        Ok(RunOutput {
            exit_code: exit.code,
            uart,
            stderr: exit.stderr,
        })
    }
}

/// A running QEMU. Dropping it kills QEMU.
#[derive(Debug)]
pub struct QemuSession {
    child: Child,
    board: String,
    elf: PathBuf,
    timeout: Duration,
    deadline: Instant,
    stderr: Arc<Mutex<String>>,
    output_tasks: Vec<tokio::task::JoinHandle<()>>,
    uart: Option<UartPort>,
    pty_path: Option<PathBuf>,
    pty_keeper: Option<std::fs::File>,
    uart_log: Option<PathBuf>,
    _qmp_dir: Option<tempfile::TempDir>,
    gdb_socket: Option<PathBuf>,
    _gdb_dir: Option<tempfile::TempDir>,
}

impl QemuSession {
    /// Take the UART (once): the pty path or the connected TCP stream.
    pub fn take_uart(&mut self) -> Option<UartPort> {
        self.uart.take()
    }

    /// The pty path, in pty mode.
    pub fn pty_path(&self) -> Option<&Path> {
        self.pty_path.as_deref()
    }

    /// In pty mode, the file where QEMU copies every byte the firmware writes on the UART. It is
    /// removed when the session is dropped.
    pub fn uart_log(&self) -> Option<&Path> {
        self.uart_log.as_deref()
    }

    /// The Unix socket of QEMU's gdbstub, when started with [`QemuOptions::gdb`]. Connecting
    /// halts the CPU (GDB remote protocol; `c` resumes it).
    pub fn gdb_socket(&self) -> Option<&Path> {
        self.gdb_socket.as_deref()
    }

    /// QEMU's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// What QEMU printed (stderr and stdout) so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Wait for the firmware to exit, up to the time limit given at start; past it QEMU is
    /// killed and [`ToolchainError::RunTimeout`] returned.
    pub async fn wait(mut self) -> Result<RunExit, ToolchainError> {
        let status = match tokio::time::timeout_at(self.deadline, self.child.wait()).await {
            Ok(Ok(status)) => status,
            Ok(Err(source)) => {
                return Err(ToolchainError::Spawn {
                    program: PathBuf::from("qemu-system-arm"),
                    source,
                })
            }
            Err(_) => {
                self.kill_now().await;
                return Err(self.timeout_error());
            }
        };
        self.drain_stderr().await;
        let stderr = self.stderr();
        match status.code() {
            Some(code) if code == 0 || !qemu_reported_error(&stderr) => {
                Ok(RunExit { code, stderr })
            }
            code => Err(ToolchainError::QemuFailed {
                board: self.board.clone(),
                elf: self.elf.clone(),
                status: code,
                stderr,
            }),
        }
    }

    /// Kill QEMU now.
    pub async fn kill(mut self) {
        self.kill_now().await;
    }

    async fn kill_now(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }

    async fn drain_stderr(&mut self) {
        for task in self.output_tasks.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
    }

    async fn failure_after_exit(&mut self) -> ToolchainError {
        let status = tokio::time::timeout(Duration::from_secs(5), self.child.wait())
            .await
            .ok()
            .and_then(Result::ok);
        if status.is_none() {
            self.kill_now().await;
        }
        self.drain_stderr().await;
        ToolchainError::QemuFailed {
            board: self.board.clone(),
            elf: self.elf.clone(),
            status: status.and_then(|s| s.code()),
            stderr: self.stderr(),
        }
    }

    fn timeout_error(&self) -> ToolchainError {
        ToolchainError::RunTimeout {
            board: self.board.clone(),
            elf: self.elf.clone(),
            timeout: self.timeout,
        }
    }

    fn serial_error(&self, detail: String) -> ToolchainError {
        ToolchainError::Serial {
            board: self.board.clone(),
            detail,
            stderr: self.stderr(),
        }
    }
}

/// Copy QEMU's output lines into `log`, sending any serial port announcement to `tx`.
async fn watch_output(
    stream: impl tokio::io::AsyncRead + Unpin,
    log: Arc<Mutex<String>>,
    tx: mpsc::UnboundedSender<Announcement>,
) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(a) = parse_announcement(&line) {
            let _ = tx.send(a);
        }
        if let Ok(mut log) = log.lock() {
            log.push_str(&line);
            log.push('\n');
        }
    }
}

/// Recognise QEMU's line naming the pty or the TCP port it listens on.
fn parse_announcement(line: &str) -> Option<Announcement> {
    if let Some(rest) = line.split("char device redirected to ").nth(1) {
        let path = rest.split_whitespace().next()?;
        return Some(Announcement::Pty(PathBuf::from(path)));
    }
    if let Some(rest) = line.split("waiting for connection on: ").nth(1) {
        // "disconnected:tcp:127.0.0.1:46107,server=on"
        let addr = rest.split(',').next()?;
        let port = addr.rsplit(':').next()?.parse().ok()?;
        return Some(Announcement::TcpPort(port));
    }
    None
}

/// Whether QEMU's stderr holds an error of its own (rather than the firmware's exit code).
fn qemu_reported_error(stderr: &str) -> bool {
    stderr.lines().any(|line| {
        line.starts_with("qemu-system-")
            && !line.contains("info:")
            && !line.contains("warning:")
            && !line.contains("terminating on signal")
    })
}

async fn qmp_expect_return(
    lines: &mut tokio::io::Lines<BufReader<tokio::net::unix::OwnedReadHalf>>,
    what: &str,
) -> Result<(), String> {
    loop {
        match lines.next_line().await {
            Ok(Some(line)) if line.contains("\"return\"") => return Ok(()),
            Ok(Some(line)) if line.contains("\"error\"") => {
                return Err(format!("QMP {what} failed: {line}"))
            }
            Ok(Some(_)) => continue,
            Ok(None) => return Err(format!("QMP closed during {what}")),
            Err(e) => return Err(format!("QMP read during {what}: {e}")),
        }
    }
}

/// Tell a QEMU started with -S to run, through its QMP socket.
async fn qmp_continue(socket: &Path) -> Result<(), String> {
    let mut attempts = 0;
    let stream = loop {
        match UnixStream::connect(socket).await {
            Ok(s) => break s,
            Err(e) if attempts < 100 => {
                attempts += 1;
                tracing::trace!(error = %e, "QMP socket not ready");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => return Err(format!("cannot connect to QMP socket: {e}")),
        }
    };
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    // Greeting first, then capabilities negotiation, then "cont".
    match lines.next_line().await {
        Ok(Some(_)) => {}
        _ => return Err("no QMP greeting".into()),
    }
    write
        .write_all(b"{\"execute\":\"qmp_capabilities\"}\n")
        .await
        .map_err(|e| format!("QMP write: {e}"))?;
    qmp_expect_return(&mut lines, "qmp_capabilities").await?;
    write
        .write_all(b"{\"execute\":\"cont\"}\n")
        .await
        .map_err(|e| format!("QMP write: {e}"))?;
    // A short firmware may finish, and QEMU exit, before the reply arrives: only an explicit
    // error reply is a failure.
    match qmp_expect_return(&mut lines, "cont").await {
        Err(e) if e.contains("failed:") => Err(e),
        _ => Ok(()),
    }
}

/// A fresh temporary directory for QEMU's sockets and logs, removed when dropped.
fn private_tempdir(prefix: &str) -> Result<tempfile::TempDir, ToolchainError> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .map_err(|source| ToolchainError::Io {
            action: "create temporary directory",
            path: std::env::temp_dir(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_rs_boards_are_not_run_on_qemu() {
        let text = include_str!("../boards/qemu-m4.toml")
            .replace(
                "kind = \"qemu-fpgaio\"\naddress = 0x40028018\ninstructions_per_tick = \"40/1024\"",
                "kind = \"dwt-cyccnt\"",
            )
            .replace(
                "kind = \"qemu\"\nmachine = \"mps2-an386\"\ncpu = \"cortex-m4\"\nicount_shift = 10",
                "kind = \"probe-rs\"\nchip = \"STM32F429ZITx\"",
            );
        let board = Board::from_toml_str(&text, "test").unwrap();
        assert!(matches!(board.run, RunTarget::ProbeRs { .. }));
        let err = QemuRunner::new("qemu-system-arm")
            .base_args(&board, Path::new("fw.elf"))
            .unwrap_err();
        assert!(
            matches!(err, ToolchainError::NotQemuBoard { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn qemu_arguments() {
        let board = Board::builtin("qemu-m55").unwrap();
        let args = QemuRunner::new("qemu-system-arm")
            .base_args(&board, Path::new("fw.elf"))
            .unwrap()
            .join(" ");
        assert_eq!(
            args,
            "-M mps3-an547 -cpu cortex-m55 -nographic -monitor none -semihosting-config \
             enable=on,target=native -icount shift=10,align=off,sleep=off -kernel fw.elf"
        );
    }

    #[test]
    fn announcements_are_parsed() {
        match parse_announcement("char device redirected to /dev/pts/7 (label serial0)") {
            Some(Announcement::Pty(p)) => assert_eq!(p, PathBuf::from("/dev/pts/7")),
            _ => panic!("pty not recognised"),
        }
        let line = "qemu-system-arm: -serial tcp:127.0.0.1:0,server=on,wait=on: info: QEMU waiting for connection on: disconnected:tcp:127.0.0.1:46107,server=on";
        match parse_announcement(line) {
            Some(Announcement::TcpPort(p)) => assert_eq!(p, 46107),
            _ => panic!("tcp not recognised"),
        }
        assert!(parse_announcement("something else").is_none());
    }

    #[test]
    fn qemu_errors_are_told_from_info_lines() {
        assert!(qemu_reported_error(
            "qemu-system-arm: -kernel x.elf: could not load kernel\n"
        ));
        assert!(!qemu_reported_error(
            "qemu-system-arm: -serial tcp:...: info: QEMU waiting for connection on: x\n"
        ));
    }
}
