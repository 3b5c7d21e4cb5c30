//! The export's shared work: a queue of jobs every load user takes from until the export is
//! done. A job is one request; its answer adds jobs (the next page, one fan-out per item).
//!
//! The queue stays small however large the dataset: the next page is fetched only while the
//! fan-out waiting is under `backlog`, so the users drain a page's fan-out before the walk runs
//! ahead. Memory is flat in the number of users exported.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use super::scenario::LoadStep;
use crate::vars::Vars;

/// One request to make, with the variables it sees.
#[derive(Debug, Clone)]
pub struct Job {
    pub step: Arc<LoadStep>,
    pub vars: Vars,
    /// The URL of the next page, for a walk's continuation; `None`: the step's own request.
    pub url: Option<String>,
    /// A page of a walk a shard asks by number (`--shard`); `None`: as the step says.
    pub page: Option<Page>,
}

/// A page of a walk asked by its number: the step's request with `param` set to `number`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub param: String,
    pub number: u64,
    /// The last page the dataset gives the walk: only its `next` link is followed (by the
    /// shard that owns it), so a target holding more pages than the dataset says is walked to
    /// its end and the count shows it; every other page's successor belongs to another shard.
    pub last: bool,
}

impl Job {
    pub fn new(step: Arc<LoadStep>, vars: Vars) -> Self {
        Job {
            step,
            vars,
            url: None,
            page: None,
        }
    }

    fn is_walk(&self) -> bool {
        self.url.is_some()
    }
}

#[derive(Default)]
struct State {
    /// Continuations of walks (next pages).
    walks: VecDeque<Job>,
    /// Everything else, most recent first (depth first keeps the queue short).
    tasks: Vec<Job>,
    in_flight: usize,
}

/// What a load user gets when it asks for work.
pub enum Take {
    Job(Job),
    /// Nothing is left and nothing is in flight: the export is done.
    Done,
}

pub struct WorkQueue {
    state: Mutex<State>,
    changed: Notify,
    backlog: usize,
}

impl WorkQueue {
    /// A queue holding `roots`; the walk is let ahead while fewer than `backlog` tasks wait.
    pub fn new(roots: Vec<Job>, backlog: usize) -> Self {
        // Roots in order: the first root is taken first.
        let state = State {
            tasks: roots.into_iter().rev().collect(),
            ..Default::default()
        };
        WorkQueue {
            state: Mutex::new(state),
            changed: Notify::new(),
            backlog: backlog.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn try_take(&self) -> Option<Take> {
        let mut s = self.lock();
        let job = if s.tasks.len() < self.backlog {
            s.walks.pop_front().or_else(|| s.tasks.pop())
        } else {
            s.tasks.pop().or_else(|| s.walks.pop_front())
        };
        match job {
            Some(j) => {
                s.in_flight += 1;
                Some(Take::Job(j))
            }
            None if s.in_flight == 0 => Some(Take::Done),
            None => None,
        }
    }

    /// The next job, or `Done`. Waits while others hold the only work left (their answers may
    /// add more), waking at least every `tick` so the caller can check its deadline: `None`.
    pub async fn take(&self, tick: Duration) -> Option<Take> {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(t) = self.try_take() {
                return Some(t);
            }
            if tokio::time::timeout(tick, notified).await.is_err() {
                return None;
            }
        }
    }

    /// A taken job is finished; `more` is the work its answer adds.
    pub fn finish(&self, more: Vec<Job>) {
        {
            let mut s = self.lock();
            s.in_flight = s.in_flight.saturating_sub(1);
            for j in more.into_iter().rev() {
                if j.is_walk() {
                    s.walks.push_back(j);
                } else {
                    s.tasks.push(j);
                }
            }
        }
        self.changed.notify_waiters();
    }

    /// Jobs waiting (not in flight): what the run leaves undone if it stops now.
    pub fn pending(&self) -> usize {
        let s = self.lock();
        s.walks.len() + s.tasks.len()
    }
}
