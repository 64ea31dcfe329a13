//! skills-tier policy.
