//! The environment variables hashwatt reads, listed once: each `--help`'s
//! Environment section is written from this list, and a test checks that
//! every variable read in `src/` is in it.

/// One variable: its name, what it does in one line, and the commands that
/// read it.
pub struct EnvVar {
    pub name: &'static str,
    pub meaning: &'static str,
    pub commands: &'static [&'static str],
}

/// The commands that open devices through wgpu.
const DEVICES: &[&str] = &["devices", "search", "verify", "bench", "tune"];

/// Every variable hashwatt reads, in the order `--help` lists them.
pub const ENVIRONMENT: &[EnvVar] = &[
    EnvVar {
        name: "WGPU_BACKEND",
        meaning: "the backends to consider: vulkan, metal, dx12 or gl, comma-separated (another name is exit 2)",
        commands: DEVICES,
    },
    EnvVar {
        name: "WGPU_ADAPTER_NAME",
        meaning: "a name substring: the adapter to use when --device is not given",
        commands: DEVICES,
    },
    EnvVar {
        name: "HASHWATT_CACHE_DIR",
        meaning: "the folder of the tuning cache (tuning.json) [default: $XDG_CACHE_HOME/hashwatt]",
        commands: &["bench", "tune"],
    },
    EnvVar {
        name: "XDG_CACHE_HOME",
        meaning: "an absolute folder holding hashwatt/tuning.json [default: $HOME/.cache]",
        commands: &["bench", "tune"],
    },
    EnvVar {
        name: "HOME",
        meaning: "the last resort for the tuning cache (~/.cache) and Vulkan driver manifests (~/.local/share)",
        commands: &["bench", "tune", "kernel-cost"],
    },
    EnvVar {
        name: "HASHWATT_POWERCAP_ROOT",
        meaning: "another root for /sys/class/powercap, where RAPL is read (containers, tests)",
        commands: &["devices", "bench"],
    },
    EnvVar {
        name: "HASHWATT_DRM_ROOT",
        meaning: "another root for /sys/class/drm, where amdgpu hwmon is read (containers, tests)",
        commands: &["devices", "bench"],
    },
    EnvVar {
        name: "HASHWATT_RADV_ICD",
        meaning: "the RADV manifest (radeon_icd.*.json) for --isa, instead of searching the loader's folders",
        commands: &["kernel-cost"],
    },
    EnvVar {
        name: "XDG_CONFIG_DIRS",
        meaning: "folders searched for RADV's manifest for --isa, as the Vulkan loader does [default: /etc/xdg]",
        commands: &["kernel-cost"],
    },
    EnvVar {
        name: "XDG_DATA_HOME",
        meaning: "a folder searched for RADV's manifest for --isa [default: $HOME/.local/share]",
        commands: &["kernel-cost"],
    },
    EnvVar {
        name: "XDG_DATA_DIRS",
        meaning: "folders searched for RADV's manifest for --isa [default: /usr/local/share:/usr/share]",
        commands: &["kernel-cost"],
    },
    EnvVar {
        name: "RADV_DEBUG",
        meaning: "Mesa's; when set (e.g. `shaders`), RADV's own output from --isa is shown, not captured",
        commands: &["kernel-cost"],
    },
];

/// The variables `command` reads; `None`, the whole program, is all.
pub fn read_by(command: Option<&str>) -> impl Iterator<Item = &'static EnvVar> + '_ {
    ENVIRONMENT
        .iter()
        .filter(move |var| command.is_none_or(|name| var.commands.contains(&name)))
}
