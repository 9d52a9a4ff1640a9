//! Writes the unrolled double SHA-256 of the fast search kernel as WGSL.
//!
//! naga does not unroll loops, and a `const` array indexed at run time is
//! copied into every invocation, so the fast kernel spells out all rounds
//! with every constant in place. This generator folds, at build time, what
//! does not depend on the nonce or the header: the padding words of both
//! hashes (zeros vanish, sigma0/sigma1 of constants become literals), the
//! round constants added to them, and the second hash's first rounds, which
//! start from the constant initial state. What depends on the header but not
//! the nonce is precomputed on the host (src/chain/precompute.rs) and read
//! from the uniform `params.pre`.
//!
//! The output defines `fn sha256d_last_word(w3: u32) -> u32`: the last
//! state word H7 of sha256d(header) for the nonce word W3, computing only
//! what H7 needs (the second hash stops after e of round 60, and its a-chain
//! after a57).
// Build scripts talk to cargo on stdout; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

use std::fmt::Write as _;

#[path = "src/chain/sha256_math.rs"]
#[allow(dead_code)]
mod sha256_math;

use sha256_math::{big_sigma0, big_sigma1, ch, maj, small_sigma0, small_sigma1, IV, K};

/// A value in the generated code: a literal known now, or a WGSL
/// expression (a name, or a call on names).
#[derive(Clone, Debug)]
enum Val {
    Const(u32),
    Expr(String),
}

impl Val {
    fn expr(text: impl Into<String>) -> Self {
        Val::Expr(text.into())
    }

    fn wgsl(&self) -> String {
        match self {
            Val::Const(c) => format!("0x{c:08x}u"),
            Val::Expr(e) => e.clone(),
        }
    }
}

struct Emitter {
    body: String,
}

impl Emitter {
    /// A sum bound to `name`; constants are added up now, zeros dropped.
    fn sum(&mut self, name: &str, terms: &[Val]) -> Val {
        let mut constant = 0u32;
        let mut parts = Vec::new();
        for term in terms {
            match term {
                Val::Const(c) => constant = constant.wrapping_add(*c),
                Val::Expr(e) => parts.push(e.clone()),
            }
        }
        if parts.is_empty() {
            return Val::Const(constant);
        }
        if constant != 0 {
            parts.push(Val::Const(constant).wgsl());
        }
        if parts.len() == 1 {
            return Val::Expr(parts.remove(0));
        }
        writeln!(self.body, "    let {name} = {};", parts.join(" + ")).unwrap();
        Val::expr(name)
    }
}

fn call1(name: &str, f: fn(u32) -> u32, x: &Val) -> Val {
    match x {
        Val::Const(c) => Val::Const(f(*c)),
        Val::Expr(e) => Val::expr(format!("{name}({e})")),
    }
}

fn call3(name: &str, f: fn(u32, u32, u32) -> u32, x: &Val, y: &Val, z: &Val) -> Val {
    match (x, y, z) {
        (Val::Const(a), Val::Const(b), Val::Const(c)) => Val::Const(f(*a, *b, *c)),
        _ => Val::expr(format!("{name}({}, {}, {})", x.wgsl(), y.wgsl(), z.wgsl())),
    }
}

/// One compression's rounds, over a message schedule computed as needed.
struct Compression<'a> {
    emitter: &'a mut Emitter,
    prefix: &'static str,
    /// a_r at index r + 3, so a_{-3} is at 0.
    a: Vec<Option<Val>>,
    e: Vec<Option<Val>>,
    w: Vec<Option<Val>>,
}

impl Compression<'_> {
    fn a(&self, r: i32) -> Val {
        self.a[(r + 3) as usize]
            .clone()
            .expect("a defined before use")
    }

    fn e(&self, r: i32) -> Val {
        self.e[(r + 3) as usize]
            .clone()
            .expect("e defined before use")
    }

    fn w(&mut self, i: usize) -> Val {
        if let Some(v) = &self.w[i] {
            return v.clone();
        }
        let terms = [
            call1("small_sigma1", small_sigma1, &self.w(i - 2)),
            self.w(i - 7),
            call1("small_sigma0", small_sigma0, &self.w(i - 15)),
            self.w(i - 16),
        ];
        let v = self.emitter.sum(&format!("{}w{i}", self.prefix), &terms);
        self.w[i] = Some(v.clone());
        v
    }

    /// Round r; with `e_only`, only the new e (the last round H7 needs).
    fn round(&mut self, r: usize, e_only: bool) {
        let ri = r as i32;
        let d = self.a(ri - 3);
        let (e, f, g, h) = (self.e(ri), self.e(ri - 1), self.e(ri - 2), self.e(ri - 3));
        let w = self.w(r);
        let p = self.prefix;
        let t1 = self.emitter.sum(
            &format!("{p}t{r}"),
            &[
                h,
                call1("big_sigma1", big_sigma1, &e),
                call3("ch", ch, &e, &f, &g),
                Val::Const(K[r]),
                w,
            ],
        );
        let new_e = self
            .emitter
            .sum(&format!("{p}e{}", r + 1), &[d, t1.clone()]);
        self.e[r + 4] = Some(new_e);
        if !e_only {
            let (a, b, c) = (self.a(ri), self.a(ri - 1), self.a(ri - 2));
            let new_a = self.emitter.sum(
                &format!("{p}a{}", r + 1),
                &[
                    t1,
                    call1("big_sigma0", big_sigma0, &a),
                    call3("maj", maj, &a, &b, &c),
                ],
            );
            self.a[r + 4] = Some(new_a);
        }
    }
}

fn generate() -> String {
    let mut emitter = Emitter {
        body: String::new(),
    };

    // First hash, second block: rounds 4..63 from the host's precomputation.
    writeln!(
        emitter.body,
        "    // First SHA-256, the header's second block, rounds 4..63."
    )
    .unwrap();
    let mut w: Vec<Option<Val>> = vec![None; 64];
    w[3] = Some(Val::expr("w3"));
    w[4] = Some(Val::Const(0x8000_0000)); // padding: a 1 bit after the 80 bytes
    for word in w.iter_mut().take(15).skip(5) {
        *word = Some(Val::Const(0));
    }
    w[15] = Some(Val::Const(640)); // message length in bits
    let mut first = Compression {
        emitter: &mut emitter,
        prefix: "x_",
        a: vec![None; 68],
        e: vec![None; 68],
        w,
    };
    first.w[16] = Some(Val::expr("params.pre.w16"));
    first.w[17] = Some(Val::expr("params.pre.w17"));
    let w18 = first.emitter.sum(
        "x_w18",
        &[
            Val::expr("params.pre.w18_base"),
            Val::expr("small_sigma0(w3)"),
        ],
    );
    first.w[18] = Some(w18);
    let w19 = first.emitter.sum(
        "x_w19",
        &[Val::expr("params.pre.w19_base"), Val::expr("w3")],
    );
    first.w[19] = Some(w19);
    for r in 1..=3 {
        first.a[r + 3] = Some(Val::expr(format!("params.pre.a{r}")));
        first.e[r + 3] = Some(Val::expr(format!("params.pre.e{r}")));
    }
    let a4 = first
        .emitter
        .sum("x_a4", &[Val::expr("params.pre.a4_base"), Val::expr("w3")]);
    let e4 = first
        .emitter
        .sum("x_e4", &[Val::expr("params.pre.e4_base"), Val::expr("w3")]);
    first.a[7] = Some(a4);
    first.e[7] = Some(e4);
    for r in 4..64 {
        first.round(r, false);
    }
    // The first digest: midstate + final state.
    let finals = [
        first.a(64),
        first.a(63),
        first.a(62),
        first.a(61),
        first.e(64),
        first.e(63),
        first.e(62),
        first.e(61),
    ];
    let midstate = ["x", "y", "z", "w"];
    let mut digest = Vec::new();
    for (i, value) in finals.iter().enumerate() {
        let mid = Val::expr(format!("params.midstate[{}].{}", i / 4, midstate[i % 4]));
        digest.push(emitter.sum(&format!("d{i}"), &[mid, value.clone()]));
    }

    // Second hash: the 32-byte digest, padded, from the constant IV.
    writeln!(
        emitter.body,
        "    // Second SHA-256, rounds 0..60; only e of round 60 feeds H7."
    )
    .unwrap();
    let mut w: Vec<Option<Val>> = vec![None; 64];
    for (i, d) in digest.iter().enumerate() {
        w[i] = Some(d.clone());
    }
    w[8] = Some(Val::Const(0x8000_0000));
    for word in w.iter_mut().take(15).skip(9) {
        *word = Some(Val::Const(0));
    }
    w[15] = Some(Val::Const(256));
    let mut second = Compression {
        emitter: &mut emitter,
        prefix: "y_",
        a: vec![None; 68],
        e: vec![None; 68],
        w,
    };
    for i in 0..4 {
        second.a[3 - i] = Some(Val::Const(IV[i]));
        second.e[3 - i] = Some(Val::Const(IV[4 + i]));
    }
    // e61 = d60 + t1(60) and d60 = a57: the a-chain past a57 (rounds 57..60)
    // feeds nothing H7 needs, so those rounds compute e only.
    for r in 0..=60 {
        second.round(r, r >= 57);
    }
    let e61 = second.e(61);
    let h7 = emitter.sum("h7", &[Val::Const(IV[7]), e61]);

    let mut out = String::new();
    out.push_str(
        "// GENERATED by build.rs: do not edit. The unrolled double SHA-256 of the\n\
         // fast search kernel, constants folded; see build.rs for how.\n\
         //\n\
         // Inputs: w3, the nonce as SHA-256 message word 3 (byte-swapped);\n\
         // params.midstate, the state after the header's first 64 bytes;\n\
         // params.pre, the nonce-independent terms the host precomputes\n\
         // (src/chain/precompute.rs). Output: the last state word H7 of\n\
         // sha256d(header); the hash's top 32 bits are swap_bytes(H7).\n\n\
         fn sha256d_last_word(w3: u32) -> u32 {\n",
    );
    out.push_str(&emitter.body);
    writeln!(out, "    return {};\n}}", h7.wgsl()).unwrap();
    out
}

/// The minor version of the rustc building this crate (1.x).
fn rustc_minor() -> Option<u32> {
    let rustc = std::env::var("RUSTC").ok()?;
    let output = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    text.split_whitespace()
        .nth(1)?
        .split('.')
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    // The AVX-512 intrinsics are stable from Rust 1.89; an older compiler
    // (the MSRV is 1.87) builds the other CPU paths only.
    println!("cargo::rustc-check-cfg=cfg(hashwatt_avx512)");
    if rustc_minor().is_some_and(|minor| minor >= 89) {
        println!("cargo:rustc-cfg=hashwatt_avx512");
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/chain/sha256_math.rs");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let path = std::path::Path::new(&out_dir).join("sha256d_unrolled.wgsl");
    std::fs::write(&path, generate()).expect("write the generated WGSL");
    build_facts();
    web_dist(std::path::Path::new(&out_dir));
}

/// The browser page for `hashwatt web`: every file under web/dist (built
/// by scripts/build-web.sh), listed in OUT_DIR/web_dist.rs with
/// `include_bytes!`; an empty list when there is none, or when building the
/// library for the browser itself (no `native` feature). `web/` is watched
/// as a whole, so a page built or removed later is picked up: a path that
/// does not exist would make cargo rerun this script on every build.
fn web_dist(out_dir: &std::path::Path) {
    println!("cargo:rerun-if-changed=web");
    let dist = std::path::Path::new("web/dist");
    let mut files = Vec::new();
    if std::env::var_os("CARGO_FEATURE_NATIVE").is_some() && dist.join("index.html").is_file() {
        list_files(dist, dist, &mut files);
    }
    files.sort();
    let mut code = String::from("pub static FILES: &[(&str, &[u8])] = &[\n");
    for (name, path) in &files {
        let absolute = std::fs::canonicalize(path).expect("a listed file exists");
        code.push_str(&format!(
            "    ({name:?}, include_bytes!({:?})),\n",
            absolute.display().to_string()
        ));
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("web_dist.rs"), code).expect("write the page's file list");
}

/// Every file under `dir`, as (its path under `root` with `/`, its path).
fn list_files(
    root: &std::path::Path,
    dir: &std::path::Path,
    files: &mut Vec<(String, std::path::PathBuf)>,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            list_files(root, &path, files);
        } else if let (true, Ok(rel)) = (path.is_file(), path.strip_prefix(root)) {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            files.push((parts.join("/"), path));
        }
    }
}

/// Facts a bench report records about the build: the git commit when built
/// from a checkout (HASHWATT_GIT_COMMIT, with "-dirty" for uncommitted
/// changes) and the wgpu version from Cargo.lock (HASHWATT_WGPU_VERSION).
fn build_facts() {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    if let Some(commit) = git(&["rev-parse", "HEAD"]) {
        let dirty =
            git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
        let suffix = if dirty { "-dirty" } else { "" };
        println!("cargo:rustc-env=HASHWATT_GIT_COMMIT={commit}{suffix}");
        if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
            println!("cargo:rerun-if-changed={dir}/HEAD");
            println!("cargo:rerun-if-changed={dir}/index");
        }
    }
    println!("cargo:rerun-if-changed=Cargo.lock");
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    let wgpu = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"wgpu\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")))
        .map(|v| v.trim_end_matches('"').to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=HASHWATT_WGPU_VERSION={wgpu}");
}
