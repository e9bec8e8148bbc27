//! Checks every struct, field, constant and ioctl number of `uapi` against the
//! system's C headers: builds a C program from `uapi::layout` that prints what the C
//! compiler says (sizeof, offsetof, macro values), runs it, and compares.
//!
//! Needs a C compiler and the libdrm and Linux UAPI headers
//! (`apt-get install libdrm-dev gcc`); without them the test fails, it does not skip.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use uapi::layout::{self, ConstValue, StructLayout};

const INSTALL_HINT: &str = "apt-get install libdrm-dev gcc";
const LIBDRM_INCLUDE: &str = "/usr/include/libdrm";
const HEADERS: &[&str] = &[
    "/usr/include/libdrm/drm.h",
    "/usr/include/libdrm/drm_mode.h",
    "/usr/include/libdrm/i915_drm.h",
    "/usr/include/linux/sync_file.h",
    "/usr/include/linux/dma-buf.h",
];

fn c_type(name: &str) -> String {
    if layout::C_UNIONS.contains(&name) {
        format!("union {name}")
    } else if name.ends_with("_t") {
        name.to_string()
    } else {
        format!("struct {name}")
    }
}

fn in_system_headers(name: &str) -> bool {
    !layout::NOT_IN_SYSTEM_HEADERS.contains(&name)
}

/// The C program: one output line per number, `S name size align`,
/// `F struct.field offset size`, `C name value`.
fn c_program(structs: &[StructLayout], consts: &[ConstValue]) -> String {
    let mut c = String::from(
        "#include <stdint.h>\n#include <stddef.h>\n#include <stdio.h>\n#include <fcntl.h>\n\
         #include <drm.h>\n#include <drm_mode.h>\n#include <i915_drm.h>\n\
         #include <linux/sync_file.h>\n#include <linux/dma-buf.h>\n\n\
         int main(void)\n{\n",
    );
    for s in structs {
        let t = c_type(s.name);
        writeln!(
            c,
            "\tprintf(\"S {n} %zu %zu\\n\", sizeof({t}), _Alignof({t}));",
            n = s.name
        )
        .unwrap();
        for f in &s.fields {
            writeln!(
                c,
                "\tprintf(\"F {n}.{f} %zu %zu\\n\", offsetof({t}, {f}), sizeof((({t} *)0)->{f}));",
                n = s.name,
                f = f.name
            )
            .unwrap();
        }
    }
    for k in consts {
        writeln!(
            c,
            "\tif (({n}) < 0) printf(\"C {n} %lld\\n\", (long long)({n})); \
             else printf(\"C {n} %llu\\n\", (unsigned long long)({n}));",
            n = k.name
        )
        .unwrap();
    }
    c.push_str("\treturn 0;\n}\n");
    c
}

fn build_and_run(dir: &Path, source: &str) -> String {
    for h in HEADERS {
        assert!(
            Path::new(h).exists(),
            "{h} is missing: the layout test needs the system headers ({INSTALL_HINT})"
        );
    }
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&src, source).unwrap();
    let out = Command::new("cc")
        .args(["-std=gnu11", "-Wno-type-limits", "-I", LIBDRM_INCLUDE, "-o"])
        .arg(&exe)
        .arg(&src)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cc ({e}): install a C compiler ({INSTALL_HINT})"));
    assert!(
        out.status.success(),
        "the generated C program ({}) does not compile:\n{}",
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe)
        .output()
        .expect("run the generated C program");
    assert!(run.status.success(), "the generated C program failed");
    String::from_utf8(run.stdout).unwrap()
}

fn work_dir() -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("uapi-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn layout_matches_system_headers() {
    let structs: Vec<StructLayout> = layout::structs()
        .into_iter()
        .filter(|s| in_system_headers(s.name))
        .collect();
    let consts: Vec<ConstValue> = layout::consts()
        .into_iter()
        .filter(|k| in_system_headers(k.name))
        .collect();

    let dir = work_dir();
    let output = build_and_run(&dir, &c_program(&structs, &consts));
    let c: HashMap<&str, Vec<i128>> = output
        .lines()
        .map(|line| {
            let mut words = line.split_whitespace();
            let _kind = words.next().unwrap();
            let key = words.next().unwrap();
            (key, words.map(|w| w.parse().unwrap()).collect())
        })
        .collect();

    let mut mismatches = Vec::new();
    let mut n_fields = 0;
    for s in &structs {
        let got = &c[s.name];
        let align_checked = !layout::FLEXIBLE_ARRAY_OMITTED.contains(&s.name);
        if got[0] != s.size as i128 || (align_checked && got[1] != s.align as i128) {
            mismatches.push(format!(
                "struct {}: C size {} align {}, Rust size {} align {}",
                s.name, got[0], got[1], s.size, s.align
            ));
        }
        for f in &s.fields {
            n_fields += 1;
            let key = format!("{}.{}", s.name, f.name);
            let got = &c[key.as_str()];
            if got[0] != f.offset as i128 {
                mismatches.push(format!(
                    "{key}: C offset {}, Rust offset {}",
                    got[0], f.offset
                ));
            }
            if let Some(size) = f.size {
                if got[1] != size as i128 {
                    mismatches.push(format!("{key}: C size {}, Rust size {}", got[1], size));
                }
            }
        }
    }
    for k in &consts {
        let got = c[k.name][0];
        // Equal, or equal as bits of the Rust type (C's -1 for a u16 field is 0xffff).
        let mask = if k.bits >= 128 {
            -1
        } else {
            (1i128 << k.bits) - 1
        };
        if got != k.value && (got & mask) != (k.value & mask) {
            mismatches.push(format!("{}: C {got:#x}, Rust {:#x}", k.name, k.value));
        }
    }

    println!(
        "compared {} structs, {} fields, {} constants against the system headers \
         ({} items marked newer than them)",
        structs.len(),
        n_fields,
        consts.len(),
        layout::NOT_IN_SYSTEM_HEADERS.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches between uapi and the C headers:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
