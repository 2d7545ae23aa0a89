//! Entry point of the supervisors' console build: mounts the console on the page's body.

fn main() {
    app::desk::mount();
}
