//! A minimal client for Chromium's DevTools protocol over one websocket:
//! commands with ids, replies matched by id, and the events that arrive in
//! between kept as the page's console log.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::{Message, WebSocket};

pub struct Cdp {
    socket: WebSocket<TcpStream>,
    next_id: u64,
    /// The page session that commands go to once `attach` has run.
    session: Option<String>,
    /// Console calls, uncaught exceptions and log entries, in arrival order.
    pub console: Vec<String>,
}

impl Cdp {
    /// Connects to the browser endpoint `ws://127.0.0.1:PORT/devtools/browser/ID`.
    pub fn connect(url: &str) -> Result<Cdp, String> {
        let authority = url
            .strip_prefix("ws://")
            .and_then(|rest| rest.split('/').next())
            .ok_or_else(|| format!("not a ws:// URL: {url}"))?;
        let stream = TcpStream::connect(authority)
            .map_err(|e| format!("cannot connect to DevTools at {authority}: {e}"))?;
        let (socket, _) = tungstenite::client(url, stream)
            .map_err(|e| format!("DevTools websocket handshake with {url} failed: {e}"))?;
        Ok(Cdp {
            socket,
            next_id: 1,
            session: None,
            console: Vec::new(),
        })
    }

    /// Opens a new tab and sends every later command to it.
    pub fn attach_new_page(&mut self, timeout: Duration) -> Result<(), String> {
        let created = self.browser_call(
            "Target.createTarget",
            json!({"url": "about:blank"}),
            timeout,
        )?;
        let target = created["targetId"]
            .as_str()
            .ok_or("Target.createTarget returned no targetId")?
            .to_string();
        let attached = self.browser_call(
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
            timeout,
        )?;
        let session = attached["sessionId"]
            .as_str()
            .ok_or("Target.attachToTarget returned no sessionId")?;
        self.session = Some(session.to_string());
        Ok(())
    }

    /// Sends `method` to the attached page and waits for its result.
    pub fn call(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, String> {
        let session = self.session.clone();
        self.send(method, params, session.as_deref(), timeout)
    }

    /// Sends `method` to the browser itself.
    fn browser_call(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, String> {
        self.send(method, params, None, timeout)
    }

    fn send(
        &mut self,
        method: &str,
        params: Value,
        session: Option<&str>,
        timeout: Duration,
    ) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .map_err(|e| format!("{method}: cannot send to DevTools: {e}"))?;
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "{method}: no reply from DevTools within {} s",
                    timeout.as_secs()
                ));
            }
            self.socket
                .get_ref()
                .set_read_timeout(Some(left))
                .map_err(|e| format!("{method}: {e}"))?;
            let text = match self.socket.read() {
                Ok(Message::Text(text)) => text,
                Ok(Message::Close(_)) => {
                    return Err(format!("{method}: DevTools closed the connection"))
                }
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    continue
                }
                Err(e) => return Err(format!("{method}: DevTools connection failed: {e}")),
            };
            let reply: Value = serde_json::from_str(text.as_str())
                .map_err(|e| format!("{method}: DevTools sent something not JSON: {e}"))?;
            if reply["id"].as_u64() == Some(id) {
                if let Some(error) = reply.get("error") {
                    return Err(format!("{method} failed: {error}"));
                }
                return Ok(reply["result"].clone());
            }
            if let Some(line) = console_line(&reply) {
                self.console.push(line);
            }
        }
    }

    /// Evaluates `expression` in the page and returns its value (promises awaited).
    pub fn evaluate(&mut self, expression: &str, timeout: Duration) -> Result<Value, String> {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
            timeout,
        )?;
        if let Some(details) = result.get("exceptionDetails") {
            return Err(format!(
                "evaluating {expression:?} threw: {}",
                exception_text(details)
            ));
        }
        Ok(result["result"]["value"].clone())
    }

    /// The page's console output so far, one line per entry.
    pub fn console_text(&self) -> String {
        if self.console.is_empty() {
            return "(no console output)".to_string();
        }
        self.console.join("\n")
    }
}

/// One line for a console call, an uncaught exception or a log entry.
fn console_line(event: &Value) -> Option<String> {
    let params = &event["params"];
    match event["method"].as_str()? {
        "Runtime.consoleAPICalled" => {
            let args: Vec<String> = params["args"]
                .as_array()
                .map(|args| args.iter().map(remote_object_text).collect())
                .unwrap_or_default();
            Some(format!(
                "console.{}: {}",
                params["type"].as_str().unwrap_or("log"),
                args.join(" ")
            ))
        }
        "Runtime.exceptionThrown" => Some(format!(
            "uncaught exception: {}",
            exception_text(&params["exceptionDetails"])
        )),
        "Log.entryAdded" => {
            let entry = &params["entry"];
            Some(format!(
                "log.{} ({}): {} {}",
                entry["level"].as_str().unwrap_or("?"),
                entry["source"].as_str().unwrap_or("?"),
                entry["text"].as_str().unwrap_or(""),
                entry["url"].as_str().unwrap_or("")
            ))
        }
        _ => None,
    }
}

fn remote_object_text(object: &Value) -> String {
    match &object["value"] {
        Value::String(s) => s.clone(),
        Value::Null => object["description"]
            .as_str()
            .or(object["type"].as_str())
            .unwrap_or("?")
            .to_string(),
        other => other.to_string(),
    }
}

fn exception_text(details: &Value) -> String {
    details["exception"]["description"]
        .as_str()
        .or(details["text"].as_str())
        .unwrap_or("?")
        .to_string()
}
