//! The state layers of a streaming model as C (`crate::state` decides what
//! each does): nothing, or one byte copy between the arena and the state
//! region.

use autodeploy_model::Operator;
use autodeploy_runtime::Kernel;

use super::layer::{EmittedLayer, Emitter, LayerError};
use crate::state::StateOp;

impl Emitter<'_> {
    /// Emits state layer `op` (a function named `NAME_layer<index>`).
    pub fn state_layer(
        &mut self,
        op: &Operator,
        what: StateOp,
    ) -> Result<EmittedLayer, LayerError> {
        let i = op.index;
        let name = op.name();
        let function = self.function_name(i);
        let nothing = |why: &str| {
            EmittedLayer {
            kernel: None,
            code: format!(
                "/* Layer {i}: {name}: {why}. */\nstatic ad_status {function}(void)\n{{\n    return AD_OK;\n}}\n"
            ),
        }
        };
        let state = self.state;
        let slot = |v: usize| {
            let s = &state.slots[v];
            (s.offset, s.bytes)
        };
        let copy = |from: String, to: String, bytes: usize, why: String| {
            EmittedLayer {
            kernel: Some(Kernel::Reshape),
            code: format!(
                "/* Layer {i}: {name}: {why}. */\nstatic ad_status {function}(void)\n{{\n    return ad_reshape(NULL, {bytes}, {from}, {to});\n}}\n"
            ),
        }
        };
        Ok(match what {
            StateOp::Kernel => return Err(LayerError::NoKernel),
            StateOp::Nothing if matches!(op.kind, autodeploy_model::OpKind::CallOnce { .. }) => {
                nothing("the init subgraph's result is the state's initial data, copied by reset")
            }
            StateOp::Nothing => nothing("the handle is resolved at generation"),
            StateOp::ReadAlias => nothing("the output is the variable's bytes in the state region"),
            StateOp::AssignAlias => {
                nothing("the value was written into the state region by its producer")
            }
            StateOp::ReadCopy { variable } => {
                let (offset, bytes) = slot(variable);
                let out = self.pointer(op.outputs[0], true)?;
                copy(
                    format!("STATE({offset}u)"),
                    out,
                    bytes,
                    format!("copy of variable {variable}"),
                )
            }
            StateOp::AssignCopy { variable } => {
                let (offset, bytes) = slot(variable);
                let value = op.input(1).ok_or(LayerError::NoKernel)?;
                let from = self.pointer(value, false)?;
                copy(
                    from,
                    format!("STATE({offset}u)"),
                    bytes,
                    format!("copy into variable {variable}"),
                )
            }
        })
    }
}
