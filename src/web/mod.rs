//! The browser edge: thin wrappers over `fetch` and friends, and the API JavaScript sees.
