//! Loads where only the newest may land. Each kind of load (the dashboard, a
//! dashboard's variable options, a query preview, completion) has one
//! [`LatestLoad`]; starting a load makes every earlier one stale, and a stale
//! answer is dropped instead of overwriting a newer one, however the answers
//! arrive. Leptos's `LocalResource` would give the same order but runs its
//! loads one after another, so a slow stale answer would hold up the new one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;

/// One kind of load; see the module documentation.
#[derive(Clone, Copy)]
pub struct LatestLoad {
    newest: StoredValue<u64>,
}

/// A load in progress, which may write only while it is the newest.
#[derive(Clone, Copy)]
pub struct LoadTicket {
    newest: StoredValue<u64>,
    mine: u64,
}

impl Default for LatestLoad {
    fn default() -> Self {
        Self::new()
    }
}

impl LatestLoad {
    pub fn new() -> Self {
        Self {
            newest: StoredValue::new(0),
        }
    }

    /// Starts a load: from now on, only this one may land.
    pub fn start(&self) -> LoadTicket {
        let mine = self
            .newest
            .try_update_value(|n| {
                *n += 1;
                *n
            })
            .unwrap_or(0);
        LoadTicket {
            newest: self.newest,
            mine,
        }
    }

    /// Makes the loads in progress stale without starting one (the page moved on
    /// to something that needs no load).
    pub fn cancel(&self) {
        self.start();
    }

    /// Runs `fetch`, and hands its answer to `land` unless another load started
    /// meanwhile (or the component went away).
    pub fn run<T: 'static>(
        &self,
        fetch: impl Future<Output = T> + 'static,
        land: impl FnOnce(T) + 'static,
    ) {
        let ticket = self.start();
        spawn_local(async move {
            let answer = fetch.await;
            if ticket.is_newest() {
                land(answer);
            }
        });
    }
}

impl LoadTicket {
    /// Whether no newer load has started (and the owner still exists).
    pub fn is_newest(&self) -> bool {
        self.newest.try_get_value() == Some(self.mine)
    }
}
