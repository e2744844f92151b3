//! Runs a model on a board and checks that it computes what the PC computes.
//!
//! [`Validator::start`] generates C for the model (`autodeploy-codegen`),
//! builds the validator firmware for the board (`autodeploy-toolchain`,
//! cached by content), starts it (QEMU for the virtual boards) and shakes
//! hands over the RPC link (`autodeploy-rpc`), checking that the firmware
//! was built from this very model. [`Validator::run_sample`] sends inputs,
//! runs the model and reads the outputs; [`validate`] does that for many
//! samples, compares every output with the reference interpreter, and on a
//! mismatch steps the board layer by layer ([`Validator::first_divergence`])
//! to name the first layer whose output differs.
//!
//! A fault on the board, a board that stops answering, a stale firmware:
//! each comes back as its own [`ValidateError`] naming the layer where
//! there is one. It prints nothing.

mod error;
mod firmware;
#[cfg(feature = "probe")]
mod probe;
mod profile;
pub mod reuse;
mod stats;
mod transport;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use autodeploy_codegen::{Core, Generated, KernelChoice};
use autodeploy_model::{ElementType, Model, TensorValue};
use autodeploy_reference::Interpreter;
pub use autodeploy_rpc::transport::PortSelector;
use autodeploy_rpc::{Client, ClientConfig, Info, RpcError, Transport};
use autodeploy_toolchain::{Board, Firmware, QemuSession};
pub use autodeploy_toolchain::{ProbeSelector, TransportKind};

pub use error::ValidateError;
pub use firmware::{
    build as build_firmware, build_for_model, default_cache_dir, FirmwareOptions, RTT_SYMBOL,
};
pub use profile::{
    build_profile, measure, spread, validate_and_profile, Deployed, Measurement, ProfileOptions,
};
pub use stats::{Agreement, AgreementBuilder, FLOAT_ABSOLUTE, FLOAT_RELATIVE};

/// How to validate.
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    pub board: Board,
    /// Where firmware builds are cached.
    pub cache_dir: PathBuf,
    pub firmware: FirmwareOptions,
    /// How long the board may take to answer a request.
    pub request_timeout: Duration,
    /// How long one inference (or one layer) may take.
    pub invoke_timeout: Duration,
    /// The model hash the board must report; `None`: this model's. (Tests
    /// set another to check that a stale firmware is refused.)
    pub expected_hash: Option<String>,
    /// Optimised kernel variants for the board's core (the default), or
    /// the portable kernels (to bisect a mismatch to the kernel choice).
    pub optimized_kernels: bool,
    /// How to talk to the firmware; `None`: the board's default (the UART socket on QEMU).
    /// RTT builds the firmware with RTT rings instead of the UART.
    pub transport: Option<TransportKind>,
    /// Which debug probe to use on a real board when several are attached.
    pub probe: Option<ProbeSelector>,
    /// The serial port of a real board (`--transport serial`): a path or USB ids; `None`: the
    /// only USB serial port.
    pub port: Option<PortSelector>,
    /// Load the firmware even when the board already runs this model's (real boards; QEMU
    /// always starts afresh).
    pub reload: bool,
}

/// The kernels to generate for `options`' board: optimised for its core
/// when asked and the core is one the code generator knows.
/// The kernels the firmware for `board` uses: its core's optimised variants when `optimized`
/// and the core has them, else the portable ones.
pub fn kernels_for_board(board: &Board, optimized: bool) -> KernelChoice {
    Core::ALL
        .into_iter()
        .find(|c| optimized && !c.is_host() && c.name() == board.core)
        .map_or(KernelChoice::Portable, KernelChoice::Optimized)
}

impl ValidateOptions {
    pub fn new(board: Board) -> Self {
        ValidateOptions {
            board,
            cache_dir: default_cache_dir(),
            firmware: FirmwareOptions::default(),
            request_timeout: Duration::from_secs(5),
            invoke_timeout: Duration::from_secs(60),
            expected_hash: None,
            optimized_kernels: true,
            transport: None,
            probe: None,
            port: None,
            reload: false,
        }
    }

    /// The transport in use: the one asked for, else the board's default.
    pub fn transport(&self) -> TransportKind {
        self.transport
            .unwrap_or_else(|| self.board.run.default_transport())
    }
}

/// Where the time went.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Generating C and building (or fetching from the cache) the firmware.
    pub build: Duration,
    /// Starting the board and the handshake.
    pub start: Duration,
    /// Moving inputs and outputs over the link.
    pub transfer: Duration,
    /// Running the model on the board.
    pub compute: Duration,
    /// Running the model on the PC.
    pub reference: Duration,
}

/// One sample's results.
#[derive(Debug, Clone)]
pub struct SampleRun {
    pub board: Vec<TensorValue>,
    pub reference: Vec<TensorValue>,
    /// The board's count for the inference (instructions on QEMU).
    pub count: u64,
    /// The most stack the firmware has used since reset (bytes, from the
    /// paint pattern), after this run.
    pub stack_high_water: u32,
}

/// The first layer whose output differs between board and reference.
#[derive(Debug, Clone)]
pub struct Divergence {
    pub sample: usize,
    pub layer: usize,
    pub op: String,
    pub tensor: usize,
    pub tensor_name: String,
    pub agreement: Agreement,
}

/// The result of [`validate`].
#[derive(Debug, Clone)]
pub struct Report {
    pub board: String,
    pub info: Info,
    pub samples: usize,
    /// Per model output, over all samples.
    pub outputs: Vec<Agreement>,
    /// Set when some output differs.
    pub divergence: Option<Divergence>,
    /// Streaming models (the samples are consecutive frames of one stream):
    /// the state region after the last frame, board against reference.
    pub state: Option<Agreement>,
    /// Streaming models: the first frame after which the outputs or the
    /// state differ, when something differs.
    pub first_bad_step: Option<usize>,
    /// Streaming models: output 0's first value after every frame, on the
    /// board and on the reference (for the per-step chart).
    pub output_trace: Option<(Vec<f64>, Vec<f64>)>,
    pub timings: Timings,
    /// The board's count per inference (instructions on QEMU), per sample.
    pub counts: Vec<u64>,
    pub firmware_from_cache: bool,
    /// A real board already ran this model's firmware, so nothing was loaded.
    pub firmware_reused: bool,
    /// How the host talked to the board, e.g. `RTT over qemu-m4 gdbstub`.
    pub link: String,
    pub arena_size: usize,
    /// The most stack the firmware used over all samples (bytes).
    pub stack_high_water: u32,
    /// The stack the board reserves (bytes), if the board said.
    pub stack_size: Option<u32>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.outputs.iter().all(Agreement::passes)
            && self.state.as_ref().is_none_or(Agreement::passes)
    }
}

/// A running board with the model's validator firmware, and the reference.
pub struct Validator {
    model: Model,
    generated: Generated,
    firmware: Firmware,
    interpreter: Interpreter,
    options: ValidateOptions,
    session: Option<QemuSession>,
    client: Client<Box<dyn Transport>>,
    timings: Timings,
    start: reuse::FirmwareStart,
}

impl Validator {
    /// Generates, builds and starts the firmware for `model_bytes`.
    pub async fn start(
        model_bytes: &[u8],
        name: &str,
        options: ValidateOptions,
    ) -> Result<Validator, ValidateError> {
        let started = Instant::now();
        let model = Model::from_bytes(model_bytes).map_err(ValidateError::Model)?;
        let interpreter = Interpreter::new(model.clone()).map_err(ValidateError::Reference)?;
        // A real board without its probe fails here, in seconds, before any build.
        transport::check_reachable(&options)?;
        let mut firmware_options = options.firmware.clone();
        firmware_options.rtt = options.transport() == TransportKind::Rtt;
        let (generated, firmware) = firmware::build_for_model(
            &model,
            model_bytes,
            name,
            kernels_for_board(&options.board, options.optimized_kernels),
            &options.board,
            &options.cache_dir,
            &firmware_options,
        )?;
        let build = started.elapsed();
        let mut validator =
            Self::boot_built(model, interpreter, generated, firmware, options).await?;
        validator.timings.build = build;
        Ok(validator)
    }

    /// Starts a firmware already built from `generated` (with [`build_firmware`]) for
    /// `model_bytes`: for tests that change the generated sources before building.
    pub async fn start_built(
        model_bytes: &[u8],
        generated: Generated,
        firmware: Firmware,
        options: ValidateOptions,
    ) -> Result<Validator, ValidateError> {
        let model = Model::from_bytes(model_bytes).map_err(ValidateError::Model)?;
        let interpreter = Interpreter::new(model.clone()).map_err(ValidateError::Reference)?;
        Self::boot_built(model, interpreter, generated, firmware, options).await
    }

    async fn boot_built(
        model: Model,
        interpreter: Interpreter,
        generated: Generated,
        firmware: Firmware,
        options: ValidateOptions,
    ) -> Result<Validator, ValidateError> {
        let started = Instant::now();
        let (session, client, start) = boot(&firmware, &generated, &options).await?;
        let mut validator = Validator {
            model,
            generated,
            firmware,
            interpreter,
            options,
            session,
            client,
            timings: Timings::default(),
            start,
        };
        validator.timings.start = started.elapsed();
        Ok(validator)
    }

    pub fn firmware(&self) -> &Firmware {
        &self.firmware
    }

    pub fn generated(&self) -> &Generated {
        &self.generated
    }

    pub fn info(&self) -> Option<&Info> {
        self.client.info()
    }

    pub fn timings(&self) -> Timings {
        self.timings
    }

    /// Whether this run loaded the firmware or found it already running (real boards).
    pub fn firmware_start(&self) -> &reuse::FirmwareStart {
        &self.start
    }

    /// The board's process id (QEMU), while it runs.
    pub fn board_pid(&self) -> Option<u32> {
        self.session.as_ref().and_then(QemuSession::pid)
    }

    /// The RPC client, for requests this type has no method for.
    pub fn client(&mut self) -> &mut Client<Box<dyn Transport>> {
        &mut self.client
    }

    /// Runs one sample on the board and on the PC.
    pub async fn run_sample(&mut self, inputs: &[TensorValue]) -> Result<SampleRun, ValidateError> {
        self.send_inputs(inputs).await?;
        let started = Instant::now();
        let result = self.client.invoke(1, 0).await;
        self.timings.compute += started.elapsed();
        let result = match result {
            Ok(r) => r,
            Err(e) => return Err(self.explain(e, "while running the model").await),
        };
        let started = Instant::now();
        let mut board = Vec::new();
        for (i, &t) in self.model.main_graph().outputs.iter().enumerate() {
            let bytes = self
                .client
                .get_output(i as u32)
                .await
                .map_err(|e| rpc_error(e, "reading the outputs"))?;
            let tensor = self.model.main_graph().tensor(t);
            board.push(TensorValue {
                dtype: tensor.dtype,
                shape: tensor.shape.clone(),
                bytes,
            });
        }
        self.timings.transfer += started.elapsed();

        let started = Instant::now();
        for (i, value) in inputs.iter().enumerate() {
            self.interpreter
                .set_input(i, value.clone())
                .map_err(ValidateError::Reference)?;
        }
        self.interpreter
            .invoke()
            .map_err(ValidateError::Reference)?;
        self.timings.reference += started.elapsed();
        Ok(SampleRun {
            board,
            reference: self.interpreter.outputs(),
            count: result.count,
            stack_high_water: result.stack_high_water,
        })
    }

    async fn send_inputs(&mut self, inputs: &[TensorValue]) -> Result<(), ValidateError> {
        let graph = self.model.main_graph();
        if inputs.len() != graph.inputs.len() {
            return Err(ValidateError::Input {
                index: inputs.len(),
                problem: format!("the model has {} inputs", graph.inputs.len()),
            });
        }
        let started = Instant::now();
        for (i, value) in inputs.iter().enumerate() {
            let tensor = graph.tensor(graph.inputs[i]);
            let value = value
                .clone()
                .conform_to(tensor)
                .map_err(|e| ValidateError::Input {
                    index: i,
                    problem: e.to_string(),
                })?;
            self.client
                .set_input(i as u32, &value.bytes)
                .await
                .map_err(|e| rpc_error(e, "sending the inputs"))?;
        }
        self.timings.transfer += started.elapsed();
        Ok(())
    }

    /// Steps the board layer by layer on `inputs` and returns the first
    /// layer whose output differs from the reference's (`None`: all agree).
    pub async fn first_divergence(
        &mut self,
        sample: usize,
        inputs: &[TensorValue],
    ) -> Result<Option<Divergence>, ValidateError> {
        self.send_inputs(inputs).await?;
        for (i, value) in inputs.iter().enumerate() {
            self.interpreter
                .set_input(i, value.clone())
                .map_err(ValidateError::Reference)?;
        }
        self.interpreter
            .invoke()
            .map_err(ValidateError::Reference)?;
        let graph = self.model.main_graph().clone();
        for op in &graph.operators {
            if let Err(e) = self
                .client
                .run_layers(op.index as u32, op.index as u32)
                .await
            {
                return Err(self.explain(e, "while stepping through the layers").await);
            }
            for &t in &op.outputs {
                // Resource handles (VAR_HANDLE) have no memory to read.
                if self.generated.state.handles.contains(&t) {
                    continue;
                }
                let bytes = self
                    .client
                    .get_tensor(t as u32)
                    .await
                    .map_err(|e| rpc_error(e, "reading a layer's output"))?;
                let tensor = graph.tensor(t);
                let board = TensorValue {
                    dtype: tensor.dtype,
                    shape: tensor.shape.clone(),
                    bytes,
                };
                let Some(reference) = self.interpreter.tensor(t) else {
                    continue;
                };
                let mut agreement = AgreementBuilder::new(tensor.dtype);
                agreement.add(&board, &reference);
                let agreement = agreement.finish();
                if !agreement.passes() {
                    return Ok(Some(Divergence {
                        sample,
                        layer: op.index,
                        op: op.name().to_string(),
                        tensor: t,
                        tensor_name: tensor.name.clone(),
                        agreement,
                    }));
                }
            }
        }
        Ok(None)
    }

    /// Turns an RPC failure into what the user needs: a fault names its
    /// layer; a board that stopped answering is restarted and stepped
    /// layer by layer to find the layer that does not finish.
    async fn explain(&mut self, error: RpcError, during: &str) -> ValidateError {
        let op_names: Vec<String> = self
            .model
            .main_graph()
            .operators
            .iter()
            .map(|op| op.name().to_string())
            .collect();
        let op_name = |layer: Option<usize>| layer.and_then(|l| op_names.get(l)).cloned();
        match error {
            RpcError::Fault(fault) => {
                let layer = fault.layer.map(|l| l as usize);
                ValidateError::Fault {
                    layer,
                    op: op_name(layer),
                    fault,
                }
            }
            e @ RpcError::Timeout { .. } => {
                let layer = self.find_hanging_layer().await;
                ValidateError::Unresponsive {
                    during: during.to_string(),
                    layer,
                    op: op_name(layer),
                    source: Box::new(e),
                }
            }
            other => rpc_error(other, during),
        }
    }

    /// Restarts the board and runs one layer at a time until one does not
    /// answer within the invoke timeout.
    async fn find_hanging_layer(&mut self) -> Option<usize> {
        if let Some(session) = self.session.take() {
            session.kill().await;
        }
        let (session, client, start) = boot(&self.firmware, &self.generated, &self.options)
            .await
            .ok()?;
        self.session = session;
        self.client = client;
        self.start = start;
        for layer in 0..self.model.main_graph().operators.len() {
            match self.client.run_layers(layer as u32, layer as u32).await {
                Ok(_) => continue,
                Err(RpcError::Timeout { .. }) => return Some(layer),
                Err(_) => return None,
            }
        }
        None
    }

    /// The board's state region (streaming models).
    pub async fn board_state(&mut self) -> Result<TensorValue, ValidateError> {
        let bytes = self
            .client
            .get_state()
            .await
            .map_err(|e| rpc_error(e, "reading the state"))?;
        Ok(state_value(bytes))
    }

    /// The reference's variables laid out as the generated state region.
    pub fn reference_state(&self) -> TensorValue {
        let mut bytes = vec![0u8; self.generated.state.size];
        for (slot, value) in self
            .generated
            .state
            .slots
            .iter()
            .zip(self.interpreter.variables())
        {
            bytes[slot.offset..slot.offset + slot.bytes].copy_from_slice(&value.bytes);
        }
        state_value(bytes)
    }

    /// The state region, board against reference.
    async fn compare_state(&mut self) -> Result<Agreement, ValidateError> {
        let board = self.board_state().await?;
        let mut agreement = AgreementBuilder::new(ElementType::Uint8);
        agreement.add(&board, &self.reference_state());
        Ok(agreement.finish())
    }

    /// Both sides back to the start of a stream.
    async fn restart_stream(&mut self) -> Result<(), ValidateError> {
        self.client
            .reset()
            .await
            .map_err(|e| rpc_error(e, "resetting the board"))?;
        self.interpreter.reset();
        Ok(())
    }

    /// Replays `frames` from the start of a stream, comparing every
    /// frame's outputs and the state after it; returns the first frame
    /// where something differs, with the state left as it was before that
    /// frame (so that the layer-by-layer search runs on it).
    async fn first_bad_frame(
        &mut self,
        frames: &[Vec<TensorValue>],
    ) -> Result<Option<usize>, ValidateError> {
        self.restart_stream().await?;
        let mut bad = None;
        for (k, inputs) in frames.iter().enumerate() {
            let run = self.run_sample(inputs).await?;
            let outputs_differ = run.board != run.reference;
            if outputs_differ || !self.compare_state().await?.passes() {
                bad = Some(k);
                break;
            }
        }
        if let Some(k) = bad {
            self.restart_stream().await?;
            for inputs in &frames[..k] {
                self.run_sample(inputs).await?;
            }
        }
        Ok(bad)
    }

    /// Stops the board.
    pub async fn shutdown(mut self) {
        if let Some(session) = self.session.take() {
            session.kill().await;
        }
    }
}

/// What [`boot`] gives: the QEMU session (QEMU boards), the connected client, and whether the
/// firmware was loaded or reused.
type Booted = (
    Option<QemuSession>,
    Client<Box<dyn Transport>>,
    reuse::FirmwareStart,
);

/// Starts the board with the firmware (or keeps the one running, on a real board), opens the
/// transport and shakes hands.
async fn boot(
    firmware: &Firmware,
    generated: &Generated,
    options: &ValidateOptions,
) -> Result<Booted, ValidateError> {
    let expected = options
        .expected_hash
        .clone()
        .unwrap_or_else(|| generated.model_hash.clone());
    let (mut session, transport, start) = transport::start(firmware, options, &expected).await?;
    let config = ClientConfig {
        timeout: options.request_timeout,
        invoke_timeout: options.invoke_timeout,
        expected_model_hash: Some(expected.into_bytes()),
        ..ClientConfig::default()
    };
    match Client::connect_with(transport, config).await {
        Ok(client) => Ok((session, client, start)),
        Err(RpcError::ModelHash {
            expected, actual, ..
        }) => {
            if let Some(session) = session.take() {
                session.kill().await;
            }
            Err(ValidateError::StaleFirmware {
                expected: String::from_utf8_lossy(&expected).into_owned(),
                actual: String::from_utf8_lossy(&actual).into_owned(),
            })
        }
        Err(e) => {
            if let Some(session) = session.take() {
                session.kill().await;
            }
            Err(rpc_error(e, "during the handshake"))
        }
    }
}

fn state_value(bytes: Vec<u8>) -> TensorValue {
    TensorValue {
        dtype: ElementType::Uint8,
        shape: vec![bytes.len()],
        bytes,
    }
}

fn rpc_error(source: RpcError, during: &str) -> ValidateError {
    match source {
        RpcError::Fault(fault) => ValidateError::Fault {
            layer: fault.layer.map(|l| l as usize),
            op: None,
            fault,
        },
        source => ValidateError::Rpc {
            during: during.to_string(),
            source: Box::new(source),
        },
    }
}

/// Validates `samples` on the board: every output of every sample against
/// the reference interpreter; on a mismatch, the first differing layer.
pub async fn validate(
    model_bytes: &[u8],
    name: &str,
    samples: &[Vec<TensorValue>],
    options: ValidateOptions,
) -> Result<Report, ValidateError> {
    let board = options.board.name.clone();
    let mut validator = Validator::start(model_bytes, name, options).await?;
    let result = run_all(&mut validator, samples).await;
    let stack_size = validator.stack_size().await;
    let report = result.map(|outcome| validator.report(board, samples.len(), outcome, stack_size));
    validator.shutdown().await;
    report
}

impl Validator {
    /// The stack the board reserves (bytes), if the board says.
    pub(crate) async fn stack_size(&mut self) -> Option<u32> {
        self.client.get_stats().await.ok().map(|s| s.stack_size)
    }

    /// The report of `samples` validated on this board (`outcome` from [`run_all`]).
    pub(crate) fn report(
        &self,
        board: String,
        samples: usize,
        outcome: Outcome,
        stack_size: Option<u32>,
    ) -> Report {
        let Outcome {
            outputs,
            divergence,
            counts,
            stack_high_water,
            state,
            first_bad_step,
            output_trace,
        } = outcome;
        Report {
            board,
            info: self.info().cloned().unwrap_or_default(),
            samples,
            outputs,
            divergence,
            state,
            first_bad_step,
            output_trace,
            timings: self.timings(),
            counts,
            firmware_from_cache: self.firmware().from_cache,
            firmware_reused: self.start.reused(),
            link: self.client.transport().describe(),
            arena_size: self.generated().plan.arena_size,
            stack_high_water,
            stack_size,
        }
    }
}

/// What [`run_all`] found.
pub(crate) struct Outcome {
    pub outputs: Vec<Agreement>,
    pub divergence: Option<Divergence>,
    pub counts: Vec<u64>,
    pub stack_high_water: u32,
    pub state: Option<Agreement>,
    pub first_bad_step: Option<usize>,
    pub output_trace: Option<(Vec<f64>, Vec<f64>)>,
}

async fn run_all(
    validator: &mut Validator,
    samples: &[Vec<TensorValue>],
) -> Result<Outcome, ValidateError> {
    let graph = validator.model.main_graph().clone();
    let mut builders: Vec<AgreementBuilder> = graph
        .outputs
        .iter()
        .map(|&t| AgreementBuilder::new(graph.tensor(t).dtype))
        .collect();
    let mut first_bad = None;
    let mut counts = Vec::new();
    let mut stack_high_water = 0;
    let streaming = validator.generated.state.size > 0;
    let mut trace = (Vec::new(), Vec::new());
    let first_value = |v: Option<&TensorValue>| {
        v.and_then(TensorValue::to_f64)
            .and_then(|x| x.first().copied())
            .unwrap_or(f64::NAN)
    };
    for (k, inputs) in samples.iter().enumerate() {
        let run = validator.run_sample(inputs).await?;
        if streaming {
            trace.0.push(first_value(run.board.first()));
            trace.1.push(first_value(run.reference.first()));
        }
        counts.push(run.count);
        stack_high_water = stack_high_water.max(run.stack_high_water);
        for (builder, (board, reference)) in builders
            .iter_mut()
            .zip(run.board.iter().zip(&run.reference))
        {
            let before = builder.finish().matching;
            builder.add(board, reference);
            let after = builder.finish();
            if first_bad.is_none() && after.matching - before != board.num_elements() {
                first_bad = Some(k);
            }
        }
    }
    // A streaming model: the samples are one stream of frames, and the
    // state after the last one is compared too. On a mismatch the stream is
    // replayed to find the first frame after which outputs or state differ.
    let state = if streaming {
        Some(validator.compare_state().await?)
    } else {
        None
    };
    let mut first_bad_step = None;
    if streaming && (first_bad.is_some() || state.as_ref().is_some_and(|s| !s.passes())) {
        first_bad_step = validator.first_bad_frame(samples).await?;
        first_bad = first_bad_step;
    }
    let divergence = match first_bad {
        Some(k) => validator.first_divergence(k, &samples[k]).await?,
        None => None,
    };
    Ok(Outcome {
        outputs: builders.iter().map(AgreementBuilder::finish).collect(),
        divergence,
        counts,
        stack_high_water,
        state,
        first_bad_step,
        output_trace: streaming.then_some(trace),
    })
}
