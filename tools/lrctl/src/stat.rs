// SPDX-License-Identifier: GPL-2.0
//! The module's `stat` files: nested-keyed lines like `memory.numa_stat`
//! (`kswapd_wakeups N0=12 N1=0`), the cgroup's `effective mode=...
//! distance=...` line, and flat `key value` lines (`cgroup_states 3`).

/// One parsed stat file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stat {
    /// Per-node counters in file order: name, then (node, value) pairs.
    pub counters: Vec<(String, Vec<(u32, u64)>)>,
    /// `effective` line: mode (flags joined by ','), distance.
    pub effective: Option<(String, u32)>,
    /// `key value` lines.
    pub flat: Vec<(String, u64)>,
}

impl Stat {
    pub fn parse(text: &str) -> Stat {
        let mut st = Stat::default();
        for line in text.lines() {
            let mut words = line.split_whitespace();
            let Some(key) = words.next() else { continue };
            let rest: Vec<&str> = words.collect();
            if key == "effective" {
                let get = |k: &str| rest.iter().find_map(|w| w.strip_prefix(k));
                if let (Some(m), Some(d)) =
                    (get("mode="), get("distance=").and_then(|d| d.parse().ok()))
                {
                    st.effective = Some((m.to_string(), d));
                }
            } else if rest.len() == 1 && !rest[0].contains('=') {
                if let Ok(v) = rest[0].parse() {
                    st.flat.push((key.to_string(), v));
                }
            } else {
                let nodes = rest
                    .iter()
                    .filter_map(|w| {
                        let (n, v) = w.strip_prefix('N')?.split_once('=')?;
                        Some((n.parse().ok()?, v.parse().ok()?))
                    })
                    .collect();
                st.counters.push((key.to_string(), nodes));
            }
        }
        st
    }

    /// A counter's value on one node (0 when absent).
    pub fn get(&self, counter: &str, node: u32) -> u64 {
        self.counters
            .iter()
            .find(|(k, _)| k == counter)
            .and_then(|(_, v)| v.iter().find(|(n, _)| *n == node))
            .map_or(0, |(_, v)| *v)
    }

    /// Every node any counter mentions, sorted.
    pub fn nodes(&self) -> Vec<u32> {
        let mut n: Vec<u32> = self
            .counters
            .iter()
            .flat_map(|(_, v)| v.iter().map(|(n, _)| *n))
            .collect();
        n.sort_unstable();
        n.dedup();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_line_kind() {
        let st = Stat::parse(
            "kswapd_wakeups N0=12 N1=0\npages_reclaimed N0=9920 N1=3\n\
             effective mode=kswapd,direct distance=21\ncgroup_states 4\n",
        );
        assert_eq!(st.get("kswapd_wakeups", 0), 12);
        assert_eq!(st.get("pages_reclaimed", 1), 3);
        assert_eq!(st.get("missing", 0), 0);
        assert_eq!(st.effective, Some(("kswapd,direct".into(), 21)));
        assert_eq!(st.flat, vec![("cgroup_states".into(), 4)]);
        assert_eq!(st.nodes(), vec![0, 1]);
    }
}
