//! wrong-world test guest.
