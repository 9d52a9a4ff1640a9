//! The page in `web/dist` in a real browser: headless Chromium with WebGPU
//! on its software adapter (SwiftShader), driven over the DevTools
//! protocol. The page runs itself with `?autorun=1&duration=3` (adapter,
//! genesis-window search, verify on the embedded headers, bench, site
//! estimate), then sets `window.hashwattResult` and `window.hashwattDone`.
//!
//! Build the page first with `scripts/build-web.sh`; install the browser
//! with `apt-get install chromium` (Debian), or name one with
//! `HASHWATT_CHROMIUM=PATH`. `.ci/run` does both. With `CI` set, a missing
//! browser, page or WebGPU adapter fails the test; without it, the test
//! skips with a message.
//!
//! Environment: `HASHWATT_SCREENSHOT=PATH` (where the PNG of the finished
//! page goes), `HASHWATT_BROWSER_TIMEOUT=SECONDS` (how long the page may
//! take, 300 by default), `HASHWATT_WEB_DIST=DIR` (serve another build).
// The browser is started in a process group of its own (Unix).
#![cfg(unix)]
// Test harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

#[path = "browser/cdp.rs"]
mod cdp;
#[path = "browser/chromium.rs"]
mod chromium;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use cdp::Cdp;
use chromium::Browser;
// The server of `hashwatt web`, the one the page is served with.
use hashwatt::serve::StaticServer;

const GENESIS_NONCE: u64 = 2_083_236_893;
const GENESIS_HASH: &str = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
/// The bench's length in the page, in seconds.
const BENCH_SECONDS: u32 = 3;
/// A DevTools command's reply (not the page's run) comes within this.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

const HOW_TO: &str = "build the page with `scripts/build-web.sh` and install Chromium \
     (`apt-get install chromium`), or run `.ci/run`, which does both";

/// Under `CI`, a missing prerequisite fails the test; otherwise it skips.
fn missing(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but {what}: {HOW_TO}");
    }
    eprintln!("skipping the browser test: {what}; {HOW_TO} (set CI=1 to make this a failure)");
}

fn web_dist() -> PathBuf {
    match std::env::var_os("HASHWATT_WEB_DIST") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("web/dist"),
    }
}

fn page_timeout() -> Duration {
    let seconds = std::env::var("HASHWATT_BROWSER_TIMEOUT")
        .ok()
        .map(|s| {
            s.parse::<u64>().unwrap_or_else(|_| {
                panic!("HASHWATT_BROWSER_TIMEOUT={s:?} is not a whole number of seconds")
            })
        })
        .unwrap_or(300);
    Duration::from_secs(seconds)
}

fn screenshot_path() -> PathBuf {
    match std::env::var_os("HASHWATT_SCREENSHOT") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-page.png"),
    }
}

/// The browser, the server and the DevTools connection of one run, kept
/// together so that a failure can show everything each of them saw.
struct Run {
    cdp: Cdp,
    server: StaticServer,
    // Dropped last: the browser is killed after the connection closes.
    browser: Browser,
}

impl Run {
    fn start(binary: &Path, dist: &Path) -> Run {
        let server = StaticServer::start(dist)
            .unwrap_or_else(|e| panic!("cannot serve {} on 127.0.0.1: {e}", dist.display()));
        let (browser, endpoint) =
            Browser::launch(binary, COMMAND_TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
        eprintln!(
            "browser: {} (process group {}), DevTools at {endpoint}",
            binary.display(),
            browser.pid()
        );
        let mut cdp = Cdp::connect(&endpoint).unwrap_or_else(|e| panic!("{e}"));
        cdp.attach_new_page(COMMAND_TIMEOUT)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut run = Run {
            cdp,
            server,
            browser,
        };
        for domain in ["Runtime.enable", "Log.enable", "Page.enable"] {
            run.call(domain, json!({}));
        }
        run
    }

    /// Everything the page, the server and the browser said: for failure messages.
    fn diagnostics(&self) -> String {
        format!(
            "the page's console:\n{}\nrequests served:\n{}\nthe browser's standard error (last lines):\n{}",
            self.cdp.console_text(),
            self.server.requests().join("\n"),
            self.browser.stderr_tail()
        )
    }

    fn fail(&self, message: &str) -> ! {
        panic!("{message}\n{}", self.diagnostics());
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        match self.cdp.call(method, params, COMMAND_TIMEOUT) {
            Ok(result) => result,
            Err(e) => self.fail(&e),
        }
    }

    /// Polls the page until `window.hashwattDone` is true or `timeout` passes.
    fn wait_until_done(&mut self, timeout: Duration) {
        let start = Instant::now();
        let mut last_error = None;
        loop {
            // Errors while the page navigates (its context is replaced) are
            // expected; only the last one is kept, for the timeout message.
            match self
                .cdp
                .evaluate("window.hashwattDone === true", COMMAND_TIMEOUT)
            {
                Ok(Value::Bool(true)) => return,
                Ok(_) => {}
                Err(e) => last_error = Some(e),
            }
            if start.elapsed() > timeout {
                match self.try_screenshot(&screenshot_path()) {
                    Ok(shown) => eprintln!("screenshot of the unfinished page: {shown}"),
                    Err(e) => eprintln!("no screenshot of the unfinished page: {e}"),
                }
                let status = self
                    .cdp
                    .evaluate(
                        "document.body ? document.body.innerText.slice(0, 2000) : ''",
                        COMMAND_TIMEOUT,
                    )
                    .unwrap_or_default();
                self.fail(&format!(
                    "the page did not set window.hashwattDone within {} s (last evaluation error: {}); the page's text:\n{}",
                    timeout.as_secs(),
                    last_error.as_deref().unwrap_or("none"),
                    status.as_str().unwrap_or("")
                ));
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// A PNG of the whole page, written to `path`.
    fn screenshot(&mut self, path: &Path) {
        match self.try_screenshot(path) {
            Ok(shown) => eprintln!("screenshot: {shown}"),
            Err(e) => self.fail(&e),
        }
    }

    fn try_screenshot(&mut self, path: &Path) -> Result<String, String> {
        let metrics = self
            .cdp
            .call("Page.getLayoutMetrics", json!({}), COMMAND_TIMEOUT)?;
        let size = &metrics["cssContentSize"];
        let width = size["width"]
            .as_f64()
            .unwrap_or(1100.0)
            .clamp(320.0, 1600.0);
        let height = size["height"]
            .as_f64()
            .unwrap_or(800.0)
            .clamp(200.0, 16384.0);
        let shot = self.cdp.call(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            }),
            COMMAND_TIMEOUT,
        )?;
        let data = shot["data"]
            .as_str()
            .ok_or("Page.captureScreenshot returned no data")?;
        let bytes = data_encoding::BASE64
            .decode(data.as_bytes())
            .map_err(|e| format!("Page.captureScreenshot returned bad base64: {e}"))?;
        if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err("Page.captureScreenshot returned something not a PNG".into());
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(path, &bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(format!(
            "{} ({width}x{height} CSS px, {} bytes)",
            path.display(),
            bytes.len()
        ))
    }
}

#[test]
fn static_server_serves_wasm_with_its_mime_type_and_stays_inside_its_folder() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<p>hi</p>").unwrap();
    std::fs::write(dir.path().join("m.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::create_dir(dir.path().join("pkg")).unwrap();
    std::fs::write(dir.path().join("pkg/a.js"), "export {}").unwrap();
    let server = StaticServer::start(dir.path()).unwrap();
    let get = |target: &str| -> String {
        let authority = server.url("").trim_start_matches("http://").to_string();
        let mut stream = std::net::TcpStream::connect(authority).unwrap();
        write!(stream, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).unwrap();
        String::from_utf8_lossy(&reply).into_owned()
    };
    let wasm = get("/m.wasm");
    assert!(wasm.starts_with("HTTP/1.1 200 OK\r\n"), "{wasm}");
    assert!(
        wasm.contains("Content-Type: application/wasm\r\n"),
        "{wasm}"
    );
    assert!(wasm.contains("Content-Length: 8\r\n"), "{wasm}");
    let index = get("/?autorun=1&duration=3");
    assert!(
        index.contains("Content-Type: text/html") && index.ends_with("<p>hi</p>"),
        "{index}"
    );
    assert!(get("/pkg/a.js").contains("Content-Type: text/javascript"));
    assert!(get("/../Cargo.toml").starts_with("HTTP/1.1 404"));
    assert!(get("/pkg/../../x").starts_with("HTTP/1.1 404"));
    assert!(get("/missing.js").starts_with("HTTP/1.1 404"));
}

#[test]
fn page_finds_genesis_verifies_and_benches_in_headless_chromium() {
    let dist = web_dist();
    if !dist.join("index.html").is_file() {
        return missing(&format!(
            "{} has no page",
            dist.join("index.html").display()
        ));
    }
    let Some(binary) = chromium::find() else {
        return missing(&format!(
            "no Chromium found (tried {}; HASHWATT_CHROMIUM names another)",
            chromium::CANDIDATES.join(", ")
        ));
    };
    let mut run = Run::start(&binary, &dist);
    let url = run
        .server
        .url(&format!("/index.html?autorun=1&duration={BENCH_SECONDS}"));
    eprintln!("page: {url}");
    let navigated = run.call("Page.navigate", json!({"url": url}));
    if let Some(error) = navigated.get("errorText") {
        run.fail(&format!("Page.navigate to {url} failed: {error}"));
    }
    let started = Instant::now();
    run.wait_until_done(page_timeout());
    eprintln!(
        "the page finished in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let text = match run.cdp.evaluate(
        "JSON.stringify(window.hashwattResult ?? null)",
        COMMAND_TIMEOUT,
    ) {
        Ok(Value::String(text)) => text,
        Ok(other) => run.fail(&format!(
            "JSON.stringify(window.hashwattResult) gave {other}"
        )),
        Err(e) => run.fail(&e),
    };
    // The screenshot comes before any assertion, so a failed run is seen too.
    run.screenshot(&screenshot_path());
    let result: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| run.fail(&format!("window.hashwattResult is not JSON ({e}): {text}")));
    eprintln!("adapter: {}", result["adapter"]);

    // No adapter (or no WebGPU at all): the page's error names WebGPU and it
    // reports no adapter. Any other failure to open fails the test.
    let error = result["error"].as_str().unwrap_or("no error given");
    if result["adapter"].is_null() && error.to_lowercase().contains("webgpu") {
        if std::env::var_os("CI").is_some() {
            run.fail(&format!(
                "CI is set but the page found no WebGPU adapter: {error}"
            ));
        }
        eprintln!("skipping the browser test: the page found no WebGPU adapter ({error}); set CI=1 to make this a failure");
        return;
    }
    if result["ok"] != json!(true) {
        run.fail(&format!(
            "the page reports a failure: {}\nwindow.hashwattResult: {text}",
            result["error"]
        ));
    }

    let genesis = &result["genesis"];
    assert_eq!(
        genesis["nonce"].as_u64(),
        Some(GENESIS_NONCE),
        "the genesis nonce: {genesis}"
    );
    assert_eq!(
        genesis["hash"].as_str(),
        Some(GENESIS_HASH),
        "the genesis block hash: {genesis}"
    );
    assert_eq!(
        genesis["verified"],
        json!(true),
        "the genesis hit is verified on the CPU: {genesis}"
    );

    let verify = &result["verify"];
    assert_eq!(
        verify["passed"],
        json!(true),
        "the page's verify passes: {verify}"
    );
    let rows = verify["rows"].as_array().map_or(0, Vec::len);
    assert!(rows > 0, "the page's verify has rows: {verify}");

    check_bench(&result["bench"]);
}

/// The page's bench document is one the native tool reads: `read_bench`
/// parses it and `hashwatt estimate --from` runs on it.
fn check_bench(bench: &Value) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("browser-bench.json");
    std::fs::write(&file, serde_json::to_vec_pretty(bench).unwrap()).unwrap();
    let report = hashwatt::report::read_bench(&file).unwrap_or_else(|e| {
        panic!("read_bench rejects the page's bench document ({e}):\n{bench:#}")
    });
    assert_eq!(
        report.device.backend.to_lowercase(),
        "webgpu",
        "the backend of {:?}",
        report.device
    );
    assert!(
        report.nonces > 0 && report.hashes_per_second > 0.0,
        "the bench hashed: {bench:#}"
    );
    eprintln!(
        "bench: {} on {} ({}), {} nonces in {:.2} s",
        report.hashes_per_second,
        report.device.name,
        report.device.device_type,
        report.nonces,
        report.seconds
    );

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .arg("estimate")
        .arg("--from")
        .arg(&file)
        .output()
        .expect("hashwatt runs");
    assert!(
        output.status.success(),
        "hashwatt estimate --from the page's bench exits {:?}:\n{}\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!(
        "hashwatt estimate --from the page's bench:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
