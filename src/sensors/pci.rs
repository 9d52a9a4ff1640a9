//! PCI addresses, to match a wgpu adapter with the same device as the
//! power sensors see it, and to pick one with `--device pci:ADDRESS`. wgpu
//! writes `0000:01:00.0`, NVML and `nvidia-smi` `00000000:01:00.0`.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PciAddress {
    pub domain: u32,
    pub bus: u32,
    pub device: u32,
    pub function: u32,
}

impl PciAddress {
    /// `[domain:]bus:device.function`, in hex.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (rest, function) = text.rsplit_once('.')?;
        let mut parts: Vec<&str> = rest.split(':').collect();
        let device = parts.pop()?;
        let bus = parts.pop()?;
        let domain = parts.pop().unwrap_or("0");
        if !parts.is_empty() {
            return None;
        }
        let hex = |s: &str| u32::from_str_radix(s, 16).ok();
        Some(PciAddress {
            domain: hex(domain)?,
            bus: hex(bus)?,
            device: hex(device)?,
            function: hex(function)?,
        })
    }
}

/// `0000:41:00.0`, the form wgpu and the kernel use.
impl std::fmt::Display for PciAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:04x}:{:02x}:{:02x}.{:x}",
            self.domain, self.bus, self.device, self.function
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wgpu_and_nvml_forms_agree() {
        assert_eq!(
            PciAddress::parse("0000:01:00.0"),
            PciAddress::parse("00000000:01:00.0")
        );
        assert_eq!(PciAddress::parse("c1:00.1").unwrap().bus, 0xc1);
        assert_eq!(PciAddress::parse(""), None);
        assert_eq!(PciAddress::parse("1:2:3:4.0"), None);
    }
}
