// SPDX-License-Identifier: GPL-2.0

//! Pure policy logic: knob values and their parsing, the packed per-cgroup
//! configuration word, effective-value resolution and the placement
//! decision.
//!
//! Nothing here touches kernel state, so the same file is built into the
//! module and, through `host.rs`, into a host crate that `cargo test` runs.

use core::fmt;

use crate::impl_flags;

/// Errors of the pure layer; the kernel glue maps every one to `EINVAL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseError {
    /// The input is not a value this knob accepts.
    Invalid,
    /// A number outside the knob's range.
    OutOfRange,
}

/// Longest input any knob accepts; longer writes are rejected unread.
pub(crate) const MAX_INPUT: usize = 64;

/// A SLIT node distance: 10 (local) to 254 (255 means unreachable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Distance(u8);

impl Distance {
    /// The local distance.
    pub(crate) const MIN: Distance = Distance(10);
    /// The largest reachable distance.
    pub(crate) const MAX: Distance = Distance(254);

    /// A distance from a knob value; `None` outside 10..=254.
    pub(crate) const fn new(v: u32) -> Option<Distance> {
        if v >= Self::MIN.0 as u32 && v <= Self::MAX.0 as u32 {
            Some(Distance(v as u8))
        } else {
            None
        }
    }

    /// A distance from the kernel's table, clamped into the valid range.
    pub(crate) fn clamp_from(v: i32) -> Distance {
        let v = v.clamp(i32::from(Self::MIN.0), i32::from(Self::MAX.0));
        Distance(u8::try_from(v).unwrap_or(Self::MAX.0))
    }

    /// The raw SLIT value.
    pub(crate) const fn get(self) -> u8 {
        self.0
    }

    /// Parses a sysfs write: decimal digits, optionally followed by one
    /// newline, nothing else.
    pub(crate) fn parse(input: &[u8]) -> Result<Distance, ParseError> {
        let v = parse_decimal(strip_newline(input))?;
        Distance::new(v).ok_or(ParseError::OutOfRange)
    }
}

impl fmt::Display for Distance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Drops one trailing newline, as `echo` adds it.
pub(crate) fn strip_newline(input: &[u8]) -> &[u8] {
    input.strip_suffix(b"\n").unwrap_or(input)
}

/// Parses a decimal `u32` with no sign, spaces or trailing garbage.
fn parse_decimal(s: &[u8]) -> Result<u32, ParseError> {
    if s.is_empty() || s.len() > 10 {
        return Err(ParseError::Invalid);
    }
    let mut v: u32 = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            return Err(ParseError::Invalid);
        }
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u32::from(c - b'0')))
            .ok_or(ParseError::OutOfRange)?;
    }
    Ok(v)
}

impl_flags!(
    /// The reclaim a mode asks for: a set of flags, empty meaning `off`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub(crate) struct Mode(u8);

    /// One flag of a [`Mode`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) enum ModeFlag {
        /// Wake the short node's kswapd.
        Kswapd = 1 << 0,
        /// Reclaim the short node synchronously.
        Direct = 1 << 1,
        /// Let that reclaim unmap mapped pages and swap anonymous ones.
        Unmap = 1 << 2,
    }
);

impl Mode {
    /// No local reclaim: the allocator's default behaviour.
    pub(crate) const OFF: Mode = Mode::empty();
    /// Flag names in canonical order.
    const NAMES: [(ModeFlag, &'static str); 3] = [
        (ModeFlag::Kswapd, "kswapd"),
        (ModeFlag::Direct, "direct"),
        (ModeFlag::Unmap, "unmap"),
    ];

    /// Whether this is `off`.
    pub(crate) const fn is_off(self) -> bool {
        self.0 == 0
    }

    /// The flag bits, for storing a mode in an atomic word.
    pub(crate) const fn bits(self) -> u8 {
        self.0
    }

    /// A mode from [`Mode::bits`]; unknown bits are dropped.
    pub(crate) const fn from_bits(bits: u8) -> Mode {
        Mode(bits & Self::all_bits())
    }

    /// Parses `off`, or flags among `kswapd`, `direct`, `unmap` separated
    /// by blanks in any order, with an optional trailing newline.
    ///
    /// ```
    /// use crate::policy::{Mode, ModeFlag, ParseError};
    ///
    /// let kd = Mode::parse(b"direct  kswapd\n");
    /// assert_eq!(kd, Mode::parse(b"kswapd direct"));
    /// assert!(kd.is_ok_and(|m| m.contains(ModeFlag::Kswapd) && !m.contains(ModeFlag::Unmap)));
    /// assert_eq!(Mode::parse(b"off\n"), Ok(Mode::OFF));
    /// assert_eq!(Mode::parse(b"off kswapd"), Err(ParseError::Invalid));
    /// assert_eq!(Mode::parse(b"kswapd,direct"), Err(ParseError::Invalid));
    /// ```
    pub(crate) fn parse(input: &[u8]) -> Result<Mode, ParseError> {
        if input.len() > MAX_INPUT {
            return Err(ParseError::Invalid);
        }
        let s = strip_newline(input);
        let mut mode = Mode::OFF;
        let mut words = 0;
        let mut saw_off = false;
        for word in s
            .split(|&c| c == b' ' || c == b'\t')
            .filter(|w| !w.is_empty())
        {
            words += 1;
            if word == b"off" {
                saw_off = true;
                continue;
            }
            let flag = Self::NAMES
                .iter()
                .find(|(_, name)| name.as_bytes() == word)
                .map(|(flag, _)| *flag)
                .ok_or(ParseError::Invalid)?;
            mode |= flag;
        }
        match (words, saw_off) {
            (0, _) => Err(ParseError::Invalid),
            (1, true) => Ok(Mode::OFF),
            (_, true) => Err(ParseError::Invalid),
            _ => Ok(mode),
        }
    }
}

impl Mode {
    /// Displays the flags joined by `sep` instead of a space (for
    /// nested-keyed stat lines, whose values cannot hold spaces).
    pub(crate) fn joined(self, sep: &'static str) -> Joined {
        Joined(self, sep)
    }
}

/// A [`Mode`] displayed with a chosen separator; see [`Mode::joined`].
pub(crate) struct Joined(Mode, &'static str);

impl fmt::Display for Joined {
    /// `off`, or the flags in canonical order separated by the separator.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Joined(mode, sep) = *self;
        if mode.is_off() {
            return f.write_str("off");
        }
        let mut first = true;
        for (flag, name) in Mode::NAMES {
            if mode.contains(flag) {
                if !first {
                    f.write_str(sep)?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Mode {
    /// `off`, or the flags in canonical order separated by spaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.joined(" ").fmt(f)
    }
}

/// A per-cgroup setting: inherited from the parent, or set here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Setting<T> {
    /// Take the nearest ancestor's value, or the global one.
    Inherit,
    /// Use this value.
    Set(T),
}

impl<T: fmt::Display> fmt::Display for Setting<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::Inherit => f.write_str("inherit"),
            Setting::Set(v) => v.fmt(f),
        }
    }
}

/// Whether the input is the word `inherit`.
fn is_inherit(input: &[u8]) -> bool {
    strip_newline(input) == b"inherit"
}

/// Parses a `memory.local_reclaim.mode` write.
pub(crate) fn parse_mode_setting(input: &[u8]) -> Result<Setting<Mode>, ParseError> {
    if is_inherit(input) {
        Ok(Setting::Inherit)
    } else {
        Mode::parse(input).map(Setting::Set)
    }
}

/// Parses a `memory.local_reclaim.distance` write.
pub(crate) fn parse_distance_setting(input: &[u8]) -> Result<Setting<Distance>, ParseError> {
    if input.len() > MAX_INPUT {
        Err(ParseError::Invalid)
    } else if is_inherit(input) {
        Ok(Setting::Inherit)
    } else {
        Distance::parse(input).map(Setting::Set)
    }
}

/// A cgroup's mode and distance settings, packed into one word so that a
/// single atomic load or store moves both: an allocation never sees a
/// mode from one write and a distance from another.
///
/// Bits 0-2: mode flags; bit 3: mode set (else inherit); bits 8-15:
/// distance (0 = inherit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Config {
    /// The mode setting.
    pub(crate) mode: Setting<Mode>,
    /// The distance setting.
    pub(crate) distance: Setting<Distance>,
}

impl Config {
    /// Both settings inherited: a new cgroup's configuration.
    pub(crate) const INHERIT: Config = Config {
        mode: Setting::Inherit,
        distance: Setting::Inherit,
    };
    const MODE_SET: u32 = 1 << 3;

    /// The packed word.
    pub(crate) const fn pack(self) -> u32 {
        let mode = match self.mode {
            Setting::Inherit => 0,
            Setting::Set(m) => Self::MODE_SET | m.bits() as u32,
        };
        let distance = match self.distance {
            Setting::Inherit => 0,
            Setting::Set(d) => (d.get() as u32) << 8,
        };
        mode | distance
    }

    /// Unpacks a word made by [`Config::pack`]; unknown bits are ignored.
    pub(crate) const fn unpack(word: u32) -> Config {
        let mode = if word & Self::MODE_SET != 0 {
            Setting::Set(Mode::from_bits((word & 0x7) as u8))
        } else {
            Setting::Inherit
        };
        let distance = match Distance::new((word >> 8) & 0xff) {
            Some(d) => Setting::Set(d),
            None => Setting::Inherit,
        };
        Config { mode, distance }
    }
}

/// One write to a cgroup's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// A new mode setting.
    Mode(Setting<Mode>),
    /// A new distance setting.
    Distance(Setting<Distance>),
}

impl Config {
    /// The configuration with `change` applied; the other setting is kept.
    pub(crate) fn apply(self, change: Change) -> Config {
        match change {
            Change::Mode(mode) => Config { mode, ..self },
            Change::Distance(distance) => Config { distance, ..self },
        }
    }
}

/// The mode and distance that apply to a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Effective {
    /// The effective mode.
    pub(crate) mode: Mode,
    /// The effective distance.
    pub(crate) distance: Distance,
    /// Whether an administrator set that distance (in a cgroup or the
    /// global knob).  Only then may remote nodes that have CPUs be
    /// reclaimed; by default the reach is `zone_reclaim_mode`'s: the
    /// preferred node and memory-only nodes within the distance.
    pub(crate) distance_set: bool,
}

impl Effective {
    const DISTANCE_SET: u32 = 1 << 3;

    /// One word holding all of it, so that readers never see a mode from
    /// one update and a distance from another.
    pub(crate) const fn pack(self) -> u32 {
        let set = if self.distance_set {
            Self::DISTANCE_SET
        } else {
            0
        };
        self.mode.bits() as u32 | set | (self.distance.get() as u32) << 8
    }

    /// Unpacks a word made by [`Effective::pack`].
    pub(crate) const fn unpack(word: u32) -> Effective {
        let distance = match Distance::new((word >> 8) & 0xff) {
            Some(d) => d,
            None => Distance::MIN,
        };
        Effective {
            mode: Mode::from_bits((word & 0x7) as u8),
            distance,
            distance_set: word & Self::DISTANCE_SET != 0,
        }
    }
}

/// Resolves the effective values: `chain` yields the configurations of the
/// task's cgroup, then its parent, up to the root; each value comes from
/// the first cgroup that sets it, else from `global`.  Stops reading the
/// chain as soon as both are known.
///
/// ```
/// use crate::policy::{resolve, Config, Distance, Effective, Mode, ModeFlag, Setting};
///
/// let global = Effective { mode: Mode::from(ModeFlag::Kswapd), distance: Distance::MIN, distance_set: false };
/// let d30 = Distance::new(30).ok_or(EINVAL)?;
/// // A grandchild that inherits both, a child that sets the distance, a
/// // root that sets the mode.
/// let chain = [
///     Config::INHERIT,
///     Config { distance: Setting::Set(d30), ..Config::INHERIT },
///     Config { mode: Setting::Set(Mode::from(ModeFlag::Direct)), distance: Setting::Inherit },
/// ];
/// let eff = resolve(chain, global);
/// assert_eq!(eff, Effective { mode: Mode::from(ModeFlag::Direct), distance: d30, distance_set: true });
/// assert_eq!(resolve([], global), global);
/// # Ok::<(), Error>(())
/// ```
pub(crate) fn resolve(chain: impl IntoIterator<Item = Config>, global: Effective) -> Effective {
    let mut mode = None;
    let mut distance = None;
    for cfg in chain {
        if let (None, Setting::Set(m)) = (mode, cfg.mode) {
            mode = Some(m);
        }
        if let (None, Setting::Set(d)) = (distance, cfg.distance) {
            distance = Some(d);
        }
        if mode.is_some() && distance.is_some() {
            break;
        }
    }
    Effective {
        mode: mode.unwrap_or(global.mode),
        distance: distance.unwrap_or(global.distance),
        distance_set: distance.is_some() || global.distance_set,
    }
}

/// Where the page allocator asks (mirrors `enum nrp_site`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Site {
    /// A zone of the candidate node failed its watermark.
    Watermark,
    /// The first pass would skip the candidate node: its kswapd runs.
    KswapdBusy,
}

/// What the allocation allows (mirrors the `NRP_CTX_*` bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct AllocContext {
    /// `NRP_CTX_MAY_SLEEP`: the allocation may sleep in reclaim.
    pub(crate) may_sleep: bool,
    /// `NRP_CTX_MAY_WAKE`: the allocation may wake kswapd.
    pub(crate) may_wake_kswapd: bool,
    /// `NRP_CTX_THISNODE`: the caller insists on one node.
    pub(crate) this_node: bool,
    /// `NRP_CTX_NORETRY`: the caller would rather fail than wait.
    pub(crate) no_retry: bool,
    /// `NRP_CTX_COSTLY`: an order above `PAGE_ALLOC_COSTLY_ORDER`.
    pub(crate) costly: bool,
    /// The allocator's first attempt (it checks the low watermark): the
    /// slow path's attempts check min (or high, the OOM killer's last
    /// chance), and by then every node within reach has failed.
    pub(crate) first_attempt: bool,
}

impl AllocContext {
    /// `NRP_CTX_MAY_SLEEP`.
    pub(crate) const MAY_SLEEP: u32 = 0x1;
    /// `NRP_CTX_MAY_WAKE`.
    pub(crate) const MAY_WAKE: u32 = 0x2;
    /// `NRP_CTX_NORETRY`.
    pub(crate) const NORETRY: u32 = 0x8;
    /// `NRP_CTX_COSTLY`.
    pub(crate) const COSTLY: u32 = 0x10;
    /// `NRP_CTX_THISNODE`.
    pub(crate) const THISNODE: u32 = 0x20;

    /// `WMARK_LOW` of `enum zone_watermarks`: the watermark of the
    /// allocator's first attempt.
    pub(crate) const WMARK_LOW: u32 = 1;

    /// From the request's `ctx` bits and the watermark it asked for.
    pub(crate) const fn from_bits(ctx: u32, wmark: u32) -> AllocContext {
        AllocContext {
            may_sleep: ctx & Self::MAY_SLEEP != 0,
            may_wake_kswapd: ctx & Self::MAY_WAKE != 0,
            this_node: ctx & Self::THISNODE != 0,
            no_retry: ctx & Self::NORETRY != 0,
            costly: ctx & Self::COSTLY != 0,
            first_attempt: wmark == Self::WMARK_LOW,
        }
    }
}

/// The node the allocator asks about, as seen from the allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// Distance from the allocation's preferred node.
    pub(crate) distance: Distance,
    /// Whether it is the preferred node itself.
    pub(crate) preferred: bool,
    /// Whether it has CPUs (another socket's node, rather than memory-only).
    pub(crate) has_cpus: bool,
}

/// Whether `node` is within the reach `eff` gives: within the distance,
/// and, unless an administrator set the distance, the preferred node or a
/// memory-only node (never another socket's page cache by default, as
/// `zone_reclaim_mode` never reclaims a remote node that has CPUs).
pub(crate) fn within_reach(eff: Effective, node: Candidate) -> bool {
    node.distance <= eff.distance && (node.preferred || !node.has_cpus || eff.distance_set)
}

impl_flags!(
    /// Actions asked of the allocator: a set of `NRP_*` bits (`hooks.rs`
    /// checks each against the C enum at build time).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub(crate) struct Actions(u32);

    /// One action.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Action {
        /// `NRP_WAKE_KSWAPD`: wake the node's kswapd.
        WakeKswapd = 0x1,
        /// `NRP_RECLAIM`: reclaim the node synchronously.
        Reclaim = 0x2,
        /// `NRP_RECLAIM_UNMAP`: and let that reclaim unmap and swap.
        ReclaimUnmap = 0x4,
        /// `NRP_KEEP`: try the node although its kswapd is running.
        Keep = 0x8,
    }
);

impl Actions {
    /// The `NRP_*` bits.
    pub(crate) const fn bits(self) -> u32 {
        self.0
    }

    /// From `NRP_*` bits reported back by the allocator; unknown bits are
    /// dropped.
    pub(crate) const fn from_bits(bits: u32) -> Actions {
        Actions(bits & Self::all_bits())
    }
}

/// The decision for one candidate node.
///
/// Nodes beyond reach ([`within_reach`]) keep the default behaviour: that
/// is where the allocation may spill once every nearer node has been worked
/// on.  Synchronous reclaim is only asked for allocations that may sleep,
/// and it is light reclaim (the node's unmapped page cache, never
/// unmapping or swapping) unless the allocation is one that would rather
/// fail than disrupt other tenants: `__GFP_NORETRY` (readahead, slab's
/// first try at its preferred order) and costly orders (the page cache's
/// large folios, transparent huge pages that may reclaim).  Those get
/// light reclaim of their own size, as `zone_reclaim_mode` gives every
/// order: on a node full of clean page cache, evicting its oldest folios
/// frees blocks of their order, and leaving it to kswapd alone sends the
/// file's large folios to the remote node.
///
/// `__GFP_THISNODE` allocations cannot spill, and are left as they are,
/// with one exception: a costly order that may sleep.  That is the THP
/// fault's first, local-only try in a `MADV_HUGEPAGE` range (defrag
/// `madvise`, the default; `__GFP_NORETRY` too): given light reclaim of
/// its own size, the node has the free memory compaction needs and the
/// slow path compacts a huge page locally, as `zone_reclaim_mode` lets it.
/// Without it the fault's second try, which may use any node, takes a THP
/// from the remote node: measured in `placement_test`, 89.8% local
/// against 100.0% with `zone_reclaim_mode=1`.  THP faults outside such
/// ranges may not sleep and are not acted on; their base-page fallback is.
///
/// Only the allocator's first attempt is acted on.  When it fails, every
/// node, within reach or not, is short, and the slow path's own kswapd
/// wakeups, direct reclaim, compaction and OOM handling take over
/// unaltered: reclaiming a node again at each of its attempts would only
/// keep a machine that is out of memory thrashing instead of OOM-killing.
pub(crate) fn decide(eff: Effective, site: Site, node: Candidate, ctx: AllocContext) -> Actions {
    if eff.mode.is_off() || !ctx.first_attempt || !within_reach(eff, node) {
        return Actions::empty();
    }
    if ctx.this_node && !(ctx.costly && ctx.may_sleep) {
        return Actions::empty();
    }
    match site {
        Site::KswapdBusy => Action::Keep.into(),
        Site::Watermark => {
            let mut actions = Actions::empty();
            if eff.mode.contains(ModeFlag::Kswapd) && ctx.may_wake_kswapd {
                actions |= Action::WakeKswapd;
            }
            if eff.mode.contains(ModeFlag::Direct) && ctx.may_sleep {
                actions |= Action::Reclaim;
                if eff.mode.contains(ModeFlag::Unmap) && !ctx.no_retry && !ctx.costly {
                    actions |= Action::ReclaimUnmap;
                }
            }
            actions
        }
    }
}

/// Whether a page that landed on `node` kept within reach (else it spilled
/// beyond it).
pub(crate) fn kept_within(eff: Effective, node: Candidate) -> bool {
    within_reach(eff, node)
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::format;

    #[test]
    fn distance_accepts_slit_range() {
        assert_eq!(Distance::parse(b"10"), Ok(Distance(10)));
        assert_eq!(Distance::parse(b"254\n"), Ok(Distance(254)));
        assert_eq!(Distance::parse(b"21"), Ok(Distance(21)));
    }

    #[test]
    fn distance_rejects_bad_input() {
        for bad in [
            &b""[..],
            b"\n",
            b"9",
            b"255",
            b"-1",
            b"30abc",
            b" 20",
            b"20 ",
            b"20\n\n",
            b"+20",
            b"99999999999",
            b"inherit",
        ] {
            assert!(Distance::parse(bad).is_err(), "{:?}", bad);
        }
    }

    #[test]
    fn distance_clamps_kernel_values() {
        assert_eq!(Distance::clamp_from(255), Distance::MAX);
        assert_eq!(Distance::clamp_from(0), Distance::MIN);
        assert_eq!(Distance::clamp_from(32).get(), 32);
    }

    #[test]
    fn mode_parses_any_order_and_prints_canonically() {
        let m = Mode::parse(b"unmap kswapd\n").unwrap();
        assert_eq!(format!("{m}"), "kswapd unmap");
        let m = Mode::parse(b"direct\tkswapd  unmap").unwrap();
        assert_eq!(format!("{m}"), "kswapd direct unmap");
        assert_eq!(Mode::parse(b"off"), Ok(Mode::OFF));
        assert_eq!(format!("{}", Mode::OFF), "off");
        assert_eq!(
            Mode::parse(b"kswapd kswapd"),
            Ok(Mode::from(ModeFlag::Kswapd))
        );
        assert_eq!(format!("{}", Mode(3).joined(",")), "kswapd,direct");
    }

    #[test]
    fn mode_rejects_bad_input() {
        let junk = [b'x'; 4096];
        for bad in [
            &b""[..],
            b"\n",
            b"foo",
            b"kswapd foo",
            b"off kswapd",
            b"inherit",
            b"KSWAPD",
            b"kswapd,direct",
            &junk[..],
        ] {
            assert!(Mode::parse(bad).is_err(), "{:?}", bad);
        }
    }

    #[test]
    fn settings_accept_inherit_only_per_cgroup() {
        assert_eq!(parse_mode_setting(b"inherit\n"), Ok(Setting::Inherit));
        assert_eq!(parse_distance_setting(b"inherit"), Ok(Setting::Inherit));
        assert_eq!(
            parse_distance_setting(b"16"),
            Ok(Setting::Set(Distance(16)))
        );
        assert!(parse_distance_setting(b"9").is_err());
        assert!(Mode::parse(b"inherit").is_err());
    }

    #[test]
    fn config_word_round_trips() {
        let modes = [
            Setting::Inherit,
            Setting::Set(Mode::OFF),
            Setting::Set(Mode(7)),
            Setting::Set(Mode(5)),
        ];
        let dists = [
            Setting::Inherit,
            Setting::Set(Distance(10)),
            Setting::Set(Distance(254)),
        ];
        for mode in modes {
            for distance in dists {
                let c = Config { mode, distance };
                assert_eq!(Config::unpack(c.pack()), c);
            }
        }
        assert_eq!(Config::INHERIT.pack(), 0);
    }

    #[test]
    fn change_keeps_the_other_setting() {
        let c = Config {
            mode: Setting::Set(Mode::from(ModeFlag::Direct)),
            distance: Setting::Set(Distance(16)),
        };
        let m = c.apply(Change::Mode(Setting::Inherit));
        assert_eq!(
            m,
            Config {
                mode: Setting::Inherit,
                distance: Setting::Set(Distance(16))
            }
        );
        let d = c.apply(Change::Distance(Setting::Inherit));
        assert_eq!(
            d,
            Config {
                mode: Setting::Set(Mode::from(ModeFlag::Direct)),
                distance: Setting::Inherit
            }
        );
    }

    const GLOBAL: Effective = Effective {
        mode: Mode::OFF,
        distance: Distance(30),
        distance_set: false,
    };

    fn cfg(mode: Setting<Mode>, distance: Setting<Distance>) -> Config {
        Config { mode, distance }
    }

    #[test]
    fn resolve_takes_nearest_setting_each() {
        use Setting::*;
        // child inherits both from the parent
        let chain = [
            cfg(Inherit, Inherit),
            cfg(Set(Mode::from(ModeFlag::Direct)), Set(Distance(16))),
        ];
        assert_eq!(
            resolve(chain, GLOBAL),
            Effective {
                mode: Mode::from(ModeFlag::Direct),
                distance: Distance(16),
                distance_set: true,
            }
        );
        // child overrides the mode only
        let chain = [
            cfg(Set(Mode::from(ModeFlag::Kswapd)), Inherit),
            cfg(Set(Mode::from(ModeFlag::Direct)), Set(Distance(16))),
        ];
        assert_eq!(
            resolve(chain, GLOBAL),
            Effective {
                mode: Mode::from(ModeFlag::Kswapd),
                distance: Distance(16),
                distance_set: true,
            }
        );
        // an explicit off in the child wins over the parent
        let chain = [
            cfg(Set(Mode::OFF), Inherit),
            cfg(Set(Mode::from(ModeFlag::Direct)), Inherit),
        ];
        assert_eq!(resolve(chain, GLOBAL).mode, Mode::OFF);
        // nothing set anywhere: the global values, distance not set
        assert_eq!(resolve([cfg(Inherit, Inherit); 3], GLOBAL), GLOBAL);
        assert_eq!(resolve([], GLOBAL), GLOBAL);
        // a global distance an administrator wrote counts as set
        let global = Effective {
            distance_set: true,
            ..GLOBAL
        };
        assert!(resolve([cfg(Inherit, Inherit)], global).distance_set);
    }

    #[test]
    fn effective_word_round_trips() {
        for mode in [Mode::OFF, Mode(3), Mode(7)] {
            for distance in [Distance::MIN, Distance(32), Distance::MAX] {
                for distance_set in [false, true] {
                    let e = Effective {
                        mode,
                        distance,
                        distance_set,
                    };
                    assert_eq!(Effective::unpack(e.pack()), e);
                }
            }
        }
    }

    const BLOCKING: AllocContext = AllocContext {
        may_sleep: true,
        may_wake_kswapd: true,
        this_node: false,
        no_retry: false,
        costly: false,
        first_attempt: true,
    };

    fn eff(mode: Mode, d: u8) -> Effective {
        Effective {
            mode,
            distance: Distance(d),
            distance_set: true,
        }
    }

    /// The preferred node.
    const LOCAL: Candidate = Candidate {
        distance: Distance(10),
        preferred: true,
        has_cpus: true,
    };

    /// A remote node with CPUs at distance `d`.
    fn remote(d: u8) -> Candidate {
        Candidate {
            distance: Distance(d),
            preferred: false,
            has_cpus: true,
        }
    }

    /// A memory-only node at distance `d`.
    fn memory_only(d: u8) -> Candidate {
        Candidate {
            has_cpus: false,
            ..remote(d)
        }
    }

    /// `decide()`'s answers, one row per case: what the row checks, the
    /// cgroup's effective setting, the site, the node asked about, the
    /// allocation's context, and the actions wanted.
    #[test]
    fn decide_table() {
        let (w, busy) = (Site::Watermark, Site::KswapdBusy);
        let kd = eff(ModeFlag::Kswapd | ModeFlag::Direct, 21);
        let all = eff(Mode(7), 21);
        let dmu = eff(ModeFlag::Direct | ModeFlag::Unmap, 21);
        let (ksw, dir, unm, off) = (
            eff(Mode::from(ModeFlag::Kswapd), 21),
            eff(Mode::from(ModeFlag::Direct), 21),
            eff(Mode::from(ModeFlag::Unmap), 21),
            eff(Mode::OFF, 254),
        );
        let mem = memory_only;
        // Distance not set by an administrator: zone_reclaim_mode's reach.
        let unset = Effective {
            distance_set: false,
            ..eff(Mode(3), 30)
        };
        let ctx = |f: fn(&mut AllocContext)| {
            let mut c = BLOCKING;
            f(&mut c);
            c
        };
        let atomic = ctx(|c| c.may_sleep = false);
        let nowake = ctx(|c| {
            c.may_sleep = false;
            c.may_wake_kswapd = false
        });
        let noretry = ctx(|c| c.no_retry = true);
        let costly = ctx(|c| c.costly = true);
        let thisnode = ctx(|c| c.this_node = true);
        // GFP_TRANSHUGE | __GFP_THISNODE | __GFP_NORETRY: no kswapd wake.
        let thp_local = ctx(|c| {
            c.this_node = true;
            c.costly = true;
            c.no_retry = true;
            c.may_wake_kswapd = false
        });
        let slow = ctx(|c| c.first_attempt = false);
        const NONE: Actions = Actions::empty();
        const KEEP: Actions = Actions(Action::Keep as u32);
        const WAKE: Actions = Actions(Action::WakeKswapd as u32);
        const RECLAIM: Actions = Actions(Action::Reclaim as u32);
        #[rustfmt::skip]
        let cases = [
            ("local", kd, w, LOCAL, BLOCKING, Actions(0x3)),
            ("remote at D", kd, w, remote(21), BLOCKING, Actions(0x3)),
            ("remote beyond D", kd, w, remote(22), BLOCKING, NONE),
            ("busy, at D", kd, busy, remote(21), BLOCKING, KEEP),
            ("busy, beyond D", kd, busy, remote(32), BLOCKING, NONE),
            ("unset: local", unset, w, LOCAL, BLOCKING, Actions(0x3)),
            ("unset: CPU node", unset, w, remote(21), BLOCKING, NONE),
            ("unset: busy CPU node", unset, busy, remote(21), BLOCKING, NONE),
            ("unset: memory-only", unset, w, mem(21), BLOCKING, Actions(0x3)),
            ("unset: memory-only far", unset, w, mem(31), BLOCKING, NONE),
            ("kswapd", ksw, w, LOCAL, BLOCKING, WAKE),
            ("direct", dir, w, LOCAL, BLOCKING, RECLAIM),
            ("all three", all, w, LOCAL, BLOCKING, Actions(0x7)),
            ("unmap alone", unm, w, LOCAL, BLOCKING, NONE),
            ("off", off, w, LOCAL, BLOCKING, NONE),
            ("off, busy", off, busy, LOCAL, BLOCKING, NONE),
            ("atomic", all, w, LOCAL, atomic, WAKE),
            ("no kswapd wake", all, w, LOCAL, nowake, NONE),
            ("NORETRY", all, w, LOCAL, noretry, Actions(0x3)),
            ("NORETRY, direct", dir, w, LOCAL, noretry, RECLAIM),
            ("NORETRY, atomic", all, w, LOCAL, ctx(|c| {
                c.no_retry = true;
                c.may_sleep = false
            }), WAKE),
            ("NORETRY, costly", all, w, LOCAL, ctx(|c| {
                c.no_retry = true;
                c.costly = true
            }), Actions(0x3)),
            ("costly order", all, w, LOCAL, costly, Actions(0x3)),
            ("costly, direct unmap", dmu, w, LOCAL, costly, RECLAIM),
            ("costly, atomic", all, w, LOCAL, ctx(|c| {
                c.costly = true;
                c.may_sleep = false
            }), WAKE),
            ("THISNODE", all, w, LOCAL, thisnode, NONE),
            ("THISNODE, busy", all, busy, LOCAL, thisnode, NONE),
            // A MADV_HUGEPAGE THP fault's local-only try: light reclaim.
            ("THISNODE, costly", all, w, LOCAL, thp_local, RECLAIM),
            ("THISNODE, costly, unmap", dmu, w, LOCAL, thp_local, RECLAIM),
            ("THISNODE, costly, busy", all, busy, LOCAL, thp_local, KEEP),
            ("THISNODE, costly, atomic", all, w, LOCAL, ctx(|c| {
                c.this_node = true;
                c.costly = true;
                c.may_sleep = false;
                c.may_wake_kswapd = false
            }), NONE),
            ("THISNODE, costly, slow path", all, w, LOCAL, ctx(|c| {
                c.this_node = true;
                c.costly = true;
                c.first_attempt = false
            }), NONE),
            ("slow path", all, w, LOCAL, slow, NONE),
            ("slow path, busy", all, busy, LOCAL, slow, NONE),
        ];
        for (what, e, site, node, ctx, want) in cases {
            assert_eq!(decide(e, site, node, ctx), want, "{what}");
        }
    }

    #[test]
    fn default_reach_spares_other_sockets() {
        let e = Effective {
            distance_set: false,
            ..eff(Mode(3), 30)
        };
        assert!(kept_within(e, LOCAL));
        assert!(kept_within(e, memory_only(30)));
        assert!(!kept_within(e, remote(21)));
        // Once set, the distance alone decides.
        assert!(kept_within(eff(Mode(3), 30), remote(21)));
    }

    #[test]
    fn only_the_first_attempt_counts() {
        assert!(AllocContext::from_bits(0x3, 1).first_attempt);
        assert!(!AllocContext::from_bits(0x3, 0).first_attempt);
        assert!(!AllocContext::from_bits(0x3, 2).first_attempt);
    }

    #[test]
    fn alloc_context_decodes_ctx_bits() {
        assert_eq!(AllocContext::from_bits(0x3, 1), BLOCKING);
        let c = AllocContext::from_bits(0x4 | 0x8 | 0x10 | 0x20, 1);
        assert!(!c.may_sleep && !c.may_wake_kswapd);
        assert!(c.no_retry && c.costly && c.this_node);
    }

    #[test]
    fn kept_within_is_inclusive() {
        assert!(kept_within(
            eff(Mode::from(ModeFlag::Direct), 16),
            remote(16)
        ));
        assert!(!kept_within(
            eff(Mode::from(ModeFlag::Direct), 16),
            remote(17)
        ));
    }
}
