//! Runs a model's graph on the host, layer by layer.

use autodeploy_model::{Model, TensorValue};

use crate::buffer::Buffer;
use crate::error::ReferenceError;
use crate::layer::Layer;

/// The reference interpreter for one model.
///
/// Every tensor keeps its own buffer (no memory reuse), so after an
/// invocation every intermediate tensor can be read with
/// [`Interpreter::tensor`]: that is what layer-by-layer validation compares.
pub struct Interpreter {
    model: Model,
    layers: Vec<Layer>,
    buffers: Vec<Buffer>,
}

impl Interpreter {
    /// Prepares every layer of `model`. Fails, listing them all, if any
    /// operator is unsupported; otherwise on the first layer whose
    /// parameters TensorFlow Lite Micro would refuse too.
    pub fn new(model: Model) -> Result<Interpreter, ReferenceError> {
        model.check_supported()?;
        let graph = model.main_graph();
        let layers = graph
            .operators
            .iter()
            .map(|op| Layer::prepare(graph, op))
            .collect::<Result<Vec<_>, _>>()?;
        let buffers = graph.tensors.iter().map(Buffer::for_tensor).collect();
        Ok(Interpreter {
            model,
            layers,
            buffers,
        })
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
        for layer in &mut self.layers {
            layer.run(&mut self.buffers)?;
        }
        Ok(())
    }

    /// Runs layers `first..=last` only (for stepping through a model).
    pub fn invoke_layers(&mut self, first: usize, last: usize) -> Result<(), ReferenceError> {
        let count = self.layers.len();
        if first > last || last >= count {
            return Err(ReferenceError::LayerRange { first, last, count });
        }
        for layer in &mut self.layers[first..=last] {
            layer.run(&mut self.buffers)?;
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
