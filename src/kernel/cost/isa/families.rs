//! The AMD GPU families Mesa 22.3's RADV compiles for with
//! `RADV_FORCE_FAMILY` (its `ac_get_family_name` spellings, any case), by
//! architecture. `--isa all` is every one of them.

use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Family {
    /// RADV's name, lower case (`gfx1100`, `navi21`, `vega10`).
    pub name: &'static str,
    /// `GCN`, `CDNA`, `RDNA1`, `RDNA2` or `RDNA3`.
    pub group: &'static str,
    /// LLVM's processor name, which AMD's tools use too.
    pub gfx: &'static str,
    /// Products built on it, for the reader.
    pub products: &'static str,
}

const fn f(
    name: &'static str,
    group: &'static str,
    gfx: &'static str,
    products: &'static str,
) -> Family {
    Family {
        name,
        group,
        gfx,
        products,
    }
}

pub const FAMILIES: [Family; 41] = [
    f("tahiti", "GCN", "gfx600", "Radeon HD 7970, R9 280X"),
    f("pitcairn", "GCN", "gfx601", "Radeon HD 7870, R9 270X"),
    f("verde", "GCN", "gfx601", "Radeon HD 7770"),
    f("oland", "GCN", "gfx602", "Radeon R7 240"),
    f("hainan", "GCN", "gfx602", "Radeon R5 M330"),
    f("bonaire", "GCN", "gfx704", "Radeon R7 260X"),
    f("kaveri", "GCN", "gfx700", "A10-7850K graphics"),
    f("kabini", "GCN", "gfx703", "Athlon 5350 graphics"),
    f("hawaii", "GCN", "gfx701", "Radeon R9 290X, FirePro W9100"),
    f("tonga", "GCN", "gfx802", "Radeon R9 285, R9 380"),
    f("iceland", "GCN", "gfx802", "Radeon R7 M260"),
    f("carrizo", "GCN", "gfx801", "A10-8700P graphics"),
    f("fiji", "GCN", "gfx803", "Radeon R9 Fury X"),
    f("stoney", "GCN", "gfx810", "A9-9420 graphics"),
    f("polaris10", "GCN", "gfx803", "Radeon RX 480, RX 580"),
    f("polaris11", "GCN", "gfx803", "Radeon RX 460, RX 560"),
    f("polaris12", "GCN", "gfx803", "Radeon RX 550"),
    f("vegam", "GCN", "gfx803", "Radeon RX Vega M"),
    f(
        "vega10",
        "GCN",
        "gfx900",
        "Radeon RX Vega 64, Instinct MI25",
    ),
    f("vega12", "GCN", "gfx904", "Radeon Pro Vega 20"),
    f("vega20", "GCN", "gfx906", "Radeon VII, Instinct MI50/MI60"),
    f("raven", "GCN", "gfx902", "Ryzen 2000G graphics"),
    f("raven2", "GCN", "gfx909", "Athlon 3000G graphics"),
    f("renoir", "GCN", "gfx90c", "Ryzen 4000/5000 APU graphics"),
    f("arcturus", "CDNA", "gfx908", "Instinct MI100"),
    f(
        "aldebaran",
        "CDNA",
        "gfx90a",
        "Instinct MI210, MI250, MI250X",
    ),
    f("navi10", "RDNA1", "gfx1010", "Radeon RX 5700 XT"),
    f("navi12", "RDNA1", "gfx1011", "Radeon Pro 5600M"),
    f("navi14", "RDNA1", "gfx1012", "Radeon RX 5500 XT"),
    f("navi21", "RDNA2", "gfx1030", "Radeon RX 6800, 6900 XT"),
    f("navi22", "RDNA2", "gfx1031", "Radeon RX 6700 XT"),
    f("navi23", "RDNA2", "gfx1032", "Radeon RX 6600 XT"),
    f("vangogh", "RDNA2", "gfx1033", "Steam Deck"),
    f("navi24", "RDNA2", "gfx1034", "Radeon RX 6500 XT"),
    f("rembrandt", "RDNA2", "gfx1035", "Ryzen 6000 APU graphics"),
    f("gfx1036", "RDNA2", "gfx1036", "Ryzen 7000 desktop graphics"),
    f("gfx1100", "RDNA3", "gfx1100", "Radeon RX 7900 XTX, 7900 XT"),
    f("gfx1101", "RDNA3", "gfx1101", "Radeon RX 7800 XT, 7700 XT"),
    f("gfx1102", "RDNA3", "gfx1102", "Radeon RX 7600"),
    f("gfx1103_r1", "RDNA3", "gfx1103", "Ryzen 7040 APU graphics"),
    f("gfx1103_r2", "RDNA3", "gfx1103", "Ryzen 7040 APU graphics"),
];

/// The families `--isa` names: a comma-separated list (any case, each
/// once) or `all`. An unknown name is bad input, with the known ones.
pub fn parse(text: &str) -> Result<Vec<Family>> {
    if text.trim().eq_ignore_ascii_case("all") {
        return Ok(FAMILIES.to_vec());
    }
    let mut out: Vec<Family> = Vec::new();
    for name in text.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(Error::input(format!("--isa {text}: an empty family name")));
        }
        let by_gfx: Vec<&Family> = FAMILIES
            .iter()
            .filter(|f| f.gfx.eq_ignore_ascii_case(name))
            .collect();
        let family = match FAMILIES.iter().find(|f| f.name.eq_ignore_ascii_case(name)) {
            Some(family) => family,
            None if by_gfx.len() == 1 => by_gfx[0],
            None if by_gfx.len() > 1 => {
                let names: Vec<&str> = by_gfx.iter().map(|f| f.name).collect();
                return Err(Error::input(format!(
                    "--isa: `{name}` is {}; name one",
                    names.join(" or ")
                )));
            }
            None => {
                let names: Vec<&str> = FAMILIES.iter().map(|f| f.name).collect();
                return Err(Error::input(format!(
                    "--isa: unknown GPU family `{name}`; RADV knows {}, or `all`",
                    names.join(", ")
                )));
            }
        };
        if !out.contains(family) {
            out.push(*family);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_parse_by_radv_or_llvm_name() {
        let got = parse("GFX1100, navi21,gfx900").unwrap();
        let names: Vec<&str> = got.iter().map(|f| f.name).collect();
        assert_eq!(names, ["gfx1100", "navi21", "vega10"]);
        assert_eq!(parse("all").unwrap().len(), FAMILIES.len());
        assert!(parse("navi99").unwrap_err().message.contains("gfx1100"));
        assert!(parse("navi21,,").is_err());
        assert!(parse("gfx803").unwrap_err().message.contains("polaris10"));
        for group in ["GCN", "CDNA", "RDNA1", "RDNA2", "RDNA3"] {
            assert!(FAMILIES.iter().any(|f| f.group == group), "{group}");
        }
    }
}
