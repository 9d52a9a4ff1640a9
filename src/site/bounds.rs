//! What reality allows: the physical and economic bounds that every input
//! and every document read is held to, in one place. A figure outside them
//! is refused with a one-line error naming it, never carried into a result.
//! Each bound is far beyond anything real, so that it only ever catches
//! nonsense (a subnormal rate, a device of 1e308 W, fees of all the bitcoin
//! there will ever be), and each says why it is where it is.
//!
//! A leaf module: numbers only.

/// The slowest rate a bench result may claim: one hash a second. Slower is
/// no device worth a figure, and a rate such as 5e-324 (a subnormal) is an
/// artefact of arithmetic, not a measurement.
pub const MIN_HASHES_PER_SECOND: f64 = 1.0;
/// The fastest rate one device may claim: 1 EH/s, about two thousand times
/// the fastest ASIC sold (under 1 PH/s) and a thousandth of the network.
pub const MAX_HASHES_PER_SECOND: f64 = 1e18;
/// The best efficiency anything may claim: 1e15 H/J (0.001 J/TH), ten
/// thousand times the best ASIC (about 9.5 J/TH, 1e11 H/J). A double
/// SHA-256 takes on the order of 10^5 irreversible bit operations, and
/// Landauer's limit at room temperature (kT ln 2 = 2.9e-21 J a bit) puts
/// that near 3e-16 J a hash: no device hashes more than a few 1e15 per joule.
pub const MAX_HASHES_PER_JOULE: f64 = 1e15;
/// The most power one device may draw: a megawatt, a hundred times a
/// large hydro-cooled ASIC (about 10 kW) and a thousand times a GPU.
pub const MAX_DEVICE_WATTS: f64 = 1e6;
/// The longest timed run a result may record: a year of seconds.
pub const MAX_RUN_SECONDS: f64 = 365.25 * 86_400.0;
/// No more bitcoin than this will ever exist: no result may exceed it.
pub const MAX_SUPPLY_BTC: f64 = 21e6;
/// Average fees per block, at most the subsidy's original scale: 50 BTC,
/// the largest subsidy Bitcoin ever paid. Fees are an average over many
/// blocks in the model; the highest ever paid by one block came near it
/// (block 840,000, the fourth halving's, paid about 37.6 BTC), while the
/// averages of busy months stay below a few BTC.
pub const MAX_FEES_BTC_PER_BLOCK: f64 = 50.0;
/// The highest price of a bitcoin an estimate takes: a billion dollars,
/// all 21 million bitcoin worth 2e16 USD, some two hundred years of the
/// world's output.
pub const MAX_BTC_USD: f64 = 1e9;
/// The highest price of one device: a billion dollars.
pub const MAX_DEVICE_USD: f64 = 1e9;
/// The highest price of a megawatt-hour, either way (a sale or a cost):
/// a million dollars, a hundred times the highest caps of wholesale markets
/// (ERCOT's is 5,000 USD).
pub const MAX_USD_PER_MWH: f64 = 1e6;
