//! A user's hash function as naga reads it: each argument an array of u32
//! (by value or through a `ptr<function, …>`) or a `vec4<u32>`, and the
//! result `array<u32, 8>` or nothing.

use naga::common::wgsl::TypeContext as _;
use naga::{ArraySize, ScalarKind, TypeInner, VectorSize};

use super::Shape;

/// How an argument is passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    Value,
    /// `ptr<function, T>`: the caller passes `&local`.
    Pointer,
}

/// One argument: `len` u32 words, as an array or (4 words) a `vec4<u32>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    pub len: u32,
    pub vec4: bool,
    pub pass: Pass,
}

/// The signature, as far as the shapes care.
#[derive(Clone, Debug)]
pub struct Signature {
    /// None for an argument of another type (no shape fits then).
    pub params: Vec<Option<Param>>,
    /// Whether it returns `array<u32, 8>`; `other_result` when it returns
    /// something else.
    pub returns_digest: bool,
    pub other_result: bool,
    /// As a person would write it: `fn f(a: array<u32, 20>) -> array<u32, 8>`.
    pub text: String,
}

impl Signature {
    pub fn read(module: &naga::Module, function: &naga::Function) -> Self {
        let ctx = module.to_ctx();
        let u32_array = |ty: naga::Handle<naga::Type>| -> Option<Param> {
            match module.types[ty].inner {
                TypeInner::Array {
                    base,
                    size: ArraySize::Constant(n),
                    ..
                } if is_u32(&module.types[base].inner) => Some(Param {
                    len: n.get(),
                    vec4: false,
                    pass: Pass::Value,
                }),
                TypeInner::Vector {
                    size: VectorSize::Quad,
                    scalar,
                } if scalar.kind == ScalarKind::Uint && scalar.width == 4 => Some(Param {
                    len: 4,
                    vec4: true,
                    pass: Pass::Value,
                }),
                _ => None,
            }
        };
        let params = function
            .arguments
            .iter()
            .map(|a| match module.types[a.ty].inner {
                TypeInner::Pointer {
                    base,
                    space: naga::AddressSpace::Function,
                } => u32_array(base).map(|p| Param {
                    pass: Pass::Pointer,
                    ..p
                }),
                _ => u32_array(a.ty),
            })
            .collect();
        let (returns_digest, other_result) = match &function.result {
            None => (false, false),
            Some(result) => match u32_array(result.ty) {
                Some(Param {
                    len: 8,
                    vec4: false,
                    ..
                }) => (true, false),
                _ => (false, true),
            },
        };
        let args: Vec<String> = function
            .arguments
            .iter()
            .map(|a| {
                format!(
                    "{}: {}",
                    a.name.as_deref().unwrap_or("_"),
                    ctx.type_to_string(a.ty)
                )
            })
            .collect();
        let result = function
            .result
            .as_ref()
            .map(|r| format!(" -> {}", ctx.type_to_string(r.ty)))
            .unwrap_or_default();
        Signature {
            params,
            returns_digest,
            other_result,
            text: format!(
                "fn {}({}){result}",
                function.name.as_deref().unwrap_or("?"),
                args.join(", ")
            ),
        }
    }

    /// The arguments' word counts, when every one is a u32 array or vector.
    fn lens(&self) -> Option<Vec<u32>> {
        self.params.iter().map(|p| p.map(|p| p.len)).collect()
    }

    /// Whether the last argument is a `ptr<function, array<u32, 8>>` the
    /// function writes its digest (or state) to.
    fn out_pointer_last(&self) -> bool {
        matches!(
            self.params.last(),
            Some(Some(Param {
                len: 8,
                vec4: false,
                pass: Pass::Pointer
            }))
        )
    }

    /// Where the digest (or state) comes out for a shape this signature fits.
    pub fn output(&self, shape: Shape) -> Output {
        if self.returns_digest {
            Output::Result
        } else if shape == Shape::Compress {
            Output::InPlace
        } else {
            Output::LastPointer
        }
    }

    /// The inputs: every argument but an output pointer.
    pub fn inputs(&self, shape: Shape) -> Vec<Param> {
        let params = self.params.iter().flatten().copied();
        match self.output(shape) {
            Output::LastPointer => params.take(self.params.len() - 1).collect(),
            _ => params.collect(),
        }
    }

    pub fn fits(&self, shape: Shape) -> bool {
        if self.other_result {
            return false;
        }
        let Some(lens) = self.lens() else {
            return false;
        };
        let returns = self.returns_digest;
        match shape {
            Shape::Header => {
                lens == [20] && returns || lens == [20, 8] && !returns && self.out_pointer_last()
            }
            Shape::Midstate => {
                let block = |n: u32| n == 4 || n == 16;
                match lens.as_slice() {
                    [8, b] => returns && block(*b),
                    [8, b, 8] => !returns && block(*b) && self.out_pointer_last(),
                    _ => false,
                }
            }
            Shape::Compress => match lens.as_slice() {
                [8, 16] if returns => true,
                // The state updated in place through its pointer.
                [8, 16] => self.params[0].is_some_and(|p| p.pass == Pass::Pointer),
                _ => false,
            },
        }
    }
}

/// Where a function leaves its digest or state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Result,
    /// Its last argument, a `ptr<function, array<u32, 8>>`.
    LastPointer,
    /// The compress shape's state, updated through its pointer.
    InPlace,
}

fn is_u32(inner: &TypeInner) -> bool {
    matches!(inner, TypeInner::Scalar(s) if s.kind == ScalarKind::Uint && s.width == 4)
}
