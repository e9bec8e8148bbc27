//! `gemu`: an Intel i915 GPU emulated in user space, served as DRM nodes through FUSE
//! or CUSE.

mod aperture_memfd;
mod aperture_socket;
mod bench;
mod cli;
mod client_memory;
mod cuse;
mod daemon;
mod debugfs;
mod dispatch;
mod fd_files;
mod fuse_mount;
mod fuse_node;
mod fuzz;
mod igt;
mod live_files;
mod logging;
mod mapping_probe;
mod mountinfo;
mod namespace;
mod probe;
mod record;
mod replay;
mod run;
mod serve;
mod shim;
mod sw_sync_node;
mod sync_file_node;
mod sys_view;
mod sysfs;
mod sysfs_live;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

/// A command's failure, worded for the user.
type Fallible<T> = Result<T, String>;

fn main() -> ExitCode {
    limit_malloc_arenas();
    logging::init();
    abort_on_panic();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            mount: Some(mount),
            device,
            ..
        } => device
            .config()
            .and_then(|c| serve::serve(&mount, c))
            .map(|()| 0),
        Command::Serve { cuse, device, .. } => device
            .config()
            .and_then(|c| serve::serve_cuse(&cuse, c))
            .map(|()| 0),
        Command::Run {
            device,
            no_shim,
            private_ipc,
            host_ipc,
            program,
        } => namespace::enter_user_namespace_unless_privileged()
            // The mount namespace first: the IPC step may need /proc/sys writable in it.
            .and_then(|()| namespace::enter_private())
            .and_then(|()| match private_ipc {
                Some(bytes) => namespace::enter_private_ipc(bytes),
                None if !host_ipc => {
                    namespace::private_ipc_unless_privileged();
                    Ok(())
                }
                None => Ok(()),
            })
            .and_then(|()| device.config())
            .and_then(|c| run::run(c, !no_shim, program)),
        Command::Igt { device, .. } if device.record.is_some() => Err(
            "--record is for run and serve: record one IGT test with `gemu run --record`".into(),
        ),
        Command::Igt {
            igt_build,
            list,
            results,
            timeout,
            preload,
            suite,
            jobs,
            exceptions,
            markdown,
            blocklist,
            from_results,
            device,
            tests,
        } => igt::run(igt::Options {
            build: igt_build,
            list,
            tests,
            results,
            timeout,
            preload,
            run_args: {
                let mut a = device.to_args();
                a.push("--private-ipc".into());
                a
            },
            stdbuf: igt::find_in_path("stdbuf"),
            suite,
            jobs,
            exceptions,
            markdown,
            blocklist,
            from_results,
        }),
        Command::Probe { device } => probe::probe(&device),
        Command::Bench(args) => bench::bench(&args),
        Command::Decode { file, engine } => decode_batch(&file, &engine),
        Command::Replay { file, dump } => replay::replay(&file, dump.as_deref()),
        Command::Fuzz(args) => fuzz::fuzz(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(msg) => {
            eprintln!("gemu: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// `RUST_LOG` as usual (default `warn`), but the FUSE library stays at `warn` unless
/// `RUST_LOG` names it: at `debug` it logs every request (~70 lines before gemu's own
/// reasons for a refusal).
/// Caps glibc's malloc arenas. The daemon runs a thread per blocking call, and glibc
/// gives threads arenas of their own (up to 8 per CPU) that it never returns: after a
/// fuzz campaign they held most of the daemon's RSS while the model held nothing.
fn limit_malloc_arenas() {
    // SAFETY: mallopt only sets an allocator parameter; it is called before any thread
    // starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// A panic in any thread ends the process. A FUSE worker that died alone would leave its
/// requests and every later one waiting forever; with the process gone the kernel fails
/// them all with ENOTCONN, so clients never hang on a broken daemon.
fn abort_on_panic() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        report(info);
        std::process::abort();
    }));
}

/// `gemu decode`: prints each command of the batch in `file` for `engine`.
fn decode_batch(file: &std::path::Path, engine: &str) -> Fallible<u8> {
    use gpu_backend::EngineClass;
    let class = match engine {
        "rcs0" | "render" => EngineClass::Render,
        "bcs0" | "copy" => EngineClass::Copy,
        "vcs0" | "video" => EngineClass::Video,
        "vecs0" | "video-enhance" => EngineClass::VideoEnhance,
        e => return Err(format!("unknown engine {e} (rcs0, bcs0, vcs0 or vecs0)")),
    };
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let dwords: Vec<u32> = bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    for line in gpu_backend::batch_decode::decode_batch(&dwords, class) {
        let words: Vec<String> = line.dwords.iter().map(|d| format!("{d:08x}")).collect();
        println!(
            "{:#07x}  {:<36} {}",
            line.offset,
            line.name,
            words.join(" ")
        );
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn fuser_is_quiet_unless_named() {
        use crate::logging::names_fuser;
        assert!(!names_fuser(None));
        assert!(!names_fuser(Some("debug")));
        assert!(!names_fuser(Some("device=debug,emu=trace")));
        assert!(!names_fuser(Some("debug/fuser")));
        assert!(names_fuser(Some("debug,fuser=debug")));
        assert!(names_fuser(Some("fuser::request=trace")));
        assert!(names_fuser(Some("fuser")));
    }
}
