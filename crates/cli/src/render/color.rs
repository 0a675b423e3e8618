//! ANSI colouring of well-known words (icons, role tags, phases).

use crate::info::{
    ICON_BAD, ICON_OK, ICON_PROGRESSING, ICON_UNKNOWN, ICON_WAITING, ICON_WARNING, TAG_ACTIVE, TAG_CANARY, TAG_PING,
    TAG_PONG, TAG_PREVIEW, TAG_STABLE,
};

const FG_RED: u8 = 31;
const FG_GREEN: u8 = 32;
const FG_YELLOW: u8 = 33;
const FG_HI_BLUE: u8 = 94;
const NO_FORMAT: u8 = 0;

/// How to render.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Colour icons, tags and names with ANSI escapes (`--no-color` and `TERM=dumb` turn it off).
    pub color: bool,
}

impl RenderOptions {
    /// `s` coloured by what it is (an icon, a tag, a phase).
    pub(crate) fn colorize(&self, s: &str) -> String {
        self.colorize_status(s, s)
    }

    /// `s` coloured by `status`. With colours on, words without a colour are still wrapped (in the
    /// reset code), keeping column widths consistent, as upstream does.
    pub(crate) fn colorize_status(&self, s: &str, status: &str) -> String {
        if !self.color {
            return s.to_string();
        }
        format!("\x1b[{}m{s}\x1b[{NO_FORMAT}m", color_of(status))
    }
}

fn color_of(word: &str) -> u8 {
    match word {
        ICON_WAITING | ICON_UNKNOWN | TAG_CANARY => FG_YELLOW,
        ICON_PROGRESSING | TAG_PREVIEW | TAG_PING | TAG_PONG | "Pending" | "Running" => FG_HI_BLUE,
        ICON_WARNING | ICON_BAD => FG_RED,
        ICON_OK | TAG_STABLE | TAG_ACTIVE => FG_GREEN,
        _ => NO_FORMAT,
    }
}
