//! Nuanxin app.
