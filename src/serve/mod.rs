//! A static file server on 127.0.0.1, std only: `hashwatt web` serves the
//! browser page with it (the copy built into the binary, or a folder), and
//! the browser test serves `web/dist` with it. GET and HEAD of the files
//! of one site, with the MIME types a browser needs (`application/wasm`
//! lets `WebAssembly.instantiateStreaming` compile the module while it
//! downloads; JavaScript modules must be served as JavaScript). One
//! request per connection, then `Connection: close`. A request path never
//! leaves the site: `..`, a root or a prefix in it is a 404, and a folder's
//! file is served only where its real path (links resolved) is inside.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The browser page as `scripts/build-web.sh` left `web/dist` when this
/// binary was built: `(path under web/dist, bytes)`, empty when there was
/// no page (`build.rs` writes the list).
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/web_dist.rs"));
}

/// What a server serves.
#[derive(Clone, Debug)]
pub enum Site {
    /// The files under a folder (its canonical path).
    Folder(PathBuf),
    /// Files held in memory: `(path, bytes)`, paths with `/` separators.
    Files(&'static [(&'static str, &'static [u8])]),
}

impl Site {
    /// The files under `root`, which must exist.
    pub fn folder(root: &Path) -> std::io::Result<Site> {
        Ok(Site::Folder(root.canonicalize()?))
    }

    /// The page built into this binary, or `None` when it was built
    /// without one.
    pub fn embedded() -> Option<Site> {
        let files = embedded::FILES;
        files
            .iter()
            .any(|(path, _)| *path == "index.html")
            .then_some(Site::Files(files))
    }

    /// The body and Content-Type for a request target, or `None` (404).
    fn get(&self, target: &str) -> Option<std::io::Result<(Vec<u8>, &'static str)>> {
        match self {
            Site::Folder(root) => {
                let file = resolve(root, target)?;
                Some(std::fs::read(&file).map(|bytes| (bytes, mime_type(&file))))
            }
            Site::Files(files) => {
                let (path, bytes) = resolve_in(files, target)?;
                Some(Ok((bytes.to_vec(), mime_type(Path::new(path)))))
            }
        }
    }
}

/// A running server; stops when dropped.
pub struct StaticServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    /// Every request line answered, with its status: shown when a test fails.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl StaticServer {
    /// Serves the folder `root` on 127.0.0.1 at a port the system picks.
    pub fn start(root: &Path) -> std::io::Result<StaticServer> {
        StaticServer::bind(0, Site::folder(root)?)
    }

    /// Serves `site` on 127.0.0.1:`port` (0: a port the system picks).
    pub fn bind(port: u16, site: Site) -> std::io::Result<StaticServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (stop_flag, request_log) = (stop.clone(), log.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop_flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (site, log) = (site.clone(), request_log.clone());
                std::thread::spawn(move || {
                    if let Some(line) = answer(stream, &site) {
                        log.lock().unwrap_or_else(|e| e.into_inner()).push(line);
                    }
                });
            }
        });
        Ok(StaticServer {
            addr,
            stop,
            thread: Some(thread),
            log,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` followed by `path_and_query`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{}", self.addr, path_and_query)
    }

    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The Content-Type for a file name.
pub fn mime_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "wgsl" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The parts of a request target's path, or `None` when one would leave
/// the site (`..`, a root, a Windows prefix). Query and fragment dropped.
fn parts(target: &str) -> Option<Vec<String>> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let mut parts = Vec::new();
    for part in Path::new(path.trim_start_matches('/')).components() {
        match part {
            Component::Normal(name) => parts.push(name.to_str()?.to_string()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts)
}

/// The file under `root` that a request path names, or None when the path
/// leaves `root` or names no file. `/` and folders serve their index.html.
pub fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let mut file = root.to_path_buf();
    file.extend(parts(target)?);
    if file.is_dir() {
        file.push("index.html");
    }
    let file = file.canonicalize().ok()?;
    (file.starts_with(root) && file.is_file()).then_some(file)
}

/// The in-memory file a request path names, as [`resolve`] does for a
/// folder: `/` and folders serve their index.html.
fn resolve_in(
    files: &'static [(&'static str, &'static [u8])],
    target: &str,
) -> Option<(&'static str, &'static [u8])> {
    let path = parts(target)?.join("/");
    let index = if path.is_empty() {
        "index.html".to_string()
    } else {
        format!("{path}/index.html")
    };
    files
        .iter()
        .find(|(name, _)| *name == path)
        .or_else(|| files.iter().find(|(name, _)| *name == index))
        .copied()
}

/// Answers one request; returns "METHOD TARGET -> STATUS" for the log.
fn answer(stream: TcpStream, site: &Site) -> Option<String> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    // Skip the headers up to the blank line.
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header.trim_end().is_empty() {
            break;
        }
    }
    let mut words = request_line.split_whitespace();
    let (method, target) = (words.next()?, words.next().unwrap_or("/"));
    let (status, body, mime) = match (method, site.get(target)) {
        ("GET" | "HEAD", Some(Ok((bytes, mime)))) => ("200 OK", bytes, mime),
        ("GET" | "HEAD", Some(Err(_))) => ("500 Internal Server Error", Vec::new(), "text/plain"),
        ("GET" | "HEAD", None) => ("404 Not Found", b"not found\n".to_vec(), "text/plain"),
        _ => ("405 Method Not Allowed", Vec::new(), "text/plain"),
    };
    let mut out = stream;
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    out.write_all(head.as_bytes()).ok()?;
    if method != "HEAD" {
        out.write_all(&body).ok()?;
    }
    out.flush().ok()?;
    Some(format!("{method} {target} -> {status}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILES: &[(&str, &[u8])] = &[
        ("index.html", b"<p>hi</p>"),
        ("pkg/m.wasm", b"\0asm"),
        ("pkg/index.html", b"pkg"),
    ];

    #[test]
    fn in_memory_paths_stay_inside() {
        let name = |target| resolve_in(FILES, target).map(|(name, _)| name);
        assert_eq!(name("/"), Some("index.html"));
        assert_eq!(name("/?autorun=1"), Some("index.html"));
        assert_eq!(name("/pkg/m.wasm"), Some("pkg/m.wasm"));
        assert_eq!(name("/pkg/"), Some("pkg/index.html"));
        assert_eq!(name("/./pkg/./m.wasm"), Some("pkg/m.wasm"));
        assert_eq!(name("/../index.html"), None);
        assert_eq!(name("/pkg/../index.html"), None);
        assert_eq!(name("/missing.js"), None);
    }
}
