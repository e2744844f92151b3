//! The request/response client.

use std::collections::VecDeque;
use std::time::Duration;

use prost::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::{hex, Fault};
use crate::frame::{self, FrameDecoder, FrameStats};
use crate::proto::{self, board_message::Body, host_message::Request};
use crate::transport::Transport;
use crate::RpcError;

/// Version of the protocol this crate speaks; equals `AD_RPC_PROTOCOL_VERSION` in the firmware.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest chunk of tensor data in one message; equals `AD_RPC_MAX_CHUNK` in the firmware.
pub const MAX_CHUNK: usize = 1024;

/// Most layers a profile may report (a bound against a confused board).
const MAX_PROFILE_LAYERS: u32 = 1 << 16;

/// How a [`Client`] behaves. `Default` suits QEMU and USB CDC boards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Time allowed for one attempt of an ordinary request.
    pub timeout: Duration,
    /// Time allowed for one attempt of `invoke` and `run_layers`, which run the model.
    pub invoke_timeout: Duration,
    /// How often a request is sent again after a timeout. Every request is safe to repeat:
    /// chunk writes are idempotent and a repeated run only runs again.
    pub retries: u32,
    /// Largest data chunk the host sends or asks for; the board's `max_chunk` also bounds it.
    pub max_chunk: usize,
    /// When set, `hello` fails with [`RpcError::ModelHash`] unless the board reports this hash.
    pub expected_model_hash: Option<Vec<u8>>,
    /// Largest tensor the host accepts to download.
    pub max_tensor_bytes: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(2),
            invoke_timeout: Duration::from_secs(60),
            retries: 2,
            max_chunk: MAX_CHUNK,
            expected_model_hash: None,
            max_tensor_bytes: 64 << 20,
        }
    }
}

/// A connection to one board's validator firmware. One request is in flight at a time.
#[derive(Debug)]
pub struct Client<T: Transport> {
    transport: T,
    config: ClientConfig,
    decoder: FrameDecoder,
    ready: VecDeque<Vec<u8>>,
    read_buf: Vec<u8>,
    seq: u32,
    info: Option<proto::Info>,
}

impl<T: Transport> Client<T> {
    /// A client that has not talked to the board yet.
    pub fn new(transport: T, config: ClientConfig) -> Self {
        Self {
            transport,
            config,
            decoder: FrameDecoder::default(),
            ready: VecDeque::new(),
            read_buf: vec![0; 4096],
            seq: 0,
            info: None,
        }
    }

    /// Connects with the default configuration and performs the [`hello`](Self::hello) handshake.
    pub async fn connect(transport: T) -> Result<Self, RpcError> {
        Self::connect_with(transport, ClientConfig::default()).await
    }

    /// Connects with `config` and performs the [`hello`](Self::hello) handshake.
    pub async fn connect_with(transport: T, config: ClientConfig) -> Result<Self, RpcError> {
        let mut client = Self::new(transport, config);
        client.hello().await?;
        Ok(client)
    }

    /// The configuration in use.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Changes the timeout of ordinary requests.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.config.timeout = timeout;
    }

    /// Changes the timeout of `invoke` and `run_layers`.
    pub fn set_invoke_timeout(&mut self, timeout: Duration) {
        self.config.invoke_timeout = timeout;
    }

    /// The board's Info from the last `hello` or `get_info`.
    pub fn info(&self) -> Option<&proto::Info> {
        self.info.as_ref()
    }

    /// Frame statistics (good, CRC failures, malformed, oversize) since the client was made.
    pub fn frame_stats(&self) -> FrameStats {
        self.decoder.stats()
    }

    /// The transport in use.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Gives the transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// Handshake: fetches Info and checks the protocol version and, if configured, the model
    /// hash (a mismatch means the firmware is stale).
    pub async fn hello(&mut self) -> Result<proto::Info, RpcError> {
        let info = self.get_info().await?;
        if info.protocol_version != PROTOCOL_VERSION {
            return Err(RpcError::ProtocolVersion {
                host: PROTOCOL_VERSION,
                board_version: info.protocol_version,
                board: info.board.clone(),
            });
        }
        if let Some(expected) = &self.config.expected_model_hash {
            if *expected != info.model_hash {
                return Err(RpcError::ModelHash {
                    expected: expected.clone(),
                    actual: info.model_hash.clone(),
                    board: info.board.clone(),
                });
            }
        }
        tracing::info!(
            board = %info.board,
            core = %info.core,
            clock_hz = info.clock_hz,
            arena_size = info.arena_size,
            model_hash = %hex(&info.model_hash),
            "connected"
        );
        Ok(info)
    }

    /// Fetches the board's Info without checking it.
    pub async fn get_info(&mut self) -> Result<proto::Info, RpcError> {
        let request = Request::Hello(proto::Hello {
            protocol_version: PROTOCOL_VERSION,
        });
        match self.call(request, self.config.timeout).await? {
            Body::Info(info) => {
                self.info = Some(info.clone());
                Ok(info)
            }
            other => Err(unexpected("hello", "info", &other)),
        }
    }

    /// Uploads input `index`, in chunks of at most the negotiated chunk size.
    pub async fn set_input(&mut self, index: u32, data: &[u8]) -> Result<(), RpcError> {
        let total_size = u32::try_from(data.len()).map_err(|_| {
            RpcError::InvalidArgument(format!(
                "input {index} has {} bytes, more than a u32 can describe",
                data.len()
            ))
        })?;
        let chunk = self.chunk_size();
        let mut offset = 0usize;
        loop {
            let end = data.len().min(offset + chunk);
            let request = Request::SetInput(proto::SetInput {
                index,
                offset: offset as u32, // offset <= data.len() fits in u32 (checked above)
                total_size,
                data: data[offset..end].to_vec(),
            });
            let what = describe(&request);
            match self.call(request, self.config.timeout).await? {
                Body::Ack(_) => {}
                other => return Err(unexpected(&what, "ack", &other)),
            }
            offset = end;
            if offset >= data.len() {
                return Ok(());
            }
        }
    }

    /// Runs the model `warmup` times unmeasured, then `runs` times measured.
    pub async fn invoke(&mut self, runs: u32, warmup: u32) -> Result<proto::RunResult, RpcError> {
        let request = Request::Invoke(proto::Invoke { runs, warmup });
        self.run(request).await
    }

    /// Runs layers `first..=last` once (for debugging a mismatch layer by layer).
    pub async fn run_layers(
        &mut self,
        first: u32,
        last: u32,
    ) -> Result<proto::RunResult, RpcError> {
        if first > last {
            return Err(RpcError::InvalidArgument(format!(
                "run_layers: first layer {first} is after last layer {last}"
            )));
        }
        self.run(Request::RunLayers(proto::RunLayers { first, last }))
            .await
    }

    async fn run(&mut self, request: Request) -> Result<proto::RunResult, RpcError> {
        let what = describe(&request);
        match self.call(request, self.config.invoke_timeout).await? {
            Body::RunResult(result) => Ok(result),
            other => Err(unexpected(&what, "run_result", &other)),
        }
    }

    /// Downloads output `index`.
    pub async fn get_output(&mut self, index: u32) -> Result<Vec<u8>, RpcError> {
        self.read_tensor(proto::TensorKind::Output, index).await
    }

    /// Downloads input `index` back (to check an upload).
    pub async fn get_input(&mut self, index: u32) -> Result<Vec<u8>, RpcError> {
        self.read_tensor(proto::TensorKind::Input, index).await
    }

    /// Downloads model tensor `id` (an index into the model's tensor table), typically an
    /// intermediate tensor right after [`run_layers`](Self::run_layers).
    pub async fn get_tensor(&mut self, id: u32) -> Result<Vec<u8>, RpcError> {
        self.read_tensor(proto::TensorKind::Model, id).await
    }

    /// Downloads the state region of a streaming model (its resource
    /// variables, as the generated code lays them out).
    pub async fn get_state(&mut self) -> Result<Vec<u8>, RpcError> {
        self.read_tensor(proto::TensorKind::State, 0).await
    }

    async fn read_tensor(
        &mut self,
        kind: proto::TensorKind,
        index: u32,
    ) -> Result<Vec<u8>, RpcError> {
        let chunk = self.chunk_size();
        let mut out: Vec<u8> = Vec::new();
        let mut total: Option<usize> = None;
        loop {
            let offset = out.len();
            let request = Request::ReadTensor(proto::ReadTensor {
                kind: kind as i32,
                index,
                offset: offset as u32, // bounded by max_tensor_bytes, checked below
                length: chunk as u32,
            });
            let what = describe(&request);
            let c = match self.call(request, self.config.timeout).await? {
                Body::TensorChunk(c) => c,
                other => return Err(unexpected(&what, "tensor_chunk", &other)),
            };
            let bad = |problem: String| RpcError::UnexpectedResponse {
                request: what.clone(),
                expected: "a matching tensor_chunk",
                got: problem,
            };
            if c.kind != kind as i32 || c.index != index || c.offset as usize != offset {
                return Err(bad(format!(
                    "chunk of tensor kind {} index {} at offset {}",
                    c.kind, c.index, c.offset
                )));
            }
            let size = c.total_size as usize;
            match total {
                None => {
                    if size > self.config.max_tensor_bytes {
                        return Err(bad(format!(
                            "a tensor of {size} bytes, more than the limit of {}",
                            self.config.max_tensor_bytes
                        )));
                    }
                    out.reserve_exact(size);
                    total = Some(size);
                }
                Some(t) if t != size => {
                    return Err(bad(format!("total size changed from {t} to {size}")));
                }
                Some(_) => {}
            }
            if c.data.len() > chunk || offset + c.data.len() > size {
                return Err(bad(format!(
                    "{} bytes at offset {offset} of a {size}-byte tensor (chunk {chunk})",
                    c.data.len()
                )));
            }
            if c.data.is_empty() && offset < size {
                return Err(bad(format!("an empty chunk at offset {offset} of {size}")));
            }
            out.extend_from_slice(&c.data);
            if out.len() == size {
                return Ok(out);
            }
        }
    }

    /// Per-layer counts of the last measured invoke, all layers.
    pub async fn get_profile(&mut self) -> Result<Vec<proto::LayerCount>, RpcError> {
        let mut entries: Vec<proto::LayerCount> = Vec::new();
        loop {
            let request = Request::GetProfile(proto::GetProfile {
                first: entries.len() as u32, // bounded by MAX_PROFILE_LAYERS
            });
            let what = describe(&request);
            let profile = match self.call(request, self.config.timeout).await? {
                Body::Profile(p) => p,
                other => return Err(unexpected(&what, "profile", &other)),
            };
            let bad = |problem: String| RpcError::UnexpectedResponse {
                request: what.clone(),
                expected: "a profile slice",
                got: problem,
            };
            if profile.layer_count > MAX_PROFILE_LAYERS {
                return Err(bad(format!("{} layers", profile.layer_count)));
            }
            let want = profile.layer_count as usize;
            if profile.entries.is_empty() && entries.len() < want {
                return Err(bad(format!("no entries after {} of {want}", entries.len())));
            }
            if entries.len() + profile.entries.len() > want {
                return Err(bad(format!(
                    "{} entries after {}, more than {want}",
                    profile.entries.len(),
                    entries.len()
                )));
            }
            entries.extend(profile.entries);
            if entries.len() == want {
                return Ok(entries);
            }
        }
    }

    /// Stack high-water mark, stack size and arena use.
    pub async fn get_stats(&mut self) -> Result<proto::Stats, RpcError> {
        match self
            .call(Request::GetStats(proto::GetStats {}), self.config.timeout)
            .await?
        {
            Body::Stats(stats) => Ok(stats),
            other => Err(unexpected("get_stats", "stats", &other)),
        }
    }

    /// Asks the board to forget its state and re-initialise.
    pub async fn reset(&mut self) -> Result<(), RpcError> {
        match self
            .call(Request::Reset(proto::Reset {}), self.config.timeout)
            .await?
        {
            Body::Ack(_) => Ok(()),
            other => Err(unexpected("reset", "ack", &other)),
        }
    }

    fn chunk_size(&self) -> usize {
        let board = self
            .info
            .as_ref()
            .map(|i| i.max_chunk as usize)
            .filter(|&c| c > 0)
            .unwrap_or(MAX_CHUNK);
        self.config.max_chunk.clamp(1, MAX_CHUNK).min(board)
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        if self.seq == 0 {
            self.seq = 1;
        }
        self.seq
    }

    /// Sends `request` and waits for the answer with the same seq, resending after a timeout.
    async fn call(&mut self, request: Request, timeout: Duration) -> Result<Body, RpcError> {
        let what = describe(&request);
        let seq = self.next_seq();
        let payload = proto::HostMessage {
            seq,
            request: Some(request),
        }
        .encode_to_vec();
        if payload.len() > frame::MAX_PAYLOAD {
            return Err(RpcError::InvalidArgument(format!(
                "{what} encodes to {} bytes, more than the {} a frame holds",
                payload.len(),
                frame::MAX_PAYLOAD
            )));
        }
        let wire = frame::encode(&payload);
        let before = self.decoder.stats();
        let attempts = self.config.retries.saturating_add(1);
        for attempt in 1..=attempts {
            tracing::trace!(seq, attempt, request = %what, "sending");
            let exchange = async {
                self.send(&wire).await?;
                self.await_response(seq, &what).await
            };
            match tokio::time::timeout(timeout, exchange).await {
                Ok(result) => return result,
                Err(_) => {
                    tracing::warn!(seq, attempt, request = %what, ?timeout, "no answer in time");
                }
            }
        }
        let after = self.decoder.stats();
        let corrupt = after.dropped() - before.dropped();
        let awaited = format!("the answer to {what}");
        if corrupt > 0 {
            Err(RpcError::CorruptFrames {
                awaited,
                crc_failures: after.crc_errors - before.crc_errors,
                corrupt_frames: corrupt,
                attempts,
            })
        } else {
            Err(RpcError::Timeout {
                awaited,
                timeout,
                attempts,
                transport: self.transport.describe(),
            })
        }
    }

    async fn send(&mut self, wire: &[u8]) -> Result<(), RpcError> {
        let result = async {
            self.transport.write_all(wire).await?;
            self.transport.flush().await
        }
        .await;
        result.map_err(|source| RpcError::Io {
            transport: self.transport.describe(),
            action: "write",
            source,
        })
    }

    /// Reads until the answer to `seq` arrives. Cancel-safe: bytes and frames already read
    /// stay in the decoder and the queue.
    async fn await_response(&mut self, seq: u32, what: &str) -> Result<Body, RpcError> {
        loop {
            while let Some(payload) = self.ready.pop_front() {
                let msg = proto::BoardMessage::decode(payload.as_slice()).map_err(|source| {
                    RpcError::Decode {
                        len: payload.len(),
                        source,
                    }
                })?;
                match msg.body {
                    Some(Body::Fault(report)) => {
                        let fault = Fault::from(&report);
                        tracing::error!(%fault, "board fault");
                        return Err(RpcError::Fault(Box::new(fault)));
                    }
                    Some(Body::Log(log)) => {
                        tracing::info!(target: "autodeploy_rpc::board", "{}", log.text);
                    }
                    _ if msg.seq != seq => {
                        tracing::debug!(got = msg.seq, want = seq, "skipping a stale answer");
                    }
                    None => {
                        return Err(RpcError::UnexpectedResponse {
                            request: what.to_owned(),
                            expected: "a response",
                            got: "a message without body".to_owned(),
                        })
                    }
                    Some(Body::Error(e)) => {
                        return Err(RpcError::Board {
                            request: what.to_owned(),
                            code: proto::ErrorCode::try_from(e.code)
                                .unwrap_or(proto::ErrorCode::Unknown),
                            message: e.message,
                            detail: e.detail,
                        })
                    }
                    Some(body) => return Ok(body),
                }
            }
            let n = self
                .transport
                .read(&mut self.read_buf)
                .await
                .map_err(|source| RpcError::Io {
                    transport: self.transport.describe(),
                    action: "read",
                    source,
                })?;
            if n == 0 {
                return Err(RpcError::Closed {
                    transport: self.transport.describe(),
                    awaited: format!("the answer to {what}"),
                });
            }
            for &b in &self.read_buf[..n] {
                match self.decoder.push_byte(b) {
                    Some(Ok(payload)) => self.ready.push_back(payload),
                    Some(Err(e)) => tracing::debug!(error = ?e, "dropped a corrupt frame"),
                    None => {}
                }
            }
        }
    }
}

/// Short text for a request, used in errors and logs.
fn describe(request: &Request) -> String {
    match request {
        Request::Hello(_) => "hello".to_owned(),
        Request::SetInput(r) => format!(
            "set_input(input {}, offset {}, {} of {} bytes)",
            r.index,
            r.offset,
            r.data.len(),
            r.total_size
        ),
        Request::Invoke(r) => format!("invoke(runs {}, warmup {})", r.runs, r.warmup),
        Request::ReadTensor(r) => format!(
            "read_tensor({} {}, offset {})",
            proto::TensorKind::try_from(r.kind).map_or("kind?", |k| k.as_str_name()),
            r.index,
            r.offset
        ),
        Request::RunLayers(r) => format!("run_layers({}..={})", r.first, r.last),
        Request::Reset(_) => "reset".to_owned(),
        Request::GetProfile(r) => format!("get_profile(from layer {})", r.first),
        Request::GetStats(_) => "get_stats".to_owned(),
    }
}

fn body_name(body: &Body) -> &'static str {
    match body {
        Body::Info(_) => "info",
        Body::Ack(_) => "ack",
        Body::TensorChunk(_) => "tensor_chunk",
        Body::RunResult(_) => "run_result",
        Body::Profile(_) => "profile",
        Body::Stats(_) => "stats",
        Body::Error(_) => "error",
        Body::Fault(_) => "fault",
        Body::Log(_) => "log",
    }
}

fn unexpected(request: &str, expected: &'static str, got: &Body) -> RpcError {
    RpcError::UnexpectedResponse {
        request: request.to_owned(),
        expected,
        got: body_name(got).to_owned(),
    }
}
