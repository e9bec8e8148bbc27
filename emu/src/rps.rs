//! Render P-states (`intel_rps`, host-driven RPS as on Tiger Lake with execlists): the
//! GT frequency limits userspace reads and sets through sysfs `gt_*_freq_mhz`.
//!
//! The model has no clock to scale, so its policy is the simplest one the limits allow:
//! while any engine has work the GT runs at the soft maximum; when idle it parks at the
//! soft minimum and the actual frequency reads 0 (RC6). The rules for setting the limits
//! and the rounding to the hardware's 50/3 MHz steps are i915's.

use std::sync::Mutex;

use crate::Errno;

/// Gen9+ frequency unit: 50/3 MHz (`GT_FREQUENCY_MULTIPLIER` / `GEN9_FREQ_SCALER`).
const MULTIPLIER: u32 = 50;
const SCALER: u32 = 3;

/// Tiger Lake GT2's fused limits in MHz: RP0 (max), RP1 (efficient), RPn (min).
const RP0_MHZ: u32 = 1300;
const RP1_MHZ: u32 = 400;
const RPN_MHZ: u32 = 100;

/// One of the GT frequency attributes (`gt_<name>_freq_mhz`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freq {
    /// `act`: what the GT runs at now (0 while idle, in RC6).
    Act,
    /// `cur`: the frequency last requested.
    Cur,
    /// `min`: the soft minimum (writable).
    Min,
    /// `max`: the soft maximum (writable).
    Max,
    /// `boost`: what a waiting client boosts to (writable).
    Boost,
    /// `RP0`: the fused maximum.
    Rp0,
    /// `RP1`: the fused efficient frequency.
    Rp1,
    /// `RPn`: the fused minimum.
    Rpn,
}

impl Freq {
    /// Every attribute with its sysfs name (`gt_<name>_freq_mhz`).
    pub const ALL: [(Freq, &'static str); 8] = [
        (Freq::Act, "act"),
        (Freq::Cur, "cur"),
        (Freq::Min, "min"),
        (Freq::Max, "max"),
        (Freq::Boost, "boost"),
        (Freq::Rp0, "RP0"),
        (Freq::Rp1, "RP1"),
        (Freq::Rpn, "RPn"),
    ];

    /// Whether userspace may write the attribute.
    pub fn writable(self) -> bool {
        matches!(self, Freq::Min | Freq::Max | Freq::Boost)
    }
}

/// Limits in hardware units (opcodes), under `rps->lock`.
#[derive(Debug)]
struct Limits {
    min_soft: u32,
    max_soft: u32,
    boost: u32,
}

/// The GT's RPS state.
#[derive(Debug)]
pub struct Rps {
    limits: Mutex<Limits>,
}

impl Default for Rps {
    fn default() -> Self {
        Rps {
            limits: Mutex::new(Limits {
                min_soft: opcode(RPN_MHZ),
                max_soft: opcode(RP0_MHZ),
                boost: opcode(RP0_MHZ),
            }),
        }
    }
}

/// `intel_freq_opcode`: MHz to hardware units, rounded to the closest.
fn opcode(mhz: u32) -> u32 {
    ((u64::from(mhz) * u64::from(SCALER) + u64::from(MULTIPLIER / 2)) / u64::from(MULTIPLIER))
        .min(u64::from(u32::MAX)) as u32
}

/// `intel_gpu_freq`: hardware units to MHz, rounded to the closest.
fn mhz(opcode: u32) -> u32 {
    ((u64::from(opcode) * u64::from(MULTIPLIER) + u64::from(SCALER / 2)) / u64::from(SCALER)) as u32
}

impl Rps {
    /// The value of attribute `f` in MHz; `busy` says whether the GT has work now.
    pub fn get(&self, f: Freq, busy: bool) -> u32 {
        let l = self.limits.lock().unwrap();
        match f {
            Freq::Act if !busy => 0,
            Freq::Act | Freq::Cur if busy => mhz(l.max_soft),
            Freq::Act | Freq::Cur => mhz(l.min_soft),
            Freq::Min => mhz(l.min_soft),
            Freq::Max => mhz(l.max_soft),
            Freq::Boost => mhz(l.boost),
            Freq::Rp0 => RP0_MHZ,
            Freq::Rp1 => RP1_MHZ,
            Freq::Rpn => RPN_MHZ,
        }
    }

    /// Set a writable attribute to `value` MHz (`set_min_freq`, `set_max_freq`,
    /// `rps_set_boost_freq`): EINVAL outside the fused range, for a minimum above the
    /// soft maximum or a maximum below the soft minimum, and for read-only attributes.
    pub fn set(&self, f: Freq, value: u32) -> Result<(), Errno> {
        let v = opcode(value);
        let (rpn, rp0) = (opcode(RPN_MHZ), opcode(RP0_MHZ));
        let mut l = self.limits.lock().unwrap();
        if v < rpn || v > rp0 {
            return Err(Errno::EINVAL);
        }
        match f {
            Freq::Min if v <= l.max_soft => l.min_soft = v,
            Freq::Max if v >= l.min_soft => l.max_soft = v,
            Freq::Boost => l.boost = v,
            _ => return Err(Errno::EINVAL),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequencies_round_to_fifty_thirds_of_a_megahertz() {
        assert_eq!(mhz(opcode(700)), 700);
        assert_eq!(mhz(opcode(710)), 717);
        assert_eq!(mhz(opcode(RP0_MHZ)), RP0_MHZ);
        assert_eq!(mhz(opcode(RPN_MHZ)), RPN_MHZ);
    }

    #[test]
    fn limits_follow_i915s_rules() {
        let rps = Rps::default();
        assert_eq!(rps.set(Freq::Min, RP0_MHZ + 1000), Err(Errno::EINVAL));
        assert_eq!(rps.set(Freq::Min, 0), Err(Errno::EINVAL));
        assert_eq!(rps.set(Freq::Max, 0), Err(Errno::EINVAL));
        rps.set(Freq::Min, RP0_MHZ).unwrap();
        // The maximum may not drop below the minimum…
        assert_eq!(rps.set(Freq::Max, RPN_MHZ), Err(Errno::EINVAL));
        rps.set(Freq::Min, RPN_MHZ).unwrap();
        rps.set(Freq::Max, RPN_MHZ).unwrap();
        // …nor the minimum rise above the maximum.
        assert_eq!(rps.set(Freq::Min, RP0_MHZ), Err(Errno::EINVAL));
        assert_eq!(rps.get(Freq::Max, false), RPN_MHZ);
        assert_eq!(rps.set(Freq::Rp0, 500), Err(Errno::EINVAL));
        assert_eq!(rps.set(Freq::Act, 500), Err(Errno::EINVAL));
    }

    #[test]
    fn busy_runs_at_the_soft_maximum_idle_parks() {
        let rps = Rps::default();
        rps.set(Freq::Max, 700).unwrap();
        assert_eq!(rps.get(Freq::Cur, true), 700);
        assert_eq!(rps.get(Freq::Act, true), 700);
        assert_eq!(rps.get(Freq::Cur, false), RPN_MHZ);
        assert_eq!(rps.get(Freq::Act, false), 0);
    }
}
