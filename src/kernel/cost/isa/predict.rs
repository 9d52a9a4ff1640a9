//! Rates predicted from the ISA for named cards: never measured, always
//! labelled so, and never written into a bench record or `results/`.
//!
//! The model (docs/isa.md, "Predictions"): a compute unit retires 64 lanes
//! of vector ALU work per clock on every family here (GCN and CDNA: four
//! 16-lane SIMDs, each taking four clocks per 64-lane wave instruction;
//! RDNA: two 32-lane SIMDs). So
//!
//! ```text
//! predicted nonces/s = compute units x 64 x boost clock / VALU instructions per nonce
//! ```
//!
//! Assumptions: every vector instruction on the nonce's path is full rate
//! (the 32-bit integer operations SHA-256 uses are); scalar, memory and
//! branch instructions issue on other units in the shadow of the vector
//! work; enough waves are resident to hide latency (ACO's occupancy is
//! reported beside it); the card holds its boost clock; no dual issue on
//! RDNA3 (ACO in Mesa 22.3 emits no VOPD pairs, and the three-input
//! operations the kernel is made of have no dual-issue form). It is an
//! upper bound of the shader's issue rate, not a forecast of a bench.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The label every prediction carries.
pub const LABEL: &str = "predicted from ISA, not measured";

/// Lanes of 32-bit vector ALU work one compute unit retires per clock.
pub const LANES_PER_CU_CLOCK: u32 = 64;

/// A card, its published figures and where they are from.
#[derive(Clone, Copy, Debug)]
pub struct Card {
    pub family: &'static str,
    pub name: &'static str,
    pub compute_units: u32,
    pub boost_mhz: u32,
    pub source: &'static str,
    /// hashcat's published single SHA-256 rate (`-m 1400`), where one is
    /// public: (MH/s, where it was published).
    pub hashcat_1400: Option<(f64, &'static str)>,
}

const AMD: &str = "AMD product specifications, amd.com/en/products/specifications";

const fn card(
    family: &'static str,
    name: &'static str,
    compute_units: u32,
    boost_mhz: u32,
) -> Card {
    Card {
        family,
        name,
        compute_units,
        boost_mhz,
        source: AMD,
        hashcat_1400: None,
    }
}

pub const CARDS: [Card; 17] = [
    Card {
        source: "AMD product specifications, amd.com/en/products/specifications; \
Guru3D, XFX Radeon RX 7900 XTX Magnetic Air review, specifications page",
        ..card("gfx1100", "Radeon RX 7900 XTX", 96, 2500)
    },
    card("gfx1101", "Radeon RX 7800 XT", 60, 2430),
    card("gfx1102", "Radeon RX 7600", 32, 2655),
    card("navi21", "Radeon RX 6900 XT", 80, 2250),
    Card {
        hashcat_1400: Some((
            7015.9,
            "hashcat v6.2.6-846, OpenCL (AMD-APP 3590), -b: github.com/hashcat/hashcat/issues/3918",
        )),
        ..card("navi21", "Radeon RX 6800", 60, 2105)
    },
    card("navi22", "Radeon RX 6700 XT", 40, 2581),
    card("navi23", "Radeon RX 6600 XT", 32, 2589),
    card("navi24", "Radeon RX 6500 XT", 16, 2815),
    Card {
        source: "Valve, Steam Deck tech specs, steamdeck.com/en/tech",
        ..card("vangogh", "Steam Deck APU", 8, 1600)
    },
    card("navi10", "Radeon RX 5700 XT", 40, 1905),
    card("navi14", "Radeon RX 5500 XT", 22, 1845),
    card("vega20", "Radeon VII", 60, 1750),
    card("vega10", "Radeon RX Vega 64", 64, 1546),
    card("polaris10", "Radeon RX 580", 36, 1340),
    card("fiji", "Radeon R9 Fury X", 64, 1050),
    card("arcturus", "Instinct MI100", 120, 1502),
    card("aldebaran", "Instinct MI250X", 220, 1700),
];

/// hashcat's rate beside a prediction, with what it measures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HashcatRate {
    /// `-m 1400`: SHA2-256 of a short password, one compression per hash,
    /// hand-optimized kernel; not SHA-256d, which is about 1.9 compressions.
    pub mode: u32,
    pub mhs: f64,
    pub source: String,
}

/// One card's predicted rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Prediction {
    /// Always `predicted from ISA, not measured`.
    pub label: String,
    pub card: String,
    /// The family it was compiled for.
    pub family: String,
    pub compute_units: u32,
    pub lanes_per_cu_clock: u32,
    pub boost_mhz: u32,
    /// The vector ALU instructions per nonce it divides by.
    pub valu_per_nonce: u64,
    /// Nonces (double SHA-256 hashes) per second, in millions.
    pub predicted_mhs: f64,
    /// Where the card's figures are from.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashcat: Option<HashcatRate>,
}

/// The predictions for every named card of `family`, from its VALU
/// instructions per nonce (none when that is 0).
pub fn predict(family: &str, valu_per_nonce: u64) -> Vec<Prediction> {
    if valu_per_nonce == 0 {
        return Vec::new();
    }
    CARDS
        .iter()
        .filter(|c| c.family == family)
        .map(|c| Prediction {
            label: LABEL.into(),
            card: c.name.into(),
            family: family.into(),
            compute_units: c.compute_units,
            lanes_per_cu_clock: LANES_PER_CU_CLOCK,
            boost_mhz: c.boost_mhz,
            valu_per_nonce,
            predicted_mhs: f64::from(c.compute_units)
                * f64::from(LANES_PER_CU_CLOCK)
                * f64::from(c.boost_mhz)
                / valu_per_nonce as f64,
            source: c.source.into(),
            hashcat: c.hashcat_1400.map(|(mhs, source)| HashcatRate {
                mode: 1400,
                mhs,
                source: source.into(),
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prediction_is_the_issue_rate_over_the_count_and_carries_its_label() {
        let p = predict("gfx1100", 4000);
        assert_eq!(p.len(), 1);
        // 96 CUs x 64 lanes x 2500 MHz / 4000 = 3840 MH/s.
        assert!((p[0].predicted_mhs - 3840.0).abs() < 1e-9);
        assert_eq!(p[0].label, LABEL);
        assert!(predict("gfx1100", 0).is_empty());
        assert_eq!(predict("navi21", 4000).len(), 2);
        for card in CARDS {
            assert!(
                super::super::families::FAMILIES
                    .iter()
                    .any(|f| f.name == card.family),
                "{}",
                card.name
            );
        }
    }
}
