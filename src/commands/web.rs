//! `hashwatt web`: the browser page for someone who has only the binary,
//! served on 127.0.0.1 until Ctrl-C.

use crate::cli::WebArgs;
use crate::error::{Error, Result};
use crate::serve::{Site, StaticServer};
use crate::signals::{Interrupt, POLL};

pub fn run(args: &WebArgs) -> Result<i32> {
    let (site, what) =
        match &args.dir {
            Some(dir) => {
                if !dir.join("index.html").is_file() {
                    return Err(Error::input(format!(
                    "--dir {} holds no index.html (scripts/build-web.sh writes one into web/dist)",
                    dir.display()
                )));
                }
                let site = Site::folder(dir)
                    .map_err(|e| Error::input(format!("--dir {}: {e}", dir.display())))?;
                (site, format!("the files of {}", dir.display()))
            }
            None => match Site::embedded() {
                Some(site) => (site, "the page built into hashwatt".to_string()),
                None => return Err(Error::device(
                    "this hashwatt was built without the browser page: run scripts/build-web.sh, \
rebuild, or serve a built page with --dir web/dist",
                )),
            },
        };
    let interrupt = Interrupt::install();
    let server = StaticServer::bind(args.port, site).map_err(|e| {
        let how = if args.port == 0 {
            String::new()
        } else {
            " (another `hashwatt web`?); pick another with --port N, or --port 0 for a free one"
                .to_string()
        };
        Error::device(format!(
            "cannot listen on 127.0.0.1:{}: {e}{how}",
            args.port
        ))
    })?;
    let url = server.url("/");
    outln!("serving {what} at {url}");
    outln!("Ctrl-C stops it");
    if args.open {
        open_browser(&url);
    }
    while !interrupt.flag().load(std::sync::atomic::Ordering::Relaxed) {
        std::thread::sleep(POLL);
    }
    drop(server);
    errln!("hashwatt: stopped serving {url}");
    Ok(interrupt.exit_code().unwrap_or(crate::error::exit::OK))
}

/// Asks the desktop to open `url`; a failure is a note, the server runs on.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        // Reaped on a thread of its own; the server does not wait for it.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => errln!("hashwatt: note: cannot run {opener} ({e}); open {url} yourself"),
    }
}
