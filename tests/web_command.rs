//! `hashwatt web`: the browser page served on 127.0.0.1 from the binary
//! alone. The server is the library's (`hashwatt::serve`), the one the
//! browser test uses too.

// Test harnesses print as harnesses do; the output layer is for the program.
#![allow(clippy::disallowed_macros)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A `hashwatt web` child, interrupted and reaped however the test ends.
struct Served {
    child: Option<Child>,
    /// The rest of its standard output, kept open while it runs.
    _stdout: BufReader<std::process::ChildStdout>,
    url: String,
}

impl Served {
    fn start(args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hashwatt"))
            .arg("web")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start hashwatt web");
        let mut first = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut first).unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"))
            .to_string();
        Served {
            child: Some(child),
            _stdout: stdout,
            url,
        }
    }

    /// The raw reply to `GET target`.
    fn get(&self, target: &str) -> String {
        let authority = self
            .url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let mut stream = std::net::TcpStream::connect(authority).unwrap();
        write!(stream, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).unwrap();
        String::from_utf8_lossy(&reply).into_owned()
    }

    /// Ctrl-C: the server stops, exit 130.
    fn interrupt(mut self) -> std::process::Output {
        let child = self.child.take().expect("running");
        // SAFETY: kill(2) on the child's own pid, not reaped yet and so cannot be reused.
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        child.wait_with_output().unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn page(dir: &Path) {
    std::fs::write(dir.join("index.html"), "<p>hashwatt</p>").unwrap();
    std::fs::create_dir(dir.join("pkg")).unwrap();
    std::fs::write(dir.join("pkg/hashwatt_web_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("pkg/hashwatt_web.js"), "export {}").unwrap();
}

#[test]
fn web_serves_a_folder_with_wasm_typed_and_nothing_outside_it() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("dist");
    std::fs::create_dir(&site).unwrap();
    page(&site);
    std::fs::write(dir.path().join("secret.txt"), "outside").unwrap();
    let served = Served::start(&["--dir", site.to_str().unwrap(), "--port", "0"]);
    let index = served.get("/index.html");
    assert!(index.starts_with("HTTP/1.1 200 OK\r\n"), "{index}");
    assert!(index.contains("Content-Type: text/html"), "{index}");
    assert!(index.ends_with("<p>hashwatt</p>"), "{index}");
    assert!(served.get("/").ends_with("<p>hashwatt</p>"));
    let wasm = served.get("/pkg/hashwatt_web_bg.wasm");
    assert!(wasm.starts_with("HTTP/1.1 200 OK\r\n"), "{wasm}");
    assert!(
        wasm.contains("Content-Type: application/wasm\r\n"),
        "{wasm}"
    );
    assert!(served
        .get("/pkg/hashwatt_web.js")
        .contains("Content-Type: text/javascript"));
    for outside in [
        "/../secret.txt",
        "/pkg/../../secret.txt",
        "/%2e%2e/secret.txt",
    ] {
        let reply = served.get(outside);
        assert!(reply.starts_with("HTTP/1.1 404"), "{outside}: {reply}");
        assert!(!reply.contains("outside"), "{outside}: {reply}");
    }
    let out = served.interrupt();
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("stopped serving"));
}

#[test]
fn web_without_a_page_says_how_to_build_one() {
    if hashwatt::serve::Site::embedded().is_some() {
        // Built with web/dist present: the page is served from the binary.
        let served = Served::start(&["--port", "0"]);
        let index = served.get("/");
        assert!(index.starts_with("HTTP/1.1 200 OK\r\n"), "{index}");
        assert!(index.contains("Content-Type: text/html"), "{index}");
        let out = served.interrupt();
        assert_eq!(out.status.code(), Some(130));
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args(["web", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("scripts/build-web.sh") && stderr.contains("--dir"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn web_on_a_taken_port_says_so() {
    let dir = tempfile::tempdir().unwrap();
    page(dir.path());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args([
            "web",
            "--dir",
            dir.path().to_str().unwrap(),
            "--port",
            &port,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("127.0.0.1:{port}")) && stderr.contains("--port 0"),
        "{stderr}"
    );
    // A folder with no page is bad input.
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hashwatt"))
        .args([
            "web",
            "--dir",
            empty.path().to_str().unwrap(),
            "--port",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
