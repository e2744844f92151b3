//! Runs a model's graph on the host, layer by layer.

use autodeploy_model::{Graph, Model, OpKind, Tensor, TensorValue, Variable};

use crate::buffer::Buffer;
use crate::error::ReferenceError;
use crate::layer::Layer;

/// The reference interpreter for one model.
///
/// Every tensor keeps its own buffer (no memory reuse), so after an
/// invocation every intermediate tensor can be read with
/// [`Interpreter::tensor`]: that is what layer-by-layer validation compares.
///
/// Streaming models keep state between invocations in resource variables;
/// the first [`Interpreter::invoke`] runs the init subgraph (CALL_ONCE), and
/// [`Interpreter::reset`] returns to the state of a fresh interpreter.
pub struct Interpreter {
    model: Model,
    layers: Vec<Node>,
    buffers: Vec<Buffer>,
    /// Init subgraphs, by subgraph index (None for subgraph 0).
    inits: Vec<Option<Subgraph>>,
    /// The value of each resource variable, by variable id.
    variables: Vec<Buffer>,
    /// What each variable holds before any assignment.
    defaults: Vec<Buffer>,
    /// Whether each CALL_ONCE of subgraph 0 has run, by layer.
    called: Vec<bool>,
}

/// One operator as the interpreter runs it.
enum Node {
    Kernel(Box<Layer>),
    /// CALL_ONCE: runs an init subgraph on the first invocation only.
    CallOnce {
        init: usize,
    },
    /// VAR_HANDLE: the handle is resolved at preparation; nothing to do.
    Handle,
    /// READ_VARIABLE: copies variable `variable` into tensor `output`.
    Read {
        variable: usize,
        output: usize,
    },
    /// ASSIGN_VARIABLE: copies tensor `value` into variable `variable`.
    Assign {
        variable: usize,
        value: usize,
    },
}

/// An init subgraph: its operators and its own tensors.
struct Subgraph {
    nodes: Vec<Node>,
    buffers: Vec<Buffer>,
}

impl Interpreter {
    /// Prepares every layer of `model`. Fails, listing them all, if any
    /// operator is unsupported; otherwise on the first layer whose
    /// parameters TensorFlow Lite Micro would refuse too.
    pub fn new(model: Model) -> Result<Interpreter, ReferenceError> {
        model.check_supported()?;
        let layers = prepare_nodes(&model, 0)?;
        let buffers = buffers_of(model.main_graph());
        let mut inits: Vec<Option<Subgraph>> = (0..model.subgraphs.len()).map(|_| None).collect();
        for &s in &model.state.init_subgraphs {
            inits[s] = Some(Subgraph {
                nodes: prepare_nodes(&model, s)?,
                buffers: buffers_of(&model.subgraphs[s]),
            });
        }
        let defaults = variable_defaults(&model);
        Ok(Interpreter {
            called: vec![false; layers.len()],
            variables: defaults.clone(),
            defaults,
            model,
            layers,
            buffers,
            inits,
        })
    }

    /// Back to the state of a freshly created interpreter: every variable
    /// holds its default again and the next invocation runs the init
    /// subgraphs again. Inputs and intermediate tensors are kept.
    pub fn reset(&mut self) {
        self.variables = self.defaults.clone();
        self.called.iter_mut().for_each(|c| *c = false);
    }

    /// The current value of every resource variable, by variable id (see
    /// `Model::state`).
    pub fn variables(&self) -> Vec<TensorValue> {
        self.model
            .state
            .variables
            .iter()
            .map(|v| self.variables[v.id].to_value(&variable_tensor(v)))
            .collect()
    }

    /// The variables a fresh interpreter holds once the CALL_ONCE layers of
    /// subgraph 0 have run their init subgraphs (in layer order), without
    /// running anything else: the start of every stream when nothing before
    /// those CALL_ONCE layers touches a variable. The code generator emits
    /// it as the state's initial data. Leaves this interpreter's variables
    /// as they were.
    pub fn initial_variables(&mut self) -> Result<Vec<TensorValue>, ReferenceError> {
        let mut variables = self.defaults.clone();
        for node in &self.layers {
            if let Node::CallOnce { init } = *node {
                let Some(sub) = self.inits[init].as_mut() else {
                    unreachable!("the model crate resolves every CALL_ONCE target")
                };
                for node in &mut sub.nodes {
                    run_node(node, &mut sub.buffers, &mut variables)?;
                }
            }
        }
        Ok(self
            .model
            .state
            .variables
            .iter()
            .map(|v| variables[v.id].to_value(&variable_tensor(v)))
            .collect())
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Number of layers (operators) in execution order.
    pub fn layer_count(&self) -> usize {
        self.layers.len()
    }

    /// Sets model input `index`; the value must have the input's type and
    /// element count (its shape is taken from the model).
    pub fn set_input(&mut self, index: usize, value: TensorValue) -> Result<(), ReferenceError> {
        let graph = self.model.main_graph();
        let &tensor_index = graph
            .inputs
            .get(index)
            .ok_or_else(|| ReferenceError::Input {
                index,
                problem: format!("the model has {} inputs", graph.inputs.len()),
            })?;
        let value =
            value
                .conform_to(graph.tensor(tensor_index))
                .map_err(|e| ReferenceError::Input {
                    index,
                    problem: e.to_string(),
                })?;
        self.buffers[tensor_index] = Buffer::from_value(&value);
        Ok(())
    }

    /// Runs every layer.
    pub fn invoke(&mut self) -> Result<(), ReferenceError> {
        let count = self.layers.len();
        if count == 0 {
            return Ok(());
        }
        self.invoke_layers(0, count - 1)
    }

    /// Runs layers `first..=last` only (for stepping through a model).
    pub fn invoke_layers(&mut self, first: usize, last: usize) -> Result<(), ReferenceError> {
        let count = self.layers.len();
        if first > last || last >= count {
            return Err(ReferenceError::LayerRange { first, last, count });
        }
        for index in first..=last {
            let node = &mut self.layers[index];
            if let Node::CallOnce { init } = *node {
                if !self.called[index] {
                    let Some(sub) = self.inits[init].as_mut() else {
                        unreachable!("the model crate resolves every CALL_ONCE target")
                    };
                    for node in &mut sub.nodes {
                        run_node(node, &mut sub.buffers, &mut self.variables)?;
                    }
                    self.called[index] = true;
                }
                continue;
            }
            run_node(node, &mut self.buffers, &mut self.variables)?;
        }
        Ok(())
    }

    /// Model output `index` after the last invocation.
    pub fn output(&self, index: usize) -> Option<TensorValue> {
        let graph = self.model.main_graph();
        graph.outputs.get(index).and_then(|&t| self.tensor(t))
    }

    /// All model outputs after the last invocation.
    pub fn outputs(&self) -> Vec<TensorValue> {
        (0..self.model.main_graph().outputs.len())
            .filter_map(|i| self.output(i))
            .collect()
    }

    /// Any tensor's current contents, by tensor index.
    pub fn tensor(&self, index: usize) -> Option<TensorValue> {
        let graph = self.model.main_graph();
        let tensor = graph.tensors.get(index)?;
        Some(self.buffers[index].to_value(tensor))
    }
}

fn buffers_of(graph: &Graph) -> Vec<Buffer> {
    graph.tensors.iter().map(Buffer::for_tensor).collect()
}

/// The operators of subgraph `s`, with resource handles resolved.
fn prepare_nodes(model: &Model, s: usize) -> Result<Vec<Node>, ReferenceError> {
    let graph = &model.subgraphs[s];
    let variable = |op: &autodeploy_model::Operator| -> Result<usize, ReferenceError> {
        op.input(0)
            .and_then(|h| model.state.variable_of(s, h))
            .map(|v| v.id)
            .ok_or_else(|| ReferenceError::Unsupported {
                layer: op.index,
                op: op.name().to_string(),
                reason: "its handle names no resolved variable".into(),
            })
    };
    graph
        .operators
        .iter()
        .map(|op| {
            Ok(match op.kind {
                OpKind::CallOnce { init_subgraph } => Node::CallOnce {
                    init: init_subgraph as usize,
                },
                OpKind::VarHandle { .. } => Node::Handle,
                OpKind::ReadVariable => Node::Read {
                    variable: variable(op)?,
                    output: op.outputs[0],
                },
                OpKind::AssignVariable => Node::Assign {
                    variable: variable(op)?,
                    value: op.input(1).unwrap_or_default(),
                },
                _ => Node::Kernel(Box::new(Layer::prepare(graph, op)?)),
            })
        })
        .collect()
}

fn run_node(
    node: &mut Node,
    buffers: &mut [Buffer],
    variables: &mut [Buffer],
) -> Result<(), ReferenceError> {
    match node {
        Node::Kernel(layer) => layer.run(buffers)?,
        // Nested CALL_ONCE is refused by the model crate.
        Node::CallOnce { .. } | Node::Handle => {}
        Node::Read { variable, output } => buffers[*output] = variables[*variable].clone(),
        Node::Assign { variable, value } => variables[*variable] = buffers[*value].clone(),
    }
    Ok(())
}

/// TensorFlow Lite Micro fills a variable, when its first ASSIGN_VARIABLE
/// (in preparation order: subgraph 0 first) is prepared, with that value
/// tensor's zero point cast to a byte, in every byte; 0 if unquantized.
/// READ_VARIABLE before any assignment returns that.
fn variable_defaults(model: &Model) -> Vec<Buffer> {
    let state = &model.state;
    let mut fill: Vec<Option<u8>> = vec![None; state.variables.len()];
    for (s, graph) in model.subgraphs.iter().enumerate() {
        for op in &graph.operators {
            if !matches!(op.kind, OpKind::AssignVariable) {
                continue;
            }
            let (Some(h), Some(value)) = (op.input(0), op.input(1)) else {
                continue;
            };
            if let Some(v) = state.variable_of(s, h) {
                let zp = graph
                    .tensor(value)
                    .quant
                    .as_ref()
                    .map_or(0, |q| q.zero_point());
                fill[v.id].get_or_insert(zp as i8 as u8);
            }
        }
    }
    state
        .variables
        .iter()
        .map(|v| {
            let value = TensorValue {
                dtype: v.dtype,
                shape: v.shape.clone(),
                bytes: vec![fill[v.id].unwrap_or(0); v.bytes],
            };
            Buffer::from_value(&value)
        })
        .collect()
}

/// A tensor with a variable's type and shape, to read its buffer back.
fn variable_tensor(v: &Variable) -> Tensor {
    Tensor {
        index: v.id,
        name: v.shared_name.clone(),
        dtype: v.dtype,
        shape: v.shape.clone(),
        shape_signature: None,
        quant: v.quant.clone(),
        data: None,
        is_variable: true,
    }
}
