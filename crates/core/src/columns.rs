//! Events given as columns (dictionary keys per row, values looked up once per key), pushed
//! into the log with the outcome of [`EventLogBuilder::push`] on each row in turn.

use std::net::IpAddr;

use crate::action::Action;
use crate::intern::{Id, NONE};
use crate::log::{EventLog, EventLogBuilder, PushError, check_id};
use crate::{Error, Result};

/// A string (or address) column as per-row keys into a dictionary of values, for
/// [`EventLogBuilder::push_columns`]. Each key's value is looked up and interned once, the
/// first time a pushed row uses it.
pub struct Keyed<'a, T> {
    /// Per row, the key of its value; a negative key means absent.
    pub keys: &'a [i32],
    /// The value of a key; `None` (and, for strings, `Some("")`) counts as absent.
    pub value: &'a (dyn Fn(usize) -> Option<T> + Sync),
    /// The id (or verb code) already given to each key, [`NONE`] for not yet; filled in as
    /// rows are pushed. Keep it across batches that share a dictionary, and clear it when the
    /// dictionary changes.
    pub ids: &'a mut Vec<Id>,
}

impl<T> std::fmt::Debug for Keyed<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyed")
            .field("rows", &self.keys.len())
            .field("keys_seen", &self.ids.len())
            .finish()
    }
}

/// A string column read row by row; `None` (and `Some("")`) counts as absent.
pub type RowStrs<'a, 'v> = &'a (dyn Fn(usize) -> Option<&'v str> + Sync);

/// A batch of events as columns, for [`EventLogBuilder::push_columns`].
///
/// Borrows for `'a`, values for `'v`. Every column has one entry per row of the batch; only the rows listed in
/// [`Columns::rows`] are pushed. The reader has checked them: a required column (`action`,
/// `actor`, `target`) that is absent on a pushed row is taken as the empty string.
pub struct Columns<'a, 'v> {
    /// The rows to push, in order.
    pub rows: &'a [u32],
    /// The 1-based line (row number in its source) of row 0; row `i` is line
    /// `first_line + i`.
    pub first_line: u32,
    /// Event times, epoch milliseconds.
    pub ts: &'a [i64],
    /// Explicit event ids.
    pub id: Option<RowStrs<'a, 'v>>,
    /// Verbs (the `ids` of this column hold verb codes).
    pub action: Keyed<'a, &'v str>,
    /// Actor accounts.
    pub actor: Keyed<'a, &'v str>,
    /// Targets.
    pub target: Keyed<'a, &'v str>,
    /// Owner accounts.
    pub owner: Option<Keyed<'a, &'v str>>,
    /// Texts.
    pub text: Option<RowStrs<'a, 'v>>,
    /// Addresses.
    pub ip: Option<Keyed<'a, IpAddr>>,
    /// Devices.
    pub device: Option<Keyed<'a, &'v str>>,
    /// Clients.
    pub client: Option<Keyed<'a, &'v str>>,
}

impl std::fmt::Debug for Columns<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Columns")
            .field("rows", &self.rows.len())
            .field("first_line", &self.first_line)
            .finish()
    }
}

/// The id of `row`'s value in `col`, interning it with `intern` the first time its key is seen.
#[inline]
fn keyed_id<T>(
    col: &mut Keyed<'_, T>,
    row: usize,
    mut intern: impl FnMut(T) -> Result<Id>,
    absent: impl Fn(&T) -> bool,
) -> Result<Id> {
    let k = col.keys[row];
    if k < 0 {
        return Ok(NONE);
    }
    let k = k as usize;
    if k >= col.ids.len() {
        col.ids.resize(k + 1, NONE);
    }
    let id = col.ids[k];
    if id != NONE {
        return Ok(id);
    }
    let id = match (col.value)(k) {
        Some(v) if !absent(&v) => intern(v)?,
        _ => NONE,
    };
    col.ids[k] = id;
    Ok(id)
}

fn no_str(s: &&str) -> bool {
    s.is_empty()
}

fn no_ip(_: &IpAddr) -> bool {
    false
}

impl EventLogBuilder {
    /// Appends the rows [`Columns::rows`] of a batch given as columns, with the same outcome
    /// as [`EventLogBuilder::push`] on each row in turn (same ids in the same first-seen
    /// order, same refusals: a duplicate explicit id is refused and the first event with it
    /// kept; absent optional fields are [`NONE`]). Values of keyed columns are interned once
    /// per key rather than once per row; the id spaces are interned in parallel, one rayon
    /// task each, after a sequential pass for duplicate ids and verbs.
    ///
    /// `results` is cleared and gets one entry per pushed row, as in
    /// [`EventLogBuilder::push_batch`].
    ///
    /// # Errors
    /// [`Error::ResourcesExhausted`] when an id space fills up during the parallel pass. Part
    /// of the batch may then be appended to some columns only: drop the builder.
    ///
    /// # Complexity
    /// O(rows) plus one interning per distinct key used.
    pub fn push_columns(
        &mut self,
        cols: &mut Columns<'_, '_>,
        results: &mut Vec<Result<(), PushError>>,
    ) -> Result<()> {
        results.clear();
        if self.log.sources.is_empty() {
            self.begin_source("input");
        }
        // Sequential pass, in order: duplicate ids, verbs, event ids, times, lines.
        let mut kept: Vec<u32> = Vec::with_capacity(cols.rows.len());
        results.reserve(cols.rows.len());
        for &r in cols.rows {
            let i = r as usize;
            let idx = self.log.ts.len();
            if idx >= u32::MAX as usize {
                results.push(Err(PushError::Exhausted(Error::ResourcesExhausted(
                    "more than 4 billion events in one log".into(),
                ))));
                continue;
            }
            let explicit = cols.id.and_then(|f| f(i)).filter(|s| !s.is_empty());
            let entry = match check_id(
                &mut self.seen_ids,
                &self.id_hasher,
                &self.log,
                self.defer_ids,
                explicit,
            ) {
                Ok(v) => v,
                Err(e) => {
                    results.push(Err(e));
                    continue;
                }
            };
            let verbs = &mut self.log.verbs;
            let action = match keyed_id(
                &mut cols.action,
                i,
                |v| verbs.code(v).map(Id::from),
                |_| false,
            ) {
                Ok(NONE) => match verbs.code("") {
                    Ok(a) => a,
                    Err(e) => {
                        results.push(Err(PushError::Exhausted(e)));
                        continue;
                    }
                },
                Ok(a) => a as Action,
                Err(e) => {
                    results.push(Err(PushError::Exhausted(e)));
                    continue;
                }
            };
            if !self.log.event_ids.push(explicit.unwrap_or("").as_bytes()) {
                results.push(Err(PushError::Exhausted(Error::ResourcesExhausted(
                    "an event id longer than 4 GiB".into(),
                ))));
                continue;
            }
            self.log.ts.push(cols.ts[i]);
            self.log.lines.push(cols.first_line.wrapping_add(r));
            self.log.action.push(action);
            if let Some(v) = entry {
                v.insert(idx as u32);
            }
            kept.push(r);
            results.push(Ok(()));
        }
        // Parallel pass: each id space in its own task, each in row order.
        let EventLog {
            actor,
            target,
            owner,
            ip,
            device,
            client,
            text,
            accounts,
            targets,
            ips,
            devices,
            clients,
            ..
        } = &mut self.log;
        let kept = &kept;
        let Columns {
            actor: actor_col,
            target: target_col,
            owner: owner_col,
            ip: ip_col,
            device: device_col,
            client: client_col,
            text: text_col,
            ..
        } = cols;
        let ((a, b), (c, d)) = rayon::join(
            || {
                rayon::join(
                    || -> Result<()> {
                        actor.reserve(kept.len());
                        owner.reserve(kept.len());
                        for &r in kept {
                            let r = r as usize;
                            let id = keyed_id(actor_col, r, |s| accounts.intern(s), |_| false)?;
                            actor.push(if id == NONE { accounts.intern("")? } else { id });
                            owner.push(match owner_col {
                                Some(c) => keyed_id(c, r, |s| accounts.intern(s), no_str)?,
                                None => NONE,
                            });
                        }
                        Ok(())
                    },
                    || -> Result<()> {
                        target.reserve(kept.len());
                        for &r in kept {
                            let id =
                                keyed_id(target_col, r as usize, |s| targets.intern(s), |_| false)?;
                            target.push(if id == NONE { targets.intern("")? } else { id });
                        }
                        Ok(())
                    },
                )
            },
            || {
                rayon::join(
                    || -> Result<()> {
                        device.reserve(kept.len());
                        client.reserve(kept.len());
                        ip.reserve(kept.len());
                        for &r in kept {
                            let r = r as usize;
                            device.push(match device_col {
                                Some(c) => keyed_id(c, r, |s| devices.intern(s), no_str)?,
                                None => NONE,
                            });
                            client.push(match client_col {
                                Some(c) => keyed_id(c, r, |s| clients.intern(s), no_str)?,
                                None => NONE,
                            });
                            ip.push(match ip_col {
                                Some(c) => keyed_id(c, r, |a| ips.intern(a), no_ip)?,
                                None => NONE,
                            });
                        }
                        Ok(())
                    },
                    || -> Result<()> {
                        for &r in kept {
                            let s = text_col.and_then(|f| f(r as usize)).unwrap_or("");
                            if !text.push(s.as_bytes()) {
                                return Err(Error::ResourcesExhausted(
                                    "a text longer than 4 GiB".into(),
                                ));
                            }
                        }
                        Ok(())
                    },
                )
            },
        );
        a.and(b).and(c).and(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::RawEvent;

    /// A dictionary in an order unlike first-seen order, with an empty value and a repeat.
    fn dict(prefix: &str, n: usize) -> Vec<String> {
        let mut d: Vec<String> = (0..n).rev().map(|i| format!("{prefix}{i}")).collect();
        d.push(String::new());
        d.push(format!("{prefix}0"));
        d
    }

    /// The key of `prefix{i}` in `dict(prefix, n)` (the repeat for even `i == 0` rows).
    fn key(n: usize, i: usize, row: usize) -> i32 {
        if i == 0 && row.is_multiple_of(2) {
            n as i32 + 1
        } else {
            (n - 1 - i) as i32
        }
    }

    proptest::proptest! {
        #[test]
        fn push_columns_is_push_in_order(
            evs in proptest::collection::vec(
                (proptest::option::of(0u8..20), 0i64..100, 0u8..30, 0u8..4, 0u8..30,
                 proptest::option::of(0u8..31), proptest::option::of(0u8..5),
                 proptest::option::of(0u8..9), proptest::bool::weighted(0.9)),
                0..300),
            cut in 0usize..300,
        ) {
            let verbs = ["like", "follow", "zap", "view"];
            let (accounts, targets) = (dict("u", 31), dict("t", 30));
            let (verb_dict, devices, clients) =
                (vec!["view", "zap", "follow", "like"], dict("d", 9), dict("c", 5));
            let addrs: Vec<IpAddr> = (0..9u8).map(|k| IpAddr::from([10, 0, 0, k])).collect();
            let ids: Vec<String> = evs.iter().map(|e| e.0.map(|i| format!("e{i}")).unwrap_or_default()).collect();
            let texts = ["", "a", "bb", "c c", "d"];
            // Owner 30 stands for the empty string; device and client 0 for absent.
            let raws: Vec<RawEvent<'_>> = evs
                .iter()
                .enumerate()
                .map(|(i, e)| RawEvent {
                    id: e.0.map(|_| ids[i].as_str()),
                    ts: e.1,
                    actor: accounts[key(31, e.2 as usize, i) as usize].as_str(),
                    action: verbs[e.3 as usize],
                    target: targets[key(30, e.4 as usize, i) as usize].as_str(),
                    owner: e.5.map(|k| if k == 30 { "" } else { accounts[key(31, k as usize, i) as usize].as_str() }),
                    text: e.6.map(|k| texts[k as usize]),
                    ip: e.7.map(|k| addrs[k as usize]),
                    device: e.7.filter(|&k| k > 0).map(|k| devices[key(9, k as usize, i) as usize].as_str()),
                    client: e.6.filter(|&k| k > 0).map(|k| clients[key(5, k as usize, i) as usize].as_str()),
                    line: i as u32 + 7,
                })
                .collect();
            let pushed: Vec<u32> = (0..evs.len() as u32).filter(|&i| evs[i as usize].8).collect();

            let mut one = EventLogBuilder::new();
            one.begin_source("f");
            let want: Vec<Result<(), PushError>> =
                pushed.iter().map(|&i| one.push(&raws[i as usize])).collect();

            let keys = |f: &dyn Fn(usize) -> i32| -> Vec<i32> { (0..evs.len()).map(f).collect() };
            let actor_k = keys(&|i| key(31, evs[i].2 as usize, i));
            let verb_k = keys(&|i| 3 - evs[i].3 as i32);
            let target_k = keys(&|i| key(30, evs[i].4 as usize, i));
            let owner_k = keys(&|i| match evs[i].5 {
                None => -1,
                Some(30) => 31,
                Some(k) => key(31, k as usize, i),
            });
            let ip_k = keys(&|i| evs[i].7.map_or(-1, |k| k as i32));
            let device_k = keys(&|i| evs[i].7.filter(|&k| k > 0).map_or(-1, |k| key(9, k as usize, i)));
            let client_k = keys(&|i| evs[i].6.filter(|&k| k > 0).map_or(-1, |k| key(5, k as usize, i)));
            let ts: Vec<i64> = evs.iter().map(|e| e.1).collect();
            let acc = |k: usize| Some(accounts[k].as_str());
            let tgt = |k: usize| Some(targets[k].as_str());
            let vrb = |k: usize| Some(verb_dict[k]);
            let dev = |k: usize| Some(devices[k].as_str());
            let cli = |k: usize| Some(clients[k].as_str());
            let adr = |k: usize| Some(addrs[k]);
            let idf = |i: usize| evs[i].0.map(|_| ids[i].as_str());
            let txt = |i: usize| evs[i].6.map(|k| texts[k as usize]);
            let mut caches: Vec<Vec<Id>> = vec![Vec::new(); 8];

            let mut many = EventLogBuilder::new();
            many.begin_source("f");
            let cut = cut.min(pushed.len());
            let mut got = Vec::new();
            let mut res = Vec::new();
            for part in [&pushed[..cut], &pushed[cut..]] {
                let [c0, c1, c2, c3, c4, c5, c6, _] = &mut caches[..] else { unreachable!() };
                let mut cols = Columns {
                    rows: part,
                    first_line: 7,
                    ts: &ts,
                    id: Some(&idf),
                    action: Keyed { keys: &verb_k, value: &vrb, ids: c0 },
                    actor: Keyed { keys: &actor_k, value: &acc, ids: c1 },
                    target: Keyed { keys: &target_k, value: &tgt, ids: c2 },
                    owner: Some(Keyed { keys: &owner_k, value: &acc, ids: c3 }),
                    text: Some(&txt),
                    ip: Some(Keyed { keys: &ip_k, value: &adr, ids: c4 }),
                    device: Some(Keyed { keys: &device_k, value: &dev, ids: c5 }),
                    client: Some(Keyed { keys: &client_k, value: &cli, ids: c6 }),
                };
                many.push_columns(&mut cols, &mut res).unwrap();
                got.append(&mut res);
            }
            proptest::prop_assert_eq!(&got, &want);
            let (a, b) = (one.finish(), many.finish());
            proptest::prop_assert_eq!(a.len(), b.len());
            proptest::prop_assert_eq!(a.ts(), b.ts());
            proptest::prop_assert_eq!(a.action(), b.action());
            proptest::prop_assert_eq!(a.actor(), b.actor());
            proptest::prop_assert_eq!(a.owner(), b.owner());
            proptest::prop_assert_eq!(a.target(), b.target());
            proptest::prop_assert_eq!(a.ip(), b.ip());
            proptest::prop_assert_eq!(a.device(), b.device());
            proptest::prop_assert_eq!(a.client(), b.client());
            for i in 0..a.len() {
                proptest::prop_assert_eq!(a.text(i), b.text(i));
                proptest::prop_assert_eq!(a.event_id_string(i), b.event_id_string(i));
                proptest::prop_assert_eq!(a.line(i), b.line(i));
            }
            for (x, y) in [(&a.accounts, &b.accounts), (&a.targets, &b.targets),
                           (&a.devices, &b.devices), (&a.clients, &b.clients)] {
                proptest::prop_assert_eq!(x.len(), y.len());
                for id in 0..x.len() as u32 {
                    proptest::prop_assert_eq!(x.resolve(id), y.resolve(id));
                }
            }
            proptest::prop_assert_eq!(a.ips.len(), b.ips.len());
            proptest::prop_assert_eq!(a.verbs.len(), b.verbs.len());
        }
    }
}
