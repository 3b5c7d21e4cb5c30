//! When a run stops before its end: its deadline passes, or a signal asks it to stop. Every
//! rule of the run waits on the same `Halt`, so a stop reaches the rules in flight at once and
//! the rules not started yet never start; what finished is still reported.

use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::exchange::client::seconds;

/// Why a run stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Halted {
    /// The run's total deadline (`--run-timeout`) passed.
    RunDeadline(Duration),
    /// A signal (SIGINT, SIGTERM) asked the run to stop.
    Interrupted(&'static str),
}

impl std::fmt::Display for Halted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Halted::RunDeadline(d) => write!(f, "the run's deadline ({}) passed", seconds(*d)),
            Halted::Interrupted(signal) => write!(f, "interrupted by {signal}"),
        }
    }
}

/// The run's deadline and its interruption, shared by every rule of the run.
#[derive(Debug, Clone)]
pub struct Halt {
    deadline: Instant,
    run_timeout: Duration,
    interrupted: watch::Receiver<Option<Halted>>,
}

/// Stops the run of its `Halt` early (held by whoever listens for signals).
#[derive(Debug)]
pub struct Interrupter(watch::Sender<Option<Halted>>);

impl Interrupter {
    /// Stop the run: rules in flight end as not run, rules not started never start.
    pub fn interrupt(&self, signal: &'static str) {
        self.0.send_if_modified(|h| {
            if h.is_none() {
                *h = Some(Halted::Interrupted(signal));
                true
            } else {
                false
            }
        });
    }
}

impl Halt {
    /// A run that ends `run_timeout` from now at the latest, and that `Interrupter` can stop
    /// sooner.
    pub fn new(run_timeout: Duration) -> (Halt, Interrupter) {
        let (tx, rx) = watch::channel(None);
        // A deadline past what an `Instant` holds is as good as none.
        let deadline = Instant::now()
            .checked_add(run_timeout)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(100 * 365 * 86_400));
        (
            Halt {
                deadline,
                run_timeout,
                interrupted: rx,
            },
            Interrupter(tx),
        )
    }

    /// A run that only its deadline stops.
    pub fn after(run_timeout: Duration) -> Halt {
        Halt::new(run_timeout).0
    }

    /// Whether the run has been stopped, and why (an interruption before the deadline).
    pub fn check(&self) -> Option<Halted> {
        if let Some(h) = self.interrupted.borrow().clone() {
            return Some(h);
        }
        (Instant::now() >= self.deadline).then_some(Halted::RunDeadline(self.run_timeout))
    }

    /// Wait until the run is stopped.
    pub async fn wait(&self) -> Halted {
        let mut rx = self.interrupted.clone();
        let deadline = tokio::time::Instant::from_std(self.deadline);
        loop {
            if let Some(h) = rx.borrow_and_update().clone() {
                return h;
            }
            tokio::select! {
                changed = rx.changed() => {
                    if changed.is_err() {
                        // Nobody can interrupt any more: only the deadline is left.
                        tokio::time::sleep_until(deadline).await;
                        return Halted::RunDeadline(self.run_timeout);
                    }
                }
                _ = tokio::time::sleep_until(deadline) => {
                    return Halted::RunDeadline(self.run_timeout);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_interruption_wins_over_a_later_deadline_and_is_kept() {
        let (halt, interrupter) = Halt::new(Duration::from_secs(3600));
        assert_eq!(halt.check(), None);
        interrupter.interrupt("SIGTERM");
        interrupter.interrupt("SIGINT");
        drop(interrupter);
        assert_eq!(halt.check(), Some(Halted::Interrupted("SIGTERM")));
        assert_eq!(halt.wait().await, Halted::Interrupted("SIGTERM"));
    }

    #[tokio::test]
    async fn the_deadline_stops_a_run_nobody_interrupts() {
        let halt = Halt::after(Duration::from_millis(20));
        assert_eq!(
            halt.wait().await,
            Halted::RunDeadline(Duration::from_millis(20))
        );
        assert!(halt.check().is_some());
        assert_eq!(
            Halted::RunDeadline(Duration::from_secs(600)).to_string(),
            "the run's deadline (10 min) passed"
        );
    }

    #[test]
    fn an_endless_timeout_does_not_overflow() {
        let halt = Halt::after(Duration::MAX);
        assert_eq!(halt.check(), None);
    }
}
