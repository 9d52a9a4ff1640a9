//! What `hashwatt web` takes: where the page comes from, the port, and
//! whether to open a browser.

use clap::Args;

/// The port `hashwatt web` listens on unless told: fixed, so a bookmark
/// keeps working.
pub const DEFAULT_WEB_PORT: u16 = 8421;

#[derive(Args, Debug)]
pub struct WebArgs {
    /// Port on 127.0.0.1; 0 picks a free one [default: 8421]
    #[arg(long, value_name = "N", default_value_t = DEFAULT_WEB_PORT)]
    pub port: u16,
    /// Serve the files of DIR (a web/dist that scripts/build-web.sh wrote) instead of the page
    /// built into this binary
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
    /// Open the page in the desktop's browser (xdg-open, or open on macOS)
    #[arg(long)]
    pub open: bool,
}
