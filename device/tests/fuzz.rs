//! `gemu fuzz`: a short campaign (random ioctls and batches from several processes,
//! random kills) ends with no hang, no crash, the device answering and the model's
//! bookkeeping back to idle (within the last closes' slack).

mod common;

use std::process::Command;

use common::*;

#[test]
fn a_short_campaign_finds_nothing_wrong() {
    let out = Command::new(GEMU)
        .args([
            "fuzz",
            "--seconds",
            "3",
            "--clients",
            "3",
            "--kill-ms",
            "300",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains(" 0 hangs, 0 crashes; device answers: yes"),
        "{stdout}"
    );
    assert!(stdout.contains("0 objects, 0 bytes left"), "{stdout}");
    // Killed clients are not errors (their replies find nobody).
    assert!(!stderr.contains("ERROR"), "{stderr}");
    let after: usize = stdout
        .split("bookkeeping 0 idle, ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no bookkeeping in {stdout}"));
    assert!(after <= 8, "{stdout}");
}
