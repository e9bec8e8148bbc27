//! The command line of `gemu`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// gemu: an Intel i915 GPU emulated in user space, served as DRM device nodes.
#[derive(Parser, Debug)]
#[command(name = "gemu", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve `card0` and `renderD128` under DIR until SIGINT or SIGTERM.
    ///
    /// DIR becomes a FUSE mount (type fuse.gemu) open to every user; it is unmounted on
    /// exit.
    Serve {
        /// The directory to mount the nodes in (created if missing).
        #[arg(long, value_name = "DIR")]
        mount: PathBuf,
        #[command(flatten)]
        device: DeviceArgs,
    },
    /// Run PROGRAM with gemu's nodes as /dev/dri/card0 and /dev/dri/renderD128.
    ///
    /// PROGRAM runs in a private mount namespace: the host's /dev and mount table are not
    /// touched. Without PROGRAM, the built-in probe runs. Exits with PROGRAM's status
    /// (128+N when signal N killed it). Needs root (CAP_SYS_ADMIN).
    Run {
        #[command(flatten)]
        device: DeviceArgs,
        /// The program and its arguments.
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "PROGRAM"
        )]
        program: Vec<OsString>,
    },
    /// Open a DRM node, ask it what it is and print a short report.
    ///
    /// This is what `gemu run` runs when it is given no program.
    Probe {
        /// The node to probe.
        #[arg(long, default_value = "/dev/dri/card0")]
        device: PathBuf,
    },
    /// Time gemu's ioctl round trips against the bare FUSE floor and memcpy.
    ///
    /// Mounts its own device and a trivial FUSE file (with gemu's worker settings) in a
    /// private mount namespace, calls both from this process and prints one table: each
    /// benchmark's median, p90 and floor, the ratio to the floor and the target.
    /// A missed target is reported, never an error. Needs root (CAP_SYS_ADMIN).
    Bench(BenchArgs),
}

/// Options of `gemu bench`.
#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// A few short samples only: a smoke run for CI, not a measurement.
    #[arg(long)]
    pub quick: bool,
    /// Run only the benchmarks whose name contains NAME (and the floors they need).
    #[arg(long, value_name = "NAME")]
    pub filter: Option<String>,
    /// Also write the results to FILE as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Run every thread (clients, daemon workers) on CPU N only. On a busy machine this
    /// keeps other programs' load on the other CPUs out of the wake-ups being timed.
    #[arg(long, value_name = "N")]
    pub cpu: Option<usize>,
    /// The client half of a run, started by `gemu bench` itself inside its namespace.
    #[arg(long, hide = true)]
    pub client: bool,
}

/// Settings of the emulated device.
#[derive(Args, Debug, Clone)]
pub struct DeviceArgs {
    /// System memory the GPU may use for objects, e.g. 512M, 8G (suffixes K, M, G, T:
    /// powers of 1024).
    #[arg(long, value_name = "SIZE", default_value = "8G", value_parser = parse_size)]
    pub memory: u64,
}

impl DeviceArgs {
    pub fn config(&self) -> emu::DeviceConfig {
        emu::DeviceConfig {
            memory: self.memory,
            ..Default::default()
        }
    }
}

/// A byte count with an optional binary suffix: `4096`, `64K`, `512M`, `8G`, `1T`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (digits, shift) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let shift = match c.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => return Err(format!("unknown size suffix {c:?} (use K, M, G or T)")),
            };
            (&s[..i], shift)
        }
        _ => (s, 0),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a size (e.g. 512M, 8G)"))?;
    let bytes = n
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("{s:?} is too large"))?;
    if bytes == 0 {
        return Err("the size must not be zero".into());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("1T"), Ok(1 << 40));
        assert!(parse_size("0").is_err());
        assert!(parse_size("8X").is_err());
        assert!(parse_size("G").is_err());
        assert!(parse_size("99999999999T").is_err());
    }
}
