//! A small fake validator board in Rust, speaking the real protocol over any byte stream.
//! Its "model" adds the run count to every input byte; layer `i` of it adds 1 and writes
//! tensor `i + 1`. The only fake in the test suite: everything between it and the client
//! (framing, transports, client) is the real code.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use autodeploy_rpc::frame::{self, FrameDecoder};
use autodeploy_rpc::proto::{self, board_message::Body, host_message::Request};
use prost::Message;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

pub const HASH: [u8; 32] = [0x5a; 32];

#[derive(Debug, Clone)]
pub struct BoardConfig {
    pub protocol_version: u32,
    pub model_hash: Vec<u8>,
    pub max_chunk: u32,
    pub input_size: usize,
    pub layers: u32,
    /// Entries per Profile answer.
    pub profile_slice: usize,
    /// Ignore this many requests before answering (simulates lost frames on the board side).
    pub ignore_first: usize,
    /// Send a FaultReport instead of answering Invoke.
    pub fault_on_invoke: bool,
    /// Send a Log and an answer with a stale seq before each real answer.
    pub chatter: bool,
}

impl Default for BoardConfig {
    fn default() -> Self {
        Self {
            protocol_version: autodeploy_rpc::PROTOCOL_VERSION,
            model_hash: HASH.to_vec(),
            max_chunk: 1024,
            input_size: 3000,
            layers: 5,
            profile_slice: 2,
            ignore_first: 0,
            fault_on_invoke: false,
            chatter: false,
        }
    }
}

/// What the board saw, for assertions.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    pub requests: usize,
    pub bad_frames: u64,
    pub resets: usize,
}

pub struct FakeBoard {
    cfg: BoardConfig,
    input: Vec<u8>,
    output: Vec<u8>,
    tensors: Vec<Vec<u8>>,
    profile: Vec<proto::LayerCount>,
    seen: Arc<Mutex<Seen>>,
}

impl FakeBoard {
    pub fn new(cfg: BoardConfig) -> (Self, Arc<Mutex<Seen>>) {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let board = Self {
            input: vec![0; cfg.input_size],
            output: Vec::new(),
            tensors: vec![Vec::new(); cfg.layers as usize + 1],
            profile: Vec::new(),
            cfg,
            seen: seen.clone(),
        };
        (board, seen)
    }

    fn error(code: proto::ErrorCode, message: &str) -> Body {
        Body::Error(proto::Error {
            code: code as i32,
            message: message.to_owned(),
            detail: -7,
        })
    }

    fn tensor(&self, kind: i32, index: u32) -> Option<&[u8]> {
        match proto::TensorKind::try_from(kind).ok()? {
            proto::TensorKind::Input if index == 0 => Some(&self.input),
            proto::TensorKind::Output if index == 0 && !self.output.is_empty() => {
                Some(&self.output)
            }
            proto::TensorKind::Model => self.tensors.get(index as usize).map(Vec::as_slice),
            _ => None,
        }
    }

    fn run_layer(&mut self, layer: u32) {
        let src = if layer == 0 {
            self.input.clone()
        } else {
            self.tensors[layer as usize].clone()
        };
        self.tensors[layer as usize + 1] = src.iter().map(|b| b.wrapping_add(1)).collect();
    }

    /// The board's answers to one request (unsolicited messages first).
    pub fn handle(&mut self, msg: proto::HostMessage) -> Vec<proto::BoardMessage> {
        let seq = msg.seq;
        let body = match msg.request {
            None => Self::error(proto::ErrorCode::BadRequest, "no request"),
            Some(Request::Hello(_)) => Body::Info(proto::Info {
                protocol_version: self.cfg.protocol_version,
                board: "fake-m4".into(),
                core: "cortex-m4".into(),
                clock_hz: 25_000_000,
                model_hash: self.cfg.model_hash.clone(),
                arena_size: 12_345,
                max_chunk: self.cfg.max_chunk,
                input_count: 1,
                output_count: 1,
                layer_count: self.cfg.layers,
                tensor_count: self.cfg.layers + 1,
                firmware: "fake 0.1".into(),
            }),
            Some(Request::SetInput(r)) => {
                let end = r.offset as usize + r.data.len();
                if r.index != 0 {
                    Self::error(proto::ErrorCode::BadIndex, "no such input")
                } else if r.total_size as usize != self.input.len() {
                    Self::error(proto::ErrorCode::SizeMismatch, "wrong input size")
                } else if r.data.len() > self.cfg.max_chunk as usize || end > self.input.len() {
                    Self::error(proto::ErrorCode::BadRange, "chunk outside the input")
                } else {
                    self.input[r.offset as usize..end].copy_from_slice(&r.data);
                    Body::Ack(proto::Ack {})
                }
            }
            Some(Request::Invoke(r)) => {
                if self.cfg.fault_on_invoke {
                    return vec![proto::BoardMessage {
                        seq: 0,
                        body: Some(Body::Fault(proto::FaultReport {
                            cfsr: 1 << 25,
                            hfsr: 1 << 30,
                            mmfar: 0,
                            bfar: 0,
                            pc: 0x0800_0abc,
                            lr: 0x0800_0123,
                            xpsr: 0x0100_0000,
                            layer: 2,
                        })),
                    }];
                }
                let runs = r.runs.max(1);
                self.output = self
                    .input
                    .iter()
                    .map(|b| b.wrapping_add(runs as u8))
                    .collect();
                self.profile = (0..self.cfg.layers)
                    .map(|layer| proto::LayerCount {
                        layer,
                        count: 1_000_000_000_000 + u64::from(layer),
                        counter: proto::CounterKind::Instructions as i32,
                    })
                    .collect();
                Body::RunResult(proto::RunResult {
                    runs,
                    count: 42 * u64::from(runs),
                    counter: proto::CounterKind::Instructions as i32,
                    stack_high_water: 2048,
                })
            }
            Some(Request::RunLayers(r)) => {
                if r.last >= self.cfg.layers || r.first > r.last {
                    Self::error(proto::ErrorCode::BadIndex, "no such layer")
                } else {
                    for layer in r.first..=r.last {
                        self.run_layer(layer);
                    }
                    Body::RunResult(proto::RunResult {
                        runs: 1,
                        count: u64::from(r.last - r.first + 1),
                        counter: proto::CounterKind::Cycles as i32,
                        stack_high_water: 1024,
                    })
                }
            }
            Some(Request::ReadTensor(r)) => match self.tensor(r.kind, r.index) {
                None => Self::error(proto::ErrorCode::BadIndex, "no such tensor"),
                Some(t) => {
                    let start = r.offset as usize;
                    if start > t.len() {
                        Self::error(proto::ErrorCode::BadRange, "offset outside the tensor")
                    } else {
                        let len = (r.length.min(self.cfg.max_chunk) as usize).min(t.len() - start);
                        Body::TensorChunk(proto::TensorChunk {
                            kind: r.kind,
                            index: r.index,
                            offset: r.offset,
                            total_size: t.len() as u32,
                            data: t[start..start + len].to_vec(),
                        })
                    }
                }
            },
            Some(Request::GetProfile(r)) => {
                if self.profile.is_empty() {
                    Self::error(proto::ErrorCode::Unavailable, "no measured run yet")
                } else {
                    let first = (r.first as usize).min(self.profile.len());
                    let end = (first + self.cfg.profile_slice).min(self.profile.len());
                    Body::Profile(proto::Profile {
                        layer_count: self.profile.len() as u32,
                        entries: self.profile[first..end].to_vec(),
                    })
                }
            }
            Some(Request::GetStats(_)) => Body::Stats(proto::Stats {
                stack_high_water: 2048,
                stack_size: 8192,
                arena_used: 12_000,
            }),
            Some(Request::Reset(_)) => {
                self.input.iter_mut().for_each(|b| *b = 0);
                self.output.clear();
                self.seen.lock().unwrap().resets += 1;
                Body::Ack(proto::Ack {})
            }
        };
        let mut out = Vec::new();
        if self.cfg.chatter {
            out.push(proto::BoardMessage {
                seq: 0,
                body: Some(Body::Log(proto::Log {
                    text: format!("handling seq {seq}"),
                })),
            });
            out.push(proto::BoardMessage {
                seq: seq.wrapping_sub(1).max(1000),
                body: Some(Body::Ack(proto::Ack {})),
            });
        }
        out.push(proto::BoardMessage {
            seq,
            body: Some(body),
        });
        out
    }

    /// Serves until the stream closes.
    pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut self, mut stream: S) {
        let mut decoder = FrameDecoder::default();
        let mut buf = [0u8; 512];
        loop {
            let n = match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            for &b in &buf[..n] {
                let payload = match decoder.push_byte(b) {
                    Some(Ok(p)) => p,
                    Some(Err(_)) => {
                        self.seen.lock().unwrap().bad_frames += 1;
                        continue;
                    }
                    None => continue,
                };
                let Ok(msg) = proto::HostMessage::decode(payload.as_slice()) else {
                    continue;
                };
                let ignore = {
                    let mut seen = self.seen.lock().unwrap();
                    seen.requests += 1;
                    seen.requests <= self.cfg.ignore_first
                };
                if ignore {
                    continue;
                }
                let mut wire = Vec::new();
                for answer in self.handle(msg) {
                    frame::encode_into(&answer.encode_to_vec(), &mut wire);
                }
                if stream.write_all(&wire).await.is_err() || stream.flush().await.is_err() {
                    return;
                }
            }
        }
    }
}

/// The input pattern most tests upload.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 256) as u8).collect()
}
