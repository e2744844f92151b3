//! TCP and Unix socket transports (what QEMU offers with `-serial tcp:` and `-serial unix:`),
//! served by the fake board on loopback and in a temporary directory.

mod common;

use std::time::Duration;

use autodeploy_rpc::transport::{TcpTransport, Transport, UnixTransport};
use autodeploy_rpc::{Client, ClientConfig, RpcError};

fn config() -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(2),
        ..ClientConfig::default()
    }
}

async fn session<T: Transport>(transport: T) {
    let mut client = Client::connect_with(transport, config()).await.unwrap();
    let input = common::pattern(3000);
    client.set_input(0, &input).await.unwrap();
    client.invoke(1, 0).await.unwrap();
    assert_eq!(
        client.get_output(0).await.unwrap(),
        input.iter().map(|b| b.wrapping_add(1)).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn tcp_session() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        common::FakeBoard::new(common::BoardConfig::default())
            .0
            .serve(stream)
            .await;
    });
    let transport = TcpTransport::connect(&addr).await.unwrap();
    assert_eq!(transport.describe(), format!("tcp {addr}"));
    session(transport).await;
}

#[tokio::test]
async fn unix_session() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("board.sock");
    let listener = tokio::net::UnixListener::bind(&path).unwrap();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        common::FakeBoard::new(common::BoardConfig::default())
            .0
            .serve(stream)
            .await;
    });
    session(UnixTransport::connect(&path).await.unwrap()).await;
}

#[tokio::test]
async fn boxed_transport_works_too() {
    let (host, board) = autodeploy_rpc::transport::memory::pair(4096);
    tokio::spawn(
        common::FakeBoard::new(common::BoardConfig::default())
            .0
            .serve(board),
    );
    let boxed: Box<dyn Transport> = Box::new(host);
    session(boxed).await;
}

#[tokio::test]
async fn connection_refused_is_an_io_error_naming_the_transport() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nobody.sock");
    match UnixTransport::connect(&missing).await {
        Err(RpcError::Io {
            transport, action, ..
        }) => {
            assert_eq!(action, "connect");
            assert!(transport.ends_with("nobody.sock"), "{transport}");
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    match autodeploy_rpc::transport::SerialTransport::open(dir.path().join("ttyNONE"), 115_200) {
        Err(RpcError::Io { action: "open", .. }) => {}
        other => panic!("{:?}", other.map(|_| ())),
    }
}
