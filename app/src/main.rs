//! Entry point: mounts the app on the page's body.

fn main() {
    app::mount();
}
