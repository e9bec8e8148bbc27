//! `gemu`: an Intel i915 GPU emulated in user space, served as DRM nodes through FUSE
//! or CUSE.

mod aperture_memfd;
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
mod run;
mod serve;
mod shim;
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
    logging::init();
    abort_on_panic();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            mount: Some(mount),
            device,
            ..
        } => serve::serve(&mount, device.config()).map(|()| 0),
        Command::Serve { cuse, device, .. } => {
            serve::serve_cuse(&cuse, device.config()).map(|()| 0)
        }
        Command::Run {
            device,
            no_shim,
            private_ipc,
            program,
        } => private_ipc
            .map_or(Ok(()), namespace::enter_private_ipc)
            .and_then(|()| run::run(device.config(), !no_shim, program)),
        Command::Igt {
            igt_build,
            list,
            results,
            timeout,
            preload,
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
        }),
        Command::Probe { device } => probe::probe(&device),
        Command::Bench(args) => bench::bench(&args),
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
