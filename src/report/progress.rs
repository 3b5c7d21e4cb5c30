//! The progress bar of a check run, on stderr, fed by the engine's events.

use super::{ReportError, Reporter};
use crate::results::Event;

/// A progress bar on stderr, on a terminal only; its length grows as each API starts. It is
/// cleared when the run ends, and when a failed run drops it.
pub struct ProgressBar(Option<indicatif::ProgressBar>);

impl ProgressBar {
    pub fn new() -> Self {
        use std::io::IsTerminal as _;
        if !std::io::stderr().is_terminal() {
            return ProgressBar(None);
        }
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {msg:16} {pos}/{len} rules {wide_bar}",
        ) {
            bar.set_style(style);
        }
        ProgressBar(Some(bar))
    }
}

impl Default for ProgressBar {
    fn default() -> Self {
        Self::new()
    }
}

impl Reporter for ProgressBar {
    fn event(&mut self, event: &Event<'_>) {
        let Some(bar) = &self.0 else { return };
        match event {
            Event::Started { api, rules } => {
                bar.inc_length(*rules as u64);
                bar.set_message(api.to_string());
            }
            Event::RuleDone { .. } => bar.inc(1),
            Event::ApiDone { .. } => {}
        }
    }

    fn finish(&mut self) -> Result<(), ReportError> {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
        Ok(())
    }
}

impl Drop for ProgressBar {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}
