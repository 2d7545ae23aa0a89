//! Entry point of the rider app's sync engine, run in a dedicated worker that the app starts
//! after its first paint (`app::sync::handle`): Automerge and the documents live here.

fn main() {
    app::sync::worker::run();
}
