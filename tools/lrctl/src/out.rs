// SPDX-License-Identifier: GPL-2.0
//! Where lrctl's output goes: text or JSON (`-j` one line per document,
//! `-p` pretty), written so that a reader that goes away (`lrctl -j top |
//! head -1`) ends lrctl quietly instead of panicking.

use crate::error::{Error, Result};
use json_out::Json;
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    /// One line per document (JSON Lines for `top`).
    Json,
    /// Indented.
    Pretty,
}

impl Format {
    pub fn new(json: bool, pretty: bool) -> Format {
        match (json, pretty) {
            (_, true) => Format::Pretty,
            (true, false) => Format::Json,
            _ => Format::Text,
        }
    }

    pub fn is_json(self) -> bool {
        self != Format::Text
    }

    /// A document in this format, newline-terminated.
    pub fn render(self, j: &Json) -> String {
        match self {
            Format::Pretty => j.to_pretty() + "\n",
            _ => j.to_line() + "\n",
        }
    }
}

/// Writes to stdout and flushes; a closed pipe is [`Error::Closed`].
pub fn print(s: &str) -> Result<()> {
    let mut o = io::stdout().lock();
    o.write_all(s.as_bytes())
        .and_then(|()| o.flush())
        .map_err(|e| match e.kind() {
            io::ErrorKind::BrokenPipe => Error::Closed,
            _ => Error::Io(format!("stdout: {e}")),
        })
}
