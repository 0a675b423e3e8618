//! Go-style duration strings.
