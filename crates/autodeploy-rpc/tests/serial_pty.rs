//! `SerialTransport` (tokio-serial) against a real pseudo-terminal, the way QEMU's
//! `-serial pty` provides one: the "board" holds the master side, the host opens the slave
//! path (`/dev/pts/N`) like a USB CDC port. The pty starts in cooked mode (echo, line editing,
//! CR/LF translation), so these tests also prove that opening the port makes it raw.

mod common;

use std::io;
use std::os::fd::OwnedFd;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use autodeploy_rpc::transport::SerialTransport;
use autodeploy_rpc::{Client, ClientConfig};
use rustix::termios::{InputModes, LocalModes, OutputModes};
use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

/// The master side of a pseudo-terminal as a tokio byte stream.
struct Master(AsyncFd<OwnedFd>);

fn open_pty() -> (Master, String) {
    use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
    let fd = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
    grantpt(&fd).unwrap();
    unlockpt(&fd).unwrap();
    let name = ptsname(&fd, Vec::new()).unwrap().into_string().unwrap();
    let flags = rustix::fs::fcntl_getfl(&fd).unwrap();
    rustix::fs::fcntl_setfl(&fd, flags | rustix::fs::OFlags::NONBLOCK).unwrap();
    // `AsyncFd::new` is deprecated for types whose fd may be closed behind tokio's back; an
    // `OwnedFd` moved into the AsyncFd cannot be, and the replacement is `unsafe`.
    #[allow(deprecated)]
    let master = AsyncFd::new(fd).unwrap();
    (Master(master), name)
}

impl AsyncRead for Master {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            let mut guard = ready!(self.0.poll_read_ready(cx))?;
            let unfilled = buf.initialize_unfilled();
            match guard.try_io(|fd| match rustix::io::read(fd.get_ref(), &mut *unfilled) {
                Ok(n) => Ok(n),
                // Linux reports EIO on the master once the slave side is closed: end of stream.
                Err(rustix::io::Errno::IO) => Ok(0),
                Err(e) => Err(io::Error::from(e)),
            }) {
                Ok(Ok(n)) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Ok(Err(e)) => return Poll::Ready(Err(e)),
                Err(_would_block) => continue,
            }
        }
    }
}

impl AsyncWrite for Master {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            let mut guard = ready!(self.0.poll_write_ready(cx))?;
            match guard.try_io(|fd| rustix::io::write(fd.get_ref(), buf).map_err(io::Error::from)) {
                Ok(result) => return Poll::Ready(result),
                Err(_would_block) => continue,
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

async fn read_exact_timeout<R: AsyncRead + Unpin>(r: &mut R, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    tokio::time::timeout(Duration::from_secs(5), r.read_exact(&mut buf))
        .await
        .expect("bytes arrive in time")
        .unwrap();
    buf
}

#[tokio::test]
async fn opened_port_is_raw_and_passes_every_byte() {
    let (mut master, path) = open_pty();
    let before = rustix::termios::tcgetattr(master.0.get_ref()).unwrap();
    assert!(
        before
            .local_modes
            .contains(LocalModes::ECHO | LocalModes::ICANON),
        "pty starts cooked"
    );

    let mut port = SerialTransport::open(&path, 115_200).unwrap();
    let after = rustix::termios::tcgetattr(master.0.get_ref()).unwrap();
    for flag in [
        LocalModes::ECHO,
        LocalModes::ICANON,
        LocalModes::ISIG,
        LocalModes::IEXTEN,
    ] {
        assert!(!after.local_modes.contains(flag), "{flag:?} still set");
    }
    for flag in [
        InputModes::ICRNL,
        InputModes::IXON,
        InputModes::INLCR,
        InputModes::ISTRIP,
    ] {
        assert!(!after.input_modes.contains(flag), "{flag:?} still set");
    }
    assert!(!after.output_modes.contains(OutputModes::OPOST));

    let all: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    // Board to host: ^C, ^D, ^S, ^Q, CR, LF, DEL and the rest arrive untouched.
    master.write_all(&all).await.unwrap();
    assert_eq!(read_exact_timeout(&mut port, all.len()).await, all);
    // Host to board: the same, and nothing echoes back to the host.
    port.write_all(&all).await.unwrap();
    port.flush().await.unwrap();
    assert_eq!(read_exact_timeout(&mut master, all.len()).await, all);
    let mut extra = [0u8; 1];
    let echoed = tokio::time::timeout(Duration::from_millis(200), port.read(&mut extra)).await;
    assert!(echoed.is_err(), "the port echoed bytes back");
}

#[tokio::test]
async fn client_session_over_a_pseudo_terminal() {
    let (master, path) = open_pty();
    // Open the slave before the board reads the master (reading a master with no slave
    // open reports end of stream).
    let port = SerialTransport::open(&path, 115_200).unwrap();
    let (board, _) = common::FakeBoard::new(common::BoardConfig::default());
    tokio::spawn(board.serve(master));

    let config = ClientConfig {
        timeout: Duration::from_secs(2),
        expected_model_hash: Some(common::HASH.to_vec()),
        ..ClientConfig::default()
    };
    let mut client = Client::connect_with(port, config).await.unwrap();
    let input = common::pattern(3000);
    client.set_input(0, &input).await.unwrap();
    client.invoke(2, 1).await.unwrap();
    let output = client.get_output(0).await.unwrap();
    assert_eq!(
        output,
        input.iter().map(|b| b.wrapping_add(2)).collect::<Vec<_>>()
    );
    assert_eq!(client.frame_stats().dropped(), 0);
}
