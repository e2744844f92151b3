//! Identical constant parameter structs of different layers, emitted once.
//!
//! Each layer function declares its dims, geometry and clamp range as
//! function-local `static const` structs; many layers of a model have the
//! same ones (every depthwise layer of kws takes `{1, 25, 5, 64}`), and C
//! compilers keep distinct named objects apart, so each copy costs flash.
//! [`SharedConsts::pool`] moves such a struct to file scope, once per value,
//! and points the layer's call at it. Only purely numeric struct types are
//! pooled (no pointers into the layer's own tables), and only locals used
//! solely as `&name`, so the rewrite cannot change what a call receives.

use std::collections::BTreeMap;
use std::fmt::Write;

/// The struct types that hold numbers only.
const POOLED: &[&str] = &[
    "ad_dims",
    "ad_conv_params",
    "ad_dw_conv_params",
    "ad_transpose_conv_params",
    "ad_pool_params",
    "ad_activation",
    "ad_activation_f32",
    "ad_shape",
];

/// The file-scope definitions collected so far.
#[derive(Default)]
pub struct SharedConsts {
    names: BTreeMap<(String, String), String>,
    definitions: String,
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Byte positions of `word` in `text` as a whole identifier.
fn occurrences(text: &str, word: &str) -> Vec<usize> {
    text.match_indices(word)
        .map(|(i, _)| i)
        .filter(|&i| {
            let before = text[..i].chars().next_back().is_none_or(|c| !is_ident(c));
            let after = text[i + word.len()..]
                .chars()
                .next()
                .is_none_or(|c| !is_ident(c));
            before && after
        })
        .collect()
}

impl SharedConsts {
    /// `code` (one layer's statics and function) with its poolable locals
    /// replaced by shared file-scope constants.
    pub fn pool(&mut self, code: &str) -> String {
        let mut code = code.to_string();
        let candidates: Vec<(String, String, String, String)> = code
            .lines()
            .filter_map(|line| {
                let rest = line.strip_prefix("    static const ")?;
                let (ty, rest) = rest.split_once(' ')?;
                let (name, value) = rest.split_once(" = ")?;
                let value = value.strip_suffix(';')?;
                (POOLED.contains(&ty) && name.chars().all(is_ident)).then(|| {
                    (
                        line.to_string(),
                        ty.to_string(),
                        name.to_string(),
                        value.to_string(),
                    )
                })
            })
            .collect();
        for (line, ty, name, value) in candidates {
            let without = code.replacen(&format!("{line}\n"), "", 1);
            let uses = occurrences(&without, &name);
            let all_by_address = !uses.is_empty()
                && uses
                    .iter()
                    .all(|&i| i > 0 && without.as_bytes()[i - 1] == b'&');
            if !all_by_address {
                continue;
            }
            let next = self.names.len();
            let shared = self
                .names
                .entry((ty.clone(), value.clone()))
                .or_insert_with(|| {
                    let shared = format!("shared{next}");
                    let _ = writeln!(self.definitions, "static const {ty} {shared} = {value};");
                    shared
                })
                .clone();
            let mut out = String::with_capacity(without.len());
            let mut last = 0;
            for i in uses {
                out.push_str(&without[last..i]);
                out.push_str(&shared);
                last = i + name.len();
            }
            out.push_str(&without[last..]);
            code = out;
        }
        code
    }

    /// The shared definitions, to precede every layer function.
    pub fn definitions(&self) -> &str {
        &self.definitions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_structs_of_two_layers_become_one() {
        let mut shared = SharedConsts::default();
        let a = shared.pool(
            "static ad_status layer0(void)\n{\n    static const ad_dims input_dims = {1, 2, 3, 4};\n    return f(NULL, &input_dims, &input_dims_x);\n}\n",
        );
        let b = shared.pool(
            "static ad_status layer1(void)\n{\n    static const ad_dims output_dims = {1, 2, 3, 4};\n    static const ad_conv_quant quant = {.x = 1};\n    return g(NULL, &quant, &output_dims);\n}\n",
        );
        assert_eq!(
            shared.definitions(),
            "static const ad_dims shared0 = {1, 2, 3, 4};\n"
        );
        assert!(a.contains("f(NULL, &shared0, &input_dims_x)"), "{a}");
        assert!(!a.contains("static const ad_dims"), "{a}");
        assert!(b.contains("g(NULL, &quant, &shared0)"), "{b}");
        // Not a pooled type: stays local.
        assert!(b.contains("static const ad_conv_quant quant"), "{b}");
    }

    #[test]
    fn a_local_used_by_value_stays() {
        let mut shared = SharedConsts::default();
        let code = "static ad_status layer0(void)\n{\n    static const ad_dims d = {1, 1, 1, 1};\n    return f(NULL, d.n, &d);\n}\n";
        assert_eq!(shared.pool(code), code);
        assert_eq!(shared.definitions(), "");
    }
}
