//! `jobfeed init --from-hugo`: a ready, commented feed config drafted from a Hugo site.
//! Reads the site config and the postings' front matter; lists what it could not decide.
