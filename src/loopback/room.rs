//! A bounded set of connections on a loopback port that another local user can reach:
//! when it is full, another user's connections go first, then the oldest of whoever holds
//! the most, so a flood evicts its own connections, never the browser's (the login's
//! listener) or the command's (`exec --proxy`). In a room that asks connections to prove
//! themselves (`exec --proxy`'s session key), a proven one is never evicted, and an
//! unproven one only once it had a grace period to prove itself (the command's new
//! connection sends its request at once); while nothing may be evicted, new connections
//! wait in the kernel's queue ([`Room::space`]).

use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::task::AbortHandle;

/// How many connections one eviction drops when none is another user's, so that the
/// kernel's table is not read for every new connection of a flood.
const EVICTED_AT_ONCE: usize = 8;

/// The connections held, oldest first, at most `capacity` of them.
pub struct Room {
    held: Mutex<VecDeque<Held>>,
    capacity: usize,
    ids: AtomicU64,
    /// How long an unproven connection is spared (zero: a room where none proves itself).
    grace: Duration,
    /// Told when a connection leaves, for an accept loop waiting for [`Room::space`].
    left: tokio::sync::Notify,
    /// Other users' connections evicted, by user (`None`: gone before it could be
    /// looked up), so that a login that times out can say who flooded it.
    turned_away: Mutex<BTreeMap<Option<u32>, usize>>,
}

/// One connection in the room.
struct Held {
    id: u64,
    peer: SocketAddr,
    local: Option<SocketAddr>,
    /// Who is behind it, once looked up.
    owner: Option<crate::os::Peer>,
    /// It proved itself (`vouch`): never evicted.
    vouched: bool,
    since: Instant,
    task: AbortHandle,
}

impl Held {
    /// Whether it may be evicted to make room for another user's connection.
    fn evictable(&self, grace: Duration) -> bool {
        !self.vouched && self.since.elapsed() >= grace
    }
}

impl Room {
    /// A room whose connections never prove themselves (the login's listener).
    pub fn new(capacity: usize) -> Self {
        Self::proving(capacity, Duration::ZERO)
    }

    /// A room whose connections prove themselves (`vouch`) within `grace`.
    pub fn proving(capacity: usize, grace: Duration) -> Self {
        Room {
            held: Mutex::new(VecDeque::new()),
            capacity,
            ids: AtomicU64::new(0),
            grace,
            left: tokio::sync::Notify::new(),
            turned_away: Mutex::new(BTreeMap::new()),
        }
    }

    /// An id for the next connection, known to its task before it is admitted.
    pub fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Takes in a connection served by `task`, making room first when full.
    pub fn admit(&self, id: u64, peer: SocketAddr, local: Option<SocketAddr>, task: AbortHandle) {
        if let Ok(mut held) = self.held.lock() {
            let mut away = self.turned_away.lock().unwrap_or_else(|p| p.into_inner());
            make_room(&mut held, self.capacity, self.grace, &mut away);
            held.push_back(Held {
                id,
                peer,
                local,
                owner: None,
                vouched: false,
                since: Instant::now(),
                task,
            });
        }
    }

    /// A connection that ended, or may no longer be evicted.
    pub fn leave(&self, id: u64) {
        if let Ok(mut held) = self.held.lock() {
            held.retain(|h| h.id != id);
        }
        self.left.notify_waiters();
    }

    /// Marks a connection as proven (it sent the session key): it is never evicted.
    pub fn vouch(&self, id: u64) {
        if let Ok(mut held) = self.held.lock()
            && let Some(h) = held.iter_mut().find(|h| h.id == id)
        {
            h.vouched = true;
        }
    }

    /// How many of other users' connections were evicted, by user (`None`: one gone
    /// before its user could be looked up).
    pub fn turned_away(&self) -> Vec<(Option<u32>, usize)> {
        let away = self.turned_away.lock().unwrap_or_else(|p| p.into_inner());
        away.iter().map(|(who, n)| (*who, *n)).collect()
    }

    /// Returns once a new connection can be admitted: the room has space, or holds a
    /// connection that may be evicted for it.
    pub async fn space(&self) {
        loop {
            // Registered before looking, so a leave in between is not missed.
            let left = self.left.notified();
            let full = self.held.lock().is_ok_and(|held| {
                held.len() >= self.capacity && !held.iter().any(|h| h.evictable(self.grace))
            });
            if !full {
                return;
            }
            // Until one leaves, or an unproven one's grace runs out.
            tokio::select! {
                () = left => {}
                () = tokio::time::sleep(self.grace.max(Duration::from_millis(50))) => {}
            }
        }
    }
}

/// Makes room for one more connection when `capacity` are held. The kernel's socket
/// table is read once (Linux) to see who is behind the connections not yet looked up:
/// another user's unproven ones, which would be refused anyway, all go; then, if still
/// full, the oldest [`EVICTED_AT_ONCE`] evictable ones of whoever holds the most.
fn make_room(
    queue: &mut VecDeque<Held>,
    capacity: usize,
    grace: Duration,
    turned_away: &mut BTreeMap<Option<u32>, usize>,
) {
    if queue.len() < capacity {
        return;
    }
    let unknown: Vec<usize> = (0..queue.len())
        .filter(|&i| queue[i].owner.is_none())
        .collect();
    let pairs: Vec<(SocketAddr, SocketAddr)> = unknown
        .iter()
        .map(|&i| (queue[i].peer, queue[i].local.unwrap_or(queue[i].peer)))
        .collect();
    for (i, owner) in unknown.into_iter().zip(crate::os::peers(&pairs)) {
        let known = queue[i].local.is_some();
        queue[i].owner = Some(if known {
            owner
        } else {
            crate::os::Peer::Unknown
        });
    }
    let owner = |h: &Held| h.owner.unwrap_or(crate::os::Peer::Unknown);
    queue.retain(|held| {
        let foreign = owner(held).is_foreign() && !held.vouched;
        if foreign {
            held.task.abort();
            let who = match owner(held) {
                crate::os::Peer::Uid(uid) => Some(uid),
                _ => None,
            };
            *turned_away.entry(who).or_default() += 1;
        }
        !foreign
    });
    if queue.len() < capacity {
        return;
    }
    let mut counts: Vec<(crate::os::Peer, usize)> = Vec::new();
    for held in queue.iter().filter(|h| h.evictable(grace)) {
        match counts.iter_mut().find(|(o, _)| *o == owner(held)) {
            Some((_, n)) => *n += 1,
            None => counts.push((owner(held), 1)),
        }
    }
    let Some(busiest) = counts.iter().max_by_key(|(_, n)| *n).map(|(o, _)| *o) else {
        return;
    };
    let mut evicted = 0;
    queue.retain(|held| {
        let evict = evicted < EVICTED_AT_ONCE && held.evictable(grace) && owner(held) == busiest;
        if evict {
            evicted += 1;
            held.task.abort();
        }
        !evict
    });
}

/// An `accept` error that passes: out of descriptors or buffers for now, or a client
/// that gave up before it was accepted.
pub fn is_transient(err: &io::Error) -> bool {
    // WSAEINTR, WSAEMFILE, WSAECONNABORTED, WSAECONNRESET (a client that gave up before
    // it was accepted), WSAENOBUFS.
    #[cfg(windows)]
    if let Some(code) = err.raw_os_error() {
        return matches!(code, 10004 | 10024 | 10053 | 10054 | 10055);
    }
    #[cfg(unix)]
    if let Some(code) = err.raw_os_error() {
        return matches!(
            code,
            libc::EMFILE
                | libc::ENFILE
                | libc::ENOBUFS
                | libc::ENOMEM
                | libc::ECONNABORTED
                | libc::EINTR
        );
    }
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}
