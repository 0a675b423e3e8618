//! The plugin's verbs, one file each: its clap arguments, whose doc comments are its help text, next to the
//! code that runs it. Each mutating command sends exactly the patch upstream's plugin sends and prints the
//! same message.

pub mod abort;
pub mod completion;
pub mod create;
pub mod get;
pub mod lint;
pub mod list;
pub mod pause;
pub mod promote;
pub mod restart;
pub mod retry;
pub mod set_image;
pub mod status;
pub mod terminate;
pub mod undo;
pub mod version;
