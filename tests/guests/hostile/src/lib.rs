//! hostile test guest.
